// The tiered policy model (engine/tiers.ts): NetworkPolicy-only models stay on their own path, edits to cluster-wide
// policies and to what they select give what a fresh workspace gives, and explanations name tier → policy → rule.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workloadEndpoint, ipEndpoint } from '../../src/engine/evaluate';
import { parseCidr, type IpRange } from '../../src/engine/cidr';
import type { Scope } from '../../src/engine/workspace';
import { Workspace } from '../../src/engine/workspace';
import { explainVerdict } from '../../src/engine/explain';
import { explainText } from '../../src/report/explain';
import { hover } from '../../src/engine/features/hover';

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
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
`;

const NETPOL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: server, namespace: b}
spec:
  podSelector: {matchLabels: {app: server}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}], ports: [{port: 8080}]}]
`;

const anp = (action: string, priority = 10) => `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: ${priority}
  subject: {namespaces: {matchLabels: {team: b}}}
  ingress:
    - {name: from-a, action: ${action}, from: [{namespaces: {matchLabels: {team: a}}}], ports: [{portRange: {start: 8000, end: 8999}}]}
`;

/** Every pair's allowed ports, workloads and a few address ranges, as text. */
function connections(scope: Scope): string[] {
  const ranges = ['0.0.0.0/0', '10.0.0.0/8'].map((c) => parseCidr(c) as IpRange);
  const endpoints = [...scope.model.workloads.map(workloadEndpoint), ...ranges.map(ipEndpoint)];
  const out: string[] = [];
  for (const s of endpoints) {
    for (const d of endpoints) {
      if (s.type === 'ip' && d.type === 'ip') continue;
      const name = (e: typeof s) => (e.type === 'ip' ? e.label : e.workload.displayName);
      out.push(`${name(s)} -> ${name(d)}: ${scope.analysis.connection(s, d).allowed}`);
    }
  }
  return out;
}

function fresh(files: Record<string, string>): Scope {
  const ws = new Workspace();
  for (const [uri, text] of Object.entries(files)) ws.setFile(uri, text);
  return ws.scopes()[0];
}

describe('tiered policy model', () => {
  test('a NetworkPolicy-only workspace stays on the NetworkPolicy path (no tiers, no decisions)', () => {
    const scope = fresh({ 'file:///w/pods.yaml': PODS, 'file:///w/np.yaml': NETPOL });
    assert.equal(scope.analysis.tiered, false);
    const [client, server] = scope.model.workloads;
    const c = scope.analysis.connection(workloadEndpoint(client), workloadEndpoint(server));
    assert.equal(c.ingress.decisions, undefined);
    assert.equal(c.allowed.toString(), 'TCP 8080');
  });

  test('the Admin tier overrides NetworkPolicies: Deny beats their allow, Allow beats their isolation (network-policy-api api-overview)', () => {
    const deny = fresh({ 'file:///w/pods.yaml': PODS, 'file:///w/np.yaml': NETPOL, 'file:///w/anp.yaml': anp('Deny') });
    assert.equal(deny.analysis.tiered, true);
    const [client, server] = deny.model.workloads;
    assert.equal(deny.analysis.connection(workloadEndpoint(client), workloadEndpoint(server)).allowed.toString(), 'No Connections');
    const allow = fresh({ 'file:///w/pods.yaml': PODS, 'file:///w/np.yaml': NETPOL, 'file:///w/anp.yaml': anp('Allow') });
    const [c2, s2] = allow.model.workloads;
    assert.equal(allow.analysis.connection(workloadEndpoint(c2), workloadEndpoint(s2)).allowed.toString(), 'TCP 8000-8999');
  });

  test('edits of a cluster-wide policy, of a NetworkPolicy and of labels give what a fresh workspace gives', () => {
    const files: Record<string, string> = { 'file:///w/pods.yaml': PODS, 'file:///w/np.yaml': NETPOL, 'file:///w/anp.yaml': anp('Pass') };
    const ws = new Workspace();
    for (const [uri, text] of Object.entries(files)) ws.setFile(uri, text);
    const steps: [string, string | undefined][] = [
      ['file:///w/anp.yaml', anp('Deny')],
      ['file:///w/pods.yaml', PODS.replace('labels: {team: a}', 'labels: {team: c}')],
      ['file:///w/anp.yaml', anp('Allow', 3)],
      ['file:///w/np.yaml', undefined],
      ['file:///w/pods.yaml', PODS],
      ['file:///w/anp.yaml', undefined],
      ['file:///w/anp.yaml', anp('Deny')],
    ];
    for (const [uri, text] of steps) {
      connections(ws.scopes()[0]); // the previous model's caches exist when the edit lands
      if (text === undefined) {
        ws.deleteFile(uri);
        delete files[uri];
      } else {
        ws.setFile(uri, text);
        files[uri] = text;
      }
      assert.deepEqual(connections(ws.scopes()[0]), connections(fresh(files)), `after editing ${uri}`);
    }
  });

  test('explanations name tier → policy → rule', () => {
    const scope = fresh({ 'file:///w/pods.yaml': PODS, 'file:///w/np.yaml': NETPOL, 'file:///w/anp.yaml': anp('Deny') });
    const [client, server] = scope.model.workloads;
    const explained = explainVerdict(scope.analysis.verdict(workloadEndpoint(client), workloadEndpoint(server), 'TCP', 8080));
    assert.equal(explained.allowed, false);
    assert.deepEqual(
      { kind: explained.ingress.decision?.kind, tier: explained.ingress.decision?.tier, policy: explained.ingress.decision?.policy, index: explained.ingress.decision?.index, action: explained.ingress.decision?.action },
      { kind: 'AdminNetworkPolicy', tier: 'Admin', policy: 'guard', index: 0, action: 'Deny' },
    );
    const text = explainText(explained, () => 'here');
    assert.match(text, /ingress of b\/server: denied by Admin tier → AdminNetworkPolicy guard, priority 10 → ingress rule 1 "from-a": Deny/);
  });

  test('a hover on a cluster-wide policy tells its tier, priority, place in the order and selected pods', () => {
    const ws = new Workspace();
    ws.setFile('file:///w/pods.yaml', PODS);
    const text = `${anp('Deny')}---\n${anp('Allow', 5).replace('name: guard', 'name: early')}`;
    ws.setFile('file:///w/anp.yaml', text);
    const result = hover(ws, 'file:///w/anp.yaml', text.indexOf('guard') + 1);
    assert.ok(result, 'a hover');
    assert.match(result.markdown, /\*\*AdminNetworkPolicy guard\*\*/);
    assert.match(result.markdown, /Admin tier, priority 10\. Evaluated before every NetworkPolicy/);
    assert.match(result.markdown, /AdminNetworkPolicy early \(5\)[\s\S]*\*\*AdminNetworkPolicy guard \(10\)\*\*/);
    assert.match(result.markdown, /Selected pods \(1;/);
  });
});
