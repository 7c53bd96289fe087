// Gates that mean something in CI (issue 16, issue 19 item 8, issue 17 "Size"): reach --expect, check on empty
// input, input that was not analysed, files of any size by default with --max-file-size to limit, did-you-mean and
// ambiguous workload names, and `.netpol.yaml` found from the PATHs upwards to the repository root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { discoverConfig } from '../../src/cli/config-discovery';
import { runCaptured } from './helpers';

const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-gates-')));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const deployment = (ns: string, name: string, labels = `app: ${name}`, kind = 'Deployment') =>
  `apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {${labels}}}\n  template:\n    metadata: {labels: {${labels}}}\n    spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}\n`;
const DENY = (ns: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: ${ns}}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n`;
const INVALID = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n';
const SHOP = folder('shop', { 'apps.yaml': `${deployment('shop', 'web')}---\n${deployment('shop', 'api')}`, 'deny.yaml': DENY('shop') });

describe('reach --expect', () => {
  test('exit 0 when the verdict is the expected one, 1 with a message when it differs', async () => {
    const denied = ['reach', '--from', 'shop/web', '--to', 'shop/api', '--port', '80', SHOP];
    assert.equal((await runCaptured([...denied, '--expect', 'deny'])).code, 0);
    const wrong = await runCaptured([...denied, '--expect', 'allow']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stdout, /^DENIED/);
    assert.equal(wrong.stderr, 'netpol reach: expected allow, but the connection is denied\n');
    assert.equal((await runCaptured(denied)).code, 0, 'without --expect, a verdict is an answer, not a failure');
    const bad = await runCaptured([...denied, '--expect', 'allowed']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--expect must be one of allow, deny, not allowed \(did you mean allow\?\)/);
  });
});

describe('workload names in reach', () => {
  const twoKinds = folder('two-kinds', { 'a.yaml': `${deployment('shop', 'db')}---\n${deployment('shop', 'db', 'app: db2', 'StatefulSet')}---\n${deployment('shop', 'web')}` });

  test('a name that does not exist gets the nearest one', async () => {
    const r = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/apii', '--port', '80', SHOP]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^netpol reach: no workload shop\/apii; did you mean shop\/api\? \(shop\/Deployment\/api \(.*apps\.yaml:\d+:1\)\)\n$/);
  });

  test('a name in another namespace is pointed at', async () => {
    const r = await runCaptured(['reach', '--from', 'shop/web', '--to', 'store/api', '--port', '80', SHOP]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no workload store\/api; api is in shop\/Deployment\/api/);
  });

  test('an ambiguous name lists the candidates with kind and file, and NS/KIND/NAME picks one', async () => {
    const r = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/db', '--port', '80', twoKinds]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^netpol reach: "shop\/db" is ambiguous; name one as NAMESPACE\/KIND\/NAME:\n {2}shop\/Deployment\/db \(.*a\.yaml:1:1\)\n {2}shop\/StatefulSet\/db \(.*a\.yaml:\d+:1\)\n$/);
    const picked = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/StatefulSet/db', '--port', '80', twoKinds]);
    assert.equal(picked.code, 0, picked.stderr);
    assert.match(picked.stdout, /shop\/db\[StatefulSet\]|shop\/StatefulSet\/db/);
  });
});

describe('check: input that was not analysed, and empty input', () => {
  test('no manifest found exits 2, unless --allow-empty', async () => {
    const empty = folder('empty', { 'README.md': 'nothing here\n' });
    const r = await runCaptured(['check', empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^netpol check: no manifest \(\.yaml, \.yml, \.json\) found in .*empty; check the paths, or pass --allow-empty/);
    const allowed = await runCaptured(['check', '--allow-empty', empty]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /0 errors, 0 warnings, 0 information in 0 files: passed/);
  });

  test('blank standard input (a failed `helm template | netpol check -`) exits 2, unless --allow-empty', async () => {
    for (const input of ['', '\n  \n']) {
      const r = await runCaptured(['check', '-'], input);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^netpol check: the input is empty \(stdin:\/\/\/input\.yaml\) in -; check the paths, or pass --allow-empty/);
      assert.equal((await runCaptured(['check', '--allow-empty', '-'], input)).code, 0);
    }
  });

  test('a template that is not analysed fails the check by default; --allow-skipped passes', async () => {
    const template = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n';
    const r = await runCaptured(['check', '-'], template);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /netpol check: 1 input not analysed \(template-skipped\) fails the check: render templates first, raise --max-file-size, or pass --allow-skipped\./);
    assert.match(r.stderr, /in 1 file, 1 not analysed: failed at --severity error\n$/);
    const allowed = await runCaptured(['check', '--allow-skipped', '-'], template);
    assert.equal(allowed.code, 0, allowed.stderr);
    for (const format of ['json', 'sarif']) assert.equal((await runCaptured(['check', '--format', format, '-'], template)).code, 1, `${format} fails too`);
  });

  test('a binary file fails the check by default', async () => {
    const dir = folder('binary', { 'a.yaml': 'apiVersion: v1\nkind: Pod\0\0\n' });
    assert.equal((await runCaptured(['check', dir])).code, 1);
    assert.equal((await runCaptured(['check', '--allow-skipped', dir])).code, 0);
  });
});

describe('size: any size by default, --max-file-size limits', () => {
  // Larger than the editor's default limit (5 MB): a Pod and a ConfigMap with a large value.
  const big =
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: big, labels: {app: web}}\nspec: {containers: [{name: c, image: i}]}\n---\n' +
    `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob, namespace: big}\ndata:\n  blob: ${'x'.repeat(5.5 * 1024 * 1024)}\n`;

  test('a file and standard input over 5 MB are read whole by default', async () => {
    const dir = folder('big', { 'pods.yaml': big, 'deny.yaml': DENY('big') });
    const r = await runCaptured(['check', '--format', 'json', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /file-too-large/);
    const list = await runCaptured(['list', '--format', 'json', '-'], big);
    assert.equal(list.code, 0, list.stderr);
    assert.doesNotMatch(list.stderr, /file-too-large/);
    assert.ok(JSON.parse(list.stdout).some((c: { from: string }) => c.from === 'big/web'), 'the Pod in the large input is analysed');
  });

  test('maxFileSize of .netpol.yaml (the editor\'s limit) does not make the CLI skip files', async () => {
    const dir = folder('config-limit', { '.netpol.yaml': 'maxFileSize: 100\n', 'pods.yaml': big, 'deny.yaml': DENY('big') });
    const r = await runCaptured(['check', '--format', 'compact', dir]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /file-too-large/);
  });

  test('--max-file-size skips larger input with a finding that names the option, and that fails check', async () => {
    const r = await runCaptured(['check', '--format', 'compact', '--max-file-size', '1M', '-'], big);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^stdin:\/\/\/input\.yaml:1:1 information file-too-large Skipped: .*raise --max-file-size to analyse it\.$/m);
    assert.equal((await runCaptured(['check', '--max-file-size', '1M', '--allow-skipped', '-'], big)).code, 0);
    const bad = await runCaptured(['check', '--max-file-size', 'big', '-'], big);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-file-size must be a number of bytes, optionally with k, M or G \(for example 5M\), not big/);
  });
});

describe('.netpol.yaml found like other tools find their configuration', () => {
  // A repository with the configuration at its root, manifests below; the rule is turned off by the root's file.
  const repo = folder('repo', {
    '.netpol.yaml': 'rules:\n  unknown-field: "off"\n',
    'manifests/apps/bad.yaml': INVALID,
    'manifests/apps/web.yaml': deployment('shop', 'web'),
  });
  spawnSync('git', ['init', '-q'], { cwd: repo });

  test('check manifests/ from the root uses the root\'s file (from the PATH upwards to the repository root)', async () => {
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      assert.equal((await runCaptured(['check', 'manifests'])).code, 0);
      assert.equal((await runCaptured(['check', 'manifests/apps/bad.yaml'])).code, 0, 'a file PATH: from its folder upwards');
    } finally {
      process.chdir(cwd);
    }
    assert.equal((await runCaptured(['check', path.join(repo, 'manifests', 'apps')])).code, 0, 'from anywhere');
  });

  test('--config overrides what would be found', async () => {
    const other = folder('other-config', { 'ci.yaml': 'rules: {}\n' });
    const r = await runCaptured(['check', '--format', 'compact', '--config', path.join(other, 'ci.yaml'), path.join(repo, 'manifests')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /unknown-field/);
  });

  test('the lookup stops at the repository root; standard input uses the current folder\'s', () => {
    const outer = folder('outer', { '.netpol.yaml': 'rules: {}\n', 'inner/x.yaml': 'a: 1\n' });
    fs.mkdirSync(path.join(outer, 'inner', '.git'));
    assert.equal(discoverConfig([path.join(outer, 'inner')]), undefined, 'a repository below a folder with a configuration does not take it');
    assert.deepEqual(discoverConfig(['-'], repo), { file: path.join(repo, '.netpol.yaml'), ignored: [] });
    assert.deepEqual(discoverConfig([path.join(repo, 'manifests', 'apps', 'bad.yaml')], scratch), { file: path.join(repo, '.netpol.yaml'), ignored: [] });
  });

  test('two PATHs with different configurations: the first is used and the run says so', async () => {
    const second = folder('second', { '.netpol.yaml': 'rules: {}\n', 'x.yaml': deployment('shop', 'x') });
    spawnSync('git', ['init', '-q'], { cwd: second });
    const r = await runCaptured(['check', path.join(repo, 'manifests'), second]);
    assert.match(r.stderr, /^netpol: using .*repo\/\.netpol\.yaml; also found .*second\/\.netpol\.yaml \(one configuration per run: choose with --config\)$/m);
  });
});
