// Shared helpers of the extension host tests: the activated extension, fixture files, waiting for diagnostics.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { NetpolExtensionApi } from '../../../src/extension';

export const EXTENSION_ID = 'netpol.netpol';

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return folder.uri;
}

export function fixture(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

let api: Promise<NetpolExtensionApi> | undefined;

/** Activates the extension (as opening a YAML file would) and waits until the initial indexing finished. */
export function extensionApi(): Promise<NetpolExtensionApi> {
  api ??= (async () => {
    const extension = vscode.extensions.getExtension<NetpolExtensionApi>(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this extension host`);
    const exports = await extension.activate();
    await exports.ready;
    await withTimeout(exports.indexed, 30_000, 'the initial indexing');
    return exports;
  })();
  return api;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value (not undefined/false), or fails with the last state. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export function netpolDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'netpol');
}

export function diagnosticCode(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return typeof code === 'object' ? String(code.value) : String(code);
}

export async function open(relative: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(fixture(relative));
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Puts the file's text on disk back into the (open) document, through an edit the language server sees. */
export async function restoreFromDisk(document: vscode.TextDocument): Promise<void> {
  const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri));
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), original);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the restoring edit applies');
}

/** Throws away unsaved changes of the active editor and closes it. */
export async function revertAndClose(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

/** Closes every editor, throwing away unsaved changes (a save prompt would block the test run). */
export async function closeAll(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const dirty = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.isDirty && t.input instanceof vscode.TabInputText);
    if (!dirty) break;
    await vscode.window.showTextDocument((dirty.input as vscode.TabInputText).uri, { preview: false });
    await revertAndClose();
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** Joins lines with `\n` and a final newline: expected documents read like the YAML they stand for. */
export function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}
