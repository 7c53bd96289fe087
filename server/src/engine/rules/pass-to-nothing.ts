// A Pass rule whose pods have nothing below it: no NetworkPolicy isolates them for that direction and no Baseline
// policy applies to them, so the passed traffic falls to the default and is allowed. Pass then acts as Allow.
import type { ClusterRule } from '../cluster-policy';
import { inWorkspace, locate } from './common';
import { clusterPolicyName, selectedWorkloads } from './cluster-common';
import type { Rule } from './types';

export const passToNothing: Rule = {
  id: 'pass-to-nothing',
  defaultSeverity: 'information',
  unit: 'scope',
  description: 'A Pass rule passes to nothing: no NetworkPolicy or Baseline policy below it decides, so the traffic is allowed.',
  run(context) {
    const { model, analysis } = context;
    for (const policy of model.clusterPolicies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      const subjects = selectedWorkloads(model, policy.subject);
      if (subjects.length === 0) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const passes = policy[direction].filter((r: ClusterRule) => r.action === 'pass');
        if (passes.length === 0) continue;
        const below = subjects.some((w) => {
          if (analysis.isolatingPolicies(w, direction).length > 0) return true;
          return policy.tier === 'Admin' && analysis.clusterRules(w, direction).policies.some((p) => p.tier === 'Baseline');
        });
        if (below) continue;
        for (const rule of passes) {
          context.report({
            message: `${direction} rule ${rule.index + 1} of ${clusterPolicyName(policy)} passes to nothing: ${policy.tier === 'Admin' ? 'no NetworkPolicy isolates its pods for ' + direction + ' and no Baseline policy selects them' : 'the Baseline tier is the last'}, so the passed traffic is allowed by default.`,
            location: locate(policy.object, [...rule.path, 'action']),
          });
        }
      }
    }
  },
};
