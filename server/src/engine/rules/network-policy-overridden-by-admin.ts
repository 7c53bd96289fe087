// A NetworkPolicy whose rules of a direction never decide anything: for every pod it selects, an Admin-tier rule
// (AdminNetworkPolicy, ClusterNetworkPolicy tier Admin) allows or denies every connection those rules could admit
// before the NetworkPolicies are consulted (network-policy-api API reference: the Admin tier is evaluated first and
// Allow/Deny are final; Pass hands the traffic on). Reported only where the claim holds for any pods: the Admin rule
// names no ports, its peers cover every peer the NetworkPolicy's rules can name (`namespaces: {}` covers every pod;
// for egress, `networks` 0.0.0.0/0 and ::/0 cover every address), and no Admin rule before it passes anything.
import type { ClusterPeer, ClusterRule } from '../cluster-policy';
import { contains } from '../cidr';
import type { Direction, PolicyRule } from '../policy';
import { inWorkspace, locate } from './common';
import { clusterPolicyName } from './cluster-common';
import type { Rule } from './types';

const everyPod = (p: ClusterPeer) => p.type === 'pods' && p.namespaceSelector.requirements.length === 0 && (p.podSelector?.requirements.length ?? 0) === 0;
const WHOLE_V4 = { v6: false, lo: 0n, hi: 0xffffffffn };
const WHOLE_V6 = { v6: true, lo: 0n, hi: (1n << 128n) - 1n };

/** Whether the Admin rule decides every connection `rules` (NetworkPolicy rules of one direction) could admit. */
function covers(admin: ClusterRule, rules: PolicyRule[]): boolean {
  if (admin.ports || admin.action === 'pass') return false;
  const pods = admin.peers.some(everyPod);
  const nets = admin.peers.flatMap((p) => (p.type === 'networks' ? p.networks.map((n) => n.range) : []));
  const holds = (range: typeof WHOLE_V4) => nets.some((n) => contains(n, range));
  for (const rule of rules) {
    // Without peers a rule admits every pod and (egress) every address; ingress Admin peers never match addresses.
    if (!rule.peers) {
      if (!pods || admin.direction === 'ingress' || !holds(WHOLE_V4) || !holds(WHOLE_V6)) return false;
      continue;
    }
    for (const peer of rule.peers) {
      if (peer.type === 'pods' ? !pods : admin.direction === 'ingress' || !holds(peer.cidr)) return false;
    }
  }
  return true;
}

export const networkPolicyOverriddenByAdmin: Rule = {
  id: 'network-policy-overridden-by-admin',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A NetworkPolicy whose rules of a direction never decide: an Admin-tier rule allows or denies all of it first for every pod it selects.',
  run(context) {
    const { model, analysis } = context;
    if (!model.clusterPolicies.some((p) => p.valid && p.tier === 'Admin')) return;
    for (const policy of model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      const selected = model.workloads.filter((w) => !w.hostNetwork && analysis.selectingPolicies(w).includes(policy));
      if (selected.length === 0) continue;
      for (const direction of ['ingress', 'egress'] as Direction[]) {
        const rules = policy[direction];
        if (!policy.types[direction] || rules.length === 0) continue;
        let decider: { policy: string; rule: ClusterRule } | undefined;
        const decided = selected.every((w) => {
          const entry = analysis.clusterRules(w, direction);
          for (let i = 0; i < entry.adminCount; i++) {
            const { policy: admin, rule } = entry.rules[i];
            if (rule.action === 'pass') return false;
            if (covers(rule, rules)) {
              decider ??= { policy: `${clusterPolicyName(admin)} (priority ${admin.priority})`, rule };
              return true;
            }
          }
          return false;
        });
        if (!decided || !decider) continue;
        const ruleName = `${direction} rule ${decider.rule.index + 1}${decider.rule.name ? ` "${decider.rule.name}"` : ''}`;
        context.report({
          message: `these ${direction} rules never decide: for the ${selected.length === 1 ? `pod ${selected[0].displayName}` : `${selected.length} workloads`} this policy selects, ${decider.policy} ${ruleName} (${decider.rule.actionText}) decides every connection they could allow before NetworkPolicies are consulted.`,
          location: locate(policy.object, ['spec', direction], { key: true }),
        });
      }
    }
  },
};
