// Insert commands: a default-deny policy, an allow-DNS egress policy and policies from templates, as a new YAML
// document at the cursor (on a blank line between documents) or at the end of the file. The language server
// writes the policies (PolicyTextRequest); the extension holds no YAML writer.
import * as vscode from 'vscode';
import { escapeSnippet, TEMPLATE_IDS, TEMPLATE_LABELS, type GeneratedCheck, type PolicyTextResult, type TemplateId, type WorkspaceSummary } from '../../../server/src/lsp/protocol';
import { planInsertion } from '../insertion';
import type { NetpolServer } from '../server';
import { argObject, booleanArg, oneOfArg, positionArg, stringArg, targetEditor, type ArgObject } from './args';

export interface InsertResult {
  uri: string;
  /** The namespace the policy was written for. */
  namespace: string;
  /** The inserted text (snippet placeholders resolved to their defaults). */
  inserted: string;
  /** What the engine found when it applied the policy to a copy of the workspace (said before inserting). */
  check: GeneratedCheck;
}

const DIRECTIONS = ['ingress', 'egress', 'both'] as const;
type Direction = (typeof DIRECTIONS)[number];

/**
 * The editor to insert into: the target document, else the active editor, else a new untitled document. A new
 * (untitled) document becomes YAML, so that the inserted policy is analysed and highlighted.
 */
async function editorForInsert(args: ArgObject): Promise<vscode.TextEditor> {
  let editor = await targetEditor(args);
  if (!editor) {
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: '' });
    editor = await vscode.window.showTextDocument(document);
  }
  if (editor.document.isUntitled && editor.document.languageId !== 'yaml') {
    await vscode.languages.setTextDocumentLanguage(editor.document, 'yaml');
    editor = vscode.window.activeTextEditor ?? editor;
  }
  return editor;
}

/** A document with nothing in it yet: the policy's namespace cannot come from its objects. */
function isNewDocument(document: vscode.TextDocument): boolean {
  return document.getText().trim() === '';
}

/** Quick picks of the insert commands, as promises of the picked value (undefined: cancelled). */
async function pickNamespace(summary: WorkspaceSummary, title: string): Promise<string | undefined> {
  const names = [...new Set([summary.document?.namespace, ...summary.namespaces.map((n) => n.name), ...summary.workloads.map((w) => w.namespace), summary.defaultNamespace].filter((n): n is string => !!n))];
  const counts = new Map<string, number>();
  for (const w of summary.workloads) counts.set(w.namespace, (counts.get(w.namespace) ?? 0) + 1);
  type Item = vscode.QuickPickItem & { namespace?: string };
  const items: Item[] = names.map((name) => ({ label: name, description: `${counts.get(name) ?? 0} workload${counts.get(name) === 1 ? '' : 's'}`, namespace: name }));
  items.push({ label: '$(edit) Another namespace…', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Namespace of the new policy' });
  if (!picked) return undefined;
  if (picked.namespace) return picked.namespace;
  return vscode.window.showInputBox({ title, prompt: 'Namespace', validateInput: (v) => (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v.trim()) && v.trim().length <= 63 ? undefined : 'A namespace name: lowercase letters, digits and -') });
}

/**
 * Says what a generated policy does beyond its text before it goes in: the workloads it newly isolates (and what
 * they lose) and the warnings it adds. Interactive calls confirm; calls with arguments proceed unless they ask.
 */
async function confirmInsert(check: GeneratedCheck, title: string, args: ArgObject, interactive: boolean): Promise<boolean> {
  if (check.summary === '' || !(interactive || booleanArg(args, 'confirm') === true)) return true;
  type Item = vscode.QuickPickItem & { insert: boolean };
  const items: Item[] = [
    { label: '$(check) Insert', detail: check.summary, insert: true },
    { label: '$(close) Cancel', insert: false },
  ];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: check.newlyIsolated.length ? 'This policy newly isolates pods: insert it?' : 'This policy adds findings: insert it?' });
  return picked?.insert === true;
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
  // Both directions first: the default a namespace wants (and the one Enter picks).
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Ingress and egress', description: 'deny all traffic (default)', direction: 'both' as const },
      { label: 'Ingress', description: 'deny all incoming traffic', direction: 'ingress' as const },
      { label: 'Egress', description: 'deny all outgoing traffic', direction: 'egress' as const },
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

/** Asks for what the document does not say, gets the policy (with the engine's check), confirms, inserts. */
async function insertPolicy(
  server: NetpolServer,
  args: ArgObject,
  interactive: boolean,
  title: string,
  request: (namespace: string, scope: string, uri: string) => Promise<PolicyTextResult>,
): Promise<InsertResult | undefined> {
  const editor = await editorForInsert(args);
  const position = positionArg(args);
  const summary = await server.summary(editor.document, position ?? editor.selection.active);
  let namespace = stringArg(args, 'namespace');
  if (!namespace && isNewDocument(editor.document) && !summary.document?.namespace) namespace = await pickNamespace(summary, title);
  namespace ??= namespaceFor(args, summary);
  if (!namespace) return undefined;
  const { snippet, check } = await request(namespace, summary.scope, editor.document.uri.toString());
  if (!(await confirmInsert(check, title, args, interactive))) return undefined;
  const inserted = await insertDocument(editor, snippet, position);
  return { uri: editor.document.uri.toString(), namespace, inserted, check };
}

export async function insertDefaultDeny(server: NetpolServer, arg: unknown): Promise<InsertResult | undefined> {
  const args = argObject(arg);
  const interactive = arg === undefined || arg instanceof vscode.Uri;
  const direction = oneOfArg(args, 'direction', DIRECTIONS) ?? (await pickDirection());
  if (!direction) return undefined;
  let includeDns = false;
  if (direction !== 'ingress') {
    const fromArgs = booleanArg(args, 'includeDns');
    const chosen = fromArgs ?? (await pickIncludeDns());
    if (chosen === undefined) return undefined;
    includeDns = chosen;
  }
  return insertPolicy(server, args, interactive, 'Insert Default-Deny Policy', (namespace, scope, uri) =>
    server.policyText({ policy: 'default-deny', direction, includeDns, namespace, scope, uri }),
  );
}

export async function insertAllowDns(server: NetpolServer, arg: unknown): Promise<InsertResult | undefined> {
  const args = argObject(arg);
  const interactive = arg === undefined || arg instanceof vscode.Uri;
  return insertPolicy(server, args, interactive, 'Insert Allow-DNS Egress Policy', (namespace, scope, uri) => server.policyText({ policy: 'allow-dns', namespace, scope, uri }));
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
  const chosen = template;
  const interactive = arg === undefined || arg instanceof vscode.Uri;
  return insertPolicy(server, args, interactive, 'Insert NetworkPolicy from Template', (namespace, scope, uri) =>
    server.policyText({ policy: 'template', template: chosen, namespace, scope, uri }),
  );
}
