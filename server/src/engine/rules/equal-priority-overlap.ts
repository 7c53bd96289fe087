// Two cluster-wide policies of one tier with the same priority select some pod in common: which of them applies
// first is implementation-defined (network-policy-api, ClusterNetworkPolicySpec.Priority), so the verdict may differ
// between clusters. netpol evaluates them by kind and name.
import type { ClusterPolicy } from '../cluster-policy';
import { inWorkspace, locate, nameRange } from './common';
import { clusterPolicyName, selectedWorkloads } from './cluster-common';
import type { Rule } from './types';

export const equalPriorityOverlap: Rule = {
  id: 'equal-priority-overlap',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'Two cluster-wide policies of one tier share a priority and select the same pods: the order between them is implementation-defined.',
  run(context) {
    const model = context.model;
    const groups = new Map<string, ClusterPolicy[]>();
    for (const policy of model.clusterPolicies) {
      // BaselineAdminNetworkPolicy is a singleton without priority.
      if (!policy.valid || policy.kind === 'BaselineAdminNetworkPolicy') continue;
      const key = `${policy.tier}/${policy.priority}`;
      const list = groups.get(key);
      if (list) list.push(policy);
      else groups.set(key, [policy]);
    }
    for (const list of groups.values()) {
      if (list.length < 2) continue;
      const selected = list.map((p) => new Set(selectedWorkloads(model, p.subject)));
      for (let i = 0; i < list.length; i++) {
        for (let j = 0; j < list.length; j++) {
          if (i === j) continue;
          const a = list[i];
          const b = list[j];
          // Both directions must have rules for the order to matter in one of them.
          const shared = (['ingress', 'egress'] as const).some((d) => a[d].length > 0 && b[d].length > 0);
          if (!shared || !inWorkspace(context, a.object)) continue;
          const common = [...selected[i]].filter((w) => selected[j].has(w));
          if (common.length === 0) continue;
          context.report({
            message: `${clusterPolicyName(a)} and ${clusterPolicyName(b)} are both ${a.tier} tier with priority ${a.priority} and both select ${common[0].displayName}${common.length > 1 ? ` and ${common.length - 1} more` : ''}: which applies first is implementation-defined. Give them different priorities.`,
            location: locate(a.object, ['spec', 'priority']),
            related: [{ location: { uri: b.object.uri, range: nameRange(b.object) }, message: `${clusterPolicyName(b)}, priority ${b.priority}` }],
          });
        }
      }
    }
  },
};
