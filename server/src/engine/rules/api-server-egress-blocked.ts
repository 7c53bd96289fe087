// A workload that talks to the Kubernetes API (its ServiceAccount is a subject of a RoleBinding or
// ClusterRoleBinding in the files) is isolated for egress, and no egress rule allows the API server: the classic
// breakage after a namespace-wide default deny. The API server's address is outside the pod network (its own
// hosts, or a managed control plane), so only rules without `to` or with an ipBlock can allow it; with
// `apiServer.cidrs` in .netpol.yaml, the evaluation decides for those addresses. Findings sit on workloads; they
// read the bindings of other namespaces (cluster-scoped ones count in the default namespace), which `readersOf`
// tells the incremental runner.
import { defineQuery, type Store } from '../store';
import { parseCidr } from '../cidr';
import { ipEndpoint, workloadEndpoint } from '../evaluate';
import { listsByNamespace, objectNamespace, objectsInNamespace, type Model, type Workload } from '../model';
import { isPlainObject, type K8sObject } from '../parse';
import { PortSet } from '../portset';
import { appendDocumentFix, baseModel, freePolicyName, inWorkspace, listNames, locate, policyName } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

interface Binding {
  object: K8sObject;
  serviceAccount: string;
  /** The subject's namespace, or undefined when it names none (a RoleBinding: its own namespace applies). */
  namespace: string;
  /** Whether the binding names no namespace anywhere (a namespace-less bundle applied with -n). */
  namespaceFree: boolean;
}

/** The ServiceAccount subjects of a namespace's bindings (kept per list of objects: unchanged namespaces keep it). */
const BINDINGS_OF_LIST = defineQuery<readonly K8sObject[], Binding[]>({
  name: 'rbac-bindings-of-namespace',
  reads: ['objects'],
  lifetime: 'model',
  description: "the ServiceAccount subjects of a namespace's RBAC bindings",
});

function namespaceBindings(context: RuleContext, model: Model, objects: readonly K8sObject[]): Binding[] {
  return context.store.query(BINDINGS_OF_LIST).get(objects, () => readBindings(context, model, objects));
}

function readBindings(context: RuleContext, model: Model, objects: readonly K8sObject[]): Binding[] {
  const out: Binding[] = [];
  for (const object of objects) {
    if (!BINDING_KINDS.has(object.kind) || !inWorkspace(context, object)) continue;
    const subjects = object.value.subjects;
    if (!Array.isArray(subjects)) continue;
    for (const s of subjects) {
      if (!isPlainObject(s) || s.kind !== 'ServiceAccount' || typeof s.name !== 'string') continue;
      // RBAC: a ServiceAccount subject of a RoleBinding without a namespace is in the binding's namespace.
      const explicit = typeof s.namespace === 'string' && s.namespace !== '' ? s.namespace : undefined;
      const namespace = explicit ?? (object.kind === 'RoleBinding' ? objectNamespace(model, object) : undefined);
      if (namespace === undefined) continue;
      out.push({ object, serviceAccount: s.name, namespace, namespaceFree: explicit === undefined && object.namespace === undefined });
    }
  }
  return out;
}

/** Namespaces that may hold objects (cluster-scoped ones count in the default namespace). */
function namespaceNames(model: Model): Set<string> {
  return new Set([...model.namespaces.keys(), model.defaultNamespace]);
}

const ALL_BINDINGS = defineQuery<Model, Map<string, Binding[]>>({
  name: 'rbac-bindings',
  reads: ['objects'],
  lifetime: 'model',
  description: 'the RBAC bindings of every namespace, by namespace',
});

/** The bindings of every namespace, by namespace (once per model: `dependents` and `run` both ask). */
function allBindings(context: RuleContext): Map<string, Binding[]> {
  return context.store.query(ALL_BINDINGS).get(baseModel(context.model), (model) => {
    const out = new Map<string, Binding[]>();
    for (const ns of namespaceNames(model)) {
      const list = namespaceBindings(context, model, objectsInNamespace(model, ns));
      if (list.length) out.set(ns, list);
    }
    return out;
  });
}

/** Whether a list of workloads holds one without metadata.namespace (kept per list). */
const NAMESPACE_FREE_LISTS = defineQuery<readonly Workload[], boolean>({
  name: 'namespace-free-workloads',
  reads: ['workloads'],
  lifetime: 'model',
  description: 'whether a list of workloads holds one without metadata.namespace',
});

function hasNamespaceFreeWorkload(store: Store, list: readonly Workload[]): boolean {
  return store.query(NAMESPACE_FREE_LISTS).get(list, () => list.some((w) => !w.assumed && w.object.namespace === undefined));
}

function serviceAccountOf(w: Workload): { name: string; automount: boolean } {
  let spec: unknown = w.object.value;
  for (const key of [...w.templatePath, 'spec']) spec = isPlainObject(spec) ? spec[key] : undefined;
  const podSpec = isPlainObject(spec) ? spec : {};
  const name = typeof podSpec.serviceAccountName === 'string' ? podSpec.serviceAccountName : typeof podSpec.serviceAccount === 'string' ? podSpec.serviceAccount : 'default';
  return { name, automount: podSpec.automountServiceAccountToken !== false };
}

export const apiServerEgressBlocked: Rule = {
  id: 'api-server-egress-blocked',
  defaultSeverity: 'warning',
  // Also read other namespaces (RBAC bindings; monitors' targets and the Prometheus pods): their `readersOf` says
  // which namespaces read a changed one, and the runner re-runs those too.
  unit: 'namespace',
  description: 'A workload whose ServiceAccount has RBAC bindings is isolated for egress and nothing allows the API server.',
  readersOf(context, changed) {
    // A binding is read by its subject's namespace, by namespaces of namespace-less workloads, and by every
    // namespace when the binding itself names none.
    const model = baseModel(context.model);
    const readers = new Set<string>();
    let any = false;
    for (const ns of changed) {
      for (const b of namespaceBindings(context, model, objectsInNamespace(model, ns))) {
        if (b.namespaceFree) return 'all';
        readers.add(b.namespace);
        any = true;
      }
    }
    if (any) for (const [ns, list] of listsByNamespace(model).workloads) if (hasNamespaceFreeWorkload(context.store, list)) readers.add(ns);
    return readers;
  },
  run(context) {
    const bindings = new Map<string, Binding[]>();
    for (const list of allBindings(context).values()) {
      for (const b of list) {
        const known = bindings.get(b.serviceAccount);
        if (known) known.push(b);
        else bindings.set(b.serviceAccount, [b]);
      }
    }
    if (bindings.size === 0) return;
    const { cidrs: cidrTexts, ports: portList } = context.config.apiServer;
    let apiPorts = PortSet.NONE;
    for (const p of portList) apiPorts = apiPorts.union(PortSet.of('TCP', p, p));
    const ranges = cidrTexts.map((t) => parseCidr(t)).filter((r) => typeof r !== 'string');
    const portText = portList.map((p) => `TCP ${p}`).join(' or ');
    for (const w of context.model.workloads) {
      if (w.assumed || w.hostNetwork || !inWorkspace(context, w.object)) continue;
      const sa = serviceAccountOf(w);
      if (!sa.automount) continue;
      // A namespace-less workload goes wherever it is applied: a binding naming its ServiceAccount in any namespace
      // (bundles name the namespace they expect) is taken as its own.
      const namespaceFree = w.object.namespace === undefined;
      const bound = (bindings.get(sa.name) ?? []).filter((b) => b.namespace === w.namespace || namespaceFree || b.namespaceFree);
      if (bound.length === 0) continue;
      const policies = context.analysis.isolatingPolicies(w, 'egress');
      if (policies.length === 0) continue;
      let allowed: boolean;
      if (ranges.length > 0) {
        allowed = ranges.some((range) => !context.analysis.egressAllowed(workloadEndpoint(w), ipEndpoint(range)).intersect(apiPorts).isEmpty());
      } else {
        // Unknown address: any rule toward the outside world (no `to`, or an ipBlock) on an API port may reach it.
        allowed = policies.some((p) =>
          p.egress.some((rule) => (!rule.peers || rule.peers.some((peer) => peer.type === 'ipBlock')) && !context.analysis.rulePorts(rule, ipEndpoint(ranges[0] ?? ANY_V4)).intersect(apiPorts).isEmpty()),
        );
      }
      if (allowed) continue;
      const where = ranges.length > 0 ? `the API server (${cidrTexts.join(', ')}) on ${portText}` : `any address outside the cluster on ${portText}, where the API server is`;
      // With the API server's addresses configured, a policy allowing exactly them for these pods adds nothing else.
      const fix = context.wantFixes && ranges.length > 0 ? apiServerPolicyFix(context, w, cidrTexts, portList) : undefined;
      context.report({
        ...(fix ? { fixes: [fix] } : {}),
        message:
          `${w.displayName} runs as ServiceAccount ${sa.name}, which ${listNames(bound.map((b) => `${b.object.kind} ${b.object.name}`))} grant${bound.length === 1 ? 's' : ''} API access, ` +
          `but ${listNames(policies.map(policyName))} isolate${policies.length === 1 ? 's' : ''} its egress and no egress rule allows ${where}. ` +
          `Set apiServer.cidrs and apiServer.ports in .netpol.yaml if the API server is elsewhere.`,
        location: locate(w.object, ['metadata', 'name']),
        related: bound.map((b) => ({ location: locate(b.object, ['metadata', 'name']), message: `binds ServiceAccount ${sa.name}` })),
      });
    }
  },
};

function apiServerPolicyFix(context: RuleContext, w: Workload, cidrs: string[], ports: number[]): QuickFix | undefined {
  if (Object.keys(w.podLabels).length === 0) return undefined;
  const name = freePolicyName(context, w.namespace, `${w.name}-allow-api-server`);
  const metadata = w.object.namespace !== undefined ? { name, namespace: w.namespace } : { name };
  return appendDocumentFix(
    context,
    w.object.uri,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata,
      spec: {
        podSelector: { matchLabels: { ...w.podLabels } },
        policyTypes: ['Egress'],
        egress: [{ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
      },
    },
    `Add a policy letting ${w.displayName} reach the API server (${cidrs.join(', ')})`,
  );
}

const ANY_V4 = (() => {
  const r = parseCidr('0.0.0.0/0');
  if (typeof r === 'string') throw new Error(r);
  return r;
})();
