// The CLI's contract (issue 2, "The CLI"): output formats, explanations, standard input, findings on standard error,
// exit codes with one-line messages.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCaptured } from './helpers';

const REPO = path.resolve(__dirname, '..', '..', '..');
const DEMO = path.join(REPO, 'test-fixtures', 'demo');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-cli-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A small workspace: web may reach api on 8080 only; api is isolated for ingress. */
const SMALL = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: api, ports: [{name: http, containerPort: 8080}, {containerPort: 9090, protocol: UDP}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: http}]
`;
const smallFile = path.join(tmp, 'small.yaml');
fs.writeFileSync(smallFile, SMALL);
/** How the CLI shows a file: relative to the working directory, absolute when outside it. */
const rel = (p: string) => (path.relative(process.cwd(), p).startsWith('..') ? p : path.relative(process.cwd(), p));

describe('netpol matrix', () => {
  test('JSON is exactly {"pods","ports","allowed"} with allowed[port][from][to]', async () => {
    const run = await runCaptured(['matrix', '--format', 'json', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      pods: ['shop/api', 'shop/web'],
      ports: ['80/TCP', '8080/TCP', '9090/UDP'],
      allowed: {
        '80/TCP': [[true, true], [false, true]],
        '8080/TCP': [[true, true], [true, true]],
        '9090/UDP': [[true, true], [false, true]],
      },
    });
    assert.deepEqual(Object.keys(JSON.parse(run.stdout)), ['pods', 'ports', 'allowed']);
  });

  test('--port chooses the ports (repeatable; protocol defaults to TCP)', async () => {
    const run = await runCaptured(['matrix', '--format', 'json', '--port', '8080', '--port', '53/UDP', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    const m = JSON.parse(run.stdout);
    assert.deepEqual(m.ports, ['8080/TCP', '53/UDP']);
    assert.deepEqual(m.allowed['53/UDP'], [[true, true], [false, true]]);
  });

  test('CSV has one row per port and source, 1 for allowed', async () => {
    const run = await runCaptured(['matrix', '--format', 'csv', '--port', '8080/TCP', '--port', '80/TCP', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, ['port,from,shop/api,shop/web', '8080/TCP,shop/api,1,1', '8080/TCP,shop/web,1,1', '80/TCP,shop/api,1,1', '80/TCP,shop/web,0,1', ''].join('\n'));
  });

  test('text is a numbered grid per port, rows from and columns to', async () => {
    const run = await runCaptured(['matrix', '--port', '80/TCP', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['Workloads:', '  1  shop/api', '  2  shop/web']);
    assert.ok(lines.includes('Port 80/TCP   (rows: from, columns: to; ✓ allowed, · denied)'), run.stdout);
    assert.ok(lines.includes('1  shop/api  ✓ ✓'), run.stdout);
    assert.ok(lines.includes('2  shop/web  · ✓'), run.stdout);
  });

  test('ports with identical grids share one text grid', async () => {
    const run = await runCaptured(['matrix', '--port', '80/TCP', '--port', '9090/UDP', '--port', '8080/TCP', smallFile]);
    assert.match(run.stdout, /^Ports 80\/TCP, 9090\/UDP {3}\(rows/m);
    assert.match(run.stdout, /^Port 8080\/TCP {3}\(rows/m);
  });

  test('the demo workspace: only the API server reaches the database', async () => {
    const run = await runCaptured(['matrix', '--format', 'json', '--port', '5432/TCP', DEMO]);
    assert.equal(run.code, 0, run.stderr);
    const m = JSON.parse(run.stdout);
    const postgres = m.pods.indexOf('production/postgres');
    const reaching = m.pods.filter((_: string, i: number) => i !== postgres && m.allowed['5432/TCP'][i][postgres]);
    assert.deepEqual(reaching, ['production/api-server']);
  });
});

describe('netpol reach', () => {
  test('an allowed verdict names the policy and rule with its position', async () => {
    const run = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/api', '--port', '8080/TCP', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stdout,
      [
        'ALLOWED: shop/web -> shop/api on 8080/TCP',
        '  egress of shop/web: allowed (not isolated for egress: no policy with Egress selects it)',
        '  ingress of shop/api: allowed',
        `    by shop/api-from-web, ingress rule 1 (${rel(smallFile)}:18:7)`,
        '',
      ].join('\n'),
    );
  });

  test('a denied verdict names the isolating policies', async () => {
    const run = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/api', '--port', '9090/UDP', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^DENIED: shop\/web -> shop\/api on 9090\/UDP$/m);
    assert.match(run.stdout, /ingress of shop\/api: denied: isolated by shop\/api-from-web, and no rule of theirs allows 9090\/UDP from shop\/web/);
    assert.ok(run.stdout.includes(`    shop/api-from-web (${rel(smallFile)}:12:1)`), run.stdout);
  });

  test('JSON carries the verdict and its explanation with file, line and column', async () => {
    const run = await runCaptured(['reach', '--format', 'json', '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    const v = JSON.parse(run.stdout);
    assert.equal(v.allowed, true);
    assert.equal(v.from, 'shop/web');
    assert.equal(v.to, 'shop/api');
    assert.equal(v.port, 8080);
    assert.equal(v.protocol, 'TCP');
    assert.equal(v.egress.isolated, false);
    assert.deepEqual(v.ingress.rules, [{ policy: 'shop/api-from-web', index: 0, location: { file: rel(smallFile), line: 18, column: 7 } }]);
    assert.deepEqual(v.ingress.policies.map((p: { name: string }) => p.name), ['shop/api-from-web']);
  });

  test('an IP address is an endpoint; ipBlock-less isolation denies it', async () => {
    const run = await runCaptured(['reach', '--format', 'json', '--from', '203.0.113.9', '--to', 'shop/api', '--port', '8080/TCP', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    const v = JSON.parse(run.stdout);
    assert.equal(v.from, '203.0.113.9');
    assert.equal(v.allowed, false);
  });

  test('a single pod reaching itself is allowed whatever the policies', async () => {
    const run = await runCaptured(['reach', '--from', 'shop/api', '--to', 'shop/api', '--port', '1/TCP', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ALLOWED: shop\/api -> shop\/api on 1\/TCP\n {2}a pod may always reach itself/);
  });
});

describe('netpol list', () => {
  test('text lists every allowed connection with port sets and external ranges', async () => {
    const run = await runCaptured(['list', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.split('\n').filter(Boolean), [
      'shop/api => shop/web : All Connections',
      'shop/api => 0.0.0.0/0 (external) : All Connections',
      'shop/api => ::/0 (external) : All Connections',
      'shop/web => shop/api : TCP 8080',
      'shop/web => 0.0.0.0/0 (external) : All Connections',
      'shop/web => ::/0 (external) : All Connections',
      '0.0.0.0/0 (external) => shop/web : All Connections',
      '::/0 (external) => shop/web : All Connections',
    ]);
  });

  test('JSON has the same connections as objects', async () => {
    const run = await runCaptured(['list', '--format', 'json', smallFile]);
    assert.equal(run.code, 0, run.stderr);
    const lines = JSON.parse(run.stdout);
    assert.deepEqual(lines[3], { from: 'shop/web', to: 'shop/api', conn: 'TCP 8080' });
    assert.deepEqual(lines[1], { from: 'shop/api', to: '0.0.0.0/0', conn: 'All Connections', toExternal: true });
    assert.equal(lines.length, 8);
  });

  test('netpol-analyzer formats (text and JSON) name workloads by kind and split external ranges', async () => {
    const text = await runCaptured(['list', '--format', 'netpol-analyzer', smallFile]);
    assert.ok(text.stdout.includes('shop/web[Pod] => shop/api[Pod] : TCP 8080\n'), text.stdout);
    const json = await runCaptured(['list', '--format', 'netpol-analyzer-json', smallFile]);
    assert.deepEqual(JSON.parse(json.stdout).find((l: { src: string; dst: string }) => l.src === 'shop/web[Pod]' && l.dst === 'shop/api[Pod]'), {
      src: 'shop/web[Pod]',
      dst: 'shop/api[Pod]',
      conn: 'TCP 8080',
    });
  });
});

describe('input', () => {
  test('- reads standard input, with the same result as the file', async () => {
    const fromFile = await runCaptured(['matrix', '--format', 'json', smallFile]);
    const fromStdin = await runCaptured(['matrix', '--format', 'json', '-'], SMALL);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, fromFile.stdout);
  });

  test('folders are read recursively (.yaml, .yml, .json); other files are ignored', async () => {
    const dir = path.join(tmp, 'tree');
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'web.yml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: n}\nspec: {containers: [{name: c, image: i}]}\n');
    fs.writeFileSync(path.join(dir, 'a', 'b', 'api.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'n' }, spec: { containers: [{ name: 'c', image: 'i' }] } }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: ignored}\n');
    const run = await runCaptured(['matrix', '--format', 'json', '--port', '80', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).pods, ['n/api', 'n/web']);
  });

  test('a file named on the command line is read whatever its extension (netpol list <(kustomize build))', async () => {
    const file = path.join(tmp, 'rendered.txt');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: n}\nspec: {containers: [{name: c, image: i}]}\n');
    const run = await runCaptured(['matrix', '--format', 'json', '--port', '80', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).pods, ['n/web']);
  });

  test('symbolic links are followed, a link cycle ends, a dangling link is skipped', async () => {
    const dir = path.join(tmp, 'links');
    fs.mkdirSync(path.join(dir, 'real'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'real', 'web.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: n}\nspec: {containers: [{name: c, image: i}]}\n');
    fs.writeFileSync(path.join(tmp, 'outside-api.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: n}\nspec: {containers: [{name: c, image: i}]}\n');
    fs.symlinkSync(path.join(tmp, 'outside-api.yaml'), path.join(dir, 'api.yaml'));
    fs.symlinkSync(dir, path.join(dir, 'real', 'loop'), 'dir');
    fs.symlinkSync(path.join(tmp, 'nowhere.yaml'), path.join(dir, 'dangling.yaml'));
    fs.symlinkSync(path.join(dir, 'real', 'web.yaml'), path.join(dir, 'web-again.yaml'));
    // The same file through a link, and named twice on the command line, is read once.
    const run = await runCaptured(['matrix', '--format', 'json', '--port', '80', dir, path.join(dir, 'real', 'web.yaml')]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).pods, ['n/api', 'n/web']);
  });

  test('findings about the input go to standard error; standard output stays parseable', async () => {
    const input = `${SMALL}---
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Values.name }}
---
apiVersion: v1
kind: Pod
metadata: [broken
`;
    const run = await runCaptured(['matrix', '--format', 'json', '-'], input);
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(run.stdout).pods, ['shop/api', 'shop/web']);
    assert.match(run.stderr, /template-skipped/);
    assert.match(run.stderr, /parse-error/);
    assert.ok(!run.stdout.includes('template'), 'no finding on standard output');
  });
});

describe('options shared by the commands', () => {
  const SCOPES = path.join(REPO, 'test-fixtures', 'semantics', 'scopes');

  test('--default-namespace places objects without metadata.namespace', async () => {
    const input = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: i}]}\n';
    const run = await runCaptured(['matrix', '--format', 'json', '--port', '80', '--default-namespace', 'apps', '-'], input);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).pods, ['apps/web']);
  });

  test('a folder with .netpol.yaml scopes needs --scope for one result, and each scope is its own cluster', async () => {
    const both = await runCaptured(['matrix', '--format', 'json', SCOPES]);
    assert.equal(both.code, 2);
    assert.equal(both.stderr, 'netpol matrix: the input has several scopes (prod, dev); choose one with --scope\n');
    const prod = await runCaptured(['reach', '--format', 'json', '--scope', 'prod', '--from', 'app/client', '--to', 'app/api', '--port', '80', SCOPES]);
    const dev = await runCaptured(['reach', '--format', 'json', '--scope', 'dev', '--from', 'app/client', '--to', 'app/api', '--port', '80', SCOPES]);
    assert.equal(JSON.parse(prod.stdout).allowed, false);
    assert.equal(JSON.parse(dev.stdout).allowed, true);
    const unknown = await runCaptured(['list', '--scope', 'staging', SCOPES]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'netpol list: no scope named staging (scopes: prod, dev)\n');
  });

  test('--config reads a configuration file from elsewhere (its folder is the root)', async () => {
    const dir = path.join(tmp, 'with-config');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'app.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: i}]}\n');
    const config = path.join(dir, 'netpol-config.yaml');
    fs.writeFileSync(config, 'defaultNamespace: team-a\n');
    const run = await runCaptured(['matrix', '--format', 'json', '--port', '80', '--config', config, path.join(dir, 'app.yaml')]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).pods, ['team-a/web']);
    const missing = await runCaptured(['matrix', '--config', path.join(dir, 'nope.yaml'), dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^netpol matrix: config file not found: .*nope\.yaml\n$/);
  });
});

describe('exit codes and messages', () => {
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /usage/],
    ['an unknown command', ['frobnicate'], /^netpol: unknown command "frobnicate"/],
    ['an unknown option', ['matrix', '--colour', 'red', smallFile], /^netpol matrix: unknown option --colour; run netpol matrix --help for the options$/],
    ['a misspelt option', ['matrix', '--formt', 'json', smallFile], /^netpol matrix: unknown option --formt \(did you mean --format\?\); run netpol matrix --help for the options$/],
    ['a missing option value', ['matrix', smallFile, '--format'], /^netpol matrix: --format needs a value \(text, json, csv\); for example --format csv$/],
    ['an option given twice', ['matrix', '--format', 'json', '--format', 'csv', smallFile], /^netpol matrix: --format given twice \(json, csv\); give it once$/],
    ['a bad --format', ['matrix', '--format', 'xml', smallFile], /^netpol matrix: --format must be one of text, json, csv, not xml$/],
    ['a bad protocol in --port', ['matrix', '--port', '80/ICMP', smallFile], /^netpol matrix: --port 80\/ICMP: the protocol must be TCP, UDP or SCTP \(got "ICMP"\)$/],
    ['a port out of range', ['reach', '--from', 'shop/web', '--to', 'shop/web', '--port', '99999/TCP', smallFile], /^netpol reach: --port 99999\/TCP: port 99999 is out of range; ports go from 1 to 65535$/],
    ['a port that is no number', ['matrix', '--port', 'http/TCP', smallFile], /^netpol matrix: --port http\/TCP: the port must be a number from 1 to 65535/],
    ['no input path', ['matrix'], /^netpol matrix: no input/],
    ['a path that does not exist', ['list', path.join(tmp, 'missing.yaml')], /^netpol list: no such file or folder: .*missing\.yaml$/],
    ['reach without --to', ['reach', '--from', 'shop/web', '--port', '80', smallFile], /^netpol reach: --to is required; for example --from shop\/frontend --to shop\/postgres --port 5432\/TCP$/],
    ['reach toward an unknown workload', ['reach', '--from', 'shop/web', '--to', 'shop/nope', '--port', '80', smallFile], /^netpol reach: no workload shop\/nope in the input \(workloads of shop: /],
    ['reach between two addresses', ['reach', '--from', '10.0.0.1', '--to', '10.0.0.2', '--port', '80', smallFile], /^netpol reach: at least one side must be a workload$/],
  ];
  for (const [what, argv, message] of cases) {
    test(`${what}: exit 2 with a one-line message`, async () => {
      const run = await runCaptured(argv);
      assert.equal(run.code, 2);
      if (argv.length > 0) {
        assert.equal(run.stdout, '');
        assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
        assert.match(run.stderr.trim(), message);
      } else assert.match(run.stderr, message, 'no command: the overview on standard error');
    });
  }

  test('success exits 0 with nothing on standard error for clean input', async () => {
    const run = await runCaptured(['list', smallFile]);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
  });
});
