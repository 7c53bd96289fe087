// Small helpers shared by the hover renderers: links to definitions, capped lists, plural forms.
import type { Workload } from '../model';
import { rangeAt } from '../parse';
import type { NetworkPolicy } from '../policy';
import type { SourceLocation } from '../types';
import type { Workspace } from '../workspace';

/** At most this many entries of a list are shown; the rest is summarised as "and N more". */
export const LIST_CAP = 10;

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Inline code, safe for values holding backticks. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Escapes text placed in link labels and plain markdown. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, '\\$&');
}

/** Where a workload is defined: its metadata.name (the object when it has none). */
export function workloadLocation(w: Workload): SourceLocation {
  return { uri: w.object.uri, range: rangeAt(w.object.node, ['metadata', 'name']) ?? w.object.range };
}

export function policyLocation(p: NetworkPolicy): SourceLocation {
  return { uri: p.object.uri, range: rangeAt(p.object.node, ['metadata', 'name']) ?? p.object.range };
}

/** A markdown link to a location: the file URI with a `#L<line>` fragment (1-based), as editors open it. */
export function link(workspace: Workspace, label: string, location: SourceLocation): string {
  const file = workspace.getFile(location.uri);
  if (!file) return code(label);
  const line = file.lineCounter.linePos(location.range[0]).line;
  return `[${escapeMarkdown(label)}](${location.uri}#L${line})`;
}

export function workloadLink(workspace: Workspace, w: Workload): string {
  return link(workspace, w.displayName, workloadLocation(w));
}

export function policyLink(workspace: Workspace, p: NetworkPolicy): string {
  return link(workspace, `${p.namespace}/${p.name}`, policyLocation(p));
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

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(items: readonly string[], word = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1]}`;
}
