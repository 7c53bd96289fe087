// Kustomize overlays: each root kustomization (one no other kustomization includes) is built with `kubectl
// kustomize` or `kustomize build` through a generated wrapper in a temporary folder that asks for origin
// annotations, so each object names the file it came from.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { isPlainObject } from '../engine/parse';
import { renderedUri, type RenderedSegment } from '../engine/rendered';
import { basenameUri, dirnameUri, joinUri } from '../engine/uri';
import type { RenderResult } from './helm';
import { firstErrorLine, runTool, type KustomizeTool } from './tools';

export const KUSTOMIZE_RENDER_FAILED = 'kustomize-render-failed';
export const KUSTOMIZE_NOT_BUILT = 'kustomize-not-built';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface KustomizationEntry {
  /** The kustomization file. */
  uri: string;
  dir: string;
  value: Record<string, unknown>;
  /** Folders (kustomizations) and files it includes as resources, in order. */
  resources: string[];
  components: string[];
  /** Files it uses as patches. */
  patches: string[];
}

export function isKustomizationFile(uri: string): boolean {
  return KUSTOMIZATION_NAMES.includes(basenameUri(uri));
}

/** Reads a kustomization file; undefined when it is not a map. */
export function readKustomizationFile(uri: string, text: string): KustomizationEntry | undefined {
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const dir = dirnameUri(uri);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const local = (r: string) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(r) && !r.startsWith('github.com/') && !r.includes('?ref=');
  const patches = [...strings(value.patchesStrategicMerge)];
  for (const list of [value.patches, value.patchesJson6902]) {
    if (!Array.isArray(list)) continue;
    for (const p of list) {
      if (typeof p === 'string') patches.push(p);
      else if (isPlainObject(p) && typeof p.path === 'string') patches.push(p.path);
    }
  }
  return {
    uri,
    dir,
    value,
    resources: [...strings(value.resources), ...strings(value.bases)].filter(local).map((r) => joinUri(dir, r)),
    components: strings(value.components).filter(local).map((r) => joinUri(dir, r)),
    // A patch given inline (a YAML text with a newline) is no file.
    patches: patches.filter((p) => !p.includes('\n')).map((p) => joinUri(dir, p)),
  };
}

/** The kustomizations of a workspace by folder. */
export function kustomizationsOf(uris: readonly string[], textOf: (uri: string) => string | undefined): Map<string, KustomizationEntry> {
  const out = new Map<string, KustomizationEntry>();
  for (const uri of uris) {
    if (!isKustomizationFile(uri) || !uri.startsWith('file://')) continue;
    const text = textOf(uri);
    const entry = text === undefined ? undefined : readKustomizationFile(uri, text);
    if (entry && !out.has(entry.dir)) out.set(entry.dir, entry);
  }
  return out;
}

/**
 * Kustomizations no other kustomization includes (as a resource or component): the ones users build. A Component
 * is never built on its own (kustomize refuses it): unused, it is an option the repository offers, read as files.
 */
export function rootKustomizations(all: Map<string, KustomizationEntry>): KustomizationEntry[] {
  const included = new Set<string>();
  for (const k of all.values()) for (const r of [...k.resources, ...k.components]) included.add(r);
  return [...all.values()].filter((k) => !included.has(k.dir) && k.value.kind !== 'Component').sort((a, b) => (a.dir < b.dir ? -1 : 1));
}

/** Every file a kustomization reads, following the kustomizations it includes: their files, resources and patches. */
export function filesOfKustomization(root: KustomizationEntry, all: Map<string, KustomizationEntry>, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const visit = (k: KustomizationEntry) => {
    if (seen.has(k.dir)) return;
    seen.add(k.dir);
    out.add(k.uri);
    for (const p of k.patches) out.add(p);
    for (const r of [...k.resources, ...k.components]) {
      const nested = all.get(r);
      if (nested) visit(nested);
      else out.add(r);
    }
  };
  visit(root);
  return out;
}

/** A root kustomization that is not built, with one information finding saying why. */
export function notBuilt(root: KustomizationEntry, why: string): RenderResult {
  return {
    uri: renderedUri(root.dir, 'kustomize-build.yaml'),
    text: '',
    rendering: { tool: 'kustomize', rootUri: root.dir, anchorUri: root.uri, segments: [], coveredUris: [], coversFolder: false },
    notes: [{ code: KUSTOMIZE_NOT_BUILT, severity: 'information', message: `This kustomization is not built: ${why}`, location: { uri: root.uri, range: [0, 0] } }],
    ms: 0,
  };
}

/** Builds a root kustomization with the tool. */
export async function renderKustomization(
  tool: KustomizeTool,
  root: KustomizationEntry,
  all: Map<string, KustomizationEntry>,
  hasFile: (uri: string) => boolean,
): Promise<RenderResult> {
  const rootDir = fileURLToPath(root.dir);
  const wrapper = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-kustomize-'));
  const uri = renderedUri(root.dir, 'kustomize-build.yaml');
  const covered = [...filesOfKustomization(root, all)];
  const rendering = { tool: 'kustomize' as const, rootUri: root.dir, anchorUri: root.uri, segments: [] as RenderedSegment[], coveredUris: covered, coversFolder: false };
  try {
    // kustomize takes only relative resource paths; the wrapper asks for each object's origin.
    const relative = path.relative(wrapper, rootDir).split(path.sep).join('/');
    fs.writeFileSync(path.join(wrapper, 'kustomization.yaml'), `resources:\n  - ${JSON.stringify(relative)}\nbuildMetadata: [originAnnotations]\n`);
    const result = await runTool(tool.path, tool.args(wrapper), { cwd: rootDir, timeoutMs: 60_000 });
    if (!result.ok) {
      const message = firstErrorLine(result.stderr, result.error ?? 'kustomize failed').replace(/^Error:\s*/, '');
      return {
        uri,
        text: '',
        // Not built: the caller falls back to the built-in subset (or the engine's namespaces).
        rendering: { ...rendering, coveredUris: [] },
        notes: [{ code: KUSTOMIZE_RENDER_FAILED, severity: 'information', message: `kustomize could not build this kustomization, so netpol applies its own subset of kustomize (namespace, labels, name prefixes, replicas, patches, components): ${message}`, location: { uri: root.uri, range: [0, 0] } }],
        ms: result.ms,
      };
    }
    const text = result.stdout;
    rendering.segments = originSegments(text, wrapper, root.uri, hasFile);
    for (const s of rendering.segments) if (!covered.includes(s.uri)) covered.push(s.uri);
    return { uri, text, rendering, notes: [], ms: result.ms };
  } finally {
    fs.rmSync(wrapper, { recursive: true, force: true });
  }
}

/** Each document's `config.kubernetes.io/origin` path (relative to the wrapper's folder) as its source. */
function originSegments(text: string, wrapperDir: string, anchorUri: string, hasFile: (uri: string) => boolean): RenderedSegment[] {
  const segments: RenderedSegment[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n---\n', start);
    end = end < 0 ? text.length : end + 1;
    const doc = text.slice(start, end);
    const origin = /config\.kubernetes\.io\/origin: \|\n(?:\s+[\w]+: .*\n)*?\s+path: (.+)\n/.exec(doc);
    let source = anchorUri;
    if (origin && !/\n\s+repo: /.test(doc.slice(origin.index, origin.index + origin[0].length + 200))) {
      const candidate = pathToFileURL(path.resolve(wrapperDir, origin[1].trim())).href;
      if (hasFile(candidate)) source = candidate;
    }
    segments.push({ start, end, uri: source });
    start = end + 4;
  }
  return segments;
}
