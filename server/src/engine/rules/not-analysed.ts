// A policy of a kind the engine does not analyse yet (Istio's AuthorizationPolicy): said once per
// object, so nothing is dropped silently; the verdicts it could change are marked uncertain in reports and hovers.
import { objectNamespace } from '../model';
import { appliesClusterWide, notAnalysedKindOf } from '../not-analysed';
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const notAnalysed: Rule = {
  id: 'not-analysed',
  defaultSeverity: 'information',
  unit: 'namespace',
  description: 'A policy of a kind netpol does not analyse yet; the verdicts it could change are marked uncertain.',
  run(context) {
    for (const object of context.model.objects) {
      const kind = notAnalysedKindOf(object);
      if (!kind || !inWorkspace(context, object)) continue;
      const namespace = objectNamespace(context.model, object);
      const affected = appliesClusterWide(kind, namespace) ? 'every pod' : `the pods of namespace ${namespace}`;
      context.report({
        message: `${object.kind} ${object.name || '(unnamed)'} (${object.apiVersion}) is not analysed: netpol analyses Kubernetes NetworkPolicies, AdminNetworkPolicies, Calico and Cilium policies, not this kind, and ${kind.enforcer} enforces this one too. Verdicts involving ${affected} are marked uncertain.`,
        location: locate(object, ['metadata', 'name']),
      });
    }
  },
};
