// Folders that appear on disk while the workspace is open (a generator writing into new sub-folders, a folder moved in
// from outside): every manifest in them reaches the index, whatever events the workbench's file watcher reports.
// Runs last (its name): it adds some 2,000 files to the workspace, and takes them away again at the end.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { StatusRequest, WorkspaceFilesRequest } from '../../../../server/src/lsp/protocol';
import { EXTENSION_ID, eventually, extensionApi, workspaceRoot } from './helpers';

/** The generator of ../shared/bench, next to the repository (the extension's development path). */
function generator(): string {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, 'the extension is installed');
  const script = path.resolve(extension.extensionPath, '../shared/bench/gen-workspace.mjs');
  assert.ok(fs.existsSync(script), `the workspace generator ${script} is missing (../shared must be present)`);
  return script;
}

/**
 * Documents the index holds that are not files on disk (editors earlier tests left open): measured once before the
 * first test, and left out of `indexed`.
 */
let notOnDisk = 0;

async function counts(): Promise<{ indexed: number; onDisk: number }> {
  const client = (await extensionApi()).client();
  assert.ok(client, 'the language client runs');
  const status = await client.sendRequest(StatusRequest);
  const files = await client.sendRequest(WorkspaceFilesRequest);
  return { indexed: status.files - notOnDisk, onDisk: files.length };
}

/** Waits until the index holds every file on disk, and that count is `expected`; fails with the last counts. */
async function indexMatchesDisk(expected: number, what: string): Promise<void> {
  let last: { indexed: number; onDisk: number } | undefined;
  try {
    await eventually(what, async () => {
      last = await counts();
      return last.onDisk === expected && last.indexed === expected;
    }, 60_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}: the index holds ${last?.indexed} files, ${last?.onDisk} are on disk, expected ${expected}`);
  }
}

describe('folders created on disk while the workspace is open', function () {
  this.timeout(240_000);
  const root = () => workspaceRoot().fsPath;
  const generated = () => path.join(root(), 'generated-medium');
  const moved = () => path.join(root(), 'moved-in');
  const outside = () => path.join(path.dirname(root()), 'outside-generated');

  let baseline = 0;

  after(() => {
    for (const dir of [generated(), moved(), outside()]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('indexes every file a generator writes into new sub-folders of the open folder', async () => {
    await extensionApi();
    const open = await counts();
    // Earlier tests may leave documents open that are not files (untitled editors): the index holds them too.
    const notFiles = vscode.workspace.textDocuments.filter((d) => d.uri.scheme !== 'file').length;
    notOnDisk = open.indexed - open.onDisk;
    assert.ok(notOnDisk >= 0 && notOnDisk <= notFiles, `the index holds the fixture workspace before the test: ${open.indexed} indexed, ${open.onDisk} on disk, ${notFiles} documents that are not files`);
    const before = await counts();
    baseline = before.onDisk;
    // The medium preset: ~1,966 files in some 600 new folders, written as fast as node writes them.
    execFileSync(process.execPath, [generator(), generated(), '--preset', 'medium'], { stdio: 'ignore', timeout: 120_000 });
    const written = (await counts()).onDisk - before.onDisk;
    assert.ok(written > 1_900, `the generator wrote ${written} manifests`);
    await indexMatchesDisk(before.onDisk + written, 'the index to hold the generated files');
  });

  it('indexes a folder of manifests moved into the workspace from outside (one rename)', async () => {
    const before = await counts();
    execFileSync(process.execPath, [generator(), outside(), '--preset', 'small'], { stdio: 'ignore', timeout: 60_000 });
    fs.renameSync(outside(), moved());
    const written = (await counts()).onDisk - before.onDisk;
    assert.ok(written > 100, `the moved folder holds ${written} manifests`);
    await indexMatchesDisk(before.onDisk + written, 'the index to hold the moved-in files');
  });

  it('drops the files again when the folders are deleted', async () => {
    assert.ok(baseline > 0, 'the first test ran');
    fs.rmSync(generated(), { recursive: true, force: true });
    fs.rmSync(moved(), { recursive: true, force: true });
    await indexMatchesDisk(baseline, 'the index to drop the deleted folders');
  });
});
