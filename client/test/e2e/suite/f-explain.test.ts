// Explain traffic, the smallest policy change for a denied connection, and the reachability view following it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExplainTrafficResult } from '../../../../server/src/lsp/protocol';
import type { RenderedView } from '../../../src/reachability';
import { closeAll, extensionApi, fixture, lines, restoreFromDisk } from './helpers';

type Found = Extract<ExplainTrafficResult, { found: true }>;

async function explain(args: Record<string, unknown>): Promise<Found> {
  const result = await vscode.commands.executeCommand<ExplainTrafficResult>('netpol.explainTraffic', { show: false, ...args });
  assert.ok(result, 'a result');
  assert.ok(result.found, result.found ? '' : result.message);
  return result;
}

describe('explain traffic', () => {
  before(extensionApi);
  after(closeAll);

  it('web -> api on 9090/TCP is allowed by rule 1 of api-from-web', async () => {
    const result = await explain({ from: 'shop/web', to: 'shop/api', port: 9090, protocol: 'TCP' });
    assert.equal(result.allowed, true);
    assert.equal(result.egress.isolated, false);
    assert.equal(result.ingress.isolated, true);
    assert.deepEqual(result.ingress.rules.map((r) => `${r.policy}#${r.index}`), ['shop/api-from-web#0']);
    const link = result.ingress.rules[0].location;
    assert.equal(link.uri, fixture('shop/policies.yaml').toString());
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(link.uri));
    assert.match(document.lineAt(link.range.start.line).text, /- from:/, 'the link points at the rule');
    assert.deepEqual(result.changes, []);
  });

  it('web -> db on 5432/TCP is denied, and the fix is one ingress policy for exactly that connection', async () => {
    const result = await explain({ from: 'shop/web', to: 'shop/db', port: 5432 });
    assert.equal(result.allowed, false);
    assert.equal(result.ingress.allowed, false);
    assert.deepEqual(result.ingress.policies.map((p) => p.name).sort(), ['shop/db-from-api', 'shop/default-deny-ingress']);
    assert.equal(result.changes.length, 1);
    const [change] = result.changes;
    assert.equal(change.direction, 'ingress');
    assert.equal(change.suggestedUri, fixture('shop/policies.yaml').toString());
    assert.equal(
      change.yaml,
      lines(
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: allow-web-to-db-5432-tcp-ingress',
        '  namespace: shop',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app: db',
        '  policyTypes:',
        '    - Ingress',
        '  ingress:',
        '    - from:',
        '        - podSelector:',
        '            matchLabels:',
        '              app: web',
        '      ports:',
        '        - protocol: TCP',
        '          port: 5432',
      ),
    );
  });

  it('an address outside the cluster: the fix is an ipBlock peer', async () => {
    const result = await explain({ from: '203.0.113.7', to: 'shop/web', port: 8080 });
    assert.equal(result.allowed, false);
    assert.equal(result.changes.length, 1);
    assert.match(result.changes[0].yaml, /- ipBlock:\n {12}cidr: 203\.0\.113\.7\/32\n/);
  });

  it('reports unknown workloads instead of failing', async () => {
    const result = await vscode.commands.executeCommand<ExplainTrafficResult>('netpol.explainTraffic', { from: 'shop/nope', to: 'shop/web', port: 80, show: false });
    assert.equal(result.found, false);
  });

  it('applying the fix allows the connection, and the reachability view follows the edit', async () => {
    const denied = await explain({ from: 'shop/web', to: 'shop/db', port: 5432 });
    const before = await vscode.commands.executeCommand<RenderedView>('netpol.showReachability', { namespace: '', port: '', view: 'graph' });
    assert.ok(!before.edges.includes('shop/web->shop/db'));
    const applied = await vscode.commands.executeCommand<{ uris: string[] }>('netpol.applyPolicyChanges', { changes: denied.changes });
    assert.deepEqual(applied.uris, [fixture('shop/policies.yaml').toString()]);
    const document = await vscode.workspace.openTextDocument(fixture('shop/policies.yaml'));
    assert.ok(document.isDirty, 'the change is left unsaved for review');
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(document.isDirty, 'and stays unsaved (no refactoring auto-save)');
    assert.match(document.getText(), /\n---\napiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\nmetadata:\n {2}name: allow-web-to-db-5432-tcp-ingress\n/);
    const allowed = await explain({ from: 'shop/web', to: 'shop/db', port: 5432 });
    assert.equal(allowed.allowed, true);
    assert.deepEqual(allowed.ingress.rules.map((r) => r.policy), ['shop/allow-web-to-db-5432-tcp-ingress']);
    const panel = (await extensionApi()).reachabilityPanel();
    assert.ok(panel, 'the view is still open');
    const after = await panel.waitForRender((v) => v.edges.includes('shop/web->shop/db'), 20_000);
    assert.equal(after.edges.length, 6);
    // Undo the change in the editor: the edge goes away again.
    await restoreFromDisk(document);
    await panel.waitForRender((v) => !v.edges.includes('shop/web->shop/db'), 20_000);
  });
});
