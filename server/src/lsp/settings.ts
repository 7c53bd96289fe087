// The `netpol` settings (workspace/configuration section `netpol`), read defensively: any value may be missing or
// of the wrong type. Settings override `.netpol.yaml`.
import { DEFAULT_DNS, type DnsConfig, type RuleSetting } from '../engine/config';
import { isPlainObject } from '../engine/parse';

export interface NetpolSettings {
  /** Severity per rule id, or off. */
  rules: Record<string, RuleSetting>;
  /** Namespace of objects without one; undefined keeps `.netpol.yaml`'s (or `default`). */
  defaultNamespace: string | undefined;
  /** Globs (relative to a workspace folder) of files not to index. */
  exclude: string[];
  /** Larger files are skipped with a diagnostic; undefined keeps `.netpol.yaml`'s (or 5 MB). */
  maxFileSize: number | undefined;
  /** DNS endpoints, field by field over `.netpol.yaml`'s. */
  dns: Partial<DnsConfig>;
  /** `netpol.helm.path`: the helm binary (else NETPOL_HELM, else helm on PATH). Used in trusted workspaces only. */
  helmPath: string | undefined;
  /** `netpol.kustomize.path`: kubectl or kustomize (else NETPOL_KUBECTL, else either on PATH). Trusted workspaces only. */
  kustomizePath: string | undefined;
}

export function defaultSettings(): NetpolSettings {
  return { rules: {}, defaultNamespace: undefined, exclude: [], maxFileSize: undefined, dns: {}, helmPath: undefined, kustomizePath: undefined };
}

const RULE_SETTINGS = new Set<string>(['error', 'warning', 'information', 'hint', 'off']);

export function readSettings(value: unknown): NetpolSettings {
  const settings = defaultSettings();
  if (!isPlainObject(value)) return settings;
  if (isPlainObject(value.rules)) {
    for (const [id, setting] of Object.entries(value.rules)) {
      // VS Code users write "info"/"warn" too; accept the common short forms.
      const normalized = setting === 'info' ? 'information' : setting === 'warn' ? 'warning' : setting;
      if (typeof normalized === 'string' && RULE_SETTINGS.has(normalized)) settings.rules[id] = normalized as RuleSetting;
    }
  }
  if (typeof value.defaultNamespace === 'string' && value.defaultNamespace.trim() !== '') {
    settings.defaultNamespace = value.defaultNamespace.trim();
  }
  if (Array.isArray(value.exclude)) settings.exclude = value.exclude.filter((g): g is string => typeof g === 'string' && g !== '');
  if (typeof value.maxFileSize === 'number' && Number.isFinite(value.maxFileSize) && value.maxFileSize > 0) {
    settings.maxFileSize = value.maxFileSize;
  }
  const toolPath = (v: unknown) => (isPlainObject(v) && typeof v.path === 'string' && v.path.trim() !== '' ? v.path.trim() : undefined);
  settings.helmPath = toolPath(value.helm);
  settings.kustomizePath = toolPath(value.kustomize);
  if (isPlainObject(value.dns)) {
    // VS Code hands over the declared defaults as if they were set; a default must not hide `.netpol.yaml`'s DNS
    // (an OpenShift cluster described there), so values equal to the defaults count as unset.
    const dns = value.dns;
    if (typeof dns.namespace === 'string' && dns.namespace !== '' && dns.namespace !== DEFAULT_DNS.namespace) settings.dns.namespace = dns.namespace;
    if (isPlainObject(dns.podLabels) && Object.keys(dns.podLabels).length > 0) {
      const labels = Object.fromEntries(Object.entries(dns.podLabels).map(([k, v]) => [k, String(v)]));
      if (!sameLabels(labels, DEFAULT_DNS.podLabels)) settings.dns.podLabels = labels;
    }
    if (Array.isArray(dns.ports) && dns.ports.length > 0) {
      settings.dns.ports = dns.ports.filter((p): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536);
    }
    if (Array.isArray(dns.cidrs) && dns.cidrs.length > 0) settings.dns.cidrs = dns.cidrs.filter((c): c is string => typeof c === 'string');
  }
  return settings;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
