// A fast reader for the plain block-style YAML that Kubernetes manifests are nearly always written in. It returns
// the same JavaScript values and the same document and object ranges as the `yaml` package (parseAllDocuments +
// toJS, YAML 1.2 core schema with kubectl's numbers), about ten times faster, and builds no syntax tree. Whenever
// the text uses anything outside the subset it knows exactly (anchors, tags, block scalars, multi-line scalars,
// flow maps, escapes, comments between entries, empty values, CRLF, tabs, duplicate keys, keys past 1024
// characters...), it gives up (returns undefined) and the caller parses the file with the `yaml` package.
// test/engine/parse-equivalence.test.ts holds the two together.
import { parseDocument } from 'yaml';
import { KUBECTL_SCHEMA_OPTIONS } from './kubectl-numbers';
import type { OffsetRange } from './types';

export interface FastDocument {
  /** `[doc.range[0], doc.range[2]]` of the yaml package's document. */
  range: OffsetRange;
  /** The root mapping as toJS() returns it. */
  value: Record<string, unknown>;
  /** `[range[0], range[1]]` of the root mapping node. */
  rootRange: OffsetRange;
  /**
   * `[range[0], range[1]]` of the block collections below the root and of outermost flow ones, by their value: those
   * down to List items (two levels below the root), or all of them with `allRanges`.
   */
  ranges: Map<object, OffsetRange>;
}

export interface FastResult {
  documents: FastDocument[];
  /** False when a value is a number JSON cannot carry (`.inf`, `.nan`, `-0`): see fast-wire.ts. */
  jsonSafe: boolean;
}

/** Thrown inside the reader to give up on a file; never escapes readSimpleYaml. */
class Unsupported extends Error {}
const GIVE_UP = new Unsupported('outside the fast subset');

/** Deeper nesting is left to the yaml package, which decides where its own limits are (and reports them). */
const MAX_DEPTH = 64;

/** The farthest an implicit key's `:` may be from the key's start (YAML 1.2 section 7.4.2; the yaml package's limit). */
const MAX_IMPLICIT_KEY = 1024;

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;


/** Depth of List items (root map, `items`, item): the deepest ranges parse.ts reads. */
const ITEM_DEPTH = 2;

/**
 * @param options.allRanges record the range of every collection (tests compare them with the yaml package); by
 *   default only down to List items: half a million ranges on a large workspace were garbage at once.
 */
export function readSimpleYaml(text: string, options: { allRanges?: boolean } = {}): FastResult | undefined {
  // Characters that mean syntax (or line endings) this reader does not handle, anywhere in the file.
  if (text.includes('\r') || text.includes('\t') || text.includes('\uFEFF') || text.includes('{{')) return undefined;
  nonJsonNumberRead = false;
  try {
    return new Reader(text, options.allRanges ? Infinity : ITEM_DEPTH).read();
  } catch {
    // Unsupported syntax, or nesting deeper than the stack: the full parser decides (and reports) what this is.
    return undefined;
  }
}

/**
 * Line tables shared by every read (one file at a time, synchronously): typed arrays grown as needed instead of
 * three new arrays per file, whose garbage added up to tens of MB while a large workspace was indexed.
 */
let tableStarts = new Int32Array(4096);
let tableEnds = new Int32Array(4096);
let tableIndents = new Int32Array(4096);

function growLineTables(): void {
  const grow = (a: Int32Array) => {
    const b = new Int32Array(a.length * 2);
    b.set(a);
    return b;
  };
  tableStarts = grow(tableStarts);
  tableEnds = grow(tableEnds);
  tableIndents = grow(tableIndents);
}

class Reader {
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Indentation of each line; -1 for blank lines, -2 for comment lines. */
  private readonly indents: Int32Array;
  /** Lines of the text (the tables are longer). */
  private readonly lineCount: number;
  private ranges = new Map<object, OffsetRange>();
  /**
   * Where the node read last ends, as the yaml package reports node ends (after the value text, and after the rest
   * of its line), and the line after it: set by map, seq and inline instead of returning an object per node.
   */
  private nodeEnd = 0;
  private nodeNextLine = 0;
  /** Items of the sequences being read (see seq). */
  private readonly items: unknown[] = [];

  constructor(
    private readonly text: string,
    /** Collections nested deeper than this get no range. */
    private readonly rangeDepth: number,
  ) {
    let start = 0;
    let line = 0;
    const n = text.length;
    while (start <= n) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      let i = start;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (line === tableStarts.length) growLineTables();
      tableStarts[line] = start;
      tableEnds[line] = end;
      tableIndents[line] = i === end ? -1 : text.charCodeAt(i) === HASH ? -2 : i - start;
      line++;
      if (end === n) break;
      start = end + 1;
    }
    this.starts = tableStarts;
    this.ends = tableEnds;
    this.indents = tableIndents;
    this.lineCount = line;
  }

  read(): FastResult {
    const { text, starts, indents, lineCount } = this;
    const documents: FastDocument[] = [];
    let line = 0;
    let first = true;
    while (line < lineCount) {
      // A document: an optional `---` line, leading comments and blank lines, one root mapping at column 0.
      let docStart: number | undefined;
      if (this.isMarker(line)) {
        docStart = starts[line];
        line++;
      } else if (!first) throw GIVE_UP;
      let content = line;
      while (content < lineCount && indents[content] < 0 && !this.isMarker(content)) content++;
      if (content >= lineCount || this.isMarker(content)) {
        // Only comments or nothing: the yaml package makes no document of leading comments before `---`, and an
        // empty document otherwise; the first case is common, the second rare (not handled).
        if (docStart === undefined && content < lineCount && first) {
          first = false;
          line = content;
          continue;
        }
        if (docStart === undefined && content >= lineCount && first) break; // comments only: no documents
        throw GIVE_UP;
      }
      first = false;
      if (indents[content] !== 0) throw GIVE_UP;
      this.ranges = new Map();
      const rootStart = starts[content];
      const root = this.map(content, 0, rootStart);
      const rootEnd = this.nodeEnd;
      // The root mapping ends only at the next `---` or the end of the text.
      const next = this.nodeNextLine;
      if (next < lineCount && !this.isMarker(next)) throw GIVE_UP;
      const docEnd = next < lineCount ? starts[next] : text.length;
      documents.push({
        range: [docStart ?? rootStart, docEnd],
        value: root,
        rootRange: [rootStart, rootEnd],
        ranges: this.ranges,
      });
      line = next;
    }
    return { documents, jsonSafe: !nonJsonNumberRead };
  }

  private isMarker(line: number): boolean {
    const s = this.starts[line];
    return this.ends[line] - s === 3 && this.text.startsWith('---', s);
  }

  /**
   * The next line that holds content, or the line count. Comment lines are skipped only where the yaml package
   * keeps them out of every node's range: right before content at their own indentation. Elsewhere (after the last
   * entry of a collection or of the document) they extend ranges in ways not modelled here.
   */
  private nextContent(line: number): number {
    const { indents, lineCount } = this;
    let i = line;
    let commentIndent = -1;
    for (; i < lineCount; i++) {
      const indent = indents[i];
      if (indent === -1) continue;
      if (indent !== -2) break;
      const column = this.text.indexOf('#', this.starts[i]) - this.starts[i];
      if (commentIndent >= 0 && column !== commentIndent) throw GIVE_UP;
      commentIndent = column;
    }
    if (commentIndent < 0) return i;
    // Comments at column 0 before the end of the document stay outside every node too.
    const atEnd = i >= lineCount || this.isMarker(i);
    if (atEnd ? commentIndent !== 0 : indents[i] !== commentIndent) throw GIVE_UP;
    return i;
  }

  /** A block mapping whose first key starts at `offset` on `line`, with its keys at column `indent`. */
  private map(line: number, indent: number, offset: number, depth = 0): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const { text, starts, indents, lineCount } = this;
    const out: Record<string, unknown> = {};
    let at = offset;
    let current = line;
    let end = offset;
    for (;;) {
      const lineEnd = this.ends[current];
      // The key: a quoted scalar, or a plain one up to ': ' or ':' at the end of the line.
      const c0 = text.charCodeAt(at);
      let colon = -1;
      let key: string;
      if (c0 === 34 || c0 === 39) {
        key = quoted(text, at, lineEnd);
        colon = quotedEnd;
        if (text.charCodeAt(colon) !== COLON || !(colon + 1 === lineEnd || text.charCodeAt(colon + 1) === SPACE)) throw GIVE_UP;
      } else {
        if (isIndicator(c0) || c0 === DASH) throw GIVE_UP;
        for (let i = at; i < lineEnd; i++) {
          const c = text.charCodeAt(i);
          if (c === COLON && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE)) {
            colon = i;
            break;
          }
          if (c === HASH && text.charCodeAt(i - 1) === SPACE) throw GIVE_UP;
        }
        if (colon < 0 || text.charCodeAt(colon - 1) === SPACE) throw GIVE_UP;
        key = plainKey(text, at, colon);
      }
      // The yaml package (like the YAML spec) refuses an implicit key whose `:` is more than 1024 characters away.
      if (colon - at > MAX_IMPLICIT_KEY) throw GIVE_UP;
      // A duplicate key (found on the map itself: a set per map costs more than the lookup).
      if (key === '__proto__' || key === '<<' || Object.hasOwn(out, key)) throw GIVE_UP;
      let v = colon + 1;
      while (v < lineEnd && text.charCodeAt(v) === SPACE) v++;
      let nextLine: number;
      // `key: # comment` introduces a block below like `key:` does.
      if (v === lineEnd || (text.charCodeAt(v) === HASH && v > colon + 1)) {
        // The value is a block below: a mapping or sequence further indented, or a sequence at the key's column.
        const below = this.nextContent(current + 1);
        if (below >= lineCount || this.isMarker(below)) throw GIVE_UP;
        const belowIndent = indents[below];
        const belowStart = starts[below] + belowIndent;
        const isItem = text.charCodeAt(belowStart) === DASH && (belowStart + 1 === this.ends[below] || text.charCodeAt(belowStart + 1) === SPACE);
        if (isItem && belowIndent >= indent) out[key] = this.seq(below, belowIndent, depth + 1);
        else if (belowIndent > indent) out[key] = this.map(below, belowIndent, belowStart, depth + 1);
        else throw GIVE_UP; // an empty value
        end = this.nodeEnd;
        nextLine = this.nodeNextLine;
      } else {
        out[key] = this.inline(v, lineEnd, depth + 1);
        end = this.nodeEnd;
        nextLine = this.nextContent(current + 1);
      }
      if (nextLine >= lineCount || this.isMarker(nextLine) || indents[nextLine] < indent) {
        if (depth <= this.rangeDepth) this.ranges.set(out, [offset, end]);
        this.nodeEnd = end;
        this.nodeNextLine = nextLine;
        return out;
      }
      if (indents[nextLine] > indent) throw GIVE_UP; // a continuation line or an indentation error
      current = nextLine;
      at = starts[current] + indent;
    }
  }

  /** A block sequence with its `-` at column `indent`, starting on `line`. */
  private seq(line: number, indent: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const { text, starts, ends, indents, items, lineCount } = this;
    // Items gather on a stack shared by nested sequences and are copied out at the end: an array grown by push
    // keeps room for 17 or more items (about 150 bytes for the usual one or two), and the values live as long as
    // the file does.
    const base = items.length;
    const start = starts[line] + indent;
    let current = line;
    let end = start;
    for (;;) {
      const lineEnd = ends[current];
      const dash = starts[current] + indent;
      let c = dash + 1;
      while (c < lineEnd && text.charCodeAt(c) === SPACE) c++;
      if (c === lineEnd || c === dash + 1) throw GIVE_UP; // `-` alone, or `-x`
      const first = text.charCodeAt(c);
      if (first === DASH && (c + 1 === lineEnd || text.charCodeAt(c + 1) === SPACE)) throw GIVE_UP; // `- - x`
      let nextLine: number;
      if (isCompactMapping(text, c, lineEnd)) {
        items.push(this.map(current, c - starts[current], c, depth + 1));
        end = this.nodeEnd;
        nextLine = this.nodeNextLine;
      } else {
        items.push(this.inline(c, lineEnd, depth + 1));
        end = this.nodeEnd;
        nextLine = this.nextContent(current + 1);
      }
      const atItem = nextLine < lineCount && !this.isMarker(nextLine) && indents[nextLine] === indent && text.charCodeAt(starts[nextLine] + indent) === DASH;
      if (!atItem) {
        if (nextLine < lineCount && !this.isMarker(nextLine) && indents[nextLine] > indent) throw GIVE_UP;
        const out = items.slice(base);
        items.length = base;
        if (depth <= this.rangeDepth) this.ranges.set(out, [start, end]);
        this.nodeEnd = end;
        this.nodeNextLine = nextLine;
        return out;
      }
      current = nextLine;
    }
  }

  /** A value on the rest of a line: plain or quoted scalar, `[]`/`{}` or a one-line flow sequence of scalars. */
  private inline(from: number, lineEnd: number, depth: number): unknown {
    const { text } = this;
    const lineNodeEnd = lineEnd < text.length ? lineEnd + 1 : lineEnd;
    const c = text.charCodeAt(from);
    let valueEnd: number;
    let value: unknown;
    if (c === 34 /* " */ || c === 39 /* ' */) {
      value = quoted(text, from, lineEnd);
      valueEnd = quotedEnd;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      const flow = new FlowReader(text, lineEnd);
      value = flow.collection(from);
      valueEnd = flow.at;
      if (depth <= this.rangeDepth) this.ranges.set(value as object, [from, valueEnd]);
    } else {
      if (isIndicator(c) || (c === DASH && (from + 1 === lineEnd || text.charCodeAt(from + 1) === SPACE))) throw GIVE_UP;
      // A plain scalar: up to a comment (` #`) or the end of the line, without trailing spaces.
      let stop = lineEnd;
      for (let i = from + 1; i < lineEnd; i++) {
        const ch = text.charCodeAt(i);
        if (ch === HASH && text.charCodeAt(i - 1) === SPACE) {
          stop = i;
          break;
        }
        if (ch === COLON && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE)) throw GIVE_UP;
      }
      while (text.charCodeAt(stop - 1) === SPACE) stop--;
      this.nodeEnd = lineNodeEnd;
      return resolvePlain(text.slice(from, stop));
    }
    // After a quoted or flow value: only spaces and a comment.
    let i = valueEnd;
    while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
    if (i < lineEnd && !(text.charCodeAt(i) === HASH && i > valueEnd)) throw GIVE_UP;
    this.nodeEnd = lineNodeEnd;
    return value;
  }
}

/** Characters that start something other than a plain scalar (YAML 1.2 c-indicator, less `-`, handled apart). */
function isIndicator(c: number): boolean {
  switch (c) {
    case 63: // ?
    case 58: // :
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 35: // #
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case 39: // '
    case 34: // "
    case 37: // %
    case 64: // @
    case 96: // `
      return true;
    default:
      return false;
  }
}

/** Whether a sequence item's content is a `key: value` mapping rather than a scalar. */
function isCompactMapping(text: string, from: number, lineEnd: number): boolean {
  const c = text.charCodeAt(from);
  if (c === 34 || c === 39 || c === 91 || c === 123) {
    // A quoted or flow scalar item; followed by ':' it would be a mapping key of that kind (not handled).
    return false;
  }
  for (let i = from; i < lineEnd; i++) {
    const ch = text.charCodeAt(i);
    if (ch === HASH && i > from && text.charCodeAt(i - 1) === SPACE) return false;
    if (ch === COLON && (i + 1 === lineEnd || text.charCodeAt(i + 1) === SPACE)) return true;
  }
  return false;
}

/** Where the scalar quoted() read last ends (after its closing quote): a result object per scalar cost more. */
let quotedEnd = 0;

function quoted(text: string, from: number, lineEnd: number): string {
  const q = text.charCodeAt(from);
  if (q === 34) {
    const close = text.indexOf('"', from + 1);
    if (close < 0 || close >= lineEnd) throw GIVE_UP; // multi-line
    const inner = text.slice(from + 1, close);
    if (inner.includes('\\')) throw GIVE_UP; // escapes
    quotedEnd = close + 1;
    return inner;
  }
  let i = from + 1;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close < 0 || close >= lineEnd) throw GIVE_UP;
    if (text.charCodeAt(close + 1) === 39) {
      i = close + 2;
      continue;
    }
    quotedEnd = close + 1;
    return text.slice(from + 1, close).replace(/''/g, "'");
  }
}

/**
 * A flow collection on one line (`[a, "b"]`, `{key: pod, operator: In, values: [b]}`), nested ones included: plain
 * scalars without `#` or quotes, quoted scalars without escapes, plain keys. Anything else gives up.
 */
class FlowReader {
  at = 0;

  constructor(private readonly text: string, private readonly end: number) {}

  collection(from: number, depth = 0): unknown[] | Record<string, unknown> {
    if (depth > 20) throw GIVE_UP;
    const { text } = this;
    const isSeq = text.charCodeAt(from) === 91;
    const close = isSeq ? 93 : 125;
    const seq: unknown[] = [];
    const map: Record<string, unknown> = {};
    this.at = from + 1;
    this.skipSpaces();
    if (text.charCodeAt(this.at) === close) {
      this.at++;
      return isSeq ? seq : map;
    }
    for (;;) {
      if (isSeq) seq.push(this.node(depth));
      else {
        const keyStart = this.at;
        const k = text.charCodeAt(keyStart);
        if (isIndicator(k) || k === DASH) throw GIVE_UP;
        const key = this.plain();
        if (text.charCodeAt(this.at) !== COLON || text.charCodeAt(this.at + 1) !== SPACE) throw GIVE_UP; // `{a}`, `{a:b}`
        const name = keyString(key);
        if (Object.prototype.hasOwnProperty.call(map, name) || name === '__proto__' || name === '<<') throw GIVE_UP;
        this.at += 2;
        this.skipSpaces();
        map[name] = this.node(depth);
      }
      this.skipSpaces();
      const c = text.charCodeAt(this.at);
      if (c === close) {
        this.at++;
        return isSeq ? seq : map;
      }
      if (c !== 44 /* , */) throw GIVE_UP;
      this.at++;
      this.skipSpaces();
      if (text.charCodeAt(this.at) === close) throw GIVE_UP; // a trailing comma
    }
  }

  private node(depth: number): unknown {
    const { text } = this;
    const c = text.charCodeAt(this.at);
    if (c === 91 || c === 123) return this.collection(this.at, depth + 1);
    if (c === 34 || c === 39) {
      const value = quoted(text, this.at, this.end);
      this.at = quotedEnd;
      return value;
    }
    if (isIndicator(c) || (c === DASH && text.charCodeAt(this.at + 1) === SPACE)) throw GIVE_UP;
    return resolvePlain(this.plain());
  }

  /** A plain scalar up to `,`, `]`, `}` or `: `, without trailing spaces. */
  private plain(): string {
    const { text } = this;
    const start = this.at;
    let i = start;
    for (; i < this.end; i++) {
      const c = text.charCodeAt(i);
      if (c === 44 || c === 93 || c === 125) break;
      if (c === COLON) {
        // `: ` ends a key; before `,`, `]`, `}` or the line end it makes an implicit key (not handled); otherwise
        // it belongs to the scalar (`10001:10001`, `http://x:80`).
        const next = text.charCodeAt(i + 1);
        if (next === SPACE) break;
        if (i + 1 >= this.end || next === 44 || next === 93 || next === 125) throw GIVE_UP;
      }
      if (c === HASH || c === 34 || c === 39 || c === 91 || c === 123) throw GIVE_UP;
    }
    let stop = i;
    while (stop > start && text.charCodeAt(stop - 1) === SPACE) stop--;
    if (stop === start || i >= this.end) throw GIVE_UP;
    this.at = i;
    return text.slice(start, stop);
  }

  private skipSpaces(): void {
    while (this.at < this.end && this.text.charCodeAt(this.at) === SPACE) this.at++;
  }
}

/**
 * Keys read before, in a table indexed by a hash of their spelling (length, first, middle and last character):
 * manifests use a few hundred distinct keys. A key found here is compared with the text in place and reused,
 * already internalized, where a new slice would be hashed into V8's string table for the duplicate-key lookup and
 * the property store (a third of the reader's time on the bench workspaces). A colliding key takes the slot over.
 * Only keys that resolve to their own spelling are kept.
 */
const KEY_SLOTS = 8192;
const KEYS: (string | undefined)[] = new Array(KEY_SLOTS).fill(undefined);

function plainKey(text: string, from: number, to: number): string {
  const length = to - from;
  const slot = (length * 1031 + text.charCodeAt(from) * 131 + text.charCodeAt(from + (length >> 1)) * 17 + text.charCodeAt(to - 1)) & (KEY_SLOTS - 1);
  const known = KEYS[slot];
  if (known !== undefined && known.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (known.charCodeAt(i) !== text.charCodeAt(from + i)) {
        same = false;
        break;
      }
    }
    if (same) return known;
  }
  const raw = text.slice(from, to);
  const key = keyString(raw);
  if (key === raw) KEYS[slot] = key;
  return key;
}

/** A map key as toJS() writes it: the resolved scalar as a string (null as ''). */
function keyString(raw: string): string {
  const value = resolvePlain(raw);
  return value === null ? '' : typeof value === 'string' ? value : String(value);
}

const MAY_BE_NUMBER = /^[-+0-9a-fA-FoOxX._]+$/;
const INF_OR_NAN = /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;
const RESOLVED = new Map<string, unknown>();
/** Set when the current read resolved a plain scalar to a number JSON cannot carry (reset per read). */
let nonJsonNumberRead = false;
const MAX_RESOLVED = 20_000;

/**
 * A plain scalar's value under the YAML 1.2 core schema with kubectl's numbers (kubectl-numbers.ts), exactly as the
 * yaml package resolves it in parse.ts.
 */
function resolvePlain(raw: string): unknown {
  const c = raw.charCodeAt(0);
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  if (letter) {
    // Only null and booleans among the core schema's tags start with a letter.
    switch (raw) {
      case 'null':
      case 'Null':
      case 'NULL':
        return null;
      case 'true':
      case 'True':
      case 'TRUE':
        return true;
      case 'false':
      case 'False':
      case 'FALSE':
        return false;
      default:
        return raw;
    }
  }
  if (raw === '~') return null;
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return raw; // not digit, +, -, .
  if (raw.length < 16 && /^[1-9][0-9]*$/.test(raw)) return Number(raw);
  // Every core-schema number is spelled with these characters (or is .inf/.nan): anything else is a string, without
  // asking the yaml package (CIDRs, quantities like 512Mi, versions like 1.2.3-rc are most such values).
  if (!MAY_BE_NUMBER.test(raw) && !INF_OR_NAN.test(raw)) return raw;
  // Numbers in other notations (octal, hex, floats, .inf): the yaml package itself decides, once per spelling.
  let value = RESOLVED.get(raw);
  if (value === undefined && !RESOLVED.has(raw)) {
    // As a mapping's value: alone, `---` and `...` would be document markers, not the plain scalars they are here.
    const doc = parseDocument(`v: ${raw}`, KUBECTL_SCHEMA_OPTIONS);
    if (doc.errors.length > 0 || doc.warnings.length > 0) throw GIVE_UP;
    const map: unknown = doc.toJS();
    if (map === null || typeof map !== 'object' || !Object.hasOwn(map, 'v') || Object.keys(map).length !== 1) throw GIVE_UP;
    value = (map as { v: unknown }).v;
    if (value !== null && typeof value === 'object') throw GIVE_UP;
    if (RESOLVED.size >= MAX_RESOLVED) RESOLVED.clear();
    RESOLVED.set(raw, value);
  }
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) nonJsonNumberRead = true;
  return value;
}
