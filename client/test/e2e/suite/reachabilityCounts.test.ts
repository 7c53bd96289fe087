// Counts and views that agree (issue 21): for a scripted change, the code lens on the changed policy, the status bar
// item and the Reachability Changes tree give the same numbers, a new allow rule that another policy still blocks
// counts for nothing, and a document opened with content (no keystroke) is compared at once.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ReachabilityChangesSnapshot } from '../../../src/diff';
import type { RenderedNode } from '../../../src/diff/view';
import { closeAll, eventually, extensionApi, fixture, lines, restoreFromDisk } from './helpers';

const LABEL = 'counts-base';

async function show(args: Record<string, unknown> = {}): Promise<ReachabilityChangesSnapshot> {
  const snapshot = await vscode.commands.executeCommand<ReachabilityChangesSnapshot>('netpol.showReachabilityChanges', args);
  assert.ok(snapshot, 'the command returns what the view shows');
  return snapshot;
}

/** The base: every manifest of the workspace as it is on disk. */
async function diskBase(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const uri of await vscode.workspace.findFiles('**/*.{yaml,yml}')) files[uri.toString()] = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  return files;
}

async function lensTitles(uri: vscode.Uri): Promise<{ line: number; title: string }[]> {
  const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
  return lenses.filter((l) => l.command?.title.startsWith('vs ')).map((l) => ({ line: l.range.start.line, title: l.command!.title }));
}

/** `+1 added, −0 removed, ~0 changed` read back into numbers, from whichever view shows it. */
function numbers(text: string | undefined): { added: number; removed: number; changed: number } {
  const m = /\+(\d+) added, −(\d+) removed, ~(\d+) changed/.exec(text ?? '');
  assert.ok(m, `counts in "${text}"`);
  return { added: Number(m[1]), removed: Number(m[2]), changed: Number(m[3]) };
}

function category(tree: RenderedNode[], label: string): number {
  return Number(tree.find((n) => n.label === label)?.description ?? 0);
}

function outline(nodes: RenderedNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [`${'  '.repeat(depth)}${n.label}${n.description ? ` [${n.description}]` : ''}`, ...outline(n.children, depth + 1)]);
}

const PROMETHEUS_TO_API_9090 = lines(
  '---',
  'apiVersion: networking.k8s.io/v1',
  'kind: NetworkPolicy',
  'metadata:',
  '  name: api-from-prometheus',
  '  namespace: shop',
  'spec:',
  '  podSelector:',
  '    matchLabels:',
  '      app: api',
  '  ingress:',
  '    - from:',
  '        - namespaceSelector:',
  '            matchLabels:',
  '              kubernetes.io/metadata.name: monitoring',
  '      ports:',
  '        - protocol: TCP',
  '          port: 9090',
);

describe('reachability counts: lens, status bar and tree agree (issue 21)', () => {
  before(async () => {
    await extensionApi();
    await closeAll();
  });

  after(async () => {
    await closeAll();
    await show({ base: 'git' });
  });

  it('counts a change for the policy that decides it, in the same numbers in all three views', async () => {
    // The base is the workspace on disk; files an earlier test removed may take a moment to leave the server's index.
    const base = await diskBase();
    let shown: string[] = [];
    await eventually('nothing changed yet', async () => (shown = outline((await show({ base, label: LABEL })).tree)).length === 0).catch((e: Error) =>
      assert.fail(`${e.message}: ${shown.join(' | ')}`),
    );
    const uri = fixture('shop/policies.yaml');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
    const text = document.getText();
    // api-from-web also admits monitoring on TCP 8080 (prometheus' egress allows 8080 into shop): prometheus -> api
    // is added. api-from-prometheus (new) admits TCP 9090, which prometheus' egress still blocks: it decides nothing.
    const rule = '          port: 9090\n';
    const at = text.indexOf(rule) + rule.length;
    const edited =
      text.slice(0, at) +
      lines('    - from:', '        - namespaceSelector:', '            matchLabels:', '              kubernetes.io/metadata.name: monitoring', '      ports:', '        - protocol: TCP', '          port: 8080') +
      text.slice(at) +
      PROMETHEUS_TO_API_9090;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(text.length)), edited);
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      const lineOf = (needle: string) => document.positionAt(document.getText().indexOf(needle)).line;
      // No command: the refresh after the edit brings the lens.
      const lenses = await eventually('the lens on api-from-web', async () => {
        const found = await lensTitles(uri);
        return found.some((l) => l.line === lineOf('name: api-from-web')) ? found : undefined;
      });
      const snapshot = await show();
      assert.deepEqual(snapshot.counts, { added: 1, removed: 0, changed: 0, appeared: 0, disappeared: 0 });
      // One lens: api-from-prometheus decides nothing, so it has none (it used to count +1).
      assert.deepEqual(lenses, [{ line: lineOf('name: api-from-web'), title: `vs ${LABEL}: +1 added, −0 removed, ~0 changed` }]);
      const lens = numbers(lenses[0].title);
      const status = numbers(snapshot.status);
      const tree = { added: category(snapshot.tree, 'Added connections'), removed: category(snapshot.tree, 'Removed connections'), changed: category(snapshot.tree, 'Changed connections') };
      const policyEntry = snapshot.tree.find((n) => n.label === 'Changed policies')?.children.find((n) => n.label === 'shop/api-from-web');
      assert.ok(policyEntry, outline(snapshot.tree).join('\n'));
      assert.deepEqual(lens, status, 'lens and status bar');
      assert.deepEqual(tree, status, 'tree categories and status bar');
      assert.deepEqual(numbers(policyEntry.description), lens, "the tree's policy entry and the lens");
      // The connection lists the policy that decides it, not the one whose new rule is blocked.
      assert.deepEqual(outline(snapshot.tree).slice(0, 5), ['Added connections [1]', '  shop [1]', '    shop/api', '      ← monitoring/prometheus [TCP 8080]', '        shop/api-from-web [modified · ingress]']);
      assert.ok(!outline(snapshot.tree).some((l) => l.includes('api-from-prometheus')), 'api-from-prometheus is in no entry');
    } finally {
      await restoreFromDisk(document);
    }
    await eventually('the lens to go with the edit', async () => (await lensTitles(uri)).length === 0);
  });

  it('compares a document opened with content at once, without a keystroke (Generate, an untitled file switched to YAML)', async () => {
    await show({ base: await diskBase(), label: LABEL });
    const policy = lines(
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      '  name: web-from-prometheus',
      '  namespace: shop',
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      '      app: web',
      '  ingress:',
      '    - from:',
      '        - namespaceSelector:',
      '            matchLabels:',
      '              kubernetes.io/metadata.name: monitoring',
      '      ports:',
      '        - protocol: TCP',
      '          port: 8080',
    );
    // As Generate opens its output: an untitled YAML document with the text in it.
    const generated = await vscode.workspace.openTextDocument({ language: 'yaml', content: policy });
    await vscode.window.showTextDocument(generated, { preview: false });
    await eventually('the lens on the generated policy', async () => (await lensTitles(generated.uri)).some((l) => l.title === `vs ${LABEL}: +1 added, −0 removed, ~0 changed`));
    await closeAll();
    await eventually('the comparison to drop the closed document', async () => (await show()).tree.length === 0);

    // An untitled plain-text document, then switched to YAML.
    const plain = await vscode.workspace.openTextDocument({ language: 'plaintext', content: policy.replace('web-from-prometheus', 'web-from-prometheus-2') });
    await vscode.window.showTextDocument(plain, { preview: false });
    const yaml = await vscode.languages.setTextDocumentLanguage(plain, 'yaml');
    await eventually('the lens once the document is YAML', async () => (await lensTitles(yaml.uri)).some((l) => l.title === `vs ${LABEL}: +1 added, −0 removed, ~0 changed`));
  });
});
