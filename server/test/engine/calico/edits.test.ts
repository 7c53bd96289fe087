// Edits through Calico objects and what they select give what a fresh workspace gives (the model is updated
// incrementally for pod edits and rebuilt for Calico objects; see model.ts updateModel).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipEndpoint, workloadEndpoint } from '../../../src/engine/evaluate';
import { parseCidr, type IpRange } from '../../../src/engine/cidr';
import { IncrementalRuleRunner, runRules } from '../../../src/engine/rules/run';
import { Workspace, type Scope } from '../../../src/engine/workspace';

const PODS = `apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: a, labels: {app: client}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: b, labels: {app: server}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
`;

const GNP = (action: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: guard}
spec:
  order: 10
  selector: app == 'server'
  ingress:
    - {action: ${action}, protocol: TCP, source: {namespaceSelector: team == 'a'}, destination: {ports: [http]}}
`;

const NP = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: client-out, namespace: a}
spec:
  selector: all()
  egress: [{action: Allow, destination: {nets: [10.0.0.0/8]}}, {action: Deny}]
`;

function connections(scope: Scope): string[] {
  const ranges = ['0.0.0.0/0', '10.0.0.0/8'].map((c) => ipEndpoint(parseCidr(c) as IpRange));
  const endpoints = [...scope.model.workloads.map(workloadEndpoint), ...ranges];
  const out: string[] = [];
  for (const s of endpoints) for (const d of endpoints) {
    if (s.type === 'ip' && d.type === 'ip') continue;
    const name = (e: typeof s) => (e.type === 'ip' ? e.label : e.workload.displayName);
    out.push(`${name(s)} -> ${name(d)}: ${scope.analysis.connection(s, d).allowed}`);
  }
  return out;
}

function findings(ws: Workspace): string[] {
  return [...runRules(ws).values()].flat().map((d) => `${d.ruleId} ${d.location.uri}:${d.location.range.join('-')} ${d.message}`).sort();
}

test('edits of Calico policies, of the pods they select and of namespace labels give what a fresh workspace gives', () => {
  const files: Record<string, string> = { 'file:///w/pods.yaml': PODS, 'file:///w/gnp.yaml': GNP('Pass'), 'file:///w/np.yaml': NP };
  const ws = new Workspace();
  for (const [uri, text] of Object.entries(files)) ws.setFile(uri, text);
  // The language server's runner re-runs rules on the units an edit affects: it must agree too.
  const runner = new IncrementalRuleRunner();
  const incremental = () => [...runner.run(ws).values()].flat().map((d) => `${d.ruleId} ${d.location.uri}:${d.location.range.join('-')} ${d.message}`).sort();
  incremental();
  const steps: [string, string | undefined][] = [
    ['file:///w/gnp.yaml', GNP('Deny')],
    ['file:///w/pods.yaml', PODS.replace('labels: {team: a}', 'labels: {team: c}')],
    ['file:///w/gnp.yaml', GNP('Allow')],
    ['file:///w/pods.yaml', PODS.replace('labels: {app: server}', 'labels: {app: other}')],
    ['file:///w/np.yaml', undefined],
    ['file:///w/pods.yaml', PODS],
    ['file:///w/gnp.yaml', undefined],
    ['file:///w/np.yaml', NP],
  ];
  for (const [uri, text] of steps) {
    connections(ws.scopes()[0]);
    if (text === undefined) {
      ws.deleteFile(uri);
      delete files[uri];
    } else {
      ws.setFile(uri, text);
      files[uri] = text;
    }
    const fresh = new Workspace();
    for (const [u, t] of Object.entries(files)) fresh.setFile(u, t);
    assert.deepEqual(connections(ws.scopes()[0]), connections(fresh.scopes()[0]), `after editing ${uri}`);
    assert.deepEqual(findings(ws), findings(fresh), `findings after editing ${uri}`);
    assert.deepEqual(incremental(), findings(fresh), `incremental findings after editing ${uri}`);
  }
});
