// Pods isolated for egress whose policies do not allow DNS to the cluster DNS endpoints over both UDP and TCP.
// Judged by the engine's own verdicts (Analysis.connection), so every rule form (named ports, ranges, ipBlocks,
// namespaceSelector/podSelector combinations) counts exactly as the evaluation counts it.
import type { ClusterPolicy } from '../cluster-policy';
import { isMap, isScalar, isSeq } from 'yaml';
import { addMapEntry, appendToSequence, columnOf, replaceValueWithBlock, snippetLines, styleAt, type Edit } from '../edits';
import { ipEndpoint, workloadEndpoint } from '../evaluate';
import type { Workload } from '../model';
import { keyRangeAt, nodeAt } from '../parse';
import type { NetworkPolicy } from '../policy';
import type { Protocol } from '../types';
import { DNS_PROTOCOLS, dnsEndpoints, type DnsEndpoints, inWorkspace, locate, nameRange, namespaceTitle, podNames, workloadsIn } from './common';
import { isEmptySelector } from '../selectors';
import type { QuickFix, Rule, RuleContext } from './types';

export const missingDnsEgress: Rule = {
  id: 'missing-dns-egress',
  defaultSeverity: 'warning',
  unit: 'namespace',
  description: 'Pods isolated for egress cannot reach the cluster DNS over UDP and TCP.',
  run(context) {
    const dns = dnsEndpoints(context);
    const dnsPods = new Set(dns.pods);
    // policy -> missing protocols text -> affected workloads
    const findings = new Map<NetworkPolicy, Map<string, Workload[]>>();
    // A pod's egress toward the DNS endpoints depends only on the policies isolating it (their egress rules, read
    // against the DNS pods and addresses): pods isolated by the same policies share one answer.
    const missingByPolicies = new Map<string, string>();
    const policyNumbers = new Map<NetworkPolicy, number>();
    const numberOf = (p: NetworkPolicy) => {
      let n = policyNumbers.get(p);
      if (n === undefined) policyNumbers.set(p, (n = policyNumbers.size));
      return n;
    };
    const clusterNumbers = new Map<ClusterPolicy, number>();
    const clusterNumberOf = (p: ClusterPolicy) => {
      let n = clusterNumbers.get(p);
      if (n === undefined) clusterNumbers.set(p, (n = clusterNumbers.size));
      return n;
    };
    for (const w of context.model.workloads) {
      if (w.assumed || dnsPods.has(w)) continue;
      const isolating = context.analysis.isolatingPolicies(w, 'egress');
      if (isolating.length === 0) continue;
      let policiesKey = isolating.length === 1 ? String(numberOf(isolating[0])) : isolating.map(numberOf).join(',');
      // Cluster-wide policies may decide DNS differently for pods the same NetworkPolicies isolate: the answer also
      // depends on which of them select the pod for egress.
      if (context.analysis.tiered) policiesKey += `@${context.analysis.clusterRules(w, 'egress').policies.map(clusterNumberOf).join(',')}`;
      let key = missingByPolicies.get(policiesKey);
      if (key === undefined) {
        key = missingProtocols(context, dns, w).join(' and ');
        missingByPolicies.set(policiesKey, key);
      }
      if (key === '') continue;
      for (const policy of isolating) {
        if (!inWorkspace(context, policy.object)) continue;
        if (!findings.has(policy)) findings.set(policy, new Map());
        const byKey = findings.get(policy)!;
        byKey.set(key, [...(byKey.get(key) ?? []), w]);
      }
    }
    const portsText = `port${dns.ports.length > 1 ? 's' : ''} ${dns.ports.join(', ')}`;
    const targets = dns.cidrs.length ? `${dns.description} or ${dns.cidrs.map((c) => c.text).join(', ')}` : dns.description;
    for (const [policy, byKey] of findings) {
      for (const [missing, workloads] of byKey) {
        const fix = context.wantFixes ? addDnsRuleFix(context, policy, dns) : undefined;
        const hint = allowsDnsToAddresses(policy, dns.ports)
          ? ' An ipBlock rule here allows the DNS port, but ipBlocks do not select cluster pods: allow the DNS pods (or list their addresses in dns.cidrs of .netpol.yaml).'
          : '';
        context.report({
          message: `This policy isolates egress of ${podNames(workloads)}, and their egress policies do not allow DNS over ${missing} (${portsText}) to ${targets}; ${consequence(missing)}${hint}`,
          location: isolationLocation(policy),
          related: workloads.slice(0, 5).map((w) => ({ location: { uri: w.object.uri, range: nameRange(w.object) }, message: `${w.displayName} cannot resolve names` })),
          ...(missing === 'TCP' ? { severity: 'information' as const } : {}),
          ...(fix ? { fixes: [fix] } : {}),
        });
      }
    }
    namespaceWideIsolation(context, dns, portsText, targets);
  },
};

/** What a missing protocol breaks: every lookup, or (TCP alone) the fallback for answers too large for UDP. */
function consequence(missing: string): string {
  return missing === 'TCP'
    ? 'UDP lookups work, but the TCP fallback that resolvers use for answers too large for UDP (and some resolvers always) will fail.'
    : 'name lookups will fail.';
}

/**
 * Namespaces whose pods the files do not show (policy-only repositories, namespaces without workloads in the files):
 * a policy that isolates egress of every pod there (empty podSelector) without a DNS rule breaks name resolution for
 * whatever runs there. Judged for a pod without labels, which the namespace-wide policies isolate.
 */
function namespaceWideIsolation(context: RuleContext, dns: DnsEndpoints, portsText: string, targets: string): void {
  const seen = new Set<string>();
  for (const policy of context.model.policies) {
    const namespace = policy.namespace;
    if (seen.has(namespace) || !policy.valid || !policy.types.egress || !isEmptySelector(policy.podSelector)) continue;
    if (!inWorkspace(context, policy.object)) continue;
    seen.add(namespace);
    if (workloadsIn(context.model, namespace).some((w) => !w.assumed)) continue;
    if (namespace === context.config.dns.namespace) continue;
    const anyPod = unknownPod(namespace);
    const missing = missingProtocols(context, dns, anyPod).join(' and ');
    if (missing === '') continue;
    const isolating = context.analysis.isolatingPolicies(anyPod, 'egress').filter((p) => isEmptySelector(p.podSelector) && inWorkspace(context, p.object));
    for (const p of isolating) {
      const fix = context.wantFixes ? addDnsRuleFix(context, p, dns) : undefined;
      context.report({
        message: `This policy isolates egress of every pod in ${namespaceTitle(context, namespace)}, and no egress rule there allows DNS over ${missing} (${portsText}) to ${targets}; for whatever runs there, ${consequence(missing)}`,
        location: isolationLocation(p),
        ...(missing === 'TCP' ? { severity: 'information' as const } : {}),
        ...(fix ? { fixes: [fix] } : {}),
      });
    }
  }
}

/** A pod the files do not show, without labels, in a namespace: what namespace-wide policies select. */
function unknownPod(namespace: string): Workload {
  const object = { uri: '', kind: 'Pod', apiVersion: 'v1', name: '(any pod)', namespace, value: {}, node: undefined, range: [0, 0] as const, documentIndex: -1 };
  return {
    id: -1,
    kind: 'Pod',
    name: '(any pod)',
    namespace,
    podLabels: {},
    objectLabels: {},
    containerPorts: [],
    replicated: true,
    hostNetwork: false,
    podIps: [],
    object: object as unknown as Workload['object'],
    assumed: true,
    displayName: `${namespace}/(any pod)`,
    templatePath: [],
  };
}

/** Whether the policy has an egress rule toward ipBlocks only that allows a DNS port (a common near miss). */
function allowsDnsToAddresses(policy: NetworkPolicy, ports: number[]): boolean {
  return policy.egress.some(
    (rule) =>
      rule.peers !== undefined &&
      rule.peers.length > 0 &&
      rule.peers.every((p) => p.type === 'ipBlock') &&
      (!rule.ports || rule.ports.some((p) => p.port === undefined || (typeof p.port === 'number' && ports.some((d) => d >= (p.port as number) && d <= (p.endPort ?? (p.port as number)))))),
  );
}

/** The DNS protocols the workload's egress allows toward no DNS pod and no DNS address block on a DNS port. */
function missingProtocols(context: RuleContext, dns: DnsEndpoints, w: Workload): Protocol[] {
  const source = workloadEndpoint(w);
  const allowances = [
    ...dns.pods.map((pod) => context.analysis.egressAllowed(source, workloadEndpoint(pod))),
    ...dns.cidrs.map((cidr) => context.analysis.egressAllowed(source, ipEndpoint(cidr.range))),
  ];
  return DNS_PROTOCOLS.filter((protocol) => !allowances.some((allowed) => dns.ports.some((port) => allowed.has(protocol, port))));
}

/** The `Egress` entry of spec.policyTypes when written, else the `egress` key. */
function isolationLocation(policy: NetworkPolicy) {
  const types = (policy.object.value.spec as Record<string, unknown>).policyTypes;
  if (Array.isArray(types)) {
    const i = types.indexOf('Egress');
    if (i >= 0) return locate(policy.object, ['spec', 'policyTypes', i]);
  }
  return locate(policy.object, ['spec', 'egress'], { key: true });
}

/** The egress rule that allows DNS to the cluster DNS pods (also the one default-deny fixes include). */
export function dnsRule(context: RuleContext, dns: DnsEndpoints): Record<string, unknown> {
  const namespace = context.config.dns.namespace;
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
        podSelector: { matchLabels: { ...context.config.dns.podLabels } },
      },
    ],
    ports: dns.ports.flatMap((port) => DNS_PROTOCOLS.map((protocol) => ({ protocol, port }))),
  };
}

function addDnsRuleFix(context: RuleContext, policy: NetworkPolicy, dns: DnsEndpoints): QuickFix | undefined {
  const file = context.file(policy.object.uri);
  const spec = nodeAt(policy.object.node, ['spec']);
  if (!file || !isMap(spec)) return undefined;
  const text = file.text;
  const rule = dnsRule(context, dns);
  const egress = nodeAt(policy.object.node, ['spec', 'egress']);
  const egressKey = keyRangeAt(policy.object.node, ['spec', 'egress']);
  let edits: Edit[] | undefined;
  if (isSeq(egress) && egressKey) edits = appendToSequence(text, egress, rule, egressKey[0]);
  else if (egress && egressKey && isScalar(egress) && egress.value === null) {
    // `egress:` with no value: write the list below the key.
    const style = styleAt(text, egressKey[0]);
    const column = columnOf(text, egressKey[0]) + (style.compact ? 0 : style.indent);
    edits = replaceValueWithBlock(text, egressKey[0], egress.range ? egress.range[1] : egressKey[1], snippetLines([rule], text, egressKey[0]), column);
  } else if (egress === undefined) {
    const specKey = keyRangeAt(policy.object.node, ['spec']);
    edits = addMapEntry(text, spec, 'egress', [rule], specKey?.[0]);
  }
  if (!edits) return undefined;
  return {
    title: `Add an egress rule allowing DNS (UDP and TCP ${dns.ports.join(', ')}) to ${context.config.dns.namespace}`,
    edits: edits.map((e) => ({ uri: policy.object.uri, ...e })),
    preferred: true,
  };
}
