// Completion in NetworkPolicies: fields where they belong, label keys and values that exist in the workspace (with
// how many pods or namespaces carry them), namespace names, container port names, policyTypes, operators and
// protocols. While typing, the document is often not valid YAML, so the context comes from the text: the keys of the
// lines above with smaller indentation, not from the syntax tree.
import type { Workload } from '../model';
import type { OffsetRange } from '../types';
import { CILIUM_ENTITIES } from '../cilium';
import type { Workspace } from '../workspace';
import { connectivityTestCompletion, inConnectivityTestDocument } from '../assertions/editor';
import { blockValue, textContext, type CompletionItem, type ContextStep, type TextContext } from './text-context';
import { featureIndex, type LabelStats, type ScopeIndex } from './index';
import { plural } from './markdown';
import { compareText } from '../order';

export type { CompletionItem, CompletionKind } from './text-context';

function blockHasKey(ctx: TextContext, step: ContextStep, key: string): boolean {
  return blockValue(ctx, step, key) !== undefined;
}

// ---- what to offer ---------------------------------------------------------------------------------------------

interface FieldDoc {
  name: string;
  doc: string;
  /** Scalar fields get `name: `, collections `name:` and a new line. */
  scalar?: boolean;
}

const TOP_FIELDS: FieldDoc[] = [
  { name: 'apiVersion', doc: 'networking.k8s.io/v1', scalar: true },
  { name: 'kind', doc: 'NetworkPolicy', scalar: true },
  { name: 'metadata', doc: 'name and namespace of the policy' },
  { name: 'spec', doc: 'which pods the policy selects and what it allows' },
];
const METADATA_FIELDS: FieldDoc[] = [
  { name: 'name', doc: 'the policy name, unique in its namespace', scalar: true },
  { name: 'namespace', doc: 'the namespace the policy applies to (its podSelector selects pods there)', scalar: true },
  { name: 'labels', doc: 'labels of the policy object itself' },
  { name: 'annotations', doc: 'annotations of the policy object' },
];
const SPEC_FIELDS: FieldDoc[] = [
  { name: 'podSelector', doc: 'the pods in this namespace the policy applies to; `{}` selects every pod' },
  { name: 'policyTypes', doc: 'Ingress and/or Egress: the directions the policy isolates' },
  { name: 'ingress', doc: 'rules of allowed incoming traffic (from + ports)' },
  { name: 'egress', doc: 'rules of allowed outgoing traffic (to + ports)' },
];
const INGRESS_RULE_FIELDS: FieldDoc[] = [
  { name: 'from', doc: 'the peers allowed to connect; absent: any source' },
  { name: 'ports', doc: 'the ports allowed; absent: every port' },
];
const EGRESS_RULE_FIELDS: FieldDoc[] = [
  { name: 'to', doc: 'the peers that may be reached; absent: any destination' },
  { name: 'ports', doc: 'the ports allowed; absent: every port' },
];
const PEER_FIELDS: FieldDoc[] = [
  { name: 'podSelector', doc: 'pods of the policy namespace (or of the namespaces the namespaceSelector selects)' },
  { name: 'namespaceSelector', doc: 'namespaces whose pods are peers; combined with podSelector in the same peer, both must match' },
  { name: 'ipBlock', doc: 'an address range (cidr, except); cannot be combined with selectors' },
];
const SELECTOR_FIELDS: FieldDoc[] = [
  { name: 'matchLabels', doc: 'label key/value pairs that must all match' },
  { name: 'matchExpressions', doc: 'requirements with operators In, NotIn, Exists, DoesNotExist' },
];
const EXPRESSION_FIELDS: FieldDoc[] = [
  { name: 'key', doc: 'the label key', scalar: true },
  { name: 'operator', doc: 'In, NotIn, Exists or DoesNotExist', scalar: true },
  { name: 'values', doc: 'values for In and NotIn (none for Exists and DoesNotExist)' },
];
const PORT_FIELDS: FieldDoc[] = [
  { name: 'protocol', doc: 'TCP (default), UDP or SCTP', scalar: true },
  { name: 'port', doc: 'a port number or a container port name; absent: every port', scalar: true },
  { name: 'endPort', doc: 'with a numeric port: the last port of a range', scalar: true },
];
const IPBLOCK_FIELDS: FieldDoc[] = [
  { name: 'cidr', doc: 'the address range, for example 10.0.0.0/8', scalar: true },
  { name: 'except', doc: 'ranges inside cidr to leave out' },
];

// Cilium policies (docs.cilium.io security/policy/language.rst; cilium.ts reads the same fields).
const CILIUM_RULE_FIELDS: FieldDoc[] = [
  { name: 'endpointSelector', doc: 'the pods the rule applies to (identity labels; a CiliumNetworkPolicy adds its namespace)' },
  { name: 'ingress', doc: 'allow entries for traffic to the pods; any entry makes ingress default-deny' },
  { name: 'ingressDeny', doc: 'deny entries: beat every allow, and also make ingress default-deny' },
  { name: 'egress', doc: 'allow entries for traffic from the pods; any entry makes egress default-deny' },
  { name: 'egressDeny', doc: 'deny entries: beat every allow, and also make egress default-deny' },
  { name: 'enableDefaultDeny', doc: 'ingress/egress: false keeps the direction open for what no entry matches' },
  { name: 'description', doc: 'free text', scalar: true },
];
const CILIUM_INGRESS_FIELDS: FieldDoc[] = [
  { name: 'fromEndpoints', doc: 'pods by identity labels (the policy namespace is added unless io.kubernetes.pod.namespace is named)' },
  { name: 'fromEntities', doc: 'world, cluster, host, remote-node, kube-apiserver, all, ...' },
  { name: 'fromCIDR', doc: 'addresses outside the cluster (never pods)' },
  { name: 'fromCIDRSet', doc: 'cidr with except, or cidrGroupRef' },
  { name: 'toPorts', doc: 'ports (and L7 rules) of the pods this entry admits' },
  { name: 'icmps', doc: 'ICMP types' },
];
const CILIUM_EGRESS_FIELDS: FieldDoc[] = [
  { name: 'toEndpoints', doc: 'pods by identity labels (the policy namespace is added unless io.kubernetes.pod.namespace is named)' },
  { name: 'toEntities', doc: 'world, cluster, host, remote-node, kube-apiserver, all, ...' },
  { name: 'toCIDR', doc: 'addresses outside the cluster (never pods)' },
  { name: 'toCIDRSet', doc: 'cidr with except, or cidrGroupRef' },
  { name: 'toFQDNs', doc: 'matchName / matchPattern; needs a DNS rule with a dns L7 rule toward kube-dns' },
  { name: 'toServices', doc: 'a Service without a selector (its endpoints)' },
  { name: 'toPorts', doc: 'destination ports (and L7 rules)' },
  { name: 'icmps', doc: 'ICMP types' },
];
const CILIUM_TO_PORTS_FIELDS: FieldDoc[] = [
  { name: 'ports', doc: 'port (a number as a string, or a named port), endPort, protocol' },
  { name: 'rules', doc: 'L7 rules (http, kafka, dns): the traffic is allowed at L4 and filtered at L7' },
];
const CILIUM_PORT_FIELDS: FieldDoc[] = [
  { name: 'port', doc: 'a number as a string ("0": every port), or a named container port', scalar: true },
  { name: 'endPort', doc: 'last port of a range', scalar: true },
  { name: 'protocol', doc: 'TCP, UDP, SCTP or ANY (default ANY)', scalar: true },
];
const CILIUM_ENTITY_DOC = "a Cilium entity (docs.cilium.io language.rst 'Entities Based')";

const ENUMS: Record<string, { values: string[]; doc: string }> = {
  policyTypes: { values: ['Ingress', 'Egress'], doc: 'a direction the policy isolates' },
  operator: { values: ['In', 'NotIn', 'Exists', 'DoesNotExist'], doc: 'label selector operator' },
  protocol: { values: ['TCP', 'UDP', 'SCTP'], doc: 'protocol (TCP when omitted)' },
};

/** YAML 1.1 (what kubectl reads) turns these plain scalars into booleans, numbers or null: quote them. */
const NEEDS_QUOTES = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o?[0-7]+)$/;

function quoteIfNeeded(value: string): string {
  return NEEDS_QUOTES.test(value) || value === '' ? JSON.stringify(value) : value;
}

const rank = (n: number) => String(n).padStart(6, '0');

function documentText(ctx: TextContext): string {
  return ctx.lines.slice(ctx.documentLines[0], ctx.documentLines[1] + 1).join('\n');
}

/** metadata.namespace of the document, read from the text. */
function documentNamespace(ctx: TextContext): string | undefined {
  const lines = ctx.lines.slice(ctx.documentLines[0], ctx.documentLines[1] + 1);
  let inMetadata = false;
  for (const text of lines) {
    if (/^metadata:\s*$/.test(text)) {
      inMetadata = true;
      continue;
    }
    if (inMetadata && /^\S/.test(text)) inMetadata = false;
    const m = inMetadata ? /^\s+namespace:\s*["']?([^"'\s#]+)/.exec(text) : null;
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Completion items at an offset. `text` serves documents the workspace does not index (an untitled editor); the
 * workspace's labels, namespaces and ports are offered all the same.
 */
export function completion(workspace: Workspace, uri: string, offset: number, text?: string): CompletionItem[] {
  const items = completeAt(workspace, uri, offset, text);
  // After an opening quote the user types the quotes: insert bare values.
  const source = workspace.getFile(uri)?.text ?? text ?? '';
  const lineBefore = source.slice(source.lastIndexOf('\n', offset - 1) + 1, offset);
  const quoted = /(:\s+|[[,]\s*)["'][^"'\s]*$/.test(lineBefore);
  return quoted ? items.map((item) => ({ ...item, insertText: item.insertText.replace(/^"(.*)"$/, '$1') })) : items;
}

function completeAt(workspace: Workspace, uri: string, offset: number, text?: string): CompletionItem[] {
  const file = workspace.getFile(uri);
  // Connectivity tests complete their own fields, groups and workloads.
  if (file && inConnectivityTestDocument(file, offset)) return connectivityTestCompletion(workspace, uri, offset);
  const source = file?.text ?? text;
  if (source === undefined) return [];
  offset = Math.max(0, Math.min(offset, source.length));
  const ctx = textContext(source, offset);
  const range: OffsetRange = [offset - ctx.prefix.length, offset];
  const isPolicy = /^kind:\s*["']?NetworkPolicy["']?\s*(#.*)?$/m.test(documentText(ctx));
  const index = featureIndex(workspace).scopeFor(uri);
  const tokens = ctx.path.map((s) => s.token);
  const last = (n: number) => tokens.slice(-n);
  const fields = (docs: FieldDoc[]): CompletionItem[] => {
    // Keys already present in the block are not offered again.
    const container = ctx.path[ctx.path.length - 1];
    return docs
      .filter((d) => !container || !blockHasKey(ctx, container, d.name))
      .map((d, i) => ({
        label: d.name,
        kind: 'field' as const,
        documentation: d.doc,
        insertText: d.scalar ? `${d.name}: ` : `${d.name}:`,
        range,
        sortText: rank(i),
      }));
  };
  const enumItems = (name: string): CompletionItem[] =>
    ENUMS[name].values.map((value, i) => ({ label: value, kind: 'enum' as const, detail: ENUMS[name].doc, insertText: value, range, sortText: rank(i) }));

  // Calico selectors: label keys, functions and values inside the selector string.
  if (index && ctx.mode === 'value' && /^apiVersion:\s*["']?(crd\.)?projectcalico\.org\//m.test(documentText(ctx))) {
    const items = calicoSelectorItems(source, offset, index);
    if (items) return items;
  }
  if (/^apiVersion:\s*["']?cilium\.io\//m.test(documentText(ctx)) && /^kind:\s*["']?Cilium(Clusterwide)?NetworkPolicy["']?\s*(#.*)?$/m.test(documentText(ctx))) {
    const items = ciliumItems();
    if (items) return items;
  }
  // Outside NetworkPolicies only namespace names are offered (metadata.namespace of any object).
  if (ctx.mode === 'value' && ctx.key === 'namespace' && tokens.length === 1 && tokens[0] === 'metadata' && index) {
    return namespaceItems(index, range);
  }
  if (!isPolicy) return [];

  /** Fields, entities, protocols and identity-label keys of a Cilium policy (undefined: nothing Cilium-specific here). */
  function ciliumItems(): CompletionItem[] | undefined {
    // The rule: `spec:` or an item of `specs:`; below it the section entries.
    const rule = tokens[0] === 'spec' ? 1 : tokens[0] === 'specs' && tokens[1] === '-' ? 2 : -1;
    if (rule < 0) return undefined;
    const rest = tokens.slice(rule);
    const section = rest[0];
    const inSection = (names: string[]) => names.includes(section) && rest[1] === '-';
    const isItemOf = (name: string) => ctx.mode === 'item' && tokens[tokens.length - 2] === name;
    if (ctx.mode === 'key' || (ctx.mode === 'item' && ['ingress', 'ingressDeny', 'egress', 'egressDeny', 'toPorts', 'ports'].includes(tokens[tokens.length - 2] ?? ''))) {
      if (rest.length === 0) return fields(CILIUM_RULE_FIELDS);
      if (rest.length === 2 && inSection(['ingress', 'ingressDeny'])) return fields(CILIUM_INGRESS_FIELDS);
      if (rest.length === 2 && inSection(['egress', 'egressDeny'])) return fields(CILIUM_EGRESS_FIELDS);
      if (last(2).join() === 'toPorts,-') return fields(CILIUM_TO_PORTS_FIELDS);
      if (last(2).join() === 'ports,-' && tokens.includes('toPorts')) return fields(CILIUM_PORT_FIELDS);
      if (rest.length === 1 && section === 'enableDefaultDeny') return fields([{ name: 'ingress', doc: 'false: ingress stays open for what no entry matches', scalar: true }, { name: 'egress', doc: 'false: egress stays open for what no entry matches', scalar: true }]);
      const end = tokens[tokens.length - 1];
      const owner = tokens[tokens.length - 2];
      if (end === 'matchLabels' && index && (owner === 'endpointSelector' || tokens[tokens.length - 3] === 'fromEndpoints' || tokens[tokens.length - 3] === 'toEndpoints')) {
        const container = ctx.path[ctx.path.length - 1];
        const namespaceKey: CompletionItem = { label: 'k8s:io.kubernetes.pod.namespace', kind: 'field', documentation: 'the pod\'s namespace (naming it stops Cilium from adding the policy namespace)', insertText: 'k8s:io.kubernetes.pod.namespace: ', range, sortText: rank(0) };
        return [namespaceKey, ...labelKeyItems(labelStatsFor(ctx, index, 'pod'), 'pod', range, true)].filter((item) => !blockHasKey(ctx, container, item.label));
      }
      if (ctx.mode === 'key') return [];
    }
    if (isItemOf('fromEntities') || isItemOf('toEntities') || (ctx.mode === 'value' && (ctx.key === 'fromEntities' || ctx.key === 'toEntities'))) {
      return CILIUM_ENTITIES.map((value, i) => ({ label: value, kind: 'enum' as const, detail: CILIUM_ENTITY_DOC, insertText: value, range, sortText: rank(i) }));
    }
    if (ctx.mode === 'value' && ctx.key === 'protocol' && tokens.includes('toPorts')) {
      return ['TCP', 'UDP', 'SCTP', 'ANY'].map((value, i) => ({ label: value, kind: 'enum' as const, detail: 'toPorts protocol', insertText: value, range, sortText: rank(i) }));
    }
    return undefined;
  }

  const selectorKind = (): 'pod' | 'namespace' | undefined => {
    const i = tokens.lastIndexOf('matchLabels') >= 0 ? tokens.lastIndexOf('matchLabels') : tokens.lastIndexOf('matchExpressions');
    const owner = i > 0 ? tokens[i - 1] : undefined;
    return owner === 'podSelector' ? 'pod' : owner === 'namespaceSelector' ? 'namespace' : undefined;
  };

  if (ctx.mode === 'key' || (ctx.mode === 'item' && ['from', 'to', 'ports', 'ingress', 'egress', 'matchExpressions'].includes(tokens[tokens.length - 2] ?? ''))) {
    if (tokens.length === 0) return fields(TOP_FIELDS);
    if (tokens.length === 1 && tokens[0] === 'metadata') return fields(METADATA_FIELDS);
    if (tokens.length === 1 && tokens[0] === 'spec') return fields(SPEC_FIELDS);
    if (tokens.length === 3 && tokens[0] === 'spec' && tokens[2] === '-') {
      if (tokens[1] === 'ingress') return fields(INGRESS_RULE_FIELDS);
      if (tokens[1] === 'egress') return fields(EGRESS_RULE_FIELDS);
    }
    if (last(2).join() === 'from,-' || last(2).join() === 'to,-') return fields(PEER_FIELDS);
    if (last(2).join() === 'ports,-') return fields(PORT_FIELDS);
    if (last(2).join() === 'matchExpressions,-') return fields(EXPRESSION_FIELDS);
    const end = tokens[tokens.length - 1];
    if (end === 'podSelector' || end === 'namespaceSelector') return fields(SELECTOR_FIELDS);
    if (end === 'ipBlock') return fields(IPBLOCK_FIELDS);
    if (end === 'matchLabels' && index) {
      const kind = selectorKind();
      if (!kind) return [];
      // Keys the selector already has are not offered again.
      const container = ctx.path[ctx.path.length - 1];
      return labelKeyItems(labelStatsFor(ctx, index, kind), kind, range, true).filter((item) => !blockHasKey(ctx, container, item.label));
    }
    return [];
  }

  if (!index) return [];
  // Values: `key: <here>`, `- <here>` in a list, `[a, <here>`.
  const key = ctx.mode === 'value' ? ctx.key! : tokens[tokens.length - 2];
  if (key === 'policyTypes') return enumItems('policyTypes');
  if (key === 'operator' && last(2).join() === 'matchExpressions,-') return enumItems('operator');
  if (key === 'protocol' && last(2).join() === 'ports,-') return enumItems('protocol');
  if (key === 'port' && last(2).join() === 'ports,-') return portNameItems(ctx, index, range);
  if (key === 'namespace' && tokens.join() === 'metadata') return namespaceItems(index, range);
  if (key === 'apiVersion' && tokens.length === 0) return [{ label: 'networking.k8s.io/v1', kind: 'value', insertText: 'networking.k8s.io/v1', range, sortText: rank(0) }];
  const kind = selectorKind();
  if (!kind) return [];
  if (ctx.mode === 'value' && tokens[tokens.length - 1] === 'matchLabels') {
    return labelValueItems(labelStatsFor(ctx, index, kind), key, kind, range);
  }
  if (key === 'key' && last(2).join() === 'matchExpressions,-') return labelKeyItems(labelStatsFor(ctx, index, kind), kind, range, false);
  if (key === 'values') {
    // The expression's own key decides which values exist.
    const item = [...ctx.path].reverse().find((s, i, all) => s.token === '-' && all[i + 1]?.token === 'matchExpressions');
    const labelKey = item ? blockValue(ctx, item, 'key') : undefined;
    return labelKey ? labelValueItems(labelStatsFor(ctx, index, kind), labelKey, kind, range) : [];
  }
  return [];
}

const CALICO_SELECTOR_KEY = /(?:^|[\s{,-])(selector|notSelector|namespaceSelector|serviceAccountSelector):\s*(["']?)([^\n]*)$/;
const CALICO_FUNCTIONS: [string, string][] = [
  ['has()', 'has(k): the label k exists'],
  ['all()', 'every endpoint (an empty selector means the same)'],
  ['global()', 'endpoints outside namespaces: GlobalNetworkSets, host endpoints (in namespaceSelector)'],
];
const CALICO_IMPLICIT = ['projectcalico.org/namespace', 'projectcalico.org/orchestrator', 'projectcalico.org/serviceaccount'];

/**
 * Inside a Calico selector string (`selector: app == '…'`): after a comparison and an opening quote, the values of
 * that label; elsewhere the label keys of the workspace (namespace labels in a namespaceSelector), Calico's implicit
 * labels and the functions has(), all(), global(). Undefined when the cursor is not in a Calico selector.
 */
function calicoSelectorItems(source: string, offset: number, index: ScopeIndex): CompletionItem[] | undefined {
  const lineBefore = source.slice(source.lastIndexOf('\n', offset - 1) + 1, offset);
  const m = CALICO_SELECTOR_KEY.exec(lineBefore);
  if (!m) return undefined;
  const field = m[1];
  const typed = m[3];
  const kind: 'pod' | 'namespace' = field === 'namespaceSelector' ? 'namespace' : 'pod';
  const stats = kind === 'namespace' ? index.namespaceLabelStats() : index.podLabelStats();
  const value = /([A-Za-z0-9_./-]+)\s*(?:==|!=|contains|starts\s+with|ends\s+with)\s*(['"])([^'"]*)$/.exec(typed) ?? /([A-Za-z0-9_./-]+)\s+(?:not\s+)?in\s*\{(?:\s*['"][^'"]*['"]\s*,)*\s*(['"])([^'"]*)$/.exec(typed);
  if (value) {
    const range: OffsetRange = [offset - value[3].length, offset];
    return labelValueItems(stats, value[1], kind, range).map((item) => ({ ...item, insertText: item.label }));
  }
  const word = /[A-Za-z0-9_./-]*$/.exec(typed)![0];
  const range: OffsetRange = [offset - word.length, offset];
  // Right after a label a comparison comes, not another label.
  if (/[A-Za-z0-9_./-]\s+$/.test(typed) && !/(&&|\|\||!|\()\s*$/.test(typed)) return [];
  const functions = CALICO_FUNCTIONS.map(([label, doc], i) => ({ label, kind: 'value' as const, detail: doc, insertText: label, range, sortText: `0${rank(i)}` }));
  const implicit = kind === 'pod' ? CALICO_IMPLICIT.map((label, i) => ({ label, kind: 'label-key' as const, detail: 'Calico implicit label', insertText: label, range, sortText: `2${rank(i)}` })) : [];
  return [...labelKeyItems(stats, kind, range, false).map((item) => ({ ...item, sortText: `1${item.sortText}` })), ...functions, ...implicit];
}

/** Which pods a podSelector can see: the policy's namespace for spec.podSelector and for peers without a namespaceSelector. */
function labelStatsFor(ctx: TextContext, index: ScopeIndex, kind: 'pod' | 'namespace'): LabelStats {
  if (kind === 'namespace') return index.namespaceLabelStats();
  const namespace = documentNamespace(ctx) ?? index.model.defaultNamespace;
  const tokens = ctx.path.map((s) => s.token);
  const peerIndex = tokens.findIndex((t, i) => t === '-' && (tokens[i - 1] === 'from' || tokens[i - 1] === 'to'));
  if (peerIndex >= 0 && blockHasKey(ctx, ctx.path[peerIndex], 'namespaceSelector')) return index.podLabelStats();
  return index.podLabelStats(namespace);
}

/**
 * A label's values, most used first (ties by value). Label counts are never changed once made (a later version's
 * index copies a key's map before adjusting it), so the order is kept per map: thousands of values are sorted once,
 * not once per keystroke.
 */
const sortedValues = new WeakMap<Map<string, number>, [string, number][]>();
function byUse(values: Map<string, number>): [string, number][] {
  let sorted = sortedValues.get(values);
  if (!sorted) {
    sorted = [...values].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    sortedValues.set(values, sorted);
  }
  return sorted;
}

function totalOf(values: Map<string, number>): number {
  let total = 0;
  for (const n of values.values()) total += n;
  return total;
}

function labelKeyItems(stats: LabelStats, kind: 'pod' | 'namespace', range: OffsetRange, asMapKey: boolean): CompletionItem[] {
  return [...stats]
    .map(([key, values]) => ({ key, total: totalOf(values), values }))
    .sort((a, b) => b.total - a.total || compareText(a.key, b.key))
    .map(({ key, total, values }, i) => ({
      label: key,
      kind: 'label-key' as const,
      detail: `${plural(total, kind)} · ${plural(values.size, 'value')}`,
      documentation: byUse(values).slice(0, 10).map(([v, n]) => `${v} (${n})`).join(', '),
      insertText: asMapKey ? `${key}: ` : key,
      range,
      sortText: rank(i),
    }));
}

/** A label's value items without their range, per map of counts (kept like the order, see byUse) and kind. */
const valueItems = new WeakMap<Map<string, number>, Partial<Record<'pod' | 'namespace', Omit<CompletionItem, 'range'>[]>>>();

function labelValueItems(stats: LabelStats, key: string, kind: 'pod' | 'namespace', range: OffsetRange): CompletionItem[] {
  const values = stats.get(key);
  if (!values) return [];
  let byKind = valueItems.get(values);
  if (!byKind) valueItems.set(values, (byKind = {}));
  // Thousands of values on large workspaces: their texts are made once, not at every keystroke.
  const items = (byKind[kind] ??= byUse(values).map(([value, count], i) => ({
    label: value,
    kind: key === 'kubernetes.io/metadata.name' ? ('namespace' as const) : ('label-value' as const),
    detail: `${plural(count, kind)} with ${key}=${value}`,
    insertText: quoteIfNeeded(value),
    sortText: rank(i),
  })));
  return items.map((item) => ({ label: item.label, kind: item.kind, detail: item.detail, insertText: item.insertText, range, sortText: item.sortText }));
}

function namespaceItems(index: ScopeIndex, range: OffsetRange): CompletionItem[] {
  return [...index.model.namespaces.values()]
    .filter((ns) => !ns.external)
    .map((ns) => ({ ns, pods: index.workloadsIn(ns.name).length }))
    .sort((a, b) => b.pods - a.pods || compareText(a.ns.name, b.ns.name))
    .map(({ ns, pods }, i) => ({
      label: ns.name,
      kind: 'namespace' as const,
      detail: `namespace · ${plural(pods, 'pod')}`,
      insertText: quoteIfNeeded(ns.name),
      range,
      sortText: rank(i),
    }));
}

/** Container port names in the scope, with what they resolve to; those of the policy's namespace first. */
function portNameItems(ctx: TextContext, index: ScopeIndex, range: OffsetRange): CompletionItem[] {
  const namespace = documentNamespace(ctx) ?? index.model.defaultNamespace;
  const byName = new Map<string, { pods: Workload[]; numbers: Set<string>; local: boolean }>();
  for (const w of index.model.workloads) {
    for (const cp of w.containerPorts) {
      if (!cp.name) continue;
      const entry = byName.get(cp.name) ?? { pods: [], numbers: new Set<string>(), local: false };
      if (!entry.pods.includes(w)) entry.pods.push(w);
      entry.numbers.add(`${cp.protocol} ${cp.containerPort}`);
      entry.local ||= w.namespace === namespace;
      byName.set(cp.name, entry);
    }
  }
  return [...byName]
    .sort((a, b) => Number(b[1].local) - Number(a[1].local) || b[1].pods.length - a[1].pods.length || compareText(a[0], b[0]))
    .map(([name, entry], i) => ({
      label: name,
      kind: 'port-name' as const,
      detail: `${[...entry.numbers].join(', ')} · ${plural(entry.pods.length, 'pod')}`,
      documentation: entry.pods.slice(0, 10).map((w) => w.displayName).join(', ') + (entry.pods.length > 10 ? ` and ${entry.pods.length - 10} more` : ''),
      insertText: name,
      range,
      sortText: rank(i),
    }));
}
