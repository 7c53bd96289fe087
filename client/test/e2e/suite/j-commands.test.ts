// Commands that never surprise, driven through their prompts as a user would (quick picks accepted with the
// workbench's own commands): Insert Default-Deny in a new document asks for the namespace, makes the document YAML
// and defaults to both directions with DNS; Explain Traffic preselects the current file's workload and shows its
// change in the refactor preview before anything is written.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExplainTrafficResult, WorkspaceSummary } from '../../../../server/src/lsp/protocol';
import type { InsertResult } from '../../../src/commands/insert';
import { closeAll, eventually, extensionApi, fixture, open, sleep } from './helpers';

/** Accepts the active item of the quick pick that is open (one shows up within the pause). */
async function accept(pause = 1200): Promise<void> {
  await sleep(pause);
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

describe('commands that never surprise', () => {
  before(extensionApi);
  after(closeAll);

  it('Insert Default-Deny in a new document asks for the namespace, sets YAML, and defaults to both directions with DNS', async () => {
    const document = await vscode.workspace.openTextDocument({ content: '' });
    assert.equal(document.languageId, 'plaintext');
    await vscode.window.showTextDocument(document);
    const client = (await extensionApi()).client()!;
    const summary = await client.sendRequest<WorkspaceSummary>('netpol/workspaceSummary', {});
    const pending = vscode.commands.executeCommand<InsertResult | undefined>('netpol.insertDefaultDeny');
    await accept(); // direction: the first item, both directions
    await accept(); // DNS: the first item, allow DNS
    // Namespace: the second of the workspace's namespaces, to show that the choice is asked for and taken.
    await sleep(1500);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await accept(300);
    // The engine's check says what the policy isolates: a confirmation comes when there is something to say.
    await accept();
    const result = await pending;
    assert.ok(result, 'a policy was inserted');
    const namespaces = new Set([...summary.namespaces.map((n) => n.name), ...summary.workloads.map((w) => w.namespace)]);
    assert.ok(namespaces.has(result.namespace), `${result.namespace} is one of the workspace's namespaces`);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), document.uri.toString());
    assert.equal(editor.document.languageId, 'yaml', 'the new document became YAML');
    const text = editor.document.getText();
    assert.match(text, new RegExp(`\\n  name: default-deny-all\\n  namespace: ${result.namespace}\\n`));
    assert.match(text, /policyTypes:\n {4}- Ingress\n {4}- Egress\n/);
    assert.match(text, /k8s-app: kube-dns/, 'DNS egress was offered first and kept');
    const isolated = result.check.newlyIsolated.map((i) => i.workload);
    const inNamespace = summary.workloads.filter((w) => w.namespace === result.namespace).map((w) => w.id);
    for (const id of isolated) assert.ok(inNamespace.includes(id), `${id} is in ${result.namespace}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Insert Allow-DNS Egress says which workloads it newly isolates for egress before inserting (cancel leaves the file alone)', async () => {
    const editor = await open('scratch/empty.yaml');
    const before = editor.document.getText();
    const cancelled = vscode.commands.executeCommand<InsertResult | undefined>('netpol.insertAllowDns', { namespace: 'shop', confirm: true });
    await sleep(1500);
    await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext'); // "Cancel"
    await accept(300);
    assert.equal(await cancelled, undefined);
    assert.equal(editor.document.getText(), before, 'nothing inserted');
    const confirmed = vscode.commands.executeCommand<InsertResult | undefined>('netpol.insertAllowDns', { namespace: 'shop', confirm: true });
    await accept(); // "Insert", whose detail names the workloads and what they lose
    const result = await confirmed;
    assert.ok(result);
    const egress = result.check.newlyIsolated.filter((i) => i.direction === 'egress').map((i) => i.workload).sort();
    assert.deepEqual(egress, ['shop/api', 'shop/db', 'shop/web']);
    assert.ok(result.check.newlyIsolated.every((i) => i.direction === 'egress'));
    assert.match(result.check.summary, /^Newly isolates shop\/api for egress, losing /);
    assert.ok(result.check.newlyIsolated.find((i) => i.workload === 'shop/web')!.loses.includes('shop/api 9090/TCP'), 'web loses its way to api');
    assert.match(vscode.window.activeTextEditor!.document.getText(), /name: allow-dns-egress/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Explain Traffic preselects the workload of the current file and previews "Allow exactly this connection"', async () => {
    const policiesUri = fixture('shop/policies.yaml');
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(policiesUri));
    const editor = await open('shop/workloads.yaml');
    editor.selection = new vscode.Selection(3, 8, 3, 8); // on `name: web`
    const pending = vscode.commands.executeCommand<ExplainTrafficResult>('netpol.explainTraffic', { to: 'shop/db', port: 5432 });
    await accept(); // the source: the workload under the cursor comes first
    const result = await pending;
    assert.ok(result?.found, 'a verdict');
    assert.equal(result.from, 'shop/web', 'the current file’s workload was preselected');
    assert.equal(result.allowed, false);
    assert.equal(result.changes.length, 1);
    assert.ok(result.check, 'the change was checked by the engine');
    assert.deepEqual(result.check.newFindings, []);
    try {
      await accept(); // "Allow exactly this connection": opens the refactor preview, writes nothing yet
      await sleep(1500);
      const document = await vscode.workspace.openTextDocument(policiesUri);
      assert.doesNotMatch(document.getText(), /allow-web-to-db-5432-tcp-ingress/, 'nothing is written before the preview is applied');
      // Parts that need confirmation start unchecked in the preview: the author ticks the new policy, then applies.
      for (const command of ['refactorPreview.focus', 'list.focusFirst', 'refactorPreview.toggleCheckedState']) {
        await vscode.commands.executeCommand(command);
        await sleep(300);
      }
      await vscode.commands.executeCommand('refactorPreview.apply');
      await eventually('the previewed policy in shop/policies.yaml', () => /name: allow-web-to-db-5432-tcp-ingress\n/.test(document.getText()));
      assert.ok(document.isDirty, 'applied in the editor, left unsaved for review');
      await eventually('the connection allowed', async () => {
        const again = await vscode.commands.executeCommand<ExplainTrafficResult>('netpol.explainTraffic', { from: 'shop/web', to: 'shop/db', port: 5432, show: false });
        return again.found && again.allowed;
      });
    } finally {
      // The preview may save what it applied: the file goes back to its text on disk and in the editor.
      await vscode.workspace.fs.writeFile(policiesUri, new TextEncoder().encode(original));
      const document = await vscode.workspace.openTextDocument(policiesUri);
      if (document.getText() !== original) {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(policiesUri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), original);
        await vscode.workspace.applyEdit(edit);
        await document.save();
      }
      await closeAll();
    }
  });
});
