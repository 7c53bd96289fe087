// Helpers shared by the rules: source locations below an object, short listings of pods and namespaces,
// per-model indexes (built once per model, so rules stay linear), the cluster DNS endpoints, and the factory for
// rules that report the problems the policy reader records.
import { isCollection, isPair, type Node as YamlNode } from 'yaml';
import { parseCidr, type IpRange } from '../cidr';
import { contentEnd, detectEol, looksLikeJson, snippetLines } from '../edits';
import { locateInText, nameRangeInText } from '../fast-positions';
import type { WorkspaceConfig } from '../config';
import { changesSince, lineageOf, listsByNamespace, objectNamespace, objectsInNamespace, skippedWorkloadsOf, WORKLOAD_KINDS, type Model, type ModelLineage, type Namespace, type Workload } from '../model';
import { keyRangeAt, nodeAt, rangeAt, type K8sObject } from '../parse';
import type { NetworkPolicy, Path, PodPeer, PolicyProblem, PolicyRule } from '../policy';
import { formatSelector, matchesSelector, selectorKey, type LabelSelector } from '../selectors';
import { defineQuery, type Store } from '../store';
import type { Protocol, SourceLocation } from '../types';
import { anyOfListMatches, hasLabelIndex, itemsOfListMatching } from './label-index';
import type { QuickFix, Rule, RuleContext } from './types';

/** The location of the node at `path` below an object (its key with `key: true`), else of the nearest ancestor. */
export function locate(object: K8sObject, path: Path, options: { key?: boolean } = {}): SourceLocation {
  // From the text when the fast reader read the file: asking the nodes would parse the whole file.
  const fromText = locateInText(object, path, options);
  if (fromText) return { uri: object.uri, range: fromText };
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const range = n === path.length && options.key ? keyRangeAt(object.node, sub) : n > 0 ? trimmedRangeAt(object, sub) : undefined;
    if (range && range[1] > range[0]) return { uri: object.uri, range };
    // An ancestor's key is narrower than its whole value.
    if (n > 0 && n < path.length && typeof sub[sub.length - 1] === 'string') {
      const keyRange = keyRangeAt(object.node, sub);
      if (keyRange) return { uri: object.uri, range: keyRange };
    }
  }
  return { uri: object.uri, range: nameRange(object) };
}

/** The range of the node at a path, without the trailing comments and line breaks the yaml ranges include. */
function trimmedRangeAt(object: K8sObject, path: Path): readonly [number, number] | undefined {
  const node = nodeAt(object.node, path);
  if (!node?.range) return undefined;
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    // A block map or list spans lines: its key (or, for a list item, its first line) is the meaningful part.
    const last = path[path.length - 1];
    if (typeof last === 'string') return keyRangeAt(object.node, path);
    return [node.range[0], firstLineEnd(node)];
  }
  return [node.range[0], Math.max(node.range[0], contentEnd(node))];
}

/** Where the first line of a block collection's content ends (the first key, or the first key and its scalar). */
function firstLineEnd(node: YamlNode): number {
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    const first = node.items[0];
    if (isPair(first)) {
      const key = first.key as YamlNode | null;
      const value = first.value as YamlNode | null;
      if (value && value.range && !(isCollection(value) && !value.flow)) return contentEnd(value);
      if (key && key.range) return key.range[1];
    } else if (first && (first as YamlNode).range) return firstLineEnd(first as YamlNode);
  }
  return node.range ? Math.max(node.range[0], contentEnd(node)) : 0;
}

/** `metadata.name` of an object, else its first line. */
export function nameRange(object: K8sObject): readonly [number, number] {
  return nameRangeInText(object) ?? rangeAt(object.node, ['metadata', 'name']) ?? keyRangeAt(object.node, ['kind']) ?? object.range;
}

/** Whether an object comes from a file of the workspace (not from the configuration's `objects`, whose positions
 * refer to no file the user edits). */
export function inWorkspace(context: { file(uri: string): unknown }, object: K8sObject): boolean {
  return object.uri !== '' && context.file(object.uri) !== undefined;
}

export function policyName(policy: NetworkPolicy): string {
  return `${policy.namespace}/${policy.name || '(unnamed)'}`;
}

/** "a, b and 3 more" (sorted, at most `max` named). */
export function listNames(names: readonly string[], max = 3): string {
  const unique = [...new Set(names)].sort();
  if (unique.length <= max) return unique.length <= 1 ? unique.join('') : `${unique.slice(0, -1).join(', ')} and ${unique[unique.length - 1]}`;
  return `${unique.slice(0, max).join(', ')} and ${unique.length - max} more`;
}

export function podNames(workloads: readonly Workload[], max = 3): string {
  return listNames(workloads.map((w) => w.displayName), max);
}

export function ruleLabel(rule: PolicyRule): string {
  return `${rule.direction} rule ${rule.index + 1}`;
}

/** Said of a policy the API server would reject. */
export function rejectionNote(policy: NetworkPolicy): string {
  if (policy.supersededBy) return ' A later definition of the same name replaces this policy, so the analysis leaves it out.';
  return policy.valid ? '' : ' The API server rejects this policy, so the analysis leaves it out.';
}

interface ModelIndex {
  workloadsByNamespace: Map<string, Workload[]>;
  /** Workloads in the repository (not assumed from the configuration). */
  hasOwnWorkloads: boolean;
}

/** What a view of a model knows of itself: the model it narrows and, once asked, its narrowed workloads by namespace. */
interface ViewFacts {
  base: Model;
  index?: ModelIndex;
}

/** The key of a view's facts: a non-enumerable own property, so that a view compares as the plain data it shows. */
const VIEW_FACTS = Symbol('view facts');

function viewFacts(model: Model): ViewFacts | undefined {
  return Object.prototype.hasOwnProperty.call(model, VIEW_FACTS) ? (model as Model & { [VIEW_FACTS]: ViewFacts })[VIEW_FACTS] : undefined;
}

/**
 * A model whose lists are narrowed to some policies, workloads, services and objects, for re-running rules on
 * part of a scope. Everything else (namespaces, policiesByNamespace, the DNS endpoints and whether the scope has
 * workloads at all) stays that of the whole model.
 */
export function modelView(base: Model, narrowed: { policies?: NetworkPolicy[]; workloads?: Workload[]; services?: Model['services']; objects?: Model['objects'] }): Model {
  const view: Model = Object.create(base);
  for (const key of ['policies', 'workloads', 'services', 'objects'] as const) {
    if (narrowed[key]) Object.defineProperty(view, key, { value: narrowed[key], enumerable: true, writable: true, configurable: true });
  }
  Object.defineProperty(view, VIEW_FACTS, { value: { base } satisfies ViewFacts, enumerable: false });
  return view;
}

/** The whole model behind a view (the model itself when it is none). */
export function baseModel(model: Model): Model {
  return viewFacts(model)?.base ?? model;
}

/** What per-model queries of workload lists are kept under: the whole model unless a view narrows its workloads. */
function workloadKey(model: Model): Model {
  const base = baseModel(model);
  return model.workloads === base.workloads ? base : model;
}

export function modelIndex(model: Model): ModelIndex {
  const facts = viewFacts(model);
  if (!facts || model.workloads === facts.base.workloads) {
    // The model keeps these up to date across edits.
    const lists = listsByNamespace(facts?.base ?? model);
    return { workloadsByNamespace: lists.workloads as Map<string, Workload[]>, hasOwnWorkloads: lists.ownWorkloads > 0 };
  }
  if (!facts.index) {
    const workloadsByNamespace = new Map<string, Workload[]>();
    for (const w of model.workloads) {
      if (!workloadsByNamespace.has(w.namespace)) workloadsByNamespace.set(w.namespace, []);
      workloadsByNamespace.get(w.namespace)!.push(w);
    }
    facts.index = { workloadsByNamespace, hasOwnWorkloads: modelIndex(facts.base).hasOwnWorkloads };
  }
  return facts.index;
}

export function workloadsIn(model: Model, namespace: string): Workload[] {
  return modelIndex(model).workloadsByNamespace.get(namespace) ?? [];
}

/** What stayed the same from one model of a workspace to a later one updated from it. */
interface Continuity {
  /** Namespaces whose entries may differ. */
  namespaces: Set<string>;
  /** The same namespaces with the same labels, in the same order. */
  sameNamespaces: boolean;
  /** Workloads outside `namespaces` are the very same objects. */
  workloadsKept: boolean;
}

// Queries that outlive a model keep its lineage, not the model: a model kept by one entry would stay alive with
// everything derived from it (megabytes per edit on a large workspace).
const CONTINUITY = defineQuery<Model, { from: ModelLineage; result: Continuity | undefined }>({
  name: 'continuity',
  reads: ['namespaces', 'workloads'],
  lifetime: 'lineage',
  description: 'what stayed the same from the model of a lineage to this one (model.ts changesSince)',
});

/** How `to` relates to the model of `from` (undefined when it was not updated from it). */
function continuity(store: Store, from: ModelLineage, to: Model): Continuity | undefined {
  const query = store.query(CONTINUITY);
  const known = query.peek(to);
  if (known && known.from === from) return known.result;
  const result = changesSince(from, to);
  query.set(to, { from, result });
  return result;
}

const NAMESPACE_MATCHES = defineQuery<Model, { bySelector: WeakMap<LabelSelector, Namespace[]>; byKey: Map<string, Namespace[]> }>({
  name: 'namespaces-matching',
  reads: ['namespaces', 'config.dns', 'selector'],
  lifetime: 'model',
  description: 'per model, the namespaces each selector matches, by selector and by its text (equal selectors share one list)',
});
const LAST_NAMESPACE_MATCHES = defineQuery<LabelSelector, { lineage: ModelLineage; namespaces: Namespace[] }>({
  name: 'namespaces-matching-carried',
  reads: ['namespaces', 'config.dns', 'selector'],
  lifetime: 'lineage',
  description: 'per selector, its namespaces in the last model asked: after an edit that kept every namespace, they still hold',
});

/** Namespaces (of the model, plus the DNS namespace the configuration names) that a selector matches. */
export function namespacesMatching(context: RuleContext, selector: LabelSelector): Namespace[] {
  const model = baseModel(context.model);
  const matches = context.store.query(NAMESPACE_MATCHES).get(model, () => ({ bySelector: new WeakMap(), byKey: new Map() }));
  let out = matches.bySelector.get(selector);
  if (out) return out;
  const key = selectorKey(selector);
  out = matches.byKey.get(key);
  const carried = context.store.query(LAST_NAMESPACE_MATCHES);
  if (!out) {
    const last = carried.peek(selector);
    const kept = last ? continuity(context.store, last.lineage, model) : undefined;
    if (last && kept?.sameNamespaces) {
      // The same namespaces match; only the changed namespaces' entries are new objects.
      out = last.namespaces;
      for (let i = 0; i < out.length; i++) {
        const current = kept.namespaces.has(out[i].name) ? model.namespaces.get(out[i].name) : undefined;
        if (current && current !== out[i]) {
          if (out === last.namespaces) out = [...out];
          out[i] = current;
        }
      }
    } else out = itemsOfListMatching(context.store, allNamespaces(context), 'namespace', namespaceLabels, selector);
    matches.byKey.set(key, out);
  }
  matches.bySelector.set(selector, out);
  carried.set(selector, { lineage: lineageOf(model), namespaces: out });
  return out;
}

const ALL_NAMESPACES = defineQuery<Model, Namespace[]>({
  name: 'all-namespaces',
  reads: ['namespaces', 'config.dns'],
  lifetime: 'model',
  description: 'the namespaces of the model plus the cluster DNS namespace',
});

/** The namespaces of the model plus the cluster DNS namespace, which exists in every cluster. */
export function allNamespaces(context: RuleContext): Namespace[] {
  return context.store.query(ALL_NAMESPACES).get(baseModel(context.model), (model) => {
    const list = [...model.namespaces.values()];
    const dnsNs = context.config.dns.namespace;
    if (!model.namespaces.has(dnsNs)) {
      list.push({ name: dnsNs, labels: { 'kubernetes.io/metadata.name': dnsNs }, implicit: true, external: true });
    }
    return list;
  });
}

/** Workloads of a namespace a peer may select, with the assumed DNS pod in the DNS namespace. */
function namespaceCandidates(context: RuleContext, namespace: string): readonly Workload[] {
  const own = workloadsIn(context.model, namespace);
  const dns = dnsEndpoints(context);
  if (dns.declared || dns.pods[0].namespace !== namespace) return own;
  return [...own, ...dns.pods];
}

/** The assumed DNS pods a peer may select in a namespace (none unless it is the DNS namespace and none is declared). */
function assumedCandidates(context: RuleContext, namespace: string): readonly Workload[] {
  const dns = dnsEndpoints(context);
  return dns.declared || dns.pods[0].namespace !== namespace ? [] : dns.pods;
}

const namespaceLabels = (ns: Namespace) => ns.labels;
const podLabels = (w: Workload) => w.podLabels;

/**
 * Whether a podSelector selects any of `namespaceCandidates(…)`, from the label index of a large namespace's
 * workloads (built once per list, shared with the other rules).
 */
function anyPodMatches(context: RuleContext, namespace: string, podSelector: LabelSelector): boolean {
  return (
    anyOfListMatches(context.store, workloadsIn(context.model, namespace), 'pod', podLabels, podSelector) ||
    assumedCandidates(context, namespace).some((w) => matchesSelector(podSelector, w.podLabels))
  );
}

interface PeerCaches {
  /** Candidate pods by namespaceSelector (selectorKey): equal selectors share one list. */
  byNamespaceSelector: Map<string, readonly Workload[]>;
  /** Pods each peer selects: several rules ask for the same peers. */
  byPeer: WeakMap<PodPeer, readonly Workload[]>;
}

const PEER_PODS = defineQuery<Model, PeerCaches>({
  name: 'pods-of-peer',
  reads: ['namespaces', 'workloads', 'config.dns', 'peer'],
  lifetime: 'model',
  description: 'per model (or view narrowing its workloads), the pods each peer selects and the candidates of each namespaceSelector',
});

function cachesOf(context: RuleContext): PeerCaches {
  return context.store.query(PEER_PODS).get(workloadKey(context.model), () => ({ byNamespaceSelector: new Map(), byPeer: new WeakMap() }));
}

/** The pods a peer chooses among: those of the namespaces its namespaceSelector matches, else of the policy's. */
export function peerCandidates(context: RuleContext, policy: NetworkPolicy, peer: PodPeer): readonly Workload[] {
  if (!peer.namespaceSelector) return namespaceCandidates(context, policy.namespace);
  const caches = cachesOf(context);
  const key = selectorKey(peer.namespaceSelector);
  let list = caches.byNamespaceSelector.get(key);
  if (!list) {
    list = namespacesMatching(context, peer.namespaceSelector).flatMap((ns) => namespaceCandidates(context, ns.name));
    caches.byNamespaceSelector.set(key, list);
  }
  return list;
}

/**
 * Per peer with both selectors, the pods it selected in each namespace (non-empty ones) of the last whole model
 * asked: after an edit, only the changed namespaces are matched again (a namespaceSelector {} with a podSelector
 * would otherwise test every pod of the cluster again on each edit).
 */
const LAST_PEER_PODS = defineQuery<PodPeer, { lineage: ModelLineage; byNamespace: Map<string, Workload[]> }>({
  name: 'pods-of-peer-carried',
  reads: ['namespaces', 'workloads', 'config.dns', 'peer'],
  lifetime: 'lineage',
  description: 'per peer with both selectors, its pods by namespace in the last whole model asked',
});

interface NamespaceOrder {
  named: (name: string) => Namespace | undefined;
  position: ReadonlyMap<string, number>;
}

const NAMESPACE_ORDER = defineQuery<Model, NamespaceOrder>({
  name: 'namespace-order',
  reads: ['namespaces', 'config.dns'],
  lifetime: 'model',
  description: 'the namespaces of allNamespaces by name, with their positions',
});

/** The namespaces of `allNamespaces` by name, with their positions. */
function namespaceOrder(context: RuleContext): NamespaceOrder {
  return context.store.query(NAMESPACE_ORDER).get(baseModel(context.model), (model) => {
    const list = allNamespaces(context);
    const position = namespacePositions.get(context);
    // The model's namespaces, and the DNS namespace `allNamespaces` adds when the model has none of that name.
    const added = list.length > model.namespaces.size ? list[list.length - 1] : undefined;
    return { named: (name) => model.namespaces.get(name) ?? (added?.name === name ? added : undefined), position };
  });
}

const NAMESPACES_DERIVED = defineQuery<NamespacesDerived<unknown>, { lineage: ModelLineage; dnsNamespace: string; value: unknown }>({
  name: 'namespaces-derived',
  reads: ['namespaces', 'config.dns'],
  lifetime: 'lineage',
  description: 'values made from the namespaces of allNamespaces (NamespacesDerived), kept while the namespaces stay',
});

/**
 * A value made from the namespaces of `allNamespaces` (names, labels, order), kept across models while they stay:
 * an edit of workloads or policies keeps it (the namespaces' entries may be new objects with the same meaning).
 * The instance is the query's key; the value lives in the context's store.
 */
export class NamespacesDerived<T> {
  constructor(private readonly make: (namespaces: readonly Namespace[]) => T) {}

  get(context: RuleContext): T {
    const model = baseModel(context.model);
    const dnsNamespace = context.config.dns.namespace;
    const query = context.store.query(NAMESPACES_DERIVED);
    const last = query.peek(this as NamespacesDerived<unknown>);
    if (last && last.dnsNamespace === dnsNamespace && changesSince(last.lineage, model)?.sameNamespaces) {
      last.lineage = lineageOf(model);
      return last.value as T;
    }
    const value = this.make(allNamespaces(context));
    query.set(this as NamespacesDerived<unknown>, { lineage: lineageOf(model), dnsNamespace, value });
    return value;
  }
}

const namespacePositions = new NamespacesDerived((list) => new Map(list.map((ns, i) => [ns.name, i])) as ReadonlyMap<string, number>);

/** The pods (workloads, the assumed DNS pods included) a pod peer of a policy selects. */
export function podsOfPeer(context: RuleContext, policy: NetworkPolicy, peer: PodPeer): readonly Workload[] {
  const caches = cachesOf(context);
  let out = caches.byPeer.get(peer);
  if (!out) {
    const model = baseModel(context.model);
    const podSelector = peer.podSelector;
    if (peer.namespaceSelector && podSelector && workloadKey(context.model) === model) {
      const carried = context.store.query(LAST_PEER_PODS);
      const last = carried.peek(peer);
      const kept = last ? continuity(context.store, last.lineage, model) : undefined;
      const reuse = kept?.sameNamespaces && kept.workloadsKept ? kept : undefined;
      const dnsNamespace = context.config.dns.namespace;
      const byNamespace = new Map<string, Workload[]>();
      const list: Workload[] = [];
      if (reuse && last) {
        // The namespaces that had pods and did not change keep them; the changed ones (and the DNS namespace, whose
        // assumed pod is made per model) are matched again; the namespaces' order gives the pods' order.
        const { named, position } = namespaceOrder(context);
        const entries: [string, Workload[]][] = [];
        for (const [name, pods] of last.byNamespace) if (!reuse.namespaces.has(name) && name !== dnsNamespace) entries.push([name, pods]);
        const changed: Namespace[] = [];
        for (const name of new Set([...reuse.namespaces, dnsNamespace])) {
          const ns = named(name);
          if (ns && matchesSelector(peer.namespaceSelector, ns.labels)) changed.push(ns);
        }
        entries.push(...podsInNamespaces(context, changed, podSelector));
        entries.sort((a, b) => position.get(a[0])! - position.get(b[0])!);
        for (const [name, pods] of entries) {
          byNamespace.set(name, pods);
          for (const w of pods) list.push(w);
        }
      } else {
        for (const [name, pods] of podsInNamespaces(context, namespacesMatching(context, peer.namespaceSelector), podSelector)) {
          byNamespace.set(name, pods);
          for (const w of pods) list.push(w);
        }
      }
      carried.set(peer, { lineage: lineageOf(model), byNamespace });
      out = list;
    } else {
      const candidates = peerCandidates(context, policy, peer);
      out = podSelector ? candidates.filter((w) => matchesSelector(podSelector, w.podLabels)) : candidates;
    }
    caches.byPeer.set(peer, out);
  }
  return out;
}

/**
 * The pods of some namespaces (`namespaceCandidates` of each) that a podSelector selects, per namespace in the
 * namespaces' order, leaving out namespaces with none. When those namespaces hold a large part of the model's pods
 * (a namespaceSelector `{}`), the candidates come from the label index of all the model's pods: a peer then tests
 * the pods that carry its labels, not every pod of the cluster. The context's workloads must be its whole model's.
 */
function podsInNamespaces(context: RuleContext, namespaces: readonly Namespace[], podSelector: LabelSelector): [string, Workload[]][] {
  const workloadsByNamespace = modelIndex(context.model).workloadsByNamespace;
  const dns = dnsEndpoints(context);
  const assumedNamespace = dns.declared ? undefined : dns.pods[0].namespace;
  const all = context.model.workloads;
  const { names, pods } = namespaceSpread(context.store, namespaces, workloadsByNamespace);
  const out: [string, Workload[]][] = [];
  if (pods >= WIDE_PEER_PODS && pods * 4 >= all.length && indexWorthBuilding(context.store, all)) {
    context.store.podSearches.byIndex++;
    // The candidates grouped by namespace: the model's list and each namespace's share one order (input order).
    const groups = new Map<string, Workload[]>();
    for (const w of itemsOfListMatching(context.store, all, 'pod', podLabels, podSelector)) {
      if (!names.has(w.namespace)) continue;
      const group = groups.get(w.namespace);
      if (group) group.push(w);
      else groups.set(w.namespace, [w]);
    }
    if (assumedNamespace !== undefined && names.has(assumedNamespace)) {
      const assumed = dns.pods.filter((w) => matchesSelector(podSelector, w.podLabels));
      if (assumed.length > 0) groups.set(assumedNamespace, [...(groups.get(assumedNamespace) ?? []), ...assumed]);
    }
    // `namespaces` are in `allNamespaces` order, as positions are.
    const position = namespacePositions.get(context);
    for (const entry of groups) out.push(entry);
    return out.sort((a, b) => position.get(a[0])! - position.get(b[0])!);
  }
  context.store.podSearches.byScan++;
  for (const ns of namespaces) {
    const matched: Workload[] = [];
    for (const w of workloadsByNamespace.get(ns.name) ?? []) if (matchesSelector(podSelector, w.podLabels)) matched.push(w);
    if (ns.name === assumedNamespace) for (const w of dns.pods) if (matchesSelector(podSelector, w.podLabels)) matched.push(w);
    if (matched.length > 0) out.push([ns.name, matched]);
  }
  return out;
}

/**
 * Namespaces with at least this many pods in all are searched by the model-wide label index when they also hold a
 * quarter of the model's pods (building the index once per model costs about as much as a few such searches).
 */
const WIDE_PEER_PODS = 48;

const WIDE_SCANS = defineQuery<readonly Workload[], number>({
  name: 'wide-scans',
  reads: ['workloads'],
  lifetime: 'model',
  description: "wide searches of a model's pods made by scanning, before its label index is built (Store.tuning)",
});

function indexWorthBuilding(store: Store, workloads: readonly Workload[]): boolean {
  if (hasLabelIndex(store, workloads, 'pod')) return true;
  const query = store.query(WIDE_SCANS);
  const scans = (query.peek(workloads) ?? 0) + 1;
  query.set(workloads, scans);
  return scans > store.tuning.wideScansBeforeIndex;
}

const SPREADS = defineQuery<readonly Namespace[], { byNamespace: ReadonlyMap<string, readonly Workload[]>; names: Set<string>; pods: number }>({
  name: 'namespace-spread',
  reads: ['namespaces', 'workloads'],
  lifetime: 'model',
  description: 'per list of namespaces (namespacesMatching shares one per selector), their names and how many pods they hold',
});

function namespaceSpread(store: Store, namespaces: readonly Namespace[], byNamespace: ReadonlyMap<string, readonly Workload[]>): { names: Set<string>; pods: number } {
  const query = store.query(SPREADS);
  let spread = query.peek(namespaces);
  if (!spread || spread.byNamespace !== byNamespace) {
    const names = new Set<string>();
    let pods = 0;
    for (const ns of namespaces) {
      names.add(ns.name);
      pods += byNamespace.get(ns.name)?.length ?? 0;
    }
    spread = { byNamespace, names, pods };
    query.set(namespaces, spread);
  }
  return spread;
}

/** Whether a pod peer selects any pod. */
export function peerSelectsAnyPod(context: RuleContext, policy: NetworkPolicy, peer: PodPeer): boolean {
  const known = cachesOf(context).byPeer.get(peer);
  if (known) return known.length > 0;
  // In an incremental run (a view of the model), the pods a peer selected in the last model are updated for the
  // changed namespaces, which costs less than searching every pod again; a whole run stops at the first pod.
  if (peer.namespaceSelector && peer.podSelector && (viewFacts(context.model) !== undefined || context.store.query(LAST_PEER_PODS).has(peer))) return podsOfPeer(context, policy, peer).length > 0;
  const selector = peer.podSelector;
  // Without a podSelector, any pod of a matched namespace will do: no need to gather them.
  if (peer.namespaceSelector && !selector) return namespacesMatching(context, peer.namespaceSelector).some((ns) => namespaceCandidates(context, ns.name).length > 0);
  if (!selector) return peerCandidates(context, policy, peer).length > 0;
  if (!peer.namespaceSelector) return anyPodMatches(context, policy.namespace, selector);
  return peerCandidates(context, policy, peer).some((w) => matchesSelector(selector, w.podLabels));
}

/** Pods a policy's spec.podSelector selects. */
export function podsOfPolicy(context: RuleContext, policy: NetworkPolicy): Workload[] {
  return workloadsIn(context.model, policy.namespace).filter((w) => matchesSelector(policy.podSelector, w.podLabels));
}

export interface DnsEndpoints {
  /** Declared DNS pods, or one assumed pod with the configured labels (id < 0, never reported). */
  pods: Workload[];
  /** Whether the pods are declared in the workspace (or the configuration's objects). */
  declared: boolean;
  /** Ports the DNS pods listen on, with where they came from. */
  ports: number[];
  cidrs: { text: string; range: IpRange }[];
  /** `kube-system pods k8s-app=kube-dns` for messages. */
  description: string;
}

const DNS_ENDPOINTS = defineQuery<Model, DnsEndpoints>({
  name: 'dns-endpoints',
  reads: ['workloads', 'config.dns'],
  lifetime: 'model',
  description: 'the cluster DNS pods, their ports and address blocks',
});

/**
 * The cluster DNS endpoints of the configuration: the pods with the DNS labels in the DNS namespace (an assumed
 * pod when the workspace declares none), their DNS ports (the DNS pods' container ports named dns*, else their UDP
 * container ports, else the configured ports, else 53) and the extra DNS address blocks (NodeLocal DNSCache).
 */
export function dnsEndpoints(context: { model: Model; config: WorkspaceConfig; store: Store }): DnsEndpoints {
  // Always those of the whole model: a view's narrowed workloads may leave the DNS pods out.
  return context.store.query(DNS_ENDPOINTS).get(baseModel(context.model), (model) => makeDnsEndpoints(model, context.config));
}

function makeDnsEndpoints(model: Model, config: WorkspaceConfig): DnsEndpoints {
  const dns = config.dns;
  const selector: LabelSelector = {
    requirements: Object.entries(dns.podLabels).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })),
    matchLabels: dns.podLabels,
    problems: [],
  };
  let pods = (listsByNamespace(model).workloads.get(dns.namespace) ?? []).filter((w) => matchesSelector(selector, w.podLabels));
  const declared = pods.length > 0;
  if (!declared) pods = [assumedDnsPod(model, dns.namespace, dns.podLabels, dns.ports.length ? dns.ports : [53])];
  // The DNS pods' own ports when they declare them: those named dns…, else their UDP ports (DNS is the UDP service
  // of such pods; metrics and health ports are TCP).
  const portsOf = (keep: (p: Workload['containerPorts'][number]) => boolean) =>
    [...new Set(pods.flatMap((w) => w.containerPorts.filter(keep).map((p) => p.containerPort)))].sort((a, b) => a - b);
  let declaredPorts = declared ? portsOf((p) => /^dns/.test(p.name ?? '')) : [];
  if (declared && declaredPorts.length === 0) declaredPorts = portsOf((p) => p.protocol === 'UDP');
  const ports = declaredPorts.length > 0 ? declaredPorts : dns.ports.length > 0 ? [...dns.ports] : [53];
  const cidrs: DnsEndpoints['cidrs'] = [];
  for (const text of dns.cidrs) {
    const range = parseCidr(text);
    if (typeof range !== 'string') cidrs.push({ text, range });
  }
  const result: DnsEndpoints = {
    pods,
    declared,
    ports,
    cidrs,
    description: `the DNS pods (${formatSelector(selector)} in ${dns.namespace})`,
  };
  return result;
}

/** A stand-in for the cluster DNS pods, with the container ports CoreDNS and kube-dns declare (dns, dns-tcp). */
function assumedDnsPod(model: Model, namespace: string, labels: Record<string, string>, ports: number[]): Workload {
  const object: K8sObject = {
    uri: '',
    kind: 'Pod',
    apiVersion: 'v1',
    name: 'cluster-dns',
    namespace,
    value: { metadata: { name: 'cluster-dns', namespace, labels } },
    node: undefined,
    range: [0, 0],
    documentIndex: -1,
  };
  return {
    // Negative ids never collide with the model's dense ids (and so with the analysis caches).
    id: -1 - model.workloads.length,
    kind: 'Pod',
    name: 'cluster-dns',
    namespace,
    podLabels: { ...labels },
    objectLabels: { ...labels },
    containerPorts: ports.flatMap((containerPort) => [
      { name: 'dns', containerPort, protocol: 'UDP' as const, container: 'dns', path: [] },
      { name: 'dns-tcp', containerPort, protocol: 'TCP' as const, container: 'dns', path: [] },
    ]),
    replicated: true,
    hostNetwork: false,
    podIps: [],
    object,
    assumed: true,
    displayName: `${namespace}/cluster-dns`,
    templatePath: [],
  };
}

export const DNS_PROTOCOLS: readonly Protocol[] = ['UDP', 'TCP'];

/**
 * OpenShift's cluster DNS: CoreDNS pods labelled dns.operator.openshift.io/daemonset-dns in namespace openshift-dns,
 * listening on 5353 (the dns-default Service maps 53 to it), so policies written for OpenShift allow port 5353
 * (cilium-cli's own DNS policy allows both). A stand-in pod, for rules that ask whether egress reaches it.
 */
export const OPENSHIFT_DNS = { namespace: 'openshift-dns', podLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' }, port: 5353 } as const;

const openShiftDnsCache = new WeakMap<Model, Workload>();

export function openShiftDnsPod(model: Model): Workload {
  const base = baseModel(model);
  let pod = openShiftDnsCache.get(base);
  if (!pod) {
    pod = assumedDnsPod(base, OPENSHIFT_DNS.namespace, OPENSHIFT_DNS.podLabels, [OPENSHIFT_DNS.port]);
    // Its own negative id: the configured DNS stand-in takes -1 - workloads.length.
    pod = { ...pod, id: -2 - base.workloads.length, name: 'dns-default', displayName: `${OPENSHIFT_DNS.namespace}/dns-default` };
    openShiftDnsCache.set(base, pod);
  }
  return pod;
}

/** Whether the files hold OpenShift objects (an API group of openshift.io: Routes, DeploymentConfigs, SCCs...). */
export function showsOpenShift(model: Model): boolean {
  return baseModel(model).objects.some((o) => /(^|\.)openshift\.io\//.test(o.apiVersion));
}

/**
 * A rule that reports the problems of one code the policy reader recorded (values the API server rejects).
 * `fixesFor` may offer quick fixes for a problem.
 */
export function policyProblemRule(
  id: string,
  description: string,
  fixesFor?: (context: RuleContext, policy: NetworkPolicy, problem: PolicyProblem) => QuickFix[] | undefined,
  skip?: (context: RuleContext, policy: NetworkPolicy, problem: PolicyProblem) => boolean,
): Rule {
  return {
    id,
    defaultSeverity: 'error',
    unit: 'policy',
    description,
    run(context) {
      for (const policy of context.model.policies) {
        if (!inWorkspace(context, policy.object)) continue;
        for (const problem of policy.problems) {
          if (problem.code !== id || skip?.(context, policy, problem)) continue;
          const message = `${problem.message}.${problem.rejected ? rejectionNote(policy) : ''}`.replace(/\.\./g, '.');
          const fixes = context.wantFixes ? fixesFor?.(context, policy, problem) : undefined;
          context.report({
            message,
            location: locate(policy.object, problem.path),
            severity: problem.rejected ? undefined : problem.severity,
            ...(fixes && fixes.length ? { fixes } : {}),
          });
        }
      }
    },
  };
}

export function capitalize(s: string): string {
  return s.length ? s[0].toUpperCase() + s.slice(1) : s;
}


/** A fix that appends one more YAML document (a new object) to a file; undefined for JSON files (one object each). */
export function appendDocumentFix(context: RuleContext, uri: string, value: unknown, title: string): QuickFix | undefined {
  const file = context.file(uri);
  if (!file || looksLikeJson(file.text)) return undefined;
  const text = file.text;
  const eol = detectEol(text);
  const body = ['---', ...snippetLines(value, text)].join(eol) + eol;
  const prefix = text.length > 0 && !text.endsWith('\n') ? eol : '';
  return { title, edits: [{ uri, range: [text.length, text.length], newText: prefix + body }] };
}

/** A policy name not yet taken in a namespace, from a base. */
export function freePolicyName(context: RuleContext, namespace: string, base: string): string {
  const taken = new Set((baseModel(context.model).policiesByNamespace.get(namespace) ?? []).map((p) => p.name));
  let name = base.slice(0, 63).replace(/-+$/, '');
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60).replace(/-+$/, '')}-${i}`;
  return name;
}

// ---- What the files know: open world -------------------------------------------------------------------------

/** API groups of Kubernetes itself: their kinds make pods only as the workload kinds the model reads. */
const BUILT_IN_GROUP = /(^|\.)k8s\.io$|^(apps|batch|policy|autoscaling|v1)$/;

/**
 * Whether an object may make pods the files do not show: a custom resource of a kind the model does not read as a
 * workload, with a pod template or containers in its spec (an Argo Rollout, a Knative Service, an operator's
 * cluster resource).
 */
function mayMakePods(object: K8sObject): boolean {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : 'v1';
  if (BUILT_IN_GROUP.test(group)) return false;
  const spec = (object.value as { spec?: unknown }).spec;
  return hasPodShape(spec, 0);
}

// Keys of a spec that describe pods: a pod template or spec, or what only runs as pods (replicas, image, scheduling).
const POD_SHAPE_KEYS = ['containers', 'podTemplate', 'podMetadata', 'podSpec', 'template', 'replicas', 'image', 'affinity', 'tolerations', 'nodeSelector'];

function hasPodShape(value: unknown, depth: number): boolean {
  if (depth > 3 || typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const map = value as Record<string, unknown>;
  for (const key of POD_SHAPE_KEYS) if (key in map) return true;
  for (const key of Object.keys(map)) if (hasPodShape(map[key], depth + 1)) return true;
  return false;
}

function basenameOf(uri: string): string {
  return uri.slice(uri.lastIndexOf('/') + 1);
}

export interface NamespaceEvidence {
  /** The files hold the namespace's workloads and nothing in it may make pods they do not show. */
  complete: boolean;
  /** What is unknown, for messages: "namespace x has no workloads in the files". */
  unknown: string;
}

const NAMESPACE_EVIDENCE = defineQuery<Model, Map<string, NamespaceEvidence>>({
  name: 'namespace-evidence',
  reads: ['namespaces', 'workloads', 'objects', 'skipped-workloads'],
  lifetime: 'model',
  description: 'per namespace, whether the files know every pod of it, and what is unknown',
});

/**
 * Whether the workspace knows every pod of a namespace. A namespace with no workload in the files (named only by a
 * policy's metadata.namespace or a selector) exists with pods the files do not show; so does one that holds custom
 * resources whose operators make pods.
 */
export function namespaceEvidence(context: { model: Model; store: Store }, namespace: string): NamespaceEvidence {
  const model = baseModel(context.model);
  const byName = context.store.query(NAMESPACE_EVIDENCE).get(model, () => new Map());
  let evidence = byName.get(namespace);
  if (evidence) return evidence;
  const own = (listsByNamespace(model).workloads.get(namespace) ?? []).filter((w) => !w.assumed);
  const entry = model.namespaces.get(namespace);
  const skipped = skippedWorkloadsOf(model).filter((s) => s.namespace === namespace || s.namespace === '*');
  if (own.length === 0) {
    evidence = { complete: false, unknown: `namespace ${namespace} has no workloads in the files, so its pods are unknown` };
  } else if (skipped.length > 0) {
    evidence = {
      complete: false,
      unknown: `${skipped.length === 1 ? `a ${skipped[0].kind} that was not analysed (a template or a YAML error` : `${skipped.length} workloads that were not analysed (templates or YAML errors`}, in ${basenameOf(skipped[0].uri)}) may run pods there`,
    };
  } else if (entry?.external) {
    evidence = { complete: false, unknown: `namespace ${namespace} is declared in .netpol.yaml as living outside the repository` };
  } else {
    // Custom resources read as workloads (operator kinds) are known.
    const read = new Set(own.map((w) => w.object));
    const makers = objectsInNamespace(model, namespace).filter((o) => !read.has(o) && mayMakePods(o));
    evidence = makers.length
      ? { complete: false, unknown: `namespace ${namespace} also holds ${listNames(makers.map((o) => `${o.kind} ${o.name}`), 2)}, whose pods the files do not show` }
      : { complete: true, unknown: '' };
  }
  byName.set(namespace, evidence);
  return evidence;
}

/**
 * What the files do not show of the pods a selector could match in these namespaces (undefined: in any namespace),
 * or undefined when the files show all of them: for a "matches nothing" finding to say instead of asserting.
 */
export function unknownPodsIn(context: { model: Model; store: Store }, namespaces: readonly string[] | undefined): string | undefined {
  if (namespaces === undefined) return 'it reaches every namespace, and pods of namespaces the files do not show are unknown';
  for (const namespace of [...namespaces].sort()) {
    const evidence = namespaceEvidence(context, namespace);
    if (!evidence.complete) return evidence.unknown;
  }
  return undefined;
}

/**
 * Namespaces a selector names by `kubernetes.io/metadata.name` (matchLabels or an `In` expression): they exist in
 * the cluster even when no Namespace object of the files declares them.
 */
export function namespacesNamedBy(selector: LabelSelector): string[] {
  const names = new Set<string>();
  const byLabel = selector.matchLabels?.['kubernetes.io/metadata.name'];
  if (typeof byLabel === 'string') names.add(byLabel);
  for (const r of selector.requirements) if (r.key === 'kubernetes.io/metadata.name' && r.operator === 'In' && r.values.length === 1) names.add(r.values[0]);
  return [...names];
}

const INSTALL_BUNDLE = defineQuery<Model, boolean>({
  name: 'install-bundle',
  reads: ['workloads', 'objects'],
  lifetime: 'model',
  description: 'whether the namespace-less objects form a bundle applied with kubectl apply -n',
});

/**
 * Whether the objects without metadata.namespace form an install bundle: namespace-less workloads and policies
 * that `kubectl apply -n <namespace>` puts into one namespace chosen at apply time (the model's default namespace
 * stands for it).
 */
export function isInstallBundle(context: { model: Model; store: Store }): boolean {
  return context.store
    .query(INSTALL_BUNDLE)
    .get(baseModel(context.model), (base) =>
      (listsByNamespace(base).workloads.get(base.defaultNamespace) ?? []).some((w) => !w.assumed && w.object.namespace === undefined && objectNamespace(base, w.object) === base.defaultNamespace),
    );
}

/** How messages name a namespace: the bundle's namespace is the one chosen at apply time. */
export function namespaceTitle(context: { model: Model; store: Store }, namespace: string): string {
  return namespace === baseModel(context.model).defaultNamespace && isInstallBundle(context)
    ? `the namespace the manifests are applied to (kubectl apply -n; analysed as "${namespace}")`
    : `namespace ${namespace}`;
}

/**
 * Whether a cluster-wide policy (the AdminNetworkPolicy API's, Calico's) that selects the pod has an ingress Allow
 * rule: it may admit what the pod's NetworkPolicies deny, so rules that read only the NetworkPolicies stay silent.
 */
export function clusterWideAllowsIngress(context: RuleContext, w: Workload): boolean {
  if (!context.analysis.tiered) return false;
  if (context.analysis.clusterRules(w, 'ingress').rules.some((r) => r.rule.action === 'allow')) return true;
  const calico = context.analysis.calico;
  return calico !== undefined && calico.selectingPolicies(w, 'ingress').some((p) => p.ingress.some((r) => r.action === 'allow'));
}
