// A Log rule as the last rule of a direction: Log never decides (Calico continues with the next rule, _rule.mdx),
// so nothing after it in the policy logs or decides; the traffic it logs goes on to the next policy or the tier's
// default action. Often a Log meant to come before a Deny.
import { inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import type { Rule } from './types';

export const calicoFinalLog: Rule = {
  id: 'calico-final-log',
  defaultSeverity: 'hint',
  unit: 'scope',
  description: 'A Calico Log rule is the last rule of its direction: it decides nothing.',
  run(context) {
    for (const policy of context.model.calico.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rules of [policy.ingress, policy.egress]) {
        const last = rules[rules.length - 1];
        if (!last || last.action !== 'log') continue;
        context.report({
          message: `${last.direction} rule ${last.index + 1} of ${calicoPolicyName(policy)} is a Log rule at the end: Log decides nothing, so the logged traffic goes on to the next policy or the tier's default action. Put the Log before the rule whose traffic it should record.`,
          location: locate(policy.object, [...last.path, 'action']),
        });
      }
    }
  },
};
