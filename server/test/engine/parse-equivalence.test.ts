// The fast reader (fast-yaml.ts) against the yaml package it stands in for: wherever it accepts a text, the values,
// document ranges, object ranges, collection ranges and line starts equal those of parseAllDocuments, and parseFile
// returns the same ParsedFile (yaml documents and nodes included) as the full parse. Inputs: every YAML file of the
// repository's fixtures and the shared corpus, a generated workspace, and seeded random block YAML with the
// constructs the reader handles, the ones it must refuse, and the scalars whose types the core schema decides.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import { decodeFastResult, encodeFastResult } from '../../src/engine/fast-wire';
import { readSimpleYaml } from '../../src/engine/fast-yaml';
import { KUBECTL_SCHEMA_OPTIONS } from '../../src/engine/kubectl-numbers';
import { parseFile, parseFileWithYamlPackage, type ParsedFile } from '../../src/engine/parse';

const REPO = path.resolve(__dirname, '../../..');

/** Asserts the fast reader's result for `text` equals the yaml package's; returns whether it accepted the text. */
function checkEquivalent(text: string, label: string): boolean {
  const fast = readSimpleYaml(text, { allRanges: true });
  if (!fast) return false;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, ...KUBECTL_SCHEMA_OPTIONS });
  assert.ok(Array.isArray(docs), label);
  assert.equal(fast.documents.length, docs.length, `${label}: number of documents`);
  docs.forEach((doc, i) => {
    const mine = fast.documents[i];
    assert.deepEqual([doc.errors.length, doc.warnings.length], [0, 0], `${label}#${i}: the yaml package found problems in a text the fast reader accepted`);
    assert.deepEqual(mine.range, [doc.range[0], doc.range[2]], `${label}#${i}: document range`);
    assert.ok(isMap(doc.contents), `${label}#${i}: root is a mapping`);
    assert.deepEqual(mine.rootRange, [doc.contents.range![0], doc.contents.range![1]], `${label}#${i}: root range`);
    assert.deepStrictEqual(mine.value, doc.toJS(), `${label}#${i}: values`);
    checkCollectionRanges(doc.contents, mine.value, mine.ranges, `${label}#${i}`);
  });
  // The whole ParsedFile, lazily built yaml documents, line counter and object nodes included.
  const uri = `file:///equivalence/${label.replace(/[^\w.-]/g, '_')}.yaml`;
  const parsed = parseFile(uri, text);
  assert.deepEqual(parsed.lineCounter.lineStarts, lineCounter.lineStarts, `${label}: line starts`);
  assertSameParsedFile(parsed, parseFileWithYamlPackage(uri, text), label);
  // Through the index worker's wire (fast-wire.ts): the same ParsedFile, and no wire when JSON cannot carry a number.
  const wire = encodeFastResult(readSimpleYaml(text)!);
  if (fast.documents.some((d) => holdsNonJsonNumber(d.value))) assert.equal(wire, undefined, `${label}: a wire for values JSON cannot carry`);
  if (wire !== undefined) assertSameParsedFile(parseFile(uri, text, decodeFastResult(wire)), parseFileWithYamlPackage(uri, text), `${label} (wire)`);
  return true;
}

function holdsNonJsonNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value) || Object.is(value, -0);
  if (Array.isArray(value)) return value.some(holdsNonJsonNumber);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsNonJsonNumber);
  return false;
}

/** Equal ParsedFiles: everything deep-equal, except that each LineCounter has its own (equal) closures. */
function assertSameParsedFile(actual: ParsedFile, expected: ParsedFile, label: string): void {
  assert.equal(actual.uri, expected.uri);
  assert.equal(actual.text, expected.text);
  assert.deepStrictEqual(actual.lineCounter.lineStarts, expected.lineCounter.lineStarts, `${label}: LineCounter`);
  assert.deepStrictEqual(actual.findings, expected.findings, `${label}: findings`);
  assert.equal(actual.documents.length, expected.documents.length, `${label}: documents`);
  actual.documents.forEach((doc, i) => {
    const other = expected.documents[i];
    const where = `${label}#${i}`;
    assert.deepStrictEqual([doc.index, doc.range, doc.skipped], [other.index, other.range, other.skipped], where);
    const yamlOf = (d: Document.Parsed | undefined) => d && { range: d.range, contents: d.contents, errors: d.errors, warnings: d.warnings, comment: d.comment, commentBefore: d.commentBefore, directives: d.directives };
    assert.deepStrictEqual(yamlOf(doc.yaml), yamlOf(other.yaml), `${where}: yaml document`);
    assert.deepStrictEqual(doc.objects, other.objects, `${where}: objects`);
    // The nodes are read through a getter (built on first access for fast-read files): compare them apart.
    assert.deepStrictEqual(doc.objects.map((o) => o.node), other.objects.map((o) => o.node), `${where}: object nodes`);
  });
}

/** Collections' ranges: every block one's, and those recorded of flow ones (the outermost: List items may be such). */
function checkCollectionRanges(node: YamlNode | null | undefined, value: unknown, ranges: ReadonlyMap<object, readonly number[]>, label: string): void {
  if (isMap(node)) {
    if (!node.flow || ranges.has(value as object)) assert.deepEqual(ranges.get(value as object), [node.range![0], node.range![1]], `${label}: mapping range`);
    for (const pair of node.items) {
      const raw = (pair.key as { value: unknown }).value;
      const key = raw === null ? '' : String(raw); // as toJS() names keys
      checkCollectionRanges(pair.value as YamlNode, (value as Record<string, unknown>)[key], ranges, `${label}.${key}`);
    }
  } else if (isSeq(node)) {
    if (!node.flow || ranges.has(value as object)) assert.deepEqual(ranges.get(value as object), [node.range![0], node.range![1]], `${label}: sequence range`);
    node.items.forEach((item, i) => checkCollectionRanges(item as YamlNode, (value as unknown[])[i], ranges, `${label}[${i}]`));
  }
}

function yamlFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFilesUnder(full));
    else if (/\.ya?ml$/i.test(e.name)) out.push(full);
  }
  return out.sort();
}

// ---------------------------------------------------------------- random block YAML
const KEYS = ['apiVersion', 'kind', 'metadata', 'name', 'labels', 'app', 'spec', 'ports', 'port', 'a.b/c', 'x-y_z', '80', 'true', 'null', 'on', 'key with space', 'k:v', '"quoted.io/key"', "'single key'", '"a: b"', '"esc\\"'];
// Scalars of both kinds; the ones the reader handles come far more often, so that whole texts take the fast path.
const SCALARS = [
  'web', 'a b', 'a  b', 'v1.2.3', '25%', '-c', '-1', '+1', '0', '007', '8080', '1.5', '1.', '.5', '1e3', '1E-2', '0x1F', '0o17', '0b1', '.inf', '-.Inf', '.nan',
  'true', 'True', 'TRUE', 'tRue', 'false', 'yes', 'no', 'on', 'null', 'Null', '~', 'NULL', 'nil', '12:30', '2024-01-01', 'a:b', 'http://x/y?z=1', 'a#b', 'é', '100m', '1Gi',
  '"quoted"', '"with \'single\'"', "'it''s'", "'#not comment'", '"a: b"', '""', "''", 'x #comment', 'trailing   ', '[]', '[ ]', '{}', '[a, b]', '[ "x", \'y\' ]', '[1, 2.5, true, null]',
  '[a, [b, "c"]]', '{a: 1}', '{key: pod, operator: In, values: [b]}', '{a : 1}', '[ {a: 1}, {} ]', '[sh, "-c", chown -R 1:1 /x]', '[a:1, http://x:80/y]', '{x: a:1}', '[a :1]', '{ app: web, tier: "db" }', "{a: 'x, y'}", ];
const REFUSED_SCALARS = [
  '[a,,b]', '[a, b,]', '{a: b, a: c}', '{"q": 1}', '{a}', '{a:b}', '[a:, b]', '[a:]', '[a #b]', '&anchor x', '*alias', '!tag x', '|', '>', 'a: b', '- item', '@at', '`tick', '? q', ':colon', '"esc\\n"',
];

interface Tree { map?: [string, Tree][]; seq?: Tree[]; scalar?: string }

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree; map: Tree }>((tie) => ({
  node: fc.oneof(
    { weight: 5, arbitrary: fc.oneof({ weight: 25, arbitrary: fc.constantFrom(...SCALARS) }, { weight: 1, arbitrary: fc.constantFrom(...REFUSED_SCALARS) }).map((scalar) => ({ scalar })) },
    { weight: 2, arbitrary: tie('map') },
    { weight: 1, arbitrary: fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((seq) => ({ seq })) },
  ),
  map: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { minLength: 1, maxLength: 4 }).map((map) => ({ map })),
})).map;

interface Style { indent: number; seqIndented: boolean; blankLines: boolean; comments: boolean; trailingSpaces: boolean }

function render(t: Tree, level: number, style: Style, random: () => number): string[] {
  const pad = ' '.repeat(level);
  const lines: string[] = [];
  const extra = () => {
    if (style.blankLines && random() < 0.15) lines.push('');
    if (style.comments && random() < 0.1) lines.push(`${commentPad(level, random)}# note`);
  };
  for (const [key, value] of t.map ?? []) {
    extra();
    if (value.scalar !== undefined) lines.push(`${pad}${key}: ${value.scalar}${style.trailingSpaces && random() < 0.2 ? '  ' : ''}${style.comments && random() < 0.1 ? ' # c' : ''}`);
    else if (value.map) {
      lines.push(`${pad}${key}:${style.comments && random() < 0.2 ? ' # about the block' : ''}`);
      lines.push(...render(value, level + style.indent, style, random));
    } else {
      lines.push(`${pad}${key}:`);
      lines.push(...renderSeq(value.seq!, style.seqIndented ? level + style.indent : level, style, random));
    }
  }
  return lines;
}

/** Mostly at the entries' indentation; sometimes shallower or deeper (where the yaml package extends ranges). */
function commentPad(level: number, random: () => number): string {
  const r = random();
  return ' '.repeat(r < 0.7 ? level : r < 0.85 ? Math.max(0, level - 2) : level + 2);
}

function renderSeq(items: Tree[], level: number, style: Style, random: () => number): string[] {
  const pad = ' '.repeat(level);
  const lines: string[] = [];
  for (const item of items) {
    if (style.comments && random() < 0.1) lines.push(`${commentPad(level, random)}# item`);
    if (item.scalar !== undefined) lines.push(`${pad}- ${item.scalar}`);
    else if (item.map) {
      const inner = render(item, level + 2, style, random);
      const first = inner.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      inner[first] = `${pad}- ${inner[first].slice(level + 2)}`;
      lines.push(...inner);
    } else {
      lines.push(`${pad}-`);
      lines.push(...renderSeq(item.seq!, level + 2, style, random));
    }
  }
  return lines;
}

const documentText = fc.record({
  docs: fc.array(tree, { minLength: 1, maxLength: 3 }),
  indent: fc.constantFrom(2, 4),
  seqIndented: fc.boolean(),
  blankLines: fc.boolean(),
  comments: fc.boolean(),
  trailingSpaces: fc.boolean(),
  leadingMarker: fc.boolean(),
  leadingComment: fc.boolean(),
  finalNewline: fc.boolean(),
  seed: fc.integer(),
}).map((o) => {
  let state = o.seed;
  const random = () => ((state = (Math.imul(state, 1103515245) + 12345) | 0) >>> 0) / 2 ** 32;
  const style: Style = o;
  const parts = o.docs.map((d, i) => {
    const lines = render(d, 0, style, random);
    if (o.leadingComment && random() < 0.5) lines.unshift('# Source: chart/templates/x.yaml');
    if (o.comments && random() < 0.2) lines.push('# trailing');
    return (i > 0 || o.leadingMarker ? '---\n' : '') + lines.join('\n');
  });
  return parts.join('\n') + (o.finalNewline ? '\n' : '');
});

describe('fast YAML reader equals the yaml package where it accepts the text', () => {
  it('on every YAML file of the fixtures and the shared corpus', () => {
    const files = [...yamlFilesUnder(path.join(REPO, 'test-fixtures')), ...yamlFilesUnder(path.join(REPO, '..', 'shared', 'corpus'))];
    assert.ok(files.length > 50, 'fixtures found');
    let accepted = 0;
    for (const file of files) if (checkEquivalent(fs.readFileSync(file, 'utf8'), path.relative(REPO, file))) accepted++;
    assert.ok(accepted > files.length / 3, `the fast reader accepts a good share of real manifests (${accepted}/${files.length})`);
  });

  it('on every file of a generated small workspace (../shared/bench/gen-workspace.mjs)', (t) => {
    const generator = path.join(REPO, '..', 'shared', 'bench', 'gen-workspace.mjs');
    if (!fs.existsSync(generator)) return t.skip('generator not available');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-equivalence-'));
    try {
      execFileSync(process.execPath, [generator, path.join(dir, 'ws'), '--namespaces', '8', '--workloads', '60', '--policies', '20', '--seed', 'equivalence'], { stdio: 'ignore' });
      const files = yamlFilesUnder(path.join(dir, 'ws'));
      let accepted = 0;
      for (const file of files) if (checkEquivalent(fs.readFileSync(file, 'utf8'), path.basename(file))) accepted++;
      assert.equal(accepted, files.length, 'generated manifests are all plain block YAML');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on seeded random block YAML with tricky scalars, comments, blank lines and markers', () => {
    let accepted = 0;
    let total = 0;
    fc.assert(
      fc.property(documentText, (text) => {
        total++;
        if (checkEquivalent(text, 'random')) accepted++;
      }),
      { seed: 20261127, numRuns: 1500 },
    );
    assert.ok(accepted > total / 5, `a fair share of random texts takes the fast path (${accepted}/${total})`);
  });

  // Issue 18, items 1 and 2: every string of up to three characters from the alphabet that found `k: ---` read as
  // null (a plain `---` or `...` is a string unless it starts a line: YAML 1.2 section 9.1.4 / 6.9 c-forbidden) and
  // keys past the 1024-character limit, in every context a scalar takes in a manifest. Where the fast reader accepts
  // a text it must equal the yaml package (which then reports no error), and the CRLF spelling must read the same.
  it('on every string of up to three characters in every value context (map value, item, flow item, flow value, key)', () => {
    const alphabet = ['-', '.', ':', ' ', '#', "'", '"', 'a', '0', '1', '[', ']', '{', '}', ',', '_'];
    const strings = [''];
    for (let length = 1, last = ['']; length <= 3; length++) {
      last = last.flatMap((prefix) => alphabet.map((c) => prefix + c));
      strings.push(...last);
    }
    const contexts: [string, (s: string) => string][] = [
      ['map value', (s) => `kind: K\nk: ${s}\n`],
      ['sequence item', (s) => `kind: K\ns:\n- ${s}\n- b\n`],
      ['flow sequence item', (s) => `kind: K\nf: [a, ${s}]\n`],
      ['flow mapping value', (s) => `kind: K\nm: {k: ${s}}\n`],
      ['key', (s) => `kind: K\n${s}: v\n`],
      ['key in a sequence', (s) => `kind: K\ns:\n- ${s}: v\n`],
    ];
    let accepted = 0;
    for (const [name, wrap] of contexts) {
      for (const s of strings) {
        const text = wrap(s);
        const label = `${name} ${JSON.stringify(s)}`;
        if (!checkEquivalent(text, label)) continue;
        accepted++;
        const values = (t: string) => parseFile('file:///eol.yaml', t).documents.map((d) => d.yaml?.toJS());
        assert.deepStrictEqual(values(text.replace(/\n/g, '\r\n')), values(text), `${label}: CRLF reads as LF`);
      }
    }
    assert.ok(accepted > strings.length, `a good share of the texts takes the fast path (${accepted})`);
  });

  it('gives up on an implicit key longer than 1024 characters, as the yaml package refuses it (YAML 1.2 7.4.2)', () => {
    for (const [key, fast] of [['k'.repeat(1024), true], ['k'.repeat(1025), false], [`"${'k'.repeat(1023)}"`, false], [`"${'k'.repeat(1022)}"`, true]] as const) {
      for (const text of [`${key}: v\n`, `a:\n- ${key}: v\n`, `a:\n  ${key}:\n    b: 1\n`]) {
        const label = `${key.length} characters in ${JSON.stringify(text.slice(0, 8))}`;
        if (fast) {
          // Within the limit: read exactly like the yaml package (quoted keys of compact mappings are left to it).
          const accepted = checkEquivalent(text, label);
          if (!key.startsWith('"') || text.startsWith('"')) assert.ok(accepted, label);
        } else {
          assert.equal(readSimpleYaml(text), undefined, label);
          assert.ok(parseFileWithYamlPackage('file:///k.yaml', text).findings.some((f) => f.code === 'parse-error'), `${label}: the yaml package reports it`);
        }
      }
    }
  });

  it('reads a plain --- or ... inside a line as a string, with LF and CRLF alike (YAML 1.2 9.1: markers start a line)', () => {
    const text = 'a: ---\nb: ...\nc:\n- ---\nd: [x, ---, ...]\n...: v\n';
    assert.ok(checkEquivalent(text, 'markers as values'));
    const expected = { a: '---', b: '...', c: ['---'], d: ['x', '---', '...'], '...': 'v' };
    assert.deepStrictEqual(readSimpleYaml(text)!.documents[0].value, expected);
    assert.deepStrictEqual(parseFile('file:///crlf.yaml', text.replace(/\n/g, '\r\n')).documents[0].yaml?.toJS(), expected);
  });

  it('refuses what it does not handle exactly, and the full parse then decides', () => {
    const refused = [
      'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: |\n  text\n', 'a: >\n  text\n', 'a: multi\n  line\n', 'a: {b: [1, {c}]}\n', 'a: "esc\\n"\n',
      'a:\n  b: 1\n    # deeper\n  c: 2\n', 'a:\n  b: 1\n  # trailing\n', 'a:\nb: 1\n', 'a: 1\na: 2\n', 'a: 1\r\n', 'a:\t1\n', '\uFEFFa: 1\n', 'a: {{ .Values.x }}\n',
      '- a\n- b\n', 'plain\n', 'a: 1\n---\n', '%YAML 1.2\n---\na: 1\n', 'a: 1\n...\n', '? a\n: 1\n', 'a: b: c\n', '  a: 1\n',
    ];
    for (const text of refused) {
      assert.equal(readSimpleYaml(text), undefined, JSON.stringify(text));
      assertSameParsedFile(parseFile('file:///r.yaml', text), parseFileWithYamlPackage('file:///r.yaml', text), JSON.stringify(text));
    }
  });

  it('reads Lists with the items\' own ranges, building nodes only when asked', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n- kind: Service\n  metadata: {name: b}\n';
    assert.ok(checkEquivalent(text, 'flow-list'), 'a List with a flow mapping item');
    const simple = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata:\n      name: a\n  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: b\n';
    assert.ok(checkEquivalent(simple, 'list'));
    const file = parseFile('file:///l.yaml', simple);
    const pod = simple.indexOf('apiVersion: v1\n    kind: Pod');
    const service = simple.indexOf('apiVersion: v1\n    kind: Service');
    assert.deepEqual(file.documents[0].objects.map((o) => [o.kind, o.name, o.listPath, o.range]), [['Pod', 'a', [0], [pod, service - 4]], ['Service', 'b', [1], [service, simple.length]]]);
    assert.equal(file.documents[0].objects[1].node?.range?.[0], service);
  });
});
