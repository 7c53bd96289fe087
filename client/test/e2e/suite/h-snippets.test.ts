// The contributed snippets, through VS Code's own completion. (The grammar is checked with VS Code's TextMate
// engine in client/test/e2e-node/grammar.test.mjs: the web workbench cannot capture tokens.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, extensionApi } from './helpers';

describe('snippets', () => {
  before(extensionApi);
  after(closeAll);

  it('offers the NetworkPolicy snippets in YAML', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: 'netpol-' });
    await vscode.window.showTextDocument(document);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(0, 7));
    const snippets = list.items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const prefix of ['netpol-default-deny', 'netpol-allow-dns', 'netpol-allow-from-namespace', 'netpol-allow-from-pods', 'netpol-ipblock-egress']) {
      assert.ok(snippets.includes(prefix), `${prefix} among ${snippets.join(', ')}`);
    }
  });
});
