// A `from`/`to` peer that selects no pod or no namespace of the workspace: the rule allows nothing through it.
import { formatSelector, isEmptySelector } from '../selectors';
import { inWorkspace, listNames, locate, modelIndex, namespacesMatching, peerSelectsAnyPod, ruleLabel } from './common';
import type { Rule } from './types';

export const peerMatchesNothing: Rule = {
  id: 'peer-matches-nothing',
  defaultSeverity: 'warning',
  description: 'A from/to peer selects no pod or no namespace of the workspace.',
  run(context) {
    if (!modelIndex(context.model).hasOwnWorkloads) return;
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of [...(policy.types.ingress ? policy.ingress : []), ...(policy.types.egress ? policy.egress : [])]) {
        for (const peer of rule.peers ?? []) {
          if (peer.type !== 'pods') continue;
          const where = `in ${ruleLabel(rule)}`;
          if (peer.namespaceSelector) {
            const namespaces = namespacesMatching(context, peer.namespaceSelector);
            if (namespaces.length === 0) {
              context.report({
                message: `namespaceSelector (${formatSelector(peer.namespaceSelector)}) ${where} selects no namespace: no namespace in the workspace has these labels. Declare namespaces that live outside the repository in .netpol.yaml.`,
                location: locate(policy.object, [...peer.path, 'namespaceSelector']),
              });
              continue;
            }
            // Namespaces known only from the configuration may hold pods the workspace does not show.
            if (namespaces.every((n) => n.external)) continue;
            if (peerSelectsAnyPod(context, policy, peer)) continue;
            const nsText = `namespace${namespaces.length > 1 ? 's' : ''} ${listNames(namespaces.map((n) => n.name))}`;
            const podText = peer.podSelector && !isEmptySelector(peer.podSelector) ? `pods with ${formatSelector(peer.podSelector)}` : 'any pod';
            context.report({
              message: `This peer ${where} selects ${podText} in ${nsText}, but no such pod exists in the workspace.`,
              location: locate(policy.object, [...peer.path, peer.podSelector ? 'podSelector' : 'namespaceSelector']),
            });
            continue;
          }
          if (peerSelectsAnyPod(context, policy, peer)) continue;
          if (context.model.namespaces.get(policy.namespace)?.external) continue;
          const podText = peer.podSelector && !isEmptySelector(peer.podSelector) ? `pods with ${formatSelector(peer.podSelector)}` : 'every pod';
          context.report({
            message: `podSelector ${where} selects ${podText} of namespace ${policy.namespace} (a podSelector without namespaceSelector stays in the policy's namespace), but no such pod exists there.`,
            location: locate(policy.object, [...peer.path, 'podSelector']),
          });
        }
      }
    }
  },
};
