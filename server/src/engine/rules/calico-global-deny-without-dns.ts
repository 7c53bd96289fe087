// A GlobalNetworkPolicy that applies to egress and leaves pods it selects unable to reach the cluster DNS: a global
// default deny that forgot DNS breaks name resolution for every selected pod (the usual zero-trust first step is a
// GNP that denies all but DNS). Checked on the final verdict, so an allow in another policy or tier counts.
import { isMap, isScalar, isSeq } from 'yaml';
import type { CalicoPolicy } from '../calico-policy';
import { addMapEntry, appendToSequence, columnOf, replaceValueWithBlock, snippetLines, styleAt, type Edit } from '../edits';
import { workloadEndpoint } from '../evaluate';
import { keyRangeAt, nodeAt } from '../parse';
import { DNS_PROTOCOLS, dnsEndpoints, inWorkspace, locate, type DnsEndpoints } from './common';
import { calicoPolicyName } from './calico-common';
import type { QuickFix, Rule, RuleContext } from './types';

export const calicoGlobalDenyWithoutDns: Rule = {
  id: 'calico-global-deny-without-dns',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A GlobalNetworkPolicy applies to egress and the pods it selects cannot reach the cluster DNS.',
  run(context) {
    const calico = context.analysis.calico;
    if (!calico) return;
    const dns = dnsEndpoints(context);
    const dnsPort = dns.ports[0] ?? 53;
    for (const policy of context.model.calico.policies) {
      if (!policy.valid || policy.staged || !policy.global || !policy.types.egress || !inWorkspace(context, policy.object)) continue;
      const selected = context.model.workloads.filter((w) => !w.assumed && calico.selects(policy, w) && !dns.pods.includes(w));
      const cut = selected.filter((w) => !dns.pods.some((d) => context.analysis.egressAllowed(workloadEndpoint(w), workloadEndpoint(d)).has('UDP', dnsPort)));
      if (cut.length === 0) continue;
      const names = cut.slice(0, 3).map((w) => w.displayName).join(', ') + (cut.length > 3 ? `, and ${cut.length - 3} more` : '');
      context.report({
        message: `${calicoPolicyName(policy)} applies to egress and ${cut.length} pod${cut.length > 1 ? 's' : ''} it selects (${names}) cannot reach ${dns.description} on UDP ${dnsPort}: name resolution fails. Allow egress to the DNS pods on UDP and TCP ${dnsPort} (a rule in this policy before the deny, or in an earlier tier).`,
        location: locate(policy.object, ['metadata', 'name']),
        ...(context.wantFixes ? optionalFix(addDnsRulesFix(context, policy, dns)) : {}),
      });
    }
  },
};

function optionalFix(fix: QuickFix | undefined): { fixes?: QuickFix[] } {
  return fix ? { fixes: [fix] } : {};
}

/** Calico rules allowing DNS to the configured DNS pods, one per protocol (Calico rules name one protocol). */
function dnsRules(context: RuleContext, dns: DnsEndpoints): Record<string, unknown>[] {
  const labels = Object.entries(context.config.dns.podLabels).map(([k, v]) => `${k} == '${v}'`).join(' && ') || 'all()';
  return DNS_PROTOCOLS.map((protocol) => ({
    action: 'Allow',
    protocol,
    destination: { selector: labels, namespaceSelector: `projectcalico.org/name == '${context.config.dns.namespace}'`, ports: [...dns.ports] },
  }));
}

/**
 * Appends the DNS rules to the policy's egress rules (or adds them). Offered only when no Deny or Pass comes before
 * the end of the list, where an appended Allow would never be reached.
 */
function addDnsRulesFix(context: RuleContext, policy: CalicoPolicy, dns: DnsEndpoints): QuickFix | undefined {
  if (policy.egress.some((r) => r.action === 'deny' || r.action === 'pass')) return undefined;
  const file = context.file(policy.object.uri);
  const spec = nodeAt(policy.object.node, ['spec']);
  if (!file || !isMap(spec)) return undefined;
  const text = file.text;
  const rules = dnsRules(context, dns);
  const egress = nodeAt(policy.object.node, ['spec', 'egress']);
  const egressKey = keyRangeAt(policy.object.node, ['spec', 'egress']);
  let edits: Edit[] | undefined;
  if (isSeq(egress) && egressKey) {
    edits = appendToSequence(text, egress, rules[0], egressKey[0]);
    const second = edits && appendToSequence(text, egress, rules[1], egressKey[0]);
    // Both items go after the last one: one insertion holding both.
    if (edits && second && edits.length === 1 && second.length === 1 && edits[0].range[0] === second[0].range[0]) edits = [{ range: edits[0].range, newText: edits[0].newText + second[0].newText }];
    else edits = undefined;
  } else if (egress && egressKey && isScalar(egress) && egress.value === null) {
    const style = styleAt(text, egressKey[0]);
    const column = columnOf(text, egressKey[0]) + (style.compact ? 0 : style.indent);
    edits = replaceValueWithBlock(text, egressKey[0], egress.range ? egress.range[1] : egressKey[1], snippetLines(rules, text, egressKey[0]), column);
  } else if (egress === undefined) {
    edits = addMapEntry(text, spec, 'egress', rules, keyRangeAt(policy.object.node, ['spec'])?.[0]);
  }
  if (!edits) return undefined;
  return {
    title: `Allow DNS (UDP and TCP ${dns.ports.join(', ')}) to the DNS pods in ${context.config.dns.namespace}`,
    edits: edits.map((e) => ({ uri: policy.object.uri, ...e })),
    preferred: true,
  };
}
