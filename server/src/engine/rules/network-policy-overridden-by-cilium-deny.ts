// A NetworkPolicy whose allow rules of a direction are irrelevant: a Cilium deny rule drops every connection of that
// direction for every pod the NetworkPolicy selects (deny beats any allow, from any kind: Cilium docs deny.rst).
// Reported only for deny rules that deny everything (the entity `all`, no port limit), where the claim is exact.
import { ciliumPolicies } from '../cilium-evaluate';
import type { CiliumElement } from '../cilium';
import type { Workload } from '../model';
import type { Direction, NetworkPolicy } from '../policy';
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const networkPolicyOverriddenByCiliumDeny: Rule = {
  id: 'network-policy-overridden-by-cilium-deny',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A NetworkPolicy whose rules of a direction allow nothing because a Cilium deny rule drops all of that direction for its pods.',
  run(context) {
    // Only an entry that denies every peer on every port can make a whole direction of a NetworkPolicy irrelevant.
    if (!ciliumPolicies(context.model).some((p) => p.valid && p.rules.some((r) => r.elements.some(deniesAll)))) return;
    const cilium = context.analysis.ciliumEvaluator();
    // The workloads each NetworkPolicy selects, in one pass over the workloads.
    const selectedBy = new Map<NetworkPolicy, Workload[]>();
    for (const w of context.model.workloads) {
      if (w.hostNetwork) continue;
      for (const p of cilium.analysis.selectingPolicies(w)) {
        const list = selectedBy.get(p);
        if (list) list.push(w);
        else selectedBy.set(p, [w]);
      }
    }
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      const selected = selectedBy.get(policy) ?? [];
      if (selected.length === 0) continue;
      for (const direction of ['ingress', 'egress'] as Direction[]) {
        if (policy[direction].length === 0) continue;
        let by: string | undefined;
        const allDenied = selected.every((w) =>
          cilium.selectingRules(w).some(({ policy: cp, rule }) => {
            const hit = rule.elements.some((e) => e.direction === direction && deniesAll(e));
            if (hit) by ??= `${cp.kind} ${cp.namespace !== undefined ? `${cp.namespace}/` : ''}${cp.name}`;
            return hit;
          }),
        );
        if (!allDenied || by === undefined) continue;
        context.report({
          message: `these ${direction} rules allow nothing: ${by} denies all ${direction} of the ${selected.length} workload(s) this policy selects, and a Cilium deny beats any allow`,
          location: locate(policy.object, ['spec', direction], { key: true }),
        });
      }
    }
  },
};

function deniesAll(e: CiliumElement): boolean {
  return e.deny && e.toPorts === undefined && (e.peers?.some((p) => p.type === 'entity' && p.entity === 'all') ?? false);
}
