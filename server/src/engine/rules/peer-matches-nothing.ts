// A `from`/`to` peer that selects no pod or no namespace of the workspace: the rule allows nothing through it.
import { formatSelector, isEmptySelector } from '../selectors';
import { inWorkspace, listNames, locate, modelIndex, namespaceEvidence, namespacesMatching, namespacesNamedBy, namespaceTitle, peerSelectsAnyPod, ruleLabel } from './common';
import type { Rule } from './types';

export const peerMatchesNothing: Rule = {
  id: 'peer-matches-nothing',
  defaultSeverity: 'warning',
  // Whether a peer that selects nothing is a warning depends on every workload of the namespaces it reaches.
  unit: 'policy-reach',
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
            // A namespace named by kubernetes.io/metadata.name exists in the cluster even when the files do not
            // declare it; its pods are unknown, not absent.
            const named = namespacesNamedBy(peer.namespaceSelector).filter((n) => !namespaces.some((ns) => ns.name === n));
            if (named.length > 0) {
              if (namespaces.length === 0 || !peerSelectsAnyPod(context, policy, peer)) {
                context.report({
                  severity: 'hint',
                  message: `This peer ${where} selects pods in namespace${named.length > 1 ? 's' : ''} ${listNames(named)}, which the files do not hold: its pods are unknown, so the peer cannot be checked.`,
                  location: locate(policy.object, [...peer.path, 'namespaceSelector']),
                });
              }
              continue;
            }
            if (namespaces.length === 0) {
              // Namespaces outside the files may carry the labels, unless the files label their namespaces
              // themselves (Namespace objects with labels of their own, or namespaces declared in .netpol.yaml).
              const labelled = [...context.model.namespaces.values()].some((n) => n.external || (!n.implicit && Object.keys(n.labels).length > 1));
              context.report({
                ...(labelled ? {} : { severity: 'hint' as const }),
                message: `namespaceSelector (${formatSelector(peer.namespaceSelector)}) ${where} selects no namespace: no namespace in the files has these labels${labelled ? '' : ', and the files label no namespace, so namespaces outside them may'}. Declare namespaces that live outside the repository in .netpol.yaml.`,
                location: locate(policy.object, [...peer.path, 'namespaceSelector']),
              });
              continue;
            }
            // Namespaces known only from the configuration may hold pods the workspace does not show.
            if (namespaces.every((n) => n.external)) continue;
            if (peerSelectsAnyPod(context, policy, peer)) continue;
            const nsText = `namespace${namespaces.length > 1 ? 's' : ''} ${listNames(namespaces.map((n) => n.name))}`;
            const podText = peer.podSelector && !isEmptySelector(peer.podSelector) ? `pods with ${formatSelector(peer.podSelector)}` : 'any pod';
            // By name: the namespaces' order differs between a built and an updated model.
            const open = namespaces.map((n) => n.name).sort().map((n) => namespaceEvidence(context, n)).find((e) => !e.complete);
            if (open) {
              context.report({
                severity: 'hint',
                message: `This peer ${where} selects ${podText} in ${nsText}, and no such pod is in the files; ${open.unknown}.`,
                location: locate(policy.object, [...peer.path, peer.podSelector ? 'podSelector' : 'namespaceSelector']),
              });
              continue;
            }
            context.report({
              message: `This peer ${where} selects ${podText} in ${nsText}, but no such pod exists in the workspace.`,
              location: locate(policy.object, [...peer.path, peer.podSelector ? 'podSelector' : 'namespaceSelector']),
            });
            continue;
          }
          if (peerSelectsAnyPod(context, policy, peer)) continue;
          if (context.model.namespaces.get(policy.namespace)?.external) continue;
          const podText = peer.podSelector && !isEmptySelector(peer.podSelector) ? `pods with ${formatSelector(peer.podSelector)}` : 'every pod';
          const evidence = namespaceEvidence(context, policy.namespace);
          if (!evidence.complete) {
            context.report({
              severity: 'hint',
              message: `podSelector ${where} selects ${podText} of namespace ${policy.namespace} (a podSelector without namespaceSelector stays in the policy's namespace), and no such pod is in the files; ${evidence.unknown}.`,
              location: locate(policy.object, [...peer.path, 'podSelector']),
            });
            continue;
          }
          context.report({
            message: `podSelector ${where} selects ${podText} of ${namespaceTitle(context, policy.namespace)} (a podSelector without namespaceSelector stays in the policy's namespace), but no such pod exists there.`,
            location: locate(policy.object, [...peer.path, 'podSelector']),
          });
        }
      }
    }
  },
};
