// Rendered manifests: the output of `helm template` or `kustomize build`, made at the edges (server/src/render) and
// handed to the workspace as text with a source map. The engine analyses the rendered objects; their findings are
// moved back to the files the user edits (the template or the base), at the line that best matches.
import type { Diagnostic, RelatedLocation } from './rules/types';
import type { OffsetRange, SourceLocation } from './types';
import { isUnder } from './uri';

/** The scheme of rendered manifests (a read-only virtual document in the editor). */
export const RENDERED_SCHEME = 'netpol-rendered';

/** A part of the rendered text that came from one source file. */
export interface RenderedSegment {
  /** [start, end) offsets in the rendered text. */
  start: number;
  end: number;
  /** The source file (a template, a base manifest). */
  uri: string;
}

export type RenderTool = 'helm' | 'kustomize' | 'kustomize-builtin';

export interface Rendering {
  tool: RenderTool;
  /** The chart's or the kustomization's folder. */
  rootUri: string;
  /** Where findings without a better place land: Chart.yaml or the kustomization file. */
  anchorUri: string;
  segments: RenderedSegment[];
  /** Source files whose own documents are not analysed (the rendering stands for them). */
  coveredUris: readonly string[];
  /** Whether every file under `rootUri` is covered (a chart). */
  coversFolder: boolean;
  /** Namespace of the rendered objects that name none (Helm's release namespace), when known. */
  defaultNamespace?: string;
}

/** The URI of a rendering of the folder `rootUri` (a file URI): `netpol-rendered:///path/name`. */
export function renderedUri(rootUri: string, name: string): string {
  const path = rootUri.startsWith('file://') ? rootUri.slice('file://'.length) : `/${encodeURIComponent(rootUri)}`;
  return `${RENDERED_SCHEME}://${path.replace(/\/$/, '')}/${name}`;
}

export function isRenderedUri(uri: string): boolean {
  return uri.startsWith(`${RENDERED_SCHEME}:`);
}

/** Whether a rendering stands for a source file. */
export function renderingCovers(rendering: Rendering, uri: string): boolean {
  return (rendering.coversFolder && isUnder(uri, rendering.rootUri)) || rendering.coveredUris.includes(uri);
}

// ---- from rendered positions to source positions ---------------------------------------------------------------

interface LineInfo {
  start: number;
  end: number;
  /** The line without indentation and trailing spaces. */
  content: string;
  /** Offset of `content` in the text. */
  contentStart: number;
  key: string | undefined;
  /** Keys from the document's root to this line's key (or to the line's parent, for a line without key). */
  path: string[];
  /** The `kind:` of the document the line is in. */
  kind: string | undefined;
}

const KEY = /^(?:-\s+)*(?:"([^"]*)"|'([^']*)'|([^\s"'#{}[\]][^:#]*?))\s*:(?:\s|$)/;

/** Lines of a text (or of [from, to) of it) with their key paths, read by indentation (templates are not YAML). */
function readLines(text: string, from = 0, to = text.length): LineInfo[] {
  const lines: LineInfo[] = [];
  const stack: { indent: number; key: string }[] = [];
  let docStart = 0;
  let kind: string | undefined;
  const finishDocument = () => {
    for (let i = docStart; i < lines.length; i++) lines[i].kind = kind;
    docStart = lines.length;
    kind = undefined;
  };
  let start = from;
  while (start <= to && start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0 || end > to) end = to;
    const raw = text.slice(start, end).replace(/\r$/, '');
    const indentLength = raw.length - raw.trimStart().length;
    const content = raw.trim();
    const info: LineInfo = { start, end, content, contentStart: start + indentLength, key: undefined, path: [], kind: undefined };
    if (content === '---' || content.startsWith('--- ')) {
      finishDocument();
      stack.length = 0;
    } else if (content !== '' && !content.startsWith('#') && !/^\{\{.*\}\}$/.test(content)) {
      const match = KEY.exec(content);
      let indent = indentLength;
      for (const dash of /^(?:-\s+)*/.exec(content)![0].matchAll(/-\s+/g)) indent += dash[0].length;
      while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
      if (match) {
        info.key = match[1] ?? match[2] ?? match[3];
        stack.push({ indent, key: info.key });
        if (indent === 0 && info.key === 'kind') kind = content.slice(content.indexOf(':') + 1).trim().replace(/^["']|["']$/g, '');
      }
      info.path = stack.map((s) => s.key);
    }
    lines.push(info);
    start = end + 1;
    if (end >= to) break;
  }
  finishDocument();
  return lines;
}

/** Source texts read into lines, kept for the few texts asked about repeatedly (one template, many findings). */
const sourceLines = new Map<string, LineInfo[]>();
function linesOfSource(text: string): LineInfo[] {
  let lines = sourceLines.get(text);
  if (!lines) {
    if (sourceLines.size >= 32) sourceLines.delete(sourceLines.keys().next().value!);
    sourceLines.set(text, (lines = readLines(text)));
  }
  return lines;
}

function valueOf(content: string, key: string | undefined): string {
  if (key === undefined) return content.replace(/^(?:-\s+)+/, '');
  return content.slice(content.indexOf(':') + 1).trim();
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** The line of `lines` that best matches `line` (the same text, else the same key path and key), and its score. */
function bestMatch(lines: readonly LineInfo[], line: LineInfo): LineInfo | undefined {
  return bestScored(lines, line)?.line;
}

function bestScored(lines: readonly LineInfo[], line: LineInfo): { line: LineInfo; score: number } | undefined {
  const renderedValue = valueOf(line.content, line.key);
  let best: LineInfo | undefined;
  let bestScore = 0;
  for (const candidate of lines) {
    if (candidate.content === '' || candidate.content.startsWith('#')) continue;
    let score = 0;
    const prefix = commonPrefix(candidate.path, line.path);
    const samePath = prefix === line.path.length && prefix === candidate.path.length;
    // The same text counts most at the same key path (`name: web` of metadata is not a container's `name: web`).
    if (candidate.content === line.content) score += samePath ? 10 : 4;
    if (samePath && prefix > 0) score += 5;
    if (line.key !== undefined && candidate.key === line.key) score += 3;
    if (renderedValue !== '' && candidate.key !== undefined && valueOf(candidate.content, candidate.key) === renderedValue) score += 2;
    score += 2 * prefix;
    // An ancestor of the line (or the line itself) beats a relative elsewhere.
    if (prefix === candidate.path.length && prefix > 0) score += 1;
    if (line.kind !== undefined && candidate.kind === line.kind) score += 3;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best && { line: best, score: bestScore };
}

/**
 * Where a source position (a template, a base) is in a rendered manifest: the best matching line of the segments
 * that came from the source, at the same column when the lines are equal. For editor features on covered files
 * (a hover on a base file asks about the object as built). Undefined when no rendering read the file.
 */
export function renderedPosition(
  sourceUri: string,
  sourceText: string,
  offset: number,
  renderings: Iterable<{ uri: string; text: string; rendering: Rendering }>,
): { uri: string; offset: number } | undefined {
  const line = linesOfSource(sourceText).find((l) => l.start <= offset && offset <= l.end);
  if (!line || line.content === '' || line.content.startsWith('#')) return undefined;
  let best: { uri: string; line: LineInfo; score: number } | undefined;
  for (const r of renderings) {
    for (const segment of r.rendering.segments) {
      if (segment.uri !== sourceUri) continue;
      const found = bestScored(readLines(r.text, segment.start, segment.end), line);
      if (found && (!best || found.score > best.score)) best = { uri: r.uri, ...found };
    }
  }
  if (!best) return undefined;
  const column = Math.max(0, offset - line.contentStart);
  return { uri: best.uri, offset: best.line.contentStart + (best.line.content === line.content ? column : Math.min(column, best.line.content.length)) };
}

/**
 * Where a range of a rendered text comes from: the source file of its segment, at the line that best matches the
 * rendered line (the same text, else the same key path and key, else the closest ancestor key). The anchor file's
 * start when the segment's source is not known.
 */
export function locateInSource(text: string, rendering: Rendering, range: OffsetRange, sourceText: (uri: string) => string | undefined): SourceLocation {
  const segment = rendering.segments.find((s) => s.start <= range[0] && range[0] <= s.end);
  const source = segment ? sourceText(segment.uri) : undefined;
  if (!segment || source === undefined) return { uri: rendering.anchorUri, range: [0, 0] };
  const renderedLines = readLines(text, segment.start, segment.end);
  const line = renderedLines.find((l) => l.start <= range[0] && range[0] <= l.end);
  const lines = linesOfSource(source);
  if (!line || lines.length === 0) return { uri: segment.uri, range: [0, 0] };
  const best = bestMatch(lines, line);
  if (!best) return { uri: segment.uri, range: [0, 0] };
  if (best.content === line.content) {
    // The same text: the same columns.
    const from = Math.max(0, range[0] - line.contentStart);
    const to = Math.max(from, Math.min(range[1], line.end) - line.contentStart);
    return { uri: segment.uri, range: [best.contentStart + from, best.contentStart + Math.min(to, best.content.length)] };
  }
  return { uri: segment.uri, range: [best.contentStart, best.contentStart + best.content.length] };
}

/**
 * A diagnostic of a rendered file moved to its source: its location and related locations; quick fixes that edit
 * the rendered text are dropped (the source is a template or a base, edited by hand).
 */
export function relocateDiagnostic(d: Diagnostic, renderingOf: (uri: string) => { text: string; rendering: Rendering } | undefined, sourceText: (uri: string) => string | undefined): Diagnostic {
  const move = (location: SourceLocation): SourceLocation => {
    const rendered = renderingOf(location.uri);
    return rendered ? locateInSource(rendered.text, rendered.rendering, location.range, sourceText) : location;
  };
  const inRendered = renderingOf(d.location.uri) !== undefined;
  const relatedInRendered = d.related?.some((r) => renderingOf(r.location.uri) !== undefined) ?? false;
  if (!inRendered && !relatedInRendered) return d;
  const moved: Diagnostic = { ...d, location: move(d.location) };
  if (d.related) moved.related = d.related.map((r): RelatedLocation => ({ ...r, location: move(r.location) }));
  if (d.fixes) {
    const fixes = d.fixes.filter((f) => f.edits.every((e) => renderingOf(e.uri) === undefined));
    if (fixes.length) moved.fixes = fixes;
    else delete moved.fixes;
  }
  if (inRendered) {
    const tool = renderingOf(d.location.uri)!.rendering.tool;
    const where = tool === 'helm' ? 'in the output of helm template' : tool === 'kustomize' ? 'in the output of kustomize' : 'in the kustomization as netpol builds it without kustomize';
    moved.message = `${d.message} (${where})`;
  }
  return moved;
}
