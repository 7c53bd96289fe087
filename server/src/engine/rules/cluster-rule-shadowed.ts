// A rule of a cluster-wide policy that an earlier rule of the same policy and direction always decides first: every
// peer of it is covered by a peer of the earlier rule, and every port by its ports. Rules of a policy apply in order
// and the first that matches decides (Allow, Deny) or skips the rest of the tier (Pass), so the later rule never
// applies. Likewise a rule that a policy running first for all its pods covers (a lower priority in the same tier,
// or the Admin tier before the Baseline tier; network-policy-api API reference: the Admin tier by priority, then
// NetworkPolicies, then Baseline). Coverage is read from the selectors themselves (a requirement subset), not from
// the workspace's pods, so the finding holds for any pods.
import { contains } from '../cidr';
import type { ClusterPeer, ClusterPodSelection, ClusterPolicy, ClusterRule } from '../cluster-policy';
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

/** Whether every pod `narrow` selects is selected by `broad` (subjects: a namespace selector and maybe a pod selector). */
function subjectCovers(broad: ClusterPodSelection, narrow: ClusterPodSelection): boolean {
  if (!selectorCovers(broad.namespaceSelector, narrow.namespaceSelector)) return false;
  return !broad.podSelector || (narrow.podSelector !== undefined && selectorCovers(broad.podSelector, narrow.podSelector));
}

/**
 * Whether `earlier`'s rules run before `later`'s for every pod `later` selects: a lower priority in the same tier
 * (equal priorities run in an implementation-defined order), or the Admin tier before the Baseline tier.
 */
function runsBefore(earlier: ClusterPolicy, later: ClusterPolicy): boolean {
  if (earlier.tier !== later.tier) return earlier.tier === 'Admin';
  return earlier.priority < later.priority;
}

export const clusterRuleShadowed: Rule = {
  id: 'cluster-rule-shadowed',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A rule of a cluster-wide policy never applies: an earlier rule of the same policy, or of a policy that runs before it for all its pods, covers all its peers and ports.',
  run(context) {
    const valid = context.model.clusterPolicies.filter((p) => p.valid);
    for (const policy of valid) {
      if (!inWorkspace(context, policy.object)) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = policy[direction];
        for (let j = 0; j < rules.length; j++) {
          const earlier = rules.slice(0, j).find((r) => ruleCovers(r, rules[j]));
          if (earlier) {
            context.report({
              message: `${direction} rule ${j + 1} of ${clusterPolicyName(policy)} never applies: ${direction} rule ${earlier.index + 1} (${earlier.actionText}) comes first and covers all its peers and ports.`,
              location: locate(policy.object, rules[j].path),
              tags: ['unnecessary'],
            });
            continue;
          }
          // A policy that runs first for every pod this one selects: its covering rule decides (Allow, Deny), or
          // skips the rest of the Admin tier (Pass: only within the Admin tier, where this rule would come later).
          for (const other of valid) {
            if (other === policy || !runsBefore(other, policy) || !subjectCovers(other.subject, policy.subject)) continue;
            const covering = other[direction].find((r) => (r.action !== 'pass' || other.tier === policy.tier) && ruleCovers(r, rules[j]));
            if (!covering) continue;
            const where = other.tier === policy.tier ? `priority ${other.priority}, before ${policy.priority}` : `${other.tier} tier, before the ${policy.tier} tier`;
            context.report({
              message: `${direction} rule ${j + 1} of ${clusterPolicyName(policy)} never applies: ${direction} rule ${covering.index + 1} (${covering.actionText}) of ${clusterPolicyName(other)} (${where}) selects all of its pods and covers all its peers and ports.`,
              location: locate(policy.object, rules[j].path),
              related: [{ location: locate(other.object, covering.path), message: `${direction} rule ${covering.index + 1} of ${clusterPolicyName(other)}` }],
              tags: ['unnecessary'],
            });
            break;
          }
        }
      }
    }
  },
};
