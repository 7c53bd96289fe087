// A named port in a policy that no destination pod declares (with that protocol): the port resolves to nothing,
// so the rule allows nothing on it. Destination pods: the policy's selected pods for ingress, the peers' pods for
// egress.
import type { Workload } from '../model';
import type { NetworkPolicy, PolicyRule } from '../policy';
import { matchesSelector } from '../selectors';
import { inWorkspace, locate, podNames, podsOfPeer, podsOfPolicy, ruleLabel, workloadsIn } from './common';
import type { Rule, RuleContext } from './types';

/** "No pod this policy selects" / "No destination pod of egress rule 2", for messages. */
export function destinationText(rule: PolicyRule): string {
  return rule.direction === 'ingress' ? `No pod this policy selects` : `No destination pod of ${ruleLabel(rule)}`;
}

/** The pods a rule's ports apply to; undefined when unknown (egress to everything or to addresses only). */
export function destinationPods(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule): Workload[] | undefined {
  let pods: Workload[];
  if (rule.direction === 'ingress') pods = podsOfPolicy(context, policy);
  else {
    if (!rule.peers) return undefined;
    const set = new Set<Workload>();
    for (const peer of rule.peers) if (peer.type === 'pods') for (const w of podsOfPeer(context, policy, peer)) set.add(w);
    pods = [...set];
  }
  // The assumed DNS pod's ports are unknown.
  pods = pods.filter((w) => w.id >= 0);
  return pods.length ? pods : undefined;
}

/**
 * Whether some destination pod of a rule passes `test`, stopping at the first; undefined when the destinations are
 * unknown. Rules ask this first, and list the destinations only for a finding.
 */
export function anyDestinationPod(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule, test: (w: Workload) => boolean): boolean | undefined {
  const known = (w: Workload) => w.id >= 0 && test(w);
  if (rule.direction === 'ingress') {
    return workloadsIn(context.model, policy.namespace).some((w) => matchesSelector(policy.podSelector, w.podLabels) && known(w));
  }
  if (!rule.peers) return undefined;
  return rule.peers.some((peer) => peer.type === 'pods' && podsOfPeer(context, policy, peer).some(known));
}

export const namedPortNotFound: Rule = {
  id: 'named-port-not-found',
  defaultSeverity: 'warning',
  description: 'No destination pod declares the named port (with that protocol).',
  run(context) {
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of [...(policy.types.ingress ? policy.ingress : []), ...(policy.types.egress ? policy.egress : [])]) {
        const named = (rule.ports ?? []).filter((p) => typeof p.port === 'string');
        for (const spec of named) {
          const name = spec.port as string;
          if (anyDestinationPod(context, policy, rule, (w) => w.containerPorts.some((c) => c.name === name && c.protocol === spec.protocol)) !== false) continue;
          const pods = destinationPods(context, policy, rule);
          if (!pods) continue;
          const other = pods.flatMap((w) => w.containerPorts.filter((c) => c.name === name)).map((c) => c.protocol);
          const hint = other.length ? ` (it is declared for ${[...new Set(other)].join(', ')}: set protocol accordingly)` : '';
          context.report({
            message: `${destinationText(rule)} (${podNames(pods)}) declares a container port named "${name}" with protocol ${spec.protocol}${hint}; this port allows nothing.`,
            location: locate(policy.object, [...spec.path, 'port']),
          });
        }
      }
    }
  },
};
