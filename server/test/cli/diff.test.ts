// `netpol diff --base REF` on temporary git repositories built here: each case commits a base version, changes the
// working tree (adding, loosening, tightening or deleting policies, adding and removing workloads) and compares the
// full report. The base is read from git's object store; the working tree must be left exactly as it was.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { PortSet } from '../../src/engine/portset';
import { diffToMarkdown, MARKDOWN_ROWS, type ConnectionChange } from '../../src/report/diff';
import { runCaptured } from './helpers';
import { validateSarif } from './sarif-schema';

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
`;

function deployment(name: string, labels: Record<string, string>, port: number): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {${l}}}
    spec: {containers: [{name: ${name}, ports: [{containerPort: ${port}}]}]}
`;
}

const WORKLOADS = [deployment('web', { app: 'web' }, 8080), deployment('api', { app: 'api', tier: 'back' }, 8080), deployment('db', { app: 'db', tier: 'back' }, 5432)].join('---\n');

const DEFAULT_DENY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;

function apiIngress(from: string, ports: number[]): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from: [{podSelector: ${from}}]
      ports: [${ports.map((p) => `{port: ${p}}`).join(', ')}]
`;
}

const DB_INGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: api}}}]
      ports: [{port: 5432}]
`;

const BASE: Record<string, string> = {
  'k8s/namespace.yaml': NAMESPACE,
  'k8s/workloads.yaml': WORKLOADS,
  'k8s/policies/default-deny.yaml': DEFAULT_DENY,
  'k8s/policies/api-ingress.yaml': apiIngress('{}', [8080]),
  'README.md': 'not a manifest\n',
};

const roots: string[] = [];
const startDir = process.cwd();
after(() => {
  process.chdir(startDir);
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

function write(root: string, files: Record<string, string | null>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(root, name);
    if (text === null) fs.rmSync(file);
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
}

/** A repository whose HEAD holds `base` and whose working tree then gets `changes` (null deletes a file). */
function repository(changes: Record<string, string | null>, base: Record<string, string> = BASE): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-diff-'));
  roots.push(root);
  sh(root, 'init', '-q', '-b', 'main');
  sh(root, 'config', 'user.email', 'test@example.com');
  sh(root, 'config', 'user.name', 'test');
  sh(root, 'config', 'commit.gpgsign', 'false');
  write(root, base);
  sh(root, 'add', '.');
  sh(root, 'commit', '-q', '-m', 'base');
  write(root, changes);
  process.chdir(root);
  return root;
}

async function diff(...args: string[]) {
  return runCaptured(['diff', '--base', 'HEAD', ...args, 'k8s']);
}

describe('netpol diff', () => {
  test('adding a policy: a newly allowed connection, caused by the added policy', async () => {
    repository({ 'k8s/policies/default-deny.yaml': null, 'k8s/policies/deny.yaml': DEFAULT_DENY, 'k8s/policies/db-ingress.yaml': DB_INGRESS });
    const r = await diff();
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD:
  + shop/api -> shop/db: now allowed: TCP 5432 (was denied)
      shop/db-ingress (added), ingress: does not select shop/db for ingress -> allows TCP 5432 from shop/api (k8s/policies/db-ingress.yaml:3:18)

1 added, 0 removed, 0 changed; 0 workloads added, 0 removed
`,
    );
    assert.equal(r.code, 0);
  });

  test('loosening a policy: more ports between the same workloads', async () => {
    repository({ 'k8s/policies/api-ingress.yaml': apiIngress('{matchLabels: {app: web}}', [8080, 9090]) });
    const r = await diff();
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD:
  - shop/db -> shop/api: now denied (was TCP 8080)
      shop/api-ingress (modified), ingress: allows TCP 8080 from shop/db -> isolates shop/api and allows nothing from shop/db
  ~ shop/web -> shop/api: TCP 8080 -> TCP 8080,9090 (+TCP 9090)
      shop/api-ingress (modified), ingress: allows TCP 8080 from shop/web -> allows TCP 8080,9090 from shop/web (k8s/policies/api-ingress.yaml:3:18)

0 added, 1 removed, 1 changed; 0 workloads added, 0 removed
`.replace(
        'allows nothing from shop/db\n',
        'allows nothing from shop/db (k8s/policies/api-ingress.yaml:3:18)\n',
      ),
    );
  });

  test('tightening a policy: removed connections, and --fail-on as a CI gate', async () => {
    repository({ 'k8s/policies/api-ingress.yaml': apiIngress('{matchLabels: {app: web}}', [8080]) });
    const r = await diff();
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD:
  - shop/db -> shop/api: now denied (was TCP 8080)
      shop/api-ingress (modified), ingress: allows TCP 8080 from shop/db -> isolates shop/api and allows nothing from shop/db (k8s/policies/api-ingress.yaml:3:18)

0 added, 1 removed, 0 changed; 0 workloads added, 0 removed
`,
    );
    assert.equal(r.code, 0, 'without --fail-on a diff never fails');
    assert.equal((await diff('--fail-on', 'removed')).code, 1);
    assert.equal((await diff('--fail-on', 'added')).code, 0);
    assert.equal((await diff('--fail-on', 'added,changed')).code, 0);
    assert.equal((await diff('--fail-on', 'any')).code, 1);
  });

  test('deleting a policy: the cause points at the policy in the base version', async () => {
    repository({ 'k8s/policies/default-deny.yaml': null });
    const r = await diff();
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD:
  + shop/api -> shop/db: now allowed: All Connections (was denied)
      shop/default-deny (deleted), ingress: isolates shop/db and allows nothing from shop/api -> does not select shop/db for ingress (k8s/policies/default-deny.yaml:3:18 at HEAD)
  + shop/api -> shop/web: now allowed: All Connections (was denied)
      shop/default-deny (deleted), ingress: isolates shop/web and allows nothing from shop/api -> does not select shop/web for ingress (k8s/policies/default-deny.yaml:3:18 at HEAD)
  + shop/db -> shop/web: now allowed: All Connections (was denied)
      shop/default-deny (deleted), ingress: isolates shop/web and allows nothing from shop/db -> does not select shop/web for ingress (k8s/policies/default-deny.yaml:3:18 at HEAD)
  + shop/web -> shop/db: now allowed: All Connections (was denied)
      shop/default-deny (deleted), ingress: isolates shop/db and allows nothing from shop/web -> does not select shop/db for ingress (k8s/policies/default-deny.yaml:3:18 at HEAD)
  + 0.0.0.0/0, ::/0 (external) -> shop/db: now allowed: All Connections (was denied)
      shop/default-deny (deleted), ingress: isolates shop/db and allows nothing from 0.0.0.0/0, ::/0 -> does not select shop/db for ingress (k8s/policies/default-deny.yaml:3:18 at HEAD)
  + 0.0.0.0/0, ::/0 (external) -> shop/web: now allowed: All Connections (was denied)
      shop/default-deny (deleted), ingress: isolates shop/web and allows nothing from 0.0.0.0/0, ::/0 -> does not select shop/web for ingress (k8s/policies/default-deny.yaml:3:18 at HEAD)

6 added, 0 removed, 0 changed; 0 workloads added, 0 removed
`,
    );
  });

  test('egress to addresses outside the cluster: blocks cut at the ipBlock boundaries', async () => {
    repository({
      'k8s/policies/web-egress.yaml': `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 10.0.0.0/8}}]
      ports: [{port: 443}]
`,
    });
    const r = await diff();
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD:
  - shop/web -> shop/api: now denied (was TCP 8080)
      shop/web-egress (added), egress: does not select shop/web for egress -> isolates shop/web and allows nothing to shop/api (k8s/policies/web-egress.yaml:3:18)
  - shop/web -> 0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255, ::/0 (external): now denied (was All Connections)
      shop/web-egress (added), egress: does not select shop/web for egress -> isolates shop/web and allows nothing to 0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255, ::/0 (k8s/policies/web-egress.yaml:3:18)
  ~ shop/web -> 10.0.0.0/8 (external): All Connections -> TCP 443 (-SCTP 1-65535,TCP 1-442,444-65535,UDP 1-65535)
      shop/web-egress (added), egress: does not select shop/web for egress -> allows TCP 443 to 10.0.0.0/8 (k8s/policies/web-egress.yaml:3:18)

0 added, 2 removed, 1 changed; 0 workloads added, 0 removed
`,
    );
  });

  test('adding and removing workloads: listed apart, with their connections', async () => {
    const workloads = [deployment('web', { app: 'web' }, 8080), deployment('api', { app: 'api', tier: 'back' }, 8080), deployment('cache', { app: 'cache' }, 6379)].join('---\n');
    repository({ 'k8s/workloads.yaml': workloads });
    const r = await diff();
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD:
  no connection between existing workloads changed
Workloads added:
  shop/cache (Deployment)
      shop/cache -> shop/api: TCP 8080
Workloads removed:
  shop/db (Deployment)
      shop/db -> shop/api: TCP 8080

0 added, 0 removed, 0 changed; 1 workload added, 1 removed
`,
    );
  });

  test('a label change: the unchanged policy now selects other pods', async () => {
    const workloads = [deployment('web', { app: 'web' }, 8080), deployment('api', { app: 'api', tier: 'back' }, 8080), deployment('db', { app: 'db', tier: 'back' }, 5432)].join('---\n');
    repository({ 'k8s/policies/db-ingress.yaml': DB_INGRESS, 'k8s/workloads.yaml': workloads }, { ...BASE, 'k8s/workloads.yaml': workloads.replace('{app: api, tier: back}', '{app: api2, tier: back}') });
    const r = await diff();
    assert.match(r.stdout, /^ {2}\+ shop\/api -> shop\/db: now allowed: TCP 5432 \(was denied\)$/m);
    assert.match(r.stdout, /shop\/db-ingress \(added\), ingress: does not select shop\/db for ingress -> allows TCP 5432 from shop\/api/);
    assert.match(r.stdout, /shop\/api-ingress \(unchanged; it selects other pods now\), ingress: does not select shop\/api for ingress -> allows TCP 8080 from shop\/db/);
  });

  test('scopes of .netpol.yaml are compared by name, and the configuration is read at the base too', async () => {
    const config = 'scopes:\n  - {name: prod, paths: [k8s/prod]}\n  - {name: staging, paths: [k8s/staging]}\n';
    const scoped = {
      '.netpol.yaml': config,
      'k8s/prod/namespace.yaml': NAMESPACE,
      'k8s/prod/workloads.yaml': WORKLOADS,
      'k8s/prod/default-deny.yaml': DEFAULT_DENY,
      'k8s/staging/namespace.yaml': NAMESPACE,
      'k8s/staging/workloads.yaml': WORKLOADS,
      'k8s/staging/default-deny.yaml': DEFAULT_DENY,
    };
    repository({ 'k8s/prod/db-ingress.yaml': DB_INGRESS }, scoped);
    const r = await runCaptured(['diff', '--base', 'HEAD', '.']);
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD:
  + [prod] shop/api -> shop/db: now allowed: TCP 5432 (was denied)
      shop/db-ingress (added), ingress: does not select shop/db for ingress -> allows TCP 5432 from shop/api (k8s/prod/db-ingress.yaml:3:18)

1 added, 0 removed, 0 changed; 0 workloads added, 0 removed
`,
    );
    const staging = await runCaptured(['diff', '--base', 'HEAD', '--scope', 'staging', '--fail-on', 'any', '.']);
    assert.equal(staging.code, 0);
    assert.match(staging.stdout, /no connection between existing workloads changed/);
  });

  test('reads the base from git without touching the working tree or the index', async () => {
    const root = repository({ 'k8s/policies/api-ingress.yaml': apiIngress('{matchLabels: {app: web}}', [8080]) });
    const statusBefore = sh(root, 'status', '--porcelain');
    const textBefore = fs.readFileSync(path.join(root, 'k8s/policies/api-ingress.yaml'), 'utf8');
    await diff();
    assert.equal(sh(root, 'status', '--porcelain'), statusBefore);
    assert.equal(fs.readFileSync(path.join(root, 'k8s/policies/api-ingress.yaml'), 'utf8'), textBefore);
  });

  test('an older revision by name, and a subfolder run from inside the repository', async () => {
    const root = repository({});
    write(root, { 'k8s/policies/db-ingress.yaml': DB_INGRESS });
    sh(root, 'add', '.');
    sh(root, 'commit', '-q', '-m', 'db ingress');
    write(root, { 'k8s/policies/db-ingress.yaml': null });
    sh(root, 'commit', '-q', '-am', 'drop db ingress');
    process.chdir(path.join(root, 'k8s'));
    const r = await runCaptured(['diff', '--base', 'HEAD~1', 'policies', 'workloads.yaml', 'namespace.yaml']);
    assert.equal(
      r.stdout,
      `Reachability changes against HEAD~1:
  - shop/api -> shop/db: now denied (was TCP 5432)
      shop/db-ingress (deleted), ingress: allows TCP 5432 from shop/api -> does not select shop/db for ingress (policies/db-ingress.yaml:3:18 at HEAD~1)

0 added, 1 removed, 0 changed; 0 workloads added, 0 removed
`,
    );
    assert.equal((await runCaptured(['diff', '--base', 'HEAD~2', '--fail-on', 'any', 'policies', 'workloads.yaml', 'namespace.yaml'])).code, 0, 'HEAD~2 equals the working tree');
  });

  test('a tracked file name with a newline does not shift the base texts: a deleted deny-all still fails --fail-on added (issue 19)', async () => {
    // Named to sort before the policies: in a newline-separated `cat-file --batch` exchange, it shifted every later text.
    const odd = 'k8s/a\nforged.yaml';
    repository({ 'k8s/policies/default-deny.yaml': null }, { ...BASE, [odd]: deployment('odd', { app: 'odd' }, 9090) });
    const r = await diff('--fail-on', 'added');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /shop\/default-deny \(deleted\)/);
    assert.match(r.stdout, /^\+? ?\d+ added, 0 removed, 0 changed/m);
    assert.match(r.stdout, /shop\/api -> shop\/odd: now allowed/);
    // The workload in the odd file is in both versions: it is not an added or removed workload.
    assert.match(r.stdout, /0 workloads added, 0 removed/);
  });

  test('json, markdown and sarif', async () => {
    repository({ 'k8s/policies/api-ingress.yaml': apiIngress('{matchLabels: {app: web}}', [8080, 9090]), 'k8s/policies/db-ingress.yaml': DB_INGRESS });
    const json = JSON.parse((await diff('--format', 'json')).stdout);
    assert.deepEqual(json.counts, { added: 1, removed: 1, changed: 1, appeared: 0, disappeared: 0 });
    assert.deepEqual(json.changes[0], {
      kind: 'added',
      scope: 'default',
      from: 'shop/api',
      to: 'shop/db',
      before: 'No Connections',
      after: 'TCP 5432',
      opened: 'TCP 5432',
      closed: 'No Connections',
      summary: 'now TCP 5432',
      causes: [
        {
          policy: 'shop/db-ingress',
          change: 'added',
          direction: 'ingress',
          before: 'does not select shop/db for ingress',
          after: 'allows TCP 5432 from shop/api',
          decides: true,
          location: { file: 'k8s/policies/db-ingress.yaml', line: 3, column: 18 },
        },
      ],
    });
    assert.deepEqual(json.changes.map((c: { kind: string; from: string; to: string }) => `${c.kind} ${c.from}>${c.to}`), ['added shop/api>shop/db', 'removed shop/db>shop/api', 'changed shop/web>shop/api']);

    const md = await diff('--format', 'md');
    assert.equal(
      md.stdout,
      `### NetworkPolicy reachability changes

Compared with \`HEAD\`: **1** added, **1** removed, **1** changed connections; 0 workloads added, 0 removed.

#### Newly allowed (1)

| From | To | Ports | Caused by |
| --- | --- | --- | --- |
| \`shop/api\` | \`shop/db\` | TCP 5432 | \`shop/db-ingress\` (added, ingress) at \`k8s/policies/db-ingress.yaml:3:18\` |

#### Newly denied (1)

| From | To | Ports | Caused by |
| --- | --- | --- | --- |
| \`shop/db\` | \`shop/api\` | TCP 8080 | \`shop/api-ingress\` (modified, ingress) at \`k8s/policies/api-ingress.yaml:3:18\` |

#### Ports changed (1)

| From | To | Ports | Caused by |
| --- | --- | --- | --- |
| \`shop/web\` | \`shop/api\` | TCP 8080 -> TCP 8080,9090 (+TCP 9090) | \`shop/api-ingress\` (modified, ingress) at \`k8s/policies/api-ingress.yaml:3:18\` |
`,
    );

    const sarif = JSON.parse((await diff('--format', 'sarif')).stdout);
    assert.equal(sarif.version, '2.1.0');
    assert.deepEqual(validateSarif(sarif), [], 'valid against the SARIF 2.1.0 schema');
    assert.equal(sarif.runs[0].columnKind, 'utf16CodeUnits');
    assert.deepEqual(
      sarif.runs[0].results.map((r: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }) => [
        r.ruleId,
        r.level,
        r.locations[0].physicalLocation.artifactLocation.uri,
        r.locations[0].physicalLocation.region.startLine,
      ]),
      [
        ['reachability-added', 'warning', 'k8s/policies/db-ingress.yaml', 3],
        ['reachability-removed', 'note', 'k8s/policies/api-ingress.yaml', 3],
        ['reachability-changed', 'note', 'k8s/policies/api-ingress.yaml', 3],
      ],
    );
    assert.equal(
      sarif.runs[0].results[0].message.text,
      'shop/api -> shop/db: now allowed: TCP 5432 (was denied); caused by shop/db-ingress (added), ingress: does not select shop/db for ingress -> allows TCP 5432 from shop/api',
    );
  });

  test('bad input exits 2 with a message', async () => {
    repository({});
    const unknownRef = await diff();
    assert.equal(unknownRef.code, 0);
    const bad = await runCaptured(['diff', '--base', 'no-such-ref', 'k8s']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^netpol diff: no-such-ref is not a commit of the repository .* \(try a branch, a tag, HEAD~1 or a commit id\)\n$/);
    assert.equal((await runCaptured(['diff', 'k8s'])).code, 2);
    assert.equal((await runCaptured(['diff', '--base', 'HEAD', '--fail-on', 'sometimes', 'k8s'])).code, 2);
    process.chdir(os.tmpdir());
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-nogit-'));
    roots.push(outside);
    fs.writeFileSync(path.join(outside, 'a.yaml'), NAMESPACE);
    process.chdir(outside);
    const noRepo = await runCaptured(['diff', '--base', 'HEAD', 'a.yaml']);
    assert.equal(noRepo.code, 2);
    assert.match(noRepo.stderr, /git rev-parse failed: fatal: not a git repository/);
  });
});

test('markdown tables are capped for pull-request comments', () => {
  const changes: ConnectionChange[] = Array.from({ length: MARKDOWN_ROWS + 7 }, (_, i) => ({
    kind: 'added',
    scope: 'default',
    from: `ns/a${i}`,
    to: 'ns/b',
    before: PortSet.NONE,
    after: PortSet.of('TCP', 80, 80),
    opened: PortSet.of('TCP', 80, 80),
    closed: PortSet.NONE,
    causes: [],
  }));
  const text = diffToMarkdown(
    { base: 'main', changes, appeared: [], disappeared: [], counts: { added: changes.length, removed: 0, changed: 0, appeared: 0, disappeared: 0 }, policies: [] },
    { path: (uri) => uri, position: () => ({ line: 1, column: 1 }) },
  );
  assert.equal(text.split('\n').filter((l) => l.startsWith('| `ns/a')).length, MARKDOWN_ROWS);
  assert.match(text, /^#### Newly allowed \(57\)$/m);
  assert.match(text, /\n… and 7 more \(`netpol diff` lists them all\)\.\n$/);
});

test('markdown: names from the repository cannot end a cell, inject a heading or summary, mention or link (issue 19)', () => {
  const hostile = 'ns/x |\n\n### Nothing to review\n\nNo reachability change. @octocat #123 <img src=x>';
  const change: ConnectionChange = { kind: 'added', scope: 'default', from: hostile, to: 'ns/b`|`', before: PortSet.NONE, after: PortSet.of('TCP', 80, 80), opened: PortSet.of('TCP', 80, 80), closed: PortSet.NONE, causes: [] };
  const text = diffToMarkdown(
    { base: 'main', changes: [change], appeared: [], disappeared: [], counts: { added: 1, removed: 0, changed: 0, appeared: 0, disappeared: 0 }, policies: [] },
    { path: (uri) => uri, position: () => ({ line: 1, column: 1 }) },
  );
  const lines = text.split('\n');
  // Parse the table back: one row, five cells, the names inside code spans on that row.
  const rows = lines.filter((l) => l.startsWith('| `'));
  assert.equal(rows.length, 1, text);
  const cells = rows[0].slice(2, -2).split(/(?<!\\)\|/).map((c) => c.trim());
  assert.equal(cells.length, 4, rows[0]);
  assert.match(cells[0], /^`[^`].*[^`]`$/);
  assert.ok(cells[0].includes('@octocat #123'), 'inside the code span, where GitHub neither mentions nor links');
  assert.equal(lines.filter((l) => /^#{1,6} /.test(l)).length, 2, 'only the report\'s own headings');
  assert.ok(!lines.some((l) => l === 'No reachability change.'));
});
