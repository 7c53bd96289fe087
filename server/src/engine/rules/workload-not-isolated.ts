// A workload that no policy isolates for a direction, in a namespace where policies isolate most workloads for that
// direction: the namespace is being locked down, and this workload was left out (it accepts, or
// sends, any traffic). Per workload and direction. A namespace without any isolation is
// namespace-without-default-deny's; one where only a few workloads are isolated made a per-workload choice.
import type { Direction } from '../policy';
import type { Workload } from '../model';
import { inWorkspace, listNames, locate, modelIndex, policyName } from './common';
import type { Rule } from './types';

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];

export const workloadNotIsolated: Rule = {
  id: 'workload-not-isolated',
  defaultSeverity: 'information',
  unit: 'namespace',
  description: 'No policy isolates a workload for a direction while other workloads of its namespace are isolated for it.',
  run(context) {
    const byNamespace = modelIndex(context.model).workloadsByNamespace;
    for (const [namespace, all] of byNamespace) {
      const workloads = all.filter((w) => !w.assumed && inWorkspace(context, w.object));
      if (workloads.length < 2) continue;
      for (const direction of DIRECTIONS) {
        const open: Workload[] = [];
        const isolating = new Set<string>();
        for (const w of workloads) {
          const policies = context.analysis.isolatingPolicies(w, direction).map(policyName);
          // Under Cilium, its policies' entries make a direction default-deny too.
          policies.push(...(context.analysis.cilium?.isolatingPolicies(w, direction) ?? []));
          if (policies.length === 0) open.push(w);
          else for (const p of policies) isolating.add(p);
        }
        const isolated = workloads.length - open.length;
        // Isolation of a few workloads among many is a per-workload choice, not a namespace being locked down.
        if (isolating.size === 0 || open.length === 0 || isolated <= open.length) continue;
        for (const w of open) {
          context.report({
            message:
              `No policy isolates ${w.displayName} for ${direction}, so it ${direction === 'ingress' ? 'accepts traffic from anywhere' : 'may send traffic anywhere'}; ` +
              `${isolated} other workload${isolated === 1 ? '' : 's'} of namespace ${namespace} ${isolated === 1 ? 'is' : 'are'} isolated for ${direction} (by ${listNames([...isolating])}).`,
            location: locate(w.object, ['metadata', 'name']),
          });
        }
      }
    }
  },
};
