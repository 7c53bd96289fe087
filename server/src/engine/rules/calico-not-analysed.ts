// Calico fields netpol does not analyse: doNotTrack, preDNAT, applyOnForward (host-endpoint and forwarding
// policies), performanceHints, application-layer `http` matches, source ports, and HostEndpoint objects. Verdicts
// through such a rule are marked uncertain; this finding says where.
import { inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import type { Rule } from './types';

export const calicoNotAnalysed: Rule = {
  id: 'calico-not-analysed',
  defaultSeverity: 'information',
  unit: 'scope',
  description: 'A Calico field netpol does not analyse (doNotTrack, preDNAT, applyOnForward, http, source ports, host endpoints).',
  run(context) {
    for (const policy of context.model.calico.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const field of policy.unanalysed) {
        context.report({
          message:
            field === 'doNotTrack' || field === 'preDNAT'
              ? `${field} of ${calicoPolicyName(policy)} makes it a host-endpoint policy, which netpol does not analyse: it is left out of the pod verdicts.`
              : `${field} of ${calicoPolicyName(policy)} is not analysed (it concerns host endpoints or forwarded traffic): netpol's verdicts cover pod-to-pod and pod-to-address traffic only.`,
          location: locate(policy.object, ['spec', field], { key: true }),
        });
      }
      for (const rule of [...policy.ingress, ...policy.egress]) {
        for (const field of rule.unanalysed) {
          context.report({
            message: `${rule.direction} rule ${rule.index + 1} of ${calicoPolicyName(policy)} matches on ${field} (application layer), which netpol does not analyse: verdicts through it are uncertain.`,
            location: locate(policy.object, [...rule.path, field], { key: true }),
          });
        }
        if (rule.source.ports || rule.source.notPorts) {
          context.report({
            message: `${rule.direction} rule ${rule.index + 1} of ${calicoPolicyName(policy)} matches source ports, which netpol's verdicts (by destination port) cannot express: the rule is left out and verdicts it could change are uncertain.`,
            location: locate(policy.object, [...rule.source.path, rule.source.ports ? 'ports' : 'notPorts'], { key: true }),
          });
        }
      }
    }
    for (const object of context.model.objects) {
      if (object.kind !== 'HostEndpoint' || !/^(crd\.)?projectcalico\.org\//.test(object.apiVersion) || !inWorkspace(context, object)) continue;
      context.report({ message: `HostEndpoint ${object.name} is not analysed: netpol's verdicts cover pods and addresses, not host interfaces.`, location: locate(object, ['metadata', 'name']) });
    }
  },
};
