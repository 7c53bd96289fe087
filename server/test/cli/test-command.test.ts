// `netpol test` on test-fixtures/assertions/shop: every output format compared in full with the reviewed files in
// expected/, and the exit codes (0 when everything holds, 1 on any failure, 2 on bad arguments).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCaptured } from './helpers';
import { validateSarif } from './sarif-schema';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test-fixtures', 'assertions', 'shop');
// Paths in the output are relative to the working directory; this file runs in its own process.
process.chdir(FIXTURE);

function expected(name: string): string {
  return fs.readFileSync(path.join(FIXTURE, 'expected', name), 'utf8');
}

test('passing tests: text, exit 0', async () => {
  const r = await runCaptured(['test', 'manifests', 'passing.netpol-test.yaml']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, expected('passing.txt'));
  assert.equal(r.code, 0);
});

test('failing tests: text with every failure explained, exit 1', async () => {
  const r = await runCaptured(['test', 'manifests', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('failing.txt'));
  assert.equal(r.code, 1);
});

test('json', async () => {
  const r = await runCaptured(['test', '--format', 'json', 'manifests', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('failing.json'));
  assert.equal(r.code, 1);
});

test('junit: passes, failures, todo and skipped', async () => {
  const r = await runCaptured(['test', '--format=junit', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('all.junit.xml'));
  assert.equal(r.code, 1);
});

test('sarif 2.1.0 with related locations', async () => {
  const r = await runCaptured(['test', '--format', 'sarif', 'manifests', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('failing.sarif.json'));
  assert.deepEqual(validateSarif(JSON.parse(r.stdout)), [], 'valid against the SARIF 2.1.0 schema');
  const log = JSON.parse(r.stdout);
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs[0].results.length, 5);
});

test('--tags picks expectations by tag (comma-separated or repeated)', async () => {
  const a = await runCaptured(['test', '--tags', 'smoke,metrics', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  const b = await runCaptured(['test', '--tags', 'smoke', '--tags', 'metrics', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  assert.equal(a.stdout, expected('tags.txt'));
  assert.equal(b.stdout, a.stdout);
  assert.equal(a.code, 1);
  const passingOnly = await runCaptured(['test', '--tags', 'metrics', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  assert.equal(passingOnly.code, 0);
});

test('without the manifests, every group is empty: failures, never passes', async () => {
  const r = await runCaptured(['test', 'passing.netpol-test.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^0 passed, 7 failed, 1 skipped, 1 todo$/m);
  assert.match(r.stdout, /group api matches no endpoint: no workload in namespace shop has labels app=api/);
});

test('bad arguments exit 2', async () => {
  assert.equal((await runCaptured(['test', '--format', 'xml', 'manifests'])).code, 2);
  assert.equal((await runCaptured(['test'])).code, 2);
});

test('a broken test file fails the run even without expectations to fail', async () => {
  const r = await runCaptured(['test', '-'], 'apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec: {expectations: [], colour: red}\n');
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'netpol test: the connectivity tests have no expectations\n');
  assert.match(r.stdout, /problem: unknown field spec.colour \(expected scope, groups, expectations\) \(stdin:\/\/\/input.yaml:4:26\)/);
});

test('scopes: spec.scope, the scope of the file, and --scope', async () => {
  const os = await import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-test-scopes-'));
  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  };
  const web = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web}]}\n';
  const denyAll = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n';
  const test = (name: string, scope: string | undefined, verdict: string) =>
    `apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: ${name}}\nspec:\n${scope ? `  scope: ${scope}\n` : ''}  expectations:\n    - {from: 0.0.0.0/0, to: shop/web, verdict: ${verdict}}\n`;
  write('.netpol.yaml', 'scopes:\n  - {name: prod, paths: [prod]}\n  - {name: staging, paths: [staging]}\n');
  write('prod/app.yaml', `${web}---\n${denyAll}`);
  write('prod/local.netpol-test.yaml', test('prod-local', undefined, 'deny'));
  write('staging/app.yaml', web);
  write('tests/prod.netpol-test.yaml', test('prod-closed', 'prod', 'deny'));
  write('tests/staging.netpol-test.yaml', test('staging-open', 'staging', 'allow'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const all = await runCaptured(['test', '.']);
    assert.equal(
      all.stdout,
      `prod-local (prod/local.netpol-test.yaml:3:18)
  PASS 0.0.0.0/0 -> shop/web: deny (1 pair)
prod-closed (tests/prod.netpol-test.yaml:3:18)
  PASS 0.0.0.0/0 -> shop/web: deny (1 pair)
staging-open (tests/staging.netpol-test.yaml:3:18)
  PASS 0.0.0.0/0 -> shop/web: allow (1 pair)

3 passed, 0 failed, 0 skipped, 0 todo
`,
    );
    assert.equal(all.code, 0);
    const staging = await runCaptured(['test', '--scope', 'staging', '.']);
    assert.match(staging.stdout, /^staging-open .*\n {2}PASS .*\n\n1 passed, 0 failed, 0 skipped, 0 todo\n$/);
    const unknown = await runCaptured(['test', '--scope', 'qa', '.']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'netpol test: no scope named qa (scopes: prod, staging, default)\n');
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a run that checks nothing fails: no test files, or no expectation with the tags', async () => {
  const none = await runCaptured(['test', 'manifests']);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'netpol test: no connectivity test found in the input\n');
  assert.match(none.stdout, /^No connectivity tests found/);
  const untagged = await runCaptured(['test', '--tags', 'nightly', 'manifests', 'passing.netpol-test.yaml']);
  assert.equal(untagged.code, 1);
  assert.equal(untagged.stderr, 'netpol test: no expectation has the tags nightly\n');
});

test('a ConnectivityTest under another apiVersion is reported on stderr and the run fails', async () => {
  const r = await runCaptured(['test', '-'], 'apiVersion: netpol.dev/v1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec: {expectations: []}\n');
  assert.equal(
    r.stderr,
    'stdin:///input.yaml:1:13 error connectivity-test-invalid a ConnectivityTest has apiVersion: netpol.dev/v1alpha1 (not netpol.dev/v1); this one is not run\nnetpol test: no connectivity test found in the input\n',
  );
  assert.equal(r.code, 1);
});
