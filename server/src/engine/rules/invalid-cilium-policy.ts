// A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy that Cilium rejects (rule_validation.go, deny.rst,
// language.rst): reported where the problem is, and left out of the analysis. Parts netpol does not analyse (host
// firewall, fromRequires, nodes, cloud groups) are reported as information.
import { ciliumPolicies } from '../cilium-evaluate';
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const invalidCiliumPolicy: Rule = {
  id: 'invalid-cilium-policy',
  defaultSeverity: 'error',
  unit: 'scope',
  description: 'A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy that Cilium rejects, or parts of one netpol does not analyse.',
  run(context) {
    for (const policy of ciliumPolicies(context.model)) {
      if (!inWorkspace(context, policy.object)) continue;
      for (const problem of policy.problems) {
        const note = problem.rejected ? ' Cilium rejects this policy, so the analysis leaves it out.' : '';
        context.report({ message: `${problem.message}.${note}`.replace(/\.\./g, '.'), location: locate(policy.object, problem.path), severity: problem.rejected ? undefined : problem.severity });
      }
      for (const rule of policy.rules) {
        for (const el of rule.elements) {
          for (const peer of el.peers ?? []) {
            if (peer.type === 'unanalysed') {
              context.report({ message: `${peer.field} is not analysed: verdicts it could change are marked uncertain`, location: locate(policy.object, peer.path), severity: 'information' });
            }
          }
        }
      }
    }
  },
};
