// Quick fixes through the real server, now that analyses leave them out and code actions compute them on request:
// for every finding on a workspace of rule fixtures, the code actions offer exactly the fixes that `runRules` with
// fixes gives the same finding, as the engine's check lets them through (edit-check.ts: titles with what a fix
// newly isolates, preferred flags and the texts after each edit).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic as LspDiagnostic } from 'vscode-languageserver-protocol';
import { offerableFixes } from '../../src/engine/edit-check';
import { applyEdits } from '../../src/engine/edits';
import { runRules } from '../../src/engine/rules/run';
import type { Diagnostic } from '../../src/engine/rules/types';
import { Workspace } from '../../src/engine/workspace';
import { applyTextEdits, editsFor, LspTestClient, REPO_ROOT } from './client';

/** Rules with quick fixes, whose fixture files (not folders) make the workspace. */
const RULES = [
  'missing-dns-egress',
  'namespace-without-default-deny',
  'label-typo',
  'missing-namespace',
  'split-peer',
  'unknown-field',
  'unquoted-label-value',
  'invalid-port',
  'invalid-port-range',
  'rules-ignored-by-policy-types',
  'port-not-exposed',
  'deprecated-isolation-annotation',
  'metrics-scrape-blocked',
  'named-port-not-found',
];

function position(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, character: offset - start };
}

describe('code actions compute the fixes a run with fixes gives', () => {
  let dir: string;
  let client: LspTestClient;
  const texts = new Map<string, string>();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-lazy-fixes-'));
    for (const rule of RULES) {
      const from = path.join(REPO_ROOT, 'test-fixtures', 'rules', rule);
      fs.mkdirSync(path.join(dir, rule));
      for (const name of fs.readdirSync(from)) {
        if (!/\.ya?ml$/.test(name) || /\.fixed\./.test(name) || name.startsWith('.') || !fs.statSync(path.join(from, name)).isFile()) continue;
        fs.copyFileSync(path.join(from, name), path.join(dir, rule, name));
      }
    }
    client = await LspTestClient.start(dir);
    for (const rule of RULES) for (const name of fs.readdirSync(path.join(dir, rule))) texts.set(client.uri(`${rule}/${name}`), fs.readFileSync(path.join(dir, rule, name), 'utf8'));
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every finding of the fixtures, one code action request each', async () => {
    const ws = new Workspace();
    // In the order the server indexes them (sorted paths): messages that list other definitions follow it.
    for (const [uri, text] of [...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) ws.setFile(uri, text);
    const expected = new Map<string, Diagnostic>();
    const keyOf = (uri: string, code: unknown, message: string, start: { line: number; character: number }) => `${uri} ${String(code)} ${start.line}:${start.character} ${message}`;
    for (const [uri, list] of runRules(ws, { fixes: true })) {
      for (const d of list) expected.set(keyOf(uri, d.ruleId, d.message, position(texts.get(uri)!, d.location.range[0])), d);
    }

    let withFixes = 0;
    const rules = new Set<string>();
    for (const [uri, text] of texts) {
      const published: LspDiagnostic[] = client.diagnostics.get(uri)?.diagnostics ?? [];
      for (const d of published.filter((x) => x.source === 'netpol')) {
        const reference = expected.get(keyOf(uri, d.code, d.message, d.range.start));
        assert.ok(reference, `${keyOf(uri, d.code, d.message, d.range.start)} is a finding of runRules`);
        // The quick fixes (refactorings of the policy under the cursor, kind refactor.rewrite, come beside them).
        const actions = (await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })).filter((a) => a.kind === 'quickfix');
        const fixes = offerableFixes(ws, reference.fixes ?? []);
        assert.deepEqual(
          actions.map((a) => [a.title, a.isPreferred ?? false]),
          fixes.map((f) => [f.title, f.preferred ?? false]),
          `actions of ${d.code} at ${uri}:${d.range.start.line + 1}`,
        );
        actions.forEach((action, i) => {
          for (const target of new Set(fixes[i].edits.map((e) => e.uri))) {
            const before = texts.get(target)!;
            const engineEdits = fixes[i].edits.filter((e) => e.uri === target);
            assert.equal(applyTextEdits(before, editsFor(action.edit!, target)), applyEdits(before, engineEdits), `text after "${action.title}"`);
          }
        });
        if (fixes.length) {
          withFixes++;
          rules.add(String(d.code));
        }
      }
      assert.ok(text.length > 0);
    }
    assert.ok(withFixes >= 20, `findings with fixes compared: ${withFixes}`);
    assert.ok(rules.size >= 8, `rules: ${[...rules].sort().join(', ')}`);
  });
});
