// Policy templates inserted as snippets: tab stops pre-filled from the workspace (namespaces, pod labels, declared
// ports) as choices, so the first choice is a sensible value and the others are one keystroke away. The client's
// insert commands ask for them (PolicyTextRequest). Text is ordered by code units (engine/order.ts), as all the
// server's output.
import { allowDnsPolicy, defaultDenyPolicy, NAMESPACE_NAME_LABEL, toYaml } from './policy-yaml';
import { compareText } from '../engine/order';
import { escapeSnippet, type TemplateId, type WorkspaceSummary } from './protocol';

/** A tab stop offering `options` (first one inserted), or a plain placeholder when there is one option. */
export function choice(index: number, options: readonly string[], fallback: string): string {
  const unique = [...new Set(options.filter((o) => o !== ''))];
  if (unique.length === 0) return `\${${index}:${escapeSnippet(fallback)}}`;
  if (unique.length === 1) return `\${${index}:${escapeSnippet(unique[0])}}`;
  return `\${${index}|${unique.map((o) => o.replace(/[\\,|]/g, '\\$&')).join(',')}|}`;
}

interface Prefill {
  namespace: string;
  otherNamespaces: string[];
  labelKeys: string[];
  labelValues: string[];
  ports: string[];
  protocols: string[];
}

const PREFERRED_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'component', 'tier'];

/** Namespaces, label keys and values, and ports of the workloads in `namespace`, most useful first. */
export function prefill(summary: WorkspaceSummary, namespace: string): Prefill {
  const workloads = summary.workloads.filter((w) => w.namespace === namespace).sort((a, b) => compareText(a.name, b.name));
  const keyCounts = new Map<string, number>();
  for (const w of workloads) for (const k of Object.keys(w.podLabels)) keyCounts.set(k, (keyCounts.get(k) ?? 0) + 1);
  const rank = (k: string) => (PREFERRED_KEYS.includes(k) ? PREFERRED_KEYS.indexOf(k) : PREFERRED_KEYS.length);
  const labelKeys = [...keyCounts.keys()].sort((a, b) => rank(a) - rank(b) || (keyCounts.get(b)! - keyCounts.get(a)!) || compareText(a, b));
  const firstKey = labelKeys[0];
  const labelValues = firstKey ? workloads.map((w) => w.podLabels[firstKey]).filter((v): v is string => v !== undefined) : [];
  const ports = [...new Set(workloads.flatMap((w) => w.ports.map((p) => String(p.port))))];
  const protocols = [...new Set(['TCP', ...workloads.flatMap((w) => w.ports.map((p) => p.protocol)), 'UDP', 'SCTP'])];
  const otherNamespaces = summary.namespaces.map((n) => n.name).filter((n) => n !== namespace).sort();
  return { namespace, otherNamespaces, labelKeys, labelValues, ports, protocols };
}

/** The snippet text of a template for `namespace`. */
export function templateSnippet(id: TemplateId, summary: WorkspaceSummary, namespace: string): string {
  const p = prefill(summary, namespace);
  const header = (name: string, namespaceStop: number) =>
    [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      `  name: \${1:${escapeSnippet(name)}}`,
      `  namespace: ${choice(namespaceStop, [namespace, ...p.otherNamespaces], namespace)}`,
    ].join('\n');
  const podSelector = (keyStop: number) =>
    ['  podSelector:', '    matchLabels:', `      ${choice(keyStop, p.labelKeys, 'app')}: ${choice(keyStop + 1, p.labelValues, 'my-app')}`].join('\n');
  switch (id) {
    case 'allow-from-namespace': {
      const from = p.otherNamespaces[0] ?? 'other';
      return [
        header(`allow-from-${from}`, 2),
        'spec:',
        podSelector(3),
        '  policyTypes:',
        '    - Ingress',
        '  ingress:',
        '    - from:',
        '        - namespaceSelector:',
        '            matchLabels:',
        `              ${escapeSnippet(NAMESPACE_NAME_LABEL)}: ${choice(5, p.otherNamespaces, 'other')}`,
        '      ports:',
        `        - protocol: ${choice(6, p.protocols, 'TCP')}`,
        `          port: ${choice(7, p.ports, '8080')}`,
        '$0',
      ].join('\n');
    }
    case 'allow-from-pods':
      return [
        header('allow-from-pods', 2),
        'spec:',
        podSelector(3),
        '  policyTypes:',
        '    - Ingress',
        '  ingress:',
        '    - from:',
        '        - podSelector:',
        '            matchLabels:',
        `              ${choice(5, p.labelKeys, 'app')}: ${choice(6, [...p.labelValues].reverse(), 'client')}`,
        '      ports:',
        `        - protocol: ${choice(7, p.protocols, 'TCP')}`,
        `          port: ${choice(8, p.ports, '8080')}`,
        '$0',
      ].join('\n');
    case 'allow-to-port':
      return [
        header(`allow-port-${p.ports[0] ?? '8080'}`, 2),
        'spec:',
        podSelector(3),
        '  policyTypes:',
        '    - Ingress',
        '  ingress:',
        '    - ports:',
        `        - protocol: ${choice(5, p.protocols, 'TCP')}`,
        `          port: ${choice(6, p.ports, '8080')}`,
        '$0',
      ].join('\n');
    case 'deny-egress-except-dns': {
      // The DNS part is fixed by the workspace's DNS configuration: only the name and namespace are tab stops.
      const body = toYaml(defaultDenyPolicy(namespace, 'egress', summary.dns)).split('\n');
      const metadataEnd = body.findIndex((l) => l === 'spec:');
      return [header('deny-egress-except-dns', 2), ...body.slice(metadataEnd).map(escapeSnippet)].join('\n').replace(/\n*$/, '\n$0');
    }
  }
}

export function defaultDenyYaml(namespace: string, direction: 'ingress' | 'egress' | 'both', summary: WorkspaceSummary, includeDns: boolean): string {
  return toYaml(defaultDenyPolicy(namespace, direction, includeDns ? summary.dns : undefined));
}

export function allowDnsYaml(namespace: string, summary: WorkspaceSummary): string {
  return toYaml(allowDnsPolicy(namespace, summary.dns));
}
