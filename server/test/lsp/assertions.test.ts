// Connectivity assertions through the real server (`netpol lsp --stdio`) over test-fixtures/assertions/shop, copied
// to a temporary folder: diagnostics on failing expectations with related information at the deciding policies,
// live re-checks when a policy changes in another file, the lens per test, hovers and completion.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeLens, CompletionItem, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import type { ReachabilityDiffResult } from '../../src/lsp/protocol';
import { LspTestClient, REPO_ROOT, rangeOf } from './client';

describe('connectivity assertions over the protocol', () => {
  let dir: string;
  let client: LspTestClient;
  let failing: string;
  let passing: string;
  let policies: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-assertions-'));
    fs.cpSync(path.join(REPO_ROOT, 'test-fixtures', 'assertions', 'shop'), dir, { recursive: true });
    // The expected CLI outputs are not part of the workspace.
    fs.rmSync(path.join(dir, 'expected'), { recursive: true, force: true });
    client = await LspTestClient.start(dir);
    failing = client.uri('failing.netpol-test.yaml');
    passing = client.uri('passing.netpol-test.yaml');
    policies = client.uri('manifests/policies.yaml');
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const summary = (d: Diagnostic) => ({
    line: d.range.start.line,
    code: d.code,
    severity: d.severity,
    source: d.source,
    related: (d.relatedInformation ?? []).map((r) => `${path.relative(dir, new URL(r.location.uri).pathname)}:${r.location.range.start.line}:${r.location.range.start.character}`),
  });

  /** policies.yaml with the database's ingress opened to the frontend too (two failing expectations then hold). */
  const letFrontendReadDb = (text: string) =>
    text.replace('matchLabels: {app: api}\n      ports:\n        - port: 5432', 'matchExpressions: [{key: app, operator: In, values: [api, frontend]}]\n      ports:\n        - port: 5432');

  /** The diagnostics published for a file after a mark, as received (seq) and with the document version sent. */
  const publishedAfter = (uri: string, mark: number) =>
    client.notifications
      .filter((n) => n.seq > mark && n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri)
      .map((n) => ({ seq: n.seq, ...(n.params as { version?: number; diagnostics: Diagnostic[] }) }));

  test('a diagnostic on every failing expectation, with related information at the deciding policies', async () => {
    const diagnostics = await client.waitForDiagnostics(failing, (d) => d.length > 0);
    assert.deepEqual(diagnostics.map(summary), [
      { line: 19, code: 'connectivity-test-failed', severity: 1, source: 'netpol', related: ['manifests/policies.yaml:3:8', 'manifests/policies.yaml:12:8'] },
      {
        line: 24,
        code: 'connectivity-test-failed',
        severity: 1,
        source: 'netpol',
        related: ['manifests/workloads.yaml:19:0', 'manifests/policies.yaml:18:6', 'manifests/workloads.yaml:62:0', 'manifests/policies.yaml:23:6'],
      },
      { line: 29, code: 'connectivity-test-failed', severity: 1, source: 'netpol', related: ['failing.netpol-test.yaml:13:6'] },
      { line: 32, code: 'connectivity-test-failed', severity: 1, source: 'netpol', related: ['manifests/policies.yaml:3:8', 'manifests/policies.yaml:12:8'] },
      {
        line: 37,
        code: 'connectivity-test-failed',
        severity: 1,
        source: 'netpol',
        // One pair after the other (quantifier any: none holds): the same policies, a different peer.
        related: ['manifests/policies.yaml:3:8', 'manifests/policies.yaml:12:8', 'manifests/policies.yaml:3:8', 'manifests/policies.yaml:12:8'],
      },
    ]);
    assert.equal(
      diagnostics[0].message,
      'frontend reads the database fails: expected shop/frontend -> shop/db to allow TCP 5432, but TCP 5432 is denied: ingress of shop/db is isolated by shop/default-deny and shop/db-ingress and none of their rules allows TCP 5432 from shop/frontend',
    );
    assert.equal(diagnostics[0].relatedInformation![1].message, 'shop/db-ingress isolates ingress of shop/db and none of its rules allows TCP 5432 from shop/frontend');
    // A test file whose expectations all hold gets an empty list once opened.
    const opened = client.open(passing);
    assert.deepEqual(await client.waitForCurrentDiagnostics(passing, opened), []);
    client.close(passing);
  });

  test('re-checked live: editing a policy in another file updates the test file', async () => {
    await client.waitForDiagnostics(failing, (d) => d.length === 5);
    const text = client.read('manifests/policies.yaml');
    const mark = client.open(policies, text);
    client.change(policies, letFrontendReadDb(text));
    const after = await client.waitForDiagnostics(failing, (d) => d.length === 3, { since: mark });
    assert.deepEqual(after.map((d) => d.range.start.line), [24, 29, 32]);
    // And back: the failure returns.
    const back = client.change(policies, text);
    await client.waitForDiagnostics(failing, (d) => d.length === 5, { since: back });
    client.close(policies);
  });

  // The tests' diagnostics are published after the rules' (server.ts runSources): a test file whose text changed
  // waits for them, rather than showing ranges of a text that is gone.
  test('a test file edited above its expectations: every publication of it fits its new text', async () => {
    await client.waitForDiagnostics(failing, (d) => d.length === 5);
    const text = client.read('failing.netpol-test.yaml');
    client.open(failing, text);
    try {
      const mark = client.change(failing, `# two lines above\n#\n${text}`);
      const shifted = await client.waitForDiagnostics(failing, (d) => d.length === 5 && d[0].range.start.line === 21, { since: mark });
      assert.deepEqual(shifted.map((d) => d.range.start.line), [21, 26, 31, 34, 39]);
      // Publications for the edited version (the opening's may still arrive after the mark, with the text it had).
      const version = client.version(failing);
      const published = publishedAfter(failing, mark).filter((p) => p.version === version);
      assert.ok(published.length > 0);
      for (const p of published) {
        const lines = p.diagnostics.map((d) => d.range.start.line);
        assert.ok(lines.every((line) => [21, 26, 31, 34, 39].includes(line)), `published lines ${lines.join(', ')}`);
      }
    } finally {
      // The tests after this one read the file as it is on disk.
      const back = client.change(failing, text);
      await client.waitForDiagnostics(failing, (d) => d.length === 5 && d[0].range.start.line === 19, { since: back });
      client.close(failing);
    }
  });

  // Editors ask for code actions whenever the cursor moves; only a file the tests report on waits for their run.
  test('a code action on a manifest is answered before the connectivity tests have run again', async () => {
    await client.waitForDiagnostics(failing, (d) => d.length === 5);
    const text = client.read('manifests/policies.yaml');
    client.open(policies, text);
    try {
      const mark = client.change(policies, letFrontendReadDb(text));
      const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      await client.request('textDocument/codeAction', { textDocument: { uri: policies }, range, context: { diagnostics: [] } });
      const answered = client.mark();
      // The tests' new findings (two expectations now hold) come after the answer.
      await client.waitForDiagnostics(failing, (d) => d.length === 3, { since: mark });
      const fresh = publishedAfter(failing, mark).filter((p) => p.diagnostics.length === 3);
      assert.ok(fresh.length > 0 && fresh.every((p) => p.seq > answered), `new findings published at ${fresh.map((p) => p.seq).join(', ')}, answer at ${answered}`);
    } finally {
      const back = client.change(policies, text);
      await client.waitForDiagnostics(failing, (d) => d.length === 5, { since: back });
      client.close(policies);
    }
  });

  test('a code lens per test with its counts', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: failing } });
    assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.title]), [[1, '✗ 0 passed · 5 failed']]);
    const passingLenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: passing } });
    assert.deepEqual(passingLenses.map((l) => l.command?.title), ['✓ 7 passed · 0 failed · 1 skipped · 1 todo']);
  });

  test('hover on a group lists the matched workloads', async () => {
    const text = client.read('passing.netpol-test.yaml');
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: passing }, position: rangeOf(text, 'monitoring:').start });
    const contents = hover.contents as MarkupContent;
    assert.equal(contents.kind, 'markdown');
    assert.equal(contents.value, `**Group \`monitoring\`**\n\n1 workload:\n\n- [monitoring/prometheus](${client.uri('manifests/workloads.yaml')}#L66) (Deployment)`);
  });

  test('completion of verdicts in a test file', async () => {
    const text = client.read('failing.netpol-test.yaml');
    const edited = text.replace('      verdict: deny\n    - name: monitoring', '      verdict: \n    - name: monitoring');
    client.open(failing, edited);
    const position = rangeOf(edited, 'verdict: \n    - name: monitoring').start;
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri: failing }, position: { line: position.line, character: position.character + 9 } });
    assert.deepEqual(items.map((i) => i.label), ['allow', 'deny', 'allow-only']);
    client.close(failing);
  });

  test('what-if diff: unsaved editor text against a base version sent by the client', async () => {
    const names = ['manifests/namespaces.yaml', 'manifests/workloads.yaml', 'manifests/policies.yaml'];
    const baseFiles = names.map((name) => ({ uri: client.uri(name), text: client.read(name) }));
    const unchanged = await client.request<ReachabilityDiffResult>('netpol/reachabilityDiff', { baseFiles, baseLabel: 'HEAD' });
    assert.deepEqual(unchanged.counts, { added: 0, removed: 0, changed: 0, appeared: 0, disappeared: 0 });

    const text = client.read('manifests/policies.yaml');
    client.open(policies, text);
    client.change(policies, letFrontendReadDb(text));
    const diff = await client.request<ReachabilityDiffResult>('netpol/reachabilityDiff', { baseFiles, baseLabel: 'HEAD' });
    assert.deepEqual(diff.counts, { added: 1, removed: 0, changed: 0, appeared: 0, disappeared: 0 });
    assert.deepEqual(diff.changes, [
      {
        kind: 'added',
        scope: 'default',
        from: 'shop/frontend',
        to: 'shop/db',
        before: 'No Connections',
        after: 'TCP 5432',
        opened: 'TCP 5432',
        closed: 'No Connections',
        summary: 'now TCP 5432',
        causes: [
          {
            policy: 'shop/db-ingress',
            change: 'modified',
            direction: 'ingress',
            before: 'isolates shop/db and allows nothing from shop/frontend',
            after: 'allows TCP 5432 from shop/frontend',
            location: { uri: policies, range: { start: { line: 12, character: 8 }, end: { line: 12, character: 18 } } },
            inBase: false,
            decides: true,
          },
        ],
      },
    ]);
    // The policy's lens counts the one connection, as the totals do (issue 21).
    assert.deepEqual(
      diff.policies.map((p) => [p.policy, p.added, p.removed, p.changed]),
      [['shop/db-ingress', 1, 0, 0]],
    );
    client.close(policies);
  });

  test('a quick fix for a mistyped group name', async () => {
    const text = client.read('failing.netpol-test.yaml').replace('      from: frontend\n      to: db\n      ports: [5432]', '      from: frontnd\n      to: db\n      ports: [5432]');
    const mark = client.open(failing, text);
    // Publishes for the previous test's texts of this file may still arrive: wait for the one with the typo.
    const isTypo = (d: Diagnostic) => d.code === 'connectivity-test-invalid' && d.message.startsWith('unknown group "frontnd"');
    const diagnostics = await client.waitForDiagnostics(failing, (list) => list.some(isTypo), { since: mark });
    const typo = diagnostics.find(isTypo);
    assert.ok(typo, 'a diagnostic on the unknown group');
    assert.match(typo.message, /^unknown group "frontnd"/);
    const actions = await client.request<{ title: string; edit?: { changes?: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri: failing },
      range: typo.range,
      context: { diagnostics: [typo] },
    });
    assert.deepEqual(actions.map((a) => [a.title, a.edit?.changes?.[failing]?.[0]?.newText]), [['Change to frontend', 'frontend']]);
    client.close(failing);
  });
});
