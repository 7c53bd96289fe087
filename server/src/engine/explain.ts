// A verdict with its explanation as plain data: the policies and rules that decided each direction (through the
// tiers), with their locations, and the assumptions that decided it. report/explain.ts renders it as text.
import { describeCalicoDecision, type CalicoDecision } from './calico-evaluate';
import { describeCiliumDecision, type CiliumDecision } from './cilium-evaluate';
import { formatIp } from './cidr';
import type { DirectionVerdict, Endpoint, Verdict } from './evaluate';
import { endpointName } from './evaluate';
import type { ClusterPolicy, ClusterRule } from './cluster-policy';
import type { Model } from './model';
import { describeUncertainty, uncertaintyBetween } from './not-analysed';
import { podIpInBlock } from './pod-ips';
import type { NetworkPolicy, PolicyRule } from './policy';
import { rangeAt } from './parse';
import type { SourceLocation } from './types';

export function policyName(p: NetworkPolicy): string {
  return `${p.namespace}/${p.name}`;
}

export function ruleLocation(policy: NetworkPolicy, rule: PolicyRule): SourceLocation {
  return { uri: policy.object.uri, range: rangeAt(policy.object.node, rule.path) ?? policy.object.range };
}

export function clusterRuleLocation(policy: ClusterPolicy, rule: ClusterRule): SourceLocation {
  return { uri: policy.object.uri, range: rangeAt(policy.object.node, rule.path) ?? policy.object.range };
}

/** The cluster-wide rule that decided a port: kind, tier, policy and rule. */
export interface ExplainedDecision {
  kind: string;
  tier: string;
  policy: string;
  priority?: number;
  /** 0-based, like `rules[].index`. */
  index: number;
  name?: string;
  /** As written: Allow, Accept, Deny or Pass. */
  action: string;
  location: SourceLocation;
}

export interface ExplainedDirection {
  direction: 'ingress' | 'egress';
  endpoint: string;
  isolated: boolean;
  allowed: boolean;
  policies: { name: string; location: SourceLocation }[];
  rules: { policy: string; index: number; location: SourceLocation }[];
  /** Assumptions that decided the verdict (an ipBlock holding the other side's pod IP, and what the CNI does with it). */
  notes?: string[];
  /** With cluster-wide policies: the rule that decided (or passed) this port. */
  decision?: ExplainedDecision;
  /** With cluster-wide policies: those that apply to this side for the direction. */
  clusterPolicies?: { kind: string; tier: string; name: string; location: SourceLocation }[];
  /** With Calico policies: tier → policy → rule that decided this port (or the tier's end, or the profile). */
  calico?: { story: string; location?: SourceLocation; uncertain: boolean };
  /** Under Cilium: kind → policy → rule that decided this port, the L7 rules filtering inside it, and what is not analysed. */
  cilium?: { story: string; location?: SourceLocation; l7?: string[]; uncertain?: string[] };
}

export interface ExplainedVerdict {
  from: string;
  to: string;
  port: number;
  protocol: string;
  allowed: boolean;
  self: boolean;
  egress: ExplainedDirection;
  ingress: ExplainedDirection;
  /** Policies of kinds netpol does not analyse that may change this verdict (absent: the verdict is exact). */
  uncertain?: { name: string; location: SourceLocation }[];
}

/** Where a Calico decision sits: the rule of a Calico or cluster-wide policy, or a Kubernetes NetworkPolicy. */
function calicoLocation(d: CalicoDecision, direction: 'ingress' | 'egress'): SourceLocation | undefined {
  const p = d.policy;
  if (!p) return undefined;
  const object = p.policy.object;
  if (p.type === 'calico' && d.ruleIndex !== undefined) return { uri: object.uri, range: rangeAt(object.node, p.policy[direction][d.ruleIndex]?.path ?? []) ?? object.range };
  if (p.type === 'cluster' && d.ruleIndex !== undefined) {
    const rule = p.policy[direction].find((r) => r.index === d.ruleIndex);
    if (rule) return clusterRuleLocation(p.policy, rule);
  }
  return { uri: object.uri, range: object.range };
}

/** Where a Cilium decision sits: the Cilium entry, the NetworkPolicy or cluster-wide rule; none for the defaults. */
export function ciliumDecisionLocation(d: CiliumDecision): SourceLocation | undefined {
  switch (d.by) {
    case 'cilium-deny':
    case 'cilium-allow':
      return { uri: d.policy.object.uri, range: rangeAt(d.policy.object.node, d.element.path) ?? d.policy.object.range };
    case 'network-policy-allow':
      return ruleLocation(d.policy, d.rule);
    case 'cluster-rule':
      return clusterRuleLocation(d.decision.policy, d.decision.rule);
    default:
      return undefined;
  }
}

function direction(d: DirectionVerdict, endpoint: Endpoint, other: Endpoint, model: Model | undefined): ExplainedDirection {
  const notes = model ? podIpNotes(d, other, model) : [];
  return {
    ...(d.calicoDecision
      ? {
          calico: {
            story: describeCalicoDecision(d.calicoDecision, d.direction),
            ...(calicoLocation(d.calicoDecision, d.direction) ? { location: calicoLocation(d.calicoDecision, d.direction) } : {}),
            uncertain: d.uncertain ?? false,
          },
        }
      : {}),
    ...(d.ciliumDecision
      ? {
          cilium: {
            story: describeCiliumDecision(d.ciliumDecision, d.direction),
            ...(ciliumDecisionLocation(d.ciliumDecision) ? { location: ciliumDecisionLocation(d.ciliumDecision) } : {}),
            ...(d.l7 ? { l7: d.l7 } : {}),
            ...(d.uncertainParts ? { uncertain: d.uncertainParts } : {}),
          },
        }
      : {}),
    direction: d.direction,
    endpoint: endpointName(endpoint),
    isolated: d.isolated,
    allowed: d.allowed,
    policies: d.policies.map((p) => ({ name: policyName(p), location: { uri: p.object.uri, range: p.object.range } })),
    rules: d.allowingRules.map((c) => ({ policy: policyName(c.policy), index: c.rule.index, location: ruleLocation(c.policy, c.rule) })),
    ...(notes.length ? { notes } : {}),
    ...(d.clusterPolicies ? { clusterPolicies: d.clusterPolicies.map((p) => ({ kind: p.kind, tier: p.tier, name: p.name, location: { uri: p.object.uri, range: p.object.range } })) } : {}),
    ...(d.decision
      ? {
          decision: {
            kind: d.decision.kind,
            tier: d.decision.tier,
            policy: d.decision.policy.name,
            ...(d.decision.kind === 'BaselineAdminNetworkPolicy' ? {} : { priority: d.decision.policy.priority }),
            index: d.decision.rule.index,
            ...(d.decision.rule.name ? { name: d.decision.rule.name } : {}),
            action: d.decision.rule.actionText,
            location: clusterRuleLocation(d.decision.policy, d.decision.rule),
          },
        }
      : {}),
  };
}

/** What decided whether the isolating policies' ipBlocks match the other side's pod by its known IP. */
function podIpNotes(d: DirectionVerdict, other: Endpoint, model: Model): string[] {
  if (other.type !== 'workload' || other.workload.podIps.length === 0) return [];
  const notes: string[] = [];
  for (const policy of d.policies) {
    for (const rule of policy[d.direction]) {
      for (const peer of rule.peers ?? []) {
        if (peer.type !== 'ipBlock') continue;
        const ip = podIpInBlock(peer, other.workload);
        if (!ip) continue;
        const where = `ipBlock ${peer.cidrText} of ${policyName(policy)} (${d.direction} rule ${rule.index + 1})`;
        const address = formatIp(ip.lo, ip.v6);
        notes.push(
          model.ipBlocksMatchPodIps
            ? `${where} matches ${other.workload.displayName} by its pod IP ${address} (status.podIP), as the upstream e2e test "should allow egress access to server in CIDR block" expects; with cni: cilium in .netpol.yaml it would not`
            : `${where} holds the pod IP ${address} of ${other.workload.displayName}, but with cni: cilium (.netpol.yaml) ipBlocks never match pods`,
        );
      }
    }
  }
  return notes;
}

/** `model`: the verdict's model, to say which assumptions about the CNI decided it. */
export function explainVerdict(v: Verdict, model?: Model): ExplainedVerdict {
  const uncertain = model && !v.self ? uncertaintyBetween(model, v.source, v.destination) : [];
  return {
    ...(uncertain.length ? { uncertain: uncertain.map((o) => ({ name: describeUncertainty(model!, [o]), location: { uri: o.uri, range: o.range } })) } : {}),
    from: endpointName(v.source),
    to: endpointName(v.destination),
    port: v.port,
    protocol: v.protocol,
    allowed: v.allowed,
    self: v.self,
    egress: direction(v.egress, v.source, v.destination, model),
    ingress: direction(v.ingress, v.destination, v.source, model),
  };
}
