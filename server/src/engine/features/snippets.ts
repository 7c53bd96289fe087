// The policy snippets, offered by completion only where a document may start (an empty file, or an empty document
// after `---`), each once, with one prefix family (`netpol-`). The namespace tab stop offers the workspace's
// namespaces. They are the server's, not a contributed snippets file: VS Code offers contributed snippets at every
// position of every YAML file.
import type { OffsetRange } from '../types';
import type { ScopeIndex } from './index';
import type { CompletionItem, TextContext } from './text-context';
import { compareText } from '../order';

interface Snippet {
  prefix: string;
  description: string;
  /** Snippet syntax; `${NAMESPACE}` stands for the namespace tab stop (number 2). */
  body: string[];
}

export const SNIPPETS: readonly Snippet[] = [
  {
    prefix: 'netpol-default-deny',
    description: 'A NetworkPolicy that isolates every pod of a namespace for ingress and egress and allows nothing (delete a policyTypes line to deny one direction only).',
    body: ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: ${1:default-deny-all}', '  namespace: ${NAMESPACE}', 'spec:', '  podSelector: {}', '  policyTypes:', '    - Ingress', '    - Egress', '$0'],
  },
  {
    prefix: 'netpol-allow-dns',
    description: 'Allows every pod of a namespace to resolve names: UDP and TCP 53 to the cluster DNS pods.',
    body: [
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: ${1:allow-dns-egress}', '  namespace: ${NAMESPACE}', 'spec:', '  podSelector: {}', '  policyTypes:', '    - Egress', '  egress:',
      '    - to:', '        - namespaceSelector:', '            matchLabels:', '              kubernetes.io/metadata.name: ${3:kube-system}', '          podSelector:', '            matchLabels:', '              k8s-app: ${4:kube-dns}',
      '      ports:', '        - protocol: UDP', '          port: ${5:53}', '        - protocol: TCP', '          port: ${5:53}', '$0',
    ],
  },
  {
    prefix: 'netpol-allow-from-namespace',
    description: 'Allows ingress to selected pods from every pod of another namespace.',
    body: [
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: ${1:allow-from-$4}', '  namespace: ${NAMESPACE}', 'spec:', '  podSelector:', '    matchLabels:', '      app: ${3:my-app}', '  policyTypes:', '    - Ingress', '  ingress:',
      '    - from:', '        - namespaceSelector:', '            matchLabels:', '              kubernetes.io/metadata.name: ${4:other-namespace}', '      ports:', '        - protocol: ${5|TCP,UDP,SCTP|}', '          port: ${6:8080}', '$0',
    ],
  },
  {
    prefix: 'netpol-allow-from-pods',
    description: 'Allows ingress to selected pods from pods with given labels in the same namespace.',
    body: [
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: ${1:allow-$4-to-$3}', '  namespace: ${NAMESPACE}', 'spec:', '  podSelector:', '    matchLabels:', '      app: ${3:server}', '  policyTypes:', '    - Ingress', '  ingress:',
      '    - from:', '        - podSelector:', '            matchLabels:', '              app: ${4:client}', '      ports:', '        - protocol: ${5|TCP,UDP,SCTP|}', '          port: ${6:8080}', '$0',
    ],
  },
  {
    prefix: 'netpol-ipblock-egress',
    description: 'Allows egress from selected pods to an address block outside the cluster, with exceptions.',
    body: [
      'apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: ${1:allow-egress-to-external}', '  namespace: ${NAMESPACE}', 'spec:', '  podSelector:', '    matchLabels:', '      app: ${3:my-app}', '  policyTypes:', '    - Egress', '  egress:',
      '    - to:', '        - ipBlock:', '            cidr: ${4:203.0.113.0/24}', '            except:', '              - ${5:203.0.113.128/25}', '      ports:', '        - protocol: TCP', '          port: ${6:443}', '$0',
    ],
  },
];

/** Whether the cursor is where a document may start: at the left margin of a document with nothing else in it. */
export function atDocumentStart(ctx: TextContext): boolean {
  const [first, last] = ctx.documentLines;
  for (let l = first; l <= last; l++) {
    const text = ctx.lines[l].replace(/\r$/, '');
    if (l === ctx.line) {
      // Only the word being typed, from the left margin, on the cursor's line.
      if (text.trim() !== ctx.prefix || !text.startsWith(ctx.prefix)) return false;
      continue;
    }
    const trimmed = text.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return false;
  }
  return true;
}

/** The namespace tab stop: the workspace's namespaces with pods first (most pods first), else `default`. */
function namespaceStop(index: ScopeIndex | undefined): string {
  const names = index
    ? [...index.model.namespaces.values()]
        .filter((ns) => !ns.external)
        .map((ns) => ({ name: ns.name, pods: index.workloadsIn(ns.name).length }))
        .sort((a, b) => b.pods - a.pods || compareText(a.name, b.name))
        .map((ns) => ns.name)
    : [];
  if (names.length <= 1) return `\${2:${(names[0] ?? 'default').replace(/[\\$}]/g, '\\$&')}}`;
  return `\${2|${names.map((n) => n.replace(/[\\,|]/g, '\\$&')).join(',')}|}`;
}

export function snippetItems(index: ScopeIndex | undefined, range: OffsetRange): CompletionItem[] {
  const namespace = namespaceStop(index);
  return SNIPPETS.map((s, i) => ({
    label: s.prefix,
    kind: 'snippet' as const,
    detail: 'NetworkPolicy',
    documentation: s.description,
    insertText: s.body.join('\n').replace('${NAMESPACE}', namespace),
    range,
    sortText: String(i).padStart(6, '0'),
  }));
}
