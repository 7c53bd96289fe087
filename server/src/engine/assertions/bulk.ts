// Allowed connections for many pairs at once, as Analysis.connection computes them but without building (and
// caching) an explained result per pair: a test over `'*' -> '*'` in a workspace of 2,000 workloads asks for four
// million pairs. Whether a rule's peers match a workload is answered once, in the rule's table over workload ids.
// Failures are explained afterwards with Analysis.verdict, so both paths must agree (see bulk.test.ts).
// WorkloadPairs goes further for the many pairs of one expectation: pairs whose answer is decided by the same rules
// in the same way get it once, so `'*' -> db` costs a pass over the sources, not one evaluation per pair.
import { defineQuery, type Store } from '../store';
import { workloadEndpoint, type Analysis, type Endpoint } from '../evaluate';
import { changesSince, lineageOf, listsByNamespace, type ModelLineage, type Workload } from '../model';
import type { ClusterPolicy } from '../cluster-policy';
import type { Direction, NetworkPolicy, PolicyRule } from '../policy';
import { PortSet } from '../portset';
import { matchesSelector } from '../selectors';


const UNKNOWN = 0;
const MATCHES = 1;
const DOES_NOT_MATCH = 2;

/** Workloads per step of WorkloadPairs.of: about a millisecond on the large bench workspace. */
const STEP_WORK = 1_000;

/** Per rule (rules are kept per policy object across edits), its peer table and the model lineage it was made in. */
const LAST_PEER_TABLES = defineQuery<PolicyRule, { lineage: ModelLineage; table: Uint8Array }>({
  name: 'bulk-peer-tables',
  reads: ['workloads', 'namespaces', 'peer'],
  lifetime: 'lineage',
  description: "per policy rule, which workloads its peers admit, in the last model asked",
});

interface RuleEntry {
  policy: NetworkPolicy;
  rule: PolicyRule;
}

export class BulkConnections {
  /** Per workload id: the rules of the policies isolating it, per direction (null: not isolated). */
  private readonly isolating: ({ ingress: RuleEntry[] | null; egress: RuleEntry[] | null } | undefined)[] = [];
  /** Per rule and workload id: whether the rule's peers match the workload (UNKNOWN until asked). */
  private readonly peerTables = new Map<PolicyRule, Uint8Array>();
  /** Per rule without named ports: its ports (the same for every destination). */
  private readonly fixedPorts = new Map<PolicyRule, PortSet>();
  /** Numbers for policies, to name a list of isolating policies by a string. */
  private readonly policyNumbers = new Map<NetworkPolicy, number>();
  /** Lists of isolating rules, numbered: by their policies, and per workload id and direction (-1: not known yet). */
  private readonly listNumbers = new Map<string, number>();
  private readonly lists: RuleList[] = [];
  private readonly listOfWorkload: Record<Direction, Int32Array>;
  /** Intersections of port sets, once per pair of set objects (the classes of WorkloadPairs share their sets). */
  private readonly intersections = new Map<PortSet, Map<PortSet, PortSet>>();

  /** With cluster-wide policies: lists of (NetworkPolicy list, cluster-wide policies), see tieredListOf. */
  private readonly tiered: {
    listOfWorkload: Record<Direction, Int32Array>;
    listNumbers: Map<string, number>;
    policyNumbers: Map<ClusterPolicy, number>;
    lists: { representative: Workload; networkPolicyList: number; masks: Map<string, number>; representatives: Workload[]; maskOf: Int32Array | undefined }[];
  };

  constructor(
    private readonly analysis: Analysis,
    private readonly store: Store,
  ) {
    const n = analysis.model.workloads.length;
    this.listOfWorkload = { ingress: new Int32Array(n).fill(-1), egress: new Int32Array(n).fill(-1) };
    const tieredLists = analysis.tiered ? n : 0;
    this.tiered = { listOfWorkload: { ingress: new Int32Array(tieredLists).fill(-1), egress: new Int32Array(tieredLists).fill(-1) }, listNumbers: new Map(), policyNumbers: new Map(), lists: [] };
  }

  get workloadCount(): number {
    return this.analysis.model.workloads.length;
  }

  /** The ports `source` may use to reach `destination` (not for a single pod reaching itself: callers skip those). */
  allowed(source: Endpoint, destination: Endpoint): PortSet {
    if (this.analysis.tiered) return this.analysis.connection(source, destination).allowed;
    const egress = source.type === 'workload' ? this.direction('egress', source.workload, destination, destination) : PortSet.ALL;
    if (egress.isEmpty()) return egress;
    const ingress = destination.type === 'workload' ? this.direction('ingress', destination.workload, source, destination) : PortSet.ALL;
    return egress.intersect(ingress);
  }

  /** Rules of the policies isolating `w` for `direction`; null when none isolates it. */
  private rulesOf(w: Workload, direction: Direction): RuleEntry[] | null {
    let entry = this.isolating[w.id];
    if (!entry) {
      const collect = (d: Direction) => {
        const policies = this.analysis.isolatingPolicies(w, d);
        return policies.length === 0 ? null : policies.flatMap((policy) => policy[d].map((rule) => ({ policy, rule })));
      };
      entry = { ingress: collect('ingress'), egress: collect('egress') };
      this.isolating[w.id] = entry;
    }
    return entry[direction];
  }

  private direction(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): PortSet {
    const rules = this.rulesOf(subject, direction);
    if (!rules) return PortSet.ALL;
    let allowed = PortSet.NONE;
    for (const { policy, rule } of rules) {
      if (rule.peers && !this.peerMatches(policy, rule, peer)) continue;
      allowed = allowed.union(this.ports(rule, destination));
    }
    return allowed;
  }

  /** Whether the endpoint matches one of the rule's peers. */
  private peerMatches(policy: NetworkPolicy, rule: PolicyRule, peer: Endpoint): boolean {
    if (peer.type === 'ip') return rule.peers!.some((p) => this.analysis.peerMatches(p, policy.namespace, peer));
    return this.workloadMatches(policy, rule, peer.workload);
  }

  /** Whether the workload matches one of the rule's peers: answered once per workload, in the rule's table. */
  private workloadMatches(policy: NetworkPolicy, rule: PolicyRule, w: Workload): boolean {
    const table = this.peerTables.get(rule) ?? this.tableOf(rule);
    let known = table[w.id];
    if (known === UNKNOWN) {
      const endpoint: Endpoint = { type: 'workload', workload: w };
      table[w.id] = known = rule.peers!.some((p) => this.analysis.peerMatches(p, policy.namespace, endpoint)) ? MATCHES : DOES_NOT_MATCH;
    }
    return known === MATCHES;
  }

  private tableOf(rule: PolicyRule): Uint8Array {
    const model = this.analysis.model;
    const workloads = model.workloads;
    // The table of an earlier model still holds where the workloads and namespace labels stayed: only the answers
    // for the changed namespaces' workloads are forgotten (the editor runs the tests after every edit).
    const last = this.store.query(LAST_PEER_TABLES).peek(rule);
    const since = last && last.table.length === workloads.length ? changesSince(last.lineage, model) : undefined;
    let table: Uint8Array;
    if (last && since?.workloadsKept && since.sameNamespaces) {
      this.store.peerTables.updated++;
      table = since.namespaces.size === 0 ? last.table : last.table.slice();
      const lists = listsByNamespace(model).workloads;
      for (const ns of since.namespaces) for (const w of lists.get(ns) ?? []) table[w.id] = UNKNOWN;
    } else {
      this.store.peerTables.built++;
      table = new Uint8Array(workloads.length);
    }
    this.peerTables.set(rule, table);
    this.store.query(LAST_PEER_TABLES).set(rule, { lineage: lineageOf(model), table });
    return table;
  }

  /** The number of the list of rules isolating `w` for `direction`: the same for workloads isolated by the same policies. */
  listOf(w: Workload, direction: Direction): number {
    return this.analysis.tiered ? this.tieredListOf(w, direction) : this.networkPolicyListOf(w, direction);
  }

  /**
   * With cluster-wide policies (Analysis.tiered), a list is a NetworkPolicy list and the cluster-wide policies that
   * select the workload for the direction: workloads that share both get the same answers, computed by the analysis
   * for one of them (the list's representative).
   */
  private tieredListOf(w: Workload, direction: Direction): number {
    let number = this.tiered.listOfWorkload[direction][w.id];
    if (number >= 0) return number;
    const networkPolicyList = this.networkPolicyListOf(w, direction);
    let key = `${direction}:${networkPolicyList}|`;
    for (const p of this.analysis.clusterRules(w, direction).policies) {
      let n = this.tiered.policyNumbers.get(p);
      if (n === undefined) this.tiered.policyNumbers.set(p, (n = this.tiered.policyNumbers.size));
      key += `${n},`;
    }
    // Calico rules test the subject's own labels (no sharing); Cilium's rules select it by its identity.
    key += `|${this.analysis.subjectKey(w)}`;
    number = this.tiered.listNumbers.get(key) ?? -1;
    if (number < 0) {
      this.tiered.listNumbers.set(key, (number = this.tiered.lists.length));
      this.tiered.lists.push({ representative: w, networkPolicyList, masks: new Map(), representatives: [], maskOf: undefined });
    }
    this.tiered.listOfWorkload[direction][w.id] = number;
    return number;
  }

  private networkPolicyListOf(w: Workload, direction: Direction): number {
    let number = this.listOfWorkload[direction][w.id];
    if (number >= 0) return number;
    const rules = this.rulesOf(w, direction);
    let key = rules ? `${direction}:` : '-';
    let last: NetworkPolicy | undefined;
    for (const { policy } of rules ?? []) {
      if (policy === last) continue;
      last = policy;
      let n = this.policyNumbers.get(policy);
      if (n === undefined) this.policyNumbers.set(policy, (n = this.policyNumbers.size));
      key += `${n},`;
    }
    number = this.listNumbers.get(key) ?? -1;
    if (number < 0) {
      this.listNumbers.set(key, (number = this.lists.length));
      const withPeers = rules ? rules.filter((r) => r.rule.peers) : [];
      let fixed: PortSet | undefined = PortSet.NONE;
      for (const { rule } of rules ?? []) {
        if (rule.ports?.some((p) => typeof p.port === 'string')) fixed = undefined;
        else if (fixed && !rule.peers) fixed = fixed.union(this.ports(rule, { type: 'workload', workload: w }));
      }
      this.lists.push({ rules, withPeers, namespace: w.namespace, peerlessPorts: fixed, towardNamespace: new Map(), masks: new Map(), maskBits: [] });
    }
    this.listOfWorkload[direction][w.id] = number;
    return number;
  }

  /** Which rules with peers of a list admit the workload, as a number of the list (the same for the same rules). */
  maskOf(list: number, w: Workload): number {
    if (!this.analysis.tiered) return this.networkPolicyMaskOf(list, w);
    // Tiered: the NetworkPolicy mask and which cluster-wide rules' peers match the workload.
    const entry = this.tiered.lists[list];
    entry.maskOf ??= new Int32Array(this.workloadCount).fill(-1);
    let mask = entry.maskOf[w.id];
    if (mask >= 0) return mask;
    const key = `${this.networkPolicyMaskOf(entry.networkPolicyList, w)}|${this.analysis.clusterPeerClass(w)}`;
    mask = entry.masks.get(key) ?? -1;
    if (mask < 0) {
      entry.masks.set(key, (mask = entry.representatives.length));
      entry.representatives.push(w);
    }
    entry.maskOf[w.id] = mask;
    return mask;
  }

  private networkPolicyMaskOf(list: number, w: Workload): number {
    const entry = this.lists[list];
    // Made for the lists of destinations only (one number per workload of the model).
    entry.maskOf ??= new Int32Array(this.workloadCount).fill(-1);
    let mask = entry.maskOf[w.id];
    if (mask >= 0) return mask;
    let bits = '';
    for (const { policy, rule } of entry.withPeers) bits += this.workloadMatches(policy, rule, w) ? '1' : '0';
    mask = entry.masks.get(bits) ?? -1;
    if (mask < 0) {
      entry.masks.set(bits, (mask = entry.maskBits.length));
      entry.maskBits.push(bits);
    }
    entry.maskOf[w.id] = mask;
    return mask;
  }

  /** What a list of egress rules allows toward a destination workload. */
  egressOfList(list: number, destination: Workload): PortSet {
    if (this.analysis.tiered) return this.analysis.egressAllowed(workloadEndpoint(this.tiered.lists[list].representative), workloadEndpoint(destination));
    const entry = this.lists[list];
    if (!entry.rules) return PortSet.ALL;
    // The policies of a list isolate pods of their own namespace; toward another namespace only peers with a
    // namespaceSelector can match. Most lists have none that admits the destination's namespace: their answer
    // toward it is that of their rules without peers.
    let candidates = entry.withPeers;
    if (entry.peerlessPorts && destination.namespace !== entry.namespace) {
      let known = entry.towardNamespace.get(destination.namespace);
      if (!known) {
        const labels = this.analysis.namespaceLabels(destination.namespace);
        known = entry.withPeers.filter(({ rule }) => rule.peers!.some((p) => p.type === 'pods' && p.namespaceSelector && matchesSelector(p.namespaceSelector, labels)));
        entry.towardNamespace.set(destination.namespace, known);
      }
      if (known.length === 0) return entry.peerlessPorts;
      candidates = known;
    }
    const endpoint: Endpoint = { type: 'workload', workload: destination };
    let ports = entry.peerlessPorts ?? PortSet.NONE;
    for (const { policy, rule } of entry.peerlessPorts ? candidates : entry.rules) {
      if (!rule.peers || this.workloadMatches(policy, rule, destination)) ports = ports.union(this.ports(rule, endpoint));
    }
    return ports;
  }

  /** What a list of ingress rules allows a source with the mask, toward the destination workload's ports. */
  ingressOfMask(list: number, mask: number, destination: Workload): PortSet {
    if (this.analysis.tiered) return this.analysis.ingressAllowed(workloadEndpoint(this.tiered.lists[list].representatives[mask]), workloadEndpoint(destination));
    const { rules, withPeers, maskBits } = this.lists[list];
    if (!rules) return PortSet.ALL;
    const bits = maskBits[mask];
    const endpoint: Endpoint = { type: 'workload', workload: destination };
    let ports = PortSet.NONE;
    for (const r of rules) {
      const k = withPeers.indexOf(r);
      if (k < 0 || bits[k] === '1') ports = ports.union(this.ports(r.rule, endpoint));
    }
    return ports;
  }

  /** a ∩ b, computed once per pair of set objects. */
  intersect(a: PortSet, b: PortSet): PortSet {
    let byB = this.intersections.get(a);
    if (!byB) this.intersections.set(a, (byB = new Map()));
    let result = byB.get(b);
    if (!result) byB.set(b, (result = a.intersect(b)));
    return result;
  }

  private ports(rule: PolicyRule, destination: Endpoint): PortSet {
    const named = rule.ports?.some((p) => typeof p.port === 'string') ?? false;
    if (named) return this.analysis.rulePorts(rule, destination);
    let set = this.fixedPorts.get(rule);
    if (!set) {
      set = this.analysis.rulePorts(rule, destination);
      this.fixedPorts.set(rule, set);
    }
    return set;
  }
}

/** Rules isolating some workloads for one direction: those of the same policies, numbered by BulkConnections. */
interface RuleList {
  /** null: not isolated. */
  rules: RuleEntry[] | null;
  /** The rules with peers (the others admit everyone). */
  withPeers: RuleEntry[];
  /** The namespace of the policies (and of the workloads they isolate). */
  namespace: string;
  /** What the rules without peers allow, when no rule of the list names a port (else undefined). */
  peerlessPorts: PortSet | undefined;
  /** Per namespace: the rules with a peer whose namespaceSelector admits it (egress lists). */
  towardNamespace: Map<string, RuleEntry[]>;
  /** Masks (ingress lists): which rules with peers admit a workload, numbered, and per workload id (-1: not known). */
  masks: Map<string, number>;
  maskBits: string[];
  maskOf?: Int32Array;
}

/**
 * The allowed ports of every (source, destination) pair of two lists of workloads, by classes of pairs that get
 * the same answer. A source's egress is decided by the list of rules isolating it (sources isolated by the same
 * policies get the same egress toward any destination), and a destination's ingress by which of its isolating
 * rules' peers the source matches (the source's mask under the destination's rule list). A pair's answer is
 * computed once per (egress list, mask, destination) and counted with the number of sources that share them.
 */
export class WorkloadPairs {
  /** Per destination: its ingress rule list (BulkConnections.listOf). */
  private readonly ingressList: Int32Array;
  /** Per distinct ingress rule list of the destinations: per source, its class of pairs. */
  private readonly classOfSource = new Map<number, Int32Array>();
  /** Per distinct ingress rule list: its classes (egress rule list, mask, number of sources). */
  private readonly classesOfList = new Map<number, { egress: number; mask: number; count: number }[]>();
  /** Per destination: egress ports by egress rule list, and ingress ports by mask (made on first use). */
  private readonly egressPorts: Map<number, PortSet>[];
  private readonly ingressPorts: Map<number, PortSet>[];
  /** Per destination: the index of the same workload among the sources, or -1 (a workload does not reach itself). */
  private readonly selfIndex: Int32Array;

  private constructor(
    private readonly bulk: BulkConnections,
    readonly sources: readonly Workload[],
    readonly destinations: readonly Workload[],
  ) {
    const destinationIndex = new Map<Workload, number>();
    destinations.forEach((d, j) => destinationIndex.set(d, j));
    this.selfIndex = new Int32Array(destinations.length).fill(-1);
    sources.forEach((s, i) => {
      const j = destinationIndex.get(s);
      if (j !== undefined) this.selfIndex[j] = i;
    });
    this.egressPorts = destinations.map(() => new Map());
    this.ingressPorts = destinations.map(() => new Map());
    this.ingressList = new Int32Array(destinations.length);
  }

  /** The pairs of sources and destinations, made in steps of about STEP_WORK workloads. */
  static *of(bulk: BulkConnections, sources: readonly Workload[], destinations: readonly Workload[]): Generator<void, WorkloadPairs> {
    const pairs = new WorkloadPairs(bulk, sources, destinations);
    for (let j = 0; j < destinations.length; j++) {
      pairs.ingressList[j] = bulk.listOf(destinations[j], 'ingress');
      if (j % STEP_WORK === STEP_WORK - 1) yield;
    }
    const egressLists = new Int32Array(sources.length);
    for (let i = 0; i < sources.length; i++) {
      egressLists[i] = bulk.listOf(sources[i], 'egress');
      if (i % STEP_WORK === STEP_WORK - 1) yield;
    }
    // A list numbers fewer masks than there are workloads: (egress list, mask) is one number below 2^53.
    const stride = bulk.workloadCount + 1;
    for (const list of new Set(pairs.ingressList)) {
      const byKey = new Map<number, number>();
      const classes: { egress: number; mask: number; count: number }[] = [];
      const of = new Int32Array(sources.length);
      for (let i = 0; i < sources.length; i++) {
        const mask = bulk.maskOf(list, sources[i]);
        const key = egressLists[i] * stride + mask;
        let c = byKey.get(key);
        if (c === undefined) {
          byKey.set(key, (c = classes.length));
          classes.push({ egress: egressLists[i], mask, count: 0 });
        }
        classes[c].count++;
        of[i] = c;
        if (i % STEP_WORK === STEP_WORK - 1) yield;
      }
      pairs.classOfSource.set(list, of);
      pairs.classesOfList.set(list, classes);
    }
    return pairs;
  }

  private ofClass(c: { egress: number; mask: number }, j: number): PortSet {
    let egress = this.egressPorts[j].get(c.egress);
    if (!egress) this.egressPorts[j].set(c.egress, (egress = this.bulk.egressOfList(c.egress, this.destinations[j])));
    if (egress.isEmpty()) return egress;
    let ingress = this.ingressPorts[j].get(c.mask);
    if (!ingress) this.ingressPorts[j].set(c.mask, (ingress = this.bulk.ingressOfMask(this.ingressList[j], c.mask, this.destinations[j])));
    return this.bulk.intersect(egress, ingress);
  }

  /** The ports source `i` may use to reach destination `j` (not asked for a workload and itself). */
  allowed(i: number, j: number): PortSet {
    const list = this.ingressList[j];
    return this.ofClass(this.classesOfList.get(list)![this.classOfSource.get(list)![i]], j);
  }

  /** The class of the pair (i, j): an index into classesToward(j). */
  classOf(i: number, j: number): number {
    return this.classOfSource.get(this.ingressList[j])![i];
  }

  /** Every class of pairs toward destination j: its allowed ports and how many sources it holds (j itself left out). */
  classesToward(j: number): { ports: PortSet; count: number }[] {
    const list = this.ingressList[j];
    const self = this.selfIndex[j];
    const selfClass = self >= 0 ? this.classOfSource.get(list)![self] : -1;
    return this.classesOfList.get(list)!.map((c, index) => ({ ports: this.ofClass(c, j), count: c.count - (index === selfClass ? 1 : 0) }));
  }

  /** Whether source i is destination j (a pair that is not a connection). */
  isSelf(i: number, j: number): boolean {
    return this.selfIndex[j] === i;
  }
}
