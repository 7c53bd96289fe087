// Completion in NetworkPolicies: fields where they belong, label keys and values that exist in the workspace (with
// how many pods or namespaces carry them), namespace names, container port names, policyTypes, operators and
// protocols. While typing, the document is often not valid YAML, so the context comes from the text: the keys of the
// lines above with smaller indentation, not from the syntax tree.
import type { Workload } from '../model';
import type { OffsetRange } from '../types';
import type { Workspace } from '../workspace';
import { defineQuery, type Store } from '../store';
import { connectivityTestCompletion, inConnectivityTestDocument } from '../assertions/editor';
import { blockValue, textContext, type CompletionItem, type ContextStep, type TextContext } from './text-context';
import { featureIndex, type LabelStats, type ScopeIndex } from './index';
import { plural } from './markdown';
import { compareText } from '../order';
import { matchesSelector, readSelector } from '../selectors';
import { fieldAt, schemaFor, type FieldSchema } from './field-schemas';
import { atDocumentStart, snippetItems } from './snippets';
import { parseDocument } from 'yaml';

export type { CompletionItem, CompletionKind } from './text-context';

function blockHasKey(ctx: TextContext, step: ContextStep, key: string): boolean {
  return blockValue(ctx, step, key) !== undefined;
}

// ---- what to offer ---------------------------------------------------------------------------------------------

/** Details of the NetworkPolicy enums (other kinds' values take their field's documentation). */
const ENUM_DETAILS: Record<string, string> = {
  policyTypes: 'a direction the policy isolates',
  operator: 'label selector operator',
  protocol: 'protocol (TCP when omitted)',
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

/** apiVersion and kind of the document, read from the text (not from the line being typed). */
function documentType(ctx: TextContext): { apiVersion?: string; kind?: string } {
  const text = ctx.lines.slice(ctx.documentLines[0], ctx.documentLines[1] + 1).filter((_, i) => ctx.documentLines[0] + i !== ctx.line).join('\n');
  const read = (key: string) => new RegExp(`^${key}:\\s*["']?([^"'\\s#]+)`, 'm').exec(text)?.[1];
  return { apiVersion: read('apiVersion'), kind: read('kind') };
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
  const index = featureIndex(workspace).scopeFor(uri);
  const tokens = ctx.path.map((s) => s.token);
  const last = (n: number) => tokens.slice(-n);
  // An empty document: the policy snippets (the only place they are offered, so each appears once).
  if (ctx.mode === 'key' && tokens.length === 0 && !/\.json$/i.test(uri) && atDocumentStart(ctx)) return snippetItems(index, range);
  const { apiVersion, kind: documentKind } = documentType(ctx);
  const schema = schemaFor(apiVersion, documentKind);
  const fields = (docs: readonly FieldSchema[]): CompletionItem[] => {
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
  const enumItems = (name: string, field: FieldSchema): CompletionItem[] =>
    (field.values ?? []).map((value, i) => ({ label: value, kind: 'enum' as const, detail: ENUM_DETAILS[name] ?? field.doc, insertText: value, range, sortText: rank(i) }));

  // Calico selectors: label keys, functions and values inside the selector string.
  if (index && ctx.mode === 'value' && /^apiVersion:\s*["']?(crd\.)?projectcalico\.org\//m.test(documentText(ctx))) {
    const items = calicoSelectorItems(source, offset, index);
    if (items) return items;
  }
  // Outside the policy kinds only namespace names are offered (metadata.namespace of any object).
  if (ctx.mode === 'value' && ctx.key === 'namespace' && tokens.length === 1 && tokens[0] === 'metadata' && index) {
    return namespaceItems(index, range);
  }
  if (!schema) return [];

  /** Whose labels the selector around the cursor selects (its matchLabels or matchExpressions). */
  const selectorAt = (): { kind: 'pod' | 'namespace'; owner: number } | undefined => {
    const i = Math.max(tokens.lastIndexOf('matchLabels'), tokens.lastIndexOf('matchExpressions'));
    if (i <= 0) return undefined;
    const selects = fieldAt(schema, tokens.slice(0, i))?.selects;
    return selects ? { kind: selects, owner: i - 1 } : undefined;
  };

  if (ctx.mode === 'key' || ctx.mode === 'item') {
    const field = fieldAt(schema, tokens);
    // A list's fields go after its `- `, never directly under the list's key.
    if (field?.fields && (field.name === '-' || (ctx.mode === 'key' && !field.list))) return fields(field.fields);
    if (ctx.mode === 'item' && field?.values) return enumItems(tokens[tokens.length - 2], field);
    if (ctx.mode === 'key' && tokens[tokens.length - 1] === 'matchLabels' && index) {
      const selector = selectorAt();
      if (!selector) return [];
      // Keys the selector already has are not offered again.
      const container = ctx.path[ctx.path.length - 1];
      const keys = labelKeyItems(index.store, labelStatsFor(ctx, index, selector), selector.kind, range, true);
      // Cilium selects pods by identity labels, among them the pod's namespace (docs.cilium.io language.rst).
      if (selector.kind === 'pod' && /^Cilium(Clusterwide)?NetworkPolicy$/.test(documentKind ?? '')) keys.unshift(ciliumNamespaceKeyItem(range));
      return keys.filter((item) => !blockHasKey(ctx, container, item.label));
    }
    if (ctx.mode === 'key') return [];
  }

  if (!index) return [];
  // Values: `key: <here>`, `- <here>` in a list, `[a, <here>`.
  const key = ctx.mode === 'value' ? ctx.key! : tokens[tokens.length - 2];
  const valueField = ctx.mode === 'value' ? fieldAt(schema, [...tokens, key]) : fieldAt(schema, tokens);
  if (valueField?.values) return enumItems(key, valueField);
  const ports = portField(tokens, key, apiVersion, documentKind);
  if (ports) return portItems(ctx, index, range, ports);
  if (key === 'namespace' && tokens.join() === 'metadata') return namespaceItems(index, range);
  if (key === 'apiVersion' && tokens.length === 0) {
    const version = schema[0].doc;
    return [{ label: version, kind: 'value', insertText: version, range, sortText: rank(0) }];
  }
  const selector = selectorAt();
  if (!selector) return [];
  if (ctx.mode === 'value' && tokens[tokens.length - 1] === 'matchLabels') {
    return labelValueItems(index.store, labelStatsFor(ctx, index, selector), key, selector.kind, range);
  }
  if (key === 'key' && last(2).join() === 'matchExpressions,-') return labelKeyItems(index.store, labelStatsFor(ctx, index, selector), selector.kind, range, false);
  if (key === 'values') {
    // The expression's own key decides which values exist.
    const item = [...ctx.path].reverse().find((s, i, all) => s.token === '-' && all[i + 1]?.token === 'matchExpressions');
    const labelKey = item ? blockValue(ctx, item, 'key') : undefined;
    return labelKey ? labelValueItems(index.store, labelStatsFor(ctx, index, selector), labelKey, selector.kind, range) : [];
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
    return labelValueItems(index.store, stats, value[1], kind, range).map((item) => ({ ...item, insertText: item.label }));
  }
  const word = /[A-Za-z0-9_./-]*$/.exec(typed)![0];
  const range: OffsetRange = [offset - word.length, offset];
  // Right after a label a comparison comes, not another label.
  if (/[A-Za-z0-9_./-]\s+$/.test(typed) && !/(&&|\|\||!|\()\s*$/.test(typed)) return [];
  const functions = CALICO_FUNCTIONS.map(([label, doc], i) => ({ label, kind: 'value' as const, detail: doc, insertText: label, range, sortText: `0${rank(i)}` }));
  const implicit = kind === 'pod' ? CALICO_IMPLICIT.map((label, i) => ({ label, kind: 'label-key' as const, detail: 'Calico implicit label', insertText: label, range, sortText: `2${rank(i)}` })) : [];
  return [...labelKeyItems(index.store, stats, kind, range, false).map((item) => ({ ...item, sortText: `1${item.sortText}` })), ...functions, ...implicit];
}

/**
 * Which objects' labels a selector can see. A namespace selector: every namespace. A pod selector next to a
 * namespace selector (a NetworkPolicy peer, the pods of a cluster-wide policy): the pods of the namespaces it selects
 * (every namespace while it cannot be read, half typed). Otherwise the pods of the policy's namespace, or of every
 * namespace for cluster-scoped policies.
 */
function labelStatsFor(ctx: TextContext, index: ScopeIndex, selector: { kind: 'pod' | 'namespace'; owner: number }): LabelStats {
  if (selector.kind === 'namespace') return index.namespaceLabelStats();
  const parent = ctx.path[selector.owner - 1];
  const holder = parent ? blockObject(ctx, parent) : undefined;
  if (isPlainObject(holder) && 'namespaceSelector' in holder) {
    const namespaces = namespacesSelectedBy(index, holder.namespaceSelector);
    return namespaces ? podLabelStatsIn(index, namespaces) : index.podLabelStats();
  }
  const { kind } = documentType(ctx);
  if (kind && CLUSTER_SCOPED_KINDS.has(kind)) return index.podLabelStats();
  return index.podLabelStats(documentNamespace(ctx) ?? index.model.defaultNamespace);
}

const CLUSTER_SCOPED_KINDS = new Set(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy', 'GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** The namespaces a namespaceSelector as written selects; undefined when it cannot be read (half typed, invalid). */
function namespacesSelectedBy(index: ScopeIndex, raw: unknown): string[] | undefined {
  // `namespaceSelector:` with nothing under it yet: not a selection.
  if (raw === null || raw === undefined) return undefined;
  const selector = readSelector(raw);
  if (selector.problems.length > 0) return undefined;
  return [...index.model.namespaces.values()].filter((ns) => matchesSelector(selector, ns.labels)).map((ns) => ns.name);
}

/** Pod label counts over some namespaces (the scope's own counts when that is every namespace with pods). */
function podLabelStatsIn(index: ScopeIndex, namespaces: readonly string[]): LabelStats {
  const wanted = new Set(namespaces);
  if (index.namespacesWithWorkloads().every((ns) => wanted.has(ns))) return index.podLabelStats();
  if (namespaces.length === 1) return index.podLabelStats(namespaces[0]);
  const merged: LabelStats = new Map();
  for (const namespace of namespaces) {
    for (const [key, values] of index.podLabelStats(namespace)) {
      let into = merged.get(key);
      if (!into) merged.set(key, (into = new Map()));
      for (const [value, count] of values) into.set(value, (into.get(value) ?? 0) + count);
    }
  }
  return merged;
}

/**
 * The value of the block a step opens (a key's map, a list item's map), read from the text with the cursor's line
 * left out (it is being typed); undefined when that text is not YAML.
 */
function blockObject(ctx: TextContext, step: ContextStep): unknown {
  const [, lastLine] = ctx.documentLines;
  const lines: string[] = [];
  for (let l = step.line; l <= lastLine; l++) {
    const raw = ctx.lines[l].replace(/\r$/, '');
    if (l === step.line) {
      // The step's own token starts the block: a list item loses its dash, so its map is what remains.
      const from = step.token === '-' ? step.column + 1 : step.column;
      lines.push(' '.repeat(from) + raw.slice(from));
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    if (raw.trim() !== '' && !raw.trimStart().startsWith('#') && indent <= step.column) break;
    lines.push(l === ctx.line ? '' : raw);
  }
  try {
    const document = parseDocument(lines.join('\n'), { uniqueKeys: false, prettyErrors: false });
    if (document.errors.length > 0) return undefined;
    const value: unknown = document.toJS();
    return step.token === '-' || !isPlainObject(value) ? value : value[step.token];
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A label's values, most used first (ties by value). Label counts are never changed once made (a later version's
 * index copies a key's map before adjusting it), so the order is kept per map: thousands of values are sorted once,
 * not once per keystroke.
 */
const SORTED_VALUES = defineQuery<Map<string, number>, [string, number][]>({
  name: 'completion-values-by-use',
  reads: ['label-index'],
  lifetime: 'lineage',
  description: "a label's values, most used first, per map of counts",
});
function byUse(store: Store, values: Map<string, number>): [string, number][] {
  return store.query(SORTED_VALUES).get(values, () => [...values].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

function totalOf(values: Map<string, number>): number {
  let total = 0;
  for (const n of values.values()) total += n;
  return total;
}

function ciliumNamespaceKeyItem(range: OffsetRange): CompletionItem {
  const key = 'k8s:io.kubernetes.pod.namespace';
  return { label: key, kind: 'label-key', detail: 'the pod\'s namespace (Cilium identity label)', documentation: 'selects pods of the named namespace', insertText: `${key}: `, range, sortText: '0' };
}

function labelKeyItems(store: Store, stats: LabelStats, kind: 'pod' | 'namespace', range: OffsetRange, asMapKey: boolean): CompletionItem[] {
  return [...stats]
    .map(([key, values]) => ({ key, total: totalOf(values), values }))
    .sort((a, b) => b.total - a.total || compareText(a.key, b.key))
    .map(({ key, total, values }, i) => ({
      label: key,
      kind: 'label-key' as const,
      detail: `${plural(total, kind)} · ${plural(values.size, 'value')}`,
      documentation: byUse(store, values).slice(0, 10).map(([v, n]) => `${v} (${n})`).join(', '),
      insertText: asMapKey ? `${key}: ` : key,
      range,
      sortText: rank(i),
    }));
}

/** A label's value items without their range, per map of counts (kept like the order, see byUse) and kind. */
const VALUE_ITEMS = defineQuery<Map<string, number>, Partial<Record<'pod' | 'namespace', Omit<CompletionItem, 'range'>[]>>>({
  name: 'completion-value-items',
  reads: ['label-index'],
  lifetime: 'lineage',
  description: "a label's value items without their range, per map of counts and kind",
});

function labelValueItems(store: Store, stats: LabelStats, key: string, kind: 'pod' | 'namespace', range: OffsetRange): CompletionItem[] {
  const values = stats.get(key);
  if (!values) return [];
  const byKind = store.query(VALUE_ITEMS).get(values, () => ({}));
  // Thousands of values on large workspaces: their texts are made once, not at every keystroke.
  const items = (byKind[kind] ??= byUse(store, values).map(([value, count], i) => ({
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

type PolicyFamily = 'kubernetes' | 'cluster' | 'cilium';
const RULE_SECTIONS = new Set(['ingress', 'egress', 'ingressDeny', 'egressDeny']);

/** Which port field the cursor is on, in which policy family: what `port`-like values it takes. */
function portField(tokens: readonly string[], key: string, apiVersion: string | undefined, kind: string | undefined): { family: PolicyFamily; want: 'both' | 'names' | 'numbers'; protocolKey?: string } | undefined {
  const group = apiVersion?.replace(/\/[^/]*$/, '') ?? '';
  const tail = [...tokens.slice(-3), key].join();
  if (kind === 'NetworkPolicy' && (group === 'networking.k8s.io' || apiVersion === undefined)) {
    return tail.endsWith('ports,-,port') ? { family: 'kubernetes', want: 'both' } : undefined;
  }
  if (group === 'policy.networking.k8s.io') {
    if (tail.endsWith('ports,-,namedPort') || tail.endsWith('protocols,-,destinationNamedPort')) return { family: 'cluster', want: 'names' };
    if (tail.endsWith('ports,-,portNumber,port') || /ports,-,portRange,(start|end)$/.test(tail)) return { family: 'cluster', want: 'numbers' };
    const m = /protocols,-,(tcp|udp|sctp),destinationPort,number$/.exec([...tokens.slice(-4), key].join());
    if (m) return { family: 'cluster', want: 'numbers', protocolKey: m[1].toUpperCase() };
    return undefined;
  }
  if (group === 'cilium.io' && [...tokens.slice(-4), key].join().endsWith('toPorts,-,ports,-,port')) return { family: 'cilium', want: 'both' };
  return undefined;
}

/** Workloads of namespaces picked by a namespace selector and a pod selector as written (undefined: unreadable). */
function selectedWorkloads(index: ScopeIndex, namespaces: readonly string[] | undefined, podSelector: unknown): Workload[] | undefined {
  if (!namespaces) return undefined;
  if (podSelector === undefined || podSelector === null) return namespaces.flatMap((ns) => index.workloadsIn(ns));
  const selector = readSelector(podSelector);
  return selector.problems.length > 0 ? undefined : index.workloadsMatching(selector, namespaces);
}

/** The pods of a cluster-wide policy's subject or peer: `namespaces: <selector>` or `pods: {namespaceSelector, podSelector}`. */
function clusterSelection(index: ScopeIndex, raw: unknown): Workload[] | undefined {
  if (!isPlainObject(raw)) return undefined;
  if ('namespaces' in raw) return selectedWorkloads(index, namespacesSelectedBy(index, raw.namespaces), undefined);
  if (isPlainObject(raw.pods)) return selectedWorkloads(index, namespacesSelectedBy(index, raw.pods.namespaceSelector), raw.pods.podSelector ?? undefined);
  // nodes, networks, domainNames: no pods.
  return ['nodes', 'networks', 'domainNames'].some((k) => k in raw) ? [] : undefined;
}

/**
 * The pods a Cilium endpoint selector selects: its `k8s:` labels are pod labels, `io.kubernetes.pod.namespace`
 * names the namespace (else the policy's own, or every namespace for a clusterwide policy).
 */
function ciliumSelection(index: ScopeIndex, raw: unknown, namespace: string | undefined): Workload[] | undefined {
  if (raw === null || raw === undefined) raw = {};
  if (!isPlainObject(raw)) return undefined;
  const strip = (key: string) => key.replace(/^(k8s|any):/, '');
  let namespaces: string[] = namespace ? [namespace] : [...index.model.namespaces.keys()];
  const podLabels: Record<string, unknown> = {};
  if (raw.matchLabels !== undefined && raw.matchLabels !== null) {
    if (!isPlainObject(raw.matchLabels)) return undefined;
    for (const [key, value] of Object.entries(raw.matchLabels)) {
      const k = strip(key);
      if (k === 'io.kubernetes.pod.namespace') namespaces = [String(value)];
      else if (k.includes(':') || k.startsWith('io.cilium.')) return undefined;
      else podLabels[k] = value;
    }
  }
  if (raw.matchExpressions !== undefined && raw.matchExpressions !== null) return undefined;
  return selectedWorkloads(index, namespaces, { matchLabels: podLabels });
}

/**
 * The workloads a rule's ports apply to: the pods the policy selects (ingress) or the rule's peers (egress). For
 * NetworkPolicies, the cluster-wide kinds and Cilium's; undefined when that cannot be read from the text.
 */
function destinationWorkloads(ctx: TextContext, index: ScopeIndex, family: PolicyFamily): Workload[] | undefined {
  const steps = ctx.path;
  const section = steps.findIndex((s, i) => i >= 1 && RULE_SECTIONS.has(s.token) && steps[i + 1]?.token === '-');
  if (section < 1) return undefined;
  const direction = steps[section].token.startsWith('ingress') ? 'ingress' : 'egress';
  const specObject = blockObject(ctx, steps[section - 1]);
  const rule = blockObject(ctx, steps[section + 1]);
  if (!isPlainObject(specObject) || !isPlainObject(rule)) return undefined;
  const { kind } = documentType(ctx);
  const namespace = kind && CLUSTER_SCOPED_KINDS.has(kind) ? undefined : (documentNamespace(ctx) ?? index.model.defaultNamespace);
  const union = (lists: (Workload[] | undefined)[]): Workload[] | undefined => (lists.some((l) => l === undefined) ? undefined : [...new Set(lists.flat() as Workload[])]);
  if (family === 'kubernetes') {
    const ns = namespace ?? index.model.defaultNamespace;
    if (direction === 'ingress') return selectedWorkloads(index, [ns], specObject.podSelector);
    if (rule.to === undefined || rule.to === null) return index.model.workloads;
    if (!Array.isArray(rule.to)) return undefined;
    return union(
      rule.to.map((peer) => {
        if (!isPlainObject(peer)) return undefined;
        if ('ipBlock' in peer) return [];
        return selectedWorkloads(index, 'namespaceSelector' in peer ? namespacesSelectedBy(index, peer.namespaceSelector) : [ns], peer.podSelector);
      }),
    );
  }
  if (family === 'cluster') {
    if (direction === 'ingress') return clusterSelection(index, specObject.subject);
    return Array.isArray(rule.to) ? union(rule.to.map((peer) => clusterSelection(index, peer))) : undefined;
  }
  // Cilium
  if (direction === 'ingress') return ciliumSelection(index, specObject.endpointSelector, namespace);
  const peers = Object.keys(rule).filter((k) => k.startsWith('to') && k !== 'toPorts');
  if (peers.length === 0) return index.model.workloads;
  if (peers.some((k) => k !== 'toEndpoints' && k !== 'toEntities' && k !== 'toCIDR' && k !== 'toCIDRSet' && k !== 'toFQDNs')) return undefined;
  if (Array.isArray(rule.toEntities) && rule.toEntities.some((e) => e === 'cluster' || e === 'all')) return index.model.workloads;
  const endpoints = rule.toEndpoints;
  if (endpoints === undefined) return [];
  return Array.isArray(endpoints) ? union(endpoints.map((e) => ciliumSelection(index, e, namespace))) : undefined;
}

/**
 * A port value of a rule (NetworkPolicy `port:`, the cluster-wide kinds' `namedPort`/`port`/`number`, Cilium's
 * `port:`): the container ports of the pods the rule applies to, names and/or numbers as the field takes them, those
 * of the entry's protocol first. While the destination cannot be read, the scope's port names.
 */
function portItems(ctx: TextContext, index: ScopeIndex, range: OffsetRange, field: NonNullable<ReturnType<typeof portField>>): CompletionItem[] {
  const destination = destinationWorkloads(ctx, index, field.family);
  if (!destination) return field.want === 'numbers' ? [] : portNameItems(ctx, index, range);
  const entry = blockObject(ctx, ctx.path[ctx.path.length - 1]);
  const written = isPlainObject(entry) && typeof entry.protocol === 'string' ? entry.protocol.toUpperCase() : undefined;
  const protocol = field.protocolKey ?? written ?? 'TCP';
  interface Offer { label: string; kind: 'port-name' | 'value'; pods: Set<Workload>; what: Set<string>; matches: boolean }
  const offers = new Map<string, Offer>();
  const offer = (label: string, kind: Offer['kind'], w: Workload, what: string, matches: boolean) => {
    const key = `${kind}\u0000${label}`;
    const o = offers.get(key) ?? { label, kind, pods: new Set<Workload>(), what: new Set<string>(), matches: false };
    o.pods.add(w);
    o.what.add(what);
    o.matches ||= matches;
    offers.set(key, o);
  };
  for (const w of destination) {
    for (const cp of w.containerPorts) {
      const matches = cp.protocol === protocol;
      if (cp.name && field.want !== 'numbers') offer(cp.name, 'port-name', w, `${cp.protocol} ${cp.containerPort}`, matches);
      if (field.want !== 'names') offer(String(cp.containerPort), 'value', w, cp.name ? `${cp.protocol} ${cp.name}` : cp.protocol, matches);
    }
  }
  return [...offers.values()]
    .sort((a, b) => Number(b.matches) - Number(a.matches) || Number(a.kind === 'value') - Number(b.kind === 'value') || b.pods.size - a.pods.size || compareText(a.label, b.label))
    .map((o, i) => {
      const pods = [...o.pods];
      return {
        label: o.label,
        kind: o.kind,
        detail: `${[...o.what].join(', ')} · ${plural(pods.length, 'pod')}`,
        documentation: pods.slice(0, 10).map((w) => w.displayName).join(', ') + (pods.length > 10 ? ` and ${pods.length - 10} more` : ''),
        insertText: o.label,
        range,
        sortText: rank(i),
      };
    });
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
