// Hovers on Cilium policies: on an entry, what its peers match (pods, entities, addresses, names) and the L7 rules
// that filter inside what it allows; elsewhere the pods each rule selects and what it makes default-deny.
import type { CiliumElement, CiliumPeer, CiliumPolicy } from '../cilium';
import { ciliumPolicies } from '../cilium-evaluate';
import type { Workload } from '../model';
import type { K8sObject } from '../parse';
import { formatSelector } from '../selectors';
import type { Workspace } from '../workspace';
import type { ScopeIndex } from './index';
import { cappedList, escapeInline, workloadLink } from './markdown';

/** What each entity stands for (Cilium docs language.rst "Entities Based"). */
const ENTITY_MEANING: Record<string, string> = {
  all: 'every endpoint, inside and outside the cluster',
  cluster: 'every pod and node of the cluster (its own identities)',
  world: 'every address outside the cluster',
  'world-ipv4': 'every IPv4 address outside the cluster',
  'world-ipv6': 'every IPv6 address outside the cluster',
  host: "the pod's own node (and host-network pods on it)",
  'remote-node': 'the other nodes of the cluster',
  'kube-apiserver': 'the Kubernetes API server',
  ingress: "Cilium's Ingress/Gateway proxy",
  health: "Cilium's health endpoints",
  init: 'endpoints whose identity is not resolved yet',
  unmanaged: 'pods Cilium does not manage',
};

function pathStartsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.every((p, i) => path[i] === p);
}

export function ciliumPolicyOf(index: ScopeIndex, object: K8sObject): CiliumPolicy | undefined {
  if (!object.apiVersion.startsWith('cilium.io/')) return undefined;
  return ciliumPolicies(index.model).find((p) => p.object === object);
}

export function ciliumHover(workspace: Workspace, index: ScopeIndex, policy: CiliumPolicy, path: readonly (string | number)[]): string | undefined {
  const title = `**${policy.kind} ${escapeInline(`${policy.namespace !== undefined ? `${policy.namespace}/` : ''}${policy.name}`)}**`;
  if (!policy.valid) return [title, '', 'Cilium rejects this policy, so in a cluster it does nothing; the analysis leaves it out.'].join('\n');
  const cilium = index.analysis.ciliumEvaluator();
  const pods = index.model.workloads.filter((w) => !w.assumed);
  const podEntry = (w: Workload) => `${workloadLink(workspace, w)} · ${w.kind}`;
  const lines = [title, ''];
  if (!index.analysis.cilium) lines.push('Cilium does not enforce it under the configured CNI: the verdicts leave it out.', '');
  for (const rule of policy.rules) {
    const element = rule.elements.find((e) => pathStartsWith(path, e.path));
    if (element) return [...lines, ...elementLines(element)].join('\n');
  }
  lines.push(policy.namespace !== undefined ? `Applies to pods of namespace ${escapeInline(policy.namespace)}.` : 'Cluster-wide: applies to pods of every namespace.');
  for (const rule of policy.rules) {
    if (policy.rules.length > 1) lines.push('', `Rule ${rule.index + 1}:`);
    if (rule.nodeSelector) {
      lines.push('Host firewall rule (nodeSelector): not analysed.');
      continue;
    }
    const selected = pods.filter((w) => cilium.selectingRules(w).some((r) => r.rule === rule));
    const directions = (['ingress', 'egress'] as const).filter((d) => rule.elements.some((e) => e.direction === d) && rule.enableDefaultDeny[d] !== false);
    if (directions.length > 0) lines.push(`Makes ${directions.join(' and ')} of the pods it selects default-deny: only what an allow rule (of any policy) admits gets through, and any deny rule beats every allow.`);
    lines.push(selected.length > 0 ? `Selected pods (${selected.length}; host-network pods are the node's, never selected):` : 'Selects no pod in this workspace.');
    if (selected.length > 0) lines.push(...cappedList(selected, podEntry));
  }
  return lines.join('\n');

  function elementLines(element: CiliumElement): string[] {
    const out = [`${element.section} rule ${element.index + 1}: ${element.deny ? 'a deny rule: what it matches is dropped whatever allows it' : 'an allow rule'}.`];
    if (element.peers === undefined) out.push('', element.toPorts === undefined ? 'No peer and no port: matches nothing (the default-deny idiom).' : 'No peer field: every peer, on the ports below.');
    for (const peer of element.peers ?? []) out.push('', ...peerLines(peer));
    for (const ports of element.toPorts ?? []) {
      const text = [...ports.ports.map((p) => `${p.port ?? 'any port'}${p.endPort !== undefined ? `-${p.endPort}` : ''}/${p.protocol}`), ...ports.icmps.map((i) => `ICMP ${i.family} type ${i.type}`)].join(', ') || 'every port';
      out.push('', `Ports: ${escapeInline(text)}${ports.l7.length > 0 ? `; allowed at L4, filtered at L7 by its ${ports.l7.join(', ')} rules (the proxy admits only the requests they describe)` : ''}.`);
    }
    return out;
  }

  function peerLines(peer: CiliumPeer): string[] {
    switch (peer.type) {
      case 'endpoints': {
        const matched = pods.filter((w) => cilium.peerMatches(peer, { type: 'workload', workload: w }, w) === true);
        const scope = peer.scope.type === 'namespace' ? ` in namespace ${escapeInline(peer.scope.name)}` : peer.scope.type === 'any-managed' ? ' in any namespace' : '';
        return [`Endpoints ${escapeInline(formatSelector(peer.selector) || '{}')}${scope}: ${matched.length} pod${matched.length === 1 ? '' : 's'}`, ...cappedList(matched, podEntry)];
      }
      case 'entity': {
        const line = `Entity ${escapeInline(peer.entity)}: ${ENTITY_MEANING[peer.entity] ?? peer.entity}`;
        if (peer.entity !== 'cluster' && peer.entity !== 'all') return [line];
        return [`${line} (${pods.filter((w) => !w.hostNetwork).length} pods of this workspace)`];
      }
      case 'cidr':
        return [`CIDR ${escapeInline(peer.text)}${peer.except.length ? ` (with ${peer.except.length} exception${peer.except.length === 1 ? '' : 's'})` : ''}: addresses outside the cluster only (pods and nodes have their own identities)`];
      case 'cidr-group':
        return [`CiliumCIDRGroup ${escapeInline(peer.ref ?? (peer.selector ? formatSelector(peer.selector) : ''))}: ${cilium.cidrGroups.filter((g) => g.name === peer.ref).length ? 'in the workspace' : 'resolved in the cluster'}`];
      case 'fqdn':
        return [`Name ${escapeInline(peer.matchName ?? peer.matchPattern ?? '')}: the addresses Cilium's DNS proxy saw it resolve to (the pod needs a DNS rule with a dns L7 rule)`];
      case 'service':
        return [`Service ${escapeInline(`${peer.namespace ?? ''}/${peer.serviceName ?? ''}`)}: its endpoints (not analysed)`];
      case 'unanalysed':
        return [`${escapeInline(peer.field)}: not analysed; verdicts it could change are marked uncertain`];
    }
  }
}
