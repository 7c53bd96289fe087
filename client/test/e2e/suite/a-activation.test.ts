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

  it('shows policies, workloads and findings in the status bar', async () => {
    const api = await extensionApi();
    // The fixture holds 5 policies and 4 workloads; findings are the netpol diagnostics VS Code holds.
    const findings = () => vscode.languages.getDiagnostics().reduce((n, [, ds]) => n + ds.filter((d) => d.source === 'netpol').length, 0);
    await eventually('the status bar counts', () => {
      const expected = `$(shield) 5 · $(server-process) 4 · $(warning) ${findings()}`;
      return findings() > 0 && api.statusText() === expected;
    }, 30_000).catch((e: Error) => assert.fail(`${e.message}; status bar shows "${api.statusText()}", VS Code holds ${findings()} findings`));
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
