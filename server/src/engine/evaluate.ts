// Which connections the NetworkPolicies of a model allow, and why.
// Semantics: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the NetworkPolicy v1
// API reference. A connection is allowed when the source's egress allows it (or the source is not isolated for
// egress) and the destination's ingress allows it (or the destination is not isolated for ingress).
// With cluster-wide policies (AdminNetworkPolicy and kin) each direction is decided by tiers (tiers.ts): the Admin
// tier first, then the NetworkPolicies as above, then the Baseline tier, then the default (allow). A model without
// any stays on the NetworkPolicy-only path, which is the NetworkPolicy tier alone.
import { contains, formatRangeAsCidr, type IpRange } from './cidr';
import type { ClusterPeer, ClusterPodSelection, ClusterPolicy, ClusterRule } from './cluster-policy';
import type { Model, Workload } from './model';
import { ipBlockHolds, ipBlockMatchesWorkload } from './pod-ips';
import type { Direction, NetworkPolicy, Peer, PolicyRule } from './policy';
import { PortSet } from './portset';
import { matchesSelector } from './selectors';
import { clusterTiers, type ClusterTiers, type TierDecision } from './tiers';
import { CalicoEvaluator, type CalicoDecision, type TierLayout } from './calico-evaluate';
import { CiliumAnalysis, ciliumEnforced, decisionAt, type CiliumDecision, type CiliumOptions, type CiliumPortsResult, type CiliumUnknown } from './cilium-evaluate';
import type { CalicoEntity } from './calico-policy';
import type { Protocol } from './types';

export type Endpoint =
  | { type: 'workload'; workload: Workload }
  | { type: 'ip'; range: IpRange; label: string };

export function workloadEndpoint(workload: Workload): Endpoint {
  return { type: 'workload', workload };
}

export function ipEndpoint(range: IpRange): Endpoint {
  return { type: 'ip', range, label: formatRangeAsCidr(range) };
}

export function endpointName(e: Endpoint): string {
  return e.type === 'workload' ? e.workload.displayName : e.label;
}

/** One rule's share of a direction's allowance. */
export interface RuleContribution {
  policy: NetworkPolicy;
  rule: PolicyRule;
  ports: PortSet;
}

export interface DirectionResult {
  direction: Direction;
  /** Whether the endpoint on this side is isolated for the direction (false for external addresses). */
  isolated: boolean;
  /** The policies that isolate it for this direction. */
  policies: NetworkPolicy[];
  /** What this direction allows: everything when not isolated, else the union of the contributions. */
  allowed: PortSet;
  contributions: RuleContribution[];
  /**
   * Only with cluster-wide policies: what their rules decided (Admin tier, then Baseline tier), in evaluation order.
   * `contributions` then hold only what the NetworkPolicies allowed of the ports the Admin tier left to them.
   */
  decisions?: TierDecision[];
  /** Only with cluster-wide policies: those whose subject selects the endpoint and that have rules for the direction. */
  clusterPolicies?: ClusterPolicy[];
  /** Only with Calico policies: what each tier, policy and rule decided, in evaluation order (calico-evaluate.ts). */
  calicoDecisions?: CalicoDecision[];
  /** Under Cilium: what decided which ports (cluster-wide tiers, Cilium deny and allow, NetworkPolicy allows, default deny). */
  ciliumDecisions?: CiliumDecision[];
  /** Under Cilium: ports whose verdict a part netpol does not analyse (fromRequires, nodes, toServices...) could change. */
  ciliumUnknowns?: CiliumUnknown[];
  /** With Calico policies: a matched rule holds a field netpol does not analyse; under Cilium: some ports' verdicts may differ. */
  uncertain?: boolean;
}

export interface ConnectionResult {
  source: Endpoint;
  destination: Endpoint;
  /** A single pod reaching itself: always allowed, policies do not apply. */
  self: boolean;
  egress: DirectionResult;
  ingress: DirectionResult;
  allowed: PortSet;
}

export interface Verdict {
  source: Endpoint;
  destination: Endpoint;
  protocol: Protocol;
  port: number;
  allowed: boolean;
  self: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

export interface DirectionVerdict {
  direction: Direction;
  isolated: boolean;
  allowed: boolean;
  policies: NetworkPolicy[];
  /** Rules that allow this exact port (empty when not isolated or denied). */
  allowingRules: RuleContribution[];
  /** The cluster-wide rule that decided this port (allow, deny), or passed it on; absent when none matched it. */
  decision?: TierDecision;
  /** Cluster-wide policies that apply to the endpoint for this direction (absent without any). */
  clusterPolicies?: ClusterPolicy[];
  /** With Calico policies: the tier, policy and rule that decided this port (or the tier's end, or the profile). */
  calicoDecision?: CalicoDecision;
  /** Under Cilium: kind → policy → rule that decided this port (or the default deny, or the default). */
  ciliumDecision?: CiliumDecision;
  /** Under Cilium: L7 rules (http, kafka, dns) that filter inside the allowed connection: allowed at L4, filtered at L7. */
  l7?: string[];
  /** Under Cilium: the parts netpol does not analyse that could change this port's verdict. */
  uncertainParts?: string[];
  /** With Calico policies: a matched rule holds something netpol does not analyse; under Cilium: `uncertainParts` is not empty. */
  uncertain?: boolean;
}

// Shared results for a direction the endpoint is not isolated for (the common case): no allocation per connection.
const NOT_ISOLATED: Record<Direction, DirectionResult> = {
  ingress: Object.freeze({ direction: 'ingress', isolated: false, policies: Object.freeze([]) as unknown as NetworkPolicy[], allowed: PortSet.ALL, contributions: Object.freeze([]) as unknown as RuleContribution[] }),
  egress: Object.freeze({ direction: 'egress', isolated: false, policies: Object.freeze([]) as unknown as NetworkPolicy[], allowed: PortSet.ALL, contributions: Object.freeze([]) as unknown as RuleContribution[] }),
};

/** The rules that apply to one workload in one direction, with the results already computed for it. */
interface SubjectRules {
  policies: NetworkPolicy[];
  rules: {
    policy: NetworkPolicy;
    rule: PolicyRule;
    namedPorts: boolean;
    /** Whether the rule's peers match each workload of the model, by id (1 yes, 2 no, 0 not known yet). */
    matchByWorkload: Uint8Array | undefined;
  }[];
  /**
   * Results by which rules match the peer (a bit per rule) and, when a matching rule names ports, by the
   * destination's named ports: peers that no rule tells apart share one result. Made on first use.
   */
  byMatch: Map<number, { result?: DirectionResult; byPortClass?: Map<number, DirectionResult> }> | undefined;
  /** Results by peer class (see Analysis.peerClasses), when the peer alone decides them (no named ports toward it). */
  byPeerClass?: (DirectionResult | undefined)[];
  /** Results toward address ranges, by range object (reports ask for the same ranges against every workload). */
  byRange?: WeakMap<IpRange, DirectionResult>;
  peerDecides: boolean;
}

/** The cluster-wide rules that apply to one workload in one direction, in evaluation order (Admin tier, then Baseline). */
interface ClusterSubjectRules {
  policies: ClusterPolicy[];
  rules: { policy: ClusterPolicy; rule: ClusterRule }[];
  /** How many of `rules` are the Admin tier's (the rest are the Baseline tier's). */
  adminCount: number;
  namedPorts: boolean;
  /** Results by the NetworkPolicy tier's result, which rules match the peer and (with named ports) the destination's port class. */
  results: Map<string, DirectionResult>;
  /**
   * For peers among the model's workloads: results by the NetworkPolicy tier's result and the peer's cluster peer
   * class (one number: result id × (workloads + 1) + class), then by the destination's port class (0 without named ports).
   */
  byClass: Map<number, DirectionResult | Map<number, DirectionResult>>;
}

const NO_CLUSTER_RULES: ClusterSubjectRules = Object.freeze({ policies: [], rules: [], adminCount: 0, namedPorts: false, results: new Map(), byClass: new Map() }) as ClusterSubjectRules;

function isWholeIpv4(range: IpRange): boolean {
  return !range.v6 && range.lo === 0n && range.hi === 0xffffffffn;
}

/** Whether a Calico rule's entity constrains the endpoint it stands for (else it matches every workload endpoint). */
function ownSideConstrained(e: CalicoEntity): boolean {
  return e.nets !== undefined || e.notNets !== undefined || e.selector !== undefined || e.notSelector !== undefined || e.namespaceSelector !== undefined || e.serviceAccounts !== undefined || e.services !== undefined;
}

// The named container ports of a workload as text, by workload object (kept across models for untouched namespaces).
const namedPortsKeys = new WeakMap<Workload, string>();

function namedPortsKey(w: Workload): string {
  let key = namedPortsKeys.get(w);
  if (key === undefined) {
    key = w.containerPorts.some((p) => p.name !== undefined)
      ? w.containerPorts.filter((p) => p.name !== undefined).map((p) => `${p.name}/${p.protocol}/${p.containerPort}`).sort().join(',')
      : '';
    namedPortsKeys.set(w, key);
  }
  return key;
}

/** Rules per subject beyond this are evaluated without the result cache (the bit set would not fit). */
const MAX_CACHED_RULES = 30;

export class Analysis {
  /** By workload id: an array of the model's length for its workloads (see `subjectCache`), a map for others. */
  private selectingByIndex: (NetworkPolicy[] | undefined)[] | undefined;
  private readonly selectingCache = new Map<number, NetworkPolicy[]>();
  /**
   * By workload id for the model's workloads (arrays of the model's length, filled on first use: written at scattered
   * ids, a growing array would turn sparse and slow); other workloads (built by reports) by object.
   */
  private subjectCache: Record<Direction, (SubjectRules | undefined)[]> | undefined;
  private readonly otherSubjects = { ingress: new WeakMap<Workload, SubjectRules>(), egress: new WeakMap<Workload, SubjectRules>() };
  /** Named container ports of a workload as a small number: workloads with equal named ports share it. */
  private readonly portClassOf = new Map<number, number>();
  private readonly portClassIds = new Map<string, number>();
  /** Intersections of an egress and an ingress allowance (both isolated), shared by every pair that has them. */
  private readonly allowedCache = new WeakMap<PortSet, WeakMap<PortSet, PortSet>>();
  /** One PortSet object per distinct set of ports among the results, so that intersections are shared. */
  private readonly internedPorts = new Map<string, PortSet>();
  /** Whether a rule's peers match a workload, by rule and workload id (shared by every subject of the rule). */
  private readonly ruleMatchCache = new Map<PolicyRule, Uint8Array>();
  /**
   * For bulk use (all pairs, as `list` and matrices ask): the model's workloads grouped by the set of policy rules
   * whose peers match them. Workloads of one class are the same peer to every policy. Built after enough
   * direction evaluations that it pays (it costs rules × workloads once), never for a few hovers.
   */
  private peerClasses: Int32Array | undefined;
  private peerClassCount = 0;
  private directionEvaluations = 0;
  /** The cluster-wide tiers in evaluation order; undefined for NetworkPolicy-only models (their fast path). */
  private readonly tiers: ClusterTiers | undefined;
  /** Whether cluster-wide policies take part: every direction is then decided through the tiers. */
  readonly tiered: boolean;
  private clusterSubjectCache: Record<Direction, (ClusterSubjectRules | undefined)[]> | undefined;
  private readonly otherClusterSubjects = { ingress: new WeakMap<Workload, ClusterSubjectRules>(), egress: new WeakMap<Workload, ClusterSubjectRules>() };
  private clusterClasses: Int32Array | undefined;
  /** Whether a cluster-wide rule's peers match each workload of the model, by id (1 yes, 2 no, 0 not known yet). */
  private readonly clusterRuleMatches = new Map<ClusterRule, Uint8Array>();
  /** Numbers for the NetworkPolicy tier's results, to key the tiered results by them. */
  private readonly resultIds = new WeakMap<DirectionResult, number>();
  private nextResultId = 0;
  /** By direction and workload id: the workload's tier subject class + 1 (0: not known yet). See tierSubjectClass. */
  private readonly tierSubjectClasses: Record<Direction, Int32Array | undefined> = { ingress: undefined, egress: undefined };
  private readonly tierSubjectClassIds = { ingress: new Map<string, number>(), egress: new Map<string, number>() };
  /** Numbers for policies, to key direction classes by the policies that select a workload. */
  private readonly objectIds = new WeakMap<object, number>();
  private nextObjectId = 0;

  /** Calico semantics (tiers by order, Deny, Pass, Log), when the model holds an enforced Calico policy. */
  readonly calico: CalicoEvaluator | undefined;
  /** Cilium semantics (deny beats allow, allows a union with NetworkPolicies), when Cilium enforces a policy of the model. */
  readonly cilium: CiliumAnalysis | undefined;
  private ciliumForRules: CiliumAnalysis | undefined;
  private readonly ciliumResults = new WeakMap<CiliumPortsResult, DirectionResult>();

  constructor(readonly model: Model, options: { calicoTierLayout?: TierLayout; cilium?: CiliumOptions } = {}) {
    this.tiers = clusterTiers(model);
    this.calico = CalicoEvaluator.applies(model)
      ? new CalicoEvaluator(
          model,
          {
            kubernetes: (direction, w, peer, destination) => this.networkPolicyDirection(direction, w, peer, destination),
            clusterRules: (w, direction) => this.clusterRules(w, direction),
            clusterPeerMatches: (peer, e) => this.clusterPeerMatches(peer, e),
            clusterRulePorts: (rule, destination) => this.clusterRulePorts(rule, destination),
          },
          options.calicoTierLayout,
        )
      : undefined;
    this.cilium = !this.calico && ciliumEnforced(model) ? new CiliumAnalysis(model, options.cilium ?? {}, this) : undefined;
    this.tiered = this.tiers !== undefined || this.calico !== undefined || this.cilium !== undefined;
  }

  /** The Cilium evaluation of the model, also where Cilium does not decide the verdicts (the Cilium rules read policies with it). */
  ciliumEvaluator(): CiliumAnalysis {
    return this.cilium ?? (this.ciliumForRules ??= new CiliumAnalysis(this.model, {}, this));
  }

  /**
   * For bulk answers: what besides its NetworkPolicy and cluster-wide lists tells a subject's answers apart. Calico
   * rules test the subject's own labels (no sharing); under Cilium, the Cilium rules that select it.
   */
  subjectKey(w: Workload): string {
    if (this.calico) return `w${w.id}`;
    if (this.cilium) return w.hostNetwork ? 'host' : this.cilium.selectingRules(w).map(({ policy, rule }) => `${policy.object.uri}#${policy.object.range[0]}.${rule.index}`).join(',');
    return '';
  }

  /** Valid policies whose podSelector selects the workload's pods. */
  selectingPolicies(w: Workload): NetworkPolicy[] {
    const index = this.modelIndex(w);
    if (index >= 0) this.selectingByIndex ??= new Array<NetworkPolicy[] | undefined>(this.model.workloads.length).fill(undefined);
    let cached = index >= 0 ? this.selectingByIndex![index] : this.selectingCache.get(w.id);
    if (!cached) {
      cached = [];
      for (const p of this.model.policiesByNamespace.get(w.namespace) ?? []) if (p.valid && matchesSelector(p.podSelector, w.podLabels)) cached.push(p);
      if (index >= 0) this.selectingByIndex![index] = cached;
      else this.selectingCache.set(w.id, cached);
    }
    return cached;
  }

  /** Policies that isolate the workload for a direction. */
  isolatingPolicies(w: Workload, direction: Direction): NetworkPolicy[] {
    return this.subjectRules(w, direction).policies.slice();
  }

  /** The workload's index among the model's workloads, or -1 for workloads from elsewhere (reports build some). */
  private modelIndex(w: Workload): number {
    return w.id >= 0 && w.id < this.model.workloads.length && this.model.workloads[w.id] === w ? w.id : -1;
  }

  private subjectRules(w: Workload, direction: Direction): SubjectRules {
    const index = this.modelIndex(w);
    let cache: (SubjectRules | undefined)[] | undefined;
    if (index >= 0) {
      if (!this.subjectCache) {
        const n = this.model.workloads.length;
        this.subjectCache = { ingress: new Array<SubjectRules | undefined>(n).fill(undefined), egress: new Array<SubjectRules | undefined>(n).fill(undefined) };
      }
      cache = this.subjectCache[direction];
    }
    let entry = cache ? cache[index] : this.otherSubjects[direction].get(w);
    if (!entry) {
      const policies: NetworkPolicy[] = [];
      const rules: SubjectRules['rules'] = [];
      let namedPorts = false;
      for (const policy of this.selectingPolicies(w)) {
        if (!policy.types[direction]) continue;
        policies.push(policy);
        for (const rule of policy[direction]) {
          const named = rule.ports !== undefined && rule.ports.some((spec) => typeof spec.port === 'string');
          if (named) namedPorts = true;
          rules.push({ policy, rule, namedPorts: named, matchByWorkload: undefined });
        }
      }
      // Egress toward named ports depends on the peer's container ports too, not only on its class.
      const peerDecides = direction === 'ingress' || !namedPorts;
      entry = { policies, rules, byMatch: undefined, peerDecides };
      if (cache) cache[index] = entry;
      else this.otherSubjects[direction].set(w, entry);
    }
    return entry;
  }

  private ruleMatches(rule: PolicyRule): Uint8Array {
    let cache = this.ruleMatchCache.get(rule);
    if (!cache) {
      cache = new Uint8Array(this.model.workloads.length);
      this.ruleMatchCache.set(rule, cache);
    }
    return cache;
  }

  namespaceLabels(name: string): Record<string, string> {
    const ns = this.model.namespaces.get(name);
    return ns ? { ...ns.labels } : { 'kubernetes.io/metadata.name': name };
  }

  /** Whether a peer of a policy in `policyNamespace` matches the endpoint. ipBlocks match pods by IP (pod-ips.ts). */
  peerMatches(peer: Peer, policyNamespace: string, e: Endpoint): boolean {
    if (peer.type === 'ipBlock') return e.type === 'ip' ? ipBlockHolds(peer, e.range) : ipBlockMatchesWorkload(this.model, peer, e.workload);
    if (e.type !== 'workload') return false;
    const w = e.workload;
    if (peer.namespaceSelector) {
      const ns = this.model.namespaces.get(w.namespace);
      if (!matchesSelector(peer.namespaceSelector, ns?.labels ?? { 'kubernetes.io/metadata.name': w.namespace })) return false;
    } else if (w.namespace !== policyNamespace) {
      return false;
    }
    return peer.podSelector ? matchesSelector(peer.podSelector, w.podLabels) : true;
  }

  /** The ports a rule allows toward `destination`: named ports resolve against its container ports. */
  rulePorts(rule: PolicyRule, destination: Endpoint): PortSet {
    if (!rule.ports) return PortSet.ALL;
    let set = PortSet.NONE;
    for (const spec of rule.ports) {
      if (spec.port === undefined) set = set.union(PortSet.of(spec.protocol));
      else if (typeof spec.port === 'number') set = set.union(PortSet.of(spec.protocol, spec.port, spec.endPort ?? spec.port));
      else if (destination.type === 'workload') {
        for (const cp of destination.workload.containerPorts) {
          if (cp.name === spec.port && cp.protocol === spec.protocol) {
            set = set.union(PortSet.of(spec.protocol, cp.containerPort, cp.containerPort));
          }
        }
      }
    }
    return set;
  }

  private portClass(destination: Endpoint): number {
    if (destination.type !== 'workload') return 0;
    const w = destination.workload;
    let id = this.portClassOf.get(w.id);
    if (id === undefined) {
      const key = namedPortsKey(w);
      id = this.portClassIds.get(key);
      if (id === undefined) {
        id = this.portClassIds.size + 1;
        this.portClassIds.set(key, id);
      }
      this.portClassOf.set(w.id, id);
    }
    return id;
  }

  private matches(rule: PolicyRule, policyNamespace: string, peer: Endpoint): boolean {
    if (!rule.peers) return true;
    for (const p of rule.peers) if (this.peerMatches(p, policyNamespace, peer)) return true;
    return false;
  }

  private direction(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): DirectionResult {
    if (this.calico) return this.calicoDirection(direction, subject, peer, destination);
    if (this.cilium) return this.ciliumDirection(direction, subject, peer, destination);
    const np = this.networkPolicyDirection(direction, subject, peer, destination);
    return this.tiers ? this.tieredDirection(direction, subject, peer, destination, np) : np;
  }

  /** One direction by Calico's tiers (calico-evaluate.ts); Kubernetes NetworkPolicies sit in tier default at order 1000. */
  private calicoDirection(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): DirectionResult {
    const np = this.networkPolicyDirection(direction, subject, peer, destination);
    const r = this.calico!.direction(direction, subject, peer, destination);
    const contributions: RuleContribution[] = [];
    for (const c of np.contributions) {
      const decided = r.decisions.find((d) => d.policy?.type === 'kubernetes' && d.policy.policy === c.policy);
      const ports = decided ? c.ports.intersect(decided.ports) : PortSet.NONE;
      if (!ports.isEmpty()) contributions.push({ policy: c.policy, rule: c.rule, ports });
    }
    return { direction, isolated: r.isolated, policies: np.policies, allowed: this.intern(r.allowed), contributions, calicoDecisions: r.decisions, uncertain: r.uncertain };
  }

  /** One direction by Cilium's layer between the cluster-wide tiers (cilium-evaluate.ts `directionPorts`). */
  private ciliumDirection(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): DirectionResult {
    const r = this.cilium!.directionPorts(direction, subject, peer, destination);
    if (!r.isolated) return NOT_ISOLATED[direction];
    let result = this.ciliumResults.get(r);
    if (!result) {
      const contributions: RuleContribution[] = [];
      for (const d of r.decisions) if (d.by === 'network-policy-allow') contributions.push({ policy: d.policy, rule: d.rule, ports: d.ports });
      result = { direction, isolated: true, policies: r.networkPolicies, allowed: this.intern(r.allowed), contributions, ciliumDecisions: r.decisions, ...(r.unknowns.length > 0 ? { ciliumUnknowns: r.unknowns, uncertain: true } : {}) };
      this.ciliumResults.set(r, result);
    }
    return result;
  }

  /** Whether a cluster-wide subject or pod peer selects the workload: never a host-network pod (API reference). */
  private selectsPods(selection: ClusterPodSelection, w: Workload): boolean {
    if (w.hostNetwork) return false;
    let byNamespace = this.selectionNamespaces.get(selection);
    if (!byNamespace) this.selectionNamespaces.set(selection, (byNamespace = new Map()));
    let inNamespace = byNamespace.get(w.namespace);
    if (inNamespace === undefined) {
      const ns = this.model.namespaces.get(w.namespace);
      byNamespace.set(w.namespace, (inNamespace = matchesSelector(selection.namespaceSelector, ns?.labels ?? { 'kubernetes.io/metadata.name': w.namespace })));
    }
    if (!inNamespace) return false;
    return selection.podSelector ? matchesSelector(selection.podSelector, w.podLabels) : true;
  }

  /** Whether a cluster-wide subject's or peer's namespaceSelector selects each namespace, by name. */
  private readonly selectionNamespaces = new Map<ClusterPodSelection, Map<string, boolean>>();
  /** Cluster-wide rules of a direction by the policies that select a workload: workloads selected alike share them (and their results). */
  private readonly clusterSubjectsByPolicies = { ingress: new Map<string, ClusterSubjectRules>(), egress: new Map<string, ClusterSubjectRules>() };
  /** The same, by namespace, where no subject of the direction has a podSelector (the namespace then decides). */
  private readonly clusterSubjectsByNamespace = { ingress: new Map<string, ClusterSubjectRules>(), egress: new Map<string, ClusterSubjectRules>() };

  /**
   * Whether a cluster-wide peer matches the endpoint. `networks` match address ranges wholly inside a CIDR, and, as
   * the API reference says a CIDR also matches the pod IPs in it, every pod when the CIDR is 0.0.0.0/0 (any pod's
   * IPv4 address falls in it), and pods whose known IP (a Pod's status.podIP) it holds, whatever the CNI (the API
   * says so; unlike NetworkPolicy ipBlocks, see pod-ips.ts). Otherwise a narrower CIDR is assumed to hold no pod (the
   * `networks-match-pods` rule says so where it matters). nodes and domainNames match nothing (not analysed).
   */
  clusterPeerMatches(peer: ClusterPeer, e: Endpoint): boolean {
    if (peer.type === 'pods') return e.type === 'workload' && this.selectsPods(peer, e.workload);
    if (peer.type === 'networks') {
      if (e.type === 'ip') return peer.networks.some((n) => contains(n.range, e.range));
      const ips = e.workload.podIps;
      return peer.networks.some((n) => isWholeIpv4(n.range) || ips.some((ip) => contains(n.range, ip)));
    }
    return false;
  }

  /** The ports a cluster-wide rule names toward `destination`: named ports are the destination's container ports of that name. */
  clusterRulePorts(rule: ClusterRule, destination: Endpoint): PortSet {
    if (!rule.ports) return PortSet.ALL;
    let set = PortSet.NONE;
    for (const spec of rule.ports) {
      if (typeof spec.port === 'number') set = set.union(PortSet.of(spec.protocol, spec.port, spec.endPort ?? spec.port));
      else if (destination.type === 'workload') {
        for (const cp of destination.workload.containerPorts) if (cp.name === spec.port) set = set.union(PortSet.of(cp.protocol, cp.containerPort, cp.containerPort));
      }
    }
    return set;
  }

  /** The cluster-wide policies that select `w` and have rules for `direction`, with their rules in evaluation order. */
  clusterRules(w: Workload, direction: Direction): ClusterSubjectRules {
    const tiers = this.tiers;
    if (!tiers || w.hostNetwork) return NO_CLUSTER_RULES;
    const index = this.modelIndex(w);
    let cache: (ClusterSubjectRules | undefined)[] | undefined;
    if (index >= 0) {
      if (!this.clusterSubjectCache) {
        const n = this.model.workloads.length;
        this.clusterSubjectCache = { ingress: new Array<ClusterSubjectRules | undefined>(n).fill(undefined), egress: new Array<ClusterSubjectRules | undefined>(n).fill(undefined) };
      }
      cache = this.clusterSubjectCache[direction];
    }
    let entry = cache ? cache[index] : this.otherClusterSubjects[direction].get(w);
    if (!entry) {
      // Most subjects select by namespace alone: their entry is the namespace's (host-network pods left out above).
      const byNamespace = this.clusterSubjectsByNamespace[direction];
      entry = byNamespace.get(w.namespace);
      if (entry) {
        if (cache) cache[index] = entry;
        return entry;
      }
      let key = '';
      let podSelectors = false;
      for (const tier of [tiers.admin, tiers.baseline]) {
        for (const policy of tier) {
          if (policy[direction].length === 0) continue;
          if (policy.subject.podSelector) podSelectors = true;
          if (this.selectsPods(policy.subject, w)) key += `${this.objectId(policy)},`;
        }
        key += '|';
      }
      const shared = this.clusterSubjectsByPolicies[direction];
      entry = shared.get(key);
      if (!entry) {
        const policies: ClusterPolicy[] = [];
        const rules: ClusterSubjectRules['rules'] = [];
        let adminCount = 0;
        for (const tier of [tiers.admin, tiers.baseline]) {
          for (const policy of tier) {
            if (policy[direction].length === 0 || !this.selectsPods(policy.subject, w)) continue;
            policies.push(policy);
            for (const rule of policy[direction]) rules.push({ policy, rule });
          }
          if (tier === tiers.admin) adminCount = rules.length;
        }
        const namedPorts = rules.some(({ rule }) => rule.ports?.some((p) => typeof p.port === 'string') ?? false);
        entry = policies.length === 0 ? NO_CLUSTER_RULES : { policies, rules, adminCount, namedPorts, results: new Map(), byClass: new Map() };
        shared.set(key, entry);
      }
      if (!podSelectors) byNamespace.set(w.namespace, entry);
      if (cache) cache[index] = entry;
      else this.otherClusterSubjects[direction].set(w, entry);
    }
    return entry;
  }

  /**
   * One direction through the tiers: the Admin tier's rules in order (Allow and Deny final, Pass skips the rest of
   * the tier), then the NetworkPolicies' result `np` for what is left (deny what they do not allow when they isolate
   * the pod), else the Baseline tier's rules, then the default (allow).
   */
  private tieredDirection(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint, np: DirectionResult): DirectionResult {
    const entry = this.clusterRules(subject, direction);
    if (entry.policies.length === 0) return np;
    let npId = this.resultIds.get(np);
    if (npId === undefined) this.resultIds.set(np, (npId = this.nextResultId++));
    // Workloads of one class match the same cluster-wide rules: their results are shared.
    const peerIndex = peer.type === 'workload' ? this.modelIndex(peer.workload) : -1;
    const portClass = entry.namedPorts ? this.portClass(destination) : 0;
    let classSlot = -1;
    if (peerIndex >= 0) {
      classSlot = npId * (this.model.workloads.length + 1) + this.clusterPeerClasses()[peerIndex];
      const known = entry.byClass.get(classSlot);
      if (known) {
        if (!entry.namedPorts) return known as DirectionResult;
        const byPorts = (known as Map<number, DirectionResult>).get(portClass);
        if (byPorts) return byPorts;
      }
    }

    // Whether each rule's peers match the peer: for the model's workloads answered once per rule, in a table.
    let bits = '';
    for (const { rule } of entry.rules) {
      let known = 0;
      let table: Uint8Array | undefined;
      if (peerIndex >= 0) {
        table = this.clusterRuleMatches.get(rule);
        if (!table) this.clusterRuleMatches.set(rule, (table = new Uint8Array(this.model.workloads.length)));
        known = table[peerIndex];
      }
      if (known === 0) {
        known = 2;
        for (const p of rule.peers) {
          if (this.clusterPeerMatches(p, peer)) {
            known = 1;
            break;
          }
        }
        if (table) table[peerIndex] = known;
      }
      bits += known === 1 ? '1' : '0';
    }
    const key = `${npId}:${bits}:${portClass}`;
    const known = entry.results.get(key);
    if (known) {
      if (classSlot >= 0) this.rememberByClass(entry, classSlot, portClass, known);
      return known;
    }

    let undecided = PortSet.ALL;
    let allowed = PortSet.NONE;
    const decisions: TierDecision[] = [];
    const runTier = (from: number, to: number) => {
      let passed = PortSet.NONE;
      for (let i = from; i < to; i++) {
        if (bits.charCodeAt(i) !== 49 /* '1' */) continue;
        const { policy, rule } = entry.rules[i];
        const ports = this.clusterRulePorts(rule, destination).intersect(undecided);
        if (ports.isEmpty()) continue;
        decisions.push({ kind: policy.kind, tier: policy.tier, policy, rule, action: rule.action, ports });
        if (rule.action === 'allow') allowed = allowed.union(ports);
        else if (rule.action === 'pass') passed = passed.union(ports);
        undecided = undecided.subtract(ports);
        if (undecided.isEmpty()) break;
      }
      undecided = undecided.union(passed);
    };
    runTier(0, entry.adminCount);
    let contributions: RuleContribution[] = [];
    if (np.isolated) {
      // The NetworkPolicies decide whatever the Admin tier left: they allow their rules' ports, deny the rest.
      allowed = allowed.union(np.allowed.intersect(undecided));
      for (const c of np.contributions) {
        const ports = c.ports.intersect(undecided);
        if (!ports.isEmpty()) contributions.push({ policy: c.policy, rule: c.rule, ports });
      }
      undecided = PortSet.NONE;
    } else {
      runTier(entry.adminCount, entry.rules.length);
      allowed = allowed.union(undecided);
      contributions = [];
    }
    const result: DirectionResult = { direction, isolated: true, policies: np.policies, allowed: this.intern(allowed), contributions, decisions, clusterPolicies: entry.policies };
    entry.results.set(key, result);
    if (classSlot >= 0) this.rememberByClass(entry, classSlot, portClass, result);
    return result;
  }

  private rememberByClass(entry: ClusterSubjectRules, classSlot: number, portClass: number, result: DirectionResult): void {
    if (!entry.namedPorts) entry.byClass.set(classSlot, result);
    else {
      let byPorts = entry.byClass.get(classSlot) as Map<number, DirectionResult> | undefined;
      if (!byPorts) entry.byClass.set(classSlot, (byPorts = new Map()));
      byPorts.set(portClass, result);
    }
  }

  private objectId(o: object): number {
    let id = this.objectIds.get(o);
    if (id === undefined) this.objectIds.set(o, (id = this.nextObjectId++));
    return id;
  }

  /**
   * For tiered models: a number shared by the model's workloads whose `direction` turns the NetworkPolicies' result
   * toward or from any one peer into the same final result. Such workloads have the same cluster-wide policies
   * selecting them for the direction, the same Calico policies, every Calico rule of those matching them alike on its
   * own side (an ingress rule's destination, an egress rule's source), are alike host-network or not, have or lack
   * known pod IPs (Calico nets on their side), and, for ingress, where named ports resolve on them, declare the same
   * named ports. The NetworkPolicies enter the tiers only by whether they isolate the workload and what they allow (a
   * union, in tier order at one place), except where a Calico policy of the default tier has the NetworkPolicies'
   * order 1000 and sorts among them by name: then the NetworkPolicies selecting the workload are part of the class.
   * So `direction(d, w, peer, …).allowed` is the same for two workloads of a class whose NetworkPolicy results for
   * the peer are equal (features/reach.ts). -1 for workloads from elsewhere.
   */
  tierSubjectClass(w: Workload, direction: Direction): number {
    const index = this.modelIndex(w);
    if (index < 0) return -1;
    const classes = (this.tierSubjectClasses[direction] ??= new Int32Array(this.model.workloads.length));
    if (classes[index] !== 0) return classes[index] - 1;
    let key = w.hostNetwork ? 'h|' : 'p|';
    // Named ports resolve on the destination: for ingress, on `w`, by the names its rules mention.
    const portNames = direction === 'ingress' ? new Set<string>() : undefined;
    const cluster = this.clusterRules(w, direction);
    for (const p of cluster.policies) key += `${this.objectId(p)},`;
    if (portNames && cluster.namedPorts) {
      for (const { rule } of cluster.rules) for (const spec of rule.ports ?? []) if (typeof spec.port === 'string') portNames.add(spec.port);
    }
    if (this.calico) {
      key += w.podIps.length === 0 ? '|n' : '|i';
      for (const p of this.calico.selectingPolicies(w, direction)) {
        key += `${this.objectId(p)}:`;
        for (const rule of p[direction]) {
          const own = direction === 'ingress' ? rule.destination : rule.source;
          if (ownSideConstrained(own)) key += this.calico.ownSideMatches(rule, p, direction, w) ? '1' : '0';
          if (portNames) for (const port of [...(rule.destination.ports ?? []), ...(rule.destination.notPorts ?? [])]) if (port.type === 'named') portNames.add(port.name);
        }
        key += ',';
      }
      if (this.calico.networkPoliciesInterleaved) {
        key += '|';
        for (const p of this.subjectRules(w, direction).policies) key += `${this.objectId(p)},`;
      }
    }
    if (portNames && portNames.size > 0) {
      const named = w.containerPorts.filter((cp) => cp.name !== undefined && portNames.has(cp.name)).map((cp) => `${cp.name}/${cp.protocol}/${cp.containerPort}`);
      key += `|${named.sort().join(',')}`;
    }
    const ids = this.tierSubjectClassIds[direction];
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    classes[index] = id + 1;
    return id;
  }

  /** How many tier subject classes the direction has so far. */
  tierSubjectClassCount(direction: Direction): number {
    return this.tierSubjectClassIds[direction].size;
  }

  /**
   * For the model's workloads as peers of a tiered direction: a number shared by workloads that every cluster-wide
   * rule matches alike and that alike have or lack known pod IPs (Calico nets). With the NetworkPolicy and Calico
   * rules that match a peer and (toward it) its named ports, it decides the peer's side of a direction
   * (features/reach.ts). How many such numbers there are: `peerTraitClassCount` after the first call.
   */
  peerTraitClass(w: Workload): number {
    const index = this.modelIndex(w);
    if (index < 0) throw new Error('peerTraitClass: not a workload of the model');
    if (!this.peerTraits) {
      const ids = new Map<string, number>();
      const classes = new Int32Array(this.model.workloads.length);
      const cluster = this.tiers ? this.clusterPeerClasses() : undefined;
      this.model.workloads.forEach((v, i) => {
        const key = `${cluster ? cluster[i] : 0}:${v.podIps.length === 0 ? 0 : 1}`;
        let id = ids.get(key);
        if (id === undefined) ids.set(key, (id = ids.size));
        classes[i] = id;
      });
      this.peerTraits = classes;
      this.peerTraitClassCount = ids.size;
    }
    return this.peerTraits[index];
  }

  private peerTraits: Int32Array | undefined;
  peerTraitClassCount = 0;

  /** A number shared by the model's workloads that the same cluster-wide rules' peers match (tiered models only). */
  clusterPeerClass(w: Workload): number {
    const index = this.modelIndex(w);
    // Calico rules tell workloads apart by any label: no classes are shared.
    if (index < 0 || this.calico) return -1 - w.id;
    if (this.cilium) return this.ciliumPeerClasses()[index];
    return this.tiers ? this.clusterPeerClasses()[index] : -1 - w.id;
  }

  /** Under Cilium: the model's workloads numbered by which Cilium, NetworkPolicy and cluster-wide peers match them. */
  private ciliumPeerClasses(): Int32Array {
    return this.cilium!.peerClasses();
  }

  /** Which cluster-wide rules' peers match a workload of the model, as a number (0 without cluster-wide policies). */
  clusterPeerClassOf(w: Workload): number {
    const index = this.modelIndex(w);
    return this.tiers && index >= 0 ? this.clusterPeerClasses()[index] : index >= 0 ? 0 : -1 - w.id;
  }

  /** The model's workloads numbered by which cluster-wide rules' peers match them (made once, on first use). */
  private clusterPeerClasses(): Int32Array {
    if (this.clusterClasses) return this.clusterClasses;
    const rules: ClusterRule[] = [];
    for (const tier of [this.tiers!.admin, this.tiers!.baseline]) for (const p of tier) rules.push(...p.ingress, ...p.egress);
    const ids = new Map<string, number>();
    const classes = new Int32Array(this.model.workloads.length);
    this.model.workloads.forEach((w, i) => {
      const endpoint: Endpoint = { type: 'workload', workload: w };
      let signature = '';
      for (const rule of rules) signature += rule.peers.some((p) => this.clusterPeerMatches(p, endpoint)) ? '1' : '0';
      let id = ids.get(signature);
      if (id === undefined) ids.set(signature, (id = ids.size));
      classes[i] = id;
    });
    this.clusterClasses = classes;
    return classes;
  }

  private intern(ports: PortSet): PortSet {
    const key = ports.toString();
    let interned = this.internedPorts.get(key);
    if (!interned) {
      interned = ports;
      this.internedPorts.set(key, ports);
    }
    return interned;
  }

  private networkPolicyDirection(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): DirectionResult {
    const entry = this.subjectRules(subject, direction);
    if (entry.policies.length === 0) return NOT_ISOLATED[direction];
    const peerIndex = peer.type === 'workload' ? this.modelIndex(peer.workload) : -1;
    this.directionEvaluations++;
    if (peerIndex >= 0 && entry.peerDecides) {
      const classes = this.peerClasses ?? (this.bulk() ? this.buildPeerClasses() : undefined);
      if (classes) {
        // Filled with undefined (not holes), so reads stay on the fast path of packed arrays.
        const byClass = (entry.byPeerClass ??= new Array<DirectionResult | undefined>(this.peerClassCount).fill(undefined));
        const cls = classes[peerIndex];
        return (byClass[cls] ??= this.directionByRules(direction, entry, peer, peerIndex, destination));
      }
    }
    if (peer.type === 'ip' && (direction === 'ingress' || peer === destination)) {
      // Nothing of an address range's result depends on anything but the range (it has no named ports).
      const byRange = (entry.byRange ??= new WeakMap());
      let result = byRange.get(peer.range);
      if (!result) {
        result = this.directionByRules(direction, entry, peer, peerIndex, destination);
        byRange.set(peer.range, result);
      }
      return result;
    }
    return this.directionByRules(direction, entry, peer, peerIndex, destination);
  }

  /** Whether this analysis is evaluating (nearly) all pairs, as reports do, rather than answering a few queries. */
  private bulk(): boolean {
    return this.directionEvaluations > 20 * this.model.workloads.length + 1000;
  }

  private buildPeerClasses(): Int32Array {
    const rules: { rule: PolicyRule; namespace: string }[] = [];
    for (const policy of this.model.policies) {
      if (!policy.valid) continue;
      for (const rule of [...policy.ingress, ...policy.egress]) if (rule.peers) rules.push({ rule, namespace: policy.namespace });
    }
    const ids = new Map<string, number>();
    const classes = new Int32Array(this.model.workloads.length);
    this.model.workloads.forEach((w, i) => {
      const endpoint: Endpoint = { type: 'workload', workload: w };
      let signature = '';
      for (let r = 0; r < rules.length; r++) if (this.matches(rules[r].rule, rules[r].namespace, endpoint)) signature += `${r},`;
      let id = ids.get(signature);
      if (id === undefined) {
        id = ids.size;
        ids.set(signature, id);
      }
      classes[i] = id;
    });
    this.peerClassCount = ids.size;
    this.peerClasses = classes;
    return classes;
  }

  private directionByRules(direction: Direction, entry: SubjectRules, peer: Endpoint, peerIndex: number, destination: Endpoint): DirectionResult {
    const { rules } = entry;
    if (rules.length > MAX_CACHED_RULES) {
      const matched = rules.map((r) => this.matches(r.rule, r.policy.namespace, peer));
      return this.computeDirection(direction, entry, (i) => matched[i], destination);
    }
    // Many subjects share a policy's rules: whether a rule matches a workload is decided once per pair of them, in
    // tables of a byte per workload, in bulk use only (a rule run's verdict queries would allocate them for nothing).
    const tables = peerIndex >= 0 && this.bulk();
    let mask = 0;
    let named = false;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      let matched: boolean;
      if (tables) {
        const byWorkload = (r.matchByWorkload ??= this.ruleMatches(r.rule));
        const known = byWorkload[peerIndex];
        matched = known === 0 ? this.matches(r.rule, r.policy.namespace, peer) : known === 1;
        if (known === 0) byWorkload[peerIndex] = matched ? 1 : 2;
      } else matched = this.matches(r.rule, r.policy.namespace, peer);
      if (!matched) continue;
      mask |= 1 << i;
      if (r.namedPorts) named = true;
    }
    const byMatch = (entry.byMatch ??= new Map());
    let slot = byMatch.get(mask);
    if (!slot) {
      slot = {};
      byMatch.set(mask, slot);
    }
    if (!named) return (slot.result ??= this.computeDirection(direction, entry, (i) => (mask & (1 << i)) !== 0, destination));
    // Named ports make the allowance depend on the destination's container ports.
    const portClass = this.portClass(destination);
    slot.byPortClass ??= new Map();
    let result = slot.byPortClass.get(portClass);
    if (!result) {
      result = this.computeDirection(direction, entry, (i) => (mask & (1 << i)) !== 0, destination);
      slot.byPortClass.set(portClass, result);
    }
    return result;
  }

  private computeDirection(direction: Direction, entry: SubjectRules, isMatched: (i: number) => boolean, destination: Endpoint): DirectionResult {
    const contributions: RuleContribution[] = [];
    let allowed = PortSet.NONE;
    entry.rules.forEach(({ policy, rule }, i) => {
      if (!isMatched(i)) return;
      const ports = this.rulePorts(rule, destination);
      if (ports.isEmpty()) return;
      contributions.push({ policy, rule, ports });
      allowed = allowed.union(ports);
    });
    const key = allowed.toString();
    let interned = this.internedPorts.get(key);
    if (!interned) {
      interned = allowed;
      this.internedPorts.set(key, allowed);
    }
    return { direction, isolated: true, policies: entry.policies, allowed: interned, contributions };
  }

  /** Every connection the policies allow from `source` to `destination`, with the rules behind it. */
  connection(source: Endpoint, destination: Endpoint): ConnectionResult {
    const self = source.type === 'workload' && destination.type === 'workload' && source.workload === destination.workload && !source.workload.replicated;
    const egress = source.type === 'workload' ? this.direction('egress', source.workload, destination, destination) : NOT_ISOLATED.egress;
    const ingress = destination.type === 'workload' ? this.direction('ingress', destination.workload, source, destination) : NOT_ISOLATED.ingress;
    const allowed = self ? PortSet.ALL : this.allowedBoth(egress, ingress);
    return { source, destination, self, egress, ingress, allowed };
  }

  /**
   * The NetworkPolicies' own answer for one direction of a connection, before any cluster-wide tier (for the diff,
   * which replaces one policy's share of it). Not isolated when the side is an address outside the cluster.
   */
  networkPolicyAnswer(direction: Direction, source: Endpoint, destination: Endpoint): DirectionResult {
    const subject = direction === 'egress' ? source : destination;
    if (subject.type !== 'workload') return NOT_ISOLATED[direction];
    return this.networkPolicyDirection(direction, subject.workload, direction === 'egress' ? destination : source, destination);
  }

  /**
   * One direction of a connection decided with `np` as the NetworkPolicies' answer, through the cluster-wide tiers
   * as `connection` does. Undefined for models with Calico policies, whose tiers read the policies themselves.
   */
  directionWith(direction: Direction, source: Endpoint, destination: Endpoint, np: DirectionResult): DirectionResult | undefined {
    // Calico's tiers and Cilium's layer read the policies themselves: no answer from a NetworkPolicy result alone.
    if (this.calico || this.cilium) return undefined;
    const subject = direction === 'egress' ? source : destination;
    if (subject.type !== 'workload' || !this.tiers) return np;
    return this.tieredDirection(direction, subject.workload, direction === 'egress' ? destination : source, destination, np);
  }

  /**
   * What the source's egress allows toward `destination` (`connection(source, destination).egress.allowed`, without
   * the destination's ingress side).
   */
  egressAllowed(source: Endpoint, destination: Endpoint): PortSet {
    if (source.type !== 'workload') return NOT_ISOLATED.egress.allowed;
    return this.calico ? this.allowedByClass('egress', source.workload, destination, destination) : this.direction('egress', source.workload, destination, destination).allowed;
  }

  /** What the destination's ingress allows from `source` (`connection(source, destination).ingress.allowed`). */
  ingressAllowed(source: Endpoint, destination: Endpoint): PortSet {
    if (destination.type !== 'workload') return NOT_ISOLATED.ingress.allowed;
    return this.calico ? this.allowedByClass('ingress', destination.workload, source, destination) : this.direction('ingress', destination.workload, source, destination).allowed;
  }

  /**
   * What the policies allow from `source` to `destination` (`connection(source, destination).allowed`) without the
   * rules behind it: on Calico models shared by tier subject class (see allowedByClass), for reports of every pair.
   */
  allowed(source: Endpoint, destination: Endpoint): PortSet {
    if (!this.calico) return this.connection(source, destination).allowed;
    if (source.type === 'workload' && destination.type === 'workload' && source.workload === destination.workload && !source.workload.replicated) return PortSet.ALL;
    const egress = this.egressAllowed(source, destination);
    if (egress.isEmpty()) return PortSet.NONE;
    const ingress = this.ingressAllowed(source, destination);
    let byIngress = this.allowedCache.get(egress);
    if (!byIngress) this.allowedCache.set(egress, (byIngress = new WeakMap()));
    let allowed = byIngress.get(ingress);
    if (!allowed) byIngress.set(ingress, (allowed = egress.intersect(ingress)));
    return allowed;
  }

  /**
   * What a direction allows, shared by the subjects of one tier subject class whose NetworkPolicies allow the peer
   * the same (see tierSubjectClass): rules that ask many pods about one peer (DNS, say) evaluate Calico's tiers once
   * per class instead of once per pod. Only the allowed ports are shared (decisions name each pod's own policies).
   */
  private allowedByClass(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): PortSet {
    const cls = this.tierSubjectClass(subject, direction);
    if (cls < 0) return this.direction(direction, subject, peer, destination).allowed;
    const np = this.networkPolicyDirection(direction, subject, peer, destination);
    const byClass = this.allowedByClassCache[direction];
    let byPeer = byClass.get(cls);
    if (!byPeer) byClass.set(cls, (byPeer = new WeakMap()));
    const peerKey: object = peer.type === 'workload' ? peer.workload : peer.range;
    let byAllowance = byPeer.get(peerKey);
    if (!byAllowance) byPeer.set(peerKey, (byAllowance = new Map()));
    const allowance = np.isolated ? np.allowed : null;
    let allowed = byAllowance.get(allowance);
    if (!allowed) byAllowance.set(allowance, (allowed = this.direction(direction, subject, peer, destination).allowed));
    return allowed;
  }

  private readonly allowedByClassCache = { ingress: new Map<number, WeakMap<object, Map<PortSet | null, PortSet>>>(), egress: new Map<number, WeakMap<object, Map<PortSet | null, PortSet>>>() };

  private allowedBoth(egress: DirectionResult, ingress: DirectionResult): PortSet {
    if (!egress.isolated) return ingress.allowed;
    if (!ingress.isolated) return egress.allowed;
    let byIngress = this.allowedCache.get(egress.allowed);
    if (!byIngress) {
      byIngress = new WeakMap();
      this.allowedCache.set(egress.allowed, byIngress);
    }
    let allowed = byIngress.get(ingress.allowed);
    if (!allowed) {
      allowed = egress.allowed.intersect(ingress.allowed);
      byIngress.set(ingress.allowed, allowed);
    }
    return allowed;
  }

  verdict(source: Endpoint, destination: Endpoint, protocol: Protocol, port: number): Verdict {
    const c = this.connection(source, destination);
    const dir = (d: DirectionResult): DirectionVerdict => ({
      direction: d.direction,
      isolated: d.isolated,
      allowed: d.allowed.has(protocol, port),
      policies: d.policies,
      allowingRules: d.contributions.filter((x) => x.ports.has(protocol, port)),
      ...(d.decisions ? { decision: d.decisions.find((x) => x.ports.has(protocol, port)), clusterPolicies: d.clusterPolicies } : {}),
      ...(d.ciliumDecisions ? this.ciliumVerdict(d, protocol, port) : {}),
      ...(d.calicoDecisions ? { calicoDecision: d.calicoDecisions.find((x) => x.action !== 'pass' && x.ports.has(protocol, port)) ?? d.calicoDecisions.find((x) => x.ports.has(protocol, port)), uncertain: d.uncertain ?? false } : {}),
    });
    return {
      source,
      destination,
      protocol,
      port,
      allowed: c.allowed.has(protocol, port),
      self: c.self,
      egress: dir(c.egress),
      ingress: dir(c.ingress),
    };
  }

  private ciliumVerdict(d: DirectionResult, protocol: Protocol, port: number): Partial<DirectionVerdict> {
    const decision = decisionAt(d.ciliumDecisions!, protocol, port);
    const parts = [...new Set((d.ciliumUnknowns ?? []).filter((u) => u.ports.has(protocol, port)).flatMap((u) => u.fields))];
    return { ciliumDecision: decision, ...(decision.by === 'cilium-allow' && decision.l7.length > 0 ? { l7: decision.l7 } : {}), uncertain: parts.length > 0, ...(parts.length > 0 ? { uncertainParts: parts } : {}) };
  }

  /** Workloads reported in matrices and lists (not the assumed objects of the configuration). */
  reportedWorkloads(): Workload[] {
    return this.model.workloads.filter((w) => !w.assumed);
  }
}
