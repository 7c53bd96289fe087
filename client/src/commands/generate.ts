// Generate a least-privilege policy for the workload under the cursor (or named in the arguments), opened as an
// untitled document so the author reviews it before it goes anywhere.
import * as vscode from 'vscode';
import type { NetpolServer } from '../server';
import { argObject, positionArg, stringArg, targetEditor } from './args';

export interface GenerateResult {
  workload: string;
  uri: string;
  text: string;
}

export async function generateLeastPrivilegePolicy(server: NetpolServer, arg: unknown): Promise<GenerateResult | undefined> {
  const args = argObject(arg);
  const workload = stringArg(args, 'workload');
  let params: { workload?: string; uri?: string; position?: { line: number; character: number }; scope?: string };
  if (workload) {
    params = { workload, scope: stringArg(args, 'scope') };
  } else {
    const editor = await targetEditor(args);
    if (!editor) {
      void vscode.window.showWarningMessage('Generate least-privilege policy: open a manifest and put the cursor on a workload.');
      return undefined;
    }
    const position = positionArg(args) ?? editor.selection.active;
    params = { uri: editor.document.uri.toString(), position: { line: position.line, character: position.character } };
  }
  const result = await server.leastPrivilege(params);
  if (!result.found) {
    void vscode.window.showWarningMessage(`Generate least-privilege policy: ${result.message}`);
    return undefined;
  }
  // The header says where each rule came from and what the engine found when it applied the policy to the workspace.
  const found = result.check.summary ? result.check.summary : 'adds no finding to the workspace';
  const header = [
    `# Least-privilege NetworkPolicy for ${result.workload}, from what the workspace shows it needs:`,
    ...result.sources.map((s) => `#   ${s}`),
    `# Checked against the workspace: ${found}`,
    '# Review it, then add this document to your manifests.',
  ].map((l) => l.replace(/\r?\n/g, ' ')).join('\n') + '\n';
  const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: header + result.yaml });
  await vscode.window.showTextDocument(document, { preview: false });
  return { workload: result.workload, uri: document.uri.toString(), text: document.getText() };
}
