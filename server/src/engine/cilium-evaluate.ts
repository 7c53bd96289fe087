// Verdicts under Cilium, on the tiered model (tiers.ts): the Admin tier of cluster-wide policies first, then Cilium's
// own layer, where Kubernetes NetworkPolicies, CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies are one rule
// set (Cilium converts NetworkPolicies into its rules): any matching deny beats any allow, allows are a union, and a
// direction is default-deny when any entry selecting the endpoint enables it (every ingress/ingressDeny/egress/
// egressDeny element counts, deny-only ones too: intro.rst "Endpoint default policy"; a NetworkPolicy by its
// policyTypes). Then the Baseline tier, then allow. Cilium matches selectors against identity labels (the pod's labels
// plus namespace, namespace labels, service account and cluster), and CIDR peers never match pods (cluster identity).
import { contains, overlaps, type IpRange } from './cidr';
import { CILIUM_KINDS, isCiliumPolicyObject, readCidrGroup, type CidrGroup, NAMESPACE_LABEL, NAMESPACE_LABELS_PREFIX, readCiliumPolicy, type CiliumElement, type CiliumEntity, type CiliumPeer, type CiliumPolicy, type CiliumPortRule, type CiliumRule } from './cilium';
import { Analysis, ipEndpoint, workloadEndpoint, type Endpoint } from './evaluate';
import type { Model, Workload } from './model';
import { isPlainObject } from './parse';
import type { Direction, NetworkPolicy, PolicyRule } from './policy';
import { matchesSelector } from './selectors';
import type { Labels } from './types';

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

export type DecidedBy =
  | { by: 'cilium-deny'; policy: CiliumPolicy | NetworkPolicy; element: CiliumElement }
  | { by: 'cilium-allow'; policy: CiliumPolicy; element: CiliumElement; l7: string[] }
  | { by: 'network-policy-allow'; policy: NetworkPolicy; rule: PolicyRule }
  | { by: 'default-deny'; enabledBy: string[] }
  | { by: 'cluster-rule'; description: string; action: 'allow' | 'deny' }
  | { by: 'default' };

export interface CiliumDirectionVerdict {
  direction: Direction;
  allowed: boolean;
  /** policy-deny (a deny rule), default-deny (isolated, nothing allowed it), or empty when allowed. */
  reason?: 'policy-deny' | 'default-deny';
  decidedBy: DecidedBy;
  /** Allowed at L4 with L7 rules (http, kafka, dns) filtering inside the connection. */
  l7: string[];
  /** Peers netpol does not analyse (fromRequires, nodes, cloud groups, CIDR groups) could change this verdict. */
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
  return out;
}

export class CiliumAnalysis {
  readonly policies: CiliumPolicy[];
  readonly analysis: Analysis;
  private readonly identities = new Map<Workload, Labels>();
  readonly cidrGroups: CidrGroup[];
  private readonly selecting = new Map<Workload, { policy: CiliumPolicy; rule: CiliumRule }[]>();

  constructor(readonly model: Model, readonly options: CiliumOptions = {}, analysis?: Analysis) {
    this.policies = ciliumPolicies(model);
    this.analysis = analysis ?? new Analysis(model);
    this.cidrGroups = model.objects.filter((o) => o.kind === 'CiliumCIDRGroup' && o.apiVersion.startsWith('cilium.io/')).map(readCidrGroup);
  }

  /** The labels Cilium selectors see on a pod (pkg/k8s/apis/cilium.io/utils; corpus environment.yaml identityLabels). */
  identityLabels(w: Workload): Labels {
    let labels = this.identities.get(w);
    if (!labels) {
      const out: Record<string, string> = { ...w.podLabels };
      out[NAMESPACE_LABEL] = w.namespace;
      for (const [k, v] of Object.entries(this.analysis.namespaceLabels(w.namespace))) out[NAMESPACE_LABELS_PREFIX + k] = v;
      out['io.cilium.k8s.policy.serviceaccount'] = serviceAccountOf(w);
      out['io.cilium.k8s.policy.cluster'] = this.options.clusterName ?? 'default';
      labels = out;
      this.identities.set(w, labels);
    }
    return labels;
  }

  /** The Cilium rules whose endpointSelector selects the workload (host-network pods are the host: not selected). */
  selectingRules(w: Workload): { policy: CiliumPolicy; rule: CiliumRule }[] {
    if (w.hostNetwork) return [];
    const cached = this.selecting.get(w);
    if (cached) return cached;
    const out: { policy: CiliumPolicy; rule: CiliumRule }[] = [];
    this.selecting.set(w, out);
    const labels = this.identityLabels(w);
    for (const policy of this.policies) {
      if (!policy.valid) continue;
      if (policy.namespace !== undefined && policy.namespace !== w.namespace) continue;
      for (const rule of policy.rules) if (!rule.nodeSelector && matchesSelector(rule.endpointSelector, labels)) out.push({ policy, rule });
    }
    return out;
  }

  private nodeOfEndpoint(e: CiliumEndpoint): string | undefined {
    if (e.type === 'node') return e.name;
    if (e.type === 'workload') return this.options.nodeOf?.(e.workload);
    return undefined;
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

  private peerMatches(peer: CiliumPeer, e: CiliumEndpoint, subject: Workload, uncertain: string[]): boolean {
    const p = this.asNode(e);
    switch (peer.type) {
      case 'endpoints': {
        if (p.type !== 'workload') return false;
        const w = p.workload;
        if (peer.scope.type === 'namespace' && w.namespace !== peer.scope.name) return false;
        return matchesSelector(peer.selector, this.identityLabels(w));
      }
      case 'entity':
        return this.entitiesOf(p, subject).has(peer.entity);
      case 'cidr': {
        // CIDR peers match only addresses without a cluster identity (pods never; nodes only in policy-cidr-match-mode=nodes).
        const ranges = p.type === 'ip' ? [p.range] : p.type === 'fqdn' ? p.ips : [];
        return ranges.some((r) => contains(peer.range, r) && !peer.except.some((x) => overlaps(x, r)));
      }
      case 'cidr-group': {
        const groups = this.cidrGroups.filter((g) => (peer.ref !== undefined ? g.name === peer.ref : peer.selector !== undefined && matchesSelector(peer.selector, g.labels)));
        if (groups.length === 0 && peer.ref !== undefined) uncertain.push(`CiliumCIDRGroup ${peer.ref} (not in the workspace)`);
        const ranges = p.type === 'ip' ? [p.range] : p.type === 'fqdn' ? p.ips : [];
        return ranges.some((r) => groups.some((g) => g.cidrs.some((c) => contains(c, r))) && !peer.except.some((x) => overlaps(x, r)));
      }
      case 'fqdn':
        return p.type === 'fqdn' && fqdnMatches(peer, p.name);
      case 'service':
        uncertain.push('toServices (a Service without a selector: its endpoints are not in the workspace)');
        return false;
      case 'unanalysed':
        uncertain.push(peer.field);
        return false;
    }
  }

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
      for (const p of r.ports) {
        if (p.protocol !== 'ANY' && p.protocol !== traffic.protocol) continue;
        if (p.port === undefined) return { matched: true, l7: r.l7 };
        if (typeof p.port === 'number') {
          if (traffic.port >= p.port && traffic.port <= (p.endPort ?? p.port)) return { matched: true, l7: r.l7 };
          continue;
        }
        const name = p.port;
        if (destination.type === 'workload' && destination.workload.containerPorts.some((c) => c.name === name && c.containerPort === traffic.port && (p.protocol === 'ANY' || c.protocol === traffic.protocol))) return { matched: true, l7: r.l7 };
      }
    }
    return { matched: false, l7: ALLOWED_NONE };
  }

  private elementMatches(el: CiliumElement, peer: CiliumEndpoint, subject: Workload, traffic: Traffic, destination: CiliumEndpoint, uncertain: string[]): { matched: boolean; l7: string[] } {
    // No L3 field: a wildcard when toPorts limits the ports; `{}` (nothing at all) allows nothing (the default-deny idiom).
    if (el.peers === undefined && el.toPorts === undefined) return { matched: false, l7: ALLOWED_NONE };
    if (el.peers !== undefined && !el.peers.some((p) => this.peerMatches(p, peer, subject, uncertain))) return { matched: false, l7: ALLOWED_NONE };
    return this.portsMatch(el.toPorts, traffic, destination);
  }

  /** The NetworkPolicy side, as Cilium converts it: podSelectors see identity labels, ipBlocks never match pods. */
  private networkPolicyAllows(policy: NetworkPolicy, rule: PolicyRule, peer: CiliumEndpoint, traffic: Traffic, destination: CiliumEndpoint): boolean {
    const p = this.asNode(peer);
    if (rule.peers && rule.peers.length > 0) {
      const matched = rule.peers.some((x) => {
        if (x.type === 'ipBlock') {
          const r = p.type === 'ip' ? p.range : p.type === 'node' ? p.range : undefined;
          // ipBlocks select nodes only as world/CIDR identities (not by default): a node peer is not matched.
          return p.type === 'ip' && r !== undefined && contains(x.cidr, r) && !x.except.some((e) => overlaps(e, r));
        }
        if (p.type !== 'workload') return false;
        const w = p.workload;
        if (x.namespaceSelector) {
          if (!matchesSelector(x.namespaceSelector, this.analysis.namespaceLabels(w.namespace))) return false;
        } else if (w.namespace !== policy.namespace) return false;
        return !x.podSelector || matchesSelector(x.podSelector, this.identityLabels(w));
      });
      if (!matched) return false;
    }
    if (!rule.ports || rule.ports.length === 0) return true;
    if (traffic.protocol === 'ICMP' || traffic.protocol === 'ICMPv6') return false;
    return rule.ports.some((ps) => {
      if (ps.protocol !== traffic.protocol) return false;
      if (ps.port === undefined) return true;
      if (typeof ps.port === 'number') return traffic.port >= ps.port && traffic.port <= (ps.endPort ?? ps.port);
      return destination.type === 'workload' && destination.workload.containerPorts.some((c) => c.name === ps.port && c.containerPort === traffic.port && c.protocol === traffic.protocol);
    });
  }

  /** One direction at the workload `subject` (egress: the source; ingress: the destination). */
  direction(direction: Direction, subject: Workload, peer: CiliumEndpoint, traffic: Traffic, destination: CiliumEndpoint): CiliumDirectionVerdict {
    const uncertain: string[] = [];
    const verdict = (allowed: boolean, decidedBy: DecidedBy, l7: string[] = ALLOWED_NONE): CiliumDirectionVerdict => ({
      direction,
      allowed,
      ...(allowed ? {} : { reason: decidedBy.by === 'default-deny' ? ('default-deny' as const) : ('policy-deny' as const) }),
      decidedBy,
      l7,
      uncertain,
    });
    if (subject.hostNetwork) return verdict(true, { by: 'default' });
    // Admin tier (cluster-wide policies) first, through the tiered analysis.
    const tiered = this.tieredDecision(direction, subject, peer, traffic);
    if (tiered && tiered.tier === 'Admin' && tiered.action !== 'pass') return verdict(tiered.action === 'allow', { by: 'cluster-rule', description: tiered.description, action: tiered.action });
    const rules = this.selectingRules(subject);
    const enabledBy: string[] = [];
    let allow: DecidedBy | undefined;
    let allowL7: string[] = ALLOWED_NONE;
    for (const { policy, rule } of rules) {
      let counted = false;
      for (const el of rule.elements) {
        if (el.direction !== direction) continue;
        if (!counted && rule.enableDefaultDeny[direction] !== false) {
          enabledBy.push(policyLabel(policy));
          counted = true;
        }
        const m = this.elementMatches(el, peer, subject, traffic, destination, uncertain);
        if (!m.matched) continue;
        if (el.deny) return verdict(false, { by: 'cilium-deny', policy, element: el });
        if (!allow || (allowL7.length > 0 && m.l7.length === 0)) {
          allow = { by: 'cilium-allow', policy, element: el, l7: m.l7 };
          allowL7 = m.l7;
        }
      }
    }
    for (const policy of this.analysis.selectingPolicies(subject)) {
      if (!policy.types[direction]) continue;
      enabledBy.push(policyLabel(policy));
      if (allow && allowL7.length === 0) continue;
      for (const rule of policy[direction]) {
        if (this.networkPolicyAllows(policy, rule, peer, traffic, destination)) {
          allow = { by: 'network-policy-allow', policy, rule };
          allowL7 = ALLOWED_NONE;
          break;
        }
      }
    }
    if (allow) return verdict(true, allow, allowL7);
    if (enabledBy.length > 0) return verdict(false, { by: 'default-deny', enabledBy });
    if (tiered && tiered.tier === 'Baseline' && tiered.action !== 'pass') return verdict(tiered.action === 'allow', { by: 'cluster-rule', description: tiered.description, action: tiered.action });
    return verdict(true, { by: 'default' });
  }

  private tieredDecision(direction: Direction, subject: Workload, peer: CiliumEndpoint, traffic: Traffic): { tier: 'Admin' | 'Baseline'; action: 'allow' | 'deny' | 'pass'; description: string } | undefined {
    if (!this.analysis.tiered || traffic.protocol === 'ICMP' || traffic.protocol === 'ICMPv6') return undefined;
    const other: Endpoint | undefined = peer.type === 'workload' ? workloadEndpoint(peer.workload) : peer.type === 'ip' ? ipEndpoint(peer.range) : peer.type === 'node' && peer.range ? ipEndpoint(peer.range) : undefined;
    if (!other) return undefined;
    const self = workloadEndpoint(subject);
    const v = direction === 'egress' ? this.analysis.verdict(self, other, traffic.protocol, traffic.port) : this.analysis.verdict(other, self, traffic.protocol, traffic.port);
    const d = v[direction].decision;
    if (!d) return undefined;
    return { tier: d.tier, action: d.action, description: `${d.kind} ${d.policy.name} (${d.tier} tier), ${direction} rule ${d.rule.index + 1}: ${d.rule.actionText}` };
  }

  verdict(source: CiliumEndpoint, destination: CiliumEndpoint, traffic: Traffic): CiliumVerdict {
    const open = (direction: Direction): CiliumDirectionVerdict => ({ direction, allowed: true, decidedBy: { by: 'default' }, l7: ALLOWED_NONE, uncertain: [] });
    const egress = source.type === 'workload' ? this.direction('egress', source.workload, destination, traffic, destination) : open('egress');
    // Egress to a Cilium-managed pod is then checked at its ingress; nothing else has a Cilium ingress.
    const ingress = destination.type === 'workload' ? this.direction('ingress', destination.workload, source, traffic, destination) : open('ingress');
    return { allowed: egress.allowed && ingress.allowed, egress, ingress };
  }
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

function policyLabel(p: CiliumPolicy | NetworkPolicy): string {
  if ('kind' in p && (p.kind === 'CiliumNetworkPolicy' || p.kind === 'CiliumClusterwideNetworkPolicy')) {
    return `${p.kind} ${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name}`;
  }
  const np = p as NetworkPolicy;
  return `NetworkPolicy ${np.namespace}/${np.name}`;
}

/** One direction's verdict in words, naming kind → policy → rule: `dropped (policy-deny) by CiliumNetworkPolicy a/p, egressDeny[0]`. */
export function describeCiliumDirection(v: CiliumDirectionVerdict): string {
  const d = v.decidedBy;
  let text: string;
  switch (d.by) {
    case 'cilium-deny':
      text = `dropped (deny rule) by ${policyLabel(d.policy)}, ${d.element.section} rule ${d.element.index + 1}`;
      break;
    case 'cilium-allow':
      text = `allowed by ${policyLabel(d.policy)}, ${d.element.section} rule ${d.element.index + 1}`;
      break;
    case 'network-policy-allow':
      text = `allowed by ${policyLabel(d.policy)}, ${d.rule.direction} rule ${d.rule.index + 1}`;
      break;
    case 'default-deny':
      text = `dropped (default deny: no allow rule matches; default deny set by ${d.enabledBy.join(', ')})`;
      break;
    case 'cluster-rule':
      text = `${d.action === 'allow' ? 'allowed' : 'dropped'} by ${d.description}`;
      break;
    case 'default':
      text = 'allowed (no policy selects this side for the direction)';
      break;
  }
  if (v.allowed && v.l7.length > 0) text += `; allowed at L4, filtered at L7 (${v.l7.join(', ')})`;
  if (v.uncertain.length > 0) text += `; uncertain: ${[...new Set(v.uncertain)].join(', ')} not analysed`;
  return `${v.direction}: ${text}`;
}

export function describeCiliumVerdict(v: CiliumVerdict): string {
  return `${v.allowed ? 'ALLOWED' : 'DROPPED'} (Cilium)\n  ${describeCiliumDirection(v.egress)}\n  ${describeCiliumDirection(v.ingress)}\n`;
}
