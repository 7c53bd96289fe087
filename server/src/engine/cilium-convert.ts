// A Kubernetes NetworkPolicy rewritten as the CiliumNetworkPolicy that Cilium enforces the same way (Cilium converts
// NetworkPolicies into its own rules: pkg/k8s/network_policy.go). The mapping, per docs.cilium.io language.rst:
//   podSelector                 → endpointSelector (a CNP adds its namespace, as a NetworkPolicy's podSelector is)
//   policyTypes without rules   → `ingress: [{}]` / `egress: [{}]` (the default-deny idiom; `ingress: []` is rejected)
//   a rule without from/to      → fromEntities/toEntities [all] (every peer, inside and outside the cluster)
//   podSelector peer            → from/toEndpoints (the policy's namespace is added, as for the NetworkPolicy)
//   namespaceSelector peer      → from/toEndpoints on the namespace's labels (io.cilium.k8s.namespace.labels.*,
//                                 kubernetes.io/metadata.name as io.kubernetes.pod.namespace; `{}`: any namespace)
//   ipBlock                     → from/toCIDRSet with except (under Cilium neither matches pods)
//   ports                       → toPorts (port "0": every port of the protocol; endPort; named ports)
// Peers of different kinds go into separate entries with the same ports: allows are a union either way.
// Not exact: selectors whose keys Cilium reads differently (source prefixes `k8s:`, `any:`, `reserved:`, and the
// identity labels `io.kubernetes.pod.namespace`, `io.cilium.k8s.*` that a pod cannot carry the same way).
import { stringify } from 'yaml';
import { isPlainObject } from './parse';
import type { NetworkPolicy } from './policy';

export interface CiliumConversion {
  /** The CiliumNetworkPolicy as one YAML document (without `---`). */
  text: string;
  value: Record<string, unknown>;
  /** Whether Cilium enforces it exactly as it enforces the NetworkPolicy; otherwise `reasons` say why not. */
  exact: boolean;
  reasons: string[];
}

const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
const METADATA_NAME = 'kubernetes.io/metadata.name';

/** Keys that Cilium's selectors read as something other than a pod label of that name. */
function ciliumReadsDifferently(key: string): boolean {
  return /^(k8s|any|reserved|cidr|fqdn|container|unspec):/.test(key) || key === NAMESPACE_LABEL || key.startsWith('io.cilium.k8s.') || key.startsWith('io.kubernetes.pod.');
}

type Selector = { matchLabels?: Record<string, unknown>; matchExpressions?: Record<string, unknown>[] };

function copySelector(raw: unknown, where: string, reasons: string[]): Selector {
  const out: Selector = {};
  if (!isPlainObject(raw)) return out;
  if (isPlainObject(raw.matchLabels) && Object.keys(raw.matchLabels).length > 0) out.matchLabels = { ...raw.matchLabels };
  if (Array.isArray(raw.matchExpressions) && raw.matchExpressions.length > 0) out.matchExpressions = raw.matchExpressions.filter(isPlainObject).map((e) => ({ ...e }));
  for (const key of [...Object.keys(out.matchLabels ?? {}), ...(out.matchExpressions ?? []).map((e) => String(e.key))]) {
    if (ciliumReadsDifferently(key)) reasons.push(`${where} uses the key ${key}, which Cilium's selectors read as a source prefix or an identity label, not as this pod label`);
  }
  return out;
}

/** A namespaceSelector as requirements on a pod's identity labels (`{}`: a pod of any namespace). */
function namespaceRequirements(raw: unknown): Selector {
  const out: Selector = {};
  const labels = isPlainObject(raw) && isPlainObject(raw.matchLabels) ? raw.matchLabels : {};
  const expressions = isPlainObject(raw) && Array.isArray(raw.matchExpressions) ? raw.matchExpressions.filter(isPlainObject) : [];
  const key = (k: string) => (k === METADATA_NAME ? NAMESPACE_LABEL : NAMESPACE_LABELS_PREFIX + k);
  for (const [k, v] of Object.entries(labels)) (out.matchLabels ??= {})[key(k)] = v;
  for (const e of expressions) (out.matchExpressions ??= []).push({ ...e, key: key(String(e.key)) });
  // Naming the namespace label at all stops Cilium from adding the policy's namespace: `{}` becomes "any namespace".
  if (!out.matchLabels && !out.matchExpressions) out.matchExpressions = [{ key: NAMESPACE_LABEL, operator: 'Exists' }];
  return out;
}

function merge(a: Selector, b: Selector): Selector {
  const out: Selector = {};
  if (a.matchLabels || b.matchLabels) out.matchLabels = { ...(a.matchLabels ?? {}), ...(b.matchLabels ?? {}) };
  if (a.matchExpressions || b.matchExpressions) out.matchExpressions = [...(a.matchExpressions ?? []), ...(b.matchExpressions ?? [])];
  return out;
}

function toPorts(rawPorts: unknown): Record<string, unknown>[] | undefined {
  if (!Array.isArray(rawPorts) || rawPorts.length === 0) return undefined;
  const ports = rawPorts.filter(isPlainObject).map((p) => {
    const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
    const port = p.port === undefined || p.port === null ? '0' : String(p.port);
    return { port, ...(typeof p.endPort === 'number' ? { endPort: p.endPort } : {}), protocol };
  });
  return [{ ports }];
}

/** The NetworkPolicy as a CiliumNetworkPolicy of the same name and namespace; undefined for a policy the API server rejects. */
export function networkPolicyToCilium(policy: NetworkPolicy): CiliumConversion | undefined {
  if (!policy.valid) return undefined;
  const reasons: string[] = [];
  const spec = isPlainObject(policy.object.value.spec) ? policy.object.value.spec : {};
  const out: Record<string, unknown> = { endpointSelector: copySelector(spec.podSelector, 'spec.podSelector', reasons) };
  for (const direction of ['ingress', 'egress'] as const) {
    if (!policy.types[direction]) continue;
    const from = direction === 'ingress' ? 'from' : 'to';
    const rawRules = Array.isArray(spec[direction]) ? spec[direction] : [];
    const entries: Record<string, unknown>[] = [];
    rawRules.forEach((rawRule, i) => {
      if (!isPlainObject(rawRule)) return;
      const ports = toPorts(rawRule.ports);
      const withPorts = (entry: Record<string, unknown>) => entries.push(ports ? { ...entry, toPorts: ports } : entry);
      const peers = Array.isArray(rawRule[from]) ? rawRule[from].filter(isPlainObject) : [];
      if (peers.length === 0) return withPorts({ [`${from}Entities`]: ['all'] });
      const endpoints: Selector[] = [];
      const cidrs: Record<string, unknown>[] = [];
      peers.forEach((peer, j) => {
        const where = `spec.${direction}[${i}].${from}[${j}]`;
        if (isPlainObject(peer.ipBlock)) {
          const except = Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : [];
          cidrs.push({ cidr: peer.ipBlock.cidr, ...(except.length > 0 ? { except } : {}) });
          return;
        }
        const pods = peer.podSelector !== undefined ? copySelector(peer.podSelector, `${where}.podSelector`, reasons) : {};
        endpoints.push(peer.namespaceSelector !== undefined ? merge(pods, namespaceRequirements(peer.namespaceSelector)) : pods);
      });
      if (endpoints.length > 0) withPorts({ [`${from}Endpoints`]: endpoints });
      if (cidrs.length > 0) withPorts({ [`${from}CIDRSet`]: cidrs });
    });
    // A direction the policy isolates with no rule allows nothing: `[{}]` (an empty list would be rejected).
    out[direction] = entries.length > 0 ? entries : [{}];
  }
  const meta = isPlainObject(policy.object.value.metadata) ? policy.object.value.metadata : {};
  const value: Record<string, unknown> = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: policy.name, namespace: policy.namespace, ...(isPlainObject(meta.labels) ? { labels: meta.labels } : {}) },
    spec: out,
  };
  return { value, text: stringify(value, { lineWidth: 0 }), exact: reasons.length === 0, reasons };
}
