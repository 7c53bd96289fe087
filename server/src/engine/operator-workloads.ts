// Custom resources whose operator creates pods with labels taken from the resource: built-in knowledge of the
// Prometheus operator's kinds, and kinds declared in `.netpol.yaml` (`workloadKinds`). Their pods are workloads.
import { isPlainObject } from './parse';
import type { Labels, Protocol } from './types';

export interface OperatorPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

/** How the pods of one custom resource kind look. */
export interface OperatorKind {
  kind: string;
  /** API group of the kind (`monitoring.coreos.com`); undefined: any group. */
  group: string | undefined;
  /** Who creates the pods, for messages ("the Prometheus operator"). */
  createdBy: string;
  /** The labels of the pods of one resource. */
  podLabels(value: Record<string, unknown>, name: string): Labels;
  ports(value: Record<string, unknown>): OperatorPort[];
  replicated(value: Record<string, unknown>): boolean;
  hostNetwork(value: Record<string, unknown>): boolean;
}

/** A kind declared in `.netpol.yaml`: where in the resource the pod labels and the ports are. */
export interface DeclaredWorkloadKind {
  kind: string;
  /** `group` or `group/version` of the kind; absent: any. */
  apiVersion?: string;
  /** Dotted path to a map of pod labels (`spec.podTemplate.metadata.labels`). */
  podLabels?: string;
  /** Labels every pod of the kind carries, with `{name}` standing for the resource's name. */
  labels?: Record<string, string>;
  /** Dotted path to a list of ports (`containerPort` or `port`, `protocol`, `name`). */
  ports?: string;
}

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function labelsAt(value: unknown, path: readonly string[]): Labels {
  const map = at(value, path);
  const out: Record<string, string> = {};
  if (!isPlainObject(map)) return out;
  for (const [k, v] of Object.entries(map)) if (v !== null && v !== undefined && typeof v !== 'object') out[k] = String(v);
  return out;
}

function replicasAbove(value: Record<string, unknown>, path: readonly string[], byDefault: number): boolean {
  const replicas = at(value, path);
  return (typeof replicas === 'number' ? replicas : byDefault) > 1;
}

const PROMETHEUS_OPERATOR = 'monitoring.coreos.com';
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'prometheus-operator' };

/** A custom port name of the main container (`spec.portName`, default `web`). */
function portName(value: Record<string, unknown>): string {
  const name = at(value, ['spec', 'portName']);
  return typeof name === 'string' && name !== '' ? name : 'web';
}

function listensLocally(value: Record<string, unknown>): boolean {
  return at(value, ['spec', 'listenLocal']) === true;
}

/**
 * The Prometheus operator's kinds. Labels and ports as its StatefulSets set them (prometheus-operator
 * pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go, pkg/thanos/statefulset.go): the resource's
 * `spec.podMetadata.labels`, overridden by the operator's selector labels.
 */
export const BUILT_IN_OPERATOR_KINDS: readonly OperatorKind[] = [
  {
    kind: 'Prometheus',
    group: PROMETHEUS_OPERATOR,
    createdBy: 'the Prometheus operator',
    podLabels: (value, name) => ({
      ...labelsAt(value, ['spec', 'podMetadata', 'labels']),
      'app.kubernetes.io/name': 'prometheus',
      ...MANAGED_BY,
      'app.kubernetes.io/instance': name,
      prometheus: name,
      'operator.prometheus.io/name': name,
      'operator.prometheus.io/shard': '0',
    }),
    ports: (value) => [
      ...(listensLocally(value) ? [] : [{ name: portName(value), containerPort: 9090, protocol: 'TCP' as const }]),
      { name: 'reloader-web', containerPort: 8080, protocol: 'TCP' },
      ...(isPlainObject(at(value, ['spec', 'thanos']))
        ? [
            { name: 'grpc', containerPort: 10901, protocol: 'TCP' as const },
            { name: 'http', containerPort: 10902, protocol: 'TCP' as const },
          ]
        : []),
    ],
    replicated: (value) => replicasAbove(value, ['spec', 'replicas'], 1) || (typeof at(value, ['spec', 'shards']) === 'number' && (at(value, ['spec', 'shards']) as number) > 1),
    hostNetwork: (value) => at(value, ['spec', 'hostNetwork']) === true,
  },
  {
    kind: 'Alertmanager',
    group: PROMETHEUS_OPERATOR,
    createdBy: 'the Prometheus operator',
    podLabels: (value, name) => ({
      ...labelsAt(value, ['spec', 'podMetadata', 'labels']),
      'app.kubernetes.io/name': 'alertmanager',
      ...MANAGED_BY,
      'app.kubernetes.io/instance': name,
      alertmanager: name,
    }),
    ports: (value) => [
      ...(listensLocally(value) ? [] : [{ name: portName(value), containerPort: 9093, protocol: 'TCP' as const }]),
      { name: 'mesh-tcp', containerPort: 9094, protocol: 'TCP' },
      { name: 'mesh-udp', containerPort: 9094, protocol: 'UDP' },
      { name: 'reloader-web', containerPort: 8080, protocol: 'TCP' },
    ],
    replicated: (value) => replicasAbove(value, ['spec', 'replicas'], 1),
    hostNetwork: () => false,
  },
  {
    kind: 'ThanosRuler',
    group: PROMETHEUS_OPERATOR,
    createdBy: 'the Prometheus operator',
    podLabels: (value, name) => ({
      ...labelsAt(value, ['spec', 'podMetadata', 'labels']),
      'app.kubernetes.io/name': 'thanos-ruler',
      ...MANAGED_BY,
      'app.kubernetes.io/instance': name,
      'thanos-ruler': name,
    }),
    ports: (value) => [
      { name: 'grpc', containerPort: 10901, protocol: 'TCP' },
      ...(listensLocally(value) ? [] : [{ name: portName(value), containerPort: 10902, protocol: 'TCP' as const }]),
      { name: 'reloader-web', containerPort: 9533, protocol: 'TCP' },
    ],
    replicated: (value) => replicasAbove(value, ['spec', 'replicas'], 1),
    hostNetwork: () => false,
  },
];

/** An operator kind from a `.netpol.yaml` declaration. */
export function declaredOperatorKind(declared: DeclaredWorkloadKind): OperatorKind {
  const labelsPath = declared.podLabels?.split('.').filter(Boolean) ?? [];
  const portsPath = declared.ports?.split('.').filter(Boolean);
  return {
    kind: declared.kind,
    group: declared.apiVersion?.split('/')[0] || undefined,
    createdBy: `its operator (workloadKinds in .netpol.yaml)`,
    podLabels: (value, name) => ({
      ...(labelsPath.length ? labelsAt(value, labelsPath) : {}),
      ...Object.fromEntries(Object.entries(declared.labels ?? {}).map(([k, v]) => [k, v.replace(/\{name\}/g, name)])),
    }),
    ports: (value) => {
      const list = portsPath ? at(value, portsPath) : undefined;
      if (!Array.isArray(list)) return [];
      const out: OperatorPort[] = [];
      for (const p of list) {
        const raw = isPlainObject(p) ? (p.containerPort ?? p.port) : p;
        const containerPort = typeof raw === 'number' ? raw : Number(raw);
        if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535) continue;
        const protocol = isPlainObject(p) && (p.protocol === 'UDP' || p.protocol === 'SCTP') ? p.protocol : 'TCP';
        out.push({ name: isPlainObject(p) && typeof p.name === 'string' ? p.name : undefined, containerPort, protocol });
      }
      return out;
    },
    replicated: (value) => replicasAbove(value, ['spec', 'replicas'], 1),
    hostNetwork: () => false,
  };
}

/** The operator kind of an object, if any (the group of its apiVersion must match where the kind names one). */
export function operatorKindOf(kinds: readonly OperatorKind[], kind: string, apiVersion: string): OperatorKind | undefined {
  for (const k of kinds) {
    if (k.kind !== kind) continue;
    if (k.group === undefined || apiVersion.split('/')[0] === k.group) return k;
  }
  return undefined;
}
