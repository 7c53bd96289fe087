// A verdict with its explanation, as text and as plain data.
import type { DirectionVerdict, Endpoint, Verdict } from '../engine/evaluate';
import { endpointName } from '../engine/evaluate';
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

function direction(d: DirectionVerdict, endpoint: Endpoint): ExplainedDirection {
  return {
    direction: d.direction,
    endpoint: endpointName(endpoint),
    isolated: d.isolated,
    allowed: d.allowed,
    policies: d.policies.map((p) => ({ name: policyName(p), location: { uri: p.object.uri, range: p.object.range } })),
    rules: d.allowingRules.map((c) => ({ policy: policyName(c.policy), index: c.rule.index, location: ruleLocation(c.policy, c.rule) })),
  };
}

export function explainVerdict(v: Verdict): ExplainedVerdict {
  return {
    from: endpointName(v.source),
    to: endpointName(v.destination),
    port: v.port,
    protocol: v.protocol,
    allowed: v.allowed,
    self: v.self,
    egress: direction(v.egress, v.source),
    ingress: direction(v.ingress, v.destination),
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
  }
  return `${lines.join('\n')}\n`;
}
