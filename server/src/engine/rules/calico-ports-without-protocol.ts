// Numeric ports (or port ranges) in a Calico rule without `protocol`: Calico's validator rejects the policy
// ("ports ... need protocol TCP or UDP or SCTP", libcalico-go validator.go validateRule). Named ports alone need none.
import { inWorkspace, locate } from './common';
import { PORTS_WITHOUT_PROTOCOL } from './invalid-calico-policy';
import type { Rule } from './types';

export const calicoPortsWithoutProtocol: Rule = {
  id: 'calico-ports-without-protocol',
  defaultSeverity: 'error',
  unit: 'scope',
  description: 'A Calico rule names numeric ports without a protocol: Calico rejects the policy.',
  run(context) {
    for (const policy of context.model.calico.policies) {
      if (!inWorkspace(context, policy.object)) continue;
      for (const problem of policy.problems) {
        if (!problem.message.includes(PORTS_WITHOUT_PROTOCOL)) continue;
        context.report({
          message: `${problem.message}: add protocol: TCP (or UDP, SCTP) to the rule. Calico rejects this policy, so the analysis leaves it out.`,
          location: locate(policy.object, problem.path),
        });
      }
    }
  },
};
