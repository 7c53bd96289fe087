// The extension activates in a real VS Code, starts the bundled server over IPC and reports the analysis.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, eventually, extensionApi, open } from './helpers';

describe('activation', () => {
  it('activates on a YAML file and starts the language server', async () => {
    await open('shop/workloads.yaml');
    const api = await extensionApi();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive);
    assert.equal(api.client()?.isRunning(), true);
    console.log(`    VS Code ${vscode.version}`);
  });

  it('shows policies and workloads in the status bar, each number with its word, and leaves findings to Problems (issue 21)', async () => {
    const api = await extensionApi();
    // The fixture holds 5 policies and 4 workloads; the Problems item of the status bar counts the findings.
    const findings = () => vscode.languages.getDiagnostics().reduce((n, [, ds]) => n + ds.filter((d) => d.source === 'netpol').length, 0);
    await eventually('the status bar counts', () => findings() > 0 && api.statusText() === '$(shield) 5 policies · 4 workloads', 30_000).catch((e: Error) =>
      assert.fail(`${e.message}; status bar shows "${api.statusText()}"`),
    );
  });

  it('contributes every command under the NetworkPolicy category', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'netpol.insertDefaultDeny',
      'netpol.insertAllowDns',
      'netpol.insertFromTemplate',
      'netpol.generateLeastPrivilegePolicy',
      'netpol.explainTraffic',
      'netpol.showReachability',
      'netpol.restartServer',
      'netpol.showLocations',
      'netpol.showPolicyPods',
    ]) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
  });
});
