// A Pass rule in a tier after which no tier holds a policy: the passed traffic reaches the namespace profile, which
// allows it (Calico docs tier.mdx; profiles kns.<ns>). Pass then acts as Allow, which is rarely what was meant.
import { inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import type { Rule } from './types';

export const calicoPassInLastTier: Rule = {
  id: 'calico-pass-in-last-tier',
  defaultSeverity: 'information',
  unit: 'scope',
  description: 'A Calico Pass rule in the last tier that holds policies: the passed traffic is allowed by the profile.',
  run(context) {
    const calico = context.analysis.calico;
    if (!calico) return;
    const { model } = context;
    const tiers = calico.tiers;
    const holdsPolicies = tiers.map((t) => t.calicoPolicies.length > 0 || (t.role === 'default' && model.policies.some((p) => p.valid)) || (t.role === 'baseline' && model.clusterPolicies.some((p) => p.valid && p.tier === 'Baseline')));
    for (let i = 0; i < tiers.length; i++) {
      if (holdsPolicies.slice(i + 1).some(Boolean)) continue;
      for (const policy of tiers[i].calicoPolicies) {
        if (!inWorkspace(context, policy.object)) continue;
        for (const rule of [...policy.ingress, ...policy.egress]) {
          if (rule.action !== 'pass') continue;
          context.report({
            message: `${rule.direction} rule ${rule.index + 1} of ${calicoPolicyName(policy)} passes, but tier ${tiers[i].name} is the last tier with policies: the passed traffic reaches the namespace profile, which allows it. Pass acts as Allow here.`,
            location: locate(policy.object, [...rule.path, 'action']),
          });
        }
      }
    }
  },
};
