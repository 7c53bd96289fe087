// A workload that serves ports (a Service in front of it, or declared container ports) which nothing can reach:
// it is isolated for ingress, and no ingress rule of the policies that isolate it admits any of those ports from
// any peer. Ingress rules count as admitting when they have no `from`, an ipBlock (the outside world) or a
// namespaceSelector (pods of other namespaces, which may live outside the files); a podSelector of the own
// namespace counts only when it selects a pod of the files. Reads only the workload's namespace.
import { listsByNamespace, type Service, type Workload } from '../model';
import { workloadEndpoint } from '../evaluate';
import type { NetworkPolicy, PolicyRule } from '../policy';
import { PortSet } from '../portset';
import { baseModel, inWorkspace, listNames, locate, podsOfPeer, policyName, ruleLabel, unseenPodsReason } from './common';
import type { Rule, RuleContext } from './types';

/** The ports a workload serves: its declared container ports and the target ports of the Services in front of it. */
export function servedPorts(w: Workload, services: readonly Service[]): { ports: PortSet; services: Service[] } {
  let ports = PortSet.NONE;
  for (const p of w.containerPorts) ports = ports.union(PortSet.of(p.protocol, p.containerPort, p.containerPort));
  const fronting: Service[] = [];
  for (const s of services) {
    if (!s.selector || Object.keys(s.selector).length === 0) continue;
    if (!Object.entries(s.selector).every(([k, v]) => w.podLabels[k] === v)) continue;
    fronting.push(s);
    for (const sp of s.ports) {
      if (typeof sp.targetPort === 'number') ports = ports.union(PortSet.of(sp.protocol, sp.targetPort, sp.targetPort));
      else for (const cp of w.containerPorts) if (cp.name === sp.targetPort && cp.protocol === sp.protocol) ports = ports.union(PortSet.of(cp.protocol, cp.containerPort, cp.containerPort));
    }
  }
  return { ports, services: fronting };
}

/** Why a rule admits nobody on the served ports, or undefined when it may admit someone. */
function deadRule(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule, w: Workload, served: PortSet): string | undefined {
  const ports = context.analysis.rulePorts(rule, workloadEndpoint(w)).intersect(served);
  if (ports.isEmpty()) return 'ports';
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
  description: 'A workload with a Service or declared ports that no ingress rule lets anything reach on them.',
  run(context) {
    const servicesByNamespace = listsByNamespace(baseModel(context.model)).services;
    for (const w of context.model.workloads) {
      if (w.assumed || w.hostNetwork || !inWorkspace(context, w.object)) continue;
      const policies = context.analysis.isolatingPolicies(w, 'ingress');
      if (policies.length === 0) continue;
      const { ports: served, services } = servedPorts(w, servicesByNamespace.get(w.namespace) ?? []);
      if (served.isEmpty()) continue;
      const byPorts: string[] = [];
      const byPeers: string[] = [];
      let reachable = false;
      for (const policy of policies) {
        for (const rule of policy.ingress) {
          const why = deadRule(context, policy, rule, w, served);
          if (!why) {
            reachable = true;
            break;
          }
          (why === 'ports' ? byPorts : byPeers).push(`${ruleLabel(rule)} of ${policyName(policy)}`);
        }
        if (reachable) break;
      }
      if (reachable) continue;
      const what = services.length > 0 ? `${served.toString()} (served by Service${services.length > 1 ? 's' : ''} ${listNames(services.map((s) => s.name))})` : served.toString();
      let why = `${listNames(policies.map(policyName))} isolate${policies.length === 1 ? 's' : ''} it for ingress`;
      if (byPorts.length === 0 && byPeers.length === 0) why += ` and allow${policies.length === 1 ? 's' : ''} nothing`;
      else {
        const parts: string[] = [];
        if (byPorts.length) parts.push(`${listNames(byPorts)} admit${byPorts.length === 1 ? 's' : ''} none of these ports`);
        if (byPeers.length) parts.push(`${listNames(byPeers)} admit${byPeers.length === 1 ? 's' : ''} only pods of namespace ${w.namespace} that no workload in the files matches`);
        why += `; ${parts.join(', and ')}`;
      }
      // Pods the files do not show could match the peers: then the workspace cannot know, and says so.
      const unseen = byPeers.length > 0 ? unseenPodsReason(context, w.namespace) : undefined;
      context.report({
        message: unseen
          ? `Nothing in the files can reach ${w.displayName} on ${what}: ${why}. Unknown: ${unseen}, which the peers may select.`
          : `Nothing can reach ${w.displayName} on ${what}: ${why}.`,
        location: locate(w.object, ['metadata', 'name']),
        ...(unseen ? { severity: 'hint' as const } : {}),
      });
    }
  },
};
