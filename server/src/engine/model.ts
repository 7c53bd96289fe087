// The cluster a set of manifests describes: namespaces, workloads (each standing for its pods), services and
// policies, with the defaulting rules Kubernetes applies.
import { parseIp, type IpRange } from './cidr';
import type { CniName } from './config';
import { locateInText } from './fast-positions';
import { dns1035LabelProblem, dnsLabelProblem, dnsSubdomainProblem, hasNonStringLabel, metadataProblems, namespaceProblem, portNameProblem, type NameProblem } from './names';
import { isPlainObject, rangeAt, type K8sObject } from './parse';
import { isClusterPolicyObject, readClusterPolicy, type ClusterPolicy } from './cluster-policy';
import { BUILT_IN_OPERATOR_KINDS, operatorKindOf, type OperatorKind } from './operator-workloads';
import { isCalicoObject, readCalicoNetworkSet, readCalicoPolicy, readCalicoTier, type CalicoNetworkSet, type CalicoPolicy, type CalicoTier } from './calico-policy';
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
  /** A workload kind, or the kind of a custom resource whose operator makes the pods (`operator` is set then). */
  kind: string;
  /** Who creates the pods of a custom resource (its operator), from the spec's pod metadata. */
  operator?: string;
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
  /** The pod's IPs when a Pod's `status.podIP`/`status.podIPs` states them (a dump of a cluster); else empty. */
  podIps: readonly IpRange[];
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
  /** Per-file namespaces of objects without metadata.namespace (Helm's release namespace), by file URI. */
  fileDefaultNamespaces?: ReadonlyMap<string, string>;
  /** Objects declared outside the repository (workspace configuration); they are selectable but not reported. */
  assumedObjects?: readonly K8sObject[];
  /** The CNI `.netpol.yaml` names (`cni:`), when it does. */
  cni?: CniName;
  /** Custom resources whose operator makes pods (default: the built-in ones). */
  operatorKinds?: readonly OperatorKind[];
}

export interface Model {
  defaultNamespace: string;
  namespaces: Map<string, Namespace>;
  workloads: Workload[];
  services: Service[];
  policies: NetworkPolicy[];
  policiesByNamespace: Map<string, NetworkPolicy[]>;
  /** Cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy), in input order. */
  clusterPolicies: ClusterPolicy[];
  /** Calico policies, network sets and tiers (projectcalico.org/v3, crd.projectcalico.org/v1), in input order. */
  calico: CalicoObjects;
  findings: InputFinding[];
  /** Every object that went into the model, in input order. */
  objects: K8sObject[];
  /** Objects represented by another (pods and ReplicaSets owned by a controller in the input), with their owner. */
  ownedBy: Map<K8sObject, Workload>;
  /**
   * Whether an ipBlock matches a pod whose IP it holds (`podIps`). The upstream e2e test "should allow egress access
   * to server in CIDR block" expects it; Cilium never matches pods by ipBlock (pods have a cluster identity).
   */
  ipBlocksMatchPodIps: boolean;
  /** The CNI `.netpol.yaml` names, when it does (cni.ts detects it otherwise). */
  cni?: CniName;
}

/** Whether ipBlocks match pods by their IPs under the CNI that `.netpol.yaml` names (see Model.ipBlocksMatchPodIps). */
export function ipBlocksMatchPodIps(cni: CniName | undefined): boolean {
  return cni !== 'cilium';
}

export interface CalicoObjects {
  policies: CalicoPolicy[];
  networkSets: CalicoNetworkSet[];
  tiers: CalicoTier[];
}

export const NO_CALICO_OBJECTS: CalicoObjects = Object.freeze({ policies: [], networkSets: [], tiers: [] }) as unknown as CalicoObjects;

/** Whether the model holds any Calico object read here (its policies cross namespaces like cluster-wide ones). */
export function hasCalicoObjects(model: Model): boolean {
  return model.calico.policies.length + model.calico.networkSets.length + model.calico.tiers.length > 0;
}

function stringLabels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(value)) return out;
  for (const k of Object.keys(value)) {
    const v = value[k];
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

// Paths read from every object, made once.
const METADATA_LABELS = ['metadata', 'labels'] as const;
const OWNER_REFERENCES = ['metadata', 'ownerReferences'] as const;
const SPEC = ['spec'] as const;
const SPEC_REPLICAS = ['spec', 'replicas'] as const;
const SPEC_PARALLELISM = ['spec', 'parallelism'] as const;
const JOB_TEMPLATE_PARALLELISM = ['spec', 'jobTemplate', 'spec', 'parallelism'] as const;
const HOST_NETWORK = ['hostNetwork'] as const;
const POD_TEMPLATE: readonly string[] = ['spec', 'template'];
const CRONJOB_POD_TEMPLATE: readonly string[] = ['spec', 'jobTemplate', 'spec', 'template'];
const NO_PATH: readonly string[] = [];

/** Path from a workload object to its pod template (shared: callers must not change it). */
export function templatePathOf(kind: WorkloadKind): readonly string[] {
  switch (kind) {
    case 'Pod':
      return NO_PATH;
    case 'CronJob':
      return CRONJOB_POD_TEMPLATE;
    default:
      return POD_TEMPLATE;
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
      const parallelism = get(value, kind === 'Job' ? SPEC_PARALLELISM : JOB_TEMPLATE_PARALLELISM);
      return typeof parallelism === 'number' && parallelism > 1;
    }
    default: {
      const replicas = get(value, SPEC_REPLICAS);
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
    for (let ci = 0; ci < containers.length; ci++) {
      const c: unknown = containers[ci];
      if (!isPlainObject(c)) continue;
      // Init containers serve traffic only as sidecars (restartPolicy: Always).
      if (listKey === 'initContainers' && c.restartPolicy !== 'Always') continue;
      const ports = c.ports;
      if (!Array.isArray(ports)) continue;
      for (let pi = 0; pi < ports.length; pi++) {
        const p: unknown = ports[pi];
        if (!isPlainObject(p)) continue;
        const containerPort = typeof p.containerPort === 'number' ? p.containerPort : Number(p.containerPort);
        if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535) continue;
        const protocol = p.protocol === 'UDP' || p.protocol === 'SCTP' ? p.protocol : 'TCP';
        out.push({
          name: typeof p.name === 'string' ? p.name : undefined,
          containerPort,
          protocol,
          container: typeof c.name === 'string' ? c.name : `#${ci}`,
          path: basePath.length === 0 ? ['spec', listKey, ci, 'ports', pi] : [...basePath, 'spec', listKey, ci, 'ports', pi],
        });
      }
    }
  }
  return out;
}

interface ControllerRef {
  kind: string;
  name: string;
}

function controllerOf(object: K8sObject): ControllerRef | undefined {
  const refs = get(object.value, OWNER_REFERENCES);
  if (!Array.isArray(refs)) return undefined;
  for (const ref of refs) {
    if (isPlainObject(ref) && ref.controller === true && typeof ref.name === 'string') {
      return { kind: typeof ref.kind === 'string' ? ref.kind : '', name: ref.name };
    }
  }
  return undefined;
}

// What buildModel reads from one object, kept per object (objects of unchanged files are reused across rebuilds
// of a workspace, so an edit re-reads only the edited file's objects). Entries hold the namespace they were read
// for: a different namespace (a kustomization's override) reads the object again.
interface WorkloadReading {
  namespace: string;
  assumed: boolean;
  operator: OperatorKind | undefined;
  workload: Workload | undefined;
  findings: InputFinding[];
}
const workloadReadings = new WeakMap<K8sObject, WorkloadReading>();
const policyReadings = new WeakMap<K8sObject, NetworkPolicy>();
const clusterPolicyReadings = new WeakMap<K8sObject, ClusterPolicy>();
interface ServiceReading {
  namespace: string;
  service: Service | undefined;
  findings: InputFinding[];
}
const serviceReadings = new WeakMap<K8sObject, ServiceReading>();
const calicoReadings = new WeakMap<K8sObject, { namespace: string; value: CalicoPolicy | CalicoNetworkSet | CalicoTier }>();
const namespaceResolvers = new WeakMap<Model, (o: K8sObject) => string>();
/** Per model: its objects (assumed ones included) by the namespace they live in, in input order. */
const objectsByNamespace = new WeakMap<Model, Map<string, K8sObject[]>>();
/** The namespace of the workload each model finding is about. */
const findingNamespaces = new WeakMap<InputFinding, string>();

/**
 * The namespace an object of a model lives in (a Namespace object: the namespace it declares), with the
 * kustomization overrides and the default namespace the model was built with.
 */
export function objectNamespace(model: Model, object: K8sObject): string {
  if (object.kind === 'Namespace' && object.name) return object.name;
  const resolve = namespaceResolvers.get(model);
  return resolve ? resolve(object) : object.namespace ?? model.defaultNamespace;
}

/**
 * The model's Workload for a workload object. A fresh reading is made with the model's id and goes into the model
 * as it is; a kept reading is copied, because ids and display names depend on the other workloads of the model
 * (every model sets both on its own workloads).
 */
function cachedWorkload(o: K8sObject, namespace: string, id: number, isAssumed: boolean, findings: InputFinding[], operator: OperatorKind | undefined): Workload | undefined {
  let reading = workloadReadings.get(o);
  let workload: Workload | undefined;
  if (!reading || reading.namespace !== namespace || reading.assumed !== isAssumed || reading.operator !== operator) {
    const own: InputFinding[] = [];
    workload = operator ? readOperatorWorkload(o, operator, namespace, id, isAssumed) : readWorkload(o, namespace, id, isAssumed, own);
    reading = { namespace, assumed: isAssumed, operator, workload, findings: own };
    workloadReadings.set(o, reading);
  } else if (reading.workload) {
    workload = { ...reading.workload, id };
  }
  if (reading.findings.length > 0) {
    for (const f of reading.findings) {
      findingNamespaces.set(f, namespace);
      findings.push(f);
    }
  }
  return workload;
}

function cachedPolicy(o: K8sObject, namespace: string): NetworkPolicy {
  let policy = policyReadings.get(o);
  if (!policy || policy.namespace !== namespace) {
    policy = readNetworkPolicy(o, namespace);
    policyReadings.set(o, policy);
  }
  return policy;
}

/** The Service an object declares; undefined when the API server rejects it (with findings saying why). */
function cachedService(o: K8sObject, namespace: string, findings: InputFinding[]): Service | undefined {
  let reading = serviceReadings.get(o);
  if (!reading || reading.namespace !== namespace) {
    const own: InputFinding[] = [];
    reading = { namespace, service: readService(o, namespace, own), findings: own };
    serviceReadings.set(o, reading);
  }
  for (const f of reading.findings) {
    findingNamespaces.set(f, namespace);
    findings.push(f);
  }
  return reading.service;
}

function readService(o: K8sObject, namespace: string, findings: InputFinding[]): Service | undefined {
  // ValidateService: the name is a DNS-1035 label, port names DNS labels, named target ports IANA service names.
  const problems = [...metadataProblems(o.value, dns1035LabelProblem), ...namespaceProblems(namespace)];
  const spec = get(o.value, SPEC);
  const rawPorts = isPlainObject(spec) ? spec.ports : undefined;
  if (Array.isArray(rawPorts)) {
    rawPorts.forEach((p: unknown, i) => {
      if (!isPlainObject(p)) return;
      const nameProblem = typeof p.name === 'string' && p.name !== '' ? dnsLabelProblem(p.name) : undefined;
      if (nameProblem) problems.push({ path: ['spec', 'ports', i, 'name'], message: `port name ${nameProblem}` });
      const targetProblem = typeof p.targetPort === 'string' ? portNameProblem(p.targetPort) : undefined;
      if (targetProblem) problems.push({ path: ['spec', 'ports', i, 'targetPort'], message: targetProblem });
    });
  }
  if (rejected(o, problems, findings)) return undefined;
  const selector = isPlainObject(spec) ? spec.selector : undefined;
  const ports: ServicePort[] = [];
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
  return { name: o.name, namespace, selector: isPlainObject(selector) ? stringLabels(selector) : undefined, ports, object: o };
}

function namespaceProblems(namespace: string): NameProblem[] {
  const problem = namespaceProblem(namespace);
  return problem ? [{ path: ['metadata', 'namespace'], message: problem }] : [];
}

/**
 * Whether the API server rejects an object for these problems, or for a label value that is not a string (which
 * the unquoted-label-value rule reports): each problem becomes an invalid-object finding at its place.
 */
function rejected(o: K8sObject, problems: readonly NameProblem[], findings: InputFinding[]): boolean {
  for (const problem of problems) {
    findings.push({
      code: 'invalid-object',
      severity: 'error',
      message: `${o.kind} ${o.name}: ${problem.message}. The API server rejects the ${o.kind}, so the analysis leaves it out.`,
      location: { uri: o.uri, range: locateInText(o, problem.path) ?? rangeAt(o.node, problem.path) ?? o.range },
    });
  }
  return problems.length > 0 || hasNonStringLabel(o.value.metadata);
}

/**
 * The items that are the last of their name (kubectl apply of a later definition replaces an earlier one), in
 * their order; the list itself when no name repeats.
 */
function lastOfEachName<T>(items: T[], nameOf: (item: T) => string): T[] {
  const last = new Map<string, T>();
  for (const item of items) last.set(nameOf(item), item);
  return last.size === items.length ? items : items.filter((item) => last.get(nameOf(item)) === item);
}

/**
 * Policies defined more than once (namespace/name): applying the files in order, each valid definition replaces
 * the one before (kubectl apply), and one the API server rejects replaces nothing. Every valid definition but the
 * one in effect is replaced, in the list, by a copy that has no effect (`valid: false`, `supersededBy`).
 */
function supersedeRepeatedPolicies(policies: NetworkPolicy[]): void {
  const inEffect = new Map<string, NetworkPolicy>();
  let repeated = false;
  for (const p of policies) {
    if (!p.valid || !p.name) continue;
    const key = `${p.namespace}/${p.name}`;
    if (inEffect.has(key)) repeated = true;
    inEffect.set(key, p);
  }
  if (!repeated) return;
  policies.forEach((p, i) => {
    if (!p.valid || !p.name) return;
    const winner = inEffect.get(`${p.namespace}/${p.name}`)!;
    if (winner !== p) policies[i] = { ...p, valid: false, supersededBy: winner };
  });
}

/** Whether the API server accepts a Namespace object (name a DNS label, valid labels); findings say why not. */
function validNamespaceObject(o: K8sObject, findings: InputFinding[]): boolean {
  const own: InputFinding[] = [];
  if (!rejected(o, metadataProblems(o.value, dnsLabelProblem), own)) return true;
  for (const f of own) {
    findingNamespaces.set(f, o.name);
    findings.push(f);
  }
  return false;
}

/** A display name's namespace entry: the kind of its first workload, or AMBIGUOUS when two kinds share the name. */
const AMBIGUOUS = '';

// One pass sorts the objects by what they become; each object's namespace is worked out once. The order in which
// namespaces enter the map (declared ones, then those of workloads, services, policies and other objects) is the
// order of the map that callers see.
export function buildModel(objects: readonly K8sObject[], options: ModelOptions = {}): Model {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const findings: InputFinding[] = [];
  const namespaces = new Map<string, Namespace>();
  // kustomize's namespace transformer overrides what the files say.
  const namespaceOf = overrideResolver(options.namespaceOverrides?.size ? options.namespaceOverrides : undefined, defaultNamespace, options.fileDefaultNamespaces);

  const assumedObjects = options.assumedObjects ?? [];
  const assumed = new Set<K8sObject>(assumedObjects);
  const all = assumedObjects.length > 0 ? [...objects, ...assumedObjects] : objects.slice();

  // The namespace each object lives in (a Namespace object: the one it declares), by position in `all`.
  const homes: string[] = new Array(all.length);
  const candidates: number[] = [];
  const operatorKinds = options.operatorKinds ?? BUILT_IN_OPERATOR_KINDS;
  /** Operator kinds of the custom resources among the candidates, by position in `all`. */
  const operatorOf = new Map<number, OperatorKind>();
  const serviceObjects: number[] = [];
  const policyObjects: number[] = [];
  const clusterPolicies: ClusterPolicy[] = [];
  const calicoObjects: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const o = all[i];
    const kind = o.kind;
    if (kind === 'Namespace' && o.name) {
      homes[i] = o.name;
      // kubectl apply of a second definition replaces the first (its labels too); an object from the configuration
      // does not replace the repository's own. A Namespace the API server rejects declares nothing.
      const declared = namespaces.get(o.name);
      if (declared && !declared.external && assumed.size > 0 && assumed.has(o)) continue;
      if (!validNamespaceObject(o, findings)) continue;
      namespaces.set(o.name, {
        name: o.name,
        labels: { ...stringLabels(get(o.value, METADATA_LABELS)), [NAMESPACE_NAME_LABEL]: o.name },
        object: o,
        implicit: false,
        external: assumed.size > 0 && assumed.has(o),
      });
      continue;
    }
    homes[i] = namespaceOf(o);
    if (WORKLOAD_KIND_SET.has(kind)) {
      if (o.name) candidates.push(i);
    } else if (kind === 'Service') {
      if (o.name) serviceObjects.push(i);
    } else if (kind === 'NetworkPolicy') {
      if (o.apiVersion.startsWith('networking.k8s.io/')) policyObjects.push(i);
      else if (isCalicoObject(o)) calicoObjects.push(i);
    } else if (isClusterPolicyObject(o)) {
      let policy = clusterPolicyReadings.get(o);
      if (!policy) clusterPolicyReadings.set(o, (policy = readClusterPolicy(o)));
      clusterPolicies.push(policy);
    } else if (isCalicoObject(o)) {
      calicoObjects.push(i);
    } else if (o.name && operatorKinds.length > 0) {
      const operator = operatorKindOf(operatorKinds, kind, o.apiVersion);
      if (operator) {
        operatorOf.set(i, operator);
        candidates.push(i);
      }
    }
  }
  const ensureNamespace = (name: string, o: K8sObject) => {
    if (!namespaces.has(name)) {
      namespaces.set(name, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, implicit: true, external: assumed.size > 0 && assumed.has(o) });
    }
  };

  // Pods and ReplicaSets collapse into their top-most controller in the input: the top owner of each candidate
  // (by position in `all`), worked out only when some candidate names a controller.
  const tops = ownersOf(all, candidates, homes);
  const readWorkloads: Workload[] = [];
  const positions = new Map<Workload, number>();
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c];
    if (tops && tops[c] !== i) continue;
    const o = all[i];
    const namespace = homes[i];
    ensureNamespace(namespace, o);
    const w = cachedWorkload(o, namespace, readWorkloads.length, assumed.size > 0 && assumed.has(o), findings, operatorOf.get(i));
    if (!w) continue;
    readWorkloads.push(w);
    positions.set(w, i);
  }
  const workloads = lastOfEachName(readWorkloads, (w) => `${w.namespace}/${w.kind}/${w.name}`);
  const workloadAt = tops ? new Map<number, Workload>() : undefined;
  workloads.forEach((w, id) => {
    w.id = id;
    workloadAt?.set(positions.get(w)!, w);
  });
  const ownedBy = new Map<K8sObject, Workload>();
  if (tops && workloadAt) {
    for (let c = 0; c < candidates.length; c++) if (tops[c] !== candidates[c]) ownedBy.set(all[candidates[c]], workloadAt.get(tops[c])!);
  }

  // Display names: `ns/name`, with `[Kind]` only where two kinds share a name in a namespace.
  const kindByName = new Map<string, Map<string, string>>();
  let ambiguous = false;
  for (const w of workloads) {
    let names = kindByName.get(w.namespace);
    if (!names) kindByName.set(w.namespace, (names = new Map()));
    const kind = names.get(w.name);
    if (kind === undefined) names.set(w.name, w.kind);
    else if (kind !== w.kind && kind !== AMBIGUOUS) {
      names.set(w.name, AMBIGUOUS);
      ambiguous = true;
    }
  }
  for (const w of workloads) {
    // readWorkload made `ns/name`; a copy may carry a `[Kind]` name set by an earlier model.
    const plain = w.displayName.length === w.namespace.length + 1 + w.name.length ? w.displayName : `${w.namespace}/${w.name}`;
    w.displayName = ambiguous && kindByName.get(w.namespace)!.get(w.name) === AMBIGUOUS ? `${plain}[${w.kind}]` : plain;
  }

  const readServices: Service[] = [];
  for (const i of serviceObjects) {
    const o = all[i];
    ensureNamespace(homes[i], o);
    const service = cachedService(o, homes[i], findings);
    if (service) readServices.push(service);
  }
  const services = lastOfEachName(readServices, (s) => `${s.namespace}/${s.name}`);

  const policies: NetworkPolicy[] = [];
  for (const i of policyObjects) {
    const o = all[i];
    ensureNamespace(homes[i], o);
    policies.push(cachedPolicy(o, homes[i]));
  }
  supersedeRepeatedPolicies(policies);
  const policiesByNamespace = new Map<string, NetworkPolicy[]>();
  for (const policy of policies) {
    const list = policiesByNamespace.get(policy.namespace);
    if (list) list.push(policy);
    else policiesByNamespace.set(policy.namespace, [policy]);
  }

  for (let i = 0; i < all.length; i++) {
    const o = all[i];
    // The namespace the object ends up in (a kustomization's namespace overrides the one written in the file).
    if (o.namespace && o.kind !== 'Namespace') ensureNamespace(homes[i], o);
  }

  let calico = NO_CALICO_OBJECTS;
  if (calicoObjects.length > 0) {
    calico = { policies: [], networkSets: [], tiers: [] };
    for (const i of calicoObjects) {
      const o = all[i];
      let reading = calicoReadings.get(o);
      if (!reading || reading.namespace !== homes[i]) {
        const value = o.kind === 'Tier' ? readCalicoTier(o) : o.kind === 'NetworkSet' || o.kind === 'GlobalNetworkSet' ? readCalicoNetworkSet(o, homes[i]) : readCalicoPolicy(o, homes[i]);
        calicoReadings.set(o, (reading = { namespace: homes[i], value }));
      }
      const value = reading.value;
      if (o.kind === 'Tier') calico.tiers.push(value as CalicoTier);
      else if (o.kind === 'NetworkSet' || o.kind === 'GlobalNetworkSet') calico.networkSets.push(value as CalicoNetworkSet);
      else calico.policies.push(value as CalicoPolicy);
      if (o.kind === 'NetworkSet' || o.kind === 'NetworkPolicy' || o.kind === 'StagedNetworkPolicy' || o.kind === 'StagedKubernetesNetworkPolicy') ensureNamespace(homes[i], o);
    }
  }

  const model: Model = {
    defaultNamespace,
    namespaces,
    workloads,
    services,
    policies,
    policiesByNamespace,
    clusterPolicies,
    calico,
    findings,
    objects: all,
    ownedBy,
    ipBlocksMatchPodIps: ipBlocksMatchPodIps(options.cni),
    ...(options.cni !== undefined ? { cni: options.cni } : {}),
  };
  namespaceResolvers.set(model, namespaceOf);
  const byNamespace = new Map<string, K8sObject[]>();
  for (let i = 0; i < all.length; i++) {
    const list = byNamespace.get(homes[i]);
    if (list) list.push(all[i]);
    else byNamespace.set(homes[i], [all[i]]);
  }
  objectsByNamespace.set(model, byNamespace);
  return model;
}

/**
 * The top-most owner of each workload candidate among the candidates with a pod template (only those can stand for
 * the pods they own), as positions in `all`; undefined when no candidate names a controller (each stands for
 * itself).
 */
function ownersOf(all: readonly K8sObject[], candidates: readonly number[], homes: readonly string[]): number[] | undefined {
  const refs: (ControllerRef | undefined)[] = new Array(candidates.length);
  let anyRef = false;
  for (let c = 0; c < candidates.length; c++) {
    const ref = controllerOf(all[candidates[c]]);
    refs[c] = ref;
    if (ref) anyRef = true;
  }
  if (!anyRef) return undefined;
  const byKey = new Map<string, number>();
  const candidateOf = new Map<number, number>();
  for (let c = 0; c < candidates.length; c++) {
    const i = candidates[c];
    candidateOf.set(i, c);
    if (hasPodTemplate(all[i])) byKey.set(`${homes[i]}/${all[i].kind}/${all[i].name}`, i);
  }
  const tops: number[] = new Array(candidates.length);
  for (let c = 0; c < candidates.length; c++) {
    const start = candidates[c];
    let ref = refs[c];
    let current = start;
    const seen = [start];
    tops[c] = start;
    while (ref) {
      const owner = byKey.get(`${homes[current]}/${ref.kind}/${ref.name}`);
      if (owner === undefined) {
        tops[c] = current;
        break;
      }
      // An ownership cycle (hand-written or corrupt ownerReferences) owns nothing: each member stands for itself.
      if (seen.includes(owner)) {
        tops[c] = start;
        break;
      }
      seen.push(owner);
      current = owner;
      tops[c] = current;
      ref = refs[candidateOf.get(owner)!];
    }
  }
  return tops;
}

export interface ModelUpdate {
  /** Every object of the new model in input order, without the assumed objects of the options (asked lazily). */
  objects(): readonly K8sObject[];
  /** Objects of the previous model that are gone (the old objects of changed files). */
  removed: readonly K8sObject[];
  /** Objects that are new (the objects of changed files). */
  added: readonly K8sObject[];
  /** Input order of an object: smaller first. Objects of one file are ordered by their offset. */
  order(object: K8sObject): number;
}

/**
 * The model `buildModel` would build after some objects were removed and added, built by re-reading only the
 * namespaces those objects live in (old and new): nothing in a model crosses namespaces (owners, display names,
 * services and policies are per namespace), so the other namespaces' entries are kept. The options must be those
 * the previous model was built with. Also returns the namespaces that were rebuilt.
 */
export function updateModel(previous: Model, update: ModelUpdate, options: ModelOptions = {}): { model: Model; namespaces: Set<string> } {
  const previousIndex = objectsByNamespace.get(previous);
  // Cluster-wide policies cross every namespace: a change to one rebuilds the whole model.
  // So do Calico policies, network sets and tiers (global selectors, tiers shared by all).
  const crossing = (o: K8sObject) => isClusterPolicyObject(o) || isCalicoObject(o);
  if (!previousIndex || update.removed.some(crossing) || update.added.some(crossing)) {
    const model = buildModel(update.objects(), options);
    return { model, namespaces: new Set([...model.namespaces.keys(), ...previous.namespaces.keys()]) };
  }
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const namespaceOf = (o: K8sObject) =>
    o.kind === 'Namespace' && o.name ? o.name : options.namespaceOverrides?.get(o.uri) ?? o.namespace ?? options.fileDefaultNamespaces?.get(o.uri) ?? defaultNamespace;
  const touched = new Set<string>();
  for (const o of update.removed) touched.add(objectNamespace(previous, o));
  for (const o of update.added) touched.add(namespaceOf(o));

  const removed = new Set(update.removed);
  const byOrder = (a: K8sObject, b: K8sObject) => update.order(a) - update.order(b);
  const index = new Map(previousIndex);
  for (const ns of touched) {
    const list = (previousIndex.get(ns) ?? []).filter((o) => !removed.has(o));
    for (const o of update.added) if (namespaceOf(o) === ns) list.push(o);
    list.sort(byOrder);
    if (list.length) index.set(ns, list);
    else index.delete(ns);
  }
  const assumedSet = new Set(options.assumedObjects ?? []);
  const touchedObjects: K8sObject[] = [];
  const touchedAssumed: K8sObject[] = [];
  for (const ns of touched) for (const o of index.get(ns) ?? []) (assumedSet.has(o) ? touchedAssumed : touchedObjects).push(o);
  touchedObjects.sort(byOrder);
  const assumedOrder = new Map((options.assumedObjects ?? []).map((o, i) => [o, i]));
  touchedAssumed.sort((a, b) => assumedOrder.get(a)! - assumedOrder.get(b)!);
  const part = buildModel(touchedObjects, { ...options, assumedObjects: touchedAssumed });

  // Merges a kept list of the previous model with the rebuilt part, in input order.
  const orderKey = (o: K8sObject) => (assumedSet.has(o) ? Number.MAX_SAFE_INTEGER - (options.assumedObjects!.length - assumedOrder.get(o)!) : update.order(o));
  /** Where `merge` put the rebuilt items of its last call (ascending). */
  let insertedAt: number[] = [];
  const merge = <T>(kept: T[], rebuilt: T[], objectOf: (item: T) => K8sObject): T[] => {
    insertedAt = [];
    if (rebuilt.length === 0) return kept;
    // Few rebuilt items among many kept ones: binary search for each insertion point.
    const out: T[] = [];
    let from = 0;
    for (const item of rebuilt) {
      const key = orderKey(objectOf(item));
      let lo = from;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (orderKey(objectOf(kept[mid])) < key) lo = mid + 1;
        else hi = mid;
      }
      for (let i = from; i < lo; i++) out.push(kept[i]);
      insertedAt.push(out.length);
      out.push(item);
      from = lo;
    }
    for (let i = from; i < kept.length; i++) out.push(kept[i]);
    return out;
  };
  /** Where `keep` took items out in its last call (ascending). */
  let removedAt: number[] = [];
  // The previous model's items of the touched namespaces are known by namespace: find them by identity (a native
  // search) rather than reading every item's namespace.
  const previousLists = listsByNamespace(previous);
  const keep = <T>(list: T[], byNamespace: ReadonlyMap<string, readonly T[]>): T[] => {
    findRemoved(list, byNamespace);
    if (removedAt.length === 0) return list;
    const out: T[] = [];
    let from = 0;
    for (const at of removedAt) {
      for (let i = from; i < at; i++) out.push(list[i]);
      from = at + 1;
    }
    for (let i = from; i < list.length; i++) out.push(list[i]);
    return out;
  };
  /** Sets `removedAt` to the positions of the touched namespaces' items in a list. */
  const findRemoved = <T>(list: T[], byNamespace: ReadonlyMap<string, readonly T[]>): void => {
    removedAt = [];
    const removed: T[] = [];
    for (const ns of touched) for (const item of byNamespace.get(ns) ?? []) removed.push(item);
    if (removed.length > 32) {
      // Many items: one pass with a set beats a search per item.
      const gone = new Set(removed);
      list.forEach((item, at) => {
        if (gone.has(item)) removedAt.push(at);
      });
    } else {
      for (const item of removed) {
        const at = list.indexOf(item);
        if (at >= 0) removedAt.push(at);
      }
    }
    removedAt.sort((a, b) => a - b);
  };

  /**
   * The previous list with the touched namespaces' items replaced by the rebuilt ones, in input order. When they
   * are as many and each fits where one was taken out (an edit that changed values, not objects), one copy with
   * the new items in the old places; else `keep` and `merge`.
   */
  const replaceTouched = <T>(list: T[], byNamespace: ReadonlyMap<string, readonly T[]>, rebuilt: T[], objectOf: (item: T) => K8sObject): T[] => {
    findRemoved(list, byNamespace);
    if (removedAt.length === rebuilt.length && rebuilt.length > 0) {
      const out = list.slice();
      removedAt.forEach((at, k) => (out[at] = rebuilt[k]));
      const key = (at: number) => orderKey(objectOf(out[at]));
      if (removedAt.every((at) => (at === 0 || key(at - 1) < key(at)) && (at === out.length - 1 || key(at) < key(at + 1)))) {
        insertedAt = removedAt;
        return out;
      }
    }
    return merge(keep(list, byNamespace), rebuilt, objectOf);
  };

  const merged = replaceTouched(previous.workloads, previousLists.workloads, part.workloads, (w) => w.object);
  // Dense ids again; a workload whose id moves is copied (the previous model keeps its own). When every rebuilt
  // workload took the place of a removed one, no kept workload moved.
  const renumbered = new Map<Workload, Workload>();
  let workloads: Workload[];
  if (removedAt.length === insertedAt.length && removedAt.every((at, i) => insertedAt[i] === at)) {
    for (const at of insertedAt) merged[at].id = at;
    workloads = merged;
  } else {
    const rebuilt = new Set(part.workloads);
    workloads = merged.map((w, i) => {
      if (w.id === i) return w;
      if (rebuilt.has(w)) {
        // The part's own copies: nobody else holds them yet.
        w.id = i;
        return w;
      }
      const copy = { ...w, id: i };
      renumbered.set(w, copy);
      return copy;
    });
  }
  const current = (w: Workload) => renumbered.get(w) ?? w;
  let ownedBy: Map<K8sObject, Workload>;
  if (renumbered.size === 0) {
    // Ownership stays within a namespace: the touched namespaces' objects are the only entries to redo (none, and
    // the map is shared: models never change it).
    const stale = [...touched].flatMap((ns) => (previousIndex.get(ns) ?? []).filter((o) => previous.ownedBy.has(o)));
    ownedBy = stale.length === 0 && part.ownedBy.size === 0 ? previous.ownedBy : new Map(previous.ownedBy);
    for (const o of stale) ownedBy.delete(o);
  } else {
    ownedBy = new Map<K8sObject, Workload>();
    for (const [o, w] of previous.ownedBy) if (!touched.has(w.namespace)) ownedBy.set(o, current(w));
  }
  for (const [o, w] of part.ownedBy) ownedBy.set(o, current(w));

  const policies = replaceTouched(previous.policies, previous.policiesByNamespace, part.policies, (p) => p.object);
  const policiesByNamespace = new Map(previous.policiesByNamespace);
  for (const ns of touched) policiesByNamespace.delete(ns);
  groupByNamespace(part.policies, policiesByNamespace);

  // Namespaces keep their place; new ones come last.
  const namespaces = new Map<string, Namespace>();
  for (const [name, ns] of previous.namespaces) {
    if (!touched.has(name)) namespaces.set(name, ns);
    else if (part.namespaces.has(name)) namespaces.set(name, part.namespaces.get(name)!);
  }
  for (const [name, ns] of part.namespaces) if (!namespaces.has(name)) namespaces.set(name, ns);

  const findings = [...previous.findings.filter((f) => !touched.has(findingNamespaces.get(f) ?? '')), ...part.findings];
  const model: Model = {
    defaultNamespace,
    namespaces,
    workloads,
    services: replaceTouched(previous.services, previousLists.services, part.services, (s) => s.object),
    policies,
    policiesByNamespace,
    clusterPolicies: previous.clusterPolicies,
    calico: previous.calico,
    findings,
    objects: [],
    ownedBy,
    ipBlocksMatchPodIps: ipBlocksMatchPodIps(options.cni),
    ...(options.cni !== undefined ? { cni: options.cni } : {}),
  };
  // Few callers walk every object; concatenating them on each edit would cost more than the rest of the update.
  defineLazyObjects(model, update.objects, options.assumedObjects ?? []);
  namespaceResolvers.set(model, overrideResolver(options.namespaceOverrides, defaultNamespace, options.fileDefaultNamespaces));
  objectsByNamespace.set(model, index);
  recordStep(previous, model, touched, renumbered.size === 0);
  const lists = updatedLists(namespaceLists.get(previous), touched, part, renumbered.size === 0);
  if (lists) namespaceLists.set(model, lists);
  return { model, namespaces: touched };
}

// The closures a model keeps are made outside updateModel: one made there would share its context, which holds the
// update (and through the caller's closures, earlier models: a chain of every model since the first).
function defineLazyObjects(model: Model, objectsOf: () => readonly K8sObject[], assumed: readonly K8sObject[]): void {
  let objects: K8sObject[] | undefined;
  Object.defineProperty(model, 'objects', {
    get: () => (objects ??= [...objectsOf(), ...assumed]),
    set: (value: K8sObject[]) => (objects = value),
    enumerable: true,
    configurable: true,
  });
}

function overrideResolver(overrides: ReadonlyMap<string, string> | undefined, defaultNamespace: string, fileDefaults?: ReadonlyMap<string, string>): (o: K8sObject) => string {
  if (fileDefaults?.size) return (o) => overrides?.get(o.uri) ?? o.namespace ?? fileDefaults.get(o.uri) ?? defaultNamespace;
  return (o) => overrides?.get(o.uri) ?? o.namespace ?? defaultNamespace;
}

/**
 * Where a model comes from: the step of `updateModel` that made it from its predecessor's lineage (what changed).
 * Steps are chained, models are not: caches may keep a lineage to compare a later model with, while the model
 * itself (megabytes, with everything cached per model) is collected.
 */
export class ModelLineage {
  constructor(
    /** The predecessor's lineage; undefined for a model that was built, not updated (or after many steps). */
    readonly previous: ModelLineage | undefined,
    /** Namespaces whose entries may differ from the predecessor's. */
    readonly namespaces: ReadonlySet<string>,
    /** Workloads outside `namespaces` are the predecessor's very objects (none was renumbered). */
    readonly workloadsKept: boolean,
    /** The same namespaces, with the same labels and flags, in the same order as the predecessor's. */
    readonly sameNamespaces: boolean,
    readonly depth: number,
  ) {}
}

/** Longest chain of steps kept: older lineages are no longer related to newer models (callers rebuild). */
const MAX_LINEAGE_DEPTH = 1000;

const lineages = new WeakMap<Model, ModelLineage>();

/** The lineage of a model (a model that was built, not updated, starts one). */
export function lineageOf(model: Model): ModelLineage {
  let lineage = lineages.get(model);
  if (!lineage) lineages.set(model, (lineage = new ModelLineage(undefined, new Set(), true, true, 0)));
  return lineage;
}

function recordStep(previous: Model, model: Model, touched: Set<string>, workloadsKept: boolean): void {
  const before = lineageOf(previous);
  let sameNamespaces = previous.namespaces.size === model.namespaces.size;
  for (const name of touched) {
    const a = previous.namespaces.get(name);
    const b = model.namespaces.get(name);
    if (!sameNamespaceEntry(a, b)) sameNamespaces = false;
  }
  const chained = before.depth < MAX_LINEAGE_DEPTH;
  lineages.set(model, new ModelLineage(chained ? before : undefined, touched, workloadsKept, sameNamespaces, chained ? before.depth + 1 : 0));
}

/**
 * Whether two entries of a namespace (or its absence) mean the same to selectors: the entry may be a new object
 * (its file changed) with the same labels and flags.
 */
export function sameNamespaceEntry(a: Namespace | undefined, b: Namespace | undefined): boolean {
  if (!a || !b) return a === b;
  return a.implicit === b.implicit && a.external === b.external && sameLabels(a.labels, b.labels);
}

/** Whether two label maps hold the same keys and values. */
export function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/**
 * The namespaces whose entries may differ between an earlier model and a later one updated from it (through any
 * number of `updateModel` steps); undefined when `later` was not derived from `earlier` that way.
 */
export function namespacesChangedSince(earlier: Model | ModelLineage, later: Model): Set<string> | undefined {
  return changesSince(earlier, later)?.namespaces;
}

/**
 * How a later model differs from an earlier one it was updated from (or from the model of an earlier lineage): the
 * namespaces whose entries may differ, whether the workloads of the other namespaces are the very same objects (no
 * workload was renumbered), and whether every step kept the namespaces and their labels (a label changed and
 * changed back counts as a change). Undefined when `later` was not derived from `earlier`.
 */
export function changesSince(earlier: Model | ModelLineage, later: Model): { namespaces: Set<string>; workloadsKept: boolean; sameNamespaces: boolean } | undefined {
  const target = earlier instanceof ModelLineage ? earlier : lineageOf(earlier);
  const namespaces = new Set<string>();
  let workloadsKept = true;
  let sameNamespaces = true;
  for (let step = lineageOf(later); step !== target; step = step.previous) {
    if (!step.previous) return undefined;
    for (const ns of step.namespaces) namespaces.add(ns);
    workloadsKept &&= step.workloadsKept;
    sameNamespaces &&= step.sameNamespaces;
  }
  return { namespaces, workloadsKept, sameNamespaces };
}

/** The objects of a model (assumed ones included) that live in a namespace, in input order. */
export function objectsInNamespace(model: Model, namespace: string): readonly K8sObject[] {
  const index = objectsByNamespace.get(model);
  if (index) return index.get(namespace) ?? [];
  return model.objects.filter((o) => objectNamespace(model, o) === namespace);
}

/** Workloads and Services of each namespace, in input order, and how many workloads come from the repository. */
export interface NamespaceLists {
  workloads: ReadonlyMap<string, readonly Workload[]>;
  services: ReadonlyMap<string, readonly Service[]>;
  ownWorkloads: number;
}

const namespaceLists = new WeakMap<Model, NamespaceLists>();

/** A model's workloads and Services by namespace (kept up to date by `updateModel`, else built on first use). */
export function listsByNamespace(model: Model): NamespaceLists {
  let lists = namespaceLists.get(model);
  if (!lists) {
    lists = { workloads: groupByNamespace(model.workloads), services: groupByNamespace(model.services), ownWorkloads: model.workloads.filter((w) => !w.assumed).length };
    namespaceLists.set(model, lists);
  }
  return lists;
}

function groupByNamespace<T extends { namespace: string }>(items: readonly T[], into = new Map<string, T[]>()): Map<string, T[]> {
  for (const item of items) {
    const list = into.get(item.namespace);
    if (list) list.push(item);
    else into.set(item.namespace, [item]);
  }
  return into;
}

/** The lists of an updated model from its predecessor's: the touched namespaces' entries come from the rebuilt part. */
function updatedLists(previous: NamespaceLists | undefined, touched: Set<string>, part: Model, workloadsKept: boolean): NamespaceLists | undefined {
  if (!previous || !workloadsKept) return undefined;
  const replace = <T extends { namespace: string }>(kept: ReadonlyMap<string, readonly T[]>, rebuilt: readonly T[]) => {
    const out = new Map(kept) as Map<string, T[]>;
    for (const ns of touched) out.delete(ns);
    return groupByNamespace(rebuilt, out);
  };
  let ownWorkloads = previous.ownWorkloads;
  for (const ns of touched) for (const w of previous.workloads.get(ns) ?? []) if (!w.assumed) ownWorkloads--;
  for (const w of part.workloads) if (!w.assumed) ownWorkloads++;
  return { workloads: replace(previous.workloads, part.workloads), services: replace(previous.services, part.services), ownWorkloads };
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
  const podSpec = get(template, SPEC);
  if (!acceptedWorkload(o, namespace, template, templatePath, podSpec, findings)) return undefined;
  return {
    id,
    kind,
    name: o.name,
    namespace,
    podLabels: stringLabels(get(template, METADATA_LABELS)),
    objectLabels: stringLabels(get(o.value, METADATA_LABELS)),
    containerPorts: readContainerPorts(podSpec, templatePath),
    replicated: isReplicated(kind, o.value),
    hostNetwork: get(podSpec, HOST_NETWORK) === true,
    podIps: kind === 'Pod' ? readPodIps(o.value) : NO_IPS,
    object: o,
    assumed: isAssumed,
    displayName: `${namespace}/${o.name}`,
    templatePath,
  };
}

/**
 * Whether the API server accepts a workload object as far as names go: its name (a DNS subdomain), namespace and
 * labels, its pod template's labels, and its container port names (IsValidPortName). Findings say what it rejects.
 */
function acceptedWorkload(o: K8sObject, namespace: string, template: unknown, templatePath: readonly string[], podSpec: unknown, findings: InputFinding[]): boolean {
  const problems = [...metadataProblems(o.value, dnsSubdomainProblem), ...namespaceProblems(namespace)];
  if (templatePath.length > 0 && isPlainObject(template)) problems.push(...metadataProblems(template, () => undefined, templatePath));
  if (isPlainObject(podSpec)) {
    for (const listKey of ['containers', 'initContainers']) {
      const containers = podSpec[listKey];
      if (!Array.isArray(containers)) continue;
      containers.forEach((c: unknown, ci) => {
        if (!isPlainObject(c) || !Array.isArray(c.ports)) return;
        c.ports.forEach((p: unknown, pi) => {
          if (!isPlainObject(p) || typeof p.name !== 'string') return;
          const problem = portNameProblem(p.name);
          if (problem) problems.push({ path: [...templatePath, 'spec', listKey, ci, 'ports', pi, 'name'], message: problem });
        });
      });
    }
  }
  return !rejected(o, problems, findings) && !(templatePath.length > 0 && isPlainObject(template) && hasNonStringLabel(template.metadata));
}

const NO_IPS: readonly IpRange[] = [];

/** A Pod's IPs from its status (`podIP`, and `podIPs[].ip` for dual-stack), as `kubectl get -o yaml` writes them. */
function readPodIps(pod: Record<string, unknown>): readonly IpRange[] {
  const status = pod.status;
  if (!isPlainObject(status)) return NO_IPS;
  const texts = new Set<string>();
  if (typeof status.podIP === 'string') texts.add(status.podIP);
  if (Array.isArray(status.podIPs)) for (const entry of status.podIPs) if (isPlainObject(entry) && typeof entry.ip === 'string') texts.add(entry.ip);
  const ips: IpRange[] = [];
  for (const text of texts) {
    const ip = parseIp(text);
    if (ip) ips.push(ip);
  }
  return ips.length ? ips : NO_IPS;
}

const SPEC_PATH: readonly string[] = ['spec'];

/** The pods a custom resource's operator makes, as one workload (labels and ports as the operator sets them). */
function readOperatorWorkload(o: K8sObject, operator: OperatorKind, namespace: string, id: number, isAssumed: boolean): Workload {
  return {
    id,
    kind: o.kind,
    operator: operator.createdBy,
    name: o.name,
    namespace,
    podLabels: operator.podLabels(o.value, o.name),
    objectLabels: stringLabels(get(o.value, METADATA_LABELS)),
    containerPorts: operator.ports(o.value).map((p) => ({ ...p, container: o.kind.toLowerCase(), path: SPEC_PATH })),
    replicated: operator.replicated(o.value),
    hostNetwork: operator.hostNetwork(o.value),
    podIps: NO_IPS,
    object: o,
    assumed: isAssumed,
    displayName: `${namespace}/${o.name}`,
    templatePath: SPEC_PATH,
  };
}

/** The controller owner reference of an object (first ownerReference with controller: true). */
export function controllerReference(object: K8sObject): { kind: string; name: string } | undefined {
  return controllerOf(object);
}

/** A document of the files that was not analysed (a template, a YAML error) and looks like it makes pods. */
export interface SkippedWorkload {
  uri: string;
  kind: string;
  /** The namespace it names; '*' when it cannot be told (templated), the model's default when it names none. */
  namespace: string;
}

const skippedWorkloads = new WeakMap<Model, readonly SkippedWorkload[]>();

/** Records the skipped workload documents of a model's files (the workspace does, after each build or update). */
export function recordSkippedWorkloads(model: Model, list: readonly SkippedWorkload[]): void {
  skippedWorkloads.set(model, list);
}

/** The skipped workload documents of a model's files. */
export function skippedWorkloadsOf(model: Model): readonly SkippedWorkload[] {
  return skippedWorkloads.get(model) ?? [];
}
