// A Cilium endpointSelector or from/toEndpoints selector that matches no pod of the workspace, where the workspace
// holds pods it could match (the policy's namespace for a CNP, any namespace for a CCNP): the rule does nothing.
// Cilium selectors match identity labels (pod labels, namespace, namespace labels, service account, cluster).
import { NAMESPACE_LABEL } from '../cilium';
import { ciliumPolicies } from '../cilium-evaluate';
import { matchesSelector, type LabelSelector } from '../selectors';
import { inWorkspace, locate, unknownPodsIn } from './common';
import type { Rule } from './types';

export const ciliumSelectorMatchesNothing: Rule = {
  id: 'cilium-selector-matches-nothing',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A Cilium endpointSelector or from/toEndpoints selector that matches no pod the workspace could match.',
  run(context) {
    const policies = ciliumPolicies(context.model);
    if (policies.length === 0) return;
    const cilium = context.analysis.ciliumEvaluator();
    const pods = context.model.workloads.filter((w) => !w.hostNetwork);
    /** A finding, or (where the files may not show every pod it could match) a hint that says what is unknown. */
    const report = (subject: string, suffix: string, location: ReturnType<typeof locate>, namespaces: readonly string[] | undefined): void => {
      const unknown = unknownPodsIn(context, namespaces);
      context.report(unknown ? { severity: 'hint', message: `${subject} in the files, but ${unknown}`, location } : { message: `${subject} in the workspace${suffix}`, location });
    };
    const namedNamespaces = (selector: LabelSelector) =>
      selector.requirements.find((r) => r.key === NAMESPACE_LABEL && r.operator === 'In')?.values;
    const matched = new Map<string, boolean>();
    const podsIn = new Map<string, typeof pods>();
    for (const w of pods) {
      const list = podsIn.get(w.namespace);
      if (list) list.push(w);
      else podsIn.set(w.namespace, [w]);
    }
    for (const policy of policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      const candidates = policy.namespace !== undefined ? (podsIn.get(policy.namespace) ?? []) : pods;
      if (candidates.length === 0) continue;
      for (const rule of policy.rules) {
        if (rule.nodeSelector) continue;
        if (!candidates.some((w) => matchesSelector(rule.endpointSelector, cilium.identityLabels(w)))) {
          report(`endpointSelector matches no pod${policy.namespace !== undefined ? ` of namespace ${policy.namespace}` : ''}`, ': this rule applies to nothing', locate(policy.object, [...rule.path, 'endpointSelector']), policy.namespace !== undefined ? [policy.namespace] : namedNamespaces(rule.endpointSelector));
          continue;
        }
        for (const el of rule.elements) {
          for (const peer of el.peers ?? []) {
            if (peer.type !== 'endpoints') continue;
            // A selector that names its namespaces is judged only against the pods of those namespaces.
            const named = peer.selector.requirements.find((r) => r.key === NAMESPACE_LABEL && r.operator === 'In');
            const scope =
              peer.scope.type === 'namespace'
                ? (podsIn.get(peer.scope.name) ?? [])
                : named
                  ? named.values.flatMap((ns) => podsIn.get(ns) ?? [])
                  : pods;
            if (scope.length === 0) continue;
            // Policies repeat selectors (a team's in each of its namespaces): each is tested once per scope.
            const key = `${peer.scope.type === 'namespace' ? peer.scope.name : named ? named.values.join(',') : '*'}\u0000${JSON.stringify(peer.selector.requirements)}`;
            let matches = matched.get(key);
            if (matches === undefined) matched.set(key, (matches = scope.some((w) => matchesSelector(peer.selector, cilium.identityLabels(w)))));
            if (!matches) {
              report(`this selector matches no pod${peer.scope.type === 'namespace' ? ` of namespace ${peer.scope.name}` : ''}`, " (Cilium adds the policy's namespace unless the selector names io.kubernetes.pod.namespace)", locate(policy.object, peer.path), peer.scope.type === 'namespace' ? [peer.scope.name] : named?.values);
            }
          }
        }
      }
    }
  },
};
