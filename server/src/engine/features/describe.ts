// A NetworkPolicy in plain English: whom it isolates and what each rule allows.
import { formatRangeAsCidr } from '../cidr';
import { NAMESPACE_NAME_LABEL } from '../model';
import type { Direction, NetworkPolicy, Peer, PodPeer, PolicyRule, PortSpec } from '../policy';
import { formatSelector, type LabelSelector } from '../selectors';
import type { Protocol } from '../types';
import type { ScopeIndex } from './index';
import { cappedInline, joinAnd, plural } from './markdown';

/** The namespace a selector pins by `kubernetes.io/metadata.name`, when that is all it says. */
function namespaceByName(selector: LabelSelector): string[] | undefined {
  if (selector.requirements.length !== 1) return undefined;
  const r = selector.requirements[0];
  return r.key === NAMESPACE_NAME_LABEL && r.operator === 'In' ? [...r.values] : undefined;
}

function namespacesPhrase(selector: LabelSelector | undefined, policyNamespace: string): string {
  if (!selector) return `in ${policyNamespace}`;
  if (selector.requirements.length === 0) return 'in all namespaces';
  const names = namespaceByName(selector);
  if (names) return `in ${joinAnd(names, 'or')}`;
  return `in namespaces labelled ${formatSelector(selector)}`;
}

/** "pods labelled app=api in production", "all pods in namespaces labelled team=a", "10.0.0.0/8 except 10.1.0.0/16". */
export function describePeer(peer: Peer, policyNamespace: string): string {
  if (peer.type === 'ipBlock') {
    const except = peer.except.map(formatRangeAsCidr);
    return except.length ? `${peer.cidrText} except ${joinAnd(except)}` : peer.cidrText;
  }
  return `${podsPhrase(peer)} ${namespacesPhrase(peer.namespaceSelector, policyNamespace)}`;
}

function podsPhrase(peer: PodPeer): string {
  if (!peer.podSelector || peer.podSelector.requirements.length === 0) return 'all pods';
  return `pods labelled ${formatSelector(peer.podSelector)}`;
}

function describePort(spec: PortSpec): string {
  if (spec.port === undefined) return `all ${spec.protocol} ports`;
  if (typeof spec.port === 'string') return `${spec.protocol} port ${spec.port}`;
  if (spec.endPort !== undefined && spec.endPort !== spec.port) return `${spec.protocol} ${spec.port}-${spec.endPort}`;
  return `${spec.protocol} ${spec.port}`;
}

/** "TCP 5432", "TCP 80 and 443", "UDP 53 and TCP 53", "all ports". */
export function describePorts(ports: readonly PortSpec[] | undefined): string {
  if (!ports) return 'all ports';
  // Numeric single ports of one protocol read better grouped: "TCP 80 and 443".
  const groups = new Map<Protocol, string[]>();
  const others: string[] = [];
  for (const spec of ports) {
    if (typeof spec.port === 'number' && spec.endPort === undefined) {
      const list = groups.get(spec.protocol) ?? [];
      list.push(String(spec.port));
      groups.set(spec.protocol, list);
    } else others.push(describePort(spec));
  }
  const parts = [...[...groups].map(([protocol, list]) => `${protocol} ${joinAnd(list)}`), ...others];
  return parts.length ? joinAnd(parts) : 'no ports';
}

export function describeRule(rule: PolicyRule, policyNamespace: string, index?: ScopeIndex, policy?: NetworkPolicy): string {
  const toward = rule.direction === 'ingress' ? 'from' : 'to';
  const what = rule.ports ? describePorts(rule.ports) : 'all traffic';
  if (!rule.peers) return `Allows ${what} ${toward} anywhere (any pod and any address).`;
  if (rule.peers.length === 0) return 'Allows nothing (its peer list is invalid).';
  const peers = rule.peers.map((peer) => {
    const text = describePeer(peer, policyNamespace);
    if (index && policy && peer.type === 'pods' && index.peerWorkloads(policy, peer).length === 0) return `${text} (no pod matches)`;
    return text;
  });
  return `Allows ${what} ${toward} ${joinAnd(peers, 'or')}.`;
}

function directionSentences(policy: NetworkPolicy, direction: Direction, index: ScopeIndex): string[] {
  if (!policy.types[direction]) return [];
  const rules = policy[direction];
  if (rules.length === 0) return [`Denies all ${direction}.`];
  return rules.map((rule) => describeRule(rule, policy.namespace, index, policy));
}

/** The plain-English summary of a policy: one paragraph, sentences in the order the API applies them. */
export function describePolicy(policy: NetworkPolicy, index: ScopeIndex): string {
  const sentences: string[] = [];
  const selected = index.selectedBy(policy);
  const names = cappedInline(selected.map((w) => w.name));
  const rejected = policy.problems.filter((p) => p.rejected);
  if (rejected.length > 0) {
    sentences.push(`The API server rejects this policy (${rejected[0].message}), so it has no effect.`);
    if (selected.length > 0) sentences.push(`As written, its podSelector selects ${plural(selected.length, 'pod')} in ${policy.namespace} (${names}).`);
    return sentences.join(' ');
  }
  const directions = (['ingress', 'egress'] as const).filter((d) => policy.types[d]);
  const isolates = directions.join(' and ');
  const everyPod = policy.podSelector.requirements.length === 0;
  if (selected.length === 0) {
    sentences.push(
      everyPod
        ? `Would isolate ${isolates} of every pod in ${policy.namespace}, but there are no pods in ${policy.namespace} in the files.`
        : `Selects no pods in ${policy.namespace} in the files (podSelector ${formatSelector(policy.podSelector)}), so it isolates nothing there.`,
    );
  } else {
    const who = !everyPod ? plural(selected.length, 'pod') : selected.length === 1 ? 'the only pod' : `all ${selected.length} pods`;
    sentences.push(`Isolates ${isolates} of ${who} in ${policy.namespace} (${names}).`);
  }
  for (const direction of directions) sentences.push(...directionSentences(policy, direction, index));
  for (const direction of ['ingress', 'egress'] as const) {
    if (!policy.types[direction] && policy[direction].length > 0) {
      const type = direction === 'ingress' ? 'Ingress' : 'Egress';
      sentences.push(`Its ${direction} rules are ignored: policyTypes leaves out ${type}.`);
    }
  }
  return sentences.join(' ');
}
