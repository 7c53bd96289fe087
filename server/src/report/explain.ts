// A verdict with its explanation, as text and as plain data.
import { formatIp } from '../engine/cidr';
import type { DirectionVerdict, Endpoint, Verdict } from '../engine/evaluate';
import { endpointName } from '../engine/evaluate';
import type { Model } from '../engine/model';
import { podIpInBlock } from '../engine/pod-ips';
import type { NetworkPolicy, PolicyRule } from '../engine/policy';
import { rangeAt } from '../engine/parse';
import type { SourceLocation } from '../engine/types';

export function policyName(p: NetworkPolicy): string {
  return `${p.namespace}/${p.name}`;
}

export function ruleLocation(policy: NetworkPolicy, rule: PolicyRule): SourceLocation {
  return { uri: policy.object.uri, range: rangeAt(policy.object.node, rule.path) ?? policy.object.range };
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
    return `${lines.join('\n')}\n`;
  }
  for (const d of [e.egress, e.ingress]) {
    const side = d.direction === 'egress' ? `egress of ${d.endpoint}` : `ingress of ${d.endpoint}`;
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
  return `${lines.join('\n')}\n`;
}
