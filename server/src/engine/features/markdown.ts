// Small helpers shared by the hover renderers: links to definitions, capped lists, plural forms.
import type { Workload } from '../model';
import { rangeAt, type K8sObject } from '../parse';
import type { NetworkPolicy } from '../policy';
import type { OffsetRange, SourceLocation } from '../types';
import type { Workspace } from '../workspace';

/** At most this many entries of a list are shown; the rest is summarised as "and N more". */
export const LIST_CAP = 10;

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Inline code, safe for values holding backticks or line breaks (either could end the code span early). */
export function code(raw: string): string {
  const text = raw.replace(/\r\n|\r|\n/g, ' ');
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Escapes what could turn text from the workspace into markup: HTML tags, links, code spans (and the backslash).
 * Lighter than escapeMarkdown, so ordinary punctuation in sentences stays as written.
 */
export function escapeInline(text: string): string {
  return text.replace(/[\\`<>[\]]/g, '\\$&');
}

/** Escapes text placed in link labels and plain markdown. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}

/**
 * The range of `metadata.name`'s value, read from the text: block-style manifests put it on a line of its own, and
 * reading the text avoids building the file's syntax tree (the engine builds trees lazily, only when asked for
 * nodes). Undefined when the text is not in that shape; callers then ask the syntax tree.
 */
export function nameRangeInText(text: string, object: K8sObject): OffsetRange | undefined {
  const [start, end] = object.range;
  const indent = start - (text.lastIndexOf('\n', start - 1) + 1);
  let inMetadata = false;
  let childIndent = -1;
  let lineStart = start - indent;
  while (lineStart < end) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const stop = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    // The first line may begin with `- ` (an item of a List): its content starts at the object's start.
    let contentStart = lineStart < start ? start : lineStart;
    while (contentStart < stop && text[contentStart] === ' ') contentStart++;
    const column = contentStart - lineStart;
    const content = text.slice(contentStart, stop);
    lineStart = lineEnd + 1;
    if (content.trim() === '' || content.startsWith('#')) continue;
    if (!inMetadata) {
      if (column === indent && /^metadata:[ \t]*(#.*)?$/.test(content)) inMetadata = true;
      continue;
    }
    if (column <= indent) return undefined;
    if (childIndent < 0) childIndent = column;
    if (column !== childIndent) continue;
    const match = /^name:([ \t]+)("[^"\\]*"|'[^']*'|[^\s#"'][^#]*?)[ \t]*(#.*)?$/.exec(content);
    if (!match) continue;
    const valueStart = contentStart + 'name:'.length + match[1].length;
    return [valueStart, valueStart + match[2].length];
  }
  return undefined;
}

/** Where an object is named: its metadata.name value (the object when it has none). */
export function nameLocation(workspace: Workspace | undefined, object: K8sObject): SourceLocation {
  const text = workspace?.getFile(object.uri)?.text;
  const fromText = text !== undefined ? nameRangeInText(text, object) : undefined;
  return { uri: object.uri, range: fromText ?? rangeAt(object.node, ['metadata', 'name']) ?? object.range };
}

/** Where a workload is defined: its metadata.name (the object when it has none). */
export function workloadLocation(w: Workload, workspace?: Workspace): SourceLocation {
  return nameLocation(workspace, w.object);
}

export function policyLocation(p: NetworkPolicy, workspace?: Workspace): SourceLocation {
  return nameLocation(workspace, p.object);
}

/** A markdown link to a location: the file URI with a `#L<line>` fragment (1-based), as editors open it. */
export function link(workspace: Workspace, label: string, location: SourceLocation): string {
  const file = workspace.getFile(location.uri);
  if (!file) return code(label);
  const line = file.lineCounter.linePos(location.range[0]).line;
  return `[${escapeMarkdown(label)}](${location.uri}#L${line})`;
}

export function workloadLink(workspace: Workspace, w: Workload): string {
  return link(workspace, w.displayName, workloadLocation(w, workspace));
}

export function policyLink(workspace: Workspace, p: NetworkPolicy): string {
  return link(workspace, `${p.namespace}/${p.name}`, policyLocation(p, workspace));
}

/** Markdown bullet lines for the first LIST_CAP items, then "and N more". */
export function cappedList<T>(items: readonly T[], render: (item: T) => string, cap = LIST_CAP): string[] {
  const lines = items.slice(0, cap).map((item) => `- ${render(item)}`);
  if (items.length > cap) lines.push(`- and ${items.length - cap} more`);
  return lines;
}

/** `a, b, c and 2 more` for short inline enumerations. */
export function cappedInline(items: readonly string[], cap = 5): string {
  if (items.length <= cap) return items.join(', ');
  return `${items.slice(0, cap).join(', ')} and ${items.length - cap} more`;
}

/** cappedInline of rendered items, rendering only the ones shown. */
export function cappedInlineOf<T>(items: readonly T[], render: (item: T) => string, cap = 5): string {
  const shown = items.slice(0, cap).map(render);
  return items.length <= cap ? shown.join(', ') : `${shown.join(', ')} and ${items.length - cap} more`;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(items: readonly string[], word = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}
