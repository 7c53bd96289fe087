// Kustomizations without the tool: a built-in subset of what `kustomize build` does that changes selectors and
// what they select: `namespace`, `commonLabels` and `labels` (with selectors where kustomize puts them),
// `namePrefix`/`nameSuffix`, `replicas`, patches (strategic merge and JSON 6902, from files or inline) and
// components. Anything else (generators, images, remote bases, replacements) is left as it is. Runs no program.
import { parseAllDocuments, stringify } from 'yaml';
import { isPlainObject } from '../engine/parse';
import { renderedUri, type RenderedSegment } from '../engine/rendered';
import type { Workspace } from '../engine/workspace';
import type { RenderResult } from './helm';
import { filesOfKustomization, type KustomizationEntry } from './kustomize';

type Value = Record<string, unknown>;

interface Item {
  value: Value;
  /** The file the object came from. */
  uri: string;
}

/** Fields of a kustomization that the built-in subset applies beyond `namespace` (which the engine applies itself). */
const TRANSFORMING = ['commonLabels', 'labels', 'namePrefix', 'nameSuffix', 'replicas', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'components'];

/** Whether a kustomization (or one it includes) changes more than namespaces: then it needs building. */
export function needsBuiltinBuild(root: KustomizationEntry, all: Map<string, KustomizationEntry>): boolean {
  const seen = new Set<string>();
  const visit = (k: KustomizationEntry): boolean => {
    if (seen.has(k.dir)) return false;
    seen.add(k.dir);
    if (TRANSFORMING.some((f) => k.value[f] !== undefined && k.value[f] !== null)) return true;
    return k.resources.some((r) => all.has(r) && visit(all.get(r)!));
  };
  return visit(root);
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'Node',
  'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'APIService', 'IngressClass',
  'RuntimeClass', 'CSIDriver', 'GlobalNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy',
]);

/** Where kustomize's label transformer puts labels besides metadata.labels (its commonLabels field specs). */
const SELECTOR_PATHS: Record<string, { path: string[]; create: boolean }[]> = {
  Service: [{ path: ['spec', 'selector'], create: true }],
  ReplicationController: [{ path: ['spec', 'selector'], create: true }],
  Deployment: [{ path: ['spec', 'selector', 'matchLabels'], create: true }],
  ReplicaSet: [{ path: ['spec', 'selector', 'matchLabels'], create: true }],
  StatefulSet: [{ path: ['spec', 'selector', 'matchLabels'], create: true }],
  DaemonSet: [{ path: ['spec', 'selector', 'matchLabels'], create: true }],
  Job: [{ path: ['spec', 'selector', 'matchLabels'], create: false }],
  PodDisruptionBudget: [{ path: ['spec', 'selector', 'matchLabels'], create: false }],
  NetworkPolicy: [
    { path: ['spec', 'podSelector', 'matchLabels'], create: false },
    { path: ['spec', 'ingress', 'from', 'podSelector', 'matchLabels'], create: false },
    { path: ['spec', 'egress', 'to', 'podSelector', 'matchLabels'], create: false },
  ],
};
const TEMPLATE_PATHS: Record<string, string[][]> = {
  ReplicationController: [['spec', 'template', 'metadata', 'labels']],
  Deployment: [['spec', 'template', 'metadata', 'labels']],
  ReplicaSet: [['spec', 'template', 'metadata', 'labels']],
  StatefulSet: [['spec', 'template', 'metadata', 'labels']],
  DaemonSet: [['spec', 'template', 'metadata', 'labels']],
  Job: [['spec', 'template', 'metadata', 'labels']],
  CronJob: [['spec', 'jobTemplate', 'metadata', 'labels'], ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels']],
};

/** Sets labels at a path; arrays along the path are walked item by item. `create`: make missing maps. */
function addLabelsAt(value: unknown, path: string[], labels: Record<string, string>, create: boolean): void {
  if (Array.isArray(value)) {
    for (const item of value) addLabelsAt(item, path, labels, create);
    return;
  }
  if (!isPlainObject(value)) return;
  const [head, ...rest] = path;
  if (rest.length === 0) {
    if (!isPlainObject(value[head])) {
      if (!create) return;
      value[head] = {};
    }
    Object.assign(value[head] as Value, labels);
    return;
  }
  if (value[head] === undefined || value[head] === null) {
    if (!create) return;
    value[head] = {};
  }
  addLabelsAt(value[head], rest, labels, create);
}

function strings(v: unknown): Record<string, string> {
  if (!isPlainObject(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function metadata(value: Value): Value {
  if (!isPlainObject(value.metadata)) value.metadata = {};
  return value.metadata as Value;
}

function applyLabels(items: Item[], labels: Record<string, string>, selectors: boolean, templates: boolean): void {
  if (Object.keys(labels).length === 0) return;
  for (const { value } of items) {
    const kind = String(value.kind ?? '');
    addLabelsAt(metadata(value), ['labels'], labels, true);
    if (selectors) for (const spec of SELECTOR_PATHS[kind] ?? []) addLabelsAt(value, spec.path, labels, spec.create);
    if (selectors || templates) for (const path of TEMPLATE_PATHS[kind] ?? []) addLabelsAt(value, path, labels, true);
  }
}

// ---- patches ------------------------------------------------------------------------------------------------------

/** A strategic merge, simplified: maps merge, lists of named items merge by name, other lists are replaced. */
function strategicMerge(target: unknown, patch: unknown): unknown {
  if (isPlainObject(patch) && patch.$patch === 'delete') return undefined;
  if (isPlainObject(target) && isPlainObject(patch)) {
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) continue;
      if (value === null) delete target[key];
      else {
        const merged = strategicMerge(target[key], value);
        if (merged === undefined) delete target[key];
        else target[key] = merged;
      }
    }
    return target;
  }
  if (Array.isArray(target) && Array.isArray(patch) && patch.every((p) => isPlainObject(p) && typeof p.name === 'string')) {
    const out = [...target];
    for (const p of patch as Value[]) {
      const at = out.findIndex((t) => isPlainObject(t) && t.name === p.name);
      if (at >= 0) out[at] = strategicMerge(out[at], p);
      else out.push(p);
    }
    return out.filter((x) => x !== undefined);
  }
  return structuredClone(patch);
}

function pointer(path: string): string[] {
  return path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyJsonPatch(target: Value, ops: unknown): void {
  if (!Array.isArray(ops)) return;
  for (const op of ops) {
    if (!isPlainObject(op) || typeof op.path !== 'string') continue;
    const parts = pointer(op.path);
    const last = parts.pop();
    if (last === undefined) continue;
    let parent: unknown = target;
    for (const p of parts) parent = Array.isArray(parent) ? parent[Number(p)] : isPlainObject(parent) ? parent[p] : undefined;
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[index] = structuredClone(op.value);
      else if (op.op === 'remove') parent.splice(index, 1);
    } else if (isPlainObject(parent)) {
      if (op.op === 'add' || op.op === 'replace') parent[last] = structuredClone(op.value);
      else if (op.op === 'remove') delete parent[last];
    }
  }
}

interface Target {
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}

function matches(value: Value, target: Target): boolean {
  const meta = isPlainObject(value.metadata) ? value.metadata : {};
  if (target.kind && value.kind !== target.kind) return false;
  if (target.name && !new RegExp(`^(?:${target.name})$`).test(String(meta.name ?? ''))) return false;
  if (target.namespace && meta.namespace !== target.namespace) return false;
  if (target.labelSelector) {
    const labels = strings(meta.labels);
    for (const term of target.labelSelector.split(',')) {
      const [k, v] = term.split('=').map((s) => s.trim());
      if (v === undefined ? !(k in labels) : labels[k] !== v) return false;
    }
  }
  return true;
}

function parsePatchDocs(text: string): unknown[] {
  try {
    return parseAllDocuments(text, { maxAliasCount: 100 } as never)
      .filter((d) => d.errors.length === 0)
      .map((d) => d.toJS({ maxAliasCount: 100 }));
  } catch {
    return [];
  }
}

function applyPatches(items: Item[], k: KustomizationEntry, textOf: (uri: string) => string | undefined): void {
  const fileText = (relative: string) => textOf(joinDir(k.dir, relative));
  const strategic = (patch: unknown, target?: Target) => {
    if (!isPlainObject(patch)) return;
    const meta = isPlainObject(patch.metadata) ? patch.metadata : {};
    const own: Target = target ?? { kind: typeof patch.kind === 'string' ? patch.kind : undefined, name: typeof meta.name === 'string' ? escape(meta.name) : undefined };
    for (const item of items) if (matches(item.value, own)) strategicMerge(item.value, patch);
  };
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  for (const p of list(k.value.patchesStrategicMerge)) {
    if (typeof p !== 'string') continue;
    for (const doc of p.includes('\n') ? parsePatchDocs(p) : parsePatchDocs(fileText(p) ?? '')) strategic(doc);
  }
  for (const p of list(k.value.patches)) {
    const entry = typeof p === 'string' ? { path: p } : isPlainObject(p) ? p : undefined;
    if (!entry) continue;
    const text = typeof entry.patch === 'string' ? entry.patch : typeof entry.path === 'string' ? fileText(entry.path) : undefined;
    if (text === undefined) continue;
    const target = isPlainObject(entry.target) ? (entry.target as Target) : undefined;
    for (const doc of parsePatchDocs(text)) {
      if (Array.isArray(doc)) {
        if (target) for (const item of items) if (matches(item.value, target)) applyJsonPatch(item.value, doc);
      } else strategic(doc, target);
    }
  }
  for (const p of list(k.value.patchesJson6902)) {
    if (!isPlainObject(p) || !isPlainObject(p.target)) continue;
    const text = typeof p.patch === 'string' ? p.patch : typeof p.path === 'string' ? fileText(p.path) : undefined;
    if (text === undefined) continue;
    const target = { ...(p.target as Target), name: typeof p.target.name === 'string' ? escape(p.target.name) : undefined };
    for (const doc of parsePatchDocs(text)) for (const item of items) if (matches(item.value, target)) applyJsonPatch(item.value, doc);
  }
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function joinDir(dir: string, relative: string): string {
  const parts = dir.split('/');
  for (const seg of relative.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

// ---- the build ------------------------------------------------------------------------------------------------------

function build(k: KustomizationEntry, all: Map<string, KustomizationEntry>, workspace: Workspace, seen: Set<string>): Item[] {
  if (seen.has(k.dir)) return [];
  seen.add(k.dir);
  const items: Item[] = [];
  const fromFile = (uri: string) => {
    const file = workspace.getFile(uri);
    if (!file) return;
    for (const d of file.documents) for (const o of d.objects) items.push({ value: structuredClone(o.value), uri });
  };
  for (const r of k.resources) {
    const nested = all.get(r);
    if (nested) items.push(...build(nested, all, workspace, seen));
    else fromFile(r);
  }
  // Components add their resources, then apply their changes to everything so far.
  for (const c of k.components) {
    const component = all.get(c);
    if (!component) continue;
    for (const r of component.resources) {
      const nested = all.get(r);
      if (nested) items.push(...build(nested, all, workspace, seen));
      else fromFile(r);
    }
    transform(items, component, workspace);
  }
  transform(items, k, workspace);
  return items;
}

/** kustomize's order: patches, namespace, name prefix and suffix, labels, replicas. */
function transform(items: Item[], k: KustomizationEntry, workspace: Workspace): void {
  const v = k.value;
  applyPatches(items, k, (uri) => workspace.getFile(uri)?.text);
  if (typeof v.namespace === 'string' && v.namespace !== '') {
    for (const { value } of items) if (!CLUSTER_SCOPED.has(String(value.kind))) metadata(value).namespace = v.namespace;
  }
  const prefix = typeof v.namePrefix === 'string' ? v.namePrefix : '';
  const suffix = typeof v.nameSuffix === 'string' ? v.nameSuffix : '';
  const originalNames = new Map<Value, string>();
  for (const { value } of items) {
    const meta = metadata(value);
    originalNames.set(value, String(meta.name ?? ''));
    if ((prefix || suffix) && typeof meta.name === 'string' && value.kind !== 'Namespace') meta.name = `${prefix}${meta.name}${suffix}`;
  }
  applyLabels(items, strings(v.commonLabels), true, true);
  if (Array.isArray(v.labels)) {
    for (const l of v.labels) if (isPlainObject(l)) applyLabels(items, strings(l.pairs), l.includeSelectors === true, l.includeTemplates === true);
  }
  if (Array.isArray(v.replicas)) {
    for (const r of v.replicas) {
      if (!isPlainObject(r) || typeof r.name !== 'string' || typeof r.count !== 'number') continue;
      for (const { value } of items) {
        if (originalNames.get(value) === r.name && isPlainObject(value.spec)) value.spec.replicas = r.count;
      }
    }
  }
}

/** Builds a root kustomization with the built-in subset: its objects as YAML, each document mapped to its file. */
export function renderKustomizationBuiltin(root: KustomizationEntry, all: Map<string, KustomizationEntry>, workspace: Workspace): RenderResult {
  const items = build(root, all, workspace, new Set());
  const segments: RenderedSegment[] = [];
  let text = '';
  for (const item of items) {
    const doc = `${text === '' ? '' : '---\n'}${stringify(item.value, { lineWidth: 0 })}`;
    const start = text.length + (text === '' ? 0 : 4);
    text += doc;
    segments.push({ start, end: text.length, uri: item.uri });
  }
  return {
    uri: renderedUri(root.dir, 'kustomize-build.yaml'),
    text,
    rendering: {
      tool: 'kustomize-builtin',
      rootUri: root.dir,
      anchorUri: root.uri,
      segments,
      coveredUris: [...filesOfKustomization(root, all)],
      coversFolder: false,
    },
    notes: [],
    ms: 0,
  };
}
