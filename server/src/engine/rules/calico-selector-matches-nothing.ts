// A Calico policy whose selector selects no pod of the workspace, or a rule whose selector (with its namespace
// scoping) matches no pod and no network set: the policy or rule does nothing here. Global policies may select host
// endpoints, which netpol does not model: for them the finding is left out when the workspace has HostEndpoints.
import { workloadEndpoint } from '../evaluate';
import type { CalicoEntity } from '../calico-policy';
import { dnsEndpoints, inWorkspace, locate } from './common';
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
    for (const policy of model.calico.policies) {
      if (!policy.valid || policy.staged || !inWorkspace(context, policy.object)) continue;
      if (policy.global && hostEndpoints) continue;
      const selected = model.workloads.filter((w) => calico.selects(policy, w));
      if (selected.length === 0) {
        context.report({
          message: `${calicoPolicyName(policy)} selects no pod in the workspace: its selector ${JSON.stringify(policy.selector.text)}${policy.namespace ? ` in namespace ${policy.namespace}` : ''} matches nothing, so the policy does nothing here.`,
          location: locate(policy.object, policy.selector.path),
        });
        continue;
      }
      for (const rule of [...policy.ingress, ...policy.egress]) {
        const peerSide: CalicoEntity = rule.direction === 'ingress' ? rule.source : rule.destination;
        const field = peerSide.selector ?? peerSide.namespaceSelector;
        if (!field || peerSide.nets || peerSide.services) continue;
        const anyPod = model.workloads.some((w) => calico.entityMatches(peerSide, policy, workloadEndpoint(w)));
        if (anyPod) continue;
        // The cluster DNS pods exist whether or not the files declare them (a rule allowing DNS selects them).
        if (dnsEndpoints(context).pods.some((w) => calico.entityMatches(peerSide, policy, workloadEndpoint(w)))) continue;
        const anySet = model.calico.networkSets.some((s) => s.valid && s.nets.some((n) => calico.entityMatches(peerSide, policy, { type: 'ip', range: n.range, label: n.text })));
        if (anySet) continue;
        context.report({
          message: `the ${peerSide === rule.source ? 'source' : 'destination'} of ${rule.direction} rule ${rule.index + 1} of ${calicoPolicyName(policy)} matches no pod and no network set in the workspace${policy.namespace && !peerSide.namespaceSelector ? ` (without namespaceSelector it stays in namespace ${policy.namespace})` : ''}: the rule matches nothing.`,
          location: locate(policy.object, field.path),
        });
      }
    }
  },
};
