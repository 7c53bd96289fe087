// Restarting the server (command and crash handling) and the workspace-trust declaration.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
    await eventually('the status bar to show counts again', () => /^\$\(shield\) 5 policies · /.test(api.statusText()) || undefined, 30_000);
  });

  it('keeps the readings cache in the extension\'s global storage: a server that finds none writes it after indexing', async () => {
    const api = await extensionApi();
    // A function since the options carry the workspace's trust as it is when the server starts.
    const raw = api.client()?.clientOptions.initializationOptions as unknown;
    const options = (typeof raw === 'function' ? raw() : raw) as { cacheDirectory?: unknown } | undefined;
    const cacheDirectory = options?.cacheDirectory;
    assert.ok(typeof cacheDirectory === 'string', 'the client names a cache folder');
    assert.equal(path.basename(cacheDirectory).toLowerCase(), EXTENSION_ID.toLowerCase(), 'the extension\'s global storage');
    // Files changed within 5 s of their reading are not cached: wait until the workload file is older than that.
    const workloads = fixture('shop/workloads.yaml').fsPath;
    await eventually('the fixture to be older than the racy margin', () => Date.now() - Math.max(fs.statSync(workloads).mtimeMs, fs.statSync(workloads).ctimeMs) > 6_000, 10_000);
    const caches = () => (fs.existsSync(cacheDirectory) ? fs.readdirSync(cacheDirectory).filter((f) => /^readings-[0-9a-f]+\.cache$/.test(f)) : []);
    // The restart above wrote one already: removed, the restarted server must find none and write it again (while
    // idle, two seconds after its index).
    for (const f of caches()) fs.rmSync(path.join(cacheDirectory, f));
    await vscode.commands.executeCommand('netpol.restartServer');
    await eventually('the client to run again', () => api.client()?.isRunning());
    const written = await eventually('a readings cache in the global storage', () => caches().length > 0 && caches());
    const text = fs.readFileSync(path.join(cacheDirectory, written[0]), 'latin1');
    assert.ok(text.includes(workloads), 'the cache holds the workload file');
    await eventually('the status bar to show counts again', () => /^\$\(shield\) 5 policies · /.test(api.statusText()) || undefined, 30_000);
  });

  it('declares limited support for untrusted workspaces (the analysis runs no program there; rendering with helm or kubectl needs trust)', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: unknown } } };
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.deepEqual(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations, ['netpol.helm.path', 'netpol.kustomize.path']);
  });
});
