// The workspace configuration file `.netpol.yaml`: scopes, objects outside the repository, DNS endpoints,
// rule severities. Read by the language server and the CLI alike.
import { stringify } from 'yaml';
import { isMap, isScalar, type Document } from 'yaml';
import { parseCidr } from './cidr';
import { BUILT_IN_OPERATOR_KINDS, declaredOperatorKind, type DeclaredWorkloadKind, type OperatorKind } from './operator-workloads';
import { globProblem } from './glob';
import { parseAllDocumentsBounded, parseFile, isPlainObject, type K8sObject } from './parse';
import type { InputFinding, Severity } from './types';

export const CONFIG_FILE_NAME = '.netpol.yaml';

export interface ScopeConfig {
  name: string;
  /** Folders or globs relative to the configuration file's folder. */
  paths: string[];
}

export interface DnsConfig {
  /** Namespace of the cluster DNS pods. */
  namespace: string;
  /** Labels of the cluster DNS pods. */
  podLabels: Record<string, string>;
  /** DNS ports; when empty, the container ports of the DNS pods named `dns`/`dns-tcp` (else 53) are used. */
  ports: number[];
  /** Address blocks that also serve DNS (NodeLocal DNSCache, for example 169.254.20.10/32). */
  cidrs: string[];
}

/** Where pods reach the Kubernetes API server (api-server-egress-blocked). */
export interface ApiServerConfig {
  /** Address blocks of the API server; empty: unknown, any address outside the cluster's pods. */
  cidrs: string[];
  /** TCP ports; the API is reachable when an egress rule allows any of them. */
  ports: number[];
}

/** The Prometheus pods that scrape metrics (metrics-scrape-blocked), when the files do not hold them. */
export interface PrometheusConfig {
  namespace: string;
  podLabels: Record<string, string>;
}

export type RuleSetting = Severity | 'off';

/** The CNIs `cni:` names (issue 24): which component enforces the policies decides some of their meaning. */
export const CNI_NAMES = ['calico', 'cilium', 'flannel', 'canal', 'weave', 'antrea', 'ovn-kubernetes', 'aws-vpc', 'gke-dataplane-v2', 'none'] as const;
export type CniName = (typeof CNI_NAMES)[number];
const CNI_NAME_SET = new Set<string>(CNI_NAMES);
/** How one Helm chart is rendered (`helm.charts` of `.netpol.yaml`). */
export interface HelmChartConfig {
  /** The chart's folder, relative to the configuration file's folder. */
  path: string;
  release?: string;
  namespace?: string;
  /** Value files, relative to the configuration file's folder. */
  values?: string[];
}

/** `helm:` of `.netpol.yaml`: the defaults for every chart, and per chart. */
export interface HelmConfig {
  release?: string;
  namespace?: string;
  values?: string[];
  charts: HelmChartConfig[];
}

export interface WorkspaceConfig {
  defaultNamespace: string;
  scopes: ScopeConfig[];
  exclude: string[];
  /** Objects that live outside the repository, as manifests. */
  objects: K8sObject[];
  dns: DnsConfig;
  apiServer: ApiServerConfig;
  prometheus: PrometheusConfig | undefined;
  rules: Record<string, RuleSetting>;
  /** The CNI that enforces the policies, when `cni:` names it; undefined: not said (the upstream semantics apply). */
  cni?: CniName;
  maxFileSize: number;
  /** Custom resources whose operator makes pods: the declared kinds (`workloadKinds`), then the built-in ones. */
  operatorKinds: readonly OperatorKind[];
  /** Namespaces that need no default-deny advice (besides kube-system): `systemNamespaces`. */
  systemNamespaces: string[];
  helm: HelmConfig;
  findings: InputFinding[];
}

export const DEFAULT_DNS: DnsConfig = {
  namespace: 'kube-system',
  podLabels: { 'k8s-app': 'kube-dns' },
  ports: [],
  cidrs: [],
};

/** kube-apiserver's secure port (6443) and the port of the `kubernetes` Service and of managed control planes (443). */
export const DEFAULT_API_SERVER_PORTS: readonly number[] = [443, 6443];

export function defaultConfig(): WorkspaceConfig {
  return {
    defaultNamespace: 'default',
    scopes: [],
    exclude: [],
    objects: [],
    dns: { ...DEFAULT_DNS, podLabels: { ...DEFAULT_DNS.podLabels }, ports: [...DEFAULT_DNS.ports], cidrs: [...DEFAULT_DNS.cidrs] },
    apiServer: { cidrs: [], ports: [...DEFAULT_API_SERVER_PORTS] },
    prometheus: undefined,
    rules: {},
    maxFileSize: 5 * 1024 * 1024,
    operatorKinds: BUILT_IN_OPERATOR_KINDS,
    systemNamespaces: [],
    helm: { charts: [] },
    findings: [],
  };
}

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);

const KNOWN_KEYS = new Set(['defaultNamespace', 'scopes', 'exclude', 'objects', 'dns', 'rules', 'maxFileSize', 'cni', 'apiServer', 'prometheus', 'workloadKinds', 'systemNamespaces', 'helm']);

export function parseConfig(uri: string, text: string): WorkspaceConfig {
  const config = defaultConfig();
  let doc: Document.Parsed | undefined;
  /** The range of the value at a path (the whole file's start when it cannot be found). */
  const rangeAt = (path: readonly (string | number)[]): [number, number] => {
    const node = path.length && doc ? (doc.getIn(path, true) as { range?: [number, number, number] } | undefined) : undefined;
    return node?.range ? [node.range[0], node.range[1]] : [0, 0];
  };
  const problem = (message: string, path: readonly (string | number)[] = [], severity: 'error' | 'warning' = 'error') =>
    config.findings.push({ code: 'invalid-config', severity, message, location: { uri, range: rangeAt(path) } });
  // The size limit itself lives in this file, so the default one applies to it.
  if (text.length > defaultConfig().maxFileSize) {
    problem(`${CONFIG_FILE_NAME} is larger than ${defaultConfig().maxFileSize} characters and is ignored`);
    return config;
  }
  let value: unknown;
  try {
    // Bounded like manifests: a hostile configuration file must not take the server down.
    const docs = parseAllDocumentsBounded(text);
    if (docs.length > 1) {
      problem(`${CONFIG_FILE_NAME} must hold a single YAML document`);
      return config;
    }
    doc = docs[0];
    if (!doc) return config;
    if (doc.errors.length) {
      const error = doc.errors[0];
      config.findings.push({ code: 'invalid-config', severity: 'error', message: `${CONFIG_FILE_NAME}: ${error.message.split('\n')[0]}`, location: { uri, range: [error.pos[0], error.pos[1]] } });
      return config;
    }
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    problem(`${CONFIG_FILE_NAME}: ${(error as Error).message}`);
    return config;
  }
  if (value === null || value === undefined) return config;
  if (!isPlainObject(value)) {
    problem(`${CONFIG_FILE_NAME} must be a map`);
    return config;
  }
  for (const key of Object.keys(value)) {
    if (KNOWN_KEYS.has(key)) continue;
    // At the key, which is what is wrong.
    const pair = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && String(p.key.value) === key) : undefined;
    const keyRange = isScalar(pair?.key) && pair.key.range ? ([pair.key.range[0], pair.key.range[1]] as [number, number]) : rangeAt([key]);
    config.findings.push({ code: 'invalid-config', severity: 'warning', message: `${CONFIG_FILE_NAME}: unknown setting ${key} (known: ${[...KNOWN_KEYS].join(', ')}); it is ignored`, location: { uri, range: keyRange } });
  }
  const has = (key: string) => Object.prototype.hasOwnProperty.call(value, key);
  if (has('defaultNamespace')) {
    if (typeof value.defaultNamespace === 'string' && value.defaultNamespace.trim() !== '') config.defaultNamespace = value.defaultNamespace;
    else problem(`${CONFIG_FILE_NAME}: defaultNamespace must be a namespace name; "default" applies`, ['defaultNamespace']);
  }
  /** The strings of a list of globs; the others and the patterns netpol cannot use are reported at their item. */
  const globs = (list: unknown, path: (string | number)[], what: string): string[] => {
    if (!Array.isArray(list)) {
      problem(`${CONFIG_FILE_NAME}: ${what} must be a list of folders or globs`, path);
      return [];
    }
    const out: string[] = [];
    list.forEach((item, i) => {
      if (typeof item !== 'string') problem(`${CONFIG_FILE_NAME}: each entry of ${what} must be a folder or glob (a string)`, [...path, i]);
      else {
        const bad = globProblem(item);
        if (bad) problem(`${CONFIG_FILE_NAME}: ${JSON.stringify(item)} is ignored: ${bad}`, [...path, i]);
        else out.push(item);
      }
    });
    return out;
  };
  if (has('scopes')) {
    if (!Array.isArray(value.scopes)) problem(`${CONFIG_FILE_NAME}: scopes must be a list of {name, paths}`, ['scopes']);
    else {
      value.scopes.forEach((s, i) => {
        if (isPlainObject(s) && typeof s.name === 'string' && Array.isArray(s.paths)) {
          config.scopes.push({ name: s.name, paths: globs(s.paths, ['scopes', i, 'paths'], `the paths of scope ${s.name}`) });
        } else problem(`${CONFIG_FILE_NAME}: each scope needs a name and a list of paths`, ['scopes', i]);
      });
    }
  }
  if (has('exclude')) config.exclude = globs(value.exclude, ['exclude'], 'exclude');
  if (has('maxFileSize')) {
    const size = value.maxFileSize;
    if (typeof size === 'number' && Number.isFinite(size) && size > 0) config.maxFileSize = size;
    else problem(`${CONFIG_FILE_NAME}: maxFileSize must be a positive number of bytes (got ${JSON.stringify(size) ?? String(size)}); ${config.maxFileSize} applies`, ['maxFileSize']);
  }
  if (has('objects')) {
    if (Array.isArray(value.objects)) {
      // Re-read the objects through the manifest parser so they look like any other object.
      const parsed = parseFile(uri, value.objects.map((o) => stringify(o)).join('---\n'));
      for (const d of parsed.documents) config.objects.push(...d.objects);
    } else problem(`${CONFIG_FILE_NAME}: objects must be a list of manifests`, ['objects']);
  }
  if (has('dns')) {
    if (!isPlainObject(value.dns)) problem(`${CONFIG_FILE_NAME}: dns must be a map (namespace, podLabels, ports, cidrs)`, ['dns']);
    else {
      const dns = value.dns;
      if (typeof dns.namespace === 'string') config.dns.namespace = dns.namespace;
      else if (dns.namespace !== undefined) problem(`${CONFIG_FILE_NAME}: dns.namespace must be a namespace name`, ['dns', 'namespace']);
      if (isPlainObject(dns.podLabels)) {
        config.dns.podLabels = Object.fromEntries(Object.entries(dns.podLabels).map(([k, v]) => [k, String(v)]));
      } else if (dns.podLabels !== undefined) problem(`${CONFIG_FILE_NAME}: dns.podLabels must be a map of labels`, ['dns', 'podLabels']);
      // New lists, never pushed into: the defaults' lists are shared with DEFAULT_DNS.
      if (Array.isArray(dns.ports)) {
        config.dns.ports = [];
        dns.ports.forEach((p, i) => {
          if (typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535) config.dns.ports.push(p);
          else problem(`${CONFIG_FILE_NAME}: dns.ports must hold port numbers from 1 to 65535 (got ${JSON.stringify(p)}); it is ignored`, ['dns', 'ports', i]);
        });
      } else if (dns.ports !== undefined) problem(`${CONFIG_FILE_NAME}: dns.ports must be a list of port numbers`, ['dns', 'ports']);
      if (Array.isArray(dns.cidrs)) {
        config.dns.cidrs = [];
        dns.cidrs.forEach((c, i) => {
          const parsed = typeof c === 'string' ? parseCidr(c) : 'not a string';
          if (typeof parsed === 'string') problem(`${CONFIG_FILE_NAME}: dns.cidrs: ${JSON.stringify(c)} is not an address block (${parsed}); it is ignored`, ['dns', 'cidrs', i]);
          else config.dns.cidrs.push(c as string);
        });
      } else if (dns.cidrs !== undefined) problem(`${CONFIG_FILE_NAME}: dns.cidrs must be a list of address blocks`, ['dns', 'cidrs']);
    }
  }
  if (has('cni') && value.cni !== null) {
    if (typeof value.cni === 'string' && CNI_NAME_SET.has(value.cni)) config.cni = value.cni as CniName;
    else problem(`${CONFIG_FILE_NAME}: cni must be one of ${CNI_NAMES.join(', ')}; ${JSON.stringify(value.cni)} is ignored`, ['cni']);
  }
  if (value.apiServer !== undefined) readApiServer(value.apiServer, config, (message) => problem(message, ['apiServer']));
  if (value.prometheus !== undefined) readPrometheus(value.prometheus, config, (message) => problem(message, ['prometheus']));
  if (has('helm')) readHelm(value.helm, config, (message) => problem(message, ['helm']));
  if (Array.isArray(value.workloadKinds)) {
    const declared: OperatorKind[] = [];
    for (const k of value.workloadKinds) {
      const text = (key: string) => (isPlainObject(k) && typeof k[key] === 'string' ? (k[key] as string) : undefined);
      if (!isPlainObject(k) || !text('kind') || !(text('podLabels') || isPlainObject(k.labels))) {
        problem(`${CONFIG_FILE_NAME}: each of workloadKinds needs a kind and podLabels (a path such as spec.podMetadata.labels) or labels`, ['workloadKinds']);
        continue;
      }
      const kind: DeclaredWorkloadKind = { kind: text('kind')!, apiVersion: text('apiVersion'), podLabels: text('podLabels'), ports: text('ports') };
      if (isPlainObject(k.labels)) kind.labels = Object.fromEntries(Object.entries(k.labels).map(([key, v]) => [key, String(v)]));
      declared.push(declaredOperatorKind(kind));
    }
    config.operatorKinds = [...declared, ...BUILT_IN_OPERATOR_KINDS];
  }
  if (Array.isArray(value.systemNamespaces)) config.systemNamespaces = value.systemNamespaces.filter((n): n is string => typeof n === 'string');
  if (has('rules')) {
    if (!isPlainObject(value.rules)) problem(`${CONFIG_FILE_NAME}: rules must be a map of rule ids to severities`, ['rules']);
    else {
      for (const [id, setting] of Object.entries(value.rules)) {
        if (typeof setting === 'string' && SEVERITIES.has(setting)) config.rules[id] = setting as RuleSetting;
        else problem(`${CONFIG_FILE_NAME}: rule ${id} must be one of error, warning, information, hint, off`, ['rules', id]);
      }
    }
  }
  return config;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function readApiServer(value: unknown, config: WorkspaceConfig, problem: (message: string) => void): void {
  if (!isPlainObject(value)) {
    problem(`${CONFIG_FILE_NAME}: apiServer must be a map with cidrs and ports`);
    return;
  }
  if (value.cidrs !== undefined) {
    if (!Array.isArray(value.cidrs)) problem(`${CONFIG_FILE_NAME}: apiServer.cidrs must be a list of CIDRs`);
    else {
      for (const c of value.cidrs) {
        const parsed = typeof c === 'string' ? parseCidr(c) : 'not a string';
        if (typeof parsed === 'string') problem(`${CONFIG_FILE_NAME}: apiServer.cidrs: ${JSON.stringify(c)} is not a CIDR (${parsed})`);
        else config.apiServer.cidrs.push(c as string);
      }
    }
  }
  if (value.ports !== undefined) {
    if (!Array.isArray(value.ports) || value.ports.length === 0) problem(`${CONFIG_FILE_NAME}: apiServer.ports must be a non-empty list of port numbers`);
    else {
      const ports = value.ports.filter(isPort);
      for (const p of value.ports) if (!isPort(p)) problem(`${CONFIG_FILE_NAME}: apiServer.ports: ${JSON.stringify(p)} is not a port number (1-65535)`);
      if (ports.length > 0) config.apiServer.ports = [...new Set(ports)];
    }
  }
  for (const key of Object.keys(value)) if (key !== 'cidrs' && key !== 'ports') problem(`${CONFIG_FILE_NAME}: apiServer.${key} is not a setting (cidrs, ports)`);
}

function readPrometheus(value: unknown, config: WorkspaceConfig, problem: (message: string) => void): void {
  if (!isPlainObject(value) || typeof value.namespace !== 'string' || !value.namespace || !isPlainObject(value.podLabels) || Object.keys(value.podLabels).length === 0) {
    problem(`${CONFIG_FILE_NAME}: prometheus needs a namespace and non-empty podLabels`);
    return;
  }
  config.prometheus = { namespace: value.namespace, podLabels: Object.fromEntries(Object.entries(value.podLabels).map(([k, v]) => [k, String(v)])) };
  for (const key of Object.keys(value)) if (key !== 'namespace' && key !== 'podLabels') problem(`${CONFIG_FILE_NAME}: prometheus.${key} is not a setting (namespace, podLabels)`);
}

function readHelm(value: unknown, config: WorkspaceConfig, problem: (message: string) => void): void {
  if (!isPlainObject(value)) return problem(`${CONFIG_FILE_NAME}: helm must be a map (release, namespace, values, charts)`);
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const files = (v: unknown, where: string) => {
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((f) => typeof f === 'string')) return v as string[];
    problem(`${CONFIG_FILE_NAME}: ${where}values must be a list of value files`);
    return undefined;
  };
  config.helm.release = text(value.release);
  config.helm.namespace = text(value.namespace);
  config.helm.values = files(value.values, 'helm.');
  if (value.charts === undefined) return;
  if (!Array.isArray(value.charts)) return problem(`${CONFIG_FILE_NAME}: helm.charts must be a list of charts (path, release, namespace, values)`);
  for (const c of value.charts) {
    if (!isPlainObject(c) || typeof c.path !== 'string') {
      problem(`${CONFIG_FILE_NAME}: each entry of helm.charts needs a path (the chart's folder)`);
      continue;
    }
    config.helm.charts.push({ path: c.path, release: text(c.release), namespace: text(c.namespace), values: files(c.values, 'helm.charts[].') });
  }
}
