// Every quick fix of every rule is a minimal text edit (issue 7, "No data loss"), over generated documents written
// in varied styles (indentation, flow and block collections, quoting, comments, anchors and aliases, CRLF):
// - edits stay inside the file and do not overlap;
// - comments, anchors, aliases and quoted scalars outside the diagnostic's own range survive;
// - the keys outside the diagnostic's range keep their order;
// - the line endings stay those of the file, and no tab is introduced;
// - the result still parses, and every rule still runs on it.
// Seeded (see arbitraries.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Document, isCollection, isMap, isScalar, parse, Scalar, stringify, visit, type Node as YamlNode } from 'yaml';
import { parseFile } from '../../../src/engine/parse';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { runRules } from '../../../src/engine/rules/run';
import type { Diagnostic, QuickFix, TextEdit } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';
import { clusterArb, clusterObjects, FUZZ_SEED, fuzzOptions, jsonPaths, replaceAt, type Json, type JsonObject } from './arbitraries';

const ROOT = 'file:///fix';

/** Changes that make rules with fixes fire: typos, missing namespaces, YAML 1.1 booleans and numbers as labels. */
type Trigger = 'drop-namespace' | 'misspell-key' | 'typo-label' | 'unquoted-label' | 'policy-types-egress-only';
const triggerArb = fc.array(fc.tuple(fc.constantFrom<Trigger>('drop-namespace', 'misspell-key', 'typo-label', 'unquoted-label', 'policy-types-egress-only'), fc.nat()), { maxLength: 4 });

const MISSPELLINGS: Record<string, string> = { ingress: 'ingres', egress: 'egres', podSelector: 'podselector', policyTypes: 'policytypes', matchLabels: 'matchLabel' };

function applyTrigger(objects: JsonObject[], [trigger, n]: [Trigger, number]): JsonObject[] {
  const policies = objects.map((o, i) => [o, i] as const).filter(([o]) => o.kind === 'NetworkPolicy');
  if (policies.length === 0) return objects;
  const [policy, index] = policies[n % policies.length];
  let changed: Json = policy;
  const spec = policy.spec as JsonObject;
  switch (trigger) {
    case 'drop-namespace': {
      const { namespace: _dropped, ...metadata } = policy.metadata as JsonObject;
      changed = { ...policy, metadata };
      break;
    }
    case 'misspell-key': {
      const keys = Object.keys(spec).filter((k) => MISSPELLINGS[k]);
      if (keys.length === 0) return objects;
      const key = keys[n % keys.length];
      changed = { ...policy, spec: Object.fromEntries(Object.entries(spec).map(([k, v]) => [k === key ? MISSPELLINGS[k] : k, v])) };
      break;
    }
    case 'typo-label':
    case 'unquoted-label': {
      const paths = jsonPaths(policy).filter((p) => p.length >= 2 && p[p.length - 2] === 'matchLabels');
      if (paths.length === 0) return objects;
      const path = paths[n % paths.length];
      const replacement: Json = trigger === 'typo-label' ? 'wbe' : [true, 8080, 'on', 'yes', 'off', 1.5][n % 6];
      changed = replaceAt(policy, path, replacement);
      break;
    }
    case 'policy-types-egress-only':
      changed = { ...policy, spec: { ...spec, policyTypes: ['Ingress'] } };
      break;
  }
  return objects.map((o, i) => (i === index ? (changed as JsonObject) : o));
}

interface Style {
  indent: 2 | 4;
  indentSeq: boolean;
  crlf: boolean;
  /** A byte order mark before the first document. */
  bom: boolean;
  /** Per-node choices, consumed in visiting order. */
  choices: number[];
}

const styleArb: fc.Arbitrary<Style> = fc.record({
  indent: fc.constantFrom<2 | 4>(2, 4),
  indentSeq: fc.boolean(),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  choices: fc.array(fc.nat({ max: 99 }), { minLength: 64, maxLength: 64 }),
});

/** Writes objects as one YAML stream in a varied style: quoting, flow collections, comments, anchors and aliases. */
function styledYaml(objects: readonly JsonObject[], style: Style): string {
  let next = 0;
  const choose = () => style.choices[next++ % style.choices.length];
  const docs = objects.map((object, docIndex) => {
    const doc = new Document(object);
    let anchors = 0;
    // Keys keep the default style; comments only where block context allows them.
    const inFlow = (path: readonly unknown[]) => path.some((n) => isCollection(n) && n.flow);
    visit(doc, {
      Scalar(key, node, path) {
        if (key === 'key' || typeof node.value !== 'string') return;
        // Strings that would read as something else must stay quoted; the rest may take any style.
        const c = choose();
        if (node.value === 'on' || node.value === 'yes' || node.value === 'off') node.type = Scalar.PLAIN;
        else if (c < 15) node.type = Scalar.QUOTE_DOUBLE;
        else if (c < 30) node.type = Scalar.QUOTE_SINGLE;
        if (c % 11 === 0 && !inFlow(path)) node.comment = ` trailing comment ${next}`;
      },
      Map(key, node, path) {
        if (key === 'key') return;
        const c = choose();
        if (inFlow(path)) return;
        if (c < 20 && node.items.length <= 3 && node.items.every((p) => isScalar(p.value))) node.flow = true;
        else if (c % 7 === 0) node.commentBefore = ` comment before map ${next}`;
      },
      Seq(key, node, path) {
        if (key === 'key' || inFlow(path)) return;
        const c = choose();
        if (c < 15 && node.items.every((i) => isScalar(i) || (isCollection(i) && i.flow))) node.flow = true;
      },
    });
    // Deployments: the pod template's labels as an alias of the selector's (a common way to keep them in sync).
    const selector = doc.getIn(['spec', 'selector', 'matchLabels'], true) as YamlNode | undefined;
    if (selector && isMap(selector) && selector.items.length > 0 && choose() < 60) {
      const alias = doc.createAlias(selector, `labels${docIndex}x${anchors++}`);
      doc.setIn(['spec', 'template', 'metadata', 'labels'], alias);
    }
    if (choose() < 30) doc.commentBefore = ` document ${docIndex}: ${String((object.metadata as JsonObject | undefined)?.name ?? '')}`;
    return doc.toString({ indent: style.indent, indentSeq: style.indentSeq, lineWidth: 0 });
  });
  const text = docs.join('---\n');
  return style.crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** Comments, anchors, aliases and quoted scalars with their offsets. */
function tokens(text: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  const re = /#[^\r\n]*|&[A-Za-z0-9_-]+|\*[A-Za-z0-9_-]+|"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\r\n]|'')*'/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ text: m[0], at: m.index });
  return out;
}

/** Map keys in order of appearance, with their offsets (block keys only; flow keys are part of their line). */
function keys(text: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  const re = /^[ ]*(?:- )*([A-Za-z][\w.-]*):(?=[ \r\n])/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ text: m[1], at: m.index });
  return out;
}

function countBy(list: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of list) out.set(s, (out.get(s) ?? 0) + 1);
  return out;
}

function isSubsequence(small: readonly string[], big: readonly string[]): boolean {
  let j = 0;
  for (const s of big) if (j < small.length && s === small[j]) j++;
  return j === small.length;
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].range[0] >= sorted[i - 1].range[1], 'edits do not overlap');
  let out = text;
  for (const e of [...sorted].reverse()) {
    assert.ok(0 <= e.range[0] && e.range[0] <= e.range[1] && e.range[1] <= text.length, `edit [${e.range}] inside the text (${text.length})`);
    out = out.slice(0, e.range[0]) + e.newText + out.slice(e.range[1]);
  }
  return out;
}

function checkFix(files: Record<string, string>, diagnostic: Diagnostic, fix: QuickFix, options: { rerunRules?: boolean } = {}): void {
  const label = `${diagnostic.ruleId} / "${fix.title}"`;
  assert.ok(fix.edits.length > 0, `${label}: a fix has edits`);
  const byUri = new Map<string, TextEdit[]>();
  for (const e of fix.edits) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
  const result: Record<string, string> = { ...files };
  for (const [uri, edits] of byUri) {
    const before = files[uri] ?? '';
    const after = applyEdits(before, edits);
    result[uri] = after;
    // What the diagnostic is about may change; everything else keeps its comments, anchors, quoting and order.
    const own = uri === diagnostic.location.uri ? diagnostic.location.range : ([-1, -1] as const);
    const editedSpans = edits.map((e) => e.range);
    const outside = (at: number, length: number) =>
      !(at < own[1] && at + length > own[0]) && !editedSpans.some(([s, e]) => at < e && at + length > s);
    const kept = tokens(before).filter((t) => outside(t.at, t.text.length)).map((t) => t.text);
    const afterCounts = countBy(tokens(after).map((t) => t.text));
    for (const [token, count] of countBy(kept)) {
      assert.ok((afterCounts.get(token) ?? 0) >= count, `${label}: ${JSON.stringify(token)} survives (${count} before, ${afterCounts.get(token) ?? 0} after)\n--- before\n${before}\n--- after\n${after}`);
    }
    // Replaced spans may legitimately drop tokens only when they are the diagnostic's own text; check that the
    // replaced text's tokens reappear unless they overlap the diagnostic.
    for (const [s, e] of editedSpans) {
      for (const t of tokens(before.slice(s, e))) {
        const at = s + t.at;
        if (at < own[1] && at + t.text.length > own[0]) continue;
        assert.ok((afterCounts.get(t.text) ?? 0) >= 1, `${label}: ${JSON.stringify(t.text)} inside the replaced text is kept\n--- before\n${before}\n--- after\n${after}`);
      }
    }
    // Keys replaced by an edit must come back in the same order too (a rewrite must not reorder).
    const keysKept = keys(before).filter((k) => !(k.at < own[1] && k.at + k.text.length + 1 > own[0])).map((k) => k.text);
    assert.ok(isSubsequence(keysKept, keys(after).map((k) => k.text)), `${label}: key order is kept\n--- before\n${before}\n--- after\n${after}`);
    if (before.includes('\r\n')) assert.ok(!/(^|[^\r])\n/.test(after), `${label}: CRLF stays CRLF\n${JSON.stringify(after)}`);
    else if (before.length > 0) assert.ok(!after.includes('\r'), `${label}: LF stays LF`);
    if (!before.includes('\t')) assert.ok(!after.includes('\t'), `${label}: no tab introduced`);
    if (before.startsWith('\uFEFF')) assert.ok(after.startsWith('\uFEFF'), `${label}: the byte order mark stays first`);
    assert.equal((after.match(/\uFEFF/g) ?? []).length, (before.match(/\uFEFF/g) ?? []).length, `${label}: no byte order mark added or lost`);
    const parsedBefore = parseFile(uri, before);
    const parsedAfter = parseFile(uri, after);
    const errors = (p: ReturnType<typeof parseFile>) => p.findings.filter((f) => f.code === 'parse-error').map((f) => f.message);
    assert.deepEqual(errors(parsedAfter), errors(parsedBefore), `${label}: the result parses\n--- after\n${after}`);
    assert.ok(parsedAfter.documents.length >= parsedBefore.documents.length, `${label}: no document is lost`);
  }
  // The fixed workspace still goes through every rule.
  if (options.rerunRules === false) return;
  const workspace = new Workspace();
  for (const [uri, text] of Object.entries(result)) workspace.setFile(uri, text);
  const failures: string[] = [];
  runRules(workspace, { rules: ALL_RULES, onRuleError: (id, error) => failures.push(`${id}: ${(error as Error)?.stack}`) });
  assert.deepEqual(failures, [], `${label}: rules run on the fixed text`);
}

describe(`fuzz: quick fixes are minimal text edits (seed ${FUZZ_SEED})`, () => {
  it('over generated documents in varied styles, every fix of every rule', (t) => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(clusterArb, triggerArb, styleArb, fc.boolean(), (cluster, triggers, style, split) => {
        const objects = triggers.reduce(applyTrigger, clusterObjects(cluster));
        const files: Record<string, string> = {};
        if (split) objects.forEach((o, i) => (files[`${ROOT}/f${i % 2}.yaml`] = (files[`${ROOT}/f${i % 2}.yaml`] ? files[`${ROOT}/f${i % 2}.yaml`] + (style.crlf ? '---\r\n' : '---\n') : '') + styledYaml([o], style)));
        else files[`${ROOT}/all.yaml`] = styledYaml(objects, style);
        // A byte order mark can only open a file.
        if (style.bom) for (const uri of Object.keys(files)) files[uri] = `\uFEFF${files[uri]}`;
        const workspace = new Workspace();
        for (const [uri, text] of Object.entries(files)) workspace.setFile(uri, text);
        for (const [uri, text] of Object.entries(files)) {
          const parseErrors = workspace.getFile(uri)!.findings.filter((f) => f.code === 'parse-error');
          assert.deepEqual(parseErrors, [], `the generated document parses:\n${text}`);
        }
        const diagnostics = runRules(workspace, { rules: ALL_RULES, fixes: true });
        // Re-running every rule on the fixed text is the expensive part: once per rule id and run.
        const rerun = new Set<string>();
        for (const list of diagnostics.values()) {
          for (const d of list) {
            for (const fix of d.fixes ?? []) {
              seen.set(d.ruleId, (seen.get(d.ruleId) ?? 0) + 1);
              checkFix(files, d, fix, { rerunRules: !rerun.has(d.ruleId) });
              rerun.add(d.ruleId);
            }
          }
        }
      }),
      fuzzOptions(100),
    );
    t.diagnostic(`fixes checked, by rule: ${[...seen].map(([id, n]) => `${id} ${n}`).join(', ')}`);
    const withFixes = ALL_RULES.filter((r) => seen.has(r.id)).length;
    assert.ok(withFixes >= 3, `fixes of several rules were exercised (${[...seen.keys()].join(', ')})`);
  });
});

describe('the quick-fix checker rejects edits that lose data', () => {
  const uri = `${ROOT}/checked.yaml`;
  const text = '# keep me\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: "quoted" # and me\n  labels: &l {team: web}\n  annotations: *l\n';
  const diagnostic: Diagnostic = { ruleId: 'example', severity: 'warning', message: 'm', location: { uri, range: [text.indexOf('kind'), text.indexOf('kind') + 4] } };
  const fixWith = (newText: string, range: readonly [number, number] = [0, text.length]): QuickFix => ({ title: 'rewrite', edits: [{ uri, range, newText }] });

  it('a fix that re-serializes the document (comments, quotes and anchors gone) is rejected', () => {
    assert.throws(() => checkFix({ [uri]: text }, diagnostic, fixWith(stringify(parse(text)))), /survives|kept/);
  });

  it('a fix that turns CRLF into LF is rejected', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const at = crlf.indexOf('metadata');
    assert.throws(() => checkFix({ [uri]: crlf }, diagnostic, fixWith('metadata:\n  namespace: x\r\n', [at, at])), /CRLF/);
  });

  it('a fix that reorders keys is rejected; an insertion is accepted', () => {
    const start = text.indexOf('apiVersion');
    const end = text.indexOf('metadata');
    const onName: Diagnostic = { ...diagnostic, location: { uri, range: [text.indexOf('name'), text.indexOf('name') + 4] } };
    assert.throws(() => checkFix({ [uri]: text }, onName, fixWith('kind: Namespace\napiVersion: v1\n', [start, end])), /order/);
    const at = text.indexOf('  name:');
    checkFix({ [uri]: text }, diagnostic, fixWith('  namespace: added\n', [at, at]));
  });
});
