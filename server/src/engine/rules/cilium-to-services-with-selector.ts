// toServices acts only on Services without a selector (their endpoints are managed by hand): for a Service with a
// selector it allows nothing (Cilium docs language.rst "Services based"; policy-dialects.md B). Use toEndpoints with
// the Service's selector instead.
import { ciliumPolicies } from '../cilium-evaluate';
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const ciliumToServicesWithSelector: Rule = {
  id: 'cilium-to-services-with-selector',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'Cilium toServices naming a Service that has a selector: toServices only works for Services without one.',
  run(context) {
    for (const policy of ciliumPolicies(context.model)) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of policy.rules) {
        for (const el of rule.elements) {
          for (const peer of el.peers ?? []) {
            if (peer.type !== 'service' || peer.serviceName === undefined) continue;
            const namespace = peer.namespace ?? policy.namespace ?? context.model.defaultNamespace;
            const service = context.model.services.find((s) => s.name === peer.serviceName && s.namespace === namespace);
            if (!service || service.selector === undefined) continue;
            context.report({
              message: `Service ${namespace}/${peer.serviceName} has a selector: Cilium's toServices applies only to Services without one, so this allows nothing. Use toEndpoints with the Service's labels`,
              location: locate(policy.object, peer.path),
            });
          }
        }
      }
    }
  },
};
