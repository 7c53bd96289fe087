// Typing in the real workbench: the policy snippets through VS Code's own completion (from the language server, once
// each, only where a document may start) and the semantic tokens VS Code receives for highlighting. (The injection
// grammar is checked with VS Code's TextMate engine in client/test/e2e-node/grammar.test.mjs; the colours the tokens
// get on screen are checked in ui-checks.mjs.)
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, eventually, extensionApi, open } from './helpers';

const PREFIXES = ['netpol-default-deny', 'netpol-allow-dns', 'netpol-allow-from-namespace', 'netpol-allow-from-pods', 'netpol-ipblock-egress'];

async function snippetLabels(document: vscode.TextDocument, position: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, position);
  return list.items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

describe('typing: snippets and semantic tokens', () => {
  before(extensionApi);
  after(closeAll);

  it('offers each NetworkPolicy snippet once, with one prefix family, where a document starts', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: 'net' });
    await vscode.window.showTextDocument(document);
    const labels = await eventually('the snippets', async () => {
      const found = await snippetLabels(document, new vscode.Position(0, 3));
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual([...labels].sort(), [...PREFIXES].sort(), 'each snippet exactly once');
  });

  it('offers no snippet inside a document', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  net' });
    await vscode.window.showTextDocument(document);
    // The server answers field completion here (podSelector, ...): wait for that, then look for snippets.
    const list = await eventually('field completion', async () => {
      const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(3, 5));
      return l.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'podSelector') ? l : undefined;
    });
    assert.deepEqual(list.items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet).map((i) => i.label), []);
    assert.deepEqual(await snippetLabels(document, new vscode.Position(1, 0)), []);
  });

  it('VS Code receives semantic tokens of standard types for namespaces, selectors and ports', async () => {
    const editor = await open('shop/policies.yaml');
    const uri = editor.document.uri;
    const legend = await eventually('the semantic tokens legend', async () => vscode.commands.executeCommand<vscode.SemanticTokensLegend | undefined>('vscode.provideDocumentSemanticTokensLegend', uri));
    assert.deepEqual(legend.tokenTypes, ['namespace', 'property', 'string', 'number', 'enumMember']);
    const tokens = await eventually('semantic tokens', async () => vscode.commands.executeCommand<vscode.SemanticTokens | undefined>('vscode.provideDocumentSemanticTokens', uri));
    const decoded: string[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      line += tokens.data[i];
      character = tokens.data[i] === 0 ? character + tokens.data[i + 1] : tokens.data[i + 1];
      decoded.push(`${line + 1}:${character + 1} ${legend.tokenTypes[tokens.data[i + 3]]} ${editor.document.lineAt(line).text.slice(character, character + tokens.data[i + 2])}`);
    }
    for (const expected of ['5:14 namespace shop', '19:7 property app', '19:12 string api', '28:21 enumMember TCP', '29:17 number 9090']) {
      assert.ok(decoded.includes(expected), `${expected} among ${decoded.slice(0, 20).join(' | ')}`);
    }
  });
});
