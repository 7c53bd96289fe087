// Every view runs through the shared Analysis under Cilium and agrees with `reach` (the per-packet Cilium verdict):
// matrix, list, explanations, connectivity tests, bulk answers and the reachability diff, on one Cilium fixture.
// Semantics: docs.cilium.io security/policy (language.rst, deny.rst, intro.rst "Endpoint default policy").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BulkConnections } from '../../../src/engine/assertions/bulk';
import { runConnectivityTests } from '../../../src/engine/assertions/check';
import { parseCidr, type IpRange } from '../../../src/engine/cidr';
import type { CiliumEndpoint } from '../../../src/engine/cilium-evaluate';
import { ipEndpoint, workloadEndpoint, type Endpoint } from '../../../src/engine/evaluate';
import { explainVerdict } from '../../../src/engine/explain';
import { hover } from '../../../src/engine/features/hover';
import type { Workload } from '../../../src/engine/model';
import { listConnections } from '../../../src/report/connlist';
import { analyzerConnections, formatAnalyzerText } from '../../../src/report/netpol-analyzer';
import { diffReachability } from '../../../src/report/diff';
import { explainText } from '../../../src/report/explain';
import { computeMatrix } from '../../../src/report/matrix';
import { Workspace } from '../../../src/engine/workspace';
import type { Protocol } from '../../../src/engine/types';

const PODS = `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: b, labels: {team: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: b, labels: {app: server}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}, {containerPort: 9090}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: other}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: b, labels: {app: db}}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 5432}]}]}
`;

const SERVER_CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: server, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: server}}
  ingress:
    - fromEndpoints: [{matchLabels: {k8s:io.kubernetes.pod.namespace: a, app: client}}]
      toPorts: [{ports: [{port: http, protocol: TCP}], rules: {http: [{method: GET}]}}]
    - fromEndpoints: [{}]
    - fromEntities: [world]
      toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
  ingressDeny:
    - fromEndpoints: [{matchLabels: {app: other}}]
      toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
`;
const CLIENT_CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: client, namespace: a}
spec:
  endpointSelector: {matchLabels: {app: client}}
  egress:
    - toEntities: [cluster]
      toPorts: [{ports: [{port: "8080", protocol: TCP}, {port: "5432", protocol: TCP}]}]
    - toCIDRSet: [{cidr: 1.1.0.0/16, except: [1.1.1.0/24]}]
`;
const DB_NP = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: b}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: server}}}, {namespaceSelector: {matchLabels: {team: a}}}], ports: [{port: 5432}]}]
`;
const CCNP = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: no-metadata-service}
spec:
  endpointSelector: {}
  enableDefaultDeny: {egress: false, ingress: false}
  egressDeny: [{toCIDR: [169.254.169.254/32]}]
`;
const REQUIRES_CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: other, namespace: b}
spec:
  endpointSelector: {matchLabels: {app: other}}
  ingress:
    - fromRequires: [{matchLabels: {env: prod}}]
    - fromEndpoints: [{}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}]}]
`;

function workspace(files: Record<string, string>): Workspace {
  const ws = new Workspace();
  for (const [name, text] of Object.entries(files)) ws.setFile(`file:///w/${name}`, text);
  return ws;
}
const FILES = { 'pods.yaml': PODS, 'server.yaml': SERVER_CNP, 'client.yaml': CLIENT_CNP, 'db.yaml': DB_NP, 'ccnp.yaml': CCNP, 'requires.yaml': REQUIRES_CNP };
const ip = (text: string): Endpoint => ipEndpoint(parseCidr(`${text}/32`) as IpRange);
const PORTS: [Protocol, number][] = [['TCP', 80], ['TCP', 5432], ['TCP', 8080], ['TCP', 9090], ['UDP', 53]];

describe('Cilium in every view (the shared Analysis)', () => {
  const ws = workspace(FILES);
  const scope = ws.scopes()[0];
  const analysis = scope.analysis;
  const cilium = analysis.cilium!;
  const w = (name: string): Workload => scope.model.workloads.find((x) => x.name === name)!;
  const asCilium = (e: Endpoint): CiliumEndpoint => e;
  const endpoints: Endpoint[] = [...['client', 'server', 'other', 'db'].map((n) => workloadEndpoint(w(n))), ip('1.1.2.3'), ip('1.1.1.1'), ip('169.254.169.254'), ip('8.8.8.8')];

  test('the analysis runs through Cilium (the workspace holds an enforced Cilium policy)', () => {
    assert.ok(cilium);
    assert.equal(analysis.tiered, true);
  });

  test('verdicts of the analysis equal reach (the per-packet Cilium verdict) for every pair and port', () => {
    let pairs = 0;
    for (const from of endpoints) {
      for (const to of endpoints) {
        if (from === to || (from.type === 'ip' && to.type === 'ip')) continue;
        for (const [protocol, port] of PORTS) {
          const shared = analysis.verdict(from, to, protocol, port);
          const packet = cilium.verdict(asCilium(from), asCilium(to), { protocol, port });
          assert.equal(shared.allowed, packet.allowed, `${JSON.stringify([from.type === 'workload' ? from.workload.name : from.label, to.type === 'workload' ? to.workload.name : to.label, protocol, port])}`);
          pairs++;
        }
      }
    }
    assert.ok(pairs > 100);
  });

  test('the expected verdicts (deny over allow, L7, default deny, NetworkPolicy union, CIDR except, CCNP deny)', () => {
    const allowed = (from: Endpoint, to: Endpoint, port: number, protocol: Protocol = 'TCP') => analysis.verdict(from, to, protocol, port).allowed;
    const [client, server, other, db] = ['client', 'server', 'other', 'db'].map((n) => workloadEndpoint(w(n)));
    assert.equal(allowed(client, server, 8080), true, 'CNP server ingress rule 1 (named port http), client egress toEntities cluster');
    assert.equal(allowed(client, server, 9090), false, 'client egress allows 8080 and 5432 only');
    assert.equal(allowed(other, server, 9090), false, 'ingressDeny beats fromEndpoints [{}]');
    assert.equal(allowed(other, server, 8080), true, 'fromEndpoints [{}]: the policy namespace b');
    assert.equal(allowed(ip('8.8.8.8'), server, 9090), true, 'fromEntities world on 9090');
    assert.equal(allowed(ip('8.8.8.8'), server, 8080), false, 'default deny');
    assert.equal(allowed(client, db, 5432), true, 'NetworkPolicy namespaceSelector team a');
    assert.equal(allowed(other, db, 5432), false, 'the NetworkPolicy isolates db');
    assert.equal(allowed(client, ip('1.1.2.3'), 443), true, 'toCIDRSet');
    assert.equal(allowed(client, ip('1.1.1.1'), 443), false, 'except');
    assert.equal(allowed(server, ip('169.254.169.254'), 80), false, 'CCNP egressDeny');
    assert.equal(allowed(server, ip('8.8.8.8'), 80), true, 'enableDefaultDeny egress false: the rest stays open');
  });

  test('matrix cells equal the verdicts; a fromRequires entry marks the pairs it may change uncertain', () => {
    const matrix = computeMatrix(analysis, PORTS.map(([protocol, port]) => ({ protocol, port })));
    for (const [i, from] of matrix.pods.entries()) {
      for (const [j, to] of matrix.pods.entries()) {
        if (i === j) continue;
        const a = workloadEndpoint(scope.model.workloads.find((x) => x.displayName === from)!);
        const b = workloadEndpoint(scope.model.workloads.find((x) => x.displayName === to)!);
        for (const [protocol, port] of PORTS) assert.equal(matrix.allowed[`${port}/${protocol}`][i][j], cilium.verdict(a, b, { protocol, port }).allowed, `${from} -> ${to} ${port}/${protocol}`);
      }
    }
    const i = matrix.pods.indexOf('a/client');
    const j = matrix.pods.indexOf('b/other');
    assert.equal(matrix.uncertain?.[i][j], true, 'fromRequires on b/other ingress');
    assert.equal(matrix.uncertain?.[j][i], false);
    assert.deepEqual(matrix.notAnalysed, ['fromRequires (not analysed)']);
  });

  test('list: the connections between workloads are those the verdicts allow, external blocks cut at the Cilium CIDRs', () => {
    const lines = listConnections(analysis);
    const line = (from: string, to: string) => lines.find((l) => l.from === from && l.to === to);
    assert.equal(line('a/client', 'b/server')?.conn, 'TCP 8080');
    assert.equal(line('a/client', 'b/db')?.conn, 'TCP 5432');
    assert.equal(line('b/other', 'b/db'), undefined);
    assert.equal(line('b/other', 'b/server')?.conn, 'SCTP 1-65535,TCP 1-9089,9091-65535,UDP 1-65535', 'the deny carves 9090 out');
    assert.deepEqual(lines.filter((l) => l.from === 'a/client' && l.toExternal).map((l) => `${l.to} ${l.conn}`), ['1.1.0.0/24 All Connections', '1.1.2.0-1.1.255.255 All Connections']);
    assert.deepEqual(lines.filter((l) => l.to === 'b/server' && l.fromExternal).map((l) => `${l.from} ${l.conn}`), ['0.0.0.0/0 TCP 9090', '::/0 TCP 9090'], 'fromEntities world');
    assert.deepEqual(line('b/server', 'b/other'), { from: 'b/server', to: 'b/other', conn: 'TCP 8080', uncertain: true }, 'fromRequires could admit more');
    assert.ok(!line('a/client', 'b/server')?.uncertain);
    for (const l of lines) {
      if (l.fromExternal || l.toExternal) continue;
      const a = scope.model.workloads.find((x) => x.displayName === l.from)!;
      const b = scope.model.workloads.find((x) => x.displayName === l.to)!;
      assert.equal(l.conn, analysis.connection(workloadEndpoint(a), workloadEndpoint(b)).allowed.toString());
    }
  });

  test('list --format netpol-analyzer: pods by name, the Cilium CIDRs cut the outside world', () => {
    const text = formatAnalyzerText(analyzerConnections(analysis));
    assert.match(text, /^a\/client\[Pod\] => b\/server\[Pod\] : TCP 8080$/m);
    assert.match(text, /^a\/client\[Pod\] => 1\.1\.2\.0-1\.1\.255\.255\[External\] : All Connections$/m);
    assert.doesNotMatch(text, /a\/client\[Pod\] => 1\.1\.1\.0/);
  });

  test('bulk answers (connectivity tests, diff) equal the analysis for every pair', () => {
    const bulk = new BulkConnections(analysis, scope.store);
    for (const a of scope.model.workloads) {
      for (const b of scope.model.workloads) {
        if (a === b) continue;
        assert.equal(bulk.allowed(workloadEndpoint(a), workloadEndpoint(b)).toString(), analysis.connection(workloadEndpoint(a), workloadEndpoint(b)).allowed.toString(), `${a.name} -> ${b.name}`);
      }
    }
  });

  test('explain names kind → policy → rule, "allowed at L4, filtered at L7", deny rules and the default deny', () => {
    const explain = (from: Endpoint, to: Endpoint, port: number) => explainVerdict(analysis.verdict(from, to, 'TCP', port), scope.model);
    const l7 = explain(workloadEndpoint(w('client')), workloadEndpoint(w('server')), 8080);
    assert.match(l7.ingress.cilium!.story, /^allowed by CiliumNetworkPolicy b\/server → ingress rule 1; allowed at L4, filtered at L7 \(http rules\)$/);
    assert.deepEqual(l7.ingress.cilium!.l7, ['http']);
    assert.match(l7.egress.cilium!.story, /^allowed by CiliumNetworkPolicy a\/client → egress rule 1$/);
    const text = explainText(l7, (loc) => `${loc.uri}@${loc.range[0]}`);
    assert.match(text, /ingress of b\/server: allowed by CiliumNetworkPolicy b\/server → ingress rule 1; allowed at L4, filtered at L7 \(http rules\) \(file:\/\/\/w\/server\.yaml@\d+\)/);
    const deny = explain(workloadEndpoint(w('other')), workloadEndpoint(w('server')), 9090);
    assert.match(deny.ingress.cilium!.story, /^denied by CiliumNetworkPolicy b\/server → ingressDeny rule 1/);
    const byDefault = explain(ip('8.8.8.8'), workloadEndpoint(w('server')), 8080);
    assert.match(byDefault.ingress.cilium!.story, /^denied by default: no allow rule matches, and CiliumNetworkPolicy b\/server makes the ingress default-deny$/);
    const np = explain(workloadEndpoint(w('client')), workloadEndpoint(w('db')), 5432);
    assert.match(np.ingress.cilium!.story, /^allowed by NetworkPolicy b\/db → ingress rule 1$/);
    const ccnp = explain(workloadEndpoint(w('server')), ip('169.254.169.254'), 80);
    assert.match(ccnp.egress.cilium!.story, /^denied by CiliumClusterwideNetworkPolicy no-metadata-service → egressDeny rule 1/);
    const uncertain = explain(workloadEndpoint(w('client')), workloadEndpoint(w('other')), 8080);
    assert.deepEqual(uncertain.ingress.cilium!.uncertain, ['fromRequires']);
    assert.match(explainText(uncertain, () => '?'), /uncertain: fromRequires not analysed; it could change this verdict/);
  });

  test('connectivity tests: expectations agree with reach; a failure names the Cilium policy and rule', () => {
    const tests = workspace({
      ...FILES,
      'cilium.netpol-test.yaml': `apiVersion: netpol.dev/v1alpha1
kind: ConnectivityTest
metadata: {name: cilium}
spec:
  groups:
    client: {workload: b/Pod/client}
  expectations:
    - {name: client reaches the server over http, from: a/Pod/client, to: b/Pod/server, ports: [8080], verdict: allow}
    - {name: other is kept off 9090, from: b/Pod/other, to: b/Pod/server, ports: [9090], verdict: deny}
    - {name: wrongly expects other on 9090, from: b/Pod/other, to: b/Pod/server, ports: [9090], verdict: allow}
`,
    });
    const [report] = runConnectivityTests(tests);
    assert.deepEqual(report.results.map((r) => r.outcome), ['pass', 'pass', 'fail']);
    const failure = report.results[2];
    assert.match(failure.message, /CiliumNetworkPolicy b\/server → ingressDeny rule 1/);
    assert.ok(failure.failures[0].causes.some((c) => c.subject === 'CiliumNetworkPolicy server' && c.ruleIndex === 0 && c.location.uri === 'file:///w/server.yaml'));
  });

  test('diff: a Cilium deny added in head closes the port, and the change names the CiliumNetworkPolicy', () => {
    const base = workspace({ ...FILES, 'server.yaml': SERVER_CNP.replace(/ {2}ingressDeny:[\s\S]*$/, '') });
    const diff = diffReachability(base.scopes(), ws.scopes(), 'base');
    const change = diff.changes.find((c) => c.from === 'b/other' && c.to === 'b/server');
    assert.ok(change, JSON.stringify(diff.changes.map((c) => `${c.from} -> ${c.to}`)));
    assert.equal(change.closed.toString(), 'TCP 9090');
    assert.deepEqual(change.causes.map((c) => [c.policy, c.change, c.before, c.after]), [['CiliumNetworkPolicy b/server', 'modified', 'allows All Connections from b/other', 'allows SCTP 1-65535,TCP 1-9089,9091-65535,UDP 1-65535 and denies TCP 9090 from b/other']]);
    assert.deepEqual(diffReachability(base.scopes(), ws.scopes(), 'base'), diffReachability(base.scopes(), ws.scopes(), 'base', { compareEveryPair: true }));
  });

  test('a hover on a Cilium policy shows the pods it selects, the peers of an entry with their entities, and its L7 rules', () => {
    const text = FILES['server.yaml'];
    const onSelector = hover(ws, 'file:///w/server.yaml', text.indexOf('endpointSelector') + 2);
    assert.ok(onSelector);
    assert.match(onSelector.markdown, /b\/server/);
    const onPeer = hover(ws, 'file:///w/server.yaml', text.indexOf('fromEntities') + 2);
    assert.ok(onPeer);
    assert.match(onPeer.markdown, /world/);
    const pods = FILES['pods.yaml'];
    const onOther = hover(ws, 'file:///w/pods.yaml', pods.indexOf('name: other') + 7);
    assert.ok(onOther);
    assert.match(onOther.markdown, /Cilium: selected by CiliumClusterwideNetworkPolicy no-metadata-service, CiliumNetworkPolicy b\/other/);
    assert.match(onOther.markdown, /\*\*Uncertain:\*\* fromRequires of CiliumNetworkPolicy b\/other is not analysed/);
    const onL7 = hover(ws, 'file:///w/server.yaml', text.indexOf('method: GET') + 2);
    assert.ok(onL7);
    assert.match(onL7.markdown, /filtered at L7/);
  });
});
