// A workload that serves ports (a Service in front of it, or declared container ports) which nothing can reach:
// it is isolated for ingress, and no ingress rule of the policies that isolate it admits any of those ports from
// any peer. Ingress rules count as admitting when they have no `from`, an ipBlock (the outside world) or a
// namespaceSelector (pods of other namespaces, which may live outside the files); a podSelector of the own
// namespace counts only when it selects a pod of the files. Reads only the workload's namespace.
import { listsByNamespace, type Service, type Workload } from '../model';
import { workloadEndpoint } from '../evaluate';
import type { NetworkPolicy, PolicyRule } from '../policy';
import { PortSet } from '../portset';
import type { Protocol } from '../types';
import { baseModel, clusterWideAllowsIngress, inWorkspace, listNames, locate, podsOfPeer, policyName, ruleLabel, namespaceEvidence } from './common';
import type { QuickFix, Rule, RuleContext } from './types';
import { replaceScalar } from '../edits';
import { nodeAt } from '../parse';
import type { Node as YamlNode } from 'yaml';

interface ServedPort {
  protocol: Protocol;
  port: number;
}

/** The ports a workload serves: its declared container ports and the target ports of the Services in front of it. */
export function servedPorts(w: Workload, services: readonly Service[]): { ports: ServedPort[]; services: Service[] } {
  const ports: ServedPort[] = [];
  const add = (protocol: Protocol, port: number) => {
    if (!ports.some((p) => p.protocol === protocol && p.port === port)) ports.push({ protocol, port });
  };
  for (const p of w.containerPorts) add(p.protocol, p.containerPort);
  const fronting: Service[] = [];
  for (const s of services) {
    const selector = s.selector;
    if (!selector) continue;
    let behind = false;
    for (const key in selector) {
      behind = w.podLabels[key] === selector[key];
      if (!behind) break;
    }
    if (!behind) continue;
    fronting.push(s);
    for (const sp of s.ports) {
      if (typeof sp.targetPort === 'number') add(sp.protocol, sp.targetPort);
      else for (const cp of w.containerPorts) if (cp.name === sp.targetPort && cp.protocol === sp.protocol) add(cp.protocol, cp.containerPort);
    }
  }
  return { ports, services: fronting };
}

function describePorts(ports: readonly ServedPort[]): string {
  let set = PortSet.NONE;
  for (const p of ports) set = set.union(PortSet.of(p.protocol, p.port, p.port));
  return set.toString();
}

/** Why a rule admits nobody on the served ports, or undefined when it may admit someone. */
function deadRule(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule, w: Workload, served: readonly ServedPort[]): string | undefined {
  if (rule.ports) {
    const ports = context.analysis.rulePorts(rule, workloadEndpoint(w));
    if (!served.some((p) => ports.has(p.protocol, p.port))) return 'ports';
  }
  if (!rule.peers) return undefined;
  for (const peer of rule.peers) {
    if (peer.type === 'ipBlock' || peer.namespaceSelector) return undefined;
    if (podsOfPeer(context, policy, peer).length > 0) return undefined;
  }
  return 'peers';
}

export const workloadUnreachable: Rule = {
  id: 'workload-unreachable',
  defaultSeverity: 'warning',
  // Read the workload's own namespace: its policies, pods and Services (peers with a namespaceSelector count as
  // possibly admitting, without looking at the namespaces they select).
  unit: 'namespace',
  description: 'A workload with a Service or declared ports that no ingress rule lets anything reach on them.',
  run(context) {
    const servicesByNamespace = listsByNamespace(baseModel(context.model)).services;
    for (const w of context.model.workloads) {
      if (w.assumed || w.hostNetwork || !inWorkspace(context, w.object)) continue;
      const policies = context.analysis.isolatingPolicies(w, 'ingress');
      if (policies.length === 0) continue;
      // Cilium rules for its ingress may admit what the NetworkPolicies do not (allows are a union): not judged here.
      if (context.analysis.cilium?.hasRules(w, 'ingress')) continue;
      // An AdminNetworkPolicy or Calico rule may allow what the NetworkPolicies deny: not judged here.
      if (clusterWideAllowsIngress(context, w)) continue;
      const { ports: served, services } = servedPorts(w, servicesByNamespace.get(w.namespace) ?? []);
      if (served.length === 0) continue;
      const byPorts: string[] = [];
      const byPeers: string[] = [];
      let reachable = false;
      const portsDead: { policy: NetworkPolicy; rule: PolicyRule }[] = [];
      for (const policy of policies) {
        for (const rule of policy.ingress) {
          const why = deadRule(context, policy, rule, w, served);
          if (!why) {
            reachable = true;
            break;
          }
          (why === 'ports' ? byPorts : byPeers).push(`${ruleLabel(rule)} of ${policyName(policy)}`);
          if (why === 'ports') portsDead.push({ policy, rule });
        }
        if (reachable) break;
      }
      if (reachable) continue;
      const what = services.length > 0 ? `${describePorts(served)} (served by Service${services.length > 1 ? 's' : ''} ${listNames(services.map((s) => s.name))})` : describePorts(served);
      let why = `${listNames(policies.map(policyName))} isolate${policies.length === 1 ? 's' : ''} it for ingress`;
      if (byPorts.length === 0 && byPeers.length === 0) why += ` and allow${policies.length === 1 ? 's' : ''} nothing`;
      else {
        const parts: string[] = [];
        if (byPorts.length) parts.push(`${listNames(byPorts)} admit${byPorts.length === 1 ? 's' : ''} none of these ports`);
        if (byPeers.length) parts.push(`${listNames(byPeers)} admit${byPeers.length === 1 ? 's' : ''} only pods of namespace ${w.namespace} that no workload in the files matches`);
        why += `; ${parts.join(', and ')}`;
      }
      // Pods the files do not show could match the peers: then the workspace cannot know, and says so.
      const evidence = byPeers.length > 0 ? namespaceEvidence(context, w.namespace) : undefined;
      const unseen = evidence && !evidence.complete ? evidence.unknown : undefined;
      context.report({
        message: unseen
          ? `Nothing in the files can reach ${w.displayName} on ${what}: ${why}. Unknown: ${unseen}, which the peers may select.`
          : `Nothing can reach ${w.displayName} on ${what}: ${why}.`,
        location: locate(w.object, ['metadata', 'name']),
        ...(unseen ? { severity: 'hint' as const } : {}),
        ...(context.wantFixes ? withFixes(targetPortFixes(context, w, services, portsDead)) : {}),
      });
    }
  },
};

function withFixes(fixes: QuickFix[]): { fixes?: QuickFix[] } {
  return fixes.length ? { fixes } : {};
}

/**
 * The classic cause of "admits none of these ports": a rule names a Service's `port` where the pods listen on its
 * `targetPort` (policies see pod ports, after the Service translated them). The fix writes the target port there
 * (its name when the Service names it), one value edited in place.
 */
function targetPortFixes(context: RuleContext, w: Workload, services: readonly Service[], dead: readonly { policy: NetworkPolicy; rule: PolicyRule }[]): QuickFix[] {
  const fixes: QuickFix[] = [];
  for (const { policy, rule } of dead) {
    const file = context.file(policy.object.uri);
    if (!file) continue;
    for (const spec of rule.ports ?? []) {
      if (typeof spec.port !== 'number' || spec.endPort !== undefined) continue;
      for (const service of services) {
        const sp = service.ports.find((p) => p.port === spec.port && p.protocol === spec.protocol);
        if (!sp || sp.targetPort === spec.port) continue;
        const declared = typeof sp.targetPort === 'number' || w.containerPorts.some((c) => c.name === sp.targetPort && c.protocol === sp.protocol);
        if (!declared) continue;
        const node = nodeAt(policy.object.node, [...spec.path, 'port']);
        const edit = node ? replaceScalar(file.text, node as YamlNode, String(sp.targetPort), typeof sp.targetPort === 'number') : undefined;
        if (!edit) continue;
        fixes.push({
          title: `Use the target port ${sp.targetPort} of Service ${service.name} (not its port ${sp.port}) in ${ruleLabel(rule)} of ${policyName(policy)}`,
          edits: [{ uri: policy.object.uri, ...edit }],
        });
        break;
      }
    }
  }
  return fixes;
}
