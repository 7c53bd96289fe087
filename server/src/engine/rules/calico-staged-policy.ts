// A staged Calico policy (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy) is never
// enforced: Calico only reports what it would do (felix leaves staged policies out of the dataplane). netpol leaves
// it out of every verdict and says so, so that nobody reads it as protection.
import { inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import type { Rule } from './types';

export const calicoStagedPolicy: Rule = {
  id: 'calico-staged-policy',
  defaultSeverity: 'information',
  unit: 'scope',
  description: 'A staged Calico policy is never enforced; netpol leaves it out of the verdicts.',
  run(context) {
    for (const policy of context.model.calico.policies) {
      if (!policy.staged || !inWorkspace(context, policy.object)) continue;
      const enforced = policy.kind.replace('Staged', '').replace('KubernetesNetworkPolicy', 'NetworkPolicy (networking.k8s.io/v1)');
      context.report({
        message: `${calicoPolicyName(policy)} is staged: Calico never enforces it (it only reports what it would do), so it takes no part in netpol's verdicts. Change the kind to ${enforced} to enforce it.`,
        location: locate(policy.object, ['kind']),
      });
    }
  },
};
