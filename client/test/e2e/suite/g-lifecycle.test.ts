// Restarting the server (command and crash handling) and the workspace-trust declaration.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CloseAction } from 'vscode-languageclient/node';
import { MAX_RESTARTS, RestartLimiter } from '../../../src/languageClient';
import { diagnosticCode, EXTENSION_ID, eventually, extensionApi, fixture, netpolDiagnostics } from './helpers';

describe('server lifecycle', () => {
  it('restarts a crashed server at most MAX_RESTARTS times in the window, then stops', () => {
    const output = vscode.window.createOutputChannel('netpol-test');
    let now = 0;
    const limiter = new RestartLimiter(output, () => now);
    for (let i = 0; i < MAX_RESTARTS; i++) {
      now += 1_000;
      assert.equal(limiter.closed().action, CloseAction.Restart, `restart ${i + 1}`);
    }
    now += 1_000;
    const last = limiter.closed();
    assert.equal(last.action, CloseAction.DoNotRestart);
    assert.match(last.message ?? '', /Restart Language Server/);
    // Restarts long ago no longer count.
    now += 10 * 60_000;
    assert.equal(limiter.closed().action, CloseAction.Restart);
    output.dispose();
  });

  it('"Restart Language Server" brings the analysis back', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('netpol.restartServer');
    await eventually('the client to run again', () => api.client()?.isRunning());
    const uri = fixture('shop/policies.yaml');
    await eventually('diagnostics after the restart', () => netpolDiagnostics(uri).some((d) => diagnosticCode(d) === 'selector-matches-nothing'), 30_000);
    await eventually('the status bar to show counts again', () => /^\$\(shield\) 5 · /.test(api.statusText()) || undefined, 30_000);
  });

  it('declares support for untrusted workspaces (the analysis runs no workspace code)', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { capabilities?: { untrustedWorkspaces?: { supported?: unknown } } };
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, true);
  });
});
