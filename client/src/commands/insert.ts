// Insert commands: a default-deny policy, an allow-DNS egress policy and policies from templates, as a new YAML
// document at the cursor (on a blank line between documents) or at the end of the file. The language server
// writes the policies (PolicyTextRequest); the extension holds no YAML writer.
import * as vscode from 'vscode';
import { escapeSnippet, TEMPLATE_IDS, TEMPLATE_LABELS, type TemplateId, type WorkspaceSummary } from '../../../server/src/lsp/protocol';
import { planInsertion } from '../insertion';
import type { NetpolServer } from '../server';
import { argObject, booleanArg, oneOfArg, positionArg, stringArg, targetEditor, type ArgObject } from './args';

export interface InsertResult {
  uri: string;
  /** The namespace the policy was written for. */
  namespace: string;
  /** The inserted text (snippet placeholders resolved to their defaults). */
  inserted: string;
}

const DIRECTIONS = ['ingress', 'egress', 'both'] as const;
type Direction = (typeof DIRECTIONS)[number];

/** The editor to insert into: the target document, else the active editor, else a new untitled YAML document. */
async function editorForInsert(args: ArgObject): Promise<vscode.TextEditor> {
  const editor = await targetEditor(args);
  if (editor) return editor;
  const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: '' });
  return vscode.window.showTextDocument(document);
}

/**
 * Inserts `snippet` (snippet syntax) as a new document. Snippets re-indent their lines to the insertion column, so
 * the insertion always happens at the start of a line.
 */
export async function insertDocument(editor: vscode.TextEditor, snippet: string, position?: vscode.Position): Promise<string> {
  let document = editor.document;
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const text = document.getText();
  if (text.length > 0 && !text.endsWith('\n')) {
    const end = document.positionAt(text.length);
    await editor.edit((b) => b.insert(end, eol), { undoStopBefore: true, undoStopAfter: false });
    document = editor.document;
  }
  const cursor = document.offsetAt(position ?? editor.selection.active);
  const plan = planInsertion(document.getText(), cursor, eol);
  const at = document.positionAt(plan.offset);
  const body = `${escapeSnippet(plan.prefix)}${snippet.endsWith('\n') || snippet.endsWith('$0') ? snippet : `${snippet}\n`}${escapeSnippet(plan.suffix)}`;
  const before = document.getText();
  const ok = await editor.insertSnippet(new vscode.SnippetString(body), at, { undoStopBefore: false, undoStopAfter: true });
  if (!ok) throw new Error('the editor refused the insertion');
  const after = editor.document.getText();
  // What was inserted: the new text between the unchanged head and tail.
  const headLength = plan.offset;
  const tailLength = before.length - headLength;
  return after.slice(headLength, after.length - tailLength);
}

async function pickDirection(): Promise<Direction | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Ingress', description: 'deny all incoming traffic', direction: 'ingress' as const },
      { label: 'Egress', description: 'deny all outgoing traffic', direction: 'egress' as const },
      { label: 'Ingress and egress', description: 'deny all traffic', direction: 'both' as const },
    ],
    { title: 'Insert Default-Deny Policy', placeHolder: 'Which direction should be denied by default?' },
  );
  return picked?.direction;
}

async function pickIncludeDns(): Promise<boolean | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Allow DNS', description: 'recommended: pods keep resolving names', include: true },
      { label: 'Deny DNS too', description: 'pods cannot resolve names until another policy allows it', include: false },
    ],
    { title: 'Insert Default-Deny Policy', placeHolder: 'Keep DNS egress to the cluster DNS open?' },
  );
  return picked?.include;
}

function namespaceFor(args: ArgObject, summary: WorkspaceSummary): string {
  return stringArg(args, 'namespace') ?? summary.document?.namespace ?? summary.defaultNamespace;
}

export async function insertDefaultDeny(server: NetpolServer, arg: unknown): Promise<InsertResult | undefined> {
  const args = argObject(arg);
  const direction = oneOfArg(args, 'direction', DIRECTIONS) ?? (await pickDirection());
  if (!direction) return undefined;
  let includeDns = false;
  if (direction !== 'ingress') {
    const fromArgs = booleanArg(args, 'includeDns');
    const chosen = fromArgs ?? (await pickIncludeDns());
    if (chosen === undefined) return undefined;
    includeDns = chosen;
  }
  const editor = await editorForInsert(args);
  const position = positionArg(args);
  const summary = await server.summary(editor.document, position ?? editor.selection.active);
  const namespace = namespaceFor(args, summary);
  const { snippet } = await server.policyText({ policy: 'default-deny', direction, includeDns, namespace, scope: summary.scope });
  const inserted = await insertDocument(editor, snippet, position);
  return { uri: editor.document.uri.toString(), namespace, inserted };
}

export async function insertAllowDns(server: NetpolServer, arg: unknown): Promise<InsertResult | undefined> {
  const args = argObject(arg);
  const editor = await editorForInsert(args);
  const position = positionArg(args);
  const summary = await server.summary(editor.document, position ?? editor.selection.active);
  const namespace = namespaceFor(args, summary);
  const { snippet } = await server.policyText({ policy: 'allow-dns', namespace, scope: summary.scope });
  const inserted = await insertDocument(editor, snippet, position);
  return { uri: editor.document.uri.toString(), namespace, inserted };
}

export async function insertFromTemplate(server: NetpolServer, arg: unknown): Promise<InsertResult | undefined> {
  const args = argObject(arg);
  let template = oneOfArg(args, 'template', TEMPLATE_IDS);
  if (!template) {
    const picked = await vscode.window.showQuickPick(
      TEMPLATE_IDS.map((id) => ({ label: TEMPLATE_LABELS[id].label, detail: TEMPLATE_LABELS[id].detail, id })),
      { title: 'Insert NetworkPolicy from Template', placeHolder: 'Choose a template' },
    );
    template = picked?.id as TemplateId | undefined;
  }
  if (!template) return undefined;
  const editor = await editorForInsert(args);
  const position = positionArg(args);
  const summary = await server.summary(editor.document, position ?? editor.selection.active);
  const namespace = namespaceFor(args, summary);
  const { snippet } = await server.policyText({ policy: 'template', template, namespace, scope: summary.scope });
  const inserted = await insertDocument(editor, snippet, position);
  return { uri: editor.document.uri.toString(), namespace, inserted };
}
