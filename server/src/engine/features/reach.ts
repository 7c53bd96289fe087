// Who may reach a workload and whom it may reach, for the workload hover. Asking Analysis.connection for every
// other workload costs two direction evaluations per pair; on a workspace with thousands of workloads that is
// seconds per hover. Here the same semantics (evaluate.ts: egress of the source ∩ ingress of the destination, each
// "everything" when not isolated) are evaluated from the rules' side. The far side (other workloads' policies that
// admit the subject) reads a per-version index of rules by the namespaces their peers can reach (RuleIndex), so a
// hover tests only the rules that could admit the subject instead of every rule of the scope; what stays linear in
// the number of workloads is a cheap pass that combines both sides. reach.test.ts and reach-index.test.ts check the
// answers against Analysis.connection on every pair.
import { defineQuery } from '../store';
import { workloadEndpoint, type Endpoint } from '../evaluate';
import type { Workload } from '../model';
import type { Direction, NetworkPolicy, Peer, PolicyRule } from '../policy';
import { anyPodIpMatchable, ipBlockMatchesWorkload } from '../pod-ips';
import { PortSet } from '../portset';
import { matchesSelector, type LabelSelector, type SelectorRequirement } from '../selectors';
import { NAMESPACE_NAME_LABEL } from '../model';
import type { Labels } from '../types';
import type { ScopeIndex } from './index';

export interface Reach {
  /** Other workloads whose pods may connect to the workload, with the ports. */
  from: ReachSide;
  /** Other workloads the workload's pods may connect to, with the ports. */
  to: ReachSide;
}

/**
 * What one direction of a workload allows with every other workload of the scope, kept sparse: most workloads
 * neither appear in the subject's own rules nor are isolated on the far side, and all of those get the same
 * `base` ports. Only the others are computed one by one, so a hover costs what the rules touch, not a pass that
 * allocates an entry per workload of the scope.
 */
export class ReachSide {
  /** For each distinct shared set of ports: base ∩ that set (made on first use). */
  private readonly sharedResults = new Map<PortSet, PortSet>();

  constructor(
    private readonly workloads: readonly Workload[],
    private readonly subject: Workload,
    /** The ports of every workload that is neither computed one by one nor isolated on the far side. */
    readonly base: PortSet,
    /** Workloads isolated on the far side: nothing unless computed one by one or shared. */
    private readonly farIsolated: WorkloadFlags,
    /**
     * The far side's share that is the same for every subject (rules that admit every pod): a workload found only
     * there gets `base` ∩ its shared ports.
     */
    private readonly shared: SharedAllowance,
    /** Workloads computed one by one (NONE where nothing is allowed). */
    private readonly computed: ReadonlyMap<Workload, PortSet>,
    /** How many workloads not assumed by the configuration get `base`. */
    readonly reportedWithBase: number,
  ) {}

  private sharedResult(ports: PortSet): PortSet {
    let result = this.sharedResults.get(ports);
    if (!result) this.sharedResults.set(ports, (result = this.base.intersect(ports)));
    return result;
  }

  /** The ports allowed with another workload; undefined when none (and for the subject itself). */
  get(other: Workload): PortSet | undefined {
    if (other === this.subject) return undefined;
    let ports = this.computed.get(other);
    if (!ports) {
      const shared = this.shared.byWorkload.get(other);
      ports = shared ? this.sharedResult(shared) : this.farIsolated.has(other) ? PortSet.NONE : this.base;
    }
    return ports.isEmpty() ? undefined : ports;
  }

  /** Whether a workload gets `base` (rather than ports of its own). */
  getsBase(other: Workload): boolean {
    return other !== this.subject && !this.computed.has(other) && !this.farIsolated.has(other);
  }

  /** Workloads with ports of their own (neither `base` nor shared), where some are allowed; in no particular order. */
  *individual(): IterableIterator<[Workload, PortSet]> {
    for (const entry of this.computed) if (!entry[1].isEmpty()) yield entry;
  }

  /**
   * Workloads that get a shared set of ports, one group per set: the ports they get, how many of them `accept`
   * takes (counted from the shared groups' counts, less the few computed one by one), and the first `limit` in
   * model order. Groups whose ports come out empty are left out.
   */
  sharedGroups(limit: number, accept: (w: Workload) => boolean, counted: (group: SharedGroup) => number): { ports: PortSet; count: number; first: Workload[] }[] {
    const out: { ports: PortSet; count: number; first: Workload[] }[] = [];
    if (this.shared.groups.length === 0) return out;
    // Members of a group that do not get its ports here: those computed one by one, and the subject.
    const notInGroup = new Map<PortSet, number>();
    const leaveOut = (w: Workload) => {
      const ports = this.shared.byWorkload.get(w);
      if (ports && accept(w)) notInGroup.set(ports, (notInGroup.get(ports) ?? 0) + 1);
    };
    for (const w of this.computed.keys()) leaveOut(w);
    if (!this.computed.has(this.subject)) leaveOut(this.subject);
    const own = (w: Workload) => w === this.subject || this.computed.has(w);
    for (const group of this.shared.groups) {
      const ports = this.sharedResult(group.ports);
      if (ports.isEmpty()) continue;
      const count = counted(group) - (notInGroup.get(group.ports) ?? 0);
      if (count <= 0) continue;
      const first: Workload[] = [];
      for (const w of group.members) {
        if (first.length >= limit) break;
        if (!own(w) && accept(w)) first.push(w);
      }
      out.push({ ports, count, first });
    }
    return out;
  }

  /** The first workloads (in model order) that get `base` and pass `accept`. */
  firstWithBase(limit: number, accept: (w: Workload) => boolean): Workload[] {
    const out: Workload[] = [];
    for (const w of this.workloads) {
      if (out.length >= limit) break;
      if (this.getsBase(w) && accept(w)) out.push(w);
    }
    return out;
  }

  /** Every other workload with the ports allowed, in model order (a pass over the whole scope). */
  *entries(): IterableIterator<[Workload, PortSet]> {
    for (const w of this.workloads) {
      const ports = this.get(w);
      if (ports) yield [w, ports];
    }
  }
}

/** Workloads that get one shared set of ports, in model order, and how many of them the reports list. */
export interface SharedGroup {
  ports: PortSet;
  members: Workload[];
  reported: number;
}

/** The far side's share of the rules that admit every pod, by workload and grouped by set of ports. */
export interface SharedAllowance {
  byWorkload: ReadonlyMap<Workload, PortSet>;
  groups: readonly SharedGroup[];
}

function sharedAllowance(byWorkload: Map<Workload, PortSet>): SharedAllowance {
  const groups = new Map<PortSet, SharedGroup>();
  for (const [w, ports] of byWorkload) {
    let group = groups.get(ports);
    if (!group) groups.set(ports, (group = { ports, members: [], reported: 0 }));
    group.members.push(w);
    if (!w.assumed) group.reported++;
  }
  for (const group of groups.values()) group.members.sort((a, b) => a.id - b.id);
  return { byWorkload, groups: [...groups.values()] };
}

/** The labels a namespaceSelector sees for a namespace (a namespace without an object has its name label). */
export function namespaceLabelsOf(index: ScopeIndex, namespace: string): Labels {
  return index.model.namespaces.get(namespace)?.labels ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

/** Whether a peer of `policy` matches the workload (an ipBlock by the pod's IP: pod-ips.ts). */
export function peerMatches(index: ScopeIndex, policy: NetworkPolicy, peer: Peer, w: Workload): boolean {
  if (peer.type === 'ipBlock') return ipBlockMatchesWorkload(index.model, peer, w);
  if (peer.namespaceSelector) {
    if (!matchesSelector(peer.namespaceSelector, namespaceLabelsOf(index, w.namespace))) return false;
  } else if (w.namespace !== policy.namespace) return false;
  return !peer.podSelector || matchesSelector(peer.podSelector, w.podLabels);
}

function ruleAdmits(index: ScopeIndex, policy: NetworkPolicy, rule: PolicyRule, w: Workload): boolean {
  return !rule.peers || rule.peers.some((peer) => peerMatches(index, policy, peer, w));
}

/** Whether a rule's ports are the same toward every destination (no named port to resolve). */
function portsAreFixed(rule: PolicyRule): boolean {
  return !rule.ports?.some((spec) => typeof spec.port === 'string');
}

// The ports of a rule without named ports, made once per rule (rules are read once per object and never change).
const FIXED_PORTS = defineQuery<PolicyRule, PortSet>({
  name: 'rule-fixed-ports',
  reads: ['policies'],
  lifetime: 'lineage',
  description: 'the ports of a policy rule without named ports',
});

/** The ports a rule allows toward a destination workload (named ports resolve against its container ports). */
function portsToward(index: ScopeIndex, rule: PolicyRule, destination: Workload): PortSet {
  if (!portsAreFixed(rule)) return index.analysis.rulePorts(rule, { type: 'workload', workload: destination });
  return index.store.query(FIXED_PORTS).get(rule, () => index.analysis.rulePorts(rule, { type: 'workload', workload: destination }));
}

/** Whether a rule admits every pod of every namespace: no peers, or a peer with `namespaceSelector: {}` and no pod condition. */
function admitsEveryPod(rule: PolicyRule): boolean {
  return (
    !rule.peers ||
    rule.peers.some((peer) => peer.type === 'pods' && peer.namespaceSelector?.requirements.length === 0 && (peer.podSelector?.requirements.length ?? 0) === 0)
  );
}

function add(map: Map<Workload, PortSet>, w: Workload, ports: PortSet, pairwise: PairwisePorts): void {
  const existing = map.get(w);
  map.set(w, existing ? pairwise.union(existing, ports) : ports);
}

/**
 * Unions and intersections of port sets, each computed once per distinct pair: the sets of a reach are shared by
 * many workloads, so its results are too (fewer sets to allocate, and to describe when a hover groups by ports).
 */
class PairwisePorts {
  private readonly unions = new Map<PortSet, Map<PortSet, PortSet>>();
  private readonly intersections = new Map<PortSet, Map<PortSet, PortSet>>();

  union(a: PortSet, b: PortSet): PortSet {
    return this.once(a, b, false);
  }

  intersect(a: PortSet, b: PortSet): PortSet {
    return this.once(a, b, true);
  }

  private once(a: PortSet, b: PortSet, intersect: boolean): PortSet {
    const cache = intersect ? this.intersections : this.unions;
    let byB = cache.get(a);
    if (!byB) cache.set(a, (byB = new Map()));
    let result = byB.get(b);
    if (!result) byB.set(b, (result = intersect ? a.intersect(b) : a.union(b)));
    return result;
  }
}

// ---- the index of rules by the namespaces their peers can reach ------------------------------------------------

/** A rule of a policy that isolates some pods (valid, of the rule's direction, selecting at least one pod). */
interface RuleRef {
  policy: NetworkPolicy;
  rule: PolicyRule;
}

/**
 * The rules of one direction, filed under what their pod peers require of a pod's namespace. A rule sits in every
 * bucket one of its peers needs; a lookup unions the buckets a namespace's labels open and then tests each rule
 * exactly, so the buckets only have to be a superset of the rules that can admit a pod of the namespace.
 */
interface RuleBuckets {
  /** Rules without peers: they admit every pod. */
  everyone: RuleRef[];
  /** Peers without a namespaceSelector reach the policy's own namespace. */
  byOwnNamespace: Map<string, RuleRef[]>;
  /** namespaceSelectors with an `In` requirement: filed under each key=value it allows (the first such requirement). */
  byLabel: Map<string, Map<string, RuleRef[]>>;
  /** namespaceSelectors whose first positive requirement is `Exists`: filed under the key. */
  byKey: Map<string, RuleRef[]>;
  /** namespaceSelectors without a positive requirement (`{}`, NotIn, DoesNotExist): any namespace... */
  anyNamespace: RuleRef[];
  /** ...unless the podSelector has one: then filed under it, by the pod's labels (DNS peers: `k8s-app=kube-dns`). */
  anyNamespaceByPod: LabelBuckets;
}

/** A set of the model's workloads, as a flag per workload id (filled for thousands of workloads per version). */
export class WorkloadFlags {
  private readonly flags: Uint8Array;
  count = 0;
  /** How many of the flagged workloads the configuration does not assume (the reports list them). */
  reported = 0;

  constructor(private readonly workloads: readonly Workload[]) {
    this.flags = new Uint8Array(workloads.length);
  }

  add(w: Workload): void {
    if (this.workloads[w.id] !== w || this.flags[w.id]) return;
    this.flags[w.id] = 1;
    this.count++;
    if (!w.assumed) this.reported++;
  }

  has(w: Workload): boolean {
    return this.workloads[w.id] === w && this.flags[w.id] === 1;
  }
}

/** Rules filed under a label a selector requires: key=value for an `In`, the key for an `Exists`. */
interface LabelBuckets {
  byLabel: Map<string, Map<string, RuleRef[]>>;
  byKey: Map<string, RuleRef[]>;
}

/** The selector's first `In` or `Exists` requirement: every requirement must hold, so it is a sound filing key. */
function positiveRequirement(selector: LabelSelector | undefined): SelectorRequirement | undefined {
  return selector?.requirements.find((r) => r.operator === 'In' || r.operator === 'Exists');
}

function fileUnderRequirement(buckets: LabelBuckets, requirement: SelectorRequirement, ref: RuleRef): void {
  if (requirement.operator === 'Exists') push(buckets.byKey, requirement.key, ref);
  else {
    let byValue = buckets.byLabel.get(requirement.key);
    if (!byValue) buckets.byLabel.set(requirement.key, (byValue = new Map()));
    // An `In` with no values admits nothing: filed nowhere.
    for (const value of new Set(requirement.values)) push(byValue, value, ref);
  }
}

/** The buckets a set of labels opens. */
function bucketsFor(buckets: LabelBuckets, labels: Labels, into: (RuleRef[] | undefined)[]): void {
  for (const key in labels) {
    if (!Object.prototype.hasOwnProperty.call(labels, key)) continue;
    into.push(buckets.byKey.get(key), buckets.byLabel.get(key)?.get(labels[key]));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function filePodPeer(buckets: RuleBuckets, namespaceSelector: LabelSelector, podSelector: LabelSelector | undefined, ref: RuleRef): void {
  const namespaceRequirement = positiveRequirement(namespaceSelector);
  if (namespaceRequirement) {
    fileUnderRequirement(buckets, namespaceRequirement, ref);
    return;
  }
  const podRequirement = positiveRequirement(podSelector);
  if (podRequirement) fileUnderRequirement(buckets.anyNamespaceByPod, podRequirement, ref);
  else buckets.anyNamespace.push(ref);
}

/** Per scope version: the rule buckets of each direction, and which workloads each direction isolates. */
export class RuleIndex {
  private readonly buckets: Record<Direction, RuleBuckets>;
  /** Workloads selected by a valid policy of the direction (isolated for it). */
  readonly isolated: Record<Direction, WorkloadFlags>;
  /** How many of those the configuration does not assume (the reports list them). */
  readonly reportedIsolated: Record<Direction, number>;
  /**
   * What rules that admit every pod, with the same ports toward every pod, allow for the workloads their policies
   * select: the far side's share that is the same for every subject (DNS egress to anywhere, say). Such rules are
   * kept out of the buckets.
   */
  readonly universal: Record<Direction, SharedAllowance>;
  /** The rules whose share is in `universal`. */
  readonly universalRules = new Set<PolicyRule>();

  constructor(index: ScopeIndex) {
    const empty = (): RuleBuckets => ({
      everyone: [],
      byOwnNamespace: new Map(),
      byLabel: new Map(),
      byKey: new Map(),
      anyNamespace: [],
      anyNamespaceByPod: { byLabel: new Map(), byKey: new Map() },
    });
    this.buckets = { ingress: empty(), egress: empty() };
    this.isolated = { ingress: new WorkloadFlags(index.model.workloads), egress: new WorkloadFlags(index.model.workloads) };
    const universal = { ingress: new Map<Workload, PortSet>(), egress: new Map<Workload, PortSet>() };
    // Shared groups are keyed by set object: one object per distinct union keeps them few.
    const pairwise = new PairwisePorts();
    const podIpsMatchable = anyPodIpMatchable(index);
    for (const policy of index.model.policies) {
      if (!policy.valid) continue;
      const selected = index.selectedBy(policy);
      if (selected.length === 0) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        if (!policy.types[direction]) continue;
        const isolated = this.isolated[direction];
        for (const w of selected) isolated.add(w);
        const buckets = this.buckets[direction];
        for (const rule of policy[direction]) {
          const ref = { policy, rule };
          if (portsAreFixed(rule) && admitsEveryPod(rule)) {
            this.universalRules.add(rule);
            const ports = portsToward(index, rule, selected[0]);
            if (!ports.isEmpty()) for (const w of selected) add(universal[direction], w, ports, pairwise);
            continue;
          }
          if (!rule.peers) {
            buckets.everyone.push(ref);
            continue;
          }
          // A rule with several peers may be filed more than once: lookups drop the repeats.
          for (const peer of rule.peers) {
            if (peer.type === 'ipBlock') {
              // It may match pods by their IPs: a candidate in every namespace, tested exactly.
              if (podIpsMatchable) buckets.anyNamespace.push(ref);
              continue;
            }
            if (peer.namespaceSelector) filePodPeer(buckets, peer.namespaceSelector, peer.podSelector, ref);
            else push(buckets.byOwnNamespace, policy.namespace, ref);
          }
        }
      }
    }
    this.reportedIsolated = { ingress: this.isolated.ingress.reported, egress: this.isolated.egress.reported };
    this.universal = { ingress: sharedAllowance(universal.ingress), egress: sharedAllowance(universal.egress) };
  }

  /** Rules of the direction that may admit a pod of the namespace with the labels (a superset: callers test each exactly). */
  candidates(direction: Direction, namespace: string, namespaceLabels: Labels, podLabels: Labels): RuleRef[] {
    const buckets = this.buckets[direction];
    const lists: (RuleRef[] | undefined)[] = [buckets.everyone, buckets.byOwnNamespace.get(namespace), buckets.anyNamespace];
    bucketsFor(buckets, namespaceLabels, lists);
    bucketsFor(buckets.anyNamespaceByPod, podLabels, lists);
    const seen = new Set<PolicyRule>();
    const out: RuleRef[] = [];
    for (const list of lists) {
      if (!list) continue;
      for (const ref of list) {
        if (seen.has(ref.rule)) continue;
        seen.add(ref.rule);
        out.push(ref);
      }
    }
    return out;
  }
}

// ---- both sides of a direction ----------------------------------------------------------------------------------

/**
 * Ports each workload's side allows toward/from `subject`, for the workloads isolated in that direction: the share
 * of the rules that admit every pod (the same for every subject) and the subject's own share, joined on lookup.
 */
class SideAllowance {
  constructor(
    readonly isolated: WorkloadFlags,
    readonly shared: SharedAllowance,
    /** The subject's own share (rules that admit it in particular). */
    readonly own: ReadonlyMap<Workload, PortSet>,
    private readonly pairwise: PairwisePorts,
  ) {}

  get(w: Workload): PortSet | undefined {
    const own = this.own.get(w);
    const shared = this.shared.byWorkload.get(w);
    return own && shared ? this.pairwise.union(own, shared) : (own ?? shared);
  }
}

/**
 * The far side's share for every other workload: with `direction` 'egress', what each source's egress allows toward
 * `subject`; with 'ingress', what each destination's ingress allows from `subject`.
 */
function farSide(index: ScopeIndex, subject: Workload, direction: Direction): SideAllowance {
  const rules = index.ruleIndex();
  const allowed = new Map<Workload, PortSet>();
  const pairwise = new PairwisePorts();
  // The admitting rules, grouped by policy.
  const admitting = new Map<NetworkPolicy, PolicyRule[]>();
  for (const { policy, rule } of rules.candidates(direction, subject.namespace, namespaceLabelsOf(index, subject.namespace), subject.podLabels)) {
    if (ruleAdmits(index, policy, rule, subject)) push(admitting, policy, rule);
  }
  for (const [policy, policyRules] of admitting) {
    const selected = index.selectedBy(policy);
    if (direction === 'egress') {
      // Ports resolve against the destination, `subject`: the same for every selected pod.
      let ports = PortSet.NONE;
      for (const rule of policyRules) ports = ports.union(portsToward(index, rule, subject));
      if (!ports.isEmpty()) for (const w of selected) add(allowed, w, ports, pairwise);
      continue;
    }
    // Ingress: ports resolve against each selected pod; rules without named ports give the same set to all.
    let fixed = PortSet.NONE;
    const named: PolicyRule[] = [];
    for (const rule of policyRules) {
      if (portsAreFixed(rule)) fixed = fixed.union(portsToward(index, rule, subject));
      else named.push(rule);
    }
    for (const w of selected) {
      let ports = fixed;
      for (const rule of named) ports = ports.union(portsToward(index, rule, w));
      if (!ports.isEmpty()) add(allowed, w, ports, pairwise);
    }
  }
  return new SideAllowance(rules.isolated[direction], rules.universal[direction], allowed, pairwise);
}

/** The near side: what the subject's own isolating policies allow, per other workload, for one direction. */
function nearSide(index: ScopeIndex, subject: Workload, direction: Direction): { isolated: boolean; everyone?: PortSet; allowed: Map<Workload, PortSet> } {
  const policies = index.analysis.isolatingPolicies(subject, direction);
  const allowed = new Map<Workload, PortSet>();
  if (policies.length === 0) return { isolated: false, allowed };
  const pairwise = new PairwisePorts();
  let everyone = PortSet.NONE;
  const everyoneNamed: PolicyRule[] = [];
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      if (!rule.peers) {
        // Ingress ports resolve against the subject; egress ports against each destination, the same for all
        // destinations unless a port is named.
        if (direction === 'ingress' || portsAreFixed(rule)) everyone = everyone.union(portsToward(index, rule, subject));
        else everyoneNamed.push(rule);
        continue;
      }
      const fixed = direction === 'ingress' || portsAreFixed(rule) ? portsToward(index, rule, subject) : undefined;
      for (const peer of rule.peers) {
        for (const w of index.peerWorkloads(policy, peer)) {
          const ports = fixed ?? portsToward(index, rule, w);
          if (!ports.isEmpty()) add(allowed, w, ports, pairwise);
        }
      }
    }
  }
  if (everyoneNamed.length > 0) {
    // Egress rules without `to` that name ports admit every destination that declares them.
    for (const w of index.model.workloads) {
      let ports = PortSet.NONE;
      for (const rule of everyoneNamed) ports = ports.union(portsToward(index, rule, w));
      if (!ports.isEmpty()) add(allowed, w, ports, pairwise);
    }
  }
  return { isolated: true, everyone: everyone.isEmpty() ? undefined : everyone, allowed };
}

function combine(index: ScopeIndex, subject: Workload, near: ReturnType<typeof nearSide>, far: SideAllowance, reportedIsolated: number): ReachSide {
  // Workloads neither named by the subject's rules nor isolated on the far side.
  const base = near.isolated ? (near.everyone ?? PortSet.NONE) : PortSet.ALL;
  const computed = new Map<Workload, PortSet>();
  // One union per distinct specific set (they are shared by many workloads).
  const withEveryone = new Map<PortSet, PortSet>();
  const pairwise = new PairwisePorts();
  const compute = (other: Workload): PortSet => {
    let mine = PortSet.ALL;
    if (near.isolated) {
      const specific = near.allowed.get(other);
      if (!near.everyone) mine = specific ?? PortSet.NONE;
      else if (!specific) mine = near.everyone;
      else {
        let both = withEveryone.get(specific);
        if (!both) withEveryone.set(specific, (both = specific.union(near.everyone)));
        mine = both;
      }
      if (mine.isEmpty()) return PortSet.NONE;
    }
    if (!far.isolated.has(other)) return mine;
    const theirs = far.get(other);
    return theirs ? pairwise.intersect(mine, theirs) : PortSet.NONE;
  };
  // Workloads the far side allows are isolated there: with those named by the subject's rules, the only ones whose
  // ports differ from `base` (or from nothing, for the rest of the far side's isolated workloads), apart from those
  // only the shared rules allow.
  for (const other of near.allowed.keys()) if (other !== subject) computed.set(other, compute(other));
  // Workloads found only in the shared share are left to ReachSide (the same for every subject of the scope).
  for (const other of far.own.keys()) if (other !== subject && !computed.has(other)) computed.set(other, compute(other));
  let reportedWithBase = index.reportedWorkloadCount() - reportedIsolated;
  for (const other of computed.keys()) if (!other.assumed && !far.isolated.has(other)) reportedWithBase--;
  if (!subject.assumed && !far.isolated.has(subject)) reportedWithBase--;
  return new ReachSide(index.model.workloads, subject, base, far.isolated, far.shared, computed, reportedWithBase);
}

export function reachOf(index: ScopeIndex, subject: Workload): Reach {
  if (index.analysis.tiered) return tieredReachOf(index, subject);
  const rules = index.ruleIndex();
  const from = combine(index, subject, nearSide(index, subject, 'ingress'), farSide(index, subject, 'egress'), rules.reportedIsolated.egress);
  const to = combine(index, subject, nearSide(index, subject, 'egress'), farSide(index, subject, 'ingress'), rules.reportedIsolated.ingress);
  return { from, to };
}

/**
 * For the subject's own side of a direction with cluster-wide or Calico policies: a key per other workload (the peer)
 * such that workloads with equal keys get the same result from the analysis. What a direction result depends on of
 * the peer (evaluate.ts, calico-evaluate.ts): which of the subject's NetworkPolicy rules match it (each rule's peers'
 * workloads, from the scope index), which of the subject's Calico rules match it on their peer side, and its traits
 * (Analysis.peerTraitClass: the cluster-wide rules that match it, its named ports, whether its pod IPs are known).
 */
function ownSideKeys(index: ScopeIndex, subject: Workload, direction: Direction): (w: Workload) => number | string {
  const analysis = index.analysis;
  // Which rules match a workload, as a number per distinct set (0: none of those with peers).
  const matched = new Map<Workload, string>();
  let ruleNumber = 0;
  for (const policy of analysis.isolatingPolicies(subject, direction)) {
    for (const rule of policy[direction]) {
      const bit = `${ruleNumber++},`;
      // Rules without peers match every workload: nothing to tell apart.
      if (!rule.peers) continue;
      const seen = new Set<Workload>();
      for (const peer of rule.peers) {
        for (const w of index.peerWorkloads(policy, peer)) {
          if (seen.has(w)) continue;
          seen.add(w);
          matched.set(w, (matched.get(w) ?? '') + bit);
        }
      }
    }
  }
  const setIds = new Map<string, number>();
  const setOf = new Map<Workload, number>();
  for (const [w, rules] of matched) {
    let id = setIds.get(rules);
    if (id === undefined) setIds.set(rules, (id = setIds.size + 1));
    setOf.set(w, id);
  }
  const calico = analysis.calico;
  const calicoRules = calico ? calico.selectingPolicies(subject, direction).flatMap((policy) => policy[direction].map((rule) => ({ policy, rule }))) : [];
  // Toward the other workload (egress), named ports resolve on it: the names the subject's rules mention.
  const portNames = new Set<string>();
  if (direction === 'egress') {
    for (const policy of analysis.isolatingPolicies(subject, direction)) for (const rule of policy.egress) for (const spec of rule.ports ?? []) if (typeof spec.port === 'string') portNames.add(spec.port);
    for (const { rule } of analysis.clusterRules(subject, direction).rules) for (const spec of rule.ports ?? []) if (typeof spec.port === 'string') portNames.add(spec.port);
    for (const { rule } of calicoRules) for (const port of [...(rule.destination.ports ?? []), ...(rule.destination.notPorts ?? [])]) if (port.type === 'named') portNames.add(port.name);
  }
  return (w) => {
    // peerTraitClassCount is known once peerTraitClass has answered.
    const trait = analysis.peerTraitClass(w);
    const key = (setOf.get(w) ?? 0) * analysis.peerTraitClassCount + trait;
    if (calicoRules.length === 0 && portNames.size === 0) return key;
    let text = `${key}:`;
    for (const { policy, rule } of calicoRules) text += calico!.peerSideMatches(rule, policy, direction, w) ? '1' : '0';
    if (portNames.size > 0) for (const cp of w.containerPorts) if (cp.name !== undefined && portNames.has(cp.name)) text += `|${cp.name}/${cp.protocol}/${cp.containerPort}`;
    return text;
  };
}

/**
 * With cluster-wide or Calico policies (Analysis.tiered) the analysis decides each pair through the tiers, but by
 * classes, so a hover costs a few lookups per workload and a few evaluations, not two per workload. The other
 * workload's side (its egress toward the subject, its ingress from the subject) depends on it only through its tier
 * subject class (Analysis.tierSubjectClass) and what its NetworkPolicies allow the subject, which the rule index
 * gives for every workload at once (farSide); the subject's side depends on the other workload only through its key
 * (ownSideKeys). Each distinct combination is evaluated once, for the first workload that has it.
 */
function tieredReachOf(index: ScopeIndex, subject: Workload): Reach {
  const analysis = index.analysis;
  const workloads = index.model.workloads;
  const from = new Map<Workload, PortSet>();
  const to = new Map<Workload, PortSet>();
  const self = workloadEndpoint(subject);
  const pairwise = new PairwisePorts();
  const theirEgressSide = farSide(index, subject, 'egress');
  const theirIngressSide = farSide(index, subject, 'ingress');
  // By tier subject class, then by what the NetworkPolicies allow (null: the workload is not isolated by them).
  const theirEgress: (Map<PortSet | null, PortSet> | undefined)[] = [];
  const theirIngress: (Map<PortSet | null, PortSet> | undefined)[] = [];
  const ownIngress = new Map<number | string, PortSet>();
  const ownEgress = new Map<number | string, PortSet>();
  const ingressKey = ownSideKeys(index, subject, 'ingress');
  const egressKey = ownSideKeys(index, subject, 'egress');
  for (const other of workloads) {
    if (other === subject) continue;
    const endpoint = workloadEndpoint(other);
    // other → subject: the other's egress (by its class and NetworkPolicy result) and the subject's ingress (by key).
    const egress = theirSide(analysis, theirEgress, theirEgressSide, other, 'egress', endpoint, self);
    if (egress.isEmpty()) from.set(other, PortSet.NONE);
    else {
      const key = ingressKey(other);
      let ingress = ownIngress.get(key);
      if (!ingress) ownIngress.set(key, (ingress = analysis.ingressAllowed(endpoint, self)));
      from.set(other, pairwise.intersect(egress, ingress));
    }
    // subject → other: the subject's egress (by key) and the other's ingress.
    const ingress = theirSide(analysis, theirIngress, theirIngressSide, other, 'ingress', self, endpoint);
    if (ingress.isEmpty()) to.set(other, PortSet.NONE);
    else {
      const key = egressKey(other);
      let egress = ownEgress.get(key);
      if (!egress) ownEgress.set(key, (egress = analysis.egressAllowed(self, endpoint)));
      to.set(other, pairwise.intersect(egress, ingress));
    }
  }
  const side = (computed: Map<Workload, PortSet>) =>
    new ReachSide(workloads, subject, PortSet.NONE, new WorkloadFlags(workloads), { byWorkload: new Map(), groups: [] }, computed, 0);
  return { from: side(from), to: side(to) };
}

// One object per distinct set of ports among the rule index's allowances (equal sets from different rules group).
const canonicalPorts = new Map<string, PortSet>();
const canonicalOf = new WeakMap<PortSet, PortSet>();

function canonical(ports: PortSet): PortSet {
  let found = canonicalOf.get(ports);
  if (!found) {
    const text = ports.toString();
    found = canonicalPorts.get(text);
    if (!found) {
      // Bounded: the sets of the workspace's rules are few; past the bound sets stay themselves (fewer groups).
      if (canonicalPorts.size < 10_000) canonicalPorts.set(text, ports);
      found = ports;
    }
    canonicalOf.set(ports, found);
  }
  return found;
}

/** What `other`'s own direction allows (its egress toward the subject, or its ingress from it), shared by class. */
function theirSide(
  analysis: ScopeIndex['analysis'],
  cache: (Map<PortSet | null, PortSet> | undefined)[],
  networkPolicies: SideAllowance,
  other: Workload,
  direction: Direction,
  source: Endpoint,
  destination: Endpoint,
): PortSet {
  const cls = analysis.tierSubjectClass(other, direction);
  const byAllowance = cls >= 0 ? (cache[cls] ??= new Map()) : undefined;
  const allowance = networkPolicies.isolated.has(other) ? canonical(networkPolicies.get(other) ?? PortSet.NONE) : null;
  let ports = byAllowance?.get(allowance);
  if (!ports) {
    ports = direction === 'egress' ? analysis.egressAllowed(source, destination) : analysis.ingressAllowed(source, destination);
    byAllowance?.set(allowance, ports);
  }
  return ports;
}
