// Two Calico policies of one tier with the same `order` that select a common pod for a common direction: Calico
// runs them by name (policy_sorter.go), so renaming one changes which decides. Reported once per pair, on the later.
import { inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import { compareTieredPolicies } from '../calico-evaluate';
import type { Rule } from './types';

export const calicoEqualOrder: Rule = {
  id: 'calico-equal-order',
  defaultSeverity: 'information',
  unit: 'scope',
  description: 'Two Calico policies of a tier share an order and select a common pod: their names decide which runs first.',
  run(context) {
    const calico = context.analysis.calico;
    if (!calico) return;
    const { model } = context;
    for (const tier of calico.tiers) {
      const policies = [...tier.calicoPolicies].sort((a, b) => compareTieredPolicies({ type: 'calico', policy: a, name: a.name, order: a.order }, { type: 'calico', policy: b, name: b.name, order: b.order }));
      for (let i = 0; i < policies.length; i++) {
        for (let j = 0; j < i; j++) {
          const [first, later] = [policies[j], policies[i]];
          if (first.order !== later.order || !inWorkspace(context, later.object)) continue;
          // Policies of two namespaces never select a common pod.
          if (first.namespace !== undefined && later.namespace !== undefined && first.namespace !== later.namespace) continue;
          const shared = (['ingress', 'egress'] as const).filter((d) => first.types[d] && later.types[d] && first[d].length + later[d].length > 0);
          if (shared.length === 0) continue;
          const pod = model.workloads.find((w) => calico.selects(first, w) && calico.selects(later, w));
          if (!pod) continue;
          context.report({
            message: `${calicoPolicyName(later)} and ${calicoPolicyName(first)} both have ${first.order === undefined ? 'no order' : `order ${first.order}`} in tier ${tier.name} and both select ${pod.displayName}: Calico runs ${first.name} first only because of its name. Give them distinct orders.`,
            location: later.order === undefined ? locate(later.object, ['metadata', 'name']) : locate(later.object, ['spec', 'order']),
          });
        }
      }
    }
  },
};
