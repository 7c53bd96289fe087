// Cilium policy semantics, one case per documented behaviour (docs.cilium.io security/policy: language.rst, deny.rst,
// intro.rst "Endpoint default policy"; the CRD's Rule.enableDefaultDeny description; pkg/policy/api/rule_validation.go).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCidr, type IpRange } from '../../../src/engine/cidr';
import { CiliumAnalysis, fqdnMatches, type CiliumEndpoint, type Traffic } from '../../../src/engine/cilium-evaluate';
import { Analysis } from '../../../src/engine/evaluate';
import { Workspace } from '../../../src/engine/workspace';

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
spec: {serviceAccountName: robot, containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: server, namespace: b, labels: {app: server}}
spec: {containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: other}}
spec: {containers: [{name: c, image: x}]}
`;

function analysis(...policies: string[]): CiliumAnalysis {
  const ws = new Workspace();
  ws.setFile('file:///w/pods.yaml', PODS);
  policies.forEach((p, i) => ws.setFile(`file:///w/p${i}.yaml`, p));
  return new Analysis(ws.scopes()[0].model).ciliumEvaluator();
}
const ip = (text: string): CiliumEndpoint => {
  const range = parseCidr(`${text}/32`) as IpRange;
  return { type: 'ip', range, label: text };
};
const pod = (a: CiliumAnalysis, name: string): CiliumEndpoint => ({ type: 'workload', workload: a.model.workloads.find((w) => w.name === name)! });
const tcp = (port: number): Traffic => ({ protocol: 'TCP', port });

const cnp = (ns: string, body: string, kind = 'CiliumNetworkPolicy') => `apiVersion: cilium.io/v2
kind: ${kind}
metadata: {name: p, ${kind === 'CiliumNetworkPolicy' ? `namespace: ${ns}` : ''}}
${body}`;

describe('Cilium policies: reading', () => {
  test('`ingress: []` alone is rejected by Cilium (rule_validation.go: at least one of ingress, ingressDeny, egress, egressDeny) and enforces nothing', () => {
    const a = analysis(cnp('b', 'spec:\n  endpointSelector: {matchLabels: {app: server}}\n  ingress: []\n'));
    assert.equal(a.policies[0].valid, false);
    assert.match(a.policies[0].problems.map((p) => p.message).join('\n'), /ingress: \[\]/);
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080)).allowed, true);
  });
  test('specs: several rules, each read; an unknown entity or a bad CIDR makes the policy invalid and it is left out', () => {
    const ok = analysis(cnp('b', 'specs:\n- endpointSelector: {}\n  ingress: [{fromEntities: [cluster]}]\n- endpointSelector: {}\n  egress: [{toCIDR: [10.0.0.0/8]}]\n'));
    assert.equal(ok.policies[0].valid, true);
    assert.equal(ok.policies[0].rules.length, 2);
    const bad = analysis(cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{fromEntities: [everywhere]}]\n'));
    assert.equal(bad.policies[0].valid, false);
    assert.match(bad.policies[0].problems[0].message, /unknown entity "everywhere"/);
    assert.equal(bad.verdict(pod(bad, 'client'), pod(bad, 'server'), tcp(1)).allowed, true);
  });
  test('deny rules cannot carry L7 rules, toFQDNs cannot share a rule with other L3 (deny.rst, language.rst)', () => {
    const a = analysis(cnp('b', 'spec:\n  endpointSelector: {}\n  ingressDeny: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{method: GET}]}}]}]\n'));
    assert.match(a.policies[0].problems.map((p) => p.message).join(), /deny rules cannot carry L7/);
    const f = analysis(cnp('a', 'spec:\n  endpointSelector: {}\n  egress: [{toFQDNs: [{matchName: x.io}], toCIDR: [1.1.1.1/32]}]\n'));
    assert.match(f.policies[0].problems.map((p) => p.message).join(), /toFQDNs cannot be combined/);
  });
  test('fromRequires, fromNodes and cloud groups: information, verdicts they could change marked uncertain', () => {
    const a = analysis(cnp('b', 'spec:\n  endpointSelector: {matchLabels: {app: server}}\n  ingress: [{fromRequires: [{matchLabels: {env: prod}}]}]\n'));
    const v = a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080));
    assert.deepEqual(v.ingress.uncertain, ['fromRequires']);
  });
});

describe('Cilium policies: evaluation', () => {
  test('CNP endpointSelector gets the policy namespace; fromEndpoints without a namespace key stay in it', () => {
    const a = analysis(cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}]}]\n'));
    assert.equal(a.verdict(pod(a, 'other'), pod(a, 'server'), tcp(8080)).allowed, true);
    const v = a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080));
    assert.deepEqual([v.allowed, v.ingress.reason], [false, 'default-deny']);
    // the client's own namespace is not selected by a CNP of namespace b
    assert.equal(a.verdict(pod(a, 'server'), pod(a, 'client'), tcp(1)).allowed, true);
  });
  test('namespace rules as Cilium applies them: k8s:io.kubernetes.pod.namespace and io.cilium.k8s.namespace.labels.*, service accounts', () => {
    const byNs = analysis(cnp('b', 'spec:\n  endpointSelector: {matchLabels: {app: server}}\n  ingress: [{fromEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": a}}]}]\n'));
    assert.equal(byNs.verdict(pod(byNs, 'client'), pod(byNs, 'server'), tcp(8080)).allowed, true);
    const byLabel = analysis(cnp('b', 'spec:\n  endpointSelector: {matchLabels: {app: server}}\n  ingress: [{fromEndpoints: [{matchLabels: {io.cilium.k8s.namespace.labels.team: a, io.cilium.k8s.policy.serviceaccount: robot}}]}]\n'));
    assert.equal(byLabel.verdict(pod(byLabel, 'client'), pod(byLabel, 'server'), tcp(8080)).allowed, true);
    assert.equal(byLabel.verdict(pod(byLabel, 'other'), pod(byLabel, 'server'), tcp(8080)).allowed, false);
  });
  test('CCNP: endpointSelector {} selects every managed pod, fromEndpoints {} means every managed pod (not world)', () => {
    const a = analysis(cnp('', 'spec:\n  endpointSelector: {}\n  ingress: [{fromEndpoints: [{}]}]\n', 'CiliumClusterwideNetworkPolicy'));
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080)).allowed, true);
    assert.equal(a.verdict(pod(a, 'server'), pod(a, 'client'), tcp(8080)).allowed, true);
    assert.equal(a.verdict(ip('1.2.3.4'), pod(a, 'client'), tcp(8080)).allowed, false);
  });
  test('the trap: an egressDeny-only policy makes the endpoint default-deny for all other egress (enableDefaultDeny defaults to true per direction with rules)', () => {
    const a = analysis(cnp('a', 'spec:\n  endpointSelector: {}\n  egressDeny: [{toCIDR: [9.9.9.9/32]}]\n'));
    const deny = a.verdict(pod(a, 'client'), ip('9.9.9.9'), tcp(443));
    assert.deepEqual([deny.allowed, deny.egress.reason], [false, 'policy-deny']);
    const other = a.verdict(pod(a, 'client'), ip('1.1.1.1'), tcp(443));
    assert.deepEqual([other.allowed, other.egress.reason], [false, 'default-deny']);
    const off = analysis(cnp('a', 'spec:\n  endpointSelector: {}\n  enableDefaultDeny: {egress: false}\n  egressDeny: [{toCIDR: [9.9.9.9/32]}]\n'));
    assert.equal(off.verdict(pod(off, 'client'), ip('1.1.1.1'), tcp(443)).allowed, true);
    assert.equal(off.verdict(pod(off, 'client'), ip('9.9.9.9'), tcp(443)).allowed, false);
  });
  test('any matching deny beats any allow, from CNP, CCNP or a Kubernetes NetworkPolicy (deny.rst)', () => {
    const knp = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow, namespace: b}
spec: {podSelector: {}, ingress: [{}]}
`;
    const a = analysis(knp, cnp('', 'spec:\n  endpointSelector: {matchLabels: {app: server}}\n  ingressDeny: [{fromEndpoints: [{matchLabels: {app: client}}], toPorts: [{ports: [{port: "8080", protocol: TCP}]}]}]\n', 'CiliumClusterwideNetworkPolicy'));
    const v = a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080));
    assert.deepEqual([v.allowed, v.ingress.reason, v.ingress.decidedBy.by], [false, 'policy-deny', 'cilium-deny']);
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8081)).allowed, true);
  });
  test('allows are a union across a Kubernetes NetworkPolicy and a CNP', () => {
    const knp = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-80, namespace: b}
spec: {podSelector: {}, ingress: [{ports: [{port: 80}]}]}
`;
    const a = analysis(knp, cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{fromEntities: [all], toPorts: [{ports: [{port: "8080", protocol: TCP}]}]}]\n'));
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(80)).allowed, true);
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080)).allowed, true);
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(9090)).allowed, false);
  });
  test('CIDR peers never match pods (cluster identity), in CNPs and in NetworkPolicy ipBlocks under Cilium (cilium#9209); except carves out', () => {
    const a = analysis(cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{fromCIDRSet: [{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]}]\n'));
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080)).allowed, false);
    assert.equal(a.verdict(ip('1.2.3.4'), pod(a, 'server'), tcp(8080)).allowed, true);
    assert.equal(a.verdict(ip('10.1.1.1'), pod(a, 'server'), tcp(8080)).allowed, false);
  });
  test('entities: world is outside the cluster, cluster is every pod, all is both', () => {
    const a = analysis(cnp('a', 'spec:\n  endpointSelector: {}\n  egress: [{toEntities: [world]}]\n'));
    assert.equal(a.verdict(pod(a, 'client'), ip('8.8.8.8'), tcp(443)).allowed, true);
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080)).allowed, false);
    const c = analysis(cnp('a', 'spec:\n  endpointSelector: {}\n  egress: [{toEntities: [cluster]}]\n'));
    assert.equal(c.verdict(pod(c, 'client'), pod(c, 'server'), tcp(8080)).allowed, true);
    assert.equal(c.verdict(pod(c, 'client'), ip('8.8.8.8'), tcp(443)).allowed, false);
  });
  test('toPorts: ANY, endPort ranges, named ports on the destination, ICMP by type', () => {
    const a = analysis(cnp('b', `spec:
  endpointSelector: {}
  ingress:
  - toPorts: [{ports: [{port: "9000", endPort: 9010, protocol: ANY}]}]
  - toPorts: [{ports: [{port: http, protocol: TCP}]}]
  - toPorts: [{icmps: [{fields: [{type: 8, family: IPv4}]}]}]
`));
    const c = pod(a, 'client');
    assert.equal(a.verdict(c, pod(a, 'server'), { protocol: 'UDP', port: 9005 }).allowed, true);
    assert.equal(a.verdict(c, pod(a, 'server'), tcp(9011)).allowed, false);
    assert.equal(a.verdict(c, pod(a, 'server'), tcp(8080)).allowed, true);
    assert.equal(a.verdict(c, pod(a, 'other'), tcp(8080)).allowed, false);
    assert.equal(a.verdict(c, pod(a, 'server'), { protocol: 'ICMP', port: 8 }).allowed, true);
    assert.equal(a.verdict(c, pod(a, 'server'), { protocol: 'ICMP', port: 0 }).allowed, false);
  });
  test('`ingress: [{}]` is the default-deny idiom: it allows nothing (cilium-connectivity deny-all-ingress.yaml)', () => {
    const a = analysis(cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{}]\n'));
    assert.deepEqual([a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080)).ingress.reason], ['default-deny']);
  });
  test('L7 rules: allowed at L4, filtered at L7 (the verdict names the L7 kinds)', () => {
    const a = analysis(cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}]}]\n'));
    const v = a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080));
    assert.deepEqual([v.allowed, v.ingress.l7], [true, ['http']]);
  });
  test('toFQDNs: symbolic peers; matchPattern * stays inside one label, a lone * is every name', () => {
    assert.equal(fqdnMatches({ matchPattern: '*.example.com' }, 'api.example.com'), true);
    assert.equal(fqdnMatches({ matchPattern: '*.example.com' }, 'a.b.example.com'), false);
    assert.equal(fqdnMatches({ matchPattern: '*' }, 'anything.io'), true);
    assert.equal(fqdnMatches({ matchName: 'one.one.one.one' }, 'one.one.one.one.'), true);
    const a = analysis(cnp('a', 'spec:\n  endpointSelector: {}\n  egress: [{toFQDNs: [{matchName: api.example.com}]}]\n'));
    assert.equal(a.verdict(pod(a, 'client'), { type: 'fqdn', name: 'api.example.com', ips: [] }, tcp(443)).allowed, true);
    assert.equal(a.verdict(pod(a, 'client'), { type: 'fqdn', name: 'evil.com', ips: [] }, tcp(443)).allowed, false);
  });
});

describe('Cilium policies: bad input', () => {
  const bodies = [
    'spec: just-a-string',
    'specs: {not: a-list}',
    'spec:\n  endpointSelector: []\n  ingress: [null, 3, "x"]',
    'spec:\n  endpointSelector: {matchExpressions: [{key: 5, operator: Foo}]}\n  egress: [{toPorts: [{ports: "x"}, null, {ports: [{port: [1]}, {port: "99999"}, {protocol: 7}]}]}]',
    'spec:\n  endpointSelector: {}\n  egress: [{toFQDNs: [{matchPattern: "(a+)+$[*"}], toCIDRSet: [{cidr: 300.1.1.1/8, except: [x]}]}]',
    'spec:\n  endpointSelector: {}\n  ingress: [{fromEndpoints: {a: b}, fromEntities: [7], fromCIDR: [null]}]',
    'specs: [null, {endpointSelector: {}, egressDeny: [{toPorts: [{ports: [{port: "80"}], rules: {http: [{}]}}]}]}]',
  ];
  for (const body of bodies) {
    test(`never throws, reports and leaves out: ${JSON.stringify(body).slice(0, 60)}`, () => {
      const a = analysis(cnp('b', `${body}\n`));
      assert.equal(a.policies.length, 1);
      assert.ok(a.policies[0].problems.length > 0 || a.policies[0].valid);
      for (const from of ['client', 'server']) for (const to of ['server', 'other']) a.verdict(pod(a, from), pod(a, to), tcp(80));
      a.verdict(pod(a, 'client'), { type: 'fqdn', name: 'aaaa', ips: [] }, tcp(80));
    });
  }
});

describe('Cilium on the tiered model', () => {
  const anp = (action: string) => `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: admin}
spec:
  priority: 10
  subject: {pods: {namespaceSelector: {matchLabels: {team: b}}, podSelector: {matchLabels: {app: server}}}}
  ingress: [{action: ${action}, from: [{namespaces: {matchLabels: {team: a}}}], ports: [{portNumber: {port: 8080, protocol: TCP}}]}]
`;
  const allowAll = cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{fromEntities: [all]}]\n');
  test('an Admin-tier Deny beats a CNP allow; an Admin Allow beats a Cilium deny (the Admin tier decides first: CFP-42904 priorities)', () => {
    const a = analysis(anp('Deny'), allowAll);
    const v = a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080));
    assert.deepEqual([v.allowed, v.ingress.decidedBy.by], [false, 'cluster-rule']);
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8081)).allowed, true);
    const b = analysis(anp('Allow'), cnp('b', 'spec:\n  endpointSelector: {}\n  ingressDeny: [{fromEntities: [all]}]\n'));
    assert.equal(b.verdict(pod(b, 'client'), pod(b, 'server'), tcp(8080)).allowed, true);
    assert.equal(b.verdict(pod(b, 'client'), pod(b, 'server'), tcp(8081)).allowed, false);
  });
  test('an Admin Pass leaves the decision to the Cilium layer', () => {
    const a = analysis(anp('Pass'), cnp('b', 'spec:\n  endpointSelector: {}\n  ingress: [{}]\n'));
    assert.equal(a.verdict(pod(a, 'client'), pod(a, 'server'), tcp(8080)).ingress.reason, 'default-deny');
  });
});
