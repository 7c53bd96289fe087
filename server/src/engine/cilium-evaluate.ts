// Verdicts under Cilium, on the tiered model (tiers.ts): the Admin tier of cluster-wide policies first, then Cilium's
// own layer, where Kubernetes NetworkPolicies, CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies are one rule
// set (Cilium converts NetworkPolicies into its rules): any matching deny beats any allow, allows are a union, and a
// direction is default-deny when any entry selecting the endpoint enables it (every ingress/ingressDeny/egress/
// egressDeny element counts, deny-only ones too: intro.rst "Endpoint default policy"; a NetworkPolicy by its
// policyTypes). Then the Baseline tier, then allow. Cilium matches selectors against identity labels (the pod's labels
// plus namespace, namespace labels, service account and cluster), and CIDR peers never match pods (cluster identity).
// `directionPorts` decides every port at once (the shared Analysis runs every view through it); `verdict` answers
// one packet, ICMP and symbolic peers (nodes, the API server, names) included, for the connectivity corpus.
import { contains, overlaps, subtractAll, type IpRange } from './cidr';
import { CILIUM_KINDS, isCiliumPolicyObject, readCidrGroup, type CidrGroup, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX, readCiliumPolicy, type CiliumElement, type CiliumEntity, type CiliumPeer, type CiliumPolicy, type CiliumPortRule, type CiliumRule } from './cilium';
import type { ClusterPeer, ClusterPolicy, ClusterRule } from './cluster-policy';
import { effectiveCni } from './cni';
import type { Endpoint } from './evaluate';
import type { Model, Workload } from './model';
import { isPlainObject } from './parse';
import type { Direction, NetworkPolicy, PolicyRule } from './policy';
import { PortSet } from './portset';
import { matchesSelector } from './selectors';
import { describeDecision, type TierDecision } from './tiers';
import type { Labels, Protocol } from './types';

/** A peer as Cilium sees it. Nodes are `host` to pods on them and `remote-node` to the others. */
export type CiliumEndpoint =
  | { type: 'workload'; workload: Workload }
  | { type: 'ip'; range: IpRange; label: string }
  | { type: 'node'; name: string; range?: IpRange }
  | { type: 'kube-apiserver' }
  | { type: 'fqdn'; name: string; ips: IpRange[] };

export type CiliumProtocolName = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';

/** One packet's L4: a port, or for ICMP the message type. */
export interface Traffic {
  protocol: CiliumProtocolName;
  port: number;
}

/** What decided some ports of one direction: kind → policy → rule, or a default. Decisions of a result partition the ports. */
export type CiliumDecision =
  | { by: 'cluster-rule'; decision: TierDecision; ports: PortSet }
  | { by: 'cilium-deny'; policy: CiliumPolicy; rule: CiliumRule; element: CiliumElement; ports: PortSet }
  | { by: 'cilium-allow'; policy: CiliumPolicy; rule: CiliumRule; element: CiliumElement; l7: string[]; ports: PortSet }
  | { by: 'network-policy-allow'; policy: NetworkPolicy; rule: PolicyRule; ports: PortSet }
  | { by: 'default-deny'; enabledBy: string[]; ports: PortSet }
  | { by: 'default'; ports: PortSet };

/** @deprecated name: a per-packet verdict's decision (its ports hold the packet's port when it is TCP, UDP or SCTP). */
export type DecidedBy = CiliumDecision;

/** Ports whose verdict a part netpol does not analyse (fromRequires, nodes, cloud groups, toServices, DNS-learnt addresses) could change. */
export interface CiliumUnknown {
  fields: string[];
  ports: PortSet;
}

/** One direction at one endpoint for every TCP, UDP and SCTP port (`directionPorts`). */
export interface CiliumPortsResult {
  allowed: PortSet;
  /** Whether anything but the default decided some port (a policy selects the endpoint for the direction). */
  isolated: boolean;
  /** In evaluation order; their ports partition every port. */
  decisions: CiliumDecision[];
  /** The Kubernetes NetworkPolicies that select the endpoint for the direction. */
  networkPolicies: NetworkPolicy[];
  unknowns: CiliumUnknown[];
}

export interface CiliumDirectionVerdict {
  direction: Direction;
  allowed: boolean;
  /** policy-deny (a deny rule), default-deny (isolated, nothing allowed it), or empty when allowed. */
  reason?: 'policy-deny' | 'default-deny';
  decidedBy: CiliumDecision;
  /** Allowed at L4 with L7 rules (http, kafka, dns) filtering inside the connection. */
  l7: string[];
  /** Parts netpol does not analyse (fromRequires, nodes, cloud groups, CIDR groups) that could change this verdict. */
  uncertain: string[];
}

export interface CiliumVerdict {
  allowed: boolean;
  egress: CiliumDirectionVerdict;
  ingress: CiliumDirectionVerdict;
}

export interface CiliumOptions {
  /** `io.cilium.k8s.policy.cluster` of every pod. */
  clusterName?: string;
  /** The node of a workload, when known (decides host or remote-node). */
  nodeOf?: (w: Workload) => string | undefined;
  /** Node addresses: an `ip` endpoint inside one is that node. */
  nodes?: { name: string; range: IpRange }[];
}

/** What the Cilium evaluation asks of the shared analysis (evaluate.ts `Analysis`): the NetworkPolicy and cluster-wide sides. */
export interface CiliumHost {
  namespaceLabels(name: string): Record<string, string>;
  selectingPolicies(w: Workload): NetworkPolicy[];
  rulePorts(rule: PolicyRule, destination: Endpoint): PortSet;
  clusterRules(w: Workload, direction: Direction): { policies: ClusterPolicy[]; rules: { policy: ClusterPolicy; rule: ClusterRule }[]; adminCount: number };
  clusterPeerMatches(peer: ClusterPeer, e: Endpoint): boolean;
  clusterRulePorts(rule: ClusterRule, destination: Endpoint): PortSet;
  /** The model's workloads numbered by which cluster-wide rules' peers match them (0 without cluster-wide policies). */
  clusterPeerClassOf(w: Workload): number;
}

const ALLOWED_NONE: string[] = [];

/** Cilium policies of a model, read once per object. */
const readings = new WeakMap<object, CiliumPolicy>();
export function ciliumPolicies(model: Model): CiliumPolicy[] {
  const out: CiliumPolicy[] = [];
  for (const o of model.objects) {
    if (!isCiliumPolicyObject(o)) continue;
    let p = readings.get(o);
    if (!p) {
      p = readCiliumPolicy(o.namespace === undefined && o.kind === CILIUM_KINDS[0] ? { ...o, namespace: model.defaultNamespace } : o);
      readings.set(o, p);
    }
    out.push(p);
  }
  // The same policies as the last model's (an edit elsewhere): the same array, so that caches keyed by it stay valid.
  if (lastPolicyList && lastPolicyList.length === out.length && out.every((p, i) => p === lastPolicyList![i])) return lastPolicyList;
  lastPolicyList = out;
  return out;
}
let lastPolicyList: CiliumPolicy[] | undefined;

/** Across analyses (a new one per edit): a workload's identity labels and the Cilium rules selecting it, while valid. */
const identityCache = new WeakMap<Workload, { namespace: unknown; cluster: string; labels: Labels }>();
const selectingCache = new WeakMap<Workload, { policies: CiliumPolicy[]; labels: Labels; rules: { policy: CiliumPolicy; rule: CiliumRule }[] }>();

/** The address ranges of the Cilium policies' CIDR peers and CiliumCIDRGroups (except carved out), to partition the outside world. */
export function ciliumNetworkRanges(model: Model): IpRange[] {
  const out: IpRange[] = [];
  const policies = ciliumPolicies(model);
  if (policies.length === 0) return out;
  for (const o of model.objects) if (o.kind === 'CiliumCIDRGroup' && o.apiVersion.startsWith('cilium.io/')) out.push(...readCidrGroup(o).cidrs);
  for (const p of policies) {
    if (!p.valid) continue;
    for (const rule of p.rules) {
      for (const el of rule.elements) {
        for (const peer of el.peers ?? []) {
          if (peer.type === 'cidr') out.push(...subtractAll(peer.range, peer.except));
          else if (peer.type === 'cidr-group') out.push(...peer.except);
        }
      }
    }
  }
  return out;
}

/**
 * Whether Cilium's semantics decide the model's verdicts: it holds a valid Cilium policy and the CNI (`cni:` or the
 * detected node agents) is Cilium or not known. Under another CNI the Cilium objects are not enforced
 * (`policy-not-enforced` says so) and the verdicts stay those of the other kinds.
 */
export function ciliumEnforced(model: Model): boolean {
  if (!ciliumPolicies(model).some((p) => p.valid)) return false;
  const cni = effectiveCni(model.cni, model)?.cni;
  return cni === undefined || cni === 'cilium' || cni === 'gke-dataplane-v2';
}

/** An element's L3 match of one peer: 1 matched, 2 not, 3 unknown (no peer matched, a not-analysed one might). */
type PeerState = 1 | 2 | 3;

/** The Cilium elements and NetworkPolicy rules that apply to one workload in one direction. */
interface CiliumSubject {
  elements: { policy: CiliumPolicy; rule: CiliumRule; element: CiliumElement }[];
  networkPolicies: NetworkPolicy[];
  npRules: { policy: NetworkPolicy; rule: PolicyRule }[];
  enabledBy: string[];
  /** Whether a rule of the subject names ports (its results then depend on the destination's named ports). */
  namedPorts: boolean;
  results: Map<string, CiliumPortsResult>;
  byRange?: WeakMap<IpRange, CiliumPortsResult>;
  /** By peer class, when named ports toward the peer do not matter. */
  byClass?: (CiliumPortsResult | undefined)[];
}

export class CiliumAnalysis {
  readonly policies: CiliumPolicy[];
  private readonly identities = new Map<Workload, Labels>();
  readonly cidrGroups: CidrGroup[];
  private readonly selecting = new Map<Workload, { policy: CiliumPolicy; rule: CiliumRule }[]>();
  private readonly subjects = { ingress: new Map<Workload, CiliumSubject>(), egress: new Map<Workload, CiliumSubject>() };
  private readonly sharedSubjects = { ingress: new Map<string, CiliumSubject>(), egress: new Map<string, CiliumSubject>() };
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  /** Whether an element's (or a NetworkPolicy rule's) peers match each workload of the model, by id (0 not known yet). */
  private readonly peerTables = new Map<object, Uint8Array>();
  private readonly namedPortKeys = new Map<Workload, string>();
  private directionCalls = 0;
  private readonly elementPortsCache = new WeakMap<CiliumElement, { ports: PortSet; l7: string[] }[]>();
  private classes: Int32Array | undefined;

  constructor(readonly model: Model, readonly options: CiliumOptions, readonly analysis: CiliumHost) {
    this.policies = ciliumPolicies(model);
    this.cidrGroups = model.objects.filter((o) => o.kind === 'CiliumCIDRGroup' && o.apiVersion.startsWith('cilium.io/')).map(readCidrGroup);
  }

  private readonly nsLabels = new Map<string, Labels>();
  private byNamespace: Map<string, CiliumPolicy[]> | undefined;
  private order: Map<CiliumPolicy, number> | undefined;
  private policyOrder(p: CiliumPolicy): number {
    this.order ??= new Map(this.policies.map((x, i) => [x, i]));
    return this.order.get(p) ?? 0;
  }
  private namespaceLabels(name: string): Labels {
    let labels = this.nsLabels.get(name);
    if (!labels) this.nsLabels.set(name, (labels = this.analysis.namespaceLabels(name)));
    return labels;
  }

  /** The labels Cilium selectors see on a pod (pkg/k8s/apis/cilium.io/utils; corpus environment.yaml identityLabels). */
  identityLabels(w: Workload): Labels {
    let labels = this.identities.get(w);
    const namespace = this.model.namespaces.get(w.namespace);
    const cluster = this.options.clusterName ?? 'default';
    if (!labels) {
      const known = identityCache.get(w);
      if (known && known.namespace === namespace && known.cluster === cluster) labels = known.labels;
    }
    if (!labels) {
      const out: Record<string, string> = { ...w.podLabels };
      out[NAMESPACE_LABEL] = w.namespace;
      for (const [k, v] of Object.entries(this.namespaceLabels(w.namespace))) out[NAMESPACE_LABELS_PREFIX + k] = v;
      out['io.cilium.k8s.policy.serviceaccount'] = serviceAccountOf(w);
      out['io.cilium.k8s.policy.cluster'] = this.options.clusterName ?? 'default';
      labels = out;
      identityCache.set(w, { namespace, cluster, labels });
    }
    this.identities.set(w, labels);
    return labels;
  }

  /** The Cilium rules whose endpointSelector selects the workload (host-network pods are the host: not selected). */
  selectingRules(w: Workload): { policy: CiliumPolicy; rule: CiliumRule }[] {
    if (w.hostNetwork) return [];
    const cached = this.selecting.get(w);
    if (cached) return cached;
    const labels = this.identityLabels(w);
    const known = selectingCache.get(w);
    if (known && known.policies === this.policies && known.labels === labels) {
      this.selecting.set(w, known.rules);
      return known.rules;
    }
    const out: { policy: CiliumPolicy; rule: CiliumRule }[] = [];
    this.selecting.set(w, out);
    selectingCache.set(w, { policies: this.policies, labels, rules: out });
    if (!this.byNamespace) {
      this.byNamespace = new Map();
      for (const policy of this.policies) {
        if (!policy.valid) continue;
        const key = policy.namespace ?? '';
        const list = this.byNamespace.get(key);
        if (list) list.push(policy);
        else this.byNamespace.set(key, [policy]);
      }
    }
    // Input order: CiliumClusterwideNetworkPolicies and the namespace's CiliumNetworkPolicies as they come.
    const candidates = [...(this.byNamespace.get('') ?? []), ...(this.byNamespace.get(w.namespace) ?? [])];
    if (candidates.length > 1) candidates.sort((a, b) => this.policyOrder(a) - this.policyOrder(b));
    for (const policy of candidates) {
      for (const rule of policy.rules) if (!rule.nodeSelector && matchesSelector(rule.endpointSelector, labels)) out.push({ policy, rule });
    }
    return out;
  }

  private asNode(e: CiliumEndpoint): CiliumEndpoint {
    if (e.type === 'ip') for (const n of this.options.nodes ?? []) if (contains(n.range, e.range)) return { type: 'node', name: n.name, range: n.range };
    if (e.type === 'workload' && e.workload.hostNetwork) {
      const name = this.options.nodeOf?.(e.workload);
      if (name !== undefined) return { type: 'node', name, range: this.options.nodes?.find((n) => n.name === name)?.range };
      return { type: 'node', name: '?' };
    }
    return e;
  }

  /** The entities a peer belongs to, seen from the subject workload. */
  entitiesOf(peer: CiliumEndpoint, subject: Workload): Set<CiliumEntity> {
    const p = this.asNode(peer);
    const out = new Set<CiliumEntity>(['all']);
    switch (p.type) {
      case 'workload':
        out.add('cluster');
        break;
      case 'node': {
        out.add('cluster');
        const subjectNode = this.options.nodeOf?.(subject);
        out.add(subjectNode !== undefined && subjectNode === p.name ? 'host' : 'remote-node');
        break;
      }
      case 'kube-apiserver':
        out.add('kube-apiserver').add('cluster');
        break;
      case 'ip':
      case 'fqdn':
        out.add('world').add(p.type === 'ip' && p.range.v6 ? 'world-ipv6' : 'world-ipv4');
        break;
    }
    return out;
  }

  /** Whether one peer of a rule matches the endpoint: true, false, or what is not analysed that might make it match. */
  peerMatches(peer: CiliumPeer, e: CiliumEndpoint, subject: Workload): boolean | string {
    const p = this.asNode(e);
    switch (peer.type) {
      case 'endpoints': {
        if (p.type !== 'workload') return false;
        const w = p.workload;
        if (peer.scope.type === 'namespace' && w.namespace !== peer.scope.name) return false;
        return matchesSelector(peer.selector, this.identityLabels(w));
      }
      case 'entity':
        // A pod (not on the host network) is in `cluster` and `all` only.
        if (p.type === 'workload') return peer.entity === 'all' || peer.entity === 'cluster';
        return this.entitiesOf(p, subject).has(peer.entity);
      case 'cidr': {
        // CIDR peers match only addresses without a cluster identity (pods never; nodes only in policy-cidr-match-mode=nodes).
        const ranges = p.type === 'ip' ? [p.range] : p.type === 'fqdn' ? p.ips : [];
        return ranges.some((r) => contains(peer.range, r) && !peer.except.some((x) => overlaps(x, r)));
      }
      case 'cidr-group': {
        const ranges = p.type === 'ip' ? [p.range] : p.type === 'fqdn' ? p.ips : [];
        if (ranges.length === 0) return false;
        const groups = this.cidrGroups.filter((g) => (peer.ref !== undefined ? g.name === peer.ref : peer.selector !== undefined && matchesSelector(peer.selector, g.labels)));
        if (groups.length === 0 && peer.ref !== undefined) return `CiliumCIDRGroup ${peer.ref} (not in the workspace)`;
        return ranges.some((r) => groups.some((g) => g.cidrs.some((c) => contains(c, r))) && !peer.except.some((x) => overlaps(x, r)));
      }
      case 'fqdn':
        // An address is reached by name only when a DNS answer through Cilium's proxy held it: not known here.
        if (p.type === 'ip') return 'toFQDNs (the addresses its names resolve to)';
        return p.type === 'fqdn' && fqdnMatches(peer, p.name);
      case 'service':
        return 'toServices (a Service without a selector: its endpoints are not in the workspace)';
      case 'unanalysed':
        return peer.field;
    }
  }

  /** An element's L3 part against a peer, and what is not analysed when that decides nothing. */
  private elementPeerState(el: CiliumElement, peer: CiliumEndpoint, subject: Workload, fields?: string[]): PeerState {
    // No L3 field: a wildcard when toPorts limits the ports; `{}` (nothing at all) allows nothing (the default-deny idiom).
    if (el.peers === undefined) return el.toPorts === undefined ? 2 : 1;
    let unknown = false;
    for (const p of el.peers) {
      const m = this.peerMatches(p, peer, subject);
      if (m === true) return 1;
      if (typeof m === 'string') {
        unknown = true;
        fields?.push(m);
      }
    }
    return unknown ? 3 : 2;
  }

  /** Per packet (ICMP): whether a toPorts list matches, with the L7 kinds of the port rule that did. */
  private portsMatch(rules: CiliumPortRule[] | undefined, traffic: Traffic, destination: CiliumEndpoint): { matched: boolean; l7: string[] } {
    if (rules === undefined || rules.length === 0) return { matched: true, l7: ALLOWED_NONE };
    for (const r of rules) {
      const icmp = traffic.protocol === 'ICMP' || traffic.protocol === 'ICMPv6';
      if (icmp) {
        const family = traffic.protocol === 'ICMP' ? 'IPv4' : 'IPv6';
        if (r.icmps.some((x) => x.family === family && icmpType(x.type, family) === traffic.port)) return { matched: true, l7: r.l7 };
        continue;
      }
      if (r.ports.length === 0 && r.icmps.length === 0) return { matched: true, l7: r.l7 };
      if (this.portRulePorts(r, destination).has(traffic.protocol as Protocol, traffic.port)) return { matched: true, l7: r.l7 };
    }
    return { matched: false, l7: ALLOWED_NONE };
  }

  /** The TCP, UDP and SCTP ports of one toPorts entry toward `destination` (named ports resolve on its containers). */
  portRulePorts(r: CiliumPortRule, destination: CiliumEndpoint): PortSet {
    if (r.ports.length === 0) return r.icmps.length === 0 ? PortSet.ALL : PortSet.NONE;
    let set = PortSet.NONE;
    for (const p of r.ports) {
      const protocols: Protocol[] = p.protocol === 'ANY' ? ['TCP', 'UDP', 'SCTP'] : [p.protocol];
      if (p.port === undefined) for (const protocol of protocols) set = set.union(PortSet.of(protocol));
      else if (typeof p.port === 'number') for (const protocol of protocols) set = set.union(PortSet.of(protocol, p.port, p.endPort ?? p.port));
      else if (destination.type === 'workload') {
        for (const c of destination.workload.containerPorts) if (c.name === p.port && protocols.includes(c.protocol)) set = set.union(PortSet.of(c.protocol, c.containerPort, c.containerPort));
      }
    }
    return set;
  }

  /** The ports of an element's toPorts, one entry each with its L7 kinds (no toPorts: every port, no L7). */
  private elementPorts(el: CiliumElement, destination: CiliumEndpoint): { ports: PortSet; l7: string[] }[] {
    if (el.toPorts === undefined || el.toPorts.length === 0) return ALL_PORTS;
    // Without named ports the ports do not depend on the destination: made once per entry.
    const named = el.toPorts.some((r) => r.ports.some((p) => typeof p.port === 'string'));
    if (!named) {
      let known = this.elementPortsCache.get(el);
      if (!known) this.elementPortsCache.set(el, (known = el.toPorts.map((r) => ({ ports: this.portRulePorts(r, destination), l7: r.l7 }))));
      return known;
    }
    return el.toPorts.map((r) => ({ ports: this.portRulePorts(r, destination), l7: r.l7 }));
  }

  /** The NetworkPolicy side's L3, as Cilium converts it: podSelectors see identity labels, ipBlocks never match pods. */
  private networkPolicyPeerMatches(policy: NetworkPolicy, rule: PolicyRule, peer: CiliumEndpoint): boolean {
    if (!rule.peers || rule.peers.length === 0) return true;
    const p = this.asNode(peer);
    return rule.peers.some((x) => {
      if (x.type === 'ipBlock') {
        // ipBlocks select nodes only as world/CIDR identities (not by default): a node peer is not matched.
        return p.type === 'ip' && contains(x.cidr, p.range) && !x.except.some((e) => overlaps(e, p.range));
      }
      if (p.type !== 'workload') return false;
      const w = p.workload;
      if (x.namespaceSelector) {
        if (!matchesSelector(x.namespaceSelector, this.namespaceLabels(w.namespace))) return false;
      } else if (w.namespace !== policy.namespace) return false;
      return !x.podSelector || matchesSelector(x.podSelector, this.identityLabels(w));
    });
  }

  private networkPolicyAllows(policy: NetworkPolicy, rule: PolicyRule, peer: CiliumEndpoint, traffic: Traffic, destination: CiliumEndpoint): boolean {
    if (!this.networkPolicyPeerMatches(policy, rule, peer)) return false;
    if (!rule.ports || rule.ports.length === 0) return true;
    if (traffic.protocol === 'ICMP' || traffic.protocol === 'ICMPv6') return false;
    return this.analysis.rulePorts(rule, asEndpoint(destination)).has(traffic.protocol, traffic.port);
  }

  private subject(direction: Direction, w: Workload): CiliumSubject {
    let s = this.subjects[direction].get(w);
    if (s) return s;
    const elements: CiliumSubject['elements'] = [];
    const enabledBy: string[] = [];
    for (const { policy, rule } of this.selectingRules(w)) {
      let counted = false;
      for (const element of rule.elements) {
        if (element.direction !== direction) continue;
        if (!counted && rule.enableDefaultDeny[direction] !== false) {
          enabledBy.push(policyLabel(policy));
          counted = true;
        }
        elements.push({ policy, rule, element });
      }
    }
    const networkPolicies: NetworkPolicy[] = [];
    const npRules: CiliumSubject['npRules'] = [];
    if (!w.hostNetwork) {
      for (const policy of this.analysis.selectingPolicies(w)) {
        if (!policy.types[direction]) continue;
        networkPolicies.push(policy);
        enabledBy.push(policyLabel(policy));
        for (const rule of policy[direction]) npRules.push({ policy, rule });
      }
    }
    const namedPorts =
      elements.some(({ element }) => element.toPorts?.some((r) => r.ports.some((p) => typeof p.port === 'string')) ?? false) ||
      npRules.some(({ rule }) => rule.ports?.some((p) => typeof p.port === 'string') ?? false) ||
      this.analysis.clusterRules(w, direction).rules.some(({ rule }) => rule.ports?.some((p) => typeof p.port === 'string') ?? false);
    // Workloads under the same rules share their results (the subject matters only as a node, when nodes are known,
    // and by its named ports toward it).
    const cluster = this.analysis.clusterRules(w, direction);
    const key = this.options.nodeOf
      ? undefined
      : `${w.hostNetwork}|${[...elements.map((e) => e.element), ...npRules.map((r) => r.rule), ...cluster.rules.map((r) => r.rule)].map((o) => this.idOf(o)).join(',')}|${networkPolicies.map((p) => this.idOf(p)).join(',')}|${namedPorts && direction === 'ingress' ? this.namedPortsKey({ type: 'workload', workload: w }) : ''}`;
    const shared = key !== undefined ? this.sharedSubjects[direction].get(key) : undefined;
    s = shared ?? { elements, networkPolicies, npRules, enabledBy, namedPorts, results: new Map() };
    if (key !== undefined && !shared) this.sharedSubjects[direction].set(key, s);
    this.subjects[direction].set(w, s);
    return s;
  }

  private idOf(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = this.nextId++));
    return id;
  }

  /** The parts of the Cilium rules selecting the workload that are not analysed (`fromRequires of CiliumNetworkPolicy a/p`). */
  unanalysedParts(w: Workload): string[] {
    const out = new Set<string>();
    for (const { policy, rule } of this.selectingRules(w)) {
      for (const el of rule.elements) {
        for (const p of el.peers ?? []) {
          if (p.type === 'unanalysed') out.add(`${p.field} of ${policyLabel(policy)}`);
          else if (p.type === 'service') out.add(`toServices of ${policyLabel(policy)}`);
        }
      }
    }
    return [...out];
  }

  /** Whether Cilium rules (not counting NetworkPolicies) select the workload with entries for the direction. */
  hasRules(w: Workload, direction: Direction): boolean {
    return this.subject(direction, w).elements.length > 0;
  }

  /** The Cilium policies that make the direction default-deny for the workload (`CiliumNetworkPolicy ns/name`). */
  isolatingPolicies(w: Workload, direction: Direction): string[] {
    const s = this.subject(direction, w);
    return s.elements.length === 0 ? [] : [...new Set(s.elements.filter((e) => e.rule.enableDefaultDeny[direction] !== false).map((e) => policyLabel(e.policy)))];
  }

  /** A table-cached peer state for the model's workloads (1 yes, 2 no, 3 unknown). */
  private cachedState(key: object, peer: CiliumEndpoint, compute: () => PeerState): PeerState {
    // Host-network pods are nodes, whose entity (host or remote-node) depends on the subject: not shared.
    if (peer.type !== 'workload' || peer.workload.hostNetwork || this.model.workloads[peer.workload.id] !== peer.workload) return compute();
    let table = this.peerTables.get(key);
    if (!table) this.peerTables.set(key, (table = new Uint8Array(this.model.workloads.length)));
    const id = peer.workload.id;
    if (table[id] === 0) table[id] = compute();
    return table[id] as PeerState;
  }

  /**
   * Which peers of every Cilium element and (as Cilium converts them) NetworkPolicy rule match the workload: workloads
   * with the same signature are the same peer to every rule (bulk answers share them). Host-network pods stand alone.
   */
  /** The model's workloads numbered by peerSignature (made once, in bulk use). */
  peerClasses(): Int32Array {
    if (this.classes) return this.classes;
    const ids = new Map<string, number>();
    const classes = new Int32Array(this.model.workloads.length);
    this.model.workloads.forEach((w, i) => {
      const signature = `${this.peerSignature(w)}|${this.analysis.clusterPeerClassOf(w)}`;
      let id = ids.get(signature);
      if (id === undefined) ids.set(signature, (id = ids.size));
      classes[i] = id;
    });
    this.classes = classes;
    return classes;
  }

  peerSignature(w: Workload): string {
    if (w.hostNetwork) return `h${w.id}`;
    const e: CiliumEndpoint = { type: 'workload', workload: w };
    let signature = '';
    for (const policy of this.policies) {
      if (!policy.valid) continue;
      for (const rule of policy.rules) for (const element of rule.elements) if (element.peers !== undefined) signature += this.cachedState(element, e, () => this.elementPeerState(element, e, w));
    }
    signature += '|';
    for (const policy of this.model.policies) {
      if (!policy.valid) continue;
      for (const rule of [...policy.ingress, ...policy.egress]) if (rule.peers && rule.peers.length > 0) signature += this.cachedState(rule, e, () => (this.networkPolicyPeerMatches(policy, rule, e) ? 1 : 2));
    }
    return signature;
  }

  private namedPortsKey(e: CiliumEndpoint): string {
    if (e.type !== 'workload') return '';
    let key = this.namedPortKeys.get(e.workload);
    if (key === undefined) this.namedPortKeys.set(e.workload, (key = e.workload.containerPorts.filter((p) => p.name).map((p) => `${p.name}/${p.protocol}/${p.containerPort}`).join(',')));
    return key;
  }

  /**
   * One direction at the workload `subject` (egress: the source; ingress: the destination) toward or from `peer`, for
   * every TCP, UDP and SCTP port: Admin tier, then the Cilium layer (deny, then allow, then the default deny when an
   * entry enables it), then the Baseline tier, then allow. Peers that every rule treats alike share one result.
   */
  directionPorts(direction: Direction, subject: Workload, peer: CiliumEndpoint, destination: CiliumEndpoint): CiliumPortsResult {
    if (subject.hostNetwork) return OPEN;
    const s = this.subject(direction, subject);
    const cluster = this.analysis.clusterRules(subject, direction);
    if (s.elements.length === 0 && s.networkPolicies.length === 0 && cluster.rules.length === 0) return OPEN;
    // In bulk, workloads of one peer class (peerSignature and the cluster-wide peer class) share results without
    // testing every entry again; toward them named ports may tell them apart.
    this.directionCalls++;
    const index = peer.type === 'workload' && !peer.workload.hostNetwork && this.model.workloads[peer.workload.id] === peer.workload ? peer.workload.id : -1;
    const classes = index >= 0 ? (this.classes ?? (this.directionCalls > 20 * this.model.workloads.length + 1000 ? this.peerClasses() : undefined)) : undefined;
    const byClass = classes && (!s.namedPorts || direction === 'ingress') ? (s.byClass ??= []) : undefined;
    if (byClass) {
      const known = byClass[classes![index]];
      if (known) return known;
    }
    const clusterPeer = clusterEndpoint(peer);
    const clusterMatches = cluster.rules.map(({ rule }) => clusterPeer !== undefined && rule.peers.some((p) => this.analysis.clusterPeerMatches(p, clusterPeer)));
    // An address range's result depends on the range alone (toward it there are no named ports).
    const byRange = peer.type === 'ip' && (direction === 'ingress' || peer === destination) ? (s.byRange ??= new WeakMap()) : undefined;
    if (byRange && peer.type === 'ip') {
      const known = byRange.get(peer.range);
      if (known) return known;
    }
    const clusterKey = clusterMatches.map((m) => (m ? 1 : 0)).join('');
    const portsKey = s.namedPorts ? this.namedPortsKey(destination) : '';
    const classKey = classes ? `c${classes[index]}|${clusterKey}|${portsKey}` : undefined;
    if (classKey) {
      const known = s.results.get(classKey);
      if (known) return known;
    }
    const states = s.elements.map(({ element }) => this.cachedState(element, peer, () => this.elementPeerState(element, peer, subject)));
    const npMatches = s.npRules.map(({ policy, rule }) => this.cachedState(rule, peer, () => (this.networkPolicyPeerMatches(policy, rule, peer) ? 1 : 2)) === 1);
    const key = `${states.join('')}|${npMatches.map((m) => (m ? 1 : 0)).join('')}|${clusterKey}|${portsKey}`;
    const cacheable = peer.type === 'workload';
    const known = cacheable ? s.results.get(key) : undefined;
    if (known) {
      if (classKey) s.results.set(classKey, known);
      if (byClass) byClass[classes![index]] = known;
      return known;
    }

    const decisions: CiliumDecision[] = [];
    let undecided = PortSet.ALL;
    let allowed = PortSet.NONE;
    const decide = (d: CiliumDecision): void => {
      const ports = d.ports.intersect(undecided);
      if (ports.isEmpty()) return;
      decisions.push({ ...d, ports });
      if (d.by === 'cilium-allow' || d.by === 'network-policy-allow' || d.by === 'default') allowed = allowed.union(ports);
      undecided = undecided.subtract(ports);
    };
    // A tier's rules in order: Allow and Deny are final, Pass skips the rest of the tier (the ports go on).
    const runClusterTier = (from: number, to: number): void => {
      let passed = PortSet.NONE;
      for (let i = from; i < to && !undecided.isEmpty(); i++) {
        if (!clusterMatches[i]) continue;
        const { policy, rule } = cluster.rules[i];
        const ports = this.analysis.clusterRulePorts(rule, asEndpoint(destination)).intersect(undecided);
        if (ports.isEmpty()) continue;
        decisions.push({ by: 'cluster-rule', decision: { kind: policy.kind, tier: policy.tier, policy, rule, action: rule.action, ports }, ports });
        if (rule.action === 'allow') allowed = allowed.union(ports);
        else if (rule.action === 'pass') passed = passed.union(ports);
        undecided = undecided.subtract(ports);
      }
      undecided = undecided.union(passed);
    };
    runClusterTier(0, cluster.adminCount);
    const afterAdmin = undecided;

    const fieldsOf = (i: number): string[] => {
      const fields: string[] = [];
      this.elementPeerState(s.elements[i].element, peer, subject, fields);
      return fields;
    };
    const unknownDeny: CiliumUnknown[] = [];
    const unknownAllow: CiliumUnknown[] = [];
    // Any matching deny beats any allow.
    s.elements.forEach(({ policy, rule, element }, i) => {
      if (!element.deny) return;
      const ports = this.elementPorts(element, destination).reduce((acc, p) => acc.union(p.ports), PortSet.NONE);
      if (states[i] === 1) decide({ by: 'cilium-deny', policy, rule, element, ports });
      else if (states[i] === 3) unknownDeny.push({ fields: fieldsOf(i), ports });
    });
    const denied = afterAdmin.subtract(undecided);
    // Allows are a union; a port some rule allows without L7 rules is not filtered at L7 (Cilium's proxy lets it all through).
    s.elements.forEach(({ policy, rule, element }, i) => {
      if (element.deny || states[i] !== 1) return;
      for (const p of this.elementPorts(element, destination)) if (p.l7.length === 0) decide({ by: 'cilium-allow', policy, rule, element, l7: ALLOWED_NONE, ports: p.ports });
    });
    s.npRules.forEach(({ policy, rule }, i) => {
      if (npMatches[i]) decide({ by: 'network-policy-allow', policy, rule, ports: this.analysis.rulePorts(rule, asEndpoint(destination)) });
    });
    s.elements.forEach(({ policy, rule, element }, i) => {
      if (element.deny) return;
      if (states[i] === 1) {
        for (const p of this.elementPorts(element, destination)) if (p.l7.length > 0) decide({ by: 'cilium-allow', policy, rule, element, l7: p.l7, ports: p.ports });
      } else if (states[i] === 3) unknownAllow.push({ fields: fieldsOf(i), ports: this.elementPorts(element, destination).reduce((acc, p) => acc.union(p.ports), PortSet.NONE) });
    });
    let defaultDenied = PortSet.NONE;
    if (s.enabledBy.length > 0) {
      defaultDenied = undecided;
      decide({ by: 'default-deny', enabledBy: s.enabledBy, ports: undecided });
    } else {
      runClusterTier(cluster.adminCount, cluster.rules.length);
      decide({ by: 'default', ports: PortSet.ALL });
    }
    // An unknown deny could drop what the layer allowed; an unknown allow could admit what the default deny dropped.
    const layerAllowed = afterAdmin.subtract(denied).subtract(defaultDenied);
    const unknowns: CiliumUnknown[] = [];
    for (const u of unknownDeny) {
      const ports = u.ports.intersect(layerAllowed);
      if (!ports.isEmpty()) unknowns.push({ fields: u.fields, ports });
    }
    for (const u of unknownAllow) {
      const ports = u.ports.intersect(defaultDenied);
      if (!ports.isEmpty()) unknowns.push({ fields: u.fields, ports });
    }
    const isolated = !(decisions.length === 1 && decisions[0].by === 'default');
    const result: CiliumPortsResult = { allowed, isolated, decisions, networkPolicies: s.networkPolicies, unknowns };
    if (cacheable) s.results.set(key, result);
    if (classKey) s.results.set(classKey, result);
    if (byClass) byClass[classes![index]] = result;
    if (byRange && peer.type === 'ip') byRange.set(peer.range, result);
    return result;
  }

  /** One direction at the workload `subject` for one packet (egress: the source; ingress: the destination). */
  direction(direction: Direction, subject: Workload, peer: CiliumEndpoint, traffic: Traffic, destination: CiliumEndpoint): CiliumDirectionVerdict {
    if (traffic.protocol === 'ICMP' || traffic.protocol === 'ICMPv6') return this.icmpDirection(direction, subject, peer, traffic, destination);
    const protocol = traffic.protocol;
    const r = this.directionPorts(direction, subject, peer, destination);
    const decidedBy = decisionAt(r.decisions, protocol, traffic.port);
    const allowed = r.allowed.has(protocol, traffic.port);
    const uncertain = [...new Set(r.unknowns.filter((u) => u.ports.has(protocol, traffic.port)).flatMap((u) => u.fields))];
    return {
      direction,
      allowed,
      ...(allowed ? {} : { reason: decidedBy.by === 'default-deny' ? ('default-deny' as const) : ('policy-deny' as const) }),
      decidedBy,
      l7: decidedBy.by === 'cilium-allow' ? decidedBy.l7 : ALLOWED_NONE,
      uncertain,
    };
  }

  /** ICMP (not in the port sets): the Cilium layer alone (cluster-wide policies have no ICMP rules). */
  private icmpDirection(direction: Direction, subject: Workload, peer: CiliumEndpoint, traffic: Traffic, destination: CiliumEndpoint): CiliumDirectionVerdict {
    const uncertain: string[] = [];
    const verdict = (allowed: boolean, decidedBy: CiliumDecision, l7: string[] = ALLOWED_NONE): CiliumDirectionVerdict => ({
      direction,
      allowed,
      ...(allowed ? {} : { reason: decidedBy.by === 'default-deny' ? ('default-deny' as const) : ('policy-deny' as const) }),
      decidedBy,
      l7,
      uncertain,
    });
    if (subject.hostNetwork) return verdict(true, { by: 'default', ports: PortSet.NONE });
    const s = this.subject(direction, subject);
    let allow: CiliumDecision | undefined;
    let allowL7: string[] = ALLOWED_NONE;
    for (const { policy, rule, element } of s.elements) {
      const fields: string[] = [];
      const state = this.elementPeerState(element, peer, subject, fields);
      if (state === 3) uncertain.push(...fields);
      if (state !== 1) continue;
      const m = this.portsMatch(element.toPorts, traffic, destination);
      if (!m.matched) continue;
      if (element.deny) return verdict(false, { by: 'cilium-deny', policy, rule, element, ports: PortSet.NONE });
      if (!allow || (allowL7.length > 0 && m.l7.length === 0)) {
        allow = { by: 'cilium-allow', policy, rule, element, l7: m.l7, ports: PortSet.NONE };
        allowL7 = m.l7;
      }
    }
    if (!allow || allowL7.length > 0) {
      for (const { policy, rule } of s.npRules) {
        if (this.networkPolicyAllows(policy, rule, peer, traffic, destination)) {
          allow = { by: 'network-policy-allow', policy, rule, ports: PortSet.NONE };
          allowL7 = ALLOWED_NONE;
          break;
        }
      }
    }
    if (allow) return verdict(true, allow, allowL7);
    if (s.enabledBy.length > 0) return verdict(false, { by: 'default-deny', enabledBy: s.enabledBy, ports: PortSet.NONE });
    return verdict(true, { by: 'default', ports: PortSet.NONE });
  }

  verdict(source: CiliumEndpoint, destination: CiliumEndpoint, traffic: Traffic): CiliumVerdict {
    const open = (direction: Direction): CiliumDirectionVerdict => ({ direction, allowed: true, decidedBy: { by: 'default', ports: PortSet.ALL }, l7: ALLOWED_NONE, uncertain: [] });
    const egress = source.type === 'workload' ? this.direction('egress', source.workload, destination, traffic, destination) : open('egress');
    // Egress to a Cilium-managed pod is then checked at its ingress; nothing else has a Cilium ingress.
    const ingress = destination.type === 'workload' ? this.direction('ingress', destination.workload, source, traffic, destination) : open('ingress');
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }
}

/** The decision of one port: the final one (a Pass is only a step on the way), else the Pass. */
export function decisionAt(decisions: readonly CiliumDecision[], protocol: Protocol, port: number): CiliumDecision {
  const holding = decisions.filter((d) => d.ports.has(protocol, port));
  return holding.find((d) => !(d.by === 'cluster-rule' && d.decision.action === 'pass')) ?? holding[0] ?? { by: 'default', ports: PortSet.ALL };
}

const ALL_PORTS: { ports: PortSet; l7: string[] }[] = [{ ports: PortSet.ALL, l7: ALLOWED_NONE }];

const OPEN: CiliumPortsResult = Object.freeze({ allowed: PortSet.ALL, isolated: false, decisions: [{ by: 'default', ports: PortSet.ALL }], networkPolicies: [], unknowns: [] }) as CiliumPortsResult;

/** The analysis' endpoint for a Cilium peer (for named ports: only a workload's matter). */
function asEndpoint(e: CiliumEndpoint): Endpoint {
  if (e.type === 'workload' || e.type === 'ip') return e;
  return { type: 'ip', range: e.type === 'node' && e.range ? e.range : { lo: 0n, hi: 0n, v6: false }, label: e.type };
}

/** The endpoint cluster-wide peers see: pods and addresses (a node by its address); names and the API server match none. */
function clusterEndpoint(e: CiliumEndpoint): Endpoint | undefined {
  if (e.type === 'workload' || e.type === 'ip') return e;
  if (e.type === 'node' && e.range) return { type: 'ip', range: e.range, label: e.name };
  return undefined;
}

function serviceAccountOf(w: Workload): string {
  let node: unknown = w.object.value;
  for (const k of w.templatePath) node = isPlainObject(node) ? node[k] : undefined;
  const spec = isPlainObject(node) ? node.spec : undefined;
  const sa = isPlainObject(spec) ? (spec.serviceAccountName ?? spec.serviceAccount) : undefined;
  return typeof sa === 'string' && sa !== '' ? sa : 'default';
}

const ICMP_TYPES: Record<string, number> = { EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, EchoRequest: 8, TimeExceeded: 11 };
const ICMPV6_TYPES: Record<string, number> = { EchoRequest: 128, EchoReply: 129, DestinationUnreachable: 1, PacketTooBig: 2, TimeExceeded: 3 };
function icmpType(t: number | string, family: 'IPv4' | 'IPv6'): number | undefined {
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  return (family === 'IPv4' ? ICMP_TYPES : ICMPV6_TYPES)[t];
}

/** matchName exactly; matchPattern `*` is zero or more characters inside one DNS label, a lone `*` every name. */
export function fqdnMatches(peer: { matchName?: string; matchPattern?: string }, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (peer.matchName !== undefined) return peer.matchName === n;
  if (peer.matchPattern === undefined) return false;
  if (peer.matchPattern === '*') return true;
  const re = new RegExp(`^${peer.matchPattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[-a-z0-9_]*')}$`);
  return re.test(n);
}

/** `CiliumNetworkPolicy shop/web`, `CiliumClusterwideNetworkPolicy dns`, `NetworkPolicy shop/db`. */
export function policyLabel(p: CiliumPolicy | NetworkPolicy): string {
  if ('kind' in p && (p.kind === 'CiliumNetworkPolicy' || p.kind === 'CiliumClusterwideNetworkPolicy')) {
    return `${p.kind} ${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name}`;
  }
  const np = p as NetworkPolicy;
  return `NetworkPolicy ${np.namespace}/${np.name}`;
}

/** A decision in words, naming kind → policy → rule: `denied by CiliumNetworkPolicy a/p → ingressDeny rule 1`. */
export function describeCiliumDecision(d: CiliumDecision, direction: Direction): string {
  switch (d.by) {
    case 'cilium-deny':
      return `denied by ${policyLabel(d.policy)} → ${d.element.section} rule ${d.element.index + 1} (a deny rule beats every allow)`;
    case 'cilium-allow':
      return `allowed by ${policyLabel(d.policy)} → ${d.element.section} rule ${d.element.index + 1}${d.l7.length > 0 ? `; allowed at L4, filtered at L7 (${d.l7.join(', ')} rules)` : ''}`;
    case 'network-policy-allow':
      return `allowed by ${policyLabel(d.policy)} → ${d.rule.direction} rule ${d.rule.index + 1}`;
    case 'default-deny':
      return `denied by default: no allow rule matches, and ${d.enabledBy.join(', ')} ${d.enabledBy.length > 1 ? 'make' : 'makes'} the ${direction} default-deny`;
    case 'cluster-rule':
      return `${d.decision.action === 'allow' ? 'allowed' : d.decision.action === 'deny' ? 'denied' : 'passed on'} by ${describeDecision(d.decision, direction)}`;
    case 'default':
      return `allowed: no policy selects this side for ${direction}`;
  }
}

/** One direction's verdict in words, naming kind → policy → rule, the L7 filtering and what is uncertain. */
export function describeCiliumDirection(v: CiliumDirectionVerdict): string {
  let text = describeCiliumDecision(v.decidedBy, v.direction);
  if (v.uncertain.length > 0) text += `; uncertain: ${[...new Set(v.uncertain)].join(', ')} not analysed`;
  return `${v.direction}: ${text}`;
}

export function describeCiliumVerdict(v: CiliumVerdict): string {
  return `${v.allowed ? 'ALLOWED' : 'DROPPED'} (Cilium)\n  ${describeCiliumDirection(v.egress)}\n  ${describeCiliumDirection(v.ingress)}\n`;
}
