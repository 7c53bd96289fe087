// NetworkPolicy → CiliumNetworkPolicy conversion (cilium-convert.ts): every upstream conformance case
// (test-fixtures/conformance, kubernetes test/e2e/network/netpol) with its NetworkPolicies replaced by their
// conversions gives, under Cilium, the verdicts of the NetworkPolicies under Cilium on every pair, port and protocol,
// and for the cases without pod IPs the upstream truth tables themselves.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseCidr, type IpRange } from '../../../src/engine/cidr';
import { networkPolicyToCilium } from '../../../src/engine/cilium-convert';
import { ipEndpoint, workloadEndpoint, type Endpoint } from '../../../src/engine/evaluate';
import { Workspace } from '../../../src/engine/workspace';
import type { Protocol } from '../../../src/engine/types';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'conformance');
const NAMESPACES = ['x', 'y', 'z'];
const POD_NAMES = ['a', 'b', 'c'];
const PORTS: [Protocol, number][] = (['TCP', 'UDP', 'SCTP'] as Protocol[]).flatMap((p) => [80, 81, 82].map((n) => [p, n] as [Protocol, number]));

/** The upstream model (as the conformance test builds it): namespaces x, y, z with pods a, b, c on 80 and 81. */
function topology(text: string): string {
  const nsLabels = new Map<string, Record<string, string>>();
  const podLabels = new Map<string, Record<string, string>>();
  const podIps = new Map<string, string>();
  const labels = (pairs: string) => Object.fromEntries(pairs.trim().split(/\s+/).map((p) => p.split('=') as [string, string]));
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^# model: namespace-labels (\S+) (.+)$/.exec(line))) nsLabels.set(m[1], labels(m[2]));
    else if ((m = /^# model: pod-labels (\S+) (.+)$/.exec(line))) podLabels.set(m[1], labels(m[2]));
    else if ((m = /^# model: pod-ip (\S+) (\S+)$/.exec(line))) podIps.set(m[1], m[2]);
  }
  const docs: string[] = [];
  for (const ns of NAMESPACES) {
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: nsLabels.get(ns) ?? {} } }));
    for (const pod of POD_NAMES) {
      const containers = ['TCP', 'UDP', 'SCTP'].flatMap((protocol) => [80, 81].map((port) => ({ name: `cont-${port}-${protocol.toLowerCase()}`, image: 'agnhost', ports: [{ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol }] })));
      const ip = podIps.get(`${ns}/${pod}`);
      docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: ns, labels: { pod, ...(podLabels.get(`${ns}/${pod}`) ?? {}) } }, spec: { containers }, ...(ip ? { status: { podIP: ip, podIPs: [{ ip }] } } : {}) }));
    }
  }
  return docs.join('\n---\n');
}

const files = fs.readdirSync(ROOT).filter((f) => f.endsWith('.yaml')).sort();

describe('NetworkPolicy → CiliumNetworkPolicy: the conversion gives the same verdicts (conformance cases)', () => {
  let converted = 0;
  for (const file of files) {
    test(file, () => {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const original = new Workspace();
      original.setFile('file:///w/model.yaml', topology(text));
      original.setFile('file:///w/policies.yaml', text);
      const before = original.scopes()[0];
      const conversions = before.model.policies.map((p) => networkPolicyToCilium(p)).filter((c) => c !== undefined);
      for (const c of conversions) assert.deepEqual(c.reasons, [], `${file}: exact`);
      converted += conversions.length;
      const after = new Workspace();
      after.setFile('file:///w/model.yaml', topology(text));
      after.setFile('file:///w/cilium.yaml', conversions.map((c) => c.text).join('---\n'));
      const scope = after.scopes()[0];
      for (const c of conversions) {
        const again = parseAllDocuments(c.text)[0].toJS();
        assert.deepEqual(again, c.value, 'the text is the value');
      }
      assert.deepEqual(scope.model.findings.filter((f) => f.severity === 'error'), []);
      if (conversions.length > 0) assert.ok(scope.analysis.cilium, `${file}: the converted policies are evaluated under Cilium`);
      // Reference: the NetworkPolicies as Cilium enforces them (the per-packet evaluation, ipBlocks never matching pods).
      const reference = before.analysis.ciliumEvaluator();
      const ends = (s: typeof scope): Endpoint[] => [...s.model.workloads.map((w) => workloadEndpoint(w)), ...['10.0.0.1', '192.168.1.1', '8.8.8.8'].map((a) => ipEndpoint(parseCidr(`${a}/32`) as IpRange))];
      const beforeEnds = ends(before);
      const afterEnds = ends(scope);
      for (let i = 0; i < beforeEnds.length; i++) {
        for (let j = 0; j < beforeEnds.length; j++) {
          const [from, to] = [beforeEnds[i], beforeEnds[j]];
          if (i === j || (from.type === 'ip' && to.type === 'ip')) continue;
          for (const [protocol, port] of PORTS) {
            const expected = reference.verdict(from, to, { protocol, port }).allowed;
            const actual = scope.analysis.verdict(afterEnds[i], afterEnds[j], protocol, port).allowed;
            const name = (e: Endpoint) => (e.type === 'workload' ? e.workload.displayName : e.label);
            assert.equal(actual, expected, `${file}: ${name(from)} -> ${name(to)} ${port}/${protocol}`);
            // Without pod IPs the NetworkPolicy path agrees as well (ipBlocks then match no pod under any CNI).
            if (!/# model: pod-ip/.test(text)) assert.equal(actual, before.analysis.verdict(from, to, protocol, port).allowed, `${file}: NetworkPolicy path, ${name(from)} -> ${name(to)} ${port}/${protocol}`);
          }
        }
      }
    });
  }
  test('enough policies were converted for the comparison to mean something', () => {
    assert.ok(converted >= 40, `${converted} policies`);
  });
});

describe('NetworkPolicy → CiliumNetworkPolicy: what is not exact, and the text', () => {
  const convert = (spec: string) => {
    const ws = new Workspace();
    ws.setFile('file:///w/p.yaml', `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop, labels: {team: web}}\nspec:\n${spec}`);
    return networkPolicyToCilium(ws.scopes()[0].model.policies[0]);
  };
  test('a default deny becomes `ingress: [{}]` (Cilium rejects `ingress: []`), the name, namespace and labels stay', () => {
    const c = convert('  podSelector: {}\n  policyTypes: [Ingress, Egress]\n')!;
    assert.equal(c.text, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: p\n  namespace: shop\n  labels:\n    team: web\nspec:\n  endpointSelector: {}\n  ingress:\n    - {}\n  egress:\n    - {}\n');
    assert.equal(c.exact, true);
  });
  test('peers of different kinds become entries with the same ports; a namespaceSelector reads namespace labels', () => {
    const c = convert('  podSelector: {matchLabels: {app: web}}\n  egress:\n  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: db, tier: data}}, podSelector: {matchLabels: {app: pg}}}, {ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n    ports: [{port: 5432}, {protocol: UDP}]\n')!;
    assert.deepEqual(c.value.spec, {
      endpointSelector: { matchLabels: { app: 'web' } },
      // Without policyTypes a NetworkPolicy isolates ingress too: nothing allowed there.
      ingress: [{}],
      egress: [
        { toEndpoints: [{ matchLabels: { app: 'pg', 'io.kubernetes.pod.namespace': 'db', 'io.cilium.k8s.namespace.labels.tier': 'data' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }, { port: '0', protocol: 'UDP' }] }] },
        { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }, { port: '0', protocol: 'UDP' }] }] },
      ],
    });
  });
  test('not exact: a selector key Cilium reads as a source prefix or identity label, said with the place', () => {
    const c = convert('  podSelector: {matchLabels: {io.kubernetes.pod.namespace: shop}}\n  ingress: [{from: [{podSelector: {matchExpressions: [{key: io.cilium.k8s.policy.serviceaccount, operator: Exists}]}}]}]\n')!;
    assert.equal(c.exact, false);
    assert.deepEqual(c.reasons.map((r) => r.split(' uses')[0]), ['spec.podSelector', 'spec.ingress[0].from[0].podSelector']);
  });
  test('a policy the API server rejects is not converted', () => {
    assert.equal(convert('  podSelector: {matchLabels: {app: [x]}}\n'), undefined);
  });
});

describe('the editor action: the equivalent CiliumNetworkPolicy added below the NetworkPolicy', () => {
  test('inserted as a new document after the policy, which keeps its text and comments', async () => {
    const { ciliumConversionAction } = await import('../../../src/engine/features/convert-action');
    const text = `# keep me
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}  # the database
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
`;
    const ws = new Workspace();
    ws.setFile('file:///w/db.yaml', text);
    const action = ciliumConversionAction(ws, 'file:///w/db.yaml', text.indexOf('podSelector'));
    assert.ok(action);
    assert.equal(action.title, 'Add the equivalent CiliumNetworkPolicy db');
    const [edit] = action.edits;
    const after = text.slice(0, edit.range[0]) + edit.newText + text.slice(edit.range[1]);
    assert.equal(edit.range[0], edit.range[1], 'nothing of the NetworkPolicy is replaced');
    assert.match(after, /# the database\n {2}ingress: .*\n---\napiVersion: cilium\.io\/v2\nkind: CiliumNetworkPolicy\n[\s\S]*---\napiVersion: v1\nkind: Pod/);
    ws.setFile('file:///w/db.yaml', after);
    const scope = ws.scopes()[0];
    assert.equal(scope.model.objects.filter((o) => o.kind === 'CiliumNetworkPolicy').length, 1);
    assert.equal(ciliumConversionAction(ws, 'file:///w/db.yaml', after.indexOf('kind: Pod')), undefined, 'not on other objects');
  });
});

describe('the refactorings offered on a NetworkPolicy (features/conversions.ts)', () => {
  const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}]}]\n';
  const titles = async (config?: string) => {
    const { conversionActions } = await import('../../../src/engine/features/conversions');
    const ws = new Workspace();
    ws.setFile('file:///w/db.yaml', policy);
    if (config) ws.setFile('file:///w/.netpol.yaml', config);
    return conversionActions(ws, 'file:///w/db.yaml', policy.indexOf('podSelector')).map((a) => a.title);
  };
  test('the CiliumNetworkPolicy only where Cilium is in use (cni: cilium), not on every policy', async () => {
    assert.ok(!(await titles()).some((t) => t.includes('CiliumNetworkPolicy')));
    assert.ok((await titles('cni: cilium\n')).includes('Add the equivalent CiliumNetworkPolicy db'));
  });
});
