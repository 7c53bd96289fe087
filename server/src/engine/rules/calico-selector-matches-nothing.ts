// A Calico policy whose selector selects no pod of the workspace, or a rule whose selector (with its namespace
// scoping) matches no pod and no network set: the policy or rule does nothing here. Global policies may select host
// endpoints, which netpol does not model: for them the finding is left out when the workspace has HostEndpoints.
import { workloadEndpoint } from '../evaluate';
import type { CalicoEntity } from '../calico-policy';
import { dnsEndpoints, inWorkspace, locate, modelIndex, unknownPodsIn } from './common';
import { calicoPolicyName } from './calico-common';
import type { Rule } from './types';

export const calicoSelectorMatchesNothing: Rule = {
  id: 'calico-selector-matches-nothing',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A Calico policy selects no pod, or a rule selector matches no pod and no network set, in the workspace.',
  run(context) {
    const calico = context.analysis.calico;
    if (!calico) return;
    const { model } = context;
    const hostEndpoints = model.objects.some((o) => o.kind === 'HostEndpoint');
    const policyOnly = !modelIndex(model).hasOwnWorkloads;
    /** What the files do not show of the pods a selector could match: in one namespace, or in any (undefined). */
    const unknownPods = (namespace: string | undefined): string | undefined =>
      policyOnly ? 'the files hold no workloads, so the pods are unknown' : unknownPodsIn(context, namespace === undefined ? undefined : [namespace]);
    // Whether an entity matches anything, by what decides it: copies of one rule in many namespaces ask once.
    const matchesSomething = new Map<string, boolean>();
    for (const policy of model.calico.policies) {
      if (!policy.valid || policy.staged || !inWorkspace(context, policy.object)) continue;
      if (policy.global && hostEndpoints) continue;
      if (!model.workloads.some((w) => calico.selects(policy, w))) {
        // Where the files do not show every pod the selector could match, say what is unknown instead of asserting.
        const unknown = unknownPods(policy.namespace);
        context.report({
          message: unknown
            ? `${calicoPolicyName(policy)}: its selector ${JSON.stringify(policy.selector.text)}${policy.namespace ? ` in namespace ${policy.namespace}` : ''} matches no pod in the files, but ${unknown}.`
            : `${calicoPolicyName(policy)} selects no pod in the workspace: its selector ${JSON.stringify(policy.selector.text)}${policy.namespace ? ` in namespace ${policy.namespace}` : ''} matches nothing, so the policy does nothing here.`,
          location: locate(policy.object, policy.selector.path),
          ...(unknown ? { severity: 'hint' as const } : {}),
        });
        continue;
      }
      for (const rule of [...policy.ingress, ...policy.egress]) {
        const peerSide: CalicoEntity = rule.direction === 'ingress' ? rule.source : rule.destination;
        const field = peerSide.selector ?? peerSide.namespaceSelector;
        if (!field || peerSide.nets || peerSide.services) continue;
        const key = JSON.stringify([
          peerSide.namespaceSelector ? `ns ${peerSide.namespaceSelector.text}` : `in ${policy.namespace ?? ''}`,
          peerSide.selector?.text,
          peerSide.notSelector?.text,
          peerSide.serviceAccounts?.names,
          peerSide.serviceAccounts?.selector?.text,
        ]);
        let something = matchesSomething.get(key);
        if (something === undefined) {
          something =
            model.workloads.some((w) => calico.entityMatches(peerSide, policy, workloadEndpoint(w))) ||
            // The cluster DNS pods exist whether or not the files declare them (a rule allowing DNS selects them).
            dnsEndpoints(context).pods.some((w) => calico.entityMatches(peerSide, policy, workloadEndpoint(w))) ||
            model.calico.networkSets.some((s) => s.valid && s.nets.some((n) => calico.entityMatches(peerSide, policy, { type: 'ip', range: n.range, label: n.text })));
          matchesSomething.set(key, something);
        }
        if (something) continue;
        // A peer scoped to the policy's namespace is judged by what the files know of it; any other reaches
        // namespaces (and, with global(), network sets) the files may not show.
        const unknown = unknownPods(policy.namespace && !peerSide.namespaceSelector ? policy.namespace : undefined);
        const what = `the ${peerSide === rule.source ? 'source' : 'destination'} of ${rule.direction} rule ${rule.index + 1} of ${calicoPolicyName(policy)}`;
        context.report({
          message: unknown
            ? `${what} matches no pod and no network set in the files, but ${unknown}.`
            : `${what} matches no pod and no network set in the workspace${policy.namespace && !peerSide.namespaceSelector ? ` (without namespaceSelector it stays in namespace ${policy.namespace})` : ''}: the rule matches nothing.`,
          location: locate(policy.object, field.path),
          ...(unknown ? { severity: 'hint' as const } : {}),
        });
      }
    }
  },
};
