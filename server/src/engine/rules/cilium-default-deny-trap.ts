// The default-deny traps of Cilium policies (intro.rst "Endpoint default policy"; the CRD's Rule.enableDefaultDeny:
// "the default is true for each traffic direction that has rules ... enabled if any policy requests it"):
// a rule with only deny entries in a direction still switches the pods it selects to default deny in that direction,
// so everything no allow rule names is dropped too. Reported only when no policy (Cilium or Kubernetes) allows
// anything in that direction for those pods: otherwise they are default-deny anyway and the deny changes nothing else.
import { ciliumPolicies } from '../cilium-evaluate';
import type { Direction } from '../policy';
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const ciliumDefaultDenyTrap: Rule = {
  id: 'cilium-default-deny-trap',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A Cilium deny-only rule that also blocks all other traffic of its direction (enableDefaultDeny defaults to true).',
  run(context) {
    const policies = ciliumPolicies(context.model);
    if (policies.length === 0) return;
    const cilium = context.analysis.ciliumEvaluator();
    for (const policy of policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of policy.rules) {
        for (const direction of ['ingress', 'egress'] as Direction[]) {
          const mine = rule.elements.filter((e) => e.direction === direction);
          if (mine.length === 0 || mine.some((e) => !e.deny) || rule.enableDefaultDeny[direction] === false) continue;
          const selected = context.model.workloads.filter((w) => cilium.selectingRules(w).some((x) => x.rule === rule));
          if (selected.length === 0) continue;
          const allowedSomewhere = selected.some(
            (w) =>
              cilium.selectingRules(w).some((x) => x.rule.elements.some((e) => e.direction === direction && !e.deny)) ||
              cilium.analysis.selectingPolicies(w).some((p) => p.types[direction]),
          );
          if (allowedSomewhere) continue;
          const section = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
          context.report({
            message: `this ${section}-only rule also drops all other ${direction} of the ${selected.length} workload(s) it selects: Cilium turns on default deny for every direction a rule has entries in. Add \`enableDefaultDeny: {${direction}: false}\` to deny only what it names`,
            location: locate(policy.object, [...rule.path, section]),
          });
        }
      }
    }
  },
};
