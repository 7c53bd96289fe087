// The tiered policy model: every policy kind sits in a tier, tiers are evaluated in order, and within a tier policies
// by priority and rules in order. A matching rule allows, denies or passes (skips the rest of its tier) the ports it
// matches; ports no tier decided fall to the default (allow, as Kubernetes does without policies).
//
// Today's tiers (network-policy-api v1alpha1/v1alpha2, "Tier" in clusternetworkpolicy_types.go):
//   Admin          AdminNetworkPolicy, ClusterNetworkPolicy tier Admin   priority 0-1000, lower first; end: pass
//   NetworkPolicy  networking.k8s.io/v1 NetworkPolicy                    allows only, a union; end: deny when a
//                                                                        policy selects the pod, else pass
//   Baseline       BaselineAdminNetworkPolicy, CNP tier Baseline          only for pods no NetworkPolicy selects
//   default        allow
// The same shape holds Calico (tiers by `order`, a tier's defaultAction Deny or Pass, Log = continue) and Cilium
// (deny beats allow within a priority: deny rules sort before allow rules of one priority). Each direction is decided
// on its own; a connection needs the source's egress and the destination's ingress.
import type { ClusterPolicy, ClusterPolicyKind, ClusterRule, ClusterTier, RuleAction } from './cluster-policy';
import type { Model } from './model';
import type { Direction, NetworkPolicy, PolicyRule } from './policy';
import type { PortSet } from './portset';

export type PolicyKind = 'NetworkPolicy' | ClusterPolicyKind;
export type TierName = ClusterTier | 'NetworkPolicy';

/** The evaluation order of the tiers. */
export const TIER_ORDER: readonly TierName[] = ['Admin', 'NetworkPolicy', 'Baseline'];

/** A rule's decision on some ports of one direction (a cluster-wide policy's Allow, Deny or Pass). */
export interface TierDecision {
  kind: ClusterPolicyKind;
  tier: ClusterTier;
  policy: ClusterPolicy;
  rule: ClusterRule;
  action: RuleAction;
  /** The ports this rule decided (those earlier rules left undecided). */
  ports: PortSet;
}

/** What decided one port of one direction, for explanations: a kind, a tier, a policy and a rule, or a default. */
export type Decider =
  | { by: 'cluster-rule'; decision: TierDecision }
  | { by: 'network-policy-rule'; policy: NetworkPolicy; rule: PolicyRule }
  | { by: 'network-policy-isolation'; policies: NetworkPolicy[] }
  | { by: 'default' };

/** The valid cluster-wide policies of a model in evaluation order, per tier. */
export interface ClusterTiers {
  admin: ClusterPolicy[];
  baseline: ClusterPolicy[];
}

/** Lower priority first; equal priorities (implementation-defined order: see the equal-priority rule) by kind and name, so runs agree. */
export function comparePolicies(a: ClusterPolicy, b: ClusterPolicy): number {
  return a.priority - b.priority || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The model's cluster tiers; undefined when it has no valid cluster-wide policy (the NetworkPolicy-only fast path). */
export function clusterTiers(model: Model): ClusterTiers | undefined {
  const valid = model.clusterPolicies.filter((p) => p.valid);
  if (valid.length === 0) return undefined;
  return {
    admin: valid.filter((p) => p.tier === 'Admin').sort(comparePolicies),
    baseline: valid.filter((p) => p.tier === 'Baseline').sort(comparePolicies),
  };
}

export function kindLabel(kind: PolicyKind): string {
  return kind;
}

/** `AdminNetworkPolicy deny-x (Admin tier, priority 5), egress rule 2 "name": Deny`. */
export function describeDecision(d: TierDecision, direction: Direction): string {
  const priority = d.kind === 'BaselineAdminNetworkPolicy' ? '' : `, priority ${d.policy.priority}`;
  const name = d.rule.name ? ` "${d.rule.name}"` : '';
  return `${d.kind} ${d.policy.name} (${d.tier} tier${priority}), ${direction} rule ${d.rule.index + 1}${name}: ${d.rule.actionText}`;
}
