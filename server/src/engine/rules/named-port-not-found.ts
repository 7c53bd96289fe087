// A named port in a policy that no destination pod declares (with that protocol): the port resolves to nothing,
// so the rule allows nothing on it. Destination pods: the policy's selected pods for ingress, the peers' pods for
// egress.
import { distance } from 'fastest-levenshtein';
import { isMap, type Node as YamlNode } from 'yaml';
import { addMapEntry, replaceScalar } from '../edits';
import type { Workload } from '../model';
import { nodeAt } from '../parse';
import type { NetworkPolicy, PolicyRule, PortSpec } from '../policy';
import { matchesSelector } from '../selectors';
import { inWorkspace, locate, podNames, podsOfPeer, podsOfPolicy, ruleLabel, workloadsIn } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

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
  unit: 'policy',
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
          const fixes = context.wantFixes ? namedPortFixes(context, policy, spec, pods) : [];
          context.report({
            message: `${destinationText(rule)} (${podNames(pods)}) declares a container port named "${name}" with protocol ${spec.protocol}${hint}; this port allows nothing.`,
            location: locate(policy.object, [...spec.path, 'port']),
            ...(fixes.length ? { fixes } : {}),
          });
        }
      }
    }
  },
};

/**
 * Did-you-mean fixes: the protocol the destination pods declare the name with (every such pod the same), or the
 * destination pods' port name of that protocol nearest to it (edit distance at most 2, and less than half the name).
 */
function namedPortFixes(context: RuleContext, policy: NetworkPolicy, spec: PortSpec, pods: readonly Workload[]): QuickFix[] {
  const file = context.file(policy.object.uri);
  const entry = nodeAt(policy.object.node, spec.path);
  const portNode = nodeAt(policy.object.node, [...spec.path, 'port']);
  if (!file || !isMap(entry) || !portNode) return [];
  const name = spec.port as string;
  const uri = policy.object.uri;
  const fixes: QuickFix[] = [];
  const protocols = [...new Set(pods.flatMap((w) => w.containerPorts.filter((c) => c.name === name).map((c) => c.protocol)))];
  // Only where the protocol is the default (not written): a protocol written out is the author's, left alone.
  if (protocols.length === 1 && !entry.has('protocol')) {
    const edits = addMapEntry(file.text, entry, 'protocol', protocols[0]);
    if (edits && edits.length) fixes.push({ title: `Set protocol: ${protocols[0]} (how the pods declare "${name}")`, edits: edits.map((e) => ({ uri, ...e })), preferred: true });
  }
  const names = [...new Set(pods.flatMap((w) => w.containerPorts.filter((c) => c.protocol === spec.protocol && c.name).map((c) => c.name!)))];
  const scored = names.map((n) => ({ n, d: distance(n, name) })).filter(({ d }) => d <= 2 && d * 2 < Math.max(name.length, 2));
  const best = Math.min(...scored.map((x) => x.d));
  const nearest = scored.filter((x) => x.d === best).map((x) => x.n).sort();
  for (const candidate of nearest) {
    const edit = replaceScalar(file.text, portNode as YamlNode, candidate);
    if (edit) fixes.push({ title: `Replace "${name}" with "${candidate}"`, edits: [{ uri, ...edit }] });
  }
  return fixes;
}
