// Source ranges below objects that the fast reader (fast-yaml.ts) read, found in the text itself. Those files are
// plain block YAML of a known subset, so the node at a path can be found by walking lines and columns, without the
// yaml package's syntax tree, which the engine builds only on first access (a full parse of the file). Every answer
// equals what the yaml nodes give (test/engine/fast-positions.test.ts); where this walk is not sure (flow mappings
// with content, keys that may resolve to numbers, a block collection's whole range), it says so by giving up, and
// the caller asks the nodes.
import { fastReadText, type K8sObject } from './parse';
import type { OffsetRange } from './types';

type Key = string | number;

/** A node of the fast subset, by where it is in the text. */
type TextNode =
  /** A plain or quoted scalar: `[range[0], range[1]]` of its yaml node (the value, without comments). */
  | { type: 'scalar'; start: number; end: number }
  /** A flow collection on one line, from its bracket to after the closing one. */
  | { type: 'flow'; start: number; end: number }
  /** A block mapping, its first key at `start` (never empty in the subset). */
  | { type: 'map'; start: number }
  /** A block sequence, its first `-` at `start`. */
  | { type: 'seq'; start: number };

class GiveUp extends Error {}
const GIVE_UP = new GiveUp('not known from the text');

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;

/** Walks the text of one fast-read file. Throws GIVE_UP where the answer is not certain. */
class TextWalker {
  constructor(private readonly text: string) {}

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  lineEnd(offset: number): number {
    const i = this.text.indexOf('\n', offset);
    return i < 0 ? this.text.length : i;
  }

  /** The start of the next line after the line ending at `lineEnd`, or -1 at the end of the text. */
  private nextLine(lineEnd: number): number {
    return lineEnd < this.text.length ? lineEnd + 1 : -1;
  }

  /** The first line from `from` (a line start, or -1 past the end) holding content (not blank, not a comment). */
  private contentLine(from: number): { start: number; indent: number } | undefined {
    const { text } = this;
    for (let line = from; line >= 0; ) {
      const end = this.lineEnd(line);
      let i = line;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i < end && text.charCodeAt(i) !== HASH) return { start: line, indent: i - line };
      line = this.nextLine(end);
    }
    return undefined;
  }

  /** Whether the content at `at` is a sequence item's `-` (followed by a space or the end of the line). */
  private isItem(at: number): boolean {
    const { text } = this;
    return text.charCodeAt(at) === DASH && (at + 1 >= text.length || text.charCodeAt(at + 1) === SPACE || text.charCodeAt(at + 1) === 10);
  }

  /** The node at `path` below `root`; null when there is none. */
  nodeAt(root: TextNode, path: readonly Key[]): TextNode | null {
    let current: TextNode | null = root;
    for (const key of path) {
      if (!current) return null;
      current = this.child(current, key)?.value ?? null;
    }
    return current;
  }

  /** The entry `key` of a collection (with the key's range in a mapping); null when absent. */
  child(node: TextNode, key: Key): { keyRange?: OffsetRange; value: TextNode } | null {
    switch (node.type) {
      case 'scalar':
        return null;
      case 'map':
        return this.mapEntry(node.start, key);
      case 'seq':
        return typeof key === 'number' ? this.seqItem(node.start, key) : null;
      case 'flow':
        return this.flowEntry(node, key);
    }
  }

  /** The entry `key` of the block mapping starting at `start`; its first entry when `key` is undefined. */
  mapEntry(start: number, key: Key | undefined): { keyRange: OffsetRange; value: TextNode } | null {
    const { text } = this;
    const column = start - this.lineStart(start);
    let at = start;
    for (;;) {
      const lineEnd = this.lineEnd(at);
      const { keyEnd, matches } = this.readKey(at, lineEnd, key);
      if (matches) return { keyRange: [at, keyEnd], value: this.valueAfter(keyEnd + 1, lineEnd, column) };
      // The next key at this column; deeper lines and `-` items at the column belong to this key's value.
      let line = this.nextLine(lineEnd);
      for (;;) {
        const next = this.contentLine(line);
        if (!next || next.indent < column) return null;
        const content = next.start + next.indent;
        if (next.indent > column || this.isItem(content)) {
          line = this.nextLine(this.lineEnd(content));
          continue;
        }
        if (text.charCodeAt(content) === DASH) return null; // `---`: the document ends
        at = content;
        break;
      }
    }
  }

  /**
   * The key at `at`: where it ends (its colon follows) and whether it is `key` (the yaml package compares the
   * key scalar's value with `===`; any key matches undefined).
   */
  private readKey(at: number, lineEnd: number, key: Key | undefined): { keyEnd: number; matches: boolean } {
    const { text } = this;
    const c = text.charCodeAt(at);
    if (c === 34 || c === 39) {
      const q = this.quoted(at, lineEnd);
      if (text.charCodeAt(q.end) !== COLON) throw GIVE_UP;
      return { keyEnd: q.end, matches: key === undefined || q.value === key };
    }
    for (let i = at; i < lineEnd; i++) {
      if (text.charCodeAt(i) === COLON && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE)) {
        if (key === undefined) return { keyEnd: i, matches: true };
        const raw = text.slice(at, i);
        // A plain key that reads as a string is its text; others (numbers, booleans, null) need the yaml package.
        if (plainIsString(raw)) return { keyEnd: i, matches: raw === key };
        if (typeof key === 'string' && raw !== key) return { keyEnd: i, matches: false };
        throw GIVE_UP;
      }
    }
    throw GIVE_UP;
  }

  /** The value after a key's colon: inline on the line, or a block below. */
  private valueAfter(from: number, lineEnd: number, column: number): TextNode {
    const { text } = this;
    let v = from;
    while (v < lineEnd && text.charCodeAt(v) === SPACE) v++;
    if (v < lineEnd && !(text.charCodeAt(v) === HASH && v > from)) return this.inline(v, lineEnd);
    const below = this.contentLine(this.nextLine(lineEnd));
    if (!below) throw GIVE_UP;
    const content = below.start + below.indent;
    if (this.isItem(content) && below.indent >= column) return { type: 'seq', start: content };
    if (below.indent > column) return { type: 'map', start: content };
    throw GIVE_UP;
  }

  private seqItem(start: number, index: number): { value: TextNode } | null {
    const column = start - this.lineStart(start);
    let dash = start;
    for (let i = 0; ; i++) {
      const lineEnd = this.lineEnd(dash);
      if (i === index) return { value: this.itemContent(dash, lineEnd) };
      let line = this.nextLine(lineEnd);
      for (;;) {
        const next = this.contentLine(line);
        if (!next || next.indent < column) return null;
        const content = next.start + next.indent;
        if (next.indent > column) {
          line = this.nextLine(this.lineEnd(content));
          continue;
        }
        if (!this.isItem(content)) return null;
        dash = content;
        break;
      }
    }
  }

  /** An item's content after its `-`: a compact mapping (`- key: value`) or a value on the line. */
  private itemContent(dash: number, lineEnd: number): TextNode {
    const { text } = this;
    let c = dash + 1;
    while (c < lineEnd && text.charCodeAt(c) === SPACE) c++;
    if (c >= lineEnd) throw GIVE_UP;
    const first = text.charCodeAt(c);
    if (first !== 34 && first !== 39 && first !== 91 && first !== 123) {
      for (let i = c; i < lineEnd; i++) {
        const ch = text.charCodeAt(i);
        if (ch === HASH && i > c && text.charCodeAt(i - 1) === SPACE) break;
        if (ch === COLON && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE)) return { type: 'map', start: c };
      }
    }
    return this.inline(c, lineEnd);
  }

  /** A value on the rest of a line. */
  private inline(from: number, lineEnd: number): TextNode {
    const { text } = this;
    const c = text.charCodeAt(from);
    if (c === 34 || c === 39) return { type: 'scalar', start: from, end: this.quoted(from, lineEnd).end };
    if (c === 91 || c === 123) return { type: 'flow', start: from, end: this.flowEnd(from, lineEnd) };
    // A plain scalar: up to a comment (` #`) or the end of the line, without trailing spaces.
    let stop = lineEnd;
    for (let i = from + 1; i < lineEnd; i++) {
      if (text.charCodeAt(i) === HASH && text.charCodeAt(i - 1) === SPACE) {
        stop = i;
        break;
      }
    }
    while (stop > from && text.charCodeAt(stop - 1) === SPACE) stop--;
    return { type: 'scalar', start: from, end: stop };
  }

  private quoted(from: number, lineEnd: number): { value: string; end: number } {
    const { text } = this;
    if (text.charCodeAt(from) === 34) {
      const close = text.indexOf('"', from + 1);
      if (close < 0 || close >= lineEnd) throw GIVE_UP;
      return { value: text.slice(from + 1, close), end: close + 1 };
    }
    for (let i = from + 1; ; ) {
      const close = text.indexOf("'", i);
      if (close < 0 || close >= lineEnd) throw GIVE_UP;
      if (text.charCodeAt(close + 1) === 39) {
        i = close + 2;
        continue;
      }
      return { value: text.slice(from + 1, close).replace(/''/g, "'"), end: close + 1 };
    }
  }

  /** After the bracket that closes the flow collection opened at `from`. */
  private flowEnd(from: number, lineEnd: number): number {
    const { text } = this;
    let depth = 0;
    for (let i = from; i < lineEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 || c === 39) i = this.quoted(i, lineEnd).end - 1;
      else if (c === 91 || c === 123) depth++;
      else if (c === 93 || c === 125) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw GIVE_UP;
  }

  /** An entry of a flow collection: items of a sequence of scalars; nothing in an empty mapping. */
  private flowEntry(node: TextNode & { type: 'flow' }, key: Key): { value: TextNode } | null {
    const { text } = this;
    let at = node.start + 1;
    const skipSpaces = () => {
      while (text.charCodeAt(at) === SPACE) at++;
    };
    skipSpaces();
    const empty = at === node.end - 1;
    if (text.charCodeAt(node.start) === 123) {
      if (empty) return null;
      throw GIVE_UP; // entries of flow mappings are left to the nodes
    }
    if (typeof key !== 'number') return null;
    if (empty) return null;
    for (let i = 0; ; i++) {
      const c = text.charCodeAt(at);
      let item: TextNode;
      if (c === 91 || c === 123) throw GIVE_UP;
      if (c === 34 || c === 39) item = { type: 'scalar', start: at, end: this.quoted(at, node.end).end };
      else {
        let stop = at;
        while (stop < node.end - 1 && text.charCodeAt(stop) !== 44) stop++;
        let end = stop;
        while (end > at && text.charCodeAt(end - 1) === SPACE) end--;
        item = { type: 'scalar', start: at, end };
      }
      if (i === key) return { value: item };
      at = item.end;
      skipSpaces();
      if (text.charCodeAt(at) !== 44) return null; // `]`: no more items
      at++;
      skipSpaces();
    }
  }
}

/** Whether a plain scalar reads as a string under the core schema (else it may be a number, boolean or null). */
function plainIsString(raw: string): boolean {
  const c = raw.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return !/^(null|Null|NULL|true|True|TRUE|false|False|FALSE)$/.test(raw);
  return raw !== '' && raw !== '~' && !((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46);
}

/** The walker and root node of a fast-read object; undefined for others. */
function rootOf(object: K8sObject): { walker: TextWalker; root: TextNode } | undefined {
  const text = fastReadText(object);
  if (text === undefined) return undefined;
  const start = object.range[0];
  const c = text.charCodeAt(start);
  // A List item written as a flow mapping: left to the nodes.
  if (c === 123 || c === 91) return undefined;
  return { walker: new TextWalker(text), root: { type: 'map', start } };
}

/** `[range[0], range[1]]` of a node, when known without its end line (block collections need the nodes). */
function wholeRange(node: TextNode): OffsetRange {
  if (node.type === 'map' || node.type === 'seq') throw GIVE_UP;
  return [node.start, node.end];
}

/** keyRangeAt of parse.ts. */
function keyRange(walker: TextWalker, root: TextNode, path: readonly Key[]): OffsetRange | undefined {
  if (path.length === 0) return wholeRange(root);
  const parent = walker.nodeAt(root, path.slice(0, -1));
  if (!parent) return undefined;
  const entry = walker.child(parent, path[path.length - 1]);
  if (!entry) return undefined;
  return entry.keyRange ?? wholeRange(entry.value);
}

/** Where the first line of a block collection's content ends (the first key, or the first key and its scalar). */
function firstLineEnd(walker: TextWalker, node: TextNode): number {
  if (node.type === 'map') {
    const first = walker.mapEntry(node.start, undefined)!;
    return first.value.type === 'map' || first.value.type === 'seq' ? first.keyRange![1] : first.value.end;
  }
  if (node.type === 'seq') return firstLineEnd(walker, walker.child(node, 0)!.value);
  return node.end;
}

/** The range `locate` reports for a node: a block collection's key (or first line), a scalar's value. */
function trimmedRange(walker: TextWalker, root: TextNode, path: readonly Key[]): OffsetRange | undefined {
  const node = walker.nodeAt(root, path);
  if (!node) return undefined;
  if (node.type === 'map' || node.type === 'seq') {
    if (typeof path[path.length - 1] === 'string') return keyRange(walker, root, path);
    return [node.start, firstLineEnd(walker, node)];
  }
  return [node.start, Math.max(node.start, node.end)];
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

/**
 * `locate` (rules/common.ts) from the text of a fast-read object: the range of the node at `path` (its key with
 * `key`), else of the nearest ancestor, else the object's name. Undefined when the walk cannot tell.
 */
export function locateInText(object: K8sObject, path: readonly Key[], options: { key?: boolean } = {}): OffsetRange | undefined {
  const source = rootOf(object);
  if (!source) return undefined;
  const { walker, root } = source;
  return attempt(() => {
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      const range = n === path.length && options.key ? keyRange(walker, root, sub) : n > 0 ? trimmedRange(walker, root, sub) : undefined;
      if (range && range[1] > range[0]) return range;
      if (n > 0 && n < path.length && typeof sub[sub.length - 1] === 'string') {
        const ancestorKey = keyRange(walker, root, sub);
        if (ancestorKey) return ancestorKey;
      }
    }
    return nameRangeOf(walker, root, object);
  });
}

function nameRangeOf(walker: TextWalker, root: TextNode, object: K8sObject): OffsetRange {
  const name = walker.nodeAt(root, ['metadata', 'name']);
  if (name) return wholeRange(name);
  return keyRange(walker, root, ['kind']) ?? object.range;
}

/** `nameRange` (rules/common.ts) from the text: `metadata.name`'s value, else the `kind` key, else the object. */
export function nameRangeInText(object: K8sObject): OffsetRange | undefined {
  const source = rootOf(object);
  return source && attempt(() => nameRangeOf(source.walker, source.root, object));
}

/**
 * The range of the scalar at `path` (with `mapKey`, of the key scalar of its last step), as the yaml node gives it;
 * null when there is no such scalar, undefined when the walk cannot tell.
 */
export function scalarRangeInText(object: K8sObject, path: readonly Key[], mapKey: boolean): OffsetRange | null | undefined {
  const source = rootOf(object);
  if (!source) return undefined;
  const { walker, root } = source;
  return attempt(() => {
    if (path.length === 0) return null;
    const parent = walker.nodeAt(root, path.slice(0, -1));
    if (!parent) return null;
    if (mapKey && parent.type !== 'map') {
      if (parent.type === 'flow' && walker.child(parent, path[path.length - 1]) !== null) throw GIVE_UP;
      return null;
    }
    const entry = walker.child(parent, path[path.length - 1]);
    if (!entry) return null;
    if (mapKey) return entry.keyRange!;
    return entry.value.type === 'scalar' ? [entry.value.start, entry.value.end] : null;
  });
}
