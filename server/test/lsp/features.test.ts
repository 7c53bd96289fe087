// Editor features through the protocol: hover, code lens, definition, references, completion and symbols from the
// real server (`netpol lsp --stdio`) over the shop fixture (test-fixtures/features/shop, copied to a temporary
// folder). The answers' content is covered in full by server/test/engine/features; here the protocol shapes,
// positions, URIs and live updates after edits.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CompletionItemKind, InsertTextFormat, type CodeLens, type CompletionItem, type DocumentSymbol, type Hover, type Location, type MarkupContent, type Position, type SemanticTokens, type SymbolInformation } from 'vscode-languageserver-protocol';
import { hover } from '../../src/engine/features/hover';
import { Workspace } from '../../src/engine/workspace';
import { LspTestClient, REPO_ROOT } from './client';

const CURSOR = '‸';

/** The position of the marker in a snippet of `text` (the snippet without marker must occur in the text). */
function positionOf(text: string, snippetWithMarker: string): Position {
  const snippet = snippetWithMarker.split(CURSOR).join('');
  const start = text.indexOf(snippet);
  if (start < 0) throw new Error(`snippet not found: ${snippet}`);
  return positionAtOffset(text, start + snippetWithMarker.indexOf(CURSOR));
}

function positionAtOffset(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

const at = (line: number, character: number, endCharacter: number) => ({ start: { line, character }, end: { line, character: endCharacter } });

describe('editor features over the protocol (netpol lsp --stdio)', () => {
  let dir: string;
  let client: LspTestClient;
  let policies: string;
  let workloads: string;
  let others: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-features-'));
    fs.cpSync(path.join(REPO_ROOT, 'test-fixtures', 'features', 'shop'), dir, { recursive: true });
    client = await LspTestClient.start(dir);
    policies = client.uri('policies.yaml');
    workloads = client.uri('workloads.yaml');
    others = client.uri('other-namespaces.yaml');
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hoverAt = (uri: string, file: string, snippet: string) =>
    client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(client.read(file), snippet) });

  test('hover on a policy name: plain English, links to the selected pods with file URI and line', async () => {
    const hover = await hoverAt(policies, 'policies.yaml', 'name: db-al‸low');
    assert.ok(hover);
    assert.deepEqual(hover.range, at(14, 8, 16));
    const contents = hover.contents as MarkupContent;
    assert.equal(contents.kind, 'markdown');
    assert.equal(
      contents.value,
      [
        '**NetworkPolicy production/db-allow**',
        '',
        'Isolates ingress of 2 pods in production (postgresql, postgresql-replica). Allows TCP 5432 from pods labelled app=api-server in production.',
        '',
        'Selected pods (2):',
        `- [production/postgresql](${workloads}#L29) · StatefulSet`,
        `- [production/postgresql-replica](${workloads}#L51) · StatefulSet`,
      ].join('\n'),
    );
  });

  test('hover on a selector that matches nothing: nearest labels', async () => {
    const hover = await hoverAt(policies, 'policies.yaml', 'app: post‸gress');
    assert.ok(hover);
    assert.equal(
      (hover.contents as MarkupContent).value,
      [
        '**spec.podSelector** `app=postgress`',
        '',
        'Matches no pods in `production` (4 pods there).',
        '',
        'Nearest existing labels:',
        '- no pod has `app=postgress`; values of `app`: `postgresql` (2 pods), `frontend` (1 pod), `api-server` (1 pod)',
      ].join('\n'),
    );
  });

  test('no hover where there is nothing to explain', async () => {
    assert.equal(await hoverAt(workloads, 'workloads.yaml', 'image: shop/a‸pi'), null);
  });

  test('code lenses above every policy and workload, with the command that lists them', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: policies } });
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
      [
        [0, 'selects 4 pods · ingress from none · egress to none', 'netpol.showPolicyPods'],
        [11, 'selects 2 pods · ingress from 1 pod', 'netpol.showPolicyPods'],
        [29, 'selects 1 pod · ingress from 1 pod · egress to 3 pods', 'netpol.showPolicyPods'],
        [68, 'selects 1 pod · ingress from 1 CIDR · egress to 1 pod', 'netpol.showPolicyPods'],
        [96, 'selects 0 pods · ingress from 0 pods', 'netpol.showPolicyPods'],
      ],
    );
    const [uri, position, locations] = lenses[1].command!.arguments as [string, Position, Location[]];
    assert.equal(uri, policies);
    assert.deepEqual(position, { line: 11, character: 0 });
    assert.deepEqual(locations, [
      { uri: workloads, range: at(28, 8, 18) },
      { uri: workloads, range: at(50, 8, 26) },
    ]);

    const workloadLenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: others } });
    assert.deepEqual(
      workloadLenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
      [
        [0, 'not isolated', 'netpol.showLocations'],
        [21, 'not isolated', 'netpol.showLocations'],
      ],
    );
  });

  test('go to definition from a selector to the workloads it matches', async () => {
    const locations = await client.request<Location[]>('textDocument/definition', {
      textDocument: { uri: policies },
      position: positionOf(client.read('policies.yaml'), 'app: postgr‸esql'),
    });
    assert.deepEqual(locations, [
      { uri: workloads, range: at(28, 8, 18) },
      { uri: workloads, range: at(50, 8, 26) },
    ]);
  });

  test('find references from a workload to the policies and peers that select it', async () => {
    const locations = await client.request<Location[]>('textDocument/references', {
      textDocument: { uri: others },
      position: positionOf(client.read('other-namespaces.yaml'), 'name: core‸dns'),
      context: { includeDeclaration: true },
    });
    assert.deepEqual(locations, [
      { uri: others, range: at(24, 8, 15) },
      // api-allow's egress peer (namespaceSelector + podSelector), from its first key to the end of the peer.
      { uri: policies, range: { start: { line: 56, character: 10 }, end: { line: 61, character: 31 } } },
    ]);
  });

  test('completion in an unsaved, half-typed document: label keys with counts, replacing the typed prefix', async () => {
    const uri = client.uri('new-policy.yaml');
    const text = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: new',
      '  namespace: production',
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      '      ro',
    ].join('\n');
    client.open(uri, text);
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 8 } });
    assert.deepEqual(
      items.map((i) => [i.label, i.detail, i.textEdit]),
      [
        ['app', '4 pods · 3 values', { range: at(8, 6, 8), newText: 'app: ' }],
        ['role', '2 pods · 2 values', { range: at(8, 6, 8), newText: 'role: ' }],
        ['tier', '2 pods · 2 values', { range: at(8, 6, 8), newText: 'tier: ' }],
      ],
    );
    // Typing on: the value of the key, from the labels that exist.
    client.change(uri, `${text}le: r`);
    const values = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 13 } });
    assert.deepEqual(
      values.map((i) => [i.label, i.detail, i.textEdit]),
      [
        ['primary', '1 pod with role=primary', { range: at(8, 12, 13), newText: 'primary' }],
        ['replica', '1 pod with role=replica', { range: at(8, 12, 13), newText: 'replica' }],
      ],
    );
    client.close(uri);
  });

  test('completion in an untitled editor (not indexed) offers the workspace labels', async () => {
    const uri = 'untitled:Untitled-1';
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: production\nspec:\n  podSelector:\n    matchLabels:\n      app: ';
    client.open(uri, text);
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 7, character: 11 } });
    assert.deepEqual(
      items.map((i) => [i.label, i.detail]),
      [
        ['postgresql', '2 pods with app=postgresql'],
        ['api-server', '1 pod with app=api-server'],
        ['frontend', '1 pod with app=frontend'],
      ],
    );
    client.close(uri);
  });

  test('completion is scoped over the protocol: a peer\'s labels and a rule\'s ports from the pods the peer reaches', async () => {
    const uri = client.uri('scoped.yaml');
    const head = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: scoped',
      '  namespace: production',
      'spec:',
      '  podSelector: {}',
      '  egress:',
      '    - to:',
      '        - namespaceSelector:',
      '            matchLabels:',
      '              kubernetes.io/metadata.name: kube-system',
      '          podSelector:',
      '            matchLabels:',
    ];
    client.open(uri, [...head, '              k8s-app: '].join('\n'));
    const values = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 14, character: 23 } });
    assert.deepEqual(values.map((i) => [i.label, i.detail]), [['kube-dns', '1 pod with k8s-app=kube-dns']]);
    client.change(uri, [...head, '              k8s-app: kube-dns', '      ports:', '        - protocol: UDP', '          port: '].join('\n'));
    const ports = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 17, character: 16 } });
    assert.deepEqual(ports.map((i) => [i.label, i.kind, i.detail]), [
      ['dns', CompletionItemKind.Constant, 'UDP 53 · 1 pod'],
      ['53', CompletionItemKind.Value, 'UDP dns, TCP dns-tcp · 1 pod'],
      ['dns-tcp', CompletionItemKind.Constant, 'TCP 53 · 1 pod'],
    ]);
    client.close(uri);
  });

  test('completion offers the policy snippets only where a document may start, once each, as snippets', async () => {
    const uri = client.uri('snippets.yaml');
    client.open(uri, 'apiVersion: v1\nkind: ConfigMap\n---\nnet');
    const items = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 3 } });
    assert.deepEqual(items.map((i) => [i.label, i.kind, i.insertTextFormat]), [
      ['netpol-default-deny', CompletionItemKind.Snippet, InsertTextFormat.Snippet],
      ['netpol-allow-dns', CompletionItemKind.Snippet, InsertTextFormat.Snippet],
      ['netpol-allow-from-namespace', CompletionItemKind.Snippet, InsertTextFormat.Snippet],
      ['netpol-allow-from-pods', CompletionItemKind.Snippet, InsertTextFormat.Snippet],
      ['netpol-ipblock-egress', CompletionItemKind.Snippet, InsertTextFormat.Snippet],
    ]);
    assert.deepEqual(items[0].textEdit && 'range' in items[0].textEdit ? items[0].textEdit.range : undefined, at(3, 0, 3));
    client.change(uri, 'apiVersion: v1\nkind: ConfigMap\nnet');
    const inside = await client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 3 } });
    assert.deepEqual(inside.filter((i) => i.kind === CompletionItemKind.Snippet), []);
    client.close(uri);
  });

  test('semantic tokens: the legend announced at initialize, tokens of standard types, following unsaved edits', async () => {
    const provider = client.initializeResult.capabilities.semanticTokensProvider;
    assert.ok(provider && 'full' in provider && provider.full === true);
    assert.deepEqual(provider.legend, { tokenTypes: ['namespace', 'property', 'string', 'number', 'enumMember'], tokenModifiers: ['declaration'] });
    const decode = (data: number[], text: string) => {
      const lines = text.split('\n');
      const out: string[] = [];
      let line = 0;
      let character = 0;
      for (let i = 0; i < data.length; i += 5) {
        line += data[i];
        character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
        const modifiers = data[i + 4] ? '*' : '';
        out.push(`${line}:${character} ${provider.legend.tokenTypes[data[i + 3]]}${modifiers} ${lines[line].slice(character, character + data[i + 2])}`);
      }
      return out;
    };
    const text = client.read('policies.yaml');
    const full = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: policies } });
    assert.deepEqual(decode(full.data, text).slice(0, 10), [
      '4:13 namespace production',
      '8:6 enumMember Ingress',
      '9:6 enumMember Egress',
      '15:13 namespace production',
      '19:6 property app',
      '19:11 string postgresql',
      '24:14 property app',
      '24:19 string api-server',
      '26:20 enumMember TCP',
      '27:16 number 5432',
    ]);
    // An unsaved edit moves the tokens with the text.
    const edited = `# a comment\n${text}`;
    client.open(policies, edited);
    const after = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: policies } });
    assert.deepEqual(decode(after.data, edited)[0], '5:13 namespace production');
    client.close(policies);
    // A Namespace declares its name and labels.
    const namespaces = await client.request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: client.uri('namespaces.yaml') } });
    assert.deepEqual(decode(namespaces.data, client.read('namespaces.yaml')).slice(0, 3), ['3:8 namespace* production', '5:4 property* team', '5:10 string* shop']);
  });

  test('answers follow edits of another file without reopening', async () => {
    const text = client.read('workloads.yaml');
    client.open(workloads, text);
    // The replica's pods lose the app=postgresql label.
    const replicaLabel = '        app: postgresql\n        role: replica';
    assert.ok(text.includes(replicaLabel));
    client.change(workloads, text.replace(replicaLabel, '        app: postgresql-standby\n        role: replica'));
    const hover = await hoverAt(policies, 'policies.yaml', 'name: db-al‸low');
    assert.match((hover!.contents as MarkupContent).value, /Isolates ingress of 1 pod in production \(postgresql\)\./);
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: policies } });
    assert.equal(lenses[1].command?.title, 'selects 1 pod · ingress from 1 pod');
    // Lenses shown in other editors are stale after an edit: the server asks the client to refresh them.
    const refreshesBefore = client.serverRequests.filter((r) => r.method === 'workspace/codeLens/refresh').length;
    client.change(workloads, text.replace(replicaLabel, '        app: postgresql-other\n        role: replica'));
    await client.waitUntil(
      () => client.serverRequests.filter((r) => r.method === 'workspace/codeLens/refresh').length > refreshesBefore || undefined,
      'a workspace/codeLens/refresh request',
    );
    client.change(workloads, text);
    const restored = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: policies } });
    assert.equal(restored[1].command?.title, 'selects 2 pods · ingress from 1 pod');
    client.close(workloads);
  });

  test('a workload hover after an edit of its document answers for the edited text (the server prepares its reach while idle)', async () => {
    const text = client.read('workloads.yaml');
    const edited = text.replace('        app: postgresql\n        role: replica', '        app: postgresql-standby\n        role: replica');
    assert.notEqual(edited, text);
    client.open(workloads, text);
    const since = client.mark();
    client.change(workloads, edited);
    await client.waitForCurrentDiagnostics(workloads, since);
    // Past the server's idle delay (20 ms), so the hover reads what was prepared.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const served = await hoverAt(workloads, 'workloads.yaml', 'name: postgresql-rep‸lica');
    // The same hover from an engine workspace of the edited files, built fresh.
    const engine = new Workspace();
    for (const name of fs.readdirSync(dir)) engine.setFile(client.uri(name), name === 'workloads.yaml' ? edited : client.read(name));
    const offset = edited.indexOf('name: postgresql-replica') + 'name: postgresql-rep'.length;
    const fresh = hover(engine, workloads, offset);
    assert.ok(served && fresh);
    assert.equal((served.contents as MarkupContent).value, fresh.markdown);
    // Before the edit, db-allow selected the replica too and admitted the api-server.
    assert.match(fresh.markdown, /Selected by 1 policy: \[production\/default-deny\]/);
    assert.match(fresh.markdown, /\*\*May be reached from\*\* 0 of 5 workloads/);
    client.change(workloads, text);
    client.close(workloads);
  });

  test('document symbols of a multi-document file and workspace symbol search', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: policies } });
    assert.deepEqual(
      symbols.map((s) => `${s.name} (${s.detail}) [${s.children?.map((c) => c.name).join(', ')}]`),
      [
        'default-deny (NetworkPolicy · production) [podSelector]',
        'db-allow (NetworkPolicy · production) [podSelector, ingress[0]]',
        'api-allow (NetworkPolicy · production) [podSelector, ingress[0], egress[0], egress[1]]',
        'frontend-allow (NetworkPolicy · production) [podSelector, ingress[0], egress[0]]',
        'metrics-typo (NetworkPolicy · production) [podSelector, ingress[0]]',
      ],
    );
    assert.deepEqual(symbols[1].selectionRange, at(14, 8, 16));
    const found = await client.request<SymbolInformation[]>('workspace/symbol', { query: 'pg' });
    assert.deepEqual(
      found.map((s) => [s.name, s.containerName, s.location.uri, s.location.range.start.line]),
      [
        ['postgresql', 'StatefulSet · production', workloads, 28],
        ['postgresql-replica', 'StatefulSet · production', workloads, 50],
      ],
    );
  });
});
