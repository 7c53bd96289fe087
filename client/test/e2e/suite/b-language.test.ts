// Language features through VS Code's own providers: diagnostics, hover, quick fix.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, diagnosticCode, eventually, extensionApi, fixture, lines, netpolDiagnostics, open, restoreFromDisk } from './helpers';

describe('language features', () => {
  before(async () => {
    await extensionApi();
  });
  after(closeAll);

  it('publishes selector-matches-nothing for the policy of app=cache', async () => {
    const editor = await open('shop/policies.yaml');
    const diagnostic = await eventually('the diagnostic', () =>
      netpolDiagnostics(editor.document.uri).find((d) => diagnosticCode(d) === 'selector-matches-nothing'),
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(diagnostic.range.start.line, 56, 'on spec.podSelector of cache-from-api (line 57)');
    assert.match(diagnostic.message, /app=cache/);
    assert.match(diagnostic.message, /shop/);
  });

  it('publishes missing-dns-egress on a file that was never opened', async () => {
    const uri = fixture('monitoring/prometheus-egress.yaml');
    const diagnostic = await eventually('the diagnostic', () => netpolDiagnostics(uri).find((d) => diagnosticCode(d) === 'missing-dns-egress'));
    assert.match(diagnostic.message, /monitoring\/prometheus/);
  });

  it('hover on a podSelector lists the pods it matches', async () => {
    const editor = await open('shop/policies.yaml');
    // `app: api` under spec.podSelector.matchLabels of api-from-web (line 19).
    const position = new vscode.Position(18, 8);
    assert.match(editor.document.lineAt(18).text, /app: api/);
    const text = await eventually('a hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, position);
      const t = (hovers ?? []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      return t.includes('shop/api') ? t : undefined;
    }, 10_000);
    assert.match(text, /shop\/api/);
    assert.doesNotMatch(text, /shop\/web/, 'web is not selected by app=api');
  });

  it('the DNS quick fix adds a DNS egress rule and the diagnostic goes away', async () => {
    const editor = await open('monitoring/prometheus-egress.yaml');
    const uri = editor.document.uri;
    const diagnostic = await eventually('missing-dns-egress', () => netpolDiagnostics(uri).find((d) => diagnosticCode(d) === 'missing-dns-egress'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /allowing DNS/.test(a.title));
    assert.ok(fix?.edit, `a DNS quick fix among: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(
      editor.document.getText(),
      lines(
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: prometheus-egress',
        '  namespace: monitoring',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app.kubernetes.io/name: prometheus',
        '  policyTypes:',
        '    - Egress',
        '  egress:',
        '    - to:',
        '        - namespaceSelector:',
        '            matchLabels:',
        '              kubernetes.io/metadata.name: shop',
        '      ports:',
        '        - protocol: TCP',
        '          port: 8080',
        '    - to:',
        '        - namespaceSelector:',
        '            matchLabels:',
        '              kubernetes.io/metadata.name: kube-system',
        '          podSelector:',
        '            matchLabels:',
        '              k8s-app: kube-dns',
        '      ports:',
        '        - protocol: UDP',
        '          port: 53',
        '        - protocol: TCP',
        '          port: 53',
      ),
    );
    await eventually('the diagnostic to clear', () => !netpolDiagnostics(uri).some((d) => diagnosticCode(d) === 'missing-dns-egress'));
    await restoreFromDisk(editor.document);
    await eventually('the diagnostic to return after undoing the fix', () => netpolDiagnostics(uri).some((d) => diagnosticCode(d) === 'missing-dns-egress'));
  });
});
