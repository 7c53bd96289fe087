// The prepared index the editor features read: per workspace version, per scope, which object is which workload or
// policy, what each policy selects, and label statistics for completion. Built lazily (each part on first use) and
// dropped when Workspace.version changes, so a request never re-analyses the whole workspace. A new version's index
// takes over from the last built one what the edit cannot have changed: the models are updated per namespace
// (model.ts changesSince), so selections of policies and label counts of untouched namespaces are kept, and the
// scope-wide label counts are adjusted by the changed namespaces only.
import type { Analysis } from '../evaluate';
import { changesSince, objectNamespace, type Model, type Namespace, type Workload } from '../model';
import type { K8sObject } from '../parse';
import type { NetworkPolicy, Peer, PodPeer, PolicyRule } from '../policy';
import { anyPodIpMatchable, ipBlockMatchesWorkload } from '../pod-ips';
import { matchesSelector, selectorKey, type LabelSelector } from '../selectors';
import type { Labels } from '../types';
import { defineQuery, type Store } from '../store';
import { scopeIncludes, type Scope, type Workspace } from '../workspace';
import { reachOf, RuleIndex, type Reach } from './reach';

/** A peer of a policy rule, with where it sits. */
export interface PeerRef {
  policy: NetworkPolicy;
  rule: PolicyRule;
  peer: Peer;
}

/** How many pods (workloads) or namespaces carry each label value. */
export type LabelStats = Map<string, Map<string, number>>;

const ALL_NAMESPACES = '\u0000all';

/** Reaches kept per version (a hover, the idle preparation of a document's workloads, a hover again). */
const REACH_CACHE_SIZE = 32;

/** The workloads of a namespace without any (one list, so that what is cached per list stays valid). */
const NO_WORKLOADS = Object.freeze([]) as unknown as Workload[];

/** What a policy's podSelector selects, and from which list of its namespace's workloads. */
const SELECTIONS = defineQuery<NetworkPolicy, { from: readonly Workload[]; selected: Workload[] }>({
  name: 'feature-selections',
  reads: ['workloads', 'policies'],
  lifetime: 'lineage',
  description: "the pods a policy's podSelector selects, with the list of its namespace's workloads they came from",
});

/** The workloads of a scope that carry one label key: all of them, and by value (model order in each list). */
interface KeyPostings {
  all: Workload[];
  byValue: Map<string, Workload[]>;
}

export class ScopeIndex {
  private readonly workloadsByNamespace = new Map<string, Workload[]>();
  /** Per namespace, its workloads and policies by object (built on first lookup in the namespace). */
  private readonly objectsByNamespace = new Map<string, Map<K8sObject, Workload | NetworkPolicy>>();
  private readonly peerCache = new Map<Peer, Workload[]>();
  private readonly peerNamespaceCache = new Map<Peer, Namespace[]>();
  private readonly namespacesBySelector = new Map<string, Namespace[]>();
  private readonly workloadsByPeerKey = new Map<string, Workload[]>();
  private readonly podLabelStatsCache = new Map<string, LabelStats>();
  private readonly postingsCache = new Map<string, KeyPostings>();
  private namespaceLabelStatsCache: LabelStats | undefined;
  private peerRefsCache: PeerRef[] | undefined;
  private ruleIndexCache: RuleIndex | undefined;
  private readonly reachCache = new Map<Workload, Reach>();
  private reportedCount: number | undefined;

  /** `previous`: the index of an earlier version of the same scope, whose results for untouched namespaces are kept. */
  constructor(
    readonly scope: Scope,
    previous?: ScopeIndex,
  ) {
    const changes = previous && (previous.model === this.model ? { namespaces: new Set<string>(), workloadsKept: true } : changesSince(previous.model, this.model));
    if (previous && changes?.workloadsKept) {
      // Untouched namespaces keep their workloads (the very objects): their lists are kept, so that what is cached
      // per list (a policy's selection) stays valid; the changed namespaces' lists are made again.
      const changed = changes.namespaces;
      for (const [namespace, list] of previous.workloadsByNamespace) if (!changed.has(namespace)) this.workloadsByNamespace.set(namespace, list);
      this.groupWorkloads((w) => changed.has(w.namespace));
    } else this.groupWorkloads(() => true);
    if (previous && changes) this.takeOver(previous, changes.namespaces);
  }

  private groupWorkloads(include: (w: Workload) => boolean): void {
    for (const w of this.scope.model.workloads) {
      if (!include(w)) continue;
      const list = this.workloadsByNamespace.get(w.namespace);
      if (list) list.push(w);
      else this.workloadsByNamespace.set(w.namespace, [w]);
    }
  }

  get model(): Model {
    return this.scope.model;
  }

  get analysis(): Analysis {
    return this.scope.analysis;
  }

  /** The workspace's store of derived state. */
  get store(): Store {
    return this.scope.store;
  }

  /** Keeps what an earlier index computed for namespaces that the model updates since have not touched. */
  private takeOver(previous: ScopeIndex, changed: ReadonlySet<string>): void {
    // Label counts depend only on the labels, which untouched namespaces keep even when renumbered.
    for (const [namespace, stats] of previous.podLabelStatsCache) {
      if (namespace !== ALL_NAMESPACES && !changed.has(namespace)) this.podLabelStatsCache.set(namespace, stats);
    }
    const all = previous.podLabelStatsCache.get(ALL_NAMESPACES);
    if (all) {
      const adjusted = new Map(all);
      // Inner maps are shared with the previous index: each key's map is copied before its first change.
      const copied = new Set<string>();
      const adjust = (stats: LabelStats, sign: 1 | -1) => {
        for (const [key, values] of stats) {
          let target = adjusted.get(key);
          if (!target || !copied.has(key)) {
            copied.add(key);
            target = new Map(target ?? []);
            adjusted.set(key, target);
          }
          for (const [value, count] of values) {
            const next = (target.get(value) ?? 0) + sign * count;
            if (next > 0) target.set(value, next);
            else target.delete(value);
          }
          if (target.size === 0) adjusted.delete(key);
        }
      };
      for (const namespace of changed) {
        adjust(previous.podLabelStats(namespace), -1);
        adjust(this.podLabelStats(namespace), 1);
      }
      this.podLabelStatsCache.set(ALL_NAMESPACES, adjusted);
    }
  }

  /** Workloads of a namespace, those the configuration assumes (outside the repository) included: selectors see them. */
  workloadsIn(namespace: string): Workload[] {
    return this.workloadsByNamespace.get(namespace) ?? NO_WORKLOADS;
  }

  private objectsIn(namespace: string): Map<K8sObject, Workload | NetworkPolicy> {
    let byObject = this.objectsByNamespace.get(namespace);
    if (!byObject) {
      byObject = new Map();
      for (const w of this.workloadsIn(namespace)) byObject.set(w.object, w);
      for (const p of this.model.policiesByNamespace.get(namespace) ?? []) byObject.set(p.object, p);
      this.objectsByNamespace.set(namespace, byObject);
    }
    return byObject;
  }

  /** The workload an object is or stands for: Pods and ReplicaSets owned by a controller of the input stand for it. */
  workloadFor(object: K8sObject): Workload | undefined {
    const owner = this.model.ownedBy.get(object);
    if (owner) return owner;
    const found = this.objectsIn(objectNamespace(this.model, object)).get(object);
    return found && 'podLabels' in found ? found : undefined;
  }

  /** The NetworkPolicy an object is, when it is one of the scope's policies. */
  policyFor(object: K8sObject): NetworkPolicy | undefined {
    if (object.kind !== 'NetworkPolicy') return undefined;
    const found = this.objectsIn(objectNamespace(this.model, object)).get(object);
    return found && 'podSelector' in found ? found : undefined;
  }

  /** Namespaces that have workloads (those the configuration assumes included). */
  namespacesWithWorkloads(): string[] {
    return [...this.workloadsByNamespace.keys()];
  }

  /**
   * Workloads whose pod labels satisfy a selector, in the namespaces given (in that order; model order within each).
   * Asked about many namespaces, only the workloads carrying the selector's first `In` or `Exists` label are tested
   * (from postings of that key over the scope), so a peer with `namespaceSelector: {}` costs what it matches, not
   * a test of every workload of the scope.
   */
  workloadsMatching(selector: LabelSelector, namespaces: readonly string[]): Workload[] {
    const positive = selector.requirements.find((r) => r.operator === 'In' || r.operator === 'Exists');
    if (!positive || namespaces.length <= 4) {
      return namespaces.flatMap((ns) => this.workloadsIn(ns).filter((w) => matchesSelector(selector, w.podLabels)));
    }
    const postings = this.postingsOf(positive.key);
    const candidates =
      positive.operator === 'Exists'
        ? postings.all
        : // A workload has one value per key: lists of different values never share one.
          [...new Set(positive.values)].flatMap((v) => postings.byValue.get(v) ?? []);
    const position = new Map(namespaces.map((ns, i) => [ns, i]));
    return candidates
      .filter((w) => position.has(w.namespace) && matchesSelector(selector, w.podLabels))
      .sort((a, b) => position.get(a.namespace)! - position.get(b.namespace)! || a.id - b.id);
  }

  private postingsOf(key: string): KeyPostings {
    let postings = this.postingsCache.get(key);
    if (!postings) {
      postings = { all: [], byValue: new Map() };
      for (const w of this.model.workloads) {
        if (!Object.prototype.hasOwnProperty.call(w.podLabels, key)) continue;
        postings.all.push(w);
        const value = w.podLabels[key];
        const list = postings.byValue.get(value);
        if (list) list.push(w);
        else postings.byValue.set(value, [w]);
      }
      this.postingsCache.set(key, postings);
    }
    return postings;
  }

  /** Pods the policy's spec.podSelector selects (whether or not the policy is valid). */
  selectedBy(policy: NetworkPolicy): Workload[] {
    // Kept per policy with the list of its namespace's workloads it was made from: a later version that kept that
    // list (the namespace untouched) reuses it without copying a cache per version.
    const from = this.workloadsIn(policy.namespace);
    const selections = this.store.query(SELECTIONS);
    const cached = selections.peek(policy);
    if (cached && cached.from === from) return cached.selected;
    const selected = this.workloadsMatching(policy.podSelector, [policy.namespace]);
    selections.set(policy, { from, selected });
    return selected;
  }

  /** Namespaces a pod peer's namespaceSelector selects (the policy's own namespace without one). */
  peerNamespaces(policy: NetworkPolicy, peer: PodPeer): Namespace[] {
    let cached = this.peerNamespaceCache.get(peer);
    if (!cached) {
      const selector = peer.namespaceSelector;
      if (selector) {
        // Policies repeat the same few namespace selectors (kube-system, the monitoring namespace): each is
        // matched against the namespaces once.
        const key = selectorKey(selector);
        cached = this.namespacesBySelector.get(key);
        if (!cached) this.namespacesBySelector.set(key, (cached = [...this.model.namespaces.values()].filter((ns) => matchesSelector(selector, ns.labels))));
      } else cached = [this.model.namespaces.get(policy.namespace)].filter((ns): ns is Namespace => ns !== undefined);
      this.peerNamespaceCache.set(peer, cached);
    }
    return cached;
  }

  /** Pods a peer matches (for an ipBlock, the pods whose known IPs it matches: pod-ips.ts). */
  peerWorkloads(policy: NetworkPolicy, peer: Peer): Workload[] {
    if (peer.type === 'ipBlock') {
      if (!anyPodIpMatchable(this)) return [];
      let byIp = this.peerCache.get(peer);
      if (!byIp) this.peerCache.set(peer, (byIp = this.model.workloads.filter((w) => ipBlockMatchesWorkload(this.model, peer, w))));
      return byIp;
    }
    let cached = this.peerCache.get(peer);
    if (!cached) {
      // Peers that select alike (the DNS peer of every policy) share one list.
      const key = `${peer.namespaceSelector ? selectorKey(peer.namespaceSelector) : `=${policy.namespace}`}\u0000${peer.podSelector ? selectorKey(peer.podSelector) : ''}`;
      cached = this.workloadsByPeerKey.get(key);
      if (!cached) {
        const namespaces = this.peerNamespaces(policy, peer).map((ns) => ns.name);
        cached = peer.podSelector ? this.workloadsMatching(peer.podSelector, namespaces) : namespaces.flatMap((ns) => this.workloadsIn(ns));
        this.workloadsByPeerKey.set(key, cached);
      }
      this.peerCache.set(peer, cached);
    }
    return cached;
  }

  /** How many workloads the reports list (those the configuration assumes left out). */
  reportedWorkloadCount(): number {
    if (this.reportedCount === undefined) {
      let count = 0;
      for (const w of this.model.workloads) if (!w.assumed) count++;
      this.reportedCount = count;
    }
    return this.reportedCount;
  }

  /** The scope's isolating rules by the namespaces their peers can reach (for reachOf). */
  ruleIndex(): RuleIndex {
    return (this.ruleIndexCache ??= new RuleIndex(this));
  }

  /** Who may reach the workload and whom it may reach (computed once per version). */
  reachOf(w: Workload): Reach {
    let cached = this.reachCache.get(w);
    if (!cached) {
      cached = reachOf(this, w);
      // The reach of a widely reached workload holds thousands of entries: only the last few are kept.
      if (this.reachCache.size >= REACH_CACHE_SIZE) this.reachCache.delete(this.reachCache.keys().next().value!);
      this.reachCache.set(w, cached);
    }
    return cached;
  }

  /** Every peer of every policy of the scope. */
  peerRefs(): PeerRef[] {
    if (!this.peerRefsCache) {
      const refs: PeerRef[] = [];
      for (const policy of this.model.policies) {
        for (const rule of [...policy.ingress, ...policy.egress]) {
          for (const peer of rule.peers ?? []) refs.push({ policy, rule, peer });
        }
      }
      this.peerRefsCache = refs;
    }
    return this.peerRefsCache;
  }

  /** Label key -> value -> number of workloads, over one namespace or (undefined) the whole scope. */
  podLabelStats(namespace?: string): LabelStats {
    const cacheKey = namespace ?? ALL_NAMESPACES;
    let cached = this.podLabelStatsCache.get(cacheKey);
    if (!cached) {
      cached = countLabels((namespace === undefined ? this.model.workloads : this.workloadsIn(namespace)).map((w) => w.podLabels));
      this.podLabelStatsCache.set(cacheKey, cached);
    }
    return cached;
  }

  /** Label key -> value -> number of namespaces. */
  namespaceLabelStats(): LabelStats {
    if (!this.namespaceLabelStatsCache) {
      this.namespaceLabelStatsCache = countLabels([...this.model.namespaces.values()].map((ns) => ns.labels));
    }
    return this.namespaceLabelStatsCache;
  }
}

function countLabels(labelSets: Iterable<Labels>): LabelStats {
  const stats: LabelStats = new Map();
  for (const labels of labelSets) {
    for (const [key, value] of Object.entries(labels)) {
      let values = stats.get(key);
      if (!values) stats.set(key, (values = new Map()));
      values.set(value, (values.get(value) ?? 0) + 1);
    }
  }
  return stats;
}

export class FeatureIndex {
  private scopeIndexes: ScopeIndex[] | undefined;
  private readonly scopeOfUri = new Map<string, ScopeIndex | undefined>();

  constructor(readonly workspace: Workspace, readonly version: number) {}

  scopes(): ScopeIndex[] {
    if (!this.scopeIndexes) {
      // The last built index of this workspace (an earlier version) hands over what the changes since left valid.
      const lastBuilt = this.workspace.store.query(LAST_BUILT_FEATURE_INDEX);
      const earlier = lastBuilt.peek(this.workspace)?.scopeIndexes;
      this.scopeIndexes = this.workspace.scopes().map((s) => new ScopeIndex(s, earlier?.find((e) => e.scope.name === s.name)));
      lastBuilt.set(this.workspace, this);
    }
    return this.scopeIndexes;
  }

  /** Whether the scopes (models and analyses) of this version are built. */
  get built(): boolean {
    return this.scopeIndexes !== undefined;
  }

  /** The scope whose model answers questions about a file: the first scope that includes it. */
  scopeFor(uri: string): ScopeIndex | undefined {
    if (!this.scopeOfUri.has(uri)) {
      this.scopeOfUri.set(uri, this.scopes().find((s) => scopeIncludes(s.scope, uri)) ?? this.scopes()[0]);
    }
    return this.scopeOfUri.get(uri);
  }
}

const FEATURE_INDEX = defineQuery<Workspace, FeatureIndex>({
  name: 'feature-index',
  reads: ['workspace-version'],
  lifetime: 'version',
  description: "the editor features' index of the workspace's current version",
});
const LAST_BUILT_FEATURE_INDEX = defineQuery<Workspace, FeatureIndex>({
  name: 'feature-index-last-built',
  reads: ['workspace-version'],
  lifetime: 'lineage',
  description: 'the last feature index whose scopes were built, which hands over to the next version what its changes left valid',
});

/** The index of the workspace's current version (rebuilt lazily after any change). */
export function featureIndex(workspace: Workspace): FeatureIndex {
  const indexes = workspace.store.query(FEATURE_INDEX);
  const existing = indexes.peek(workspace);
  if (existing && existing.version === workspace.version) return existing;
  const index = new FeatureIndex(workspace, workspace.version);
  indexes.set(workspace, index);
  return index;
}
