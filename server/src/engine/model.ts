// The cluster a set of manifests describes: namespaces, workloads (each standing for its pods), services and
// policies, with the defaulting rules Kubernetes applies.
import { isPlainObject, type K8sObject } from './parse';
import { readNetworkPolicy, type NetworkPolicy } from './policy';
import type { InputFinding, Labels, OffsetRange, Protocol } from './types';

export const WORKLOAD_KINDS = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface Namespace {
  name: string;
  labels: Labels;
  object?: K8sObject;
  /** Declared by no Namespace object, only used in some object's metadata.namespace. */
  implicit: boolean;
  /** Declared in the workspace configuration as living outside the repository. */
  external: boolean;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
  container: string;
  /** Path below the workload's object node. */
  path: readonly (string | number)[];
}

export interface Workload {
  /** Dense index within the model. */
  id: number;
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** Labels of the pods (the pod template's labels for controllers). */
  podLabels: Labels;
  /** The object's own metadata.labels (differs from podLabels for controllers). */
  objectLabels: Labels;
  containerPorts: ContainerPort[];
  /** False when the workload runs a single pod, so the pod reaching itself is always allowed. */
  replicated: boolean;
  hostNetwork: boolean;
  object: K8sObject;
  /** Declared in the workspace configuration (outside the repository): selectable, not listed in reports. */
  assumed: boolean;
  /** `namespace/name`, or `namespace/name[Kind]` when two kinds share the name. */
  displayName: string;
  /** Path from the object to the pod template (empty for a Pod). */
  templatePath: readonly string[];
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: number | string;
  protocol: Protocol;
}

export interface Service {
  name: string;
  namespace: string;
  selector: Labels | undefined;
  ports: ServicePort[];
  object: K8sObject;
}

export interface ModelOptions {
  /** Namespace of objects without metadata.namespace. */
  defaultNamespace?: string;
  /** Per-file namespaces set by a kustomization.yaml `namespace:` (they override metadata.namespace), by file URI. */
  namespaceOverrides?: ReadonlyMap<string, string>;
  /** Objects declared outside the repository (workspace configuration); they are selectable but not reported. */
  assumedObjects?: readonly K8sObject[];
}

export interface Model {
  defaultNamespace: string;
  namespaces: Map<string, Namespace>;
  workloads: Workload[];
  services: Service[];
  policies: NetworkPolicy[];
  policiesByNamespace: Map<string, NetworkPolicy[]>;
  findings: InputFinding[];
  /** Every object that went into the model, in input order. */
  objects: K8sObject[];
  /** Objects represented by another (pods and ReplicaSets owned by a controller in the input), with their owner. */
  ownedBy: Map<K8sObject, Workload>;
}

function stringLabels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined || typeof v === 'object') continue;
    out[k] = String(v);
  }
  return out;
}

function get(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function templatePathOf(kind: WorkloadKind): string[] {
  switch (kind) {
    case 'Pod':
      return [];
    case 'CronJob':
      return ['spec', 'jobTemplate', 'spec', 'template'];
    default:
      return ['spec', 'template'];
  }
}

function isReplicated(kind: WorkloadKind, value: Record<string, unknown>): boolean {
  switch (kind) {
    case 'Pod':
      return false;
    case 'DaemonSet':
      return true; // one pod per node
    case 'Job':
    case 'CronJob': {
      const parallelism = kind === 'Job' ? get(value, ['spec', 'parallelism']) : get(value, ['spec', 'jobTemplate', 'spec', 'parallelism']);
      return typeof parallelism === 'number' && parallelism > 1;
    }
    default: {
      const replicas = get(value, ['spec', 'replicas']);
      return replicas === undefined || replicas === null ? false : typeof replicas === 'number' && replicas > 1;
    }
  }
}

function readContainerPorts(podSpec: unknown, basePath: readonly string[]): ContainerPort[] {
  const out: ContainerPort[] = [];
  if (!isPlainObject(podSpec)) return out;
  for (const listKey of ['containers', 'initContainers']) {
    const containers = podSpec[listKey];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c, ci) => {
      if (!isPlainObject(c)) return;
      // Init containers serve traffic only as sidecars (restartPolicy: Always).
      if (listKey === 'initContainers' && c.restartPolicy !== 'Always') return;
      const ports = c.ports;
      if (!Array.isArray(ports)) return;
      ports.forEach((p, pi) => {
        if (!isPlainObject(p)) return;
        const containerPort = typeof p.containerPort === 'number' ? p.containerPort : Number(p.containerPort);
        if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535) return;
        const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
        out.push({
          name: typeof p.name === 'string' ? p.name : undefined,
          containerPort,
          protocol,
          container: typeof c.name === 'string' ? c.name : `#${ci}`,
          path: [...basePath, 'spec', listKey, ci, 'ports', pi],
        });
      });
    });
  }
  return out;
}

interface ControllerRef {
  kind: string;
  name: string;
}

function controllerOf(object: K8sObject): ControllerRef | undefined {
  const refs = get(object.value, ['metadata', 'ownerReferences']);
  if (!Array.isArray(refs)) return undefined;
  for (const ref of refs) {
    if (isPlainObject(ref) && ref.controller === true && typeof ref.name === 'string') {
      return { kind: typeof ref.kind === 'string' ? ref.kind : '', name: ref.name };
    }
  }
  return undefined;
}

export function buildModel(objects: readonly K8sObject[], options: ModelOptions = {}): Model {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const findings: InputFinding[] = [];
  const namespaces = new Map<string, Namespace>();
  // kustomize's namespace transformer overrides what the files say.
  const namespaceOf = (o: K8sObject) => options.namespaceOverrides?.get(o.uri) ?? o.namespace ?? defaultNamespace;

  const assumed = new Set<K8sObject>(options.assumedObjects ?? []);
  const all = [...objects, ...(options.assumedObjects ?? [])];

  for (const o of all) {
    if (o.kind !== 'Namespace' || !o.name) continue;
    if (namespaces.has(o.name) && !namespaces.get(o.name)!.implicit) continue;
    namespaces.set(o.name, {
      name: o.name,
      labels: { ...stringLabels(get(o.value, ['metadata', 'labels'])), [NAMESPACE_NAME_LABEL]: o.name },
      object: o,
      implicit: false,
      external: assumed.has(o),
    });
  }
  const ensureNamespace = (name: string, isAssumed: boolean) => {
    if (!namespaces.has(name)) {
      namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, implicit: true, external: isAssumed });
    }
  };

  // Workload candidates, then collapse pods and ReplicaSets into their top-most controller in the input.
  const candidates = all.filter((o) => WORKLOAD_KIND_SET.has(o.kind) && o.name);
  // Only controllers with a pod template can stand for the pods they own.
  const byKey = new Map<string, K8sObject>();
  for (const o of candidates) if (hasPodTemplate(o)) byKey.set(`${namespaceOf(o)}/${o.kind}/${o.name}`, o);
  const topOwner = (o: K8sObject): K8sObject => {
    const seen = new Set<K8sObject>([o]);
    let current = o;
    for (;;) {
      const ref = controllerOf(current);
      if (!ref) return current;
      const owner = byKey.get(`${namespaceOf(current)}/${ref.kind}/${ref.name}`);
      if (!owner) return current;
      // An ownership cycle (hand-written or corrupt ownerReferences) owns nothing: each member stands for itself.
      if (seen.has(owner)) return o;
      seen.add(owner);
      current = owner;
    }
  };

  const workloads: Workload[] = [];
  const workloadOf = new Map<K8sObject, Workload>();
  const ownedBy = new Map<K8sObject, Workload>();
  for (const o of candidates) {
    if (topOwner(o) !== o) continue;
    const namespace = namespaceOf(o);
    ensureNamespace(namespace, assumed.has(o));
    const w = readWorkload(o, namespace, workloads.length, assumed.has(o), findings);
    if (!w) continue;
    workloads.push(w);
    workloadOf.set(o, w);
  }
  for (const o of candidates) {
    const top = topOwner(o);
    if (top !== o) ownedBy.set(o, workloadOf.get(top)!);
  }

  // Display names: `ns/name`, with `[Kind]` only where two kinds share a name in a namespace.
  const kindsByName = new Map<string, Set<string>>();
  for (const w of workloads) {
    const key = `${w.namespace}/${w.name}`;
    if (!kindsByName.has(key)) kindsByName.set(key, new Set());
    kindsByName.get(key)!.add(w.kind);
  }
  for (const w of workloads) {
    const key = `${w.namespace}/${w.name}`;
    w.displayName = kindsByName.get(key)!.size > 1 ? `${key}[${w.kind}]` : key;
  }

  const services: Service[] = [];
  for (const o of all) {
    if (o.kind !== 'Service' || !o.name) continue;
    const namespace = namespaceOf(o);
    ensureNamespace(namespace, assumed.has(o));
    const spec = get(o.value, ['spec']);
    const selector = get(spec, ['selector']);
    const ports: ServicePort[] = [];
    const rawPorts = get(spec, ['ports']);
    if (Array.isArray(rawPorts)) {
      for (const p of rawPorts) {
        if (!isPlainObject(p) || typeof p.port !== 'number') continue;
        const targetPort = typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? p.targetPort : p.port;
        ports.push({
          name: typeof p.name === 'string' ? p.name : undefined,
          port: p.port,
          targetPort,
          protocol: p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP',
        });
      }
    }
    services.push({ name: o.name, namespace, selector: isPlainObject(selector) ? stringLabels(selector) : undefined, ports, object: o });
  }

  const policies: NetworkPolicy[] = [];
  const policiesByNamespace = new Map<string, NetworkPolicy[]>();
  for (const o of all) {
    if (o.kind !== 'NetworkPolicy' || !o.apiVersion.startsWith('networking.k8s.io/')) continue;
    const namespace = namespaceOf(o);
    ensureNamespace(namespace, assumed.has(o));
    const policy = readNetworkPolicy(o, namespace);
    policies.push(policy);
    if (!policiesByNamespace.has(namespace)) policiesByNamespace.set(namespace, []);
    policiesByNamespace.get(namespace)!.push(policy);
  }

  for (const o of all) {
    // The namespace the object ends up in (a kustomization's namespace overrides the one written in the file).
    if (o.namespace && !['Namespace'].includes(o.kind)) ensureNamespace(namespaceOf(o), assumed.has(o));
  }

  return {
    defaultNamespace,
    namespaces,
    workloads,
    services,
    policies,
    policiesByNamespace,
    findings,
    objects: all,
    ownedBy,
  };
}

export function workloadLocation(w: Workload): { uri: string; range: OffsetRange } {
  return { uri: w.object.uri, range: w.object.range };
}

function hasPodTemplate(o: K8sObject): boolean {
  const path = templatePathOf(o.kind as WorkloadKind);
  return path.length === 0 || isPlainObject(get(o.value, path));
}

/** Reads one workload object (its pod template) as a Workload; undefined when it has no pod template. */
export function readWorkload(
  o: K8sObject,
  namespace: string,
  id: number,
  isAssumed: boolean,
  findings: InputFinding[] = [],
): Workload | undefined {
  const kind = o.kind as WorkloadKind;
  const templatePath = templatePathOf(kind);
  const template = templatePath.length ? get(o.value, templatePath) : o.value;
  if (templatePath.length && !isPlainObject(template)) {
    findings.push({
      code: 'invalid-object',
      severity: 'warning',
      message: `${kind} ${o.name} has no pod template (${templatePath.join('.')}); its pods are not analysed.`,
      location: { uri: o.uri, range: o.range },
    });
    return undefined;
  }
  const podSpec = get(template, ['spec']);
  return {
    id,
    kind,
    name: o.name,
    namespace,
    podLabels: stringLabels(get(template, ['metadata', 'labels'])),
    objectLabels: stringLabels(get(o.value, ['metadata', 'labels'])),
    containerPorts: readContainerPorts(podSpec, templatePath),
    replicated: isReplicated(kind, o.value),
    hostNetwork: get(podSpec, ['hostNetwork']) === true,
    object: o,
    assumed: isAssumed,
    displayName: `${namespace}/${o.name}`,
    templatePath,
  };
}

/** The controller owner reference of an object (first ownerReference with controller: true). */
export function controllerReference(object: K8sObject): { kind: string; name: string } | undefined {
  return controllerOf(object);
}
