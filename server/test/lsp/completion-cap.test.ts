// Completion answers stay small on large workspaces: with more candidates than MAX_COMPLETION_ITEMS, the server
// sends the best of those matching what is typed and marks the list incomplete (LSP `CompletionList.isIncomplete`:
// the editor asks again as the user types), through the real server (`netpol lsp --stdio`).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, CompletionList } from 'vscode-languageserver-protocol';
import { capCompletions, MAX_COMPLETION_ITEMS } from '../../src/lsp/handlers/completion';
import { LspTestClient } from './client';

const SERVICES = 600;
const name = (i: number) => `svc-${String(i).padStart(3, '0')}`;

function deployments(): string {
  const docs: string[] = [];
  for (let i = 0; i < SERVICES; i++) {
    docs.push(
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name(i)}\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: ${name(i)}\n    spec:\n      containers:\n        - name: main\n`,
    );
  }
  return docs.join('---\n');
}

const policy = (value: string) =>
  ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: p', '  namespace: shop', 'spec:', '  podSelector:', '    matchLabels:', `      app: ${value}`].join('\n');

function isSubsequence(needle: string, haystack: string): boolean {
  let at = 0;
  for (const ch of needle) {
    at = haystack.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

describe('completion with thousands of candidates', () => {
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-completion-cap-'));
    fs.writeFileSync(path.join(dir, 'deployments.yaml'), deployments());
    client = await LspTestClient.start(dir);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an empty value: the first MAX_COMPLETION_ITEMS values in order, marked incomplete', async () => {
    const uri = client.uri('policy.yaml');
    client.open(uri, policy(''));
    const answer = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 11 } });
    assert.equal(answer.isIncomplete, true);
    assert.equal(answer.items.length, MAX_COMPLETION_ITEMS);
    assert.deepEqual(
      answer.items.slice(0, 3).map((i) => i.label),
      [name(0), name(1), name(2)],
    );
    client.close(uri);
  });

  test('a typed prefix: every value it matches (in order, ignoring case), the exact one included', async () => {
    const uri = client.uri('policy.yaml');
    client.open(uri, policy('SVC-59'));
    const answer = await client.request<CompletionList | CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 17 } });
    const items = Array.isArray(answer) ? answer : answer.items;
    const expected = Array.from({ length: SERVICES }, (_, i) => name(i)).filter((n) => isSubsequence('svc-59', n));
    assert.deepEqual(items.map((i) => i.label).sort(), expected);
    assert.ok(items.some((i) => i.label === 'svc-599'));
    // Every item still replaces the typed prefix.
    assert.deepEqual(items[0].textEdit && 'range' in items[0].textEdit ? items[0].textEdit.range : undefined, { start: { line: 8, character: 11 }, end: { line: 8, character: 17 } });
    client.close(uri);
  });
});

describe('capCompletions', () => {
  const items = (labels: string[]) => labels.map((label, i) => ({ label, sortText: String(i).padStart(5, '0') }));

  test('few items are all sent, complete', () => {
    const list = items(['b', 'a']);
    assert.deepEqual(capCompletions(list, () => 'zzz'), { shown: list, complete: true });
  });

  test('many items: those matching the typed text, best sortText first, at most the cap, incomplete', () => {
    const list = items(Array.from({ length: MAX_COMPLETION_ITEMS * 3 }, (_, i) => (i % 2 ? `odd-${i}` : `even-${i}`)));
    const { shown, complete } = capCompletions(list, () => 'EVN');
    assert.equal(complete, false);
    assert.equal(shown.length, MAX_COMPLETION_ITEMS);
    assert.ok(shown.every((i) => i.label.startsWith('even-')));
    assert.deepEqual(shown.slice(0, 2).map((i) => i.label), ['even-0', 'even-2']);
  });
});
