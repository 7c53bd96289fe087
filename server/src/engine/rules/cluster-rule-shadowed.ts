// A rule of a cluster-wide policy that an earlier rule of the same policy and direction always decides first: every
// peer of it is covered by a peer of the earlier rule, and every port by its ports. Rules of a policy apply in order
// and the first that matches decides (Allow, Deny) or skips the rest of the tier (Pass), so the later rule never
// applies. Coverage is read from the selectors themselves (a requirement subset), not from the workspace's pods, so
// the finding holds for any pods.
import { contains } from '../cidr';
import type { ClusterPeer, ClusterRule } from '../cluster-policy';
import type { PortSpec } from '../policy';
import type { LabelSelector } from '../selectors';
import { inWorkspace, locate } from './common';
import { clusterPolicyName } from './cluster-common';
import type { Rule } from './types';

/** Whether every pod `narrow` selects is selected by `broad`: broad's requirements are a subset of narrow's. */
function selectorCovers(broad: LabelSelector, narrow: LabelSelector): boolean {
  return broad.requirements.every((a) => narrow.requirements.some((b) => a.key === b.key && a.operator === b.operator && a.values.length === b.values.length && a.values.every((v, i) => v === b.values[i])));
}

function peerCovers(broad: ClusterPeer, narrow: ClusterPeer): boolean {
  if (broad.type === 'pods' && narrow.type === 'pods') {
    if (!selectorCovers(broad.namespaceSelector, narrow.namespaceSelector)) return false;
    if (!broad.podSelector) return true;
    return narrow.podSelector !== undefined && selectorCovers(broad.podSelector, narrow.podSelector);
  }
  if (broad.type === 'networks' && narrow.type === 'networks') return narrow.networks.every((n) => broad.networks.some((b) => contains(b.range, n.range)));
  return false;
}

function portCovers(broad: PortSpec, narrow: PortSpec): boolean {
  if (typeof broad.port === 'string' || typeof narrow.port === 'string') return broad.port === narrow.port && typeof broad.port === 'string';
  if (broad.protocol !== narrow.protocol || broad.port === undefined) return broad.protocol === narrow.protocol;
  if (narrow.port === undefined) return false;
  return broad.port <= narrow.port && (broad.endPort ?? broad.port) >= (narrow.endPort ?? narrow.port);
}

function ruleCovers(earlier: ClusterRule, later: ClusterRule): boolean {
  if (later.peers.length === 0) return false;
  if (!later.peers.every((p) => earlier.peers.some((e) => peerCovers(e, p)))) return false;
  if (!earlier.ports) return true;
  if (!later.ports) return false;
  return later.ports.every((p) => earlier.ports!.some((e) => portCovers(e, p)));
}

export const clusterRuleShadowed: Rule = {
  id: 'cluster-rule-shadowed',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A rule of a cluster-wide policy never applies: an earlier rule of the same policy covers all its peers and ports.',
  run(context) {
    for (const policy of context.model.clusterPolicies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = policy[direction];
        for (let j = 1; j < rules.length; j++) {
          const earlier = rules.slice(0, j).find((r) => ruleCovers(r, rules[j]));
          if (!earlier) continue;
          context.report({
            message: `${direction} rule ${j + 1} of ${clusterPolicyName(policy)} never applies: ${direction} rule ${earlier.index + 1} (${earlier.actionText}) comes first and covers all its peers and ports.`,
            location: locate(policy.object, rules[j].path),
            tags: ['unnecessary'],
          });
        }
      }
    }
  },
};
