// Calico semantics on the tiered model (calico-evaluate.ts). Each test names the Calico reference it follows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ipEndpoint, workloadEndpoint, type Endpoint } from '../../../src/engine/evaluate';
import { parseCidr, type IpRange } from '../../../src/engine/cidr';
import { describeCalicoDecision } from '../../../src/engine/calico-evaluate';
import { Workspace, type Scope } from '../../../src/engine/workspace';
import { explainVerdict } from '../../../src/engine/explain';
import { explainText } from '../../../src/report/explain';
import { connectionsToText, listConnections } from '../../../src/report/connlist';

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
metadata: {name: server, namespace: b, labels: {app: server, tier: web}}
spec: {serviceAccountName: web-sa, containers: [{name: c, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: b, labels: {app: other}}
spec: {containers: [{name: c, image: x}]}
`;

function scope(...docs: string[]): Scope {
  const ws = new Workspace();
  ws.setFile('file:///w/pods.yaml', PODS);
  docs.forEach((d, i) => ws.setFile(`file:///w/p${i}.yaml`, d));
  return ws.scopes()[0];
}

function pod(s: Scope, name: string): Endpoint {
  const w = s.model.workloads.find((x) => x.name === name);
  assert.ok(w, name);
  return workloadEndpoint(w);
}

function ip(cidr: string): Endpoint {
  return ipEndpoint(parseCidr(cidr) as IpRange);
}

function allowed(s: Scope, from: string | Endpoint, to: string | Endpoint): string {
  const e = (x: string | Endpoint) => (typeof x === 'string' ? pod(s, x) : x);
  return s.analysis.connection(e(from), e(to)).allowed.toString();
}

const GLOBAL_DENY = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: default-deny}
spec:
  selector: all()
  types: [Ingress, Egress]
`;

const calicoNp = (name: string, ns: string, spec: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;

const K8S_ALLOW = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-a, namespace: b}
spec:
  podSelector: {matchLabels: {app: server}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: a}}}], ports: [{port: 8080}]}]
`;

describe('Calico evaluation', () => {
  test('no Calico policy selects a pod → its profile allows (docs: profiles kns.<ns>, default allow)', () => {
    const s = scope(calicoNp('only-other', 'b', "selector: app == 'other'\ningress: [{action: Deny}]"));
    assert.equal(s.analysis.tiered, true);
    assert.equal(allowed(s, 'client', 'server'), 'All Connections');
    assert.equal(allowed(s, 'client', 'other'), 'No Connections');
  });

  test('a GlobalNetworkPolicy without rules is a default deny: the default tier ends in Deny (tier.mdx defaultAction)', () => {
    const s = scope(GLOBAL_DENY);
    assert.equal(allowed(s, 'client', 'server'), 'No Connections');
    assert.equal(allowed(s, 'client', ip('8.8.8.8/32')), 'No Connections');
  });

  test('Kubernetes NetworkPolicies sit in tier default at order 1000 (conversion.go): an allow there beats a later default deny', () => {
    const egress = calicoNp('client-out', 'a', "selector: app == 'client'\negress: [{action: Allow}]");
    const s = scope(GLOBAL_DENY, K8S_ALLOW, egress);
    assert.equal(allowed(s, 'client', 'server'), 'TCP 8080');
    assert.equal(allowed(s, 'client', 'other'), 'No Connections');
  });

  test('a Calico Deny with order below 1000 overrides a Kubernetes NetworkPolicy allow; without order it runs after it', () => {
    const denyFirst = calicoNp('deny', 'b', "order: 500\nselector: app == 'server'\ningress: [{action: Deny, protocol: TCP, destination: {ports: ['8000:8100']}}]");
    assert.equal(allowed(scope(K8S_ALLOW, denyFirst), 'client', 'server'), 'No Connections');
    const denyLast = calicoNp('deny', 'b', "selector: app == 'server'\ningress: [{action: Deny, protocol: TCP, destination: {ports: ['8000:8100']}}]");
    assert.equal(allowed(scope(K8S_ALLOW, denyLast), 'client', 'server'), 'TCP 8080');
  });

  test('rules in order: Allow and Deny final, Log continues (_rule.mdx)', () => {
    const p = calicoNp('p', 'b', "selector: app == 'server'\ningress:\n- {action: Log}\n- {action: Deny, protocol: TCP, destination: {ports: [22]}}\n- {action: Allow, protocol: TCP}");
    const s = scope(p);
    assert.equal(allowed(s, 'client', 'server'), 'TCP 1-21,23-65535');
  });

  test('Pass skips to the next tier; a tier with defaultAction Pass lets unmatched traffic through (tier.mdx)', () => {
    const tier = (name: string, order: number, action = 'Deny') => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: ${name}}\nspec: {order: ${order}, defaultAction: ${action}}\n`;
    const security = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: security.pass-web}
spec:
  tier: security
  order: 1
  selector: has(tier)
  ingress:
  - {action: Pass, protocol: TCP, destination: {ports: [8080]}}
  - {action: Deny}
`;
    const app = calicoNp('allow-http', 'b', "selector: app == 'server'\ningress: [{action: Allow, protocol: TCP, destination: {ports: [http]}}]");
    const s = scope(tier('security', 100), security, app);
    assert.equal(allowed(s, 'client', 'server'), 'TCP 8080');
    // Only the security tier selects "other"? No: has(tier) is false for it, so it is not selected there.
    assert.equal(allowed(s, 'client', 'other'), 'All Connections');
    const passTier = scope(tier('security', 100, 'Pass'), security.replace('  - {action: Deny}\n', ''));
    assert.equal(allowed(passTier, 'client', 'server'), 'All Connections');
    const c = passTier.analysis.connection(pod(passTier, 'client'), pod(passTier, 'server'));
    assert.deepEqual(
      c.ingress.calicoDecisions?.map((d) => describeCalicoDecision(d, 'ingress')),
      ['tier security → Calico GlobalNetworkPolicy pass-web (order 1) → ingress rule 1: Pass', 'no tier decided: the namespace profile allows'],
    );
  });

  test('policies in a tier by order (missing last), equal orders by name (policy_sorter.go)', () => {
    const a = calicoNp('a-deny', 'b', "order: 10\nselector: app == 'server'\ningress: [{action: Deny}]");
    const z = calicoNp('z-allow', 'b', "order: 10\nselector: app == 'server'\ningress: [{action: Allow}]");
    assert.equal(allowed(scope(a, z), 'client', 'server'), 'No Connections');
    const z5 = calicoNp('z-allow', 'b', "order: 5\nselector: app == 'server'\ningress: [{action: Allow}]");
    assert.equal(allowed(scope(a, z5), 'client', 'server'), 'All Connections');
  });

  test('a namespaced policy\'s rule selectors stay in its namespace unless namespaceSelector is set (rules.go)', () => {
    const same = calicoNp('p', 'b', "selector: app == 'server'\ningress: [{action: Allow, source: {selector: all()}}]");
    const s = scope(same);
    assert.equal(allowed(s, 'other', 'server'), 'All Connections');
    assert.equal(allowed(s, 'client', 'server'), 'No Connections');
    assert.equal(allowed(s, ip('1.2.3.4/32'), 'server'), 'No Connections');
    const cross = calicoNp('p', 'b', "selector: app == 'server'\ningress: [{action: Allow, source: {namespaceSelector: team == 'a'}}]");
    assert.equal(allowed(scope(cross), 'client', 'server'), 'All Connections');
    assert.equal(allowed(scope(cross), 'other', 'server'), 'No Connections');
  });

  test('a rule without selector or nets matches every address, the internet included (_entityrule.mdx)', () => {
    const p = calicoNp('p', 'b', "selector: app == 'server'\ningress: [{action: Allow, protocol: UDP}]");
    assert.equal(allowed(scope(p), ip('8.8.8.8/32'), 'server'), 'UDP 1-65535');
  });

  test('notSelector differs from selector "!…": a global notSelector matches the internet too (docs: Understanding notSelector)', () => {
    const gnp = (entity: string) => `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: g}
spec:
  selector: app == 'server'
  ingress: [{action: Allow, source: ${entity}}]
`;
    const not = scope(gnp("{notSelector: app == 'other'}"));
    assert.equal(allowed(not, ip('8.8.8.8/32'), 'server'), 'All Connections');
    assert.equal(allowed(not, 'client', 'server'), 'All Connections');
    assert.equal(allowed(not, 'other', 'server'), 'No Connections');
    const bang = scope(gnp(`{selector: "app != 'other'"}`));
    assert.equal(allowed(bang, ip('8.8.8.8/32'), 'server'), 'No Connections');
    assert.equal(allowed(bang, 'client', 'server'), 'All Connections');
  });

  test('nets and notNets; GlobalNetworkSets are matched by selectors with namespaceSelector global() (networkset.mdx)', () => {
    const set = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {kind: partner}}
spec: {nets: [203.0.113.0/24]}
`;
    const p = calicoNp('p', 'b', "selector: app == 'server'\ningress:\n- {action: Allow, source: {selector: kind == 'partner', namespaceSelector: global()}}\n- {action: Allow, protocol: TCP, source: {nets: [10.0.0.0/8], notNets: [10.1.0.0/16]}}");
    const s = scope(set, p);
    assert.equal(allowed(s, ip('203.0.113.0/28'), 'server'), 'All Connections');
    assert.equal(allowed(s, ip('198.51.100.0/28'), 'server'), 'No Connections');
    assert.equal(allowed(s, ip('10.2.0.0/16'), 'server'), 'TCP 1-65535');
    assert.equal(allowed(s, ip('10.1.2.0/24'), 'server'), 'No Connections');
  });

  test('nets match pods by their known IP (status.podIP); without one a narrower net is assumed not to hold the pod', () => {
    const withIp = PODS.replace("spec: {containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: server", "spec: {containers: [{name: c, image: x}]}\nstatus: {podIP: 10.1.2.3}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: server");
    assert.notEqual(withIp, PODS);
    const p = calicoNp('p', 'b', "selector: app == 'server'\ningress: [{action: Allow, protocol: TCP, source: {nets: [10.0.0.0/8]}}]");
    const ws = new Workspace();
    ws.setFile('file:///w/pods.yaml', withIp);
    ws.setFile('file:///w/p.yaml', p);
    const s = ws.scopes()[0];
    assert.equal(allowed(s, 'client', 'server'), 'TCP 1-65535');
    assert.equal(s.analysis.connection(pod(s, 'client'), pod(s, 'server')).ingress.uncertain, false);
    const noIp = scope(p);
    assert.equal(allowed(noIp, 'client', 'server'), 'No Connections');
    assert.equal(noIp.analysis.connection(pod(noIp, 'client'), pod(noIp, 'server')).ingress.uncertain, true);
  });

  test('protocol / notProtocol, port ranges "a:b", notPorts and named ports resolved on the destination (_ports.mdx)', () => {
    const p = calicoNp('p', 'b', "selector: app == 'server'\ningress:\n- {action: Allow, protocol: TCP, destination: {ports: ['6040:6050', http], notPorts: [6045]}}\n- {action: Allow, notProtocol: TCP, destination: {}}");
    assert.equal(allowed(scope(p), 'client', 'server'), 'SCTP 1-65535,TCP 6040-6044,6046-6050,8080,UDP 1-65535');
  });

  test('types default: egress rules only → Egress; no rules → Ingress (networkpolicy.mdx)', () => {
    const s = scope(calicoNp('p', 'a', "selector: app == 'client'\negress: [{action: Allow, protocol: TCP}]"));
    assert.equal(allowed(s, 'client', 'server'), 'TCP 1-65535');
    assert.equal(allowed(s, 'server', 'client'), 'All Connections');
    const noRules = scope(calicoNp('p', 'a', "selector: app == 'client'"));
    assert.equal(allowed(noRules, 'server', 'client'), 'No Connections');
    assert.equal(allowed(noRules, 'client', 'server'), 'All Connections');
  });

  test('serviceAccounts and implicit labels: projectcalico.org/serviceaccount, pcns.* (conversion.go)', () => {
    const gnp = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: g}
spec:
  selector: "projectcalico.org/serviceaccount == 'web-sa'"
  ingress: [{action: Allow, source: {selector: "pcns.team == 'a'"}}]
`;
    const s = scope(gnp);
    assert.equal(allowed(s, 'client', 'server'), 'All Connections');
    assert.equal(allowed(s, 'other', 'server'), 'No Connections');
    const sa = calicoNp('p', 'b', "selector: all()\ningress: [{action: Allow, source: {serviceAccounts: {names: [web-sa]}}}]");
    assert.equal(allowed(scope(sa), 'server', 'other'), 'All Connections');
    assert.equal(allowed(scope(sa), 'other', 'server'), 'No Connections');
  });

  test('doNotTrack and preDNAT policies apply to host endpoints only, not to pods (globalnetworkpolicy.mdx)', () => {
    const untracked = GLOBAL_DENY.replace('  types: [Ingress, Egress]', '  doNotTrack: true\n  applyOnForward: true\n  types: [Ingress, Egress]');
    assert.equal(allowed(scope(untracked), 'client', 'server'), 'All Connections');
    const forward = GLOBAL_DENY.replace('  types: [Ingress, Egress]', '  applyOnForward: true\n  types: [Ingress, Egress]');
    assert.equal(allowed(scope(forward), 'client', 'server'), 'No Connections');
  });

  test('staged policies are never enforced (felix skips them)', () => {
    const staged = GLOBAL_DENY.replace('kind: GlobalNetworkPolicy', 'kind: StagedGlobalNetworkPolicy');
    const s = scope(staged);
    assert.equal(s.model.calico.policies[0].staged, true);
    assert.equal(allowed(s, 'client', 'server'), 'All Connections');
  });

  test('crd.projectcalico.org/v1 dumps: the default. name prefix is stripped (resources.go determinePolicyName)', () => {
    const v1 = GLOBAL_DENY.replace('projectcalico.org/v3', 'crd.projectcalico.org/v1').replace('name: default-deny', 'name: default.default-deny');
    const s = scope(v1);
    assert.equal(s.model.calico.policies[0].name, 'default-deny');
    assert.equal(allowed(s, 'client', 'server'), 'No Connections');
  });

  test('an AdminNetworkPolicy runs in the admin tier before Calico\'s default tier; its Pass reaches the default tier', () => {
    const anp = (action: string) => `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {team: b}}}
  ingress: [{name: r, action: ${action}, from: [{namespaces: {matchLabels: {team: a}}}]}]
`;
    // Ingress at the server only: the global deny also closes the client's egress.
    const ingress = (s: Scope) => s.analysis.ingressAllowed(pod(s, 'client'), pod(s, 'server')).toString();
    assert.equal(ingress(scope(GLOBAL_DENY, anp('Allow'))), 'All Connections');
    assert.equal(ingress(scope(GLOBAL_DENY, anp('Pass'))), 'No Connections');
    assert.equal(ingress(scope(GLOBAL_DENY, anp('Deny'))), 'No Connections');
    const s = scope(anp('Pass'), calicoNp('p', 'b', "selector: app == 'server'\ningress: [{action: Allow, protocol: TCP}]"));
    assert.equal(s.analysis.calico?.layout, 'pre-3.30');
    assert.equal(allowed(s, 'client', 'server'), 'TCP 1-65535');
  });

  test('explain names tier → policy → rule (what calicoctl users look for), and the tier\'s end', () => {
    const deny = calicoNp('deny-ssh', 'b', "order: 100\nselector: app == 'server'\ningress: [{action: Deny, protocol: TCP, destination: {ports: [22]}}]");
    const s = scope(GLOBAL_DENY, deny);
    const where = () => 'here';
    const ssh = explainText(explainVerdict(s.analysis.verdict(pod(s, 'client'), pod(s, 'server'), 'TCP', 22)), where);
    assert.match(ssh, /ingress of b\/server: denied: tier default → Calico NetworkPolicy b\/deny-ssh \(order 100\) → ingress rule 1: Deny \(here\)/);
    assert.match(ssh, /egress of a\/client: denied: end of tier default: no rule matched, the tier's default action denies/);
    const open = scope(calicoNp('p', 'b', "selector: app == 'server'\ningress: [{action: Allow, source: {nets: [10.0.0.0/8]}}]"));
    const text = explainText(explainVerdict(open.analysis.verdict(pod(open, 'client'), pod(open, 'server'), 'TCP', 80)), where);
    assert.match(text, /ingress of b\/server: denied: end of tier default.*\[uncertain/);
  });

  test('list cuts the address space at Calico nets and network sets', () => {
    const p = calicoNp('p', 'b', "selector: app == 'server'\ningress: [{action: Allow, protocol: TCP, source: {nets: [10.0.0.0/8]}}]");
    const text = connectionsToText(listConnections(scope(p).analysis));
    assert.match(text, /10\.0\.0\.0\/8 \(external\) => b\/server : TCP 1-65535/);
  });
});
