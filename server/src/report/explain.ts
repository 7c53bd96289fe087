// A verdict's explanation (engine/explain.ts) as text, as `netpol reach` and the explain command print it.
import type { ExplainedDecision, ExplainedDirection, ExplainedVerdict } from '../engine/explain';
import type { SourceLocation } from '../engine/types';
import { escapeControls } from './escape';

/** `AdminNetworkPolicy deny-db (Admin tier, priority 10) → egress rule 2 "name": Deny`. */
export function decisionText(d: ExplainedDecision, direction: string): string {
  const priority = d.priority === undefined ? '' : `, priority ${d.priority}`;
  return `${d.tier} tier → ${d.kind} ${d.policy}${priority} → ${direction} rule ${d.index + 1}${d.name ? ` "${d.name}"` : ''}: ${d.action}`;
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
    if (d.calico) {
      const at = d.calico.location ? ` (${where(d.calico.location)})` : '';
      const note = d.calico.uncertain ? ' [uncertain: a rule matched on something netpol does not analyse, such as pod IPs in nets]' : '';
      lines.push(`  ${side}: ${d.allowed ? 'allowed' : 'denied'}: ${d.calico.story}${at}${note}`);
      continue;
    }
    if (d.cilium) {
      const at = d.cilium.location ? ` (${where(d.cilium.location)})` : '';
      lines.push(`  ${side}: ${d.cilium.story}${at}`);
      if (d.cilium.uncertain) lines.push(`    uncertain: ${d.cilium.uncertain.join(', ')} not analysed; it could change this verdict`);
      for (const note of d.notes ?? []) lines.push(`    note: ${note}`);
      continue;
    }
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
  if (e.uncertain) {
    lines.push(`  UNCERTAIN: policies that netpol does not analyse may change this verdict:`);
    for (const u of e.uncertain) lines.push(`    ${u.name} (${where(u.location)})`);
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
