// Connectivity tests (*.netpol-test.yaml) in the editor: a failing expectation gets a diagnostic naming the policy
// that decides it, with related information, and the test gets a lens with its counts; both follow policy edits.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAll, diagnosticCode, eventually, extensionApi, fixture, lines, netpolDiagnostics } from './helpers';

const TEST_FILE = 'scratch/flows.netpol-test.yaml';

describe('connectivity tests', () => {
  before(extensionApi);
  after(async () => {
    await closeAll();
    await vscode.workspace.fs.delete(fixture(TEST_FILE)).then(undefined, () => undefined);
  });

  it('marks a failing expectation with the deciding policy and counts the test in a lens', async () => {
    const uri = fixture(TEST_FILE);
    await vscode.workspace.fs.writeFile(
      uri,
      Buffer.from(
        lines(
          'apiVersion: netpol.dev/v1alpha1',
          'kind: ConnectivityTest',
          'metadata:',
          '  name: shop-flows',
          'spec:',
          '  groups:',
          '    web: {workload: shop/Deployment/web}',
          '    api: {workload: shop/Deployment/api}',
          '    db: {namespace: shop, labels: {app: db}}',
          '  expectations:',
          '    - name: web calls the api',
          '      from: web',
          '      to: api',
          '      ports: [9090]',
          '      verdict: allow',
          '    - name: web reads the database',
          '      from: web',
          '      to: db',
          '      ports: [5432]',
          '      verdict: allow',
          '',
        ),
      ),
    );
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });

    const failure = await eventually('the failing expectation', () =>
      netpolDiagnostics(uri).find((d) => diagnosticCode(d) === 'connectivity-test-failed'),
    );
    assert.equal(netpolDiagnostics(uri).filter((d) => diagnosticCode(d) === 'connectivity-test-failed').length, 1, 'only web -> db fails');
    assert.equal(failure.range.start.line, document.getText().split('\n').findIndex((l) => l.includes('web reads the database')));
    assert.match(failure.message, /web reads the database/);
    assert.match(failure.message, /shop\/db-from-api/, 'names the policy that isolates db');
    assert.ok(
      (failure.relatedInformation ?? []).some((r) => r.location.uri.fsPath.endsWith('policies.yaml')),
      'related information points into the policy file',
    );

    const lens = await eventually('the test lens', async () => {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10)) ?? [];
      return lenses.map((l) => l.command?.title ?? '').find((t) => /1 passed/.test(t) && /1 failed/.test(t));
    });
    assert.match(lens, /^✗/);
  });
});
