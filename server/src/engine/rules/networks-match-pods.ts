// `networks` also match the pod IPs inside the CIDR (network-policy-api, ClusterNetworkPolicyEgressPeer.Networks):
// "if you Accept or Deny traffic to 0.0.0.0/0, that will allow or deny all IPv4 pod-to-pod traffic as well".
// netpol applies 0.0.0.0/0 to every pod; narrower CIDRs are assumed to hold no pod, since pod IPs are not in the
// manifests. The rule points out both.
import { inWorkspace, locate } from './common';
import { clusterPolicyName } from './cluster-common';
import type { Rule } from './types';

export const networksMatchPods: Rule = {
  id: 'networks-match-pods',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'An Allow or Deny rule with networks: 0.0.0.0/0 also allows or denies pod-to-pod traffic.',
  run(context) {
    for (const policy of context.model.clusterPolicies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of policy.egress) {
        if (rule.action === 'pass') continue;
        // An earlier Pass of pods in the same policy keeps pod traffic from reaching this rule (the documented idiom).
        const earlierPass = policy.egress.some((r) => r.index < rule.index && r.action === 'pass' && r.peers.some((p) => p.type === 'pods'));
        if (earlierPass) continue;
        for (const peer of rule.peers) {
          if (peer.type !== 'networks') continue;
          peer.networks.forEach((n, i) => {
            if (n.range.v6 || n.range.lo !== 0n || n.range.hi !== 0xffffffffn) return;
            context.report({
              message: `networks ${n.text} also matches every pod's IP: egress rule ${rule.index + 1} of ${clusterPolicyName(policy)} ${rule.action === 'allow' ? 'allows' : 'denies'} pod-to-pod traffic too, not only traffic leaving the cluster. Pass pod traffic in an earlier rule if that is not meant.`,
              location: locate(policy.object, [...peer.path, 'networks', i]),
            });
          });
        }
      }
    }
  },
};
