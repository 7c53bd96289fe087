// Editor support for connectivity test files, through the engine: diagnostics (with the deciding policies as related
// locations), hovers listing matched workloads, the lens per test and completion, on test-fixtures/assertions/shop.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { connectivityTestDiagnostics, connectivityTestDiagnosticSteps, isConnectivityTestFile } from '../../../src/engine/assertions/editor';
import { completion, type CompletionItem } from '../../../src/engine/features/completion';
import { hover } from '../../../src/engine/features/hover';
import { codeLenses } from '../../../src/engine/features/lenses';
import { Workspace } from '../../../src/engine/workspace';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'assertions', 'shop');
const ROOT = 'file:///shop';
const FILES = ['manifests/namespaces.yaml', 'manifests/workloads.yaml', 'manifests/policies.yaml', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml'];

function load(): Workspace {
  const workspace = new Workspace();
  for (const f of FILES) workspace.setFile(`${ROOT}/${f}`, fs.readFileSync(path.join(FIXTURE, f), 'utf8'));
  return workspace;
}

const PASSING = `${ROOT}/passing.netpol-test.yaml`;
const FAILING = `${ROOT}/failing.netpol-test.yaml`;
const POLICIES = `${ROOT}/manifests/policies.yaml`;

function lineCol(workspace: Workspace, uri: string, offset: number): string {
  const p = workspace.getFile(uri)!.lineCounter.linePos(offset);
  return `${uri.slice(ROOT.length + 1)}:${p.line}:${p.col}`;
}

/** Offset of the marker ‸ placed in a snippet of the file. */
function offsetOf(workspace: Workspace, uri: string, snippet: string): number {
  const text = workspace.getFile(uri)!.text;
  const plain = snippet.replace('‸', '');
  const start = text.indexOf(plain);
  assert.ok(start >= 0, `snippet not found: ${plain}`);
  return start + snippet.indexOf('‸');
}

describe('diagnostics', () => {
  test('one error per failing expectation, naming the deciding policy, with related locations', () => {
    const workspace = load();
    const byUri = connectivityTestDiagnostics(workspace);
    assert.deepEqual(byUri.get(PASSING), []);
    const rendered = byUri.get(FAILING)!.map((d) => ({
      at: lineCol(workspace, d.location.uri, d.location.range[0]),
      code: d.ruleId,
      message: d.message,
      related: (d.related ?? []).map((r) => `${lineCol(workspace, r.location.uri, r.location.range[0])} ${r.message}`),
    }));
    assert.deepEqual(rendered, [
      {
        at: 'failing.netpol-test.yaml:20:13',
        code: 'connectivity-test-failed',
        message:
          'frontend reads the database fails: expected shop/frontend -> shop/db to allow TCP 5432, but TCP 5432 is denied: ingress of shop/db is isolated by shop/default-deny and shop/db-ingress and none of their rules allows TCP 5432 from shop/frontend',
        related: [
          'manifests/policies.yaml:4:9 shop/default-deny isolates ingress of shop/db and none of its rules allows TCP 5432 from shop/frontend',
          'manifests/policies.yaml:13:9 shop/db-ingress isolates ingress of shop/db and none of its rules allows TCP 5432 from shop/frontend',
        ],
      },
      {
        at: 'failing.netpol-test.yaml:25:13',
        code: 'connectivity-test-failed',
        message:
          'nobody reaches the database fails: 2 of 3 pairs fail; first: expected shop/api -> shop/db to deny every port, but TCP 5432 is allowed: egress of shop/api is not isolated; shop/db-ingress ingress rule 1 allows it from shop/api',
        related: [
          'manifests/workloads.yaml:20:1 egress of shop/api is not isolated: no policy with Egress selects it',
          'manifests/policies.yaml:19:7 shop/db-ingress ingress rule 1 allows TCP 5432 from shop/api',
          'manifests/workloads.yaml:63:1 egress of monitoring/prometheus is not isolated: no policy with Egress selects it',
          'manifests/policies.yaml:24:7 shop/db-ingress ingress rule 2 allows TCP 9187 from monitoring/prometheus',
        ],
      },
      {
        at: 'failing.netpol-test.yaml:30:13',
        code: 'connectivity-test-failed',
        message: 'ghosts are kept out: group ghosts matches no endpoint: no workload in namespace shop has labels app=ghost. An expectation that checks nothing fails.',
        related: ['failing.netpol-test.yaml:14:7 group ghosts is defined here'],
      },
      {
        at: 'failing.netpol-test.yaml:33:13',
        code: 'connectivity-test-failed',
        message:
          'monitoring scrapes only metrics fails: expected monitoring/prometheus -> shop/db to allow only TCP 9187, TCP 9090, but TCP 9090 is denied: ingress of shop/db is isolated by shop/default-deny and shop/db-ingress and none of their rules allows TCP 9090 from monitoring/prometheus',
        related: [
          'manifests/policies.yaml:4:9 shop/default-deny isolates ingress of shop/db and none of its rules allows TCP 9090 from monitoring/prometheus',
          'manifests/policies.yaml:13:9 shop/db-ingress isolates ingress of shop/db and none of its rules allows TCP 9090 from monitoring/prometheus',
        ],
      },
      {
        at: 'failing.netpol-test.yaml:38:13',
        code: 'connectivity-test-failed',
        message:
          'someone reads the database from outside the namespace fails: none of the 2 pairs satisfies the expectation; for example expected shop/frontend -> shop/db to allow TCP 5432, but TCP 5432 is denied: ingress of shop/db is isolated by shop/default-deny and shop/db-ingress and none of their rules allows TCP 5432 from shop/frontend',
        related: [
          'manifests/policies.yaml:4:9 shop/default-deny isolates ingress of shop/db and none of its rules allows TCP 5432 from shop/frontend',
          'manifests/policies.yaml:13:9 shop/db-ingress isolates ingress of shop/db and none of its rules allows TCP 5432 from shop/frontend',
          'manifests/policies.yaml:4:9 shop/default-deny isolates ingress of shop/db and none of its rules allows TCP 5432 from monitoring/prometheus',
          'manifests/policies.yaml:13:9 shop/db-ingress isolates ingress of shop/db and none of its rules allows TCP 5432 from monitoring/prometheus',
        ],
      },
    ]);
  });

  test('re-checked when a policy changes: fixing the policy clears the diagnostic', () => {
    const workspace = load();
    assert.equal(connectivityTestDiagnostics(workspace).get(FAILING)!.length, 5);
    // Let the frontend in to the database on 5432 (db-ingress rule 1 admits app in (api, frontend)).
    const text = workspace.getFile(POLICIES)!.text.replace('matchLabels: {app: api}\n      ports:\n        - port: 5432', 'matchExpressions: [{key: app, operator: In, values: [api, frontend]}]\n      ports:\n        - port: 5432');
    workspace.setFile(POLICIES, text);
    const messages = connectivityTestDiagnostics(workspace).get(FAILING)!.map((d) => d.message.split(' fails')[0].split(':')[0]);
    assert.deepEqual(messages, ['nobody reaches the database', 'ghosts are kept out', 'monitoring scrapes only metrics']);
  });

  test('problems of the file are errors at their place', () => {
    const workspace = new Workspace();
    workspace.setFile('file:///t.netpol-test.yaml', 'apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec:\n  expectations:\n    - {from: a, to: b, verdict: allow}\n');
    const [d] = connectivityTestDiagnostics(workspace).get('file:///t.netpol-test.yaml')!;
    assert.equal(d.ruleId, 'connectivity-test-invalid');
    assert.equal(d.message, 'unknown group "a"; or write a workload as namespace/Kind/name or a CIDR');
    assert.deepEqual(d.location.range, [110, 111]);
  });
});

test('a ConnectivityTest under another apiVersion is reported, not silently skipped', () => {
  const workspace = new Workspace();
  workspace.setFile('file:///t.netpol-test.yaml', 'apiVersion: netpol.dev/v1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec: {expectations: []}\n');
  const [d] = connectivityTestDiagnostics(workspace).get('file:///t.netpol-test.yaml')!;
  assert.deepEqual([d.ruleId, d.message, d.location.range], ['connectivity-test-invalid', 'a ConnectivityTest has apiVersion: netpol.dev/v1alpha1 (not netpol.dev/v1); this one is not run', [12, 25]]);
});

describe('quick fixes for typos', () => {
  function fixed(expectations: string, groups = ''): { message: string; result: string }[] {
    const workspace = load();
    const uri = `${ROOT}/typo.netpol-test.yaml`;
    const text = `apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec:\n  groups:\n    frontend: {workload: shop/Deployment/frontend}\n${groups}  expectations:\n${expectations}`;
    workspace.setFile(uri, text);
    return connectivityTestDiagnostics(workspace)
      .get(uri)!
      .filter((d) => d.fixes)
      .map((d) => {
        const [edit] = d.fixes![0].edits;
        const result = text.slice(0, edit.range[0]) + edit.newText + text.slice(edit.range[1]);
        // The line the fix changes, after the fix.
        const before = text.split('\n');
        return { message: d.message.split(':')[0], result: result.split('\n').find((l, i) => l !== before[i]) ?? '' };
      });
  }

  test('an unknown group close to an existing one', () => {
    const [fix] = fixed("    - {from: frontnd, to: 'shop/db', verdict: deny}\n");
    assert.equal(fix.result, "    - {from: frontend, to: 'shop/db', verdict: deny}");
  });

  test('a workload written in place or in a group, close to an existing one, in the same form', () => {
    const fixes = fixed("    - {from: shop/Deployment/frontnd, to: 'shop/dbb', verdict: deny}\n    - {from: api, to: frontend, verdict: deny}\n", '    api: {workload: shop/apii}\n');
    assert.deepEqual(fixes.map((f) => f.result), [
      "    - {from: shop/Deployment/frontend, to: 'shop/dbb', verdict: deny}",
      "    - {from: shop/Deployment/frontnd, to: 'shop/db', verdict: deny}",
      '    api: {workload: shop/api}',
    ]);
  });

  test('nothing close: no fix', () => {
    assert.deepEqual(fixed('    - {from: zzzzzz, to: frontend, verdict: deny}\n'), []);
  });
});

describe('code lens per test', () => {
  test('pass/fail counts, linking the failing expectations', () => {
    const workspace = load();
    assert.deepEqual(
      codeLenses(workspace, PASSING).map((l) => [l.title, l.kind, l.locations.length]),
      [['✓ 7 passed · 0 failed · 1 skipped · 1 todo', 'connectivity-test', 0]],
    );
    const [failing] = codeLenses(workspace, FAILING);
    assert.equal(failing.title, '✗ 0 passed · 5 failed');
    assert.deepEqual(failing.locations.map((l) => lineCol(workspace, l.uri, l.range[0])), [
      'failing.netpol-test.yaml:20:13',
      'failing.netpol-test.yaml:25:13',
      'failing.netpol-test.yaml:29:13',
      'failing.netpol-test.yaml:33:13',
      'failing.netpol-test.yaml:38:13',
    ]);
  });
});

describe('hovers', () => {
  test('on a group definition: the matched workloads with links', () => {
    const workspace = load();
    const h = hover(workspace, PASSING, offsetOf(workspace, PASSING, '    monitor‸ing:'))!;
    assert.equal(
      h.markdown,
      '**Group `monitoring`**\n\n1 workload:\n\n- [monitoring/prometheus](file:///shop/manifests/workloads.yaml#L66) (Deployment)',
    );
  });

  test('on a reference in from/to, a CIDR group, an empty group and "*"', () => {
    const workspace = load();
    assert.equal(
      hover(workspace, PASSING, offsetOf(workspace, PASSING, 'from: a‸pi\n      to: db\n      ports: [5432/TCP]'))!.markdown,
      '**Group `api`**\n\n1 workload:\n\n- [shop/api](file:///shop/manifests/workloads.yaml#L23) (Deployment)',
    );
    assert.equal(hover(workspace, PASSING, offsetOf(workspace, PASSING, 'from: corp‸orate'))!.markdown, '**Group `corporate`**\n\nAddresses: `10.0.0.0/8`');
    assert.equal(
      hover(workspace, FAILING, offsetOf(workspace, FAILING, 'from: gho‸sts'))!.markdown,
      '**Group `ghosts`**\n\nMatches nothing: no workload in namespace shop has labels app=ghost. Expectations using it fail.',
    );
    assert.equal(hover(workspace, FAILING, offsetOf(workspace, FAILING, "from: '‸*'"))!.markdown, '`*`: every workload (4 workloads)');
  });

  test('on an expectation name: its result', () => {
    const workspace = load();
    assert.equal(
      hover(workspace, PASSING, offsetOf(workspace, PASSING, 'name: the public ‸reaches'))!.markdown,
      '**the public reaches the frontend**\n\n✓ holds (1 pair checked)',
    );
    assert.match(hover(workspace, FAILING, offsetOf(workspace, FAILING, 'name: frontend ‸reads'))!.markdown, /^\*\*frontend reads the database\*\*\n\n✗ fails: expected shop\/frontend -> shop\/db to allow TCP 5432/);
  });
});

describe('completion', () => {
  function complete(text: string): string[] {
    const workspace = load();
    const offset = text.indexOf('‸');
    workspace.setFile(`${ROOT}/new.netpol-test.yaml`, text.replace('‸', ''));
    return completion(workspace, `${ROOT}/new.netpol-test.yaml`, offset).map((i) => i.label);
  }
  const HEAD = 'apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata:\n  name: t\nspec:\n  groups:\n    web:\n      workload: shop/frontend\n    db:\n      namespace: shop\n  expectations:\n';

  test('group names, "*" and workloads in from/to', () => {
    assert.deepEqual(complete(`${HEAD}    - from: ‸`), ['web', 'db', '*', 'monitoring/Deployment/prometheus', 'shop/Deployment/api', 'shop/Deployment/frontend', 'shop/StatefulSet/db']);
  });

  test('verdicts, quantifiers and statuses', () => {
    assert.deepEqual(complete(`${HEAD}    - from: web\n      verdict: ‸`), ['allow', 'deny', 'allow-only']);
    assert.deepEqual(complete(`${HEAD}    - from: web\n      quantifier: ‸`), ['all', 'any']);
    assert.deepEqual(complete(`${HEAD}    - from: web\n      status: ‸`), ['todo', 'skip']);
  });

  test('expectation and group fields not yet written', () => {
    assert.deepEqual(complete(`${HEAD}    - from: web\n      ‸`), ['name', 'to', 'ports', 'verdict', 'quantifier', 'tags', 'status']);
    assert.deepEqual(complete(`${HEAD.replace('  expectations:\n', '')}    api:\n      ‸`), ['workload', 'namespace', 'labels', 'podSelector', 'namespaceSelector', 'cidr']);
  });

  test('namespaces and workloads in groups', () => {
    assert.deepEqual(complete(`${HEAD.replace('  expectations:\n', '')}    api:\n      namespace: ‸`), ['monitoring', 'shop']);
    assert.deepEqual(complete(`${HEAD.replace('  expectations:\n', '')}    api:\n      workload: shop/‸`).length, 4);
  });
});

describe('completion of ports, from the destinations', () => {
  // Three destinations in namespace edge: every one names http (at 8080 or 8081) and dns/UDP; only proxy names admin.
  const deployment = (name: string, ports: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: edge}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec:\n      containers:\n        - name: main\n          image: x\n          ports: ${ports}\n`;
  const EDGE = [
    deployment('proxy', '[{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}, {name: admin, containerPort: 9000}]'),
    deployment('cache', '[{name: http, containerPort: 8081}, {name: dns, containerPort: 53, protocol: UDP}]'),
    deployment('relay', '[{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}, {containerPort: 9100}]'),
  ].join('---\n');
  const HEAD = 'apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata:\n  name: t\nspec:\n  groups:\n    edge:\n      namespace: edge\n    web:\n      workload: shop/frontend\n  expectations:\n';

  function complete(body: string): CompletionItem[] {
    const workspace = load();
    workspace.setFile(`${ROOT}/manifests/edge.yaml`, EDGE);
    const text = HEAD + body;
    workspace.setFile(`${ROOT}/new.netpol-test.yaml`, text.replace('‸', ''));
    return completion(workspace, `${ROOT}/new.netpol-test.yaml`, text.indexOf('‸'));
  }
  const labels = (body: string) => complete(body).map((i) => i.label);
  const EVERY_EDGE_PORT = ['dns/UDP', 'http', '53/UDP', '8080', '8081', '9000', '9100'];

  test('names every destination declares, then numbers by how many declare them; a name only some declare is left out', () => {
    const items = complete('    - from: web\n      to: edge\n      verdict: allow\n      ports: [‸]\n');
    assert.deepEqual(
      items.map((i) => [i.label, i.kind, i.insertText, i.detail]),
      [
        ['dns/UDP', 'port-name', 'dns/UDP', 'UDP 53 on 3 workloads'],
        ['http', 'port-name', 'http', 'TCP 8080, 8081 on 3 workloads'],
        ['53/UDP', 'value', '53/UDP', 'UDP 53 on 3 workloads'],
        ['8080', 'value', '8080', 'TCP 8080 on 2 of 3 workloads'],
        ['8081', 'value', '8081', 'TCP 8081 on 1 of 3 workloads'],
        ['9000', 'value', '9000', 'TCP 9000 on 1 of 3 workloads'],
        ['9100', 'value', '9100', 'TCP 9100 on 1 of 3 workloads'],
      ],
    );
    assert.deepEqual(items.map((i) => i.sortText), [...items.map((i) => i.sortText)].sort());
  });

  test('a single destination offers every name it declares', () => {
    assert.deepEqual(labels("    - from: web\n      to: 'edge/Deployment/proxy'\n      verdict: allow\n      ports: [‸]\n"), ['admin', 'dns/UDP', 'http', '8080', '9000', '53/UDP']);
  });

  test('block lists, flow maps and a second item; ports already written are left out, the one being typed is not', () => {
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      ports:\n        - ‸\n'), EVERY_EDGE_PORT);
    assert.deepEqual(labels('    - {from: web, to: edge, verdict: allow, ports: [‸]}\n'), EVERY_EDGE_PORT);
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      ports: [http, 8080, ‸]\n'), ['dns/UDP', '53/UDP', '8081', '9000', '9100']);
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      ports: [http‸]\n'), EVERY_EDGE_PORT);
    const [first] = complete('    - from: web\n      to: edge\n      verdict: allow\n      ports: [ht‸]\n');
    assert.deepEqual(first.range, [first.range[1] - 2, first.range[1]]);
  });

  test('an address among the destinations declares no name: numbers only', () => {
    assert.deepEqual(labels("    - from: web\n      to: [edge, '10.0.0.0/8']\n      verdict: allow\n      ports: [‸]\n"), ['53/UDP', '8080', '8081', '9000', '9100']);
  });

  test('nothing outside ports, nor inside a {port, protocol} map', () => {
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      tags: [‸]\n'), []);
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      name: ‸\n'), []);
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      ports: [{port: ‸}]\n'), []);
    assert.deepEqual(labels('    - from: web\n      to: ‸\n      verdict: allow\n      ports: [http]\n').slice(0, 3), ['edge', 'web', '*']);
  });

  test('half-typed: an unclosed list, or no destination yet, offers nothing', () => {
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      ports: [‸\n'), []);
    assert.deepEqual(labels('    - from: web\n      to: edge\n      verdict: allow\n      ports: [http, ‸\n    - from: [\n'), []);
    assert.deepEqual(labels('    - from: web\n      verdict: allow\n      ports: [‸]\n'), []);
  });
});

test('test files are recognised by name or kind; NetworkPolicy files are not', () => {
  const workspace = load();
  assert.equal(isConnectivityTestFile(workspace.getFile(PASSING)!), true);
  assert.equal(isConnectivityTestFile(workspace.getFile(POLICIES)!), false);
});

// The language server runs the tests in steps between requests (server.ts runSources) and drops a run on a change.
describe('diagnostics in steps', () => {
  const summary = (map: Map<string, { message: string; location: { range: readonly [number, number] } }[]>) =>
    [...map].map(([uri, list]) => [uri, list.map((d) => `${d.location.range[0]} ${d.message}`)]);

  test('one step per expectation at least, with the same diagnostics as a run in one go', () => {
    const steps = connectivityTestDiagnosticSteps(load());
    let count = 0;
    let next = steps.next();
    for (; !next.done; next = steps.next()) count++;
    assert.ok(count >= 10, `${count} steps`);
    assert.deepEqual(summary(next.value), summary(connectivityTestDiagnostics(load())));
  });

  test('a run dropped half way, then a change: the next run sees the change', () => {
    const workspace = load();
    const before = summary(connectivityTestDiagnostics(load()));
    const steps = connectivityTestDiagnosticSteps(workspace);
    for (let i = 0; i < 3; i++) assert.equal(steps.next().done, false);
    const policies = workspace.getFile(POLICIES)!.text;
    workspace.setFile(POLICIES, policies.replace('matchLabels: {app: api}\n      ports:\n        - port: 5432', 'matchExpressions: [{key: app, operator: In, values: [api, frontend]}]\n      ports:\n        - port: 5432'));
    const after = summary(connectivityTestDiagnostics(workspace));
    assert.notDeepEqual(after, before);
    // The dropped run, driven on to its end across the change, leaves nothing behind for the version.
    while (!steps.next().done);
    assert.deepEqual(summary(connectivityTestDiagnostics(workspace)), after);
  });
});
