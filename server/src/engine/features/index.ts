// The prepared index the editor features read: per workspace version, per scope, which object is which workload or
// policy, what each policy selects, and label statistics for completion. Built lazily (each part on first use) and
// dropped when Workspace.version changes, so a request never re-analyses the whole workspace.
import type { Analysis } from '../evaluate';
import type { Model, Namespace, Workload } from '../model';
import type { K8sObject } from '../parse';
import type { NetworkPolicy, Peer, PodPeer, PolicyRule } from '../policy';
import { matchesSelector } from '../selectors';
import type { Labels } from '../types';
import type { Scope, Workspace } from '../workspace';
import { reachOf, type Reach } from './reach';

/** A peer of a policy rule, with where it sits. */
export interface PeerRef {
  policy: NetworkPolicy;
  rule: PolicyRule;
  peer: Peer;
}

/** How many pods (workloads) or namespaces carry each label value. */
export type LabelStats = Map<string, Map<string, number>>;

export class ScopeIndex {
  readonly workloadByObject = new Map<K8sObject, Workload>();
  readonly policyByObject = new Map<K8sObject, NetworkPolicy>();
  readonly workloadsByNamespace = new Map<string, Workload[]>();
  private readonly selectedCache = new Map<NetworkPolicy, Workload[]>();
  private readonly peerCache = new Map<Peer, Workload[]>();
  private readonly peerNamespaceCache = new Map<Peer, Namespace[]>();
  private podLabelStatsCache = new Map<string, LabelStats>();
  private namespaceLabelStatsCache: LabelStats | undefined;
  private peerRefsCache: PeerRef[] | undefined;
  private readonly reachCache = new Map<Workload, Reach>();

  constructor(readonly scope: Scope) {
    for (const w of scope.model.workloads) {
      this.workloadByObject.set(w.object, w);
      const list = this.workloadsByNamespace.get(w.namespace) ?? [];
      list.push(w);
      this.workloadsByNamespace.set(w.namespace, list);
    }
    // Pods and ReplicaSets owned by a controller of the input stand for that controller.
    for (const [object, owner] of scope.model.ownedBy) this.workloadByObject.set(object, owner);
    for (const p of scope.model.policies) this.policyByObject.set(p.object, p);
  }

  get model(): Model {
    return this.scope.model;
  }

  get analysis(): Analysis {
    return this.scope.analysis;
  }

  /** Workloads of a namespace, those the configuration assumes (outside the repository) included: selectors see them. */
  workloadsIn(namespace: string): Workload[] {
    return this.workloadsByNamespace.get(namespace) ?? [];
  }

  /** Pods the policy's spec.podSelector selects (whether or not the policy is valid). */
  selectedBy(policy: NetworkPolicy): Workload[] {
    let cached = this.selectedCache.get(policy);
    if (!cached) {
      cached = this.workloadsIn(policy.namespace).filter((w) => matchesSelector(policy.podSelector, w.podLabels));
      this.selectedCache.set(policy, cached);
    }
    return cached;
  }

  /** Namespaces a pod peer's namespaceSelector selects (the policy's own namespace without one). */
  peerNamespaces(policy: NetworkPolicy, peer: PodPeer): Namespace[] {
    let cached = this.peerNamespaceCache.get(peer);
    if (!cached) {
      const selector = peer.namespaceSelector;
      cached = selector
        ? [...this.model.namespaces.values()].filter((ns) => matchesSelector(selector, ns.labels))
        : [this.model.namespaces.get(policy.namespace)].filter((ns): ns is Namespace => ns !== undefined);
      this.peerNamespaceCache.set(peer, cached);
    }
    return cached;
  }

  /** Pods a peer matches (none for ipBlock peers: policies never match pod IPs by block here). */
  peerWorkloads(policy: NetworkPolicy, peer: Peer): Workload[] {
    if (peer.type === 'ipBlock') return [];
    let cached = this.peerCache.get(peer);
    if (!cached) {
      cached = [];
      for (const ns of this.peerNamespaces(policy, peer)) {
        for (const w of this.workloadsIn(ns.name)) {
          if (!peer.podSelector || matchesSelector(peer.podSelector, w.podLabels)) cached.push(w);
        }
      }
      this.peerCache.set(peer, cached);
    }
    return cached;
  }

  /** Who may reach the workload and whom it may reach (computed once per version). */
  reachOf(w: Workload): Reach {
    let cached = this.reachCache.get(w);
    if (!cached) {
      cached = reachOf(this, w);
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
    const cacheKey = namespace ?? '\u0000all';
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
      this.scopeIndexes = this.workspace.scopes().map((s) => new ScopeIndex(s));
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
      this.scopeOfUri.set(uri, this.scopes().find((s) => s.scope.uris.includes(uri)) ?? this.scopes()[0]);
    }
    return this.scopeOfUri.get(uri);
  }
}

const indexes = new WeakMap<Workspace, FeatureIndex>();
const lastBuilt = new WeakMap<Workspace, FeatureIndex>();

/** The index of the workspace's current version (rebuilt lazily after any change). */
export function featureIndex(workspace: Workspace): FeatureIndex {
  const existing = indexes.get(workspace);
  if (existing && existing.version === workspace.version) return existing;
  const index = new FeatureIndex(workspace, workspace.version);
  indexes.set(workspace, index);
  return index;
}

/**
 * For answers that may lag one edit behind (completion while typing): the current index when it is built, else the
 * last built one, so a keystroke does not wait for the models of the whole workspace to be rebuilt. Label, namespace
 * and port statistics barely move with one keystroke; the text under the cursor is always the current one.
 */
export function recentIndex(workspace: Workspace): FeatureIndex {
  const current = featureIndex(workspace);
  return current.built ? current : (lastBuilt.get(workspace) ?? current);
}
