// Reads the text of one file into YAML documents and the Kubernetes objects they hold, with source positions.
import { Composer, isMap, isNode, isPair, isSeq, isScalar, Lexer, LineCounter, Parser, visit, YAMLParseError, type Document, type Node as YamlNode } from 'yaml';
import { readSimpleYaml, type FastResult } from './fast-yaml';
import { KUBECTL_SCHEMA_OPTIONS } from './kubectl-numbers';
import type { InputFinding, OffsetRange } from './types';

/** Alias expansion limit: protects against "billion laughs" documents. */
const MAX_ALIAS_COUNT = 1000;

export interface K8sObject {
  uri: string;
  kind: string;
  apiVersion: string;
  name: string;
  /** `metadata.namespace` as written, undefined when absent. */
  namespace: string | undefined;
  /** The object as plain data. */
  value: Record<string, unknown>;
  /** The YAML node of the object (a map), for positions of its fields. */
  node: YamlNode | undefined;
  /** Range of the whole object. */
  range: OffsetRange;
  /** Index of the YAML document within the file. */
  documentIndex: number;
  /** Indices within the items of the List it came from (and of Lists inside that List), when it came from one. */
  listPath?: readonly number[];
}

export interface ParsedDocument {
  index: number;
  range: OffsetRange;
  /** The `yaml` document, kept for positions and for minimal edits. Absent for JSON files read without YAML. */
  yaml: Document.Parsed | undefined;
  objects: K8sObject[];
  /** True when the document was skipped (parse errors, template syntax). */
  skipped: boolean;
}

export interface ParsedFile {
  uri: string;
  text: string;
  documents: ParsedDocument[];
  findings: InputFinding[];
  lineCounter: LineCounter;
  /** Set on rendered manifests (see rendered.ts): the tool whose output the text is. */
  rendering?: 'helm' | 'kustomize' | 'kustomize-builtin';
}

export function isManifestUri(uri: string): boolean {
  return /\.(ya?ml|json)$/i.test(uri);
}

/** A `kind` key as JSON writes it (YAML's flow style in a .json file may leave the quotes out). */
const JSON_KIND_KEY = /["']?\bkind["']?\s*:/;

/**
 * Whether a .json file may hold a Kubernetes object: it has a `kind` key and is either not plain JSON (broken, JSONC,
 * YAML: read as before, errors reported) or JSON whose root is an object with string `kind` and `apiVersion`.
 */
function mayHoldKubernetesJson(text: string): boolean {
  if (!JSON_KIND_KEY.test(text)) return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return true;
  }
  return isPlainObject(value) && typeof value.kind === 'string' && typeof value.apiVersion === 'string';
}

function isJsonUri(uri: string): boolean {
  return /\.json$/i.test(uri);
}

/**
 * @param fastRead the fast reader's result for this text when it was read elsewhere (a worker thread): null when the
 *   fast reader gave up on it, undefined when it has not been tried.
 */
export function parseFile(uri: string, text: string, fastRead?: FastResult | null, options: ParseOptions = {}): ParsedFile {
  text = withLoneCrAsLf(text);
  // A JSON file that holds no Kubernetes object (package.json, tsconfig.json with its comments, a lock file of
  // megabytes) is not read as YAML: that was slow, and reported JSONC syntax as errors.
  if (isJsonUri(uri) && !mayHoldKubernetesJson(text)) return fromFastRead(uri, text, { documents: [], jsonSafe: true });
  // Most manifests are plain block YAML: read those fast, and build the yaml package's documents (for positions and
  // edits) only when someone asks for them. Everything else takes the full parser.
  const fast = fastRead === undefined ? readSimpleYaml(text) : (fastRead ?? undefined);
  return fast && !fast.documents.some((d) => holdsNestedList(d.value)) ? fromFastRead(uri, text, fast) : parseFileWithYamlPackage(uri, text, options);
}

export interface ParseOptions {
  /** The file sits in a Helm chart's `templates/` folder (beside a `Chart.yaml`): any `{{ }}` makes it a template. */
  chartTemplate?: boolean;
}

/** The yaml package's documents of a text (document by document when the parser itself overflows). */
function parseYamlDocuments(uri: string, text: string, lineCounter: LineCounter, findings: InputFinding[]): Document.Parsed[] {
  try {
    return parseAllDocumentsBounded(text, lineCounter);
  } catch {
    // The parser itself recursed too deep (thousands of nesting levels): read document by document instead, so only
    // the offending document is lost.
    return parseDocumentsOneByOne(uri, text, lineCounter, findings);
  }
}

/**
 * A file the fast reader understood: values and ranges now; the yaml documents and nodes on first access (one full
 * parse of the file, shared by all its documents and objects), like the line counter. Equal to
 * parseWithYamlPackage's result.
 */
function fromFastRead(uri: string, text: string, fast: FastResult): ParsedFile {
  const source = new LazyYaml(uri, text);
  const findings: InputFinding[] = [];
  const documents = fast.documents.map((doc, index): ParsedDocument => {
    const objects: K8sObject[] = [];
    collectObjects(uri, doc.value, { source, range: doc.rootRange, ranges: doc.ranges }, index, objects, findings);
    // A copy of exactly the objects' size (an array grown by push keeps room for 17): kept as long as the file.
    return new FastReadDocument(source, index, doc.range, objects.slice());
  });
  return new FastReadFile(source, documents, findings);
}

/**
 * The yaml package's reading of a fast-read file, made on first use. The classes below reach it through their
 * prototypes' getters: per-object closures or getters defined on each object cost hundreds of bytes per object
 * (V8 keeps such objects as dictionaries), tens of MB on a large workspace.
 */
class LazyYaml {
  private documents: Document.Parsed[] | undefined;
  private lines: LineCounter | undefined;

  constructor(
    readonly uri: string,
    readonly text: string,
  ) {}

  document(index: number): Document.Parsed | undefined {
    return (this.documents ??= parseYamlDocuments(this.uri, this.text, new LineCounter(), []))[index];
  }

  /** Line starts as the yaml package's LineCounter records them: 0 and the offset after every newline. */
  get lineCounter(): LineCounter {
    if (!this.lines) {
      const text = this.text;
      const lines = new LineCounter();
      lines.addNewLine(0);
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
      this.lines = lines;
    }
    return this.lines;
  }
}

class FastReadFile implements ParsedFile {
  readonly #source: LazyYaml;

  constructor(
    source: LazyYaml,
    public documents: ParsedDocument[],
    public findings: InputFinding[],
  ) {
    this.#source = source;
  }

  get uri(): string {
    return this.#source.uri;
  }

  get text(): string {
    return this.#source.text;
  }

  /** Built on first use: few files are ever asked for a line number. */
  get lineCounter(): LineCounter {
    return this.#source.lineCounter;
  }
}

class FastReadDocument implements ParsedDocument {
  readonly #source: LazyYaml;
  skipped = false;

  constructor(
    source: LazyYaml,
    public index: number,
    public range: OffsetRange,
    public objects: K8sObject[],
  ) {
    this.#source = source;
  }

  get yaml(): Document.Parsed | undefined {
    return this.#source.document(this.index);
  }
}

/**
 * A Kubernetes object of a file. Its `node` is at hand (full parse) or comes from the file's yaml documents, built
 * on first access (fast read).
 */
class FileObject implements K8sObject {
  listPath?: readonly number[];
  readonly #node: YamlNode | undefined;
  readonly #source: LazyYaml | undefined;

  constructor(
    public uri: string,
    public kind: string,
    public apiVersion: string,
    public name: string,
    public namespace: string | undefined,
    public value: Record<string, unknown>,
    node: YamlNode | LazyYaml | undefined,
    public range: OffsetRange,
    public documentIndex: number,
    listPath: readonly number[] | undefined,
  ) {
    if (node instanceof LazyYaml) this.#source = node;
    else this.#node = node;
    if (listPath !== undefined) this.listPath = listPath;
  }

  get node(): YamlNode | undefined {
    if (!this.#source) return this.#node;
    const root = this.#source.document(this.documentIndex)?.contents ?? undefined;
    return this.listPath === undefined ? root : listItemNode(root, this.listPath);
  }

  /** The file's text when the fast reader read it (plain block YAML of its subset). */
  get fastReadText(): string | undefined {
    return this.#source?.text;
  }
}

/** The file text of an object the fast reader read (fast-positions.ts finds ranges in it without building yaml nodes). */
export function fastReadText(object: K8sObject): string | undefined {
  return object instanceof FileObject ? object.fastReadText : undefined;
}

/**
 * The text with every lone CR (old Mac line ends) made an LF. YAML 1.2 (5.4, b-break) and kubectl take a lone CR
 * for a line break; the yaml package does not, and read such a file as one line. One character for another, so
 * every offset stays the same; the engine reads (and ParsedFile.text holds) the text with LF breaks.
 */
export function withLoneCrAsLf(text: string): string {
  const cr = text.indexOf('\r');
  if (cr < 0 || !/\r(?!\n)/.test(text.slice(cr))) return text;
  return text.replace(/\r(?!\n)/g, '\n');
}

/** parseFile without the fast reader: every document through the yaml package (the reference the fast path equals). */
export function parseFileWithYamlPackage(uri: string, text: string, options: ParseOptions = {}): ParsedFile {
  text = withLoneCrAsLf(text);
  const lineCounter = new LineCounter();
  const findings: InputFinding[] = [];
  const documents: ParsedDocument[] = [];
  let yamlDocs = parseYamlDocuments(uri, text, lineCounter, findings);
  if (yamlDocs.some((doc) => doc.errors.length > 0)) yamlDocs = readLeniently(text, yamlDocs);
  yamlDocs.forEach((doc, index) => {
    const range: OffsetRange = [doc.range[0], doc.range[2]];
    const parsed: ParsedDocument = { index, range, yaml: doc, objects: [], skipped: false };
    documents.push(parsed);
    const source = text.slice(range[0], range[1]);
    const template = templateReading(doc, source, range[0], options.chartTemplate === true);
    if (template) {
      parsed.skipped = true;
      // Template syntax in YAML that is no Kubernetes object (a CI workflow's `${{ }}`) gets nothing.
      if (!template.kubernetes) return;
      findings.push({
        code: 'template-skipped',
        severity: 'information',
        message: 'This document contains template syntax ({{ }}) and is not analysed; render it first (for example `helm template`).',
        location: { uri, range: template.marker },
      });
      return;
    }
    if (doc.errors.length > 0) {
      parsed.skipped = true;
      // The first error of a document: the ones after it are mostly its consequences.
      const error = doc.errors[0];
      const at = Math.min(error.pos[0], text.length);
      findings.push({
        code: 'parse-error',
        severity: 'error',
        message: `YAML syntax error at line ${lineCounter.linePos(at).line}: ${describeYamlError(error.message)}; the document is not analysed.`,
        // Errors at the end of the text (an unclosed bracket) point one past it: clamp to the text.
        location: { uri, range: [at, Math.min(Math.max(error.pos[1], error.pos[0] + 1), text.length)] },
      });
      return;
    }
    const root = doc.contents;
    if (!root || !isMap(root)) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      parsed.skipped = true;
      findings.push({
        code: 'parse-error',
        severity: 'error',
        message: `This document could not be read: ${(error as Error).message}`,
        location: { uri, range },
      });
      return;
    }
    collectObjects(uri, value, { node: root, range: rangeOfNode(root, [0, 0]) }, index, parsed.objects, findings);
  });
  return { uri, text, documents, findings, lineCounter };
}

/**
 * Where the yaml package refuses what kubectl's YAML reader (go-yaml) accepts, the documents of a text read like
 * kubectl reads them. go-yaml accepts a multi-line quoted scalar whose continuation lines sit at or left of its key's
 * indentation (a JSON annotation closed by `]'` under the key); such line breaks become spaces, which keeps every
 * offset (the scalar's value differs from go-yaml's only in the width of that whitespace). Kept when it reads
 * with fewer errors.
 */
function readLeniently(text: string, strict: Document.Parsed[]): Document.Parsed[] {
  const repaired = joinUnderIndentedQuotedLines(text);
  if (repaired === undefined) return strict;
  const errorsOf = (docs: Document.Parsed[]) => docs.reduce((n, doc) => n + doc.errors.length, 0);
  let lenient: Document.Parsed[];
  try {
    // The same length as the text: the line counter of the strict reading serves both.
    lenient = parseAllDocumentsBounded(repaired);
  } catch {
    return strict;
  }
  return errorsOf(lenient) < errorsOf(strict) ? lenient : strict;
}

/** The opening quote of a quoted scalar value on a line (after `key: ` or `- `), with the line's indentation. */
const QUOTED_VALUE_START = /^( *)(?:- +)*(?:(?:[^\s'"#][^#]*?|'[^'\n]*'|"[^"\n]*"):[ \t]+|- +)(['"])/;

/**
 * The text with every line break inside a multi-line quoted scalar that is followed by a line indented no deeper
 * than the scalar's key replaced by a space (`\r\n` by two); undefined when there is none.
 */
export function joinUnderIndentedQuotedLines(text: string): string | undefined {
  let out: string[] | undefined;
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const match = QUOTED_VALUE_START.exec(text.slice(lineStart, lineEnd));
    if (!match) {
      lineStart = lineEnd + 1;
      continue;
    }
    const indent = match[1].length;
    const quote = match[2];
    let i = lineStart + match[0].length;
    let closed = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quote === '"' && c === '\\') {
        i++;
        continue;
      }
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") {
          i++;
          continue;
        }
        closed = true;
        break;
      }
      if (c === '\n') {
        let next = i + 1;
        while (text[next] === ' ') next++;
        const blank = text[next] === '\n' || text[next] === '\r' || next >= text.length;
        if (!blank && next - (i + 1) <= indent) {
          out ??= text.split('');
          out[i] = ' ';
          if (text[i - 1] === '\r') out[i - 1] = ' ';
        }
      }
    }
    if (!closed) break;
    const after = text.indexOf('\n', i);
    lineStart = after < 0 ? text.length : after + 1;
  }
  return out?.join('');
}

/** A `kind:` key at the start of a line (the sign of a Kubernetes object, even when the document is a template). */
const KIND_KEY = /^\s*kind\s*:/m;

/**
 * Whether a document is a template, and where its first `{{ }}` is. A chart's template is one whenever it holds
 * `{{`; elsewhere a document is one only where `{{ }}` breaks the YAML structure: the document does not parse, or a
 * `{{` sits outside every string value (a key, a flow map made of the braces), or where it stands in a value the
 * analysis reads (a policy's spec, a name, labels, selectors, ports: a placeholder such as cilium-cli's
 * `cidr: "{{.ExternalCIDRv4}}"`, not a value the cluster would get). `{{ }}` inside the other string values of a
 * valid document (alert rules, dashboards, configuration files, shell commands) is data.
 */
function templateReading(doc: Document.Parsed, source: string, start: number, chartTemplate: boolean): { marker: OffsetRange; kubernetes: boolean } | undefined {
  const markers = templateMarkers(source);
  if (markers.length === 0) return undefined;
  const [first] = markers;
  const marker: OffsetRange = [start + first[0], start + first[1]];
  const kubernetes = KIND_KEY.test(source);
  if (chartTemplate || doc.errors.length > 0) return { marker, kubernetes };
  const strings: { range: OffsetRange; read: boolean }[] = [];
  const kind = isMap(doc.contents) ? doc.contents.get('kind') : undefined;
  visit(doc, {
    Scalar(key, node, path) {
      if ((key === 'value' || typeof key === 'number') && typeof node.value === 'string' && node.range) {
        // Whether the analysis reads the value: only asked of strings that hold a marker (the path costs a walk).
        const holdsMarker = node.value.includes('{{') || node.value.includes('{%');
        strings.push({ range: [node.range[0], node.range[1]], read: holdsMarker && readByAnalysis(typeof kind === 'string' ? kind : '', keysOf(path)) });
      }
    },
  });
  strings.sort((a, b) => a.range[0] - b.range[0]);
  let s = 0;
  for (const [open, close] of markers) {
    const at = start + open;
    while (s < strings.length && strings[s].range[1] <= at) s++;
    if (s >= strings.length || strings[s].range[0] > at || strings[s].read) return { marker: [at, start + close], kubernetes };
  }
  return undefined;
}

/** The map keys on the way to a node (sequence items add nothing). */
function keysOf(path: readonly unknown[]): string[] {
  const keys: string[] = [];
  for (const step of path) {
    if (isPair(step)) keys.push(isScalar(step.key) ? String(step.key.value) : String(step.key));
  }
  return keys;
}

// Kinds whose whole spec decides verdicts (NetworkPolicy and the policy kinds of Cilium, Calico and the
// AdminNetworkPolicy API); the other kinds the model reads (workloads, Services, Namespaces: model.ts's lists),
// where the keys below decide verdicts. Any other kind (a Kyverno policy, an ApplicationSet) keeps its `{{ }}` as data.
const READ_KINDS = new Set(['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'Service', 'Namespace']);
const POLICY_KINDS = new Set([
  'NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy',
  'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'NetworkSet', 'GlobalNetworkSet', 'AdminNetworkPolicy',
  'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy',
]);
const READ_KEYS = new Set(['selector', 'podSelector', 'namespaceSelector', 'matchLabels', 'matchExpressions', 'ports', 'hostNetwork']);

/** Whether the analysis reads a string value at these keys: a template placeholder there is no value to analyse. */
function readByAnalysis(kind: string, keys: string[]): boolean {
  const policy = POLICY_KINDS.has(kind);
  if (!policy && !READ_KINDS.has(kind)) return false;
  if (keys[0] === 'metadata') return keys[1] === 'name' || keys[1] === 'namespace' || keys[1] === 'labels';
  if (policy && keys[0] === 'spec') return true;
  return keys.some((k, i) => READ_KEYS.has(k) || (k === 'labels' && keys[i - 1] === 'metadata'));
}

/**
 * Each `{{ }}` (Go templates) and `{% %}` (Jinja) of a text outside comment lines (the opening before any `#` of its
 * line), as offsets into the text, in text order. Linear in the text: each line's `#` is looked up once, and a
 * closing `}}` found serves every opening before it (text full of `{{` and one `}}` must not take quadratic time).
 */
function templateMarkers(source: string): OffsetRange[] {
  const out: OffsetRange[] = [];
  for (const [open, close] of [['{{', '}}'], ['{%', '%}']]) {
    let from = source.indexOf(open);
    let end = -1;
    let lineEnd = -1;
    let hash = -1;
    while (from >= 0) {
      if (end < from + 2) {
        end = source.indexOf(close, from + 2);
        if (end < 0) break;
      }
      if (from > lineEnd) {
        const lineStart = source.lastIndexOf('\n', from) + 1;
        lineEnd = source.indexOf('\n', from);
        if (lineEnd < 0) lineEnd = source.length;
        const at = source.slice(lineStart, lineEnd).indexOf('#');
        hash = at < 0 ? -1 : lineStart + at;
      }
      if (hash < 0 || hash > from) out.push([from, end + 2]);
      from = source.indexOf(open, from + 2);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * The deepest nesting handed to the yaml package. Its parser and composer recurse once per level: about a thousand
 * levels overflow the stack, and near that point V8 may abort the whole process ("RegExpCompiler Allocation failed -
 * process out of memory") instead of throwing. Real manifests nest a few dozen levels.
 */
export const MAX_NESTING = 400;

class NestedTooDeeply extends Error {
  constructor(readonly offset: number) {
    super(`nested more than ${MAX_NESTING} levels deep`);
  }
}

/**
 * parseAllDocuments (uniqueKeys, no pretty errors), fed token by token: the lexer does not recurse, so the nesting
 * is measured before the parser descends into it, and a document nested deeper than MAX_NESTING throws
 * NestedTooDeeply instead of being parsed.
 */
export function parseAllDocumentsBounded(text: string, lineCounter?: LineCounter): Document.Parsed[] {
  const parser = new Parser(lineCounter?.addNewLine);
  // logLevel 'error': the package's warnings (collection keys stringified) would go to stderr, the editor's log.
  // Duplicate keys are found below, with a set per map: the package's own check compares each key with every
  // earlier one, which on a map of 50,000 keys (a hostile file the fast reader gives up on) takes minutes.
  const composer = new Composer({ uniqueKeys: false, prettyErrors: false, logLevel: 'error', ...KUBECTL_SCHEMA_OPTIONS });
  function* tokens() {
    lineCounter?.addNewLine(0);
    let flow = 0;
    // Block nesting of a line is at most its indentation plus its `-`/`?` indicators (`- - - x` nests three times).
    let lineDepth = 0;
    let atLineStart = true;
    for (const lexeme of new Lexer().lex(text)) {
      if (lexeme === '{' || lexeme === '[') flow++;
      else if (lexeme === '}' || lexeme === ']') flow = Math.max(0, flow - 1);
      else if (lexeme === '\n' || lexeme === '\r\n') {
        atLineStart = true;
        lineDepth = 0;
      } else if (atLineStart) {
        if (lexeme === '-' || lexeme === '?') lineDepth++;
        else if (/^ +$/.test(lexeme)) lineDepth += lexeme.length;
        else atLineStart = false;
      }
      if (flow + lineDepth > MAX_NESTING) throw new NestedTooDeeply((parser as unknown as { offset: number }).offset);
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  const docs = Array.from(composer.compose(tokens())) as Document.Parsed[];
  for (const doc of docs) reportDuplicateKeys(doc);
  return docs;
}

/**
 * The package's `uniqueKeys` check in linear time: a scalar key equal (===) to an earlier key of the same map is an
 * error at that key, with the package's code, message and position (the key's start).
 */
function reportDuplicateKeys(doc: Document.Parsed): void {
  const found: YAMLParseError[] = [];
  visit(doc, {
    Map(_, map) {
      if (map.items.length < 2) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key)) continue;
        const value = key.value;
        // NaN !== NaN: the package never calls two NaN keys equal.
        if (typeof value === 'number' && Number.isNaN(value)) continue;
        if (!seen.has(value)) seen.add(value);
        else if (key.range) found.push(new YAMLParseError([key.range[0], key.range[0] + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
      }
    },
  });
  if (found.length === 0) return;
  // In document order among the other errors, as the package reports them while composing.
  doc.errors.push(...found);
  doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
}

function parseDocumentsOneByOne(uri: string, text: string, lineCounter: LineCounter, findings: InputFinding[]): Document.Parsed[] {
  lineCounter.lineStarts.length = 0;
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  const starts = [0];
  for (const m of text.matchAll(/^---(?=[ \t\r\n]|$)/gm)) if (m.index > 0) starts.push(m.index);
  const docs: Document.Parsed[] = [];
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1] : text.length;
    try {
      for (const doc of parseAllDocumentsBounded(text.slice(start, end))) {
        shiftDocument(doc, start);
        docs.push(doc);
      }
    } catch (error) {
      const at = error instanceof NestedTooDeeply ? Math.min(start + error.offset, end) : start;
      findings.push({
        code: 'parse-error',
        severity: 'error',
        message: `Could not read this document as YAML: ${describeYamlError((error as Error).message)}`,
        location: { uri, range: [at, Math.min(at + 3, end)] },
      });
    }
  });
  return docs;
}

/** The first line of a parser message; a stack overflow means the nesting is too deep, which the user can act on. */
function describeYamlError(message: string): string {
  if (message.includes('Maximum call stack size exceeded')) return 'the document is nested too deeply to be read';
  if (message.startsWith('nested more than')) return `the document is ${message} and is not read`;
  // The yaml package quotes the offending token, which may be the rest of the file: keep the message short.
  const line = message.split('\n')[0];
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** Moves the positions of a document parsed from a slice of the text to positions in the whole text. */
function shiftDocument(doc: Document.Parsed, offset: number): void {
  if (offset === 0) return;
  const shift = (range: number[] | null | undefined) => {
    if (range) for (let i = 0; i < range.length; i++) range[i] += offset;
  };
  shift(doc.range);
  for (const e of [...doc.errors, ...doc.warnings]) shift(e.pos);
  visit(doc, (_key, node) => {
    if (isNode(node)) shift(node.range);
  });
}

function rangeOfNode(node: YamlNode | undefined | null, fallback: OffsetRange): OffsetRange {
  const r = node?.range;
  return r ? [r[0], r[1]] : fallback;
}

/** Where a document's root node comes from: at hand (full parse) or on demand (fast read, with its ranges). */
type RootSource =
  | { node: YamlNode | undefined; range: OffsetRange; source?: undefined; ranges?: undefined }
  | {
      source: LazyYaml;
      /** `[range[0], range[1]]` of the root node. */
      range: OffsetRange;
      /** Ranges of collections below the root by value (the full parse reads them from the nodes). */
      ranges: ReadonlyMap<object, OffsetRange>;
      node?: undefined;
    };

/** The node of a List's item, through the items of nested Lists (`path`: an index per level). */
function listItemNode(root: YamlNode | undefined, path: readonly number[]): YamlNode | undefined {
  let node = root;
  for (const i of path) {
    const itemsNode = isMap(node) ? node.get('items', true) : undefined;
    node = isSeq(itemsNode) ? (itemsNode.items[i] as YamlNode | undefined) : undefined;
  }
  return node;
}

/**
 * Kinds whose `<Kind>List` kubectl reads as a list of them: the built-in kinds of manifests. `List` itself and
 * these are lists when they hold an `items` list; anything else ending in `List` (a custom resource such as
 * `IPAllowList`) is an object of its own.
 */
const LIST_ITEM_KINDS = new Set([
  'Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'Service',
  'Namespace', 'NetworkPolicy', 'ConfigMap', 'Secret', 'ServiceAccount', 'Endpoints', 'EndpointSlice', 'Ingress',
  'IngressClass', 'PersistentVolume', 'PersistentVolumeClaim', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding',
  'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'LimitRange', 'ResourceQuota', 'PriorityClass', 'StorageClass',
  'CustomResourceDefinition', 'Node', 'Event', 'PodTemplate', 'ControllerRevision', 'Lease',
]);

/** Whether a value is a List kubectl flattens: kind `List` or `<built-in kind>List`, with an `items` list. */
function isListObject(value: Record<string, unknown>): boolean {
  const kind = value.kind;
  if (typeof kind !== 'string' || !Array.isArray(value.items)) return false;
  return kind === 'List' || (kind.endsWith('List') && LIST_ITEM_KINDS.has(kind.slice(0, -4)));
}

/** Whether a List holds a List among its items (read through the yaml package: the fast reader keeps no ranges that deep). */
function holdsNestedList(value: Record<string, unknown>): boolean {
  return isListObject(value) && (value.items as unknown[]).some((item) => isPlainObject(item) && typeof item.kind === 'string' && isListObject(item));
}

/** Nested Lists deeper than this are not flattened further (kubectl flattens any depth; manifests nest one or two). */
const MAX_LIST_DEPTH = 8;

function collectObjects(
  uri: string,
  value: unknown,
  root: RootSource,
  documentIndex: number,
  out: K8sObject[],
  findings: InputFinding[],
  listPath: readonly number[] = [],
): void {
  if (!isPlainObject(value)) return;
  const kind = value.kind;
  const apiVersion = value.apiVersion;
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') return; // not a Kubernetes object
  const range = root.range;
  if (isListObject(value) && listPath.length < MAX_LIST_DEPTH) {
    // kubectl's FlattenListVisitor: the items of a List, and of Lists among them, are applied one by one.
    (value.items as unknown[]).forEach((item, i) => {
      if (!isPlainObject(item)) return;
      // Items of typed lists (PodList) may omit kind/apiVersion.
      const itemKind = typeof item.kind === 'string' ? item.kind : kind !== 'List' ? kind.slice(0, -4) : undefined;
      if (!itemKind) return;
      const withKind = { ...item, kind: itemKind, apiVersion: typeof item.apiVersion === 'string' ? item.apiVersion : apiVersion };
      const path = [...listPath, i];
      const itemNode = root.source ? undefined : listItemNode(root.node, [i]);
      const itemRange = root.source ? (root.ranges.get(item) ?? range) : rangeOfNode(itemNode, range);
      if (isListObject(withKind)) {
        const inner: RootSource = root.source ? { ...root, range: itemRange } : { node: itemNode, range: itemRange };
        collectObjects(uri, withKind, inner, documentIndex, out, findings, path);
        return;
      }
      const obj = makeObject(uri, withKind, root.source ?? itemNode, documentIndex, path, itemRange, findings);
      if (obj) out.push(obj);
    });
    return;
  }
  const obj = makeObject(uri, value, root.source ?? root.node, documentIndex, listPath.length ? listPath : undefined, range, findings);
  if (obj) out.push(obj);
}

function makeObject(
  uri: string,
  value: Record<string, unknown>,
  /** The node at hand, or the file's yaml reading to find it in on first access. */
  node: YamlNode | LazyYaml | undefined,
  documentIndex: number,
  listPath: readonly number[] | undefined,
  range: OffsetRange,
  findings: InputFinding[],
): K8sObject | undefined {
  const metadata = value.metadata;
  if (metadata !== undefined && metadata !== null && !isPlainObject(metadata)) {
    findings.push({
      code: 'invalid-object',
      severity: 'error',
      message: `${value.kind}: metadata must be a map; the object is skipped.`,
      location: { uri, range },
    });
    return undefined;
  }
  const meta = (metadata ?? {}) as Record<string, unknown>;
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '';
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  return new FileObject(uri, value.kind as string, value.apiVersion as string, name, namespace, value, node, range, documentIndex, listPath);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The YAML node at a path of keys and indices below `node`, if present. */
export function nodeAt(node: YamlNode | undefined | null, path: readonly (string | number)[]): YamlNode | undefined {
  let current: unknown = node;
  for (const key of path) {
    if (isMap(current)) current = current.get(key, true);
    else if (isSeq(current) && typeof key === 'number') current = current.items[key];
    else return undefined;
  }
  return (current ?? undefined) as YamlNode | undefined;
}

/** The range of a map key at a path (the key itself), falling back to the value. */
export function keyRangeAt(node: YamlNode | undefined | null, path: readonly (string | number)[]): OffsetRange | undefined {
  if (path.length === 0) return node?.range ? [node.range[0], node.range[1]] : undefined;
  const parent = nodeAt(node, path.slice(0, -1));
  const last = path[path.length - 1];
  if (isMap(parent)) {
    for (const pair of parent.items) {
      const key = pair.key as YamlNode | null;
      if (isScalar(key) && key.value === last && key.range) return [key.range[0], key.range[1]];
    }
  }
  const target = nodeAt(node, path);
  return target?.range ? [target.range[0], target.range[1]] : undefined;
}

/** The range of the value at a path. */
export function rangeAt(node: YamlNode | undefined | null, path: readonly (string | number)[]): OffsetRange | undefined {
  const target = nodeAt(node, path);
  return target?.range ? [target.range[0], target.range[1]] : undefined;
}
