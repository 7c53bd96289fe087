// Policy kinds that the engine does not analyse yet, in ONE list: each object of them gets one information finding,
// and the verdicts it could change are marked uncertain (reach, matrix, list, hovers) instead of exact. Parts of
// analysed kinds that are not analysed (Calico's and Cilium's) mark verdicts uncertain through the analysis itself
// (DirectionResult.uncertain).
import type { Endpoint } from './evaluate';
import { changesSince, lineageOf, objectNamespace, objectsInNamespace, type Model, type ModelLineage, type Workload } from './model';
import type { K8sObject } from './parse';

export interface NotAnalysedKind {
  kind: string;
  /** API groups the kind comes in. */
  groups: readonly string[];
  /** `namespace`: it can change verdicts of the pods of its namespace; `cluster`: of every pod. */
  reach: 'namespace' | 'cluster';
  /** Who enforces it, for messages. */
  enforcer: string;
}

/** The policy kinds not analysed yet. Remove a kind here when the engine learns it (the AdminNetworkPolicy API's
 * kinds left when cluster-policy.ts learnt them, Calico's when calico-policy.ts did, Cilium's when the shared
 * analysis ran every view through cilium-evaluate.ts; the parts of Cilium policies it does not analyse, such as
 * fromRequires, nodes and cloud groups, make the verdicts they could change uncertain there, per port). */
export const NOT_ANALYSED_KINDS: readonly NotAnalysedKind[] = [
  // The mesh's root namespace (istio-system by default) makes an AuthorizationPolicy mesh-wide.
  { kind: 'AuthorizationPolicy', groups: ['security.istio.io'], reach: 'namespace', enforcer: 'Istio' },
];

/** Istio's default root namespace: an AuthorizationPolicy there applies to the whole mesh. */
const ISTIO_ROOT_NAMESPACE = 'istio-system';

/** The not-analysed kind of an object, if it is one. */
export function notAnalysedKindOf(object: Pick<K8sObject, 'kind' | 'apiVersion'>): NotAnalysedKind | undefined {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return NOT_ANALYSED_KINDS.find((k) => k.kind === object.kind && k.groups.includes(group));
}

/** Whether an object applies cluster-wide (a cluster kind, or a namespaced kind in a root namespace). */
export function appliesClusterWide(kind: NotAnalysedKind, namespace: string): boolean {
  return kind.reach === 'cluster' || (kind.kind === 'AuthorizationPolicy' && namespace === ISTIO_ROOT_NAMESPACE);
}

interface ModelUncertainty {
  clusterWide: K8sObject[];
  byNamespace: Map<string, K8sObject[]>;
  /** Every not-analysed object by the namespace it lives in (cluster-wide ones included), for updates. */
  byHome: Map<string, K8sObject[]>;
}

const cache = new WeakMap<Model, ModelUncertainty>();
/** The last model's reading, updated for the namespaces an edit changed (walking every object per edit costs). */
let last: { lineage: ModelLineage; uncertainty: ModelUncertainty } | undefined;

function uncertaintyOfModel(model: Model): ModelUncertainty {
  let known = cache.get(model);
  if (known) return known;
  const byHome = new Map<string, K8sObject[]>();
  const changed = last ? changesSince(last.lineage, model) : undefined;
  if (last && changed) {
    for (const [ns, list] of last.uncertainty.byHome) if (!changed.namespaces.has(ns)) byHome.set(ns, list);
    for (const ns of changed.namespaces) {
      const list = objectsInNamespace(model, ns).filter((o) => notAnalysedKindOf(o) !== undefined);
      if (list.length) byHome.set(ns, list);
    }
  } else {
    for (const o of model.objects) {
      if (!notAnalysedKindOf(o)) continue;
      const namespace = objectNamespace(model, o);
      const list = byHome.get(namespace);
      if (list) list.push(o);
      else byHome.set(namespace, [o]);
    }
  }
  known = { clusterWide: [], byNamespace: new Map(), byHome };
  for (const [namespace, list] of byHome) {
    for (const o of list) {
      if (appliesClusterWide(notAnalysedKindOf(o)!, namespace)) known.clusterWide.push(o);
      else {
        const own = known.byNamespace.get(namespace);
        if (own) own.push(o);
        else known.byNamespace.set(namespace, [o]);
      }
    }
  }
  cache.set(model, known);
  last = { lineage: lineageOf(model), uncertainty: known };
  return known;
}

/**
 * The not-analysed objects that may change verdicts between two endpoints (either may be an address range): the
 * cluster-wide ones and those of either workload's namespace. Empty: the verdicts are exact.
 */
export function uncertaintyBetween(model: Model, a: Endpoint | Workload, b?: Endpoint | Workload): K8sObject[] {
  const known = uncertaintyOfModel(model);
  if (known.clusterWide.length === 0 && known.byNamespace.size === 0) return [];
  const out = [...known.clusterWide];
  const namespaces = new Set<string>();
  for (const e of [a, b]) {
    if (!e) continue;
    const w = 'type' in e ? (e.type === 'workload' ? e.workload : undefined) : e;
    if (w) namespaces.add(w.namespace);
  }
  for (const ns of namespaces) out.push(...(known.byNamespace.get(ns) ?? []));
  return out;
}

/** "AuthorizationPolicy shop/allow-web and 2 more", for messages. */
export function describeUncertainty(model: Model, objects: readonly K8sObject[], max = 2): string {
  const names = objects.map((o) => `${o.kind} ${notAnalysedKindOf(o)?.reach === 'namespace' ? `${objectNamespace(model, o)}/` : ''}${o.name}`);
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Whether the model holds any object of a not-analysed kind (reports mark nothing otherwise). */
export function hasNotAnalysed(model: Model): boolean {
  const known = uncertaintyOfModel(model);
  return known.clusterWide.length > 0 || known.byNamespace.size > 0;
}
