// A scrape target (a ServiceMonitor endpoint, a PodMonitor endpoint, or the `prometheus.io/scrape` convention on a
// Service or a pod template) names a port that the target pods' ingress does not admit from the Prometheus pods.
// The Prometheus pods are the workloads of the files that run Prometheus (label value `prometheus` under
// app.kubernetes.io/name, app, name or k8s-app; pods an operator makes from a `Prometheus` resource once the model
// has them), else those `prometheus` in .netpol.yaml names. Without them, a finding only where no ingress rule
// admits the port from anyone, saying that the Prometheus pods are unknown. Findings sit in the monitor or the
// annotated object; they read the Prometheus pods' namespaces and a monitor's target namespaces, which `readersOf`
// tells the incremental runner.
import { defineQuery, type Store } from '../store';
import { workloadEndpoint } from '../evaluate';
import { listsByNamespace, objectNamespace, objectsInNamespace, type Model, type Service, type Workload } from '../model';
import { isPlainObject, type K8sObject } from '../parse';
import type { Path } from '../policy';
import { matchesSelector, readSelector, type LabelSelector } from '../selectors';
import { appendDocumentFix, baseModel, clusterWideAllowsIngress, freePolicyName, inWorkspace, listNames, locate, podNames, policyName } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

const PROMETHEUS_NAME_KEYS = ['app.kubernetes.io/name', 'app', 'name', 'k8s-app'];

/** A port some monitor or annotation asks Prometheus to scrape on some pods. */
interface Target {
  pods: Workload[];
  port: number;
  /** How the target was named, for the message. */
  what: string;
  object: K8sObject;
  path: Path;
}

const isPrometheus = (w: Workload) => (w.object.kind as string) === 'Prometheus' || PROMETHEUS_NAME_KEYS.some((k) => w.podLabels[k] === 'prometheus');

/** What the rule reads of each workload or Service object (objects of unchanged files are kept across edits). */
const objectFacts = new WeakMap<K8sObject, { prometheus: boolean; scraped: boolean }>();

function factsOf(w: Workload): { prometheus: boolean; scraped: boolean } {
  let facts = objectFacts.get(w.object);
  if (!facts) objectFacts.set(w.object, (facts = { prometheus: isPrometheus(w), scraped: String(templateAnnotations(w)['prometheus.io/scrape']) === 'true' }));
  return facts;
}

function prometheusIn(list: readonly Workload[]): Workload[] {
  return list.filter((w) => factsOf(w).prometheus);
}

interface PrometheusPods {
  pods: Workload[];
  source: string;
  /** Labels and namespace that select them all, for a fix (undefined when they have none in common). */
  peer?: { namespace: string; labels: Record<string, string> };
}

const PROMETHEUS_PODS = defineQuery<Model, PrometheusPods | undefined>({
  name: 'prometheus-pods',
  reads: ['workloads', 'objects'],
  lifetime: 'model',
  description: 'the Prometheus pods of the model, with labels that select them all',
});

function prometheusPods(context: RuleContext): PrometheusPods | undefined {
  return context.store.query(PROMETHEUS_PODS).get(baseModel(context.model), (model) => findPrometheusPods(context, model));
}

function findPrometheusPods(context: RuleContext, model: Model): PrometheusPods | undefined {
  const found = [...listsByNamespace(model).workloads.values()].flatMap(prometheusIn);
  if (found.length > 0) {
    const key = PROMETHEUS_NAME_KEYS.find((k) => found.every((w) => w.podLabels[k] === 'prometheus'));
    const namespace = found[0].namespace;
    const peer = key && found.every((w) => w.namespace === namespace) ? { namespace, labels: { [key]: 'prometheus' } } : undefined;
    return { pods: found, source: 'in the files', ...(peer ? { peer } : {}) };
  }
  const configured = context.config.prometheus;
  if (!configured) return undefined;
  const selector = labelsSelector(configured.podLabels);
  const pods = (listsByNamespace(model).workloads.get(configured.namespace) ?? []).filter((w) => matchesSelector(selector, w.podLabels));
  return {
    pods: pods.length > 0 ? pods : [configuredPod(configured.namespace, configured.podLabels)],
    source: 'configured in .netpol.yaml',
    peer: { namespace: configured.namespace, labels: configured.podLabels },
  };
}

function labelsSelector(labels: Record<string, string>): LabelSelector {
  return { requirements: Object.entries(labels).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] })), matchLabels: labels, problems: [] };
}

/** A stand-in for configured Prometheus pods that the files do not hold (never reported). */
function configuredPod(namespace: string, labels: Record<string, string>): Workload {
  const object: K8sObject = { uri: '', kind: 'Pod', apiVersion: 'v1', name: 'prometheus', namespace, value: { metadata: { name: 'prometheus', namespace, labels } }, node: undefined, range: [0, 0], documentIndex: -1 };
  return { id: -1_000_000, kind: 'Pod', name: 'prometheus', namespace, podLabels: { ...labels }, objectLabels: { ...labels }, containerPorts: [], podIps: [], replicated: true, hostNetwork: false, object, assumed: true, displayName: `${namespace}/prometheus`, templatePath: [] };
}

/** Namespaces a monitor's spec.namespaceSelector names: `any`, `matchNames`, else the monitor's own. */
function monitorNamespaces(spec: Record<string, unknown>, own: string): (ns: string) => boolean {
  const sel = spec.namespaceSelector;
  if (isPlainObject(sel)) {
    if (sel.any === true) return () => true;
    if (Array.isArray(sel.matchNames) && sel.matchNames.length > 0) {
      const names = new Set(sel.matchNames.filter((n): n is string => typeof n === 'string'));
      return (ns) => names.has(ns);
    }
  }
  return (ns) => ns === own;
}

function serviceLabels(s: Service): Record<string, string> {
  const labels = (s.object.value.metadata as { labels?: unknown } | undefined)?.labels;
  const out: Record<string, string> = {};
  if (isPlainObject(labels)) for (const [k, v] of Object.entries(labels)) if (v !== null && typeof v !== 'object') out[k] = String(v);
  return out;
}

function podsBehind(s: Service, workloads: readonly Workload[]): Workload[] {
  if (!s.selector || Object.keys(s.selector).length === 0) return [];
  return workloads.filter((w) => Object.entries(s.selector!).every(([k, v]) => w.podLabels[k] === v));
}

/** The container port a Service's target port names on a pod (a number, or a name resolved on the pod). */
function podPort(w: Workload, target: number | string): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  return w.containerPorts.find((p) => p.name === target && p.protocol === 'TCP')?.containerPort;
}

/** Per pod port: the pods that serve it. */
function byPort(pairs: [Workload, number | undefined][]): Map<number, Workload[]> {
  const out = new Map<number, Workload[]>();
  for (const [w, port] of pairs) {
    if (port === undefined) continue;
    const list = out.get(port) ?? [];
    if (!list.includes(w)) list.push(w);
    out.set(port, list);
  }
  return out;
}

function annotations(value: unknown): Record<string, unknown> {
  const a = isPlainObject(value) ? value.annotations : undefined;
  return isPlainObject(a) ? a : {};
}

/** The annotations of a workload's pod template. */
function templateAnnotations(w: Workload): Record<string, unknown> {
  let template: unknown = w.object.value;
  for (const key of w.templatePath) template = isPlainObject(template) ? template[key] : undefined;
  return annotations(isPlainObject(template) ? template.metadata : undefined);
}

const scrapedServices = new WeakMap<K8sObject, boolean>();

function scrapedService(s: Service): boolean {
  let known = scrapedServices.get(s.object);
  if (known === undefined) scrapedServices.set(s.object, (known = String(annotations(s.object.value.metadata)['prometheus.io/scrape']) === 'true'));
  return known;
}
const scrapedPods = (w: Workload) => factsOf(w).scraped;

const MONITOR_KINDS = new Set(['ServiceMonitor', 'PodMonitor']);
const MONITORS = defineQuery<readonly K8sObject[], K8sObject[]>({
  name: 'monitors',
  reads: ['objects'],
  lifetime: 'model',
  description: "the ServiceMonitors and PodMonitors of a namespace's objects",
});

function monitorsIn(store: Store, list: readonly K8sObject[]): K8sObject[] {
  return store.query(MONITORS).get(list, () => list.filter((o) => MONITOR_KINDS.has(o.kind)));
}

/** The targets whose findings sit in the context's (possibly narrowed) model; their pods come from the whole model. */
function collectTargets(context: RuleContext): Target[] {
  const model = baseModel(context.model);
  const lists = listsByNamespace(model);
  const own = context.model;
  const targets: Target[] = [];
  const push = (pairs: [Workload, number | undefined][], what: string, object: K8sObject, path: Path) => {
    for (const [port, pods] of byPort(pairs)) targets.push({ pods, port, what, object, path });
  };
  for (const object of own.objects) {
    if ((object.kind !== 'ServiceMonitor' && object.kind !== 'PodMonitor') || !inWorkspace(context, object)) continue;
    const spec = object.value.spec;
    if (!isPlainObject(spec) || !isPlainObject(spec.selector)) continue;
    const selector = readSelector(spec.selector);
    if (selector.problems.length > 0) continue;
    const monitorNamespace = objectNamespace(model, object);
    const inNamespace = monitorNamespaces(spec, monitorNamespace);
    const endpointsKey = object.kind === 'ServiceMonitor' ? 'endpoints' : 'podMetricsEndpoints';
    const endpoints = spec[endpointsKey];
    if (!Array.isArray(endpoints)) continue;
    if (object.kind === 'ServiceMonitor') {
      const services: Service[] = [];
      for (const [ns, list] of lists.services) if (inNamespace(ns)) for (const s of list) if (matchesSelector(selector, serviceLabels(s))) services.push(s);
      endpoints.forEach((e: unknown, i) => {
        if (!isPlainObject(e)) return;
        const pairs: [Workload, number | undefined][] = [];
        for (const s of services) {
          const pods = podsBehind(s, lists.workloads.get(s.namespace) ?? []);
          if (typeof e.port === 'string') {
            const sp = s.ports.find((p) => p.name === e.port && p.protocol === 'TCP');
            if (sp) for (const w of pods) pairs.push([w, podPort(w, sp.targetPort)]);
          } else if (typeof e.targetPort === 'number' || typeof e.targetPort === 'string') {
            for (const w of pods) pairs.push([w, podPort(w, e.targetPort)]);
          }
        }
        const key = typeof e.port === 'string' ? 'port' : 'targetPort';
        push(pairs, `ServiceMonitor ${monitorNamespace}/${object.name} (endpoint ${JSON.stringify(e[key])})`, object, ['spec', endpointsKey, i, key]);
      });
    } else {
      const pods: Workload[] = [];
      for (const [ns, list] of lists.workloads) if (inNamespace(ns)) for (const w of list) if (matchesSelector(selector, w.podLabels)) pods.push(w);
      endpoints.forEach((e: unknown, i) => {
        if (!isPlainObject(e)) return;
        const port = typeof e.port === 'string' ? e.port : typeof e.portNumber === 'number' ? e.portNumber : typeof e.targetPort === 'number' || typeof e.targetPort === 'string' ? e.targetPort : undefined;
        if (port === undefined) return;
        const key = typeof e.port === 'string' ? 'port' : typeof e.portNumber === 'number' ? 'portNumber' : 'targetPort';
        push(
          pods.map((w) => [w, podPort(w, port)]),
          `PodMonitor ${monitorNamespace}/${object.name} (endpoint ${JSON.stringify(port)})`,
          object,
          ['spec', endpointsKey, i, key],
        );
      });
    }
  }
  // The prometheus.io annotations of the Prometheus example configuration: on a Service, its endpoints (the target
  // ports, or prometheus.io/port); on a pod template, each declared container port (or prometheus.io/port).
  for (const s of own.services) {
    if (!inWorkspace(context, s.object) || !scrapedService(s)) continue;
    const a = annotations(s.object.value.metadata);
    const pods = podsBehind(s, lists.workloads.get(s.namespace) ?? []);
    const annotated = a['prometheus.io/port'];
    const fixed = annotated !== undefined && /^\d+$/.test(String(annotated)) ? Number(annotated) : undefined;
    const pairs: [Workload, number | undefined][] = [];
    for (const w of pods) {
      if (fixed !== undefined) pairs.push([w, fixed]);
      else for (const sp of s.ports) if (sp.protocol === 'TCP') pairs.push([w, podPort(w, sp.targetPort)]);
    }
    const path: Path = ['metadata', 'annotations', fixed !== undefined ? 'prometheus.io/port' : 'prometheus.io/scrape'];
    push(pairs, `The prometheus.io/scrape annotation of Service ${s.namespace}/${s.name}`, s.object, path);
  }
  for (const w of own.workloads) {
    if (w.assumed || !inWorkspace(context, w.object) || !scrapedPods(w)) continue;
    const a = templateAnnotations(w);
    const annotated = a['prometheus.io/port'];
    const fixed = annotated !== undefined && /^\d+$/.test(String(annotated)) ? Number(annotated) : undefined;
    const pairs: [Workload, number | undefined][] = fixed !== undefined ? [[w, fixed]] : w.containerPorts.filter((p) => p.protocol === 'TCP').map((p) => [w, p.containerPort]);
    const path: Path = [...w.templatePath, 'metadata', 'annotations', fixed !== undefined ? 'prometheus.io/port' : 'prometheus.io/scrape'];
    push(pairs, `The prometheus.io/scrape annotation of ${w.displayName}'s pods`, w.object, path);
  }
  return targets;
}

/**
 * A new policy admitting the Prometheus pods to the blocked pods on the scraped port: policies only add, so it opens
 * that port to those pods and nothing else. Only for pods of one workload with labels, in the workload's file.
 */
function scrapePolicyFix(context: RuleContext, blocked: Workload[], port: number, prometheus: { namespace: string; labels: Record<string, string> }): QuickFix | undefined {
  if (blocked.length !== 1) return undefined;
  const w = blocked[0];
  if (Object.keys(w.podLabels).length === 0) return undefined;
  const name = freePolicyName(context, w.namespace, `${w.name}-allow-metrics-scrape`);
  const from =
    prometheus.namespace === w.namespace
      ? { podSelector: { matchLabels: { ...prometheus.labels } } }
      : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': prometheus.namespace } }, podSelector: { matchLabels: { ...prometheus.labels } } };
  return appendDocumentFix(
    context,
    w.object.uri,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: w.object.namespace !== undefined ? { name, namespace: w.namespace } : { name },
      spec: { podSelector: { matchLabels: { ...w.podLabels } }, policyTypes: ['Ingress'], ingress: [{ from: [from], ports: [{ protocol: 'TCP', port }] }] },
    },
    `Add a policy admitting Prometheus (${prometheus.namespace}) to ${w.displayName} on TCP ${port}`,
  );
}

export const metricsScrapeBlocked: Rule = {
  id: 'metrics-scrape-blocked',
  defaultSeverity: 'warning',
  unit: 'namespace',
  description: "A ServiceMonitor, PodMonitor or prometheus.io annotation names a port the target's ingress does not admit from Prometheus.",
  readersOf(context, changed) {
    // Every target reads the Prometheus pods: a change where they are (or are configured) re-runs the rule whole.
    // A monitor's namespace reads the namespaces it selects (every one for `any: true`).
    const model = baseModel(context.model);
    const lists = listsByNamespace(model);
    for (const ns of changed) {
      if (ns === context.config.prometheus?.namespace || prometheusIn(lists.workloads.get(ns) ?? []).length > 0) return 'all';
    }
    const readers = new Set<string>();
    for (const ns of new Set([...model.namespaces.keys(), model.defaultNamespace])) {
      for (const monitor of monitorsIn(context.store, objectsInNamespace(model, ns))) {
        const spec = monitor.value.spec;
        const sel = isPlainObject(spec) ? spec.namespaceSelector : undefined;
        if (isPlainObject(sel) && sel.any === true) readers.add(ns);
        else if (isPlainObject(sel) && Array.isArray(sel.matchNames) && sel.matchNames.some((n) => typeof n === 'string' && changed.has(n))) readers.add(ns);
      }
    }
    return readers;
  },
  run(context) {
    const targets = collectTargets(context);
    if (targets.length === 0) return;
    const prometheus = prometheusPods(context);
    for (const t of targets) {
      const blocked: Workload[] = [];
      const denyingPolicies = new Set<string>();
      let deniedFrom: Workload[] = [];
      for (const w of t.pods) {
        if (w.assumed || w.hostNetwork || !inWorkspace(context, w.object)) continue;
        const policies = context.analysis.isolatingPolicies(w, 'ingress');
        if (policies.length === 0) continue;
        if (prometheus) {
          const denied = prometheus.pods.filter((p) => p !== w && !context.analysis.connection(workloadEndpoint(p), workloadEndpoint(w)).ingress.allowed.has('TCP', t.port));
          if (denied.length === 0) continue;
          deniedFrom = [...new Set([...deniedFrom, ...denied])];
        } else {
          // Whoever Prometheus is, no ingress rule admits this port from anyone (a cluster-wide Allow may).
          const admitted = policies.some((p) => p.ingress.some((rule) => context.analysis.rulePorts(rule, workloadEndpoint(w)).has('TCP', t.port)));
          if (admitted || clusterWideAllowsIngress(context, w)) continue;
        }
        blocked.push(w);
        for (const p of policies) denyingPolicies.add(policyName(p));
      }
      if (blocked.length === 0) continue;
      const policies = listNames([...denyingPolicies]);
      const message = prometheus
        ? `${t.what} asks Prometheus to scrape ${podNames(blocked)} on TCP ${t.port}, but their ingress (${policies}) does not admit it from the Prometheus pods ${prometheus.source} (${podNames(deniedFrom)}).`
        : `${t.what} asks Prometheus to scrape ${podNames(blocked)} on TCP ${t.port}, but no ingress rule of ${policies} admits that port from anyone. The Prometheus pods are not in the files (set prometheus in .netpol.yaml to name them); whoever they are, the scrape is denied.`;
      const fix = context.wantFixes && prometheus?.peer ? scrapePolicyFix(context, blocked, t.port, prometheus.peer) : undefined;
      context.report({ message, location: locate(t.object, t.path), ...(fix ? { fixes: [fix] } : {}) });
    }
  },
};
