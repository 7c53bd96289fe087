// An AdminNetworkPolicy, BaselineAdminNetworkPolicy or ClusterNetworkPolicy that its CRD's validation rejects
// (exactly-one-of fields, ranges, the BANP singleton name, limits on rules and peers): reported where the problem
// is, and the object is left out of the analysis, as for NetworkPolicies the API server rejects.
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const invalidClusterPolicy: Rule = {
  id: 'invalid-cluster-policy',
  defaultSeverity: 'error',
  unit: 'scope',
  description: 'A cluster-wide policy (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) its CRD rejects.',
  run(context) {
    for (const policy of context.model.clusterPolicies) {
      if (!inWorkspace(context, policy.object)) continue;
      for (const problem of policy.problems) {
        const note = problem.rejected ? ' The API server rejects this object, so the analysis leaves it out.' : '';
        context.report({
          message: `${problem.message}.${note}`.replace(/\.\./g, '.'),
          location: locate(policy.object, problem.path),
          severity: problem.rejected ? undefined : problem.severity,
        });
      }
    }
  },
};
