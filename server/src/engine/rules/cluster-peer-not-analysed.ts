// nodes and domainNames peers (experimental in the network-policy-api) name node IPs and DNS names that manifests
// do not tell: netpol does not guess them. The rule is left out of verdicts toward those peers.
import { inWorkspace, locate } from './common';
import { clusterPolicyName } from './cluster-common';
import type { Rule } from './types';

export const clusterPeerNotAnalysed: Rule = {
  id: 'cluster-peer-not-analysed',
  defaultSeverity: 'information',
  unit: 'scope',
  description: 'A nodes or domainNames peer of a cluster-wide policy is not analysed (node IPs and DNS names are not in the manifests).',
  run(context) {
    for (const policy of context.model.clusterPolicies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of policy.egress) {
        for (const peer of rule.peers) {
          if (peer.type !== 'unanalysed') continue;
          const what = peer.field === 'nodes' ? 'node IPs' : 'the addresses these names resolve to';
          context.report({
            message: `${peer.field} peers are not analysed: ${what} are not in the manifests, so verdicts leave egress rule ${rule.index + 1} of ${clusterPolicyName(policy)} out for this peer.`,
            location: locate(policy.object, [...peer.path, peer.field], { key: true }),
          });
        }
      }
    }
  },
};
