// The workload hover's reach on tiered models (features/reach.ts tieredReachOf) groups workloads by class: the other
// workload's side by Analysis.tierSubjectClass and its NetworkPolicies' result, the subject's side by the rules that
// match the other workload and its traits. These groupings must never merge workloads the analysis tells apart:
// seeded random clusters with AdminNetworkPolicies / BaselineAdminNetworkPolicies (network-policy-api v1alpha1 API
// reference: subjects, peers, Allow/Deny/Pass, named ports) and Calico tiers and policies (Calico docs:
// reference/resources/globalnetworkpolicy, networkpolicy, tier, _rule.mdx: Deny/Pass/Log, selectors on the
// destination of ingress rules, notSelector, nets, named ports, order 1000 among the Kubernetes NetworkPolicies)
// are compared with Analysis.connection on every ordered pair.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workloadEndpoint } from '../../../src/engine/evaluate';
import { featureIndex } from '../../../src/engine/features/index';
import type { Workspace } from '../../../src/engine/workspace';
import { APPS, chance, NAMESPACES, pick, PORT_NAMES, randomFiles, seeded, TEAMS, TIERS, workspaceOf, type Random } from '../random-cluster';

function disagreements(workspace: Workspace): string[] {
  const problems: string[] = [];
  for (const index of featureIndex(workspace).scopes()) {
    const workloads = index.model.workloads;
    for (const w of workloads) {
      const reach = index.reachOf(w);
      for (const other of workloads) {
        if (other === w) continue;
        const inbound = index.analysis.connection(workloadEndpoint(other), workloadEndpoint(w)).allowed.toString();
        const outbound = index.analysis.connection(workloadEndpoint(w), workloadEndpoint(other)).allowed.toString();
        const from = reach.from.get(other)?.toString() ?? 'No Connections';
        const to = reach.to.get(other)?.toString() ?? 'No Connections';
        if (from !== inbound) problems.push(`${other.displayName} -> ${w.displayName}: reach ${from}, connection ${inbound}`);
        if (to !== outbound) problems.push(`${w.displayName} -> ${other.displayName}: reach ${to}, connection ${outbound}`);
      }
    }
  }
  return problems;
}

const pods = (random: Random) =>
  chance(random, 0.5)
    ? `{namespaces: {matchLabels: {team: ${pick(random, TEAMS)}}}}`
    : `{pods: {namespaceSelector: {${chance(random, 0.5) ? '' : `matchLabels: {team: ${pick(random, TEAMS)}}`}}, podSelector: {matchLabels: {app: ${pick(random, APPS)}}}}}`;

function clusterPolicies(random: Random): string {
  const docs: string[] = [];
  const rule = (direction: 'ingress' | 'egress', i: number, baseline: boolean) => {
    const action = baseline ? pick(random, ['Allow', 'Deny']) : pick(random, ['Allow', 'Deny', 'Pass']);
    const peers = [pods(random)];
    if (direction === 'egress' && chance(random, 0.2)) peers.push('{networks: [0.0.0.0/0]}');
    const ports = chance(random, 0.5) ? '' : `, ports: [${chance(random, 0.5) ? `{namedPort: ${pick(random, PORT_NAMES)}}` : `{portNumber: {protocol: TCP, port: ${pick(random, [80, 443, 8080, 53])}}}`}]`;
    return `    - {name: r${i}, action: ${action}, ${direction === 'ingress' ? 'from' : 'to'}: [${peers.join(', ')}]${ports}}\n`;
  };
  const spec = (baseline: boolean) => {
    let out = `  subject: ${pods(random)}\n`;
    for (const direction of ['ingress', 'egress'] as const) {
      const n = Math.floor(random() * 3);
      if (n === 0) continue;
      out += `  ${direction}:\n`;
      for (let i = 0; i < n; i++) out += rule(direction, i, baseline);
    }
    return out;
  };
  for (let i = 0, n = 1 + Math.floor(random() * 3); i < n; i++) {
    docs.push(`apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: anp${i}}\nspec:\n  priority: ${Math.floor(random() * 5)}\n${spec(false)}`);
  }
  if (chance(random, 0.6)) docs.push(`apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata: {name: default}\nspec:\n${spec(true)}`);
  return docs.join('---\n');
}

function calicoSelector(random: Random): string {
  const roll = random();
  if (roll < 0.15) return 'all()';
  if (roll < 0.45) return `app == '${pick(random, APPS)}'`;
  if (roll < 0.6) return `tier in {'${pick(random, TIERS)}', '${pick(random, TIERS)}'}`;
  if (roll < 0.7) return 'has(tier)';
  if (roll < 0.8) return `!has(tier)`;
  if (roll < 0.9) return `projectcalico.org/namespace == '${pick(random, NAMESPACES)}'`;
  return `app != '${pick(random, APPS)}' && has(app)`;
}

function calicoEntity(random: Random): string {
  const parts: string[] = [];
  const roll = random();
  if (roll < 0.4) parts.push(`selector: "${calicoSelector(random)}"`);
  else if (roll < 0.5) parts.push(`notSelector: "${calicoSelector(random)}"`);
  else if (roll < 0.6) parts.push(`nets: [${pick(random, ['0.0.0.0/0', '10.0.0.0/8'])}]`);
  if (chance(random, 0.25)) parts.push(`namespaceSelector: "team == '${pick(random, TEAMS)}'"`);
  return `{${parts.join(', ')}}`;
}

function calicoRule(random: Random, direction: 'ingress' | 'egress'): string {
  const action = pick(random, ['Allow', 'Deny', 'Pass', 'Log', 'Allow']);
  const peer = calicoEntity(random);
  // The endpoint's own side: an ingress rule's destination, an egress rule's source (selectors and ports).
  let own = chance(random, 0.3) ? `selector: "${calicoSelector(random)}"` : '';
  let protocol = '';
  if (chance(random, 0.5)) {
    protocol = `protocol: ${pick(random, ['TCP', 'UDP'])}, `;
    const ports = `ports: [${pick(random, [80, 443, 8080, '"8000:9100"', ...PORT_NAMES])}]`;
    if (direction === 'ingress') own = own ? `${own}, ${ports}` : ports;
  }
  const sides = direction === 'ingress' ? `source: ${peer}, destination: {${own}}` : `source: {${own}}, destination: ${peer.replace(/}$/, protocol && chance(random, 0.7) ? `${peer === '{}' ? '' : ', '}ports: [${pick(random, [80, 53, 'http', 'metrics'])}]}` : '}')}`;
  return `    - {action: ${action}, ${protocol}${sides}}\n`;
}

function calicoPolicies(random: Random): string {
  const docs: string[] = [];
  if (chance(random, 0.6)) docs.push(`apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: platform}\nspec: {order: 100${chance(random, 0.4) ? ', defaultAction: Pass' : ''}}`);
  for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) {
    const global = chance(random, 0.5);
    const tier = docs.length && chance(random, 0.4) ? 'platform' : undefined;
    const namespace = global ? '' : `, namespace: ${pick(random, NAMESPACES)}`;
    // Order 1000 is the Kubernetes NetworkPolicies' order: such a policy sorts among them by name (p<n>, as theirs).
    const order = chance(random, 0.2) ? '' : `  order: ${pick(random, [10, 500, 1000, 1000, 2000])}\n`;
    let spec = `${tier ? `  tier: ${tier}\n` : ''}${order}  selector: "${calicoSelector(random)}"\n`;
    const types = pick(random, [['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
    spec += `  types: [${types.join(', ')}]\n`;
    for (const direction of ['ingress', 'egress'] as const) {
      if (!types.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
      const n = Math.floor(random() * 3);
      if (n === 0) continue;
      spec += `  ${direction}:\n`;
      for (let r = 0; r < n; r++) spec += calicoRule(random, direction);
    }
    docs.push(`apiVersion: projectcalico.org/v3\nkind: ${global ? 'GlobalNetworkPolicy' : 'NetworkPolicy'}\nmetadata: {name: ${tier ? `${tier}.` : ''}p${Math.floor(random() * 30)}c${i}${namespace}}\nspec:\n${spec}`);
  }
  return docs.join('---\n');
}

describe('tiered workload reach agrees with Analysis.connection on every pair', () => {
  test('random clusters with AdminNetworkPolicies and a BaselineAdminNetworkPolicy (network-policy-api v1alpha1 API reference)', () => {
    let pairs = 0;
    let tieredModels = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const random = seeded(seed);
      const files = randomFiles(random, { workloads: 5 });
      files.set('file:///ws/cluster.yaml', clusterPolicies(random));
      const workspace = workspaceOf(files);
      const scope = workspace.scopes()[0];
      if (scope.analysis.tiered) tieredModels++;
      pairs += scope.model.workloads.length ** 2;
      assert.deepEqual(disagreements(workspace), [], `seed ${seed}`);
    }
    assert.ok(tieredModels >= 50, `the cluster-wide policies took part in most clusters (${tieredModels})`);
    assert.ok(pairs > 2000, `enough pairs (${pairs})`);
  });

  test('random clusters with Calico tiers and policies (Calico docs: globalnetworkpolicy, networkpolicy, tier, _rule.mdx)', () => {
    let pairs = 0;
    let calicoModels = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const random = seeded(1000 + seed);
      const files = randomFiles(random, { workloads: 5 });
      files.set('file:///ws/calico.yaml', calicoPolicies(random));
      if (chance(random, 0.3)) files.set('file:///ws/cluster.yaml', clusterPolicies(random));
      const workspace = workspaceOf(files);
      const scope = workspace.scopes()[0];
      if (scope.analysis.calico) calicoModels++;
      pairs += scope.model.workloads.length ** 2;
      assert.deepEqual(disagreements(workspace), [], `seed ${1000 + seed}`);
    }
    assert.ok(calicoModels >= 40, `Calico semantics applied in most clusters (${calicoModels})`);
    assert.ok(pairs > 2000, `enough pairs (${pairs})`);
  });

  test('a Calico policy at order 1000 sorts among the NetworkPolicies by name (Calico docs: networkpolicy.mdx, Kubernetes policies at order 1000; felix policy_sorter.go)', () => {
    // w1's NetworkPolicy "a" allows port 80 before the Calico Deny "m"; w2's "z" comes after it. Both NetworkPolicies
    // allow the same, so only their places around "m" tell the two workloads apart.
    const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ns, labels: {app: ${name}}}\nspec: {containers: [{name: c, image: x}]}\n`;
    const np = (name: string, app: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: ns}\nspec:\n  podSelector: {matchLabels: {app: ${app}}}\n  ingress: [{ports: [{port: 80}]}]\n`;
    const calico = `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: m}\nspec:\n  order: 1000\n  selector: app in {'w1', 'w2'}\n  types: [Ingress]\n  ingress: [{action: Deny, protocol: TCP, destination: {ports: [80]}}]\n`;
    const workspace = workspaceOf(new Map([['file:///ws/all.yaml', [pod('client'), pod('w1'), pod('w2'), np('a', 'w1'), np('z', 'w2'), calico].join('---\n')]]));
    const [index] = featureIndex(workspace).scopes();
    const byName = (name: string) => index.model.workloads.find((w) => w.name === name)!;
    const reach = index.reachOf(byName('client'));
    assert.equal(reach.to.get(byName('w1'))?.toString(), 'TCP 80');
    assert.equal(reach.to.get(byName('w2')), undefined);
    assert.deepEqual(disagreements(workspace), []);
  });
});
