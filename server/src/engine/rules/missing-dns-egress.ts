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
import { DNS_PROTOCOLS, dnsEndpoints, type DnsEndpoints, inWorkspace, locate, nameRange, namespaceTitle, OPENSHIFT_DNS, openShiftDnsPod, podNames, showsOpenShift, workloadsIn } from './common';
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
      // Host-network pods are left to host-network: most CNIs do not apply policies to them at all.
      if (w.assumed || w.hostNetwork || dnsPods.has(w)) continue;
      const isolating = context.analysis.isolatingPolicies(w, 'egress');
      if (isolating.length === 0) continue;
      let policiesKey = isolating.length === 1 ? String(numberOf(isolating[0])) : isolating.map(numberOf).join(',');
      // Cluster-wide policies may decide DNS differently for pods the same NetworkPolicies isolate: the answer also
      // depends on which of them select the pod for egress.
      if (context.analysis.tiered) policiesKey += `@${context.analysis.clusterRules(w, 'egress').policies.map(clusterNumberOf).join(',')}`;
      let key = missingByPolicies.get(policiesKey);
      if (key === undefined) {
        key = missingKey(context, dns, w);
        if (key !== '' && deniesAllEgressByName(context, isolating)) key = `${NO_EGRESS}${key}`;
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
      for (const [key, workloads] of byKey) {
        if (key.startsWith(NO_EGRESS)) {
          // A policy that names these pods and allows them no egress says they connect nowhere: DNS is moot.
          // The fix stays offered: a policy being written has no egress rules yet either.
          const fix = context.wantFixes ? addDnsRuleFix(context, policy, dns) : undefined;
          context.report({
            message: `This policy isolates egress of ${podNames(workloads)}, and no egress policy allows them anything (DNS over ${key.slice(NO_EGRESS.length).split('|')[0]} included): they can connect nowhere. A policy that selects them by their labels allows no egress, which says they need no outgoing connections; if they do, allow their destinations and DNS.`,
            location: isolationLocation(policy),
            severity: 'information',
            ...(fix ? { fixes: [{ ...fix, preferred: false }] } : {}),
          });
          continue;
        }
        const [missing, openShiftOnly] = key.split('|');
        const fix = context.wantFixes ? addDnsRuleFix(context, policy, dns) : undefined;
        const hint = allowsDnsToAddresses(policy, dns.ports)
          ? ' An ipBlock rule here allows the DNS port, but ipBlocks do not select cluster pods: allow the DNS pods (or list their addresses in dns.cidrs of .netpol.yaml).'
          : '';
        // Egress that reaches OpenShift's DNS pods: lookups work on OpenShift, and the files do not say the cluster is one.
        const openShift = openShiftOnly ? openShiftNote(openShiftOnly) : '';
        context.report({
          message: `This policy isolates egress of ${podNames(workloads)}, and their egress policies do not allow DNS over ${missing} (${portsText}) to ${targets}; ${consequence(missing)}${hint}${openShift}`,
          location: isolationLocation(policy),
          related: workloads.slice(0, 5).map((w) => ({ location: { uri: w.object.uri, range: nameRange(w.object) }, message: `${w.displayName} cannot resolve names` })),
          ...(openShiftOnly ? { severity: 'hint' as const } : missing === 'TCP' ? { severity: 'information' as const } : {}),
          ...(fix ? { fixes: [fix] } : {}),
        });
      }
    }
    namespaceWideIsolation(context, dns, portsText, targets);
  },
};

/** Egress that reaches OpenShift's DNS pods: lookups work there, and the files do not say the cluster is OpenShift. */
function openShiftNote(protocols: string): string {
  return ` They allow ${protocols} ${OPENSHIFT_DNS.port} toward OpenShift's DNS pods (in ${OPENSHIFT_DNS.namespace}), so on OpenShift lookups over ${protocols} work; the files do not show whether the cluster runs OpenShift (dns in .netpol.yaml names the cluster's DNS).`;
}

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
    const [missing, openShiftOnly] = missingKey(context, dns, anyPod).split('|');
    if (missing === '') continue;
    const isolating = context.analysis.isolatingPolicies(anyPod, 'egress').filter((p) => isEmptySelector(p.podSelector) && inWorkspace(context, p.object));
    for (const p of isolating) {
      const fix = context.wantFixes ? addDnsRuleFix(context, p, dns) : undefined;
      context.report({
        message: `This policy isolates egress of every pod in ${namespaceTitle(context, namespace)}, and no egress rule there allows DNS over ${missing} (${portsText}) to ${targets}; for whatever runs there, ${consequence(missing)}${openShiftOnly ? openShiftNote(openShiftOnly) : ''}`,
        location: isolationLocation(p),
        ...(openShiftOnly ? { severity: 'hint' as const } : missing === 'TCP' ? { severity: 'information' as const } : {}),
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

/** Key prefix of pods whose own policy allows them no egress at all. */
const NO_EGRESS = '!';

/**
 * Whether the pod's egress policies allow nothing at all and one of them selects it by labels (not a namespace-wide
 * default deny): its author declared that the pod connects nowhere (ACS's generated policies, np-guard's synthesised
 * ones). A namespace-wide deny alone says nothing about the pod's needs: its missing DNS stays a warning.
 */
function deniesAllEgressByName(context: RuleContext, isolating: NetworkPolicy[]): boolean {
  if (context.analysis.tiered) return false;
  return isolating.every((p) => p.egress.length === 0) && isolating.some((p) => !isEmptySelector(p.podSelector));
}

/**
 * What the workload's egress lacks for DNS, as a finding key: the missing protocols ("UDP and TCP"), and after a `|`
 * the protocols that OpenShift's DNS pods would answer instead (where the files do not show OpenShift). Where they
 * show it, OpenShift's DNS counts like the configured one. Empty when nothing is missing.
 */
function missingKey(context: RuleContext, dns: DnsEndpoints, w: Workload): string {
  const missing = missingProtocols(context, dns, w);
  if (missing.length === 0 || context.config.dns.namespace === OPENSHIFT_DNS.namespace) return missing.join(' and ');
  const source = workloadEndpoint(w);
  const toOpenShift = context.analysis.egressAllowed(source, workloadEndpoint(openShiftDnsPod(context.model)));
  const answered = missing.filter((protocol) => toOpenShift.has(protocol, OPENSHIFT_DNS.port));
  if (answered.length === 0) return missing.join(' and ');
  const stillMissing = missing.filter((protocol) => !answered.includes(protocol));
  if (showsOpenShift(context.model)) return stillMissing.join(' and ');
  return `${missing.join(' and ')}|${answered.join(' and ')}`;
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
