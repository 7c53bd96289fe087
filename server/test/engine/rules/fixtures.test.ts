// Data-driven rule tests: every fixture under test-fixtures/rules/<id>/ is loaded into a Workspace, all rules run,
// and the diagnostics must be exactly the ones its `# expect:` comments announce (see test-fixtures/rules/README.md).
// Fixtures with `# apply-fix:` also compare the text after the fix with `<name>.fixed.yaml`, check that the edit
// keeps comments and line endings, leaves the rest of the file alone, still parses, and resolves the finding.
// Every fixture also runs with CRLF line endings.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { applyEdits } from '../../../src/engine/edits';
import { runRules } from '../../../src/engine/rules/run';
import type { Diagnostic, TextEdit } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';

const ROOT = join(__dirname, '../../../../test-fixtures/rules');
const URI_ROOT = 'file:///fixtures';

interface Expectation {
  line: number;
  id: string;
  severity?: string;
  substring?: string;
  at?: string;
  uri: string;
}

interface FixDirective {
  id: string;
  title: string;
}

interface Fixture {
  name: string;
  /** uri -> text */
  files: Map<string, string>;
  /** uri -> path on disk */
  paths: Map<string, string>;
  off: string[];
  expectations: Expectation[];
  fix?: FixDirective;
}

const EXPECT = /^\s*#\s*expect:\s*([a-z0-9-]+)(?:\s+(error|warning|information|hint))?(?:\s+"((?:[^"\\]|\\.)*)")?(?:\s+@"((?:[^"\\]|\\.)*)")?\s*$/;
const APPLY_FIX = /^\s*#\s*apply-fix:\s*([a-z0-9-]+)\s+"((?:[^"\\]|\\.)*)"\s*$/;
const OFF = /^\s*#\s*fixture-off:\s*(.+)$/;

const unescape = (s: string | undefined) => (s === undefined ? undefined : s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));

function readAnnotations(uri: string, text: string, fixture: Fixture): void {
  const lines = text.split(/\r?\n/);
  const pending: Omit<Expectation, 'line'>[] = [];
  lines.forEach((line, i) => {
    const m = EXPECT.exec(line);
    if (m) {
      pending.push({ id: m[1], severity: m[2], substring: unescape(m[3]), at: unescape(m[4]), uri });
      return;
    }
    if (/^\s*#\s*expect:/.test(line)) throw new Error(`${uri}:${i + 1}: malformed expect comment`);
    const fix = APPLY_FIX.exec(line);
    if (fix) fixture.fix = { id: fix[1], title: unescape(fix[2])! };
    const off = OFF.exec(line);
    if (off) fixture.off.push(...off[1].split(/[\s,]+/).filter(Boolean));
    if (pending.length && !fix && !off) {
      for (const p of pending) fixture.expectations.push({ ...p, line: i });
      pending.length = 0;
    }
  });
  if (pending.length) throw new Error(`${uri}: expect comment at the end of the file`);
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const full = join(dir, n);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
}

function loadFixtures(ruleDir: string): Fixture[] {
  const out: Fixture[] = [];
  for (const entry of readdirSync(ruleDir).sort()) {
    const full = join(ruleDir, entry);
    const isDir = statSync(full).isDirectory();
    if (!isDir && (!/\.(ya?ml|json)$/.test(entry) || /\.fixed\.ya?ml$/.test(entry))) continue;
    const fixture: Fixture = { name: entry, files: new Map(), paths: new Map(), off: [], expectations: [] };
    const members = isDir ? walk(full).filter((p) => !/\.fixed\.ya?ml$/.test(p)) : [full];
    for (const p of members) {
      const uri = `${URI_ROOT}/${relative(ROOT, p).split('\\').join('/')}`;
      const text = readFileSync(p, 'utf8');
      fixture.files.set(uri, text);
      fixture.paths.set(uri, p);
      readAnnotations(uri, text, fixture);
    }
    out.push(fixture);
  }
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function workspaceOf(files: Map<string, string>): Workspace {
  const ws = new Workspace();
  for (const [uri, text] of files) ws.setFile(uri, text);
  return ws;
}

function run(files: Map<string, string>, off: string[]): Map<string, Diagnostic[]> {
  const severities = Object.fromEntries(off.map((id) => [id, 'off' as const]));
  const errors: string[] = [];
  const result = runRules(workspaceOf(files), { severities, fixes: true, onRuleError: (id, e) => errors.push(`${id}: ${(e as Error).stack}`) });
  assert.deepEqual(errors, [], 'no rule throws');
  return result;
}

function describeDiagnostic(d: Diagnostic, text: string): string {
  return `${d.location.uri.slice(URI_ROOT.length + 1)}:${lineOf(text, d.location.range[0]) + 1} ${d.ruleId} ${d.severity} "${d.message}" @"${text.slice(...d.location.range)}"`;
}

function checkDiagnostics(fixture: Fixture, files: Map<string, string>): Map<string, Diagnostic[]> {
  const result = run(files, fixture.off);
  const actual: { d: Diagnostic; text: string }[] = [];
  for (const [uri, list] of result) for (const d of list) actual.push({ d, text: files.get(d.location.uri) ?? files.get(uri)! });
  const unmatched = [...actual];
  const missing: string[] = [];
  for (const e of fixture.expectations) {
    const i = unmatched.findIndex(
      ({ d, text }) =>
        d.location.uri === e.uri &&
        d.ruleId === e.id &&
        lineOf(text, d.location.range[0]) === e.line &&
        (!e.severity || d.severity === e.severity) &&
        (!e.substring || d.message.includes(e.substring)) &&
        (e.at === undefined || text.slice(...d.location.range).replace(/\r\n/g, '\n') === e.at),
    );
    if (i < 0) missing.push(`line ${e.line + 1}: ${e.id} ${e.severity ?? ''} "${e.substring ?? ''}"${e.at !== undefined ? ` @"${e.at}"` : ''}`);
    else unmatched.splice(i, 1);
  }
  const extra = unmatched.map(({ d, text }) => describeDiagnostic(d, text));
  const all = actual.map(({ d, text }) => describeDiagnostic(d, text)).join('\n  ');
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `diagnostics of ${fixture.name}:\n  ${all}`);
  for (const { d, text } of actual) {
    const [start, end] = d.location.range;
    assert.ok(start < end && end <= text.length, `non-empty range inside the file: ${describeDiagnostic(d, text)}`);
    assert.ok(end - start < text.length || text.length < 40, `range narrower than the file: ${describeDiagnostic(d, text)}`);
    for (const r of d.related ?? []) {
      const relatedText = files.get(r.location.uri);
      assert.ok(relatedText !== undefined, `related location in a fixture file: ${r.location.uri}`);
      assert.ok(r.location.range[0] < r.location.range[1] && r.location.range[1] <= relatedText.length, `related range inside its file: ${r.message}`);
    }
  }
  return result;
}

function findFix(fixture: Fixture, result: Map<string, Diagnostic[]>): { diagnostic: Diagnostic; edits: TextEdit[] } {
  const directive = fixture.fix!;
  const candidates: { diagnostic: Diagnostic; edits: TextEdit[] }[] = [];
  for (const list of result.values()) {
    for (const d of list) {
      if (d.ruleId !== directive.id) continue;
      for (const f of d.fixes ?? []) if (f.title.includes(directive.title)) candidates.push({ diagnostic: d, edits: f.edits });
    }
  }
  assert.ok(candidates.length > 0, `a ${directive.id} fix titled "${directive.title}" is offered`);
  return candidates[0];
}

function applyFix(files: Map<string, string>, edits: TextEdit[]): Map<string, string> {
  const out = new Map(files);
  const byUri = new Map<string, TextEdit[]>();
  for (const e of edits) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
  for (const [uri, list] of byUri) {
    const text = files.get(uri);
    assert.ok(text !== undefined, `the fix edits a file of the fixture (${uri})`);
    for (const e of list) assert.ok(e.range[0] >= 0 && e.range[0] <= e.range[1] && e.range[1] <= text.length, 'edit range inside the file');
    out.set(uri, applyEdits(text, list));
  }
  return out;
}

const toCrlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

function checkFix(fixture: Fixture, files: Map<string, string>, result: Map<string, Diagnostic[]>, crlf: boolean): void {
  const { diagnostic, edits } = findFix(fixture, result);
  const fixed = applyFix(files, edits);
  for (const [uri, text] of fixed) {
    const before = files.get(uri)!;
    const path = fixture.paths.get(uri)!.replace(/\.(ya?ml|json)$/, '.fixed.$1');
    if (text === before) continue;
    assert.ok(existsSync(path), `expected text for the fix: ${path}`);
    const expected = readFileSync(path, 'utf8');
    assert.equal(text, crlf ? toCrlf(expected) : expected, `text after "${fixture.fix!.title}" (${crlf ? 'CRLF' : 'LF'})`);
    // Only the edited ranges change: the text before the first and after the last edit is untouched.
    const own = edits.filter((e) => e.uri === uri);
    const first = Math.min(...own.map((e) => e.range[0]));
    const last = Math.max(...own.map((e) => e.range[1]));
    assert.equal(text.slice(0, first), before.slice(0, first), 'text before the edit unchanged');
    assert.equal(text.slice(text.length - (before.length - last)), before.slice(last), 'text after the edit unchanged');
    for (const comment of before.match(/#[^\r\n]*/g) ?? []) assert.ok(text.includes(comment), `comment kept: ${comment}`);
    if (crlf) assert.ok(!/[^\r]\n/.test(text), 'line endings stay CRLF');
  }
  const after = run(fixed, fixture.off);
  const parseErrors = [...after.values()].flat().filter((d) => d.ruleId === 'parse-error');
  assert.deepEqual(parseErrors, [], 'the fixed text still parses');
  const same = [...after.values()].flat().filter((d) => d.ruleId === diagnostic.ruleId && d.message === diagnostic.message);
  assert.deepEqual(same.map((d) => d.message), [], 'the fix resolves the finding');
}

/** Every fix any diagnostic of the fixture offers applies cleanly: the result parses and keeps every comment. */
function checkAllFixes(files: Map<string, string>, result: Map<string, Diagnostic[]>): void {
  for (const list of result.values()) {
    for (const d of list) {
      for (const fix of d.fixes ?? []) {
        assert.ok(fix.edits.length > 0, `"${fix.title}" has edits`);
        const fixed = applyFix(files, fix.edits);
        const ws = workspaceOf(fixed);
        for (const uri of ws.fileUris()) {
          const errors = ws.getFile(uri)!.findings.filter((f) => f.code === 'parse-error');
          assert.deepEqual(errors.map((e) => e.message), [], `${d.ruleId} "${fix.title}" leaves ${uri} parseable`);
          for (const comment of files.get(uri)?.match(/#[^\r\n]*/g) ?? []) assert.ok(fixed.get(uri)!.includes(comment), `"${fix.title}" keeps ${comment}`);
        }
      }
    }
  }
}

const ruleDirs = existsSync(ROOT) ? readdirSync(ROOT).filter((n) => statSync(join(ROOT, n)).isDirectory()).sort() : [];

describe('rule fixtures (test-fixtures/rules)', () => {
  for (const id of ruleDirs) {
    describe(id, () => {
      for (const fixture of loadFixtures(join(ROOT, id))) {
        it(fixture.name, () => {
          const result = checkDiagnostics(fixture, fixture.files);
          checkAllFixes(fixture.files, result);
          if (fixture.fix) checkFix(fixture, fixture.files, result, false);
        });
        it(`${fixture.name} (CRLF)`, () => {
          const crlfFiles = new Map([...fixture.files].map(([u, t]) => [u, toCrlf(t)]));
          const result = checkDiagnostics(fixture, crlfFiles);
          checkAllFixes(crlfFiles, result);
          if (fixture.fix) checkFix(fixture, crlfFiles, result, true);
        });
      }
    });
  }
});

export { loadFixtures, ROOT as FIXTURE_ROOT };
