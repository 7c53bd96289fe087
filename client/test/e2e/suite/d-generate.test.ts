// Generate a least-privilege policy for the workload under the cursor.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GenerateResult } from '../../../src/commands/generate';
import { closeAll, extensionApi, lines, open } from './helpers';

describe('generate least-privilege policy', () => {
  before(extensionApi);
  after(closeAll);

  it('for the Deployment under the cursor: its port from the clients whose egress names it, DNS and what admits it out, never an open from', async () => {
    const editor = await open('shop/workloads.yaml');
    assert.match(editor.document.lineAt(3).text, /name: web/);
    const result = await vscode.commands.executeCommand<GenerateResult>('netpol.generateLeastPrivilegePolicy', { position: { line: 3, character: 8 } });
    assert.ok(result, 'a result');
    assert.equal(result.workload, 'shop/web');
    const active = vscode.window.activeTextEditor!.document;
    assert.equal(active.uri.scheme, 'untitled');
    assert.equal(active.languageId, 'yaml');
    assert.equal(active.uri.toString(), result.uri);
    assert.equal(
      active.getText(),
      lines(
        '# Least-privilege NetworkPolicy for shop/web, from what the workspace shows it needs:',
        '#   ingress 8080/TCP: from the peers that existing rules allow (1)',
        '#   egress: DNS to kube-system',
        '#   egress: shop/api 9090/TCP, whose ingress admits it',
        '# Checked against the workspace: Newly isolates shop/web for egress, losing monitoring/prometheus 9090/TCP, outside the cluster.',
        '# Review it, then add this document to your manifests.',
        'apiVersion: networking.k8s.io/v1',
        'kind: NetworkPolicy',
        'metadata:',
        '  name: web-least-privilege',
        '  namespace: shop',
        'spec:',
        '  podSelector:',
        '    matchLabels:',
        '      app: web',
        '  policyTypes:',
        '    - Ingress',
        '    - Egress',
        '  ingress:',
        '    - from:',
        '        - namespaceSelector:',
        '            matchLabels:',
        '              kubernetes.io/metadata.name: monitoring',
        '          podSelector:',
        '            matchLabels:',
        '              app.kubernetes.io/name: prometheus',
        '      ports:',
        '        - protocol: TCP',
        '          port: 8080',
        '  egress:',
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
        '    - to:',
        '        - podSelector:',
        '            matchLabels:',
        '              app: api',
        '      ports:',
        '        - protocol: TCP',
        '          port: 9090',
      ),
    );
  });

  it('by workload id, for a StatefulSet (the selector narrows to the labels that pick only its pods)', async () => {
    const result = await vscode.commands.executeCommand<GenerateResult>('netpol.generateLeastPrivilegePolicy', { workload: 'shop/db' });
    assert.ok(result);
    assert.match(result.text, /name: db-least-privilege/);
    assert.match(result.text, /podSelector:\n {4}matchLabels:\n {6}app: db\n/);
    assert.match(result.text, /port: 5432/);
  });

  it('says so when the cursor is on no workload', async () => {
    await open('shop/policies.yaml');
    const result = await vscode.commands.executeCommand('netpol.generateLeastPrivilegePolicy', { position: { line: 2, character: 0 } });
    assert.equal(result, undefined);
  });
});
