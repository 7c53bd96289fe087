// A Cilium endpointSelector or from/toEndpoints selector that matches no pod of the workspace, where the workspace
// holds pods it could match (the policy's namespace for a CNP, any namespace for a CCNP): the rule does nothing.
// Cilium selectors match identity labels (pod labels, namespace, namespace labels, service account, cluster).
import { NAMESPACE_LABEL } from '../cilium';
import { CiliumAnalysis, ciliumPolicies } from '../cilium-evaluate';
import { matchesSelector } from '../selectors';
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const ciliumSelectorMatchesNothing: Rule = {
  id: 'cilium-selector-matches-nothing',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A Cilium endpointSelector or from/toEndpoints selector that matches no pod the workspace could match.',
  run(context) {
    const policies = ciliumPolicies(context.model);
    if (policies.length === 0) return;
    const cilium = new CiliumAnalysis(context.model, {}, context.analysis);
    const pods = context.model.workloads.filter((w) => !w.hostNetwork);
    for (const policy of policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      const candidates = policy.namespace !== undefined ? pods.filter((w) => w.namespace === policy.namespace) : pods;
      if (candidates.length === 0) continue;
      for (const rule of policy.rules) {
        if (rule.nodeSelector) continue;
        if (!candidates.some((w) => matchesSelector(rule.endpointSelector, cilium.identityLabels(w)))) {
          context.report({ message: `endpointSelector matches no pod${policy.namespace !== undefined ? ` of namespace ${policy.namespace}` : ''} in the workspace: this rule applies to nothing`, location: locate(policy.object, [...rule.path, 'endpointSelector']) });
          continue;
        }
        for (const el of rule.elements) {
          for (const peer of el.peers ?? []) {
            if (peer.type !== 'endpoints') continue;
            // A selector that names its namespaces is judged only against the pods of those namespaces.
            const named = peer.selector.requirements.find((r) => r.key === NAMESPACE_LABEL && r.operator === 'In');
            const scope =
              peer.scope.type === 'namespace'
                ? pods.filter((w) => w.namespace === (peer.scope as { name: string }).name)
                : named
                  ? pods.filter((w) => named.values.includes(w.namespace))
                  : pods;
            if (scope.length === 0) continue;
            if (!scope.some((w) => matchesSelector(peer.selector, cilium.identityLabels(w)))) {
              context.report({ message: `this selector matches no pod${peer.scope.type === 'namespace' ? ` of namespace ${peer.scope.name}` : ''} in the workspace (Cilium adds the policy's namespace unless the selector names io.kubernetes.pod.namespace)`, location: locate(policy.object, peer.path) });
            }
          }
        }
      }
    }
  },
};
