// Generate Least-Privilege Policy: one NetworkPolicy for one workload that admits only what the workspace shows it
// needs. Ingress: the ports its Services target and its containers declare, each from the peers that already
// reach it by an explicit rule (its own ingress rules, and the clients whose egress policies name it); a port
// without a known client is left to the pods of its own namespace, never to an open `from`. Egress: DNS, what its
// egress rules allow today, the workloads whose ingress rules admit it, and the API server where its
// ServiceAccount has API access. The result is checked by the engine before it is shown (generated-check.ts).
import { workloadEndpoint, type Analysis } from '../engine/evaluate';
import type { Workload } from '../engine/model';
import { compareText } from '../engine/order';
import type { Protocol } from '../engine/types';
import type { Workspace } from '../engine/workspace';
import type { RunOptions } from '../engine/rules/run';
import { checkGenerated } from './generated-check';
import { dnsEgressRule, NAMESPACE_NAME_LABEL, policyName } from './policy-yaml';
import type { DnsInfo } from './protocol';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Port {
  port: number | string;
  protocol: Protocol;
}

const portKey = (p: Port) => `${p.port}/${p.protocol}`;

/** The ports a workload serves: the target ports of the Services selecting it (resolved by name) and its container ports. */
function servedPorts(analysis: Analysis, w: Workload): Port[] {
  const ports = new Map<string, Port>();
  for (const service of analysis.model.services) {
    if (service.namespace !== w.namespace || !service.selector || Object.keys(service.selector).length === 0) continue;
    if (!Object.entries(service.selector).every(([k, v]) => w.podLabels[k] === v)) continue;
    for (const sp of service.ports) {
      const target = typeof sp.targetPort === 'string' ? w.containerPorts.find((c) => c.name === sp.targetPort && c.protocol === sp.protocol)?.containerPort : sp.targetPort;
      if (target !== undefined) ports.set(`${target}/${sp.protocol}`, { port: target, protocol: sp.protocol });
    }
  }
  for (const c of w.containerPorts) ports.set(`${c.containerPort}/${c.protocol}`, { port: c.containerPort, protocol: c.protocol });
  return [...ports.values()].sort((a, b) => Number(a.port) - Number(b.port) || compareText(a.protocol, b.protocol));
}

function peerOfWorkload(c: Workload, namespace: string, labelsOf: (w: Workload) => Record<string, string>): Json {
  const podSelector = { matchLabels: { ...labelsOf(c) } };
  if (c.namespace === namespace) return { podSelector };
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: c.namespace } }, podSelector };
}

function rawRule(policyValue: unknown, direction: 'ingress' | 'egress', index: number): Record<string, unknown> | undefined {
  const spec = (policyValue as { spec?: Record<string, unknown> } | undefined)?.spec;
  const list = spec?.[direction];
  const rule = Array.isArray(list) ? list[index] : undefined;
  return rule && typeof rule === 'object' ? (rule as Record<string, unknown>) : undefined;
}

export interface LeastPrivilegeOutput {
  policy: Json;
  /** Where each part came from, for the document's header. */
  sources: string[];
}

export function leastPrivilegePolicyFor(
  workspace: Workspace,
  analysis: Analysis,
  w: Workload,
  labels: Record<string, string>,
  labelsOf: (w: Workload) => Record<string, string>,
  dns: DnsInfo,
  severities?: RunOptions['severities'],
): LeastPrivilegeOutput {
  const sources: string[] = [];
  const self = workloadEndpoint(w);
  const others = analysis.reportedWorkloads().filter((o) => o !== w && !o.hostNetwork);

  // Ingress, port by port: the peers that reach it now by an explicit rule.
  const ingress: Json[] = [];
  const ingressPolicies = analysis.isolatingPolicies(w, 'ingress');
  for (const port of servedPorts(analysis, w)) {
    const peers = new Map<string, Json>();
    for (const policy of ingressPolicies) {
      for (const rule of policy.ingress) {
        if (!rule.peers || rule.peers.length === 0) continue; // an open `from` is what least privilege removes
        const from = rawRule(policy.object.value, 'ingress', rule.index)?.from;
        if (!Array.isArray(from) || !analysis.rulePorts(rule, self).has(port.protocol, Number(port.port))) continue;
        for (const peer of from as Json[]) peers.set(JSON.stringify(peer), peer);
      }
    }
    for (const client of others) {
      if (analysis.isolatingPolicies(client, 'egress').length === 0) continue; // only clients whose egress names it
      if (!analysis.egressAllowed(workloadEndpoint(client), self).has(port.protocol, Number(port.port))) continue;
      const peer = peerOfWorkload(client, w.namespace, labelsOf);
      peers.set(JSON.stringify(peer), peer);
    }
    const ports = [{ protocol: port.protocol, port: port.port }];
    if (peers.size > 0) {
      ingress.push({ from: [...peers.values()], ports });
      sources.push(`ingress ${portKey(port)}: from the peers that existing rules allow (${peers.size})`);
    } else {
      ingress.push({ from: [{ podSelector: {} }], ports });
      sources.push(`ingress ${portKey(port)}: no known client, so only pods of namespace ${w.namespace}: narrow or widen to its real clients`);
    }
  }
  const merged = mergeRules(ingress, 'from');

  // Egress: DNS, today's egress rules, and the workloads whose ingress admits this one.
  // The cluster DNS pods themselves resolve through upstream servers the workspace does not show.
  const isDns = w.namespace === dns.namespace && Object.entries(dns.podLabels).every(([k, v]) => w.podLabels[k] === v);
  const egress: Json[] = isDns ? [] : [dnsEgressRule(dns)];
  sources.push(isDns ? 'egress: no DNS rule, it is the cluster DNS: add its upstream resolvers' : `egress: DNS to ${dns.namespace}`);
  for (const policy of analysis.isolatingPolicies(w, 'egress')) {
    for (const rule of policy.egress) {
      const raw = rawRule(policy.object.value, 'egress', rule.index);
      if (raw) egress.push(raw as Json);
    }
    sources.push(`egress: the rules of ${policy.namespace}/${policy.name}`);
  }
  for (const server of others) {
    if (analysis.isolatingPolicies(server, 'ingress').length === 0) continue;
    const allowed = analysis.ingressAllowed(self, workloadEndpoint(server));
    const ports = servedPorts(analysis, server).filter((p) => allowed.has(p.protocol, Number(p.port)));
    if (ports.length === 0) continue;
    egress.push({ to: [peerOfWorkload(server, w.namespace, labelsOf)], ports: ports.map((p) => ({ protocol: p.protocol, port: p.port })) });
    sources.push(`egress: ${server.displayName} ${ports.map(portKey).join(', ')}, whose ingress admits it`);
  }

  const build = (extraEgress: Json[]): Json => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: policyName(w.name, 'least-privilege'), namespace: w.namespace },
    spec: { podSelector: { matchLabels: { ...labels } }, policyTypes: ['Ingress', 'Egress'], ingress: merged, egress: [...egress, ...extraEgress] },
  });
  let policy = build([]);
  // A workload with API access keeps the API server (api-server-egress-blocked says where it is).
  const check = checkGenerated(workspace, [{ yaml: JSON.stringify(policy) }], severities);
  if (check.newFindings.some((d) => d.ruleId === 'api-server-egress-blocked')) {
    const { cidrs, ports } = workspace.config.apiServer;
    const to = (cidrs.length ? cidrs : ['0.0.0.0/0']).map((cidr) => ({ ipBlock: { cidr } }));
    policy = build([{ to, ports: ports.map((port) => ({ protocol: 'TCP', port })) }]);
    sources.push(`egress: the API server (${cidrs.length ? cidrs.join(', ') : 'any address: set apiServer.cidrs in .netpol.yaml'}) on TCP ${ports.join(', ')}, for its ServiceAccount's API access`);
  }
  return { policy, sources };
}

/** Rules with the same peers become one rule with their ports together (the output reads like a hand-written one). */
function mergeRules(rules: Json[], peerKey: 'from' | 'to'): Json[] {
  const byPeers = new Map<string, { peers: Json; ports: Json[] }>();
  for (const rule of rules) {
    const r = rule as { [k: string]: Json };
    const key = JSON.stringify(r[peerKey]);
    const entry = byPeers.get(key);
    if (entry) entry.ports.push(...(r.ports as Json[]));
    else byPeers.set(key, { peers: r[peerKey], ports: [...(r.ports as Json[])] });
  }
  return [...byPeers.values()].map((e) => ({ [peerKey]: e.peers, ports: e.ports }));
}
