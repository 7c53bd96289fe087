// Helpers for the Calico rules: where inside a selector string an offset is, and names for messages.
import type { CalicoPolicy } from '../calico-policy';
import type { K8sObject } from '../parse';
import type { Path } from '../policy';
import type { SourceLocation } from '../types';
import { locate } from './common';
import type { RuleContext } from './types';

/**
 * The location of [start, end) inside the string at `path`: the scalar's source is the value itself, or the value
 * in quotes (Calico selectors have no escapes; a YAML escape in a double-quoted scalar falls back to the whole value).
 */
export function locateInString(context: RuleContext, object: K8sObject, path: Path, value: string, start: number, end: number): SourceLocation {
  const whole = locate(object, path);
  const text = context.file(object.uri)?.text;
  if (!text) return whole;
  const [from, to] = whole.range;
  const source = text.slice(from, to);
  const quoted = source.startsWith("'") || source.startsWith('"');
  const offset = quoted ? 1 : 0;
  if (source.slice(offset, offset + value.length) !== value) return whole;
  const s = from + offset + start;
  // An error at the very end (a missing term) gets one character: the closing quote or the line's end.
  const e = end > start ? from + offset + end : s + 1;
  return { uri: object.uri, range: [s, e] };
}

export function calicoPolicyName(p: CalicoPolicy): string {
  return `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
}
