// Minimal text edits on YAML source for quick fixes. Edits insert or replace text at node ranges and copy the
// surrounding style (indentation, sequence indentation, flow vs block, quoting, line endings), so comments and
// everything the edit does not touch stay byte for byte. Documents are never re-stringified.
import { isCollection, isPair, isScalar, stringify, type Node as YamlNode, type YAMLMap, type YAMLSeq } from 'yaml';
import type { OffsetRange } from './types';

export interface Edit {
  range: OffsetRange;
  newText: string;
}

/** The line ending the file uses (CRLF when any line ends with it). */
export function detectEol(text: string): '\r\n' | '\n' {
  // Remembered for the last text: fixes for thousands of objects of one large file would rescan it each time.
  if (text !== eolMemo.text) eolMemo = { text, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  return eolMemo.eol;
}
let eolMemo: { text: string | undefined; eol: '\r\n' | '\n' } = { text: undefined, eol: '\n' };

export function lineStartOf(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', offset - 1);
  return i < 0 ? 0 : i + 1;
}

/** Offset of the line break (or the end of the text) of the line holding `offset`. */
export function lineEndOf(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  if (i < 0) return text.length;
  return i > 0 && text[i - 1] === '\r' ? i - 1 : i;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

/** Offset just after the line break of the line holding `offset` (the end of the text on the last line). */
export function afterLineOf(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

/** Where a node's own content ends, without trailing comments and blank lines (which the yaml ranges include). */
export function contentEnd(node: YamlNode): number {
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    if (isPair(last)) {
      const value = last.value as YamlNode | null;
      if (value && value.range) return contentEnd(value);
      const key = last.key as YamlNode | null;
      if (key && key.range) return key.range[1];
    } else if (last && (last as YamlNode).range) return contentEnd(last as YamlNode);
  }
  return node.range ? node.range[1] : 0;
}

/**
 * The indentation step around `at` (the smallest positive indentation of a content line of that YAML document, or
 * of the whole text without `at`), 2 by default.
 */
export function indentUnit(text: string, at?: number): number {
  return styleAt(text, at).indent;
}

/** The style of the YAML document holding `at` (documents of one file may come from different tools). */
export function styleAt(text: string, at?: number): { indent: number; compact: boolean } {
  if (at === undefined) return styleOf(text);
  const before = text.lastIndexOf('\n---', at);
  const start = before < 0 ? 0 : before + 1;
  const after = text.indexOf('\n---', at);
  return styleOf(text.slice(start, after < 0 ? text.length : after + 1));
}

function scanIndentUnit(text: string): number {
  let unit = 0;
  const re = /^( +)[^ #\r\n]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const n = m[1].length;
    if (unit === 0 || n < unit) unit = n;
    if (unit === 1) break;
  }
  return unit >= 2 && unit <= 8 ? unit : 2;
}

/** Whether the file writes block sequences under a key without extra indentation (`key:\n- item`). */
export function usesCompactSequences(text: string): boolean {
  const m = /^( *)[^ #\r\n-][^\r\n]*:[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)- /m.exec(text);
  return m ? m[1].length === m[2].length : false;
}

/** Whether a text is JSON (or flow-only YAML): fixes then write JSON, which every YAML reader accepts too. */
export function looksLikeJson(text: string): boolean {
  return /^\uFEFF?\s*[{[]/.test(text);
}

/** A fresh value in flow style: JSON in JSON files, compact flow YAML elsewhere. */
function flowValue(value: unknown, json: boolean): string {
  if (json) return JSON.stringify(value);
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0, flowCollectionPadding: false }).replace(/\n$/, '');
}

/** Applies non-overlapping edits to a text. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.range[0] - a.range[0] || b.range[1] - a.range[1]);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.range[1] > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.range[0]) + e.newText + out.slice(e.range[1]);
    limit = e.range[0];
  }
  return out;
}

/** The last few files' styles: fixes for many findings in one file ask for the same text's style repeatedly. */
const styleCache = new Map<string, { indent: number; compact: boolean }>();

function styleOf(text: string): { indent: number; compact: boolean } {
  let style = styleCache.get(text);
  if (!style) {
    style = { indent: scanIndentUnit(text), compact: usesCompactSequences(text) };
    if (styleCache.size >= 8) styleCache.delete(styleCache.keys().next().value as string);
    styleCache.set(text, style);
  }
  return style;
}

/** Serializes a snippet (a fresh value, never document content) as block YAML lines in the style around `at`. */
export function snippetLines(value: unknown, text: string, at?: number): string[] {
  const style = styleAt(text, at);
  const out = stringify(value, {
    indent: style.indent,
    indentSeq: !style.compact,
    lineWidth: 0,
    flowCollectionPadding: false,
  });
  return out.replace(/\n$/, '').split('\n');
}

/** Lines joined at a column with the file's line ending; the first line gets `firstPrefix` instead of the indent. */
export function indentLines(lines: readonly string[], column: number, eol: string, firstPrefix?: string): string {
  const pad = ' '.repeat(column);
  return lines.map((l, i) => (i === 0 && firstPrefix !== undefined ? firstPrefix + l : l === '' ? '' : pad + l)).join(eol);
}

/** An insertion of whole lines after the line holding `offset`, coping with a last line without line break. */
function insertAfterLine(text: string, offset: number, body: string): Edit {
  const eol = detectEol(text);
  const at = afterLineOf(text, offset);
  const needsBreak = at === text.length && !text.endsWith('\n');
  return { range: [at, at], newText: needsBreak ? eol + body : body + eol };
}

/** Column of the `-` of a block sequence item whose content starts at `itemStart`. */
function dashColumn(text: string, itemStart: number): number {
  let i = itemStart - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  return text[i] === '-' ? columnOf(text, i) : columnOf(text, itemStart);
}

/**
 * Appends an item to a sequence. `item` is a fresh value; in a flow sequence it is written in flow style.
 * `parentKeyOffset` is where the key owning the sequence starts (for turning an empty `[]` into a block).
 */
export function appendToSequence(text: string, seq: YAMLSeq, item: unknown, parentKeyOffset: number): Edit[] | undefined {
  if (!seq.range) return undefined;
  const eol = detectEol(text);
  // A string joins a list in the quoting style of the list's first item.
  const firstSource = seq.items[0] && (seq.items[0] as YamlNode).range ? text.slice((seq.items[0] as YamlNode).range![0]) : '';
  const quote = typeof item === 'string' && (firstSource[0] === '"' || firstSource[0] === "'") ? firstSource[0] : looksLikeJson(text) ? '"' : '';
  const scalarText = (value: string) =>
    quote === '"' ? JSON.stringify(value) : quote === "'" ? `'${value.replace(/'/g, "''")}'` : isPlainSafe(value) ? value : JSON.stringify(value);
  if (seq.flow) {
    const close = text.lastIndexOf(']', seq.range[1] - 1);
    if (close < seq.range[0]) return undefined;
    const json = looksLikeJson(text);
    const flowText = typeof item === 'string' ? scalarText(item) : flowValue(item, json);
    // The item joins the list in flow style, as the author wrote the list, right after the last item.
    const last = seq.items[seq.items.length - 1] as YamlNode | undefined;
    if (last?.range) return [{ range: [last.range[1], last.range[1]], newText: `, ${flowText}` }];
    if (typeof item !== 'object' || item === null || json) return [{ range: [close, close], newText: flowText }];
    // `key: []` with a map to add: write a block sequence in place of the empty flow one.
    const keyColumn = columnOf(text, parentKeyOffset);
    const style = styleAt(text, parentKeyOffset);
    const column = style.compact ? keyColumn : keyColumn + style.indent;
    return replaceValueWithBlock(text, parentKeyOffset, seq.range[1], snippetLines([item], text, parentKeyOffset), column);
  }
  const first = seq.items[0] as YamlNode | undefined;
  if (!first || !first.range) return undefined;
  const column = dashColumn(text, first.range[0]);
  const lines = typeof item === 'string' ? [`- ${scalarText(item)}`] : snippetLines([item], text, seq.range[0]);
  return [insertAfterLine(text, contentEnd(seq), indentLines(lines, column, eol))];
}

/**
 * Replaces the inline value of `key: value` (an empty `[]`/`{}`, `~`, or nothing) with block lines below the key,
 * keeping a trailing comment on the key's line.
 */
export function replaceValueWithBlock(text: string, keyOffset: number, valueEnd: number, lines: readonly string[], column: number): Edit[] {
  const eol = detectEol(text);
  const colon = text.indexOf(':', keyOffset);
  const edits: Edit[] = [];
  // Only a written value goes (`[]`, `{}`, `~`); the space before a comment stays.
  if (valueEnd > colon + 1 && text.slice(colon + 1, valueEnd).trim() !== '') edits.push({ range: [colon + 1, valueEnd], newText: '' });
  const lineEnd = lineEndOf(text, colon);
  edits.push({ range: [lineEnd, lineEnd], newText: eol + indentLines(lines, column, eol) });
  return edits;
}

/** Adds `key: value` to a map (block or flow). `value` is a fresh value. */
export function addMapEntry(text: string, map: YAMLMap, key: string, value: unknown, parentKeyOffset?: number): Edit[] | undefined {
  if (!map.range) return undefined;
  const eol = detectEol(text);
  if (map.flow) {
    const close = text.lastIndexOf('}', map.range[1] - 1);
    if (close < map.range[0]) return undefined;
    const json = looksLikeJson(text);
    const flowText = json ? `${JSON.stringify(key)}: ${JSON.stringify(value)}` : flowValue({ [key]: value }, false).replace(/^\{|\}$/g, '');
    const last = map.items[map.items.length - 1];
    const lastEnd = last ? ((last.value as YamlNode | null)?.range?.[1] ?? (last.key as YamlNode | null)?.range?.[1]) : undefined;
    if (lastEnd !== undefined) return [{ range: [lastEnd, lastEnd], newText: `, ${flowText}` }];
    if (parentKeyOffset === undefined || json) return [{ range: [close, close], newText: flowText }];
    // `spec: {}` gaining a block entry: write a block map in place of the empty flow one.
    const column = columnOf(text, parentKeyOffset) + indentUnit(text, parentKeyOffset);
    return replaceValueWithBlock(text, parentKeyOffset, map.range[1], snippetLines({ [key]: value }, text, parentKeyOffset), column);
  }
  const firstPair = map.items[0];
  const firstKey = firstPair?.key as YamlNode | undefined;
  if (!firstKey || !firstKey.range) return undefined;
  const column = columnOf(text, firstKey.range[0]);
  return [insertAfterLine(text, contentEnd(map), indentLines(snippetLines({ [key]: value }, text, map.range[0]), column, eol))];
}

/**
 * Replaces a scalar's value, keeping its quoting style. With `raw`, an unquoted scalar gets `newValue` as source
 * text (for numbers); otherwise a string that would not read back as itself when plain is quoted.
 */
export function replaceScalar(text: string, node: YamlNode, newValue: string, raw = false): Edit | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const [start, end] = node.range;
  const source = text.slice(start, end);
  const quote = source[0] === '"' || source[0] === "'" ? source[0] : '';
  let body = newValue;
  if (quote === '"') body = JSON.stringify(newValue).slice(1, -1);
  else if (quote === "'") body = newValue.replace(/'/g, "''");
  else if (!raw && !isPlainSafe(newValue)) return { range: [start, end], newText: JSON.stringify(newValue) };
  return { range: [start, end], newText: quote + body + quote };
}

/** Wraps a plain scalar in double quotes, keeping its source text. */
export function quoteScalar(text: string, node: YamlNode): Edit | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const [start, end] = node.range;
  const source = text.slice(start, end);
  if (source.startsWith('"') || source.startsWith("'")) return undefined;
  return { range: [start, end], newText: JSON.stringify(source) };
}

/** Whether a string can be written as a plain scalar that every YAML version reads back as the same string. */
export function isPlainSafe(value: string): boolean {
  if (value === '' || /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(value) || /[:#]\s|\s$|:$/.test(value)) return false;
  return !isYaml11NonString(value);
}

const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML11_NULL = /^(~|null|Null|NULL)$/;
const YAML11_INT = /^[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$/;
// go-yaml v2 (kubectl's decoder) also reads exponent forms without a dot (1e3) as floats.
const GO_YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const YAML11_FLOAT = /^([-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

/** Whether YAML 1.1 (used by kubectl's YAML decoder) reads a plain scalar as a boolean, number or null. */
export function yaml11Type(value: string): 'boolean' | 'number' | 'null' | undefined {
  if (YAML11_BOOL.test(value)) return 'boolean';
  if (YAML11_NULL.test(value)) return 'null';
  if (YAML11_INT.test(value) || (YAML11_FLOAT.test(value) && /[0-9]/.test(value)) || GO_YAML_FLOAT.test(value) || /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(value)) {
    return 'number';
  }
  return undefined;
}

export function isYaml11NonString(value: string): boolean {
  return yaml11Type(value) !== undefined;
}

/**
 * Removes the lines of one `key: value` entry of a block map (the whole map's entry in its parent when it is the
 * only one, given the parent's key offset). Undefined for flow maps, entries sharing a line with other text, and
 * entries whose lines hold a comment (which the edit would lose).
 */
export function removeMapEntry(text: string, map: YAMLMap, key: string, parentKeyOffset?: number): Edit[] | undefined {
  if (map.flow || !map.range) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  const keyNode = pair?.key as YamlNode | undefined;
  if (!pair || !keyNode?.range) return undefined;
  const value = pair.value as YamlNode | null;
  const end = afterLineOf(text, Math.max(keyNode.range[1], value?.range ? contentEnd(value) - 1 : keyNode.range[1]));
  const start = lineStartOf(text, keyNode.range[0]);
  if (text.slice(start, keyNode.range[0]).trim() !== '') return undefined;
  const hasComment = (from: number) => /(^|\s)#/.test(text.slice(from, end));
  if (map.items.length === 1 && parentKeyOffset !== undefined) {
    // The parent key goes too, unless a comment sits between it and the entry (then it stays, with no value).
    const parentStart = lineStartOf(text, parentKeyOffset);
    if (text.slice(parentStart, parentKeyOffset).trim() === '' && !hasComment(parentStart)) return [{ range: [parentStart, end], newText: '' }];
  }
  return hasComment(start) ? undefined : [{ range: [start, end], newText: '' }];
}

/**
 * Removes the lines of one item of a block sequence (`- value`, on lines of its own). Undefined for flow
 * sequences, items sharing a line with other text, and items whose lines hold a comment (which the edit would lose).
 */
export function removeSequenceItem(text: string, seq: YAMLSeq, index: number): Edit[] | undefined {
  if (seq.flow) return undefined;
  const item = seq.items[index] as YamlNode | undefined;
  if (!item || !item.range) return undefined;
  const start = lineStartOf(text, item.range[0]);
  const dash = text.lastIndexOf('-', item.range[0]);
  if (dash < start || text.slice(start, dash).trim() !== '') return undefined;
  const end = afterLineOf(text, contentEnd(item) - 1);
  if (/(^|\s)#/.test(text.slice(start, end))) return undefined;
  return [{ range: [start, end], newText: '' }];
}
