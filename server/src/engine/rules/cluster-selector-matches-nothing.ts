// A cluster-wide policy's subject selects no pod, or one of its namespaces/pods peers matches none: the policy or
// the peer has no effect on anything in the workspace.
import type { ClusterPodSelection } from '../cluster-policy';
import { modelIndex, inWorkspace, locate } from './common';
import { clusterPolicyName, reachesExternalNamespace, selectedWorkloads } from './cluster-common';
import type { Rule } from './types';

export const clusterSelectorMatchesNothing: Rule = {
  id: 'cluster-selector-matches-nothing',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'The subject or a pods/namespaces peer of a cluster-wide policy selects no pod.',
  run(context) {
    // A workspace without workloads (policies only) says nothing about what exists.
    if (!modelIndex(context.model).hasOwnWorkloads) return;
    const model = context.model;
    const empty = (selection: ClusterPodSelection) => selectedWorkloads(model, selection).length === 0 && !reachesExternalNamespace(model, selection);
    for (const policy of model.clusterPolicies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      if (empty(policy.subject)) {
        context.report({
          message: `the subject of ${clusterPolicyName(policy)} selects no pod in this workspace (host-network pods are never subjects); this policy applies to nothing.`,
          location: locate(policy.object, policy.subjectPath),
        });
      }
      for (const rule of [...policy.ingress, ...policy.egress]) {
        for (const peer of rule.peers) {
          if (peer.type !== 'pods' || !empty(peer)) continue;
          context.report({
            message: `this peer matches no pod in this workspace (host-network pods are never pod peers); ${rule.direction} rule ${rule.index + 1} of ${clusterPolicyName(policy)} never applies to it.`,
            location: locate(policy.object, peer.path),
          });
        }
      }
    }
  },
};
