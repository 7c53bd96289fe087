// A verdict with its explanation, as text and as plain data.
import { formatIp } from '../engine/cidr';
import type { DirectionVerdict, Endpoint, Verdict } from '../engine/evaluate';
import { endpointName } from '../engine/evaluate';
import type { ClusterPolicy, ClusterRule } from '../engine/cluster-policy';
import type { Model } from '../engine/model';
import { podIpInBlock } from '../engine/pod-ips';
import type { NetworkPolicy, PolicyRule } from '../engine/policy';
import { rangeAt } from '../engine/parse';
import type { SourceLocation } from '../engine/types';
import { escapeControls } from './escape';

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
}

function direction(d: DirectionVerdict, endpoint: Endpoint, other: Endpoint, model: Model | undefined): ExplainedDirection {
  const notes = model ? podIpNotes(d, other, model) : [];
  return {
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

/** `AdminNetworkPolicy deny-db (Admin tier, priority 10) → egress rule 2 "name": Deny`. */
export function decisionText(d: ExplainedDecision, direction: string): string {
  const priority = d.priority === undefined ? '' : `, priority ${d.priority}`;
  return `${d.tier} tier → ${d.kind} ${d.policy}${priority} → ${direction} rule ${d.index + 1}${d.name ? ` "${d.name}"` : ''}: ${d.action}`;
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
  return {
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

export function explainText(e: ExplainedVerdict, where: (loc: SourceLocation) => string): string {
  const lines: string[] = [];
  lines.push(`${e.allowed ? 'ALLOWED' : 'DENIED'}: ${e.from} -> ${e.to} on ${e.port}/${e.protocol}`);
  if (e.self) {
    lines.push('  a pod may always reach itself; policies do not apply');
    return `${lines.map(escapeControls).join('\n')}\n`;
  }
  for (const d of [e.egress, e.ingress]) {
    const side = d.direction === 'egress' ? `egress of ${d.endpoint}` : `ingress of ${d.endpoint}`;
    if (d.clusterPolicies) {
      lines.push(...tieredLines(e, d, side, where));
      for (const note of d.notes ?? []) lines.push(`    note: ${note}`);
      continue;
    }
    if (!d.isolated) {
      lines.push(`  ${side}: allowed (not isolated for ${d.direction}: no policy with ${d.direction === 'egress' ? 'Egress' : 'Ingress'} selects it)`);
      continue;
    }
    const names = d.policies.map((p) => p.name).join(', ');
    if (d.allowed) {
      lines.push(`  ${side}: allowed`);
      for (const r of d.rules) lines.push(`    by ${r.policy}, ${d.direction} rule ${r.index + 1} (${where(r.location)})`);
    } else {
      lines.push(`  ${side}: denied: isolated by ${names}, and no rule of theirs allows ${e.port}/${e.protocol} ${d.direction === 'egress' ? 'to' : 'from'} ${d.direction === 'egress' ? e.to : e.from}`);
      for (const p of d.policies) lines.push(`    ${p.name} (${where(p.location)})`);
    }
    for (const note of d.notes ?? []) lines.push(`    note: ${note}`);
  }
  // Names and paths come from the workspace: one line each, no escape sequences.
  return `${lines.map(escapeControls).join('\n')}\n`;
}

/** One side's story through the tiers: the cluster-wide rule that decided, or what the NetworkPolicies / default did. */
function tieredLines(e: ExplainedVerdict, d: ExplainedDirection, side: string, where: (loc: SourceLocation) => string): string[] {
  const lines: string[] = [];
  const verdict = d.allowed ? 'allowed' : 'denied';
  const decision = d.decision;
  if (decision && decision.action !== 'Pass') {
    lines.push(`  ${side}: ${verdict} by ${decisionText(decision, d.direction)} (${where(decision.location)})`);
    return lines;
  }
  const passed = decision ? ` after ${decisionText(decision, d.direction)} (${where(decision.location)}) passed it on` : '';
  if (d.policies.length > 0) {
    const tier = 'NetworkPolicy tier';
    if (d.allowed) {
      lines.push(`  ${side}: allowed by the ${tier}${passed}`);
      for (const r of d.rules) lines.push(`    by NetworkPolicy ${r.policy}, ${d.direction} rule ${r.index + 1} (${where(r.location)})`);
    } else {
      lines.push(`  ${side}: denied by the ${tier}${passed}: isolated by ${d.policies.map((p) => p.name).join(', ')}, and no rule of theirs allows ${e.port}/${e.protocol}`);
      for (const p of d.policies) lines.push(`    NetworkPolicy ${p.name} (${where(p.location)})`);
    }
    return lines;
  }
  lines.push(`  ${side}: allowed by default${passed}: no cluster-wide rule decided ${e.port}/${e.protocol} and no NetworkPolicy isolates it for ${d.direction}`);
  return lines;
}
