// Differential test: random small clusters and policies, each verdict of the engine compared with a direct, naive
// reading of the NetworkPolicy v1 API reference written here from scratch (no indexing, no grouping, no caching).
// It guards the exact semantics while the engine is optimised.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ipEndpoint, workloadEndpoint } from '../../../src/engine/evaluate';
import { parseIpEndpoint } from '../../../src/engine/cidr';
import { Workspace } from '../../../src/engine/workspace';
import type { Protocol } from '../../../src/engine/types';

type Labels = Record<string, string>;
interface Req { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }
interface Selector { matchLabels?: Labels; matchExpressions?: Req[] }
interface Peer { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } }
interface Port { protocol?: Protocol; port?: number | string; endPort?: number }
interface Rule { peers?: Peer[]; ports?: Port[] }
interface Policy { name: string; namespace: string; podSelector: Selector; policyTypes?: ('Ingress' | 'Egress')[]; ingress?: Rule[]; egress?: Rule[] }
interface ContainerPort { name: string; containerPort: number; protocol: Protocol }
interface Pod { name: string; namespace: string; labels: Labels; ports: ContainerPort[]; replicas: number }
interface Cluster { namespaces: { name: string; labels: Labels }[]; pods: Pod[]; policies: Policy[] }

// ---- the reference reading of the API ----

function selects(s: Selector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of s.matchExpressions ?? []) {
    const has = k(labels, r.key);
    if (r.operator === 'In' && !(has && r.values!.includes(labels[r.key]))) return false;
    if (r.operator === 'NotIn' && has && r.values!.includes(labels[r.key])) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
const k = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

const ip4 = (s: string) => s.split('.').reduce((n, p) => n * 256 + Number(p), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ip4(ip) / size) === Math.floor(ip4(base) / size);
}

type End = { pod: Pod } | { ip: string };

function effectiveTypes(p: Policy): { ingress: boolean; egress: boolean } {
  if (!p.policyTypes || p.policyTypes.length === 0) return { ingress: true, egress: (p.egress ?? []).length > 0 };
  return { ingress: p.policyTypes.includes('Ingress'), egress: p.policyTypes.includes('Egress') };
}

function peerMatches(c: Cluster, policy: Policy, peer: Peer, e: End): boolean {
  if (peer.ipBlock) return 'ip' in e && inCidr(e.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x) => inCidr(e.ip, x));
  if (!('pod' in e)) return false;
  const nsLabels = c.namespaces.find((n) => n.name === e.pod.namespace)!.labels;
  if (peer.namespaceSelector ? !selects(peer.namespaceSelector, { ...nsLabels, 'kubernetes.io/metadata.name': e.pod.namespace }) : e.pod.namespace !== policy.namespace) return false;
  return peer.podSelector ? selects(peer.podSelector, e.pod.labels) : true;
}

function portMatches(port: Port, protocol: Protocol, number: number, destination: End): boolean {
  if ((port.protocol ?? 'TCP') !== protocol) return false;
  if (port.port === undefined) return true;
  if (typeof port.port === 'number') return number >= port.port && number <= (port.endPort ?? port.port);
  // A named port is a container port of the destination pod with that name and the rule's protocol.
  return 'pod' in destination && destination.pod.ports.some((cp) => cp.name === port.port && cp.protocol === protocol && cp.containerPort === number);
}

function directionAllows(c: Cluster, direction: 'ingress' | 'egress', subject: Pod, other: End, destination: End, protocol: Protocol, port: number): boolean {
  const policies = c.policies.filter((p) => p.namespace === subject.namespace && selects(p.podSelector, subject.labels) && effectiveTypes(p)[direction]);
  if (policies.length === 0) return true;
  return policies.some((p) =>
    (p[direction] ?? []).some(
      (r) => (!r.peers || r.peers.length === 0 || r.peers.some((peer) => peerMatches(c, p, peer, other))) && (!r.ports || r.ports.length === 0 || r.ports.some((x) => portMatches(x, protocol, port, destination))),
    ),
  );
}

function referenceAllows(c: Cluster, from: End, to: End, protocol: Protocol, port: number): boolean {
  if ('pod' in from && 'pod' in to && from.pod === to.pod && from.pod.replicas === 1) return true;
  const egress = 'pod' in from ? directionAllows(c, 'egress', from.pod, to, to, protocol, port) : true;
  const ingress = 'pod' in to ? directionAllows(c, 'ingress', to.pod, from, to, protocol, port) : true;
  return egress && ingress;
}

// ---- random clusters ----

const labelValue = fc.constantFrom('x', 'y');
const labels = fc.record({ app: labelValue, tier: labelValue }, { requiredKeys: [] });
const req: fc.Arbitrary<Req> = fc.oneof(
  fc.record({ key: fc.constantFrom('app', 'tier', 'team'), operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.subarray(['x', 'y'], { minLength: 1 }) }),
  fc.record({ key: fc.constantFrom('app', 'tier', 'team'), operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);
const selector: fc.Arbitrary<Selector> = fc.record({ matchLabels: labels, matchExpressions: fc.array(req, { maxLength: 2 }) }, { requiredKeys: [] });
const nsSelector: fc.Arbitrary<Selector> = fc.oneof(
  selector.map((s) => ({ ...s, matchLabels: s.matchLabels?.app ? { team: s.matchLabels.app } : undefined })),
  fc.constantFrom<Selector>({ matchLabels: { 'kubernetes.io/metadata.name': 'a' } }, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['b'] }] }),
);
const peer: fc.Arbitrary<Peer> = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: nsSelector }),
  fc.record({ podSelector: selector, namespaceSelector: nsSelector }),
  fc.constantFrom<Peer>({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }, { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '192.168.0.0/16' } }),
);
const port: fc.Arbitrary<Port> = fc.oneof(
  fc.record({ protocol: fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP'), port: fc.constantFrom(53, 80, 8080) }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom<Protocol>('TCP', 'UDP'), port: fc.constant(79), endPort: fc.constantFrom(80, 8080) }, { requiredKeys: ['port', 'endPort'] }),
  fc.record({ protocol: fc.constantFrom<Protocol>('TCP', 'UDP'), port: fc.constantFrom('http', 'dns', 'metrics') }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom<Protocol>('TCP', 'UDP', 'SCTP') }),
);
const rule: fc.Arbitrary<Rule> = fc.record({ peers: fc.array(peer, { maxLength: 2 }), ports: fc.array(port, { maxLength: 2 }) }, { requiredKeys: [] });
const containerPorts = fc.subarray<ContainerPort>([
  { name: 'http', containerPort: 80, protocol: 'TCP' },
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
]);
const cluster: fc.Arbitrary<Cluster> = fc
  .record({
    nsLabels: fc.tuple(fc.option(labelValue, { nil: undefined }), fc.option(labelValue, { nil: undefined })),
    pods: fc.array(fc.record({ namespace: fc.constantFrom('a', 'b'), labels, ports: containerPorts, replicas: fc.constantFrom(1, 1, 2) }), { minLength: 1, maxLength: 5 }),
    policies: fc.array(
      fc.record({
        namespace: fc.constantFrom('a', 'b'),
        podSelector: selector,
        policyTypes: fc.option(fc.subarray(['Ingress', 'Egress'] as ('Ingress' | 'Egress')[]), { nil: undefined }),
        ingress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
        egress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ nsLabels, pods, policies }): Cluster => ({
    namespaces: ['a', 'b'].map((name, i) => ({ name, labels: (nsLabels[i] ? { team: nsLabels[i]! } : {}) as Labels })),
    pods: pods.map((p, i) => ({ ...p, labels: p.labels as Labels, name: `p${i}` })),
    policies: policies.map((p, i) => ({ ...p, name: `np${i}` })),
  }));

function manifests(c: Cluster): string {
  const docs: unknown[] = [];
  for (const ns of c.namespaces) docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: ns.labels } });
  for (const p of c.pods) {
    const template = { metadata: { labels: p.labels }, spec: { containers: [{ name: 'c', image: 'i', ports: p.ports }] } };
    docs.push(
      p.replicas === 1
        ? { apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace, labels: p.labels }, spec: template.spec }
        : { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: p.name, namespace: p.namespace }, spec: { replicas: p.replicas, template } },
    );
  }
  const rules = (rs: Rule[] | undefined, key: 'from' | 'to') => rs?.map((r) => ({ ...(r.peers ? { [key]: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) }));
  for (const p of c.policies) {
    docs.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: p.name, namespace: p.namespace },
      spec: {
        podSelector: p.podSelector,
        ...(p.policyTypes ? { policyTypes: p.policyTypes } : {}),
        ...(p.ingress ? { ingress: rules(p.ingress, 'from') } : {}),
        ...(p.egress ? { egress: rules(p.egress, 'to') } : {}),
      },
    });
  }
  return docs.map((d) => JSON.stringify(d)).join('\n---\n');
}

const PROBES: [Protocol, number][] = [['TCP', 80], ['TCP', 79], ['TCP', 8080], ['TCP', 443], ['UDP', 53], ['UDP', 80], ['SCTP', 80]];
const ADDRESSES = ['10.0.0.5', '10.1.2.3', '192.168.1.1', '8.8.8.8'];

test('the engine agrees with a direct reading of the API reference on random clusters (fast-check, 400 runs)', () => {
  fc.assert(
    fc.property(cluster, (c) => {
      const workspace = new Workspace();
      workspace.setFile('file:///random/cluster.yaml', manifests(c));
      const scope = workspace.scopes()[0];
      assert.ok(scope.model.policies.every((p) => p.valid), 'generated policies are valid');
      const analysis = scope.analysis;
      const workloadOf = (p: Pod) => scope.model.workloads.find((w) => w.name === p.name && w.namespace === p.namespace)!;
      const ends: End[] = [...c.pods.map((pod) => ({ pod })), ...ADDRESSES.map((ip) => ({ ip }))];
      const engineEnd = (e: End) => ('pod' in e ? workloadEndpoint(workloadOf(e.pod)) : ipEndpoint(parseIpEndpoint(e.ip)!));
      for (const from of ends) {
        for (const to of ends) {
          if ('ip' in from && 'ip' in to) continue;
          for (const [protocol, number] of PROBES) {
            const expected = referenceAllows(c, from, to, protocol, number);
            const actual = analysis.verdict(engineEnd(from), engineEnd(to), protocol, number).allowed;
            const name = (e: End) => ('pod' in e ? `${e.pod.namespace}/${e.pod.name}` : e.ip);
            assert.equal(actual, expected, `${name(from)} -> ${name(to)} on ${number}/${protocol}`);
          }
        }
      }
    }),
    { numRuns: 400, seed: 20261127 },
  );
});
