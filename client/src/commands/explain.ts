// Explain traffic: pick a source, a destination and a port; show the verdict with the deciding rules (each item
// opens its YAML) and, for a denied connection, offer the smallest policy change that allows exactly it.
import * as vscode from 'vscode';
import type { ExplainedSide, ExplainTrafficResult, PolicyChange, ProtocolName, WorkloadInfo, WorkspaceSummary } from '../../../server/src/lsp/protocol';
import { planInsertion } from '../insertion';
import type { NetpolServer } from '../server';
import { argObject, booleanArg, numberArg, oneOfArg, stringArg, type ArgObject } from './args';

const PROTOCOLS: readonly ProtocolName[] = ['TCP', 'UDP', 'SCTP'];
const ADDRESS = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;

/**
 * The workloads to pick from; with `current` (the workload at the cursor, else those of the current file) first, so
 * that Enter picks the workload the author is looking at.
 */
async function pickEndpoint(summary: WorkspaceSummary, title: string, placeHolder: string, current: readonly string[] = []): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { id?: string };
  const rank = (id: string) => (current.includes(id) ? current.indexOf(id) : current.length);
  const workloads = [...summary.workloads].sort((a, b) => rank(a.id) - rank(b.id));
  const items: Item[] = workloads.map((w) => ({
    label: w.id,
    description: current.includes(w.id) ? `${w.kind}, in this file` : w.kind,
    detail: Object.entries(w.podLabels).map(([k, v]) => `${k}=${v}`).join(', ') || 'no pod labels',
    id: w.id,
  }));
  items.push({ label: '$(globe) An IP address or CIDR…', alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder, matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  if (picked.id) return picked.id;
  return vscode.window.showInputBox({
    title,
    prompt: 'An IP address or CIDR outside the cluster, for example 10.0.0.5 or 203.0.113.0/24',
    validateInput: (v) => (ADDRESS.test(v.trim()) ? undefined : 'Enter an IPv4/IPv6 address or CIDR'),
  });
}

export function parsePort(text: string): { port: number; protocol: ProtocolName } | undefined {
  const m = /^\s*(\d{1,5})\s*(?:\/\s*(tcp|udp|sctp))?\s*$/i.exec(text);
  if (!m) return undefined;
  const port = Number(m[1]);
  if (port < 1 || port > 65535) return undefined;
  return { port, protocol: (m[2]?.toUpperCase() ?? 'TCP') as ProtocolName };
}

async function pickPort(destination: WorkloadInfo | undefined, title: string): Promise<{ port: number; protocol: ProtocolName } | undefined> {
  type Item = vscode.QuickPickItem & { port?: number; protocol?: ProtocolName };
  const items: Item[] = (destination?.ports ?? []).map((p) => ({
    label: `${p.port}/${p.protocol}`,
    description: p.name ? `port name ${p.name}` : 'declared container port',
    port: p.port,
    protocol: p.protocol,
  }));
  items.push({ label: '$(edit) Another port…', alwaysShow: true });
  const picked = items.length > 1 ? await vscode.window.showQuickPick(items, { title, placeHolder: 'Port' }) : items[0];
  if (!picked) return undefined;
  if (picked.port && picked.protocol) return { port: picked.port, protocol: picked.protocol };
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'PORT or PORT/PROTOCOL, for example 8080 or 53/UDP',
    validateInput: (v) => (parsePort(v) ? undefined : 'Enter a port between 1 and 65535, optionally /TCP, /UDP or /SCTP'),
  });
  return text === undefined ? undefined : parsePort(text);
}

function toLocation(l: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }): vscode.Location {
  return new vscode.Location(
    vscode.Uri.parse(l.uri),
    new vscode.Range(l.range.start.line, l.range.start.character, l.range.end.line, l.range.end.character),
  );
}

async function reveal(location: vscode.Location): Promise<void> {
  const editor = await vscode.window.showTextDocument(location.uri, { preview: true });
  editor.selection = new vscode.Selection(location.range.start, location.range.start);
  editor.revealRange(location.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function sideItems(side: ExplainedSide, verdict: Extract<ExplainTrafficResult, { found: true }>): (vscode.QuickPickItem & { location?: vscode.Location })[] {
  const items: (vscode.QuickPickItem & { location?: vscode.Location })[] = [
    { label: `${side.direction} of ${side.endpoint}`, kind: vscode.QuickPickItemKind.Separator },
  ];
  const where = (l: vscode.Location) => `${vscode.workspace.asRelativePath(l.uri)}:${l.range.start.line + 1}`;
  if (side.decision && side.decision.action !== 'Pass') {
    const location = toLocation(side.decision.location);
    items.push({ label: `$(${side.allowed ? 'pass' : 'error'}) ${side.allowed ? 'allowed' : 'denied'} by ${side.decision.text}`, detail: where(location), location });
  } else if (!side.isolated) {
    items.push({
      label: `$(circle-large-outline) allowed: not isolated for ${side.direction}`,
      detail: `No policy with ${side.direction === 'egress' ? 'Egress' : 'Ingress'} in its policyTypes selects ${side.endpoint}.`,
    });
  } else if (side.allowed) {
    if (side.rules.length === 0) items.push({ label: `$(circle-large-outline) allowed by default: no policy decided ${verdict.port}/${verdict.protocol}` });
    for (const rule of side.rules) {
      const location = toLocation(rule.location);
      items.push({ label: `$(pass) allowed by ${rule.policy}, ${side.direction} rule ${rule.index + 1}`, detail: where(location), location });
    }
  } else {
    const peer = side.direction === 'egress' ? `to ${verdict.to}` : `from ${verdict.from}`;
    items.push({ label: `$(error) denied: no rule allows ${verdict.port}/${verdict.protocol} ${peer}` });
    for (const policy of side.policies) {
      const location = toLocation(policy.location);
      items.push({ label: `$(shield) isolated by ${policy.name}`, detail: where(location), location });
    }
  }
  return items;
}

/** Shows a verdict as a list whose items open the deciding YAML; a denied verdict offers the fix. */
function showVerdict(result: Extract<ExplainTrafficResult, { found: true }>): void {
  type Item = vscode.QuickPickItem & { location?: vscode.Location; fix?: boolean };
  const picker = vscode.window.createQuickPick<Item>();
  picker.title = `${result.allowed ? 'ALLOWED' : 'DENIED'}: ${result.from} → ${result.to} on ${result.port}/${result.protocol}`;
  picker.placeholder = result.self ? 'A pod may always reach itself; policies do not apply.' : 'Select a rule or policy to open it';
  const items: Item[] = [];
  if (result.changes.length > 0) {
    items.push({
      label: '$(add) Allow exactly this connection',
      detail: `Previews ${result.changes.map((c) => `an ${c.direction} policy in ${c.namespace}`).join(' and ')}, nothing wider.${result.check?.summary ? ` ${result.check.summary}` : ''}`,
      fix: true,
    });
  } else if (result.refused?.length) {
    items.push({ label: '$(warning) No safe change allows exactly this connection', detail: `The smallest one would add: ${result.refused.join(' ')}` });
  }
  if (!result.self) items.push(...sideItems(result.egress, result), ...sideItems(result.ingress, result));
  picker.items = items;
  picker.onDidAccept(async () => {
    const item = picker.selectedItems[0];
    picker.hide();
    if (item?.fix) await applyPolicyChanges({ changes: result.changes, preview: true });
    else if (item?.location) await reveal(item.location);
  });
  picker.onDidHide(() => picker.dispose());
  picker.show();
}

export async function explainTraffic(server: NetpolServer, output: vscode.OutputChannel, arg: unknown): Promise<ExplainTrafficResult | undefined> {
  const args = argObject(arg);
  let from = stringArg(args, 'from');
  let to = stringArg(args, 'to');
  let port = numberArg(args, 'port');
  let protocol = oneOfArg(args, 'protocol', PROTOCOLS);
  const editor = vscode.window.activeTextEditor;
  const summary = await server.summary(editor?.document, editor?.selection.active);
  const title = 'Explain Traffic';
  // The workload of the current file comes first: the one under the cursor, else the file's workloads.
  const here = editor ? summary.workloads.filter((w) => w.location.uri === editor.document.uri.toString()).map((w) => w.id) : [];
  const current = summary.document?.workloadAt ? [summary.document.workloadAt, ...here.filter((id) => id !== summary.document?.workloadAt)] : here;
  from ??= await pickEndpoint(summary, title, 'From (source)', current);
  if (!from) return undefined;
  to ??= await pickEndpoint(summary, title, `From ${from} to (destination)`);
  if (!to) return undefined;
  if (port === undefined) {
    const picked = await pickPort(summary.workloads.find((w) => w.id === to), `${title}: ${from} → ${to}`);
    if (!picked) return undefined;
    port = picked.port;
    protocol ??= picked.protocol;
  }
  const result = await server.explain({ from, to, port, protocol: protocol ?? 'TCP', scope: stringArg(args, 'scope') ?? (summary.scope || undefined) });
  if (!result.found) {
    if (booleanArg(args, 'show') !== false) void vscode.window.showWarningMessage(`Explain traffic: ${result.message}`);
    return result;
  }
  output.appendLine(result.text.trimEnd());
  if (booleanArg(args, 'show') !== false) showVerdict(result);
  return result;
}

/**
 * Adds policies to the workspace: each into the file of a policy that already isolates the same pods (where
 * readers will look for it), else into a new file beside the workload's manifest. With `preview`, as one workspace
 * edit whose every part needs confirmation: VS Code shows it in the refactor preview, where the author applies or
 * discards it. Without, edited in the editors and left unsaved (and a change with no file goes to an untitled
 * document), or all into one untitled document when `target` is `untitled`.
 */
export async function applyPolicyChanges(arg: unknown): Promise<{ uris: string[]; applied: boolean } | undefined> {
  const args: ArgObject = argObject(arg);
  const changes = Array.isArray(args.changes) ? (args.changes as PolicyChange[]).filter((c) => c && typeof c.yaml === 'string') : [];
  if (changes.length === 0) return undefined;
  const untitled = stringArg(args, 'target') === 'untitled';
  if (booleanArg(args, 'preview') === true && !untitled) return previewPolicyChanges(changes);
  const uris: string[] = [];
  const byFile = new Map<string, string[]>();
  const loose: string[] = [];
  for (const change of changes) {
    if (change.suggestedUri && !untitled) byFile.set(change.suggestedUri, [...(byFile.get(change.suggestedUri) ?? []), change.yaml]);
    else loose.push(change.yaml);
  }
  for (const [uriText, yamls] of byFile) {
    // Edited in its editor (not through a workspace edit, which VS Code may save as a refactoring): the new policy
    // waits, unsaved, for review.
    const editor = await vscode.window.showTextDocument(vscode.Uri.parse(uriText), { preview: false });
    const document = editor.document;
    const text = document.getText();
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const plan = planInsertion(text, text.length, eol);
    const inserted = plan.prefix + yamls.join(`---${eol}`).replace(/\r?\n/g, eol) + plan.suffix;
    if (!(await editor.edit((b) => b.insert(document.positionAt(plan.offset), inserted)))) throw new Error(`the policy change could not be added to ${uriText}`);
    uris.push(document.uri.toString());
  }
  if (loose.length > 0) {
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: loose.join('---\n') });
    await vscode.window.showTextDocument(document, { preview: false });
    uris.push(document.uri.toString());
  }
  return { uris, applied: true };
}

/** The changes as one workspace edit needing confirmation (the refactor preview); resolves once applied or discarded. */
async function previewPolicyChanges(changes: PolicyChange[]): Promise<{ uris: string[]; applied: boolean }> {
  const edit = new vscode.WorkspaceEdit();
  const uris: string[] = [];
  const byFile = new Map<string, PolicyChange[]>();
  const newFiles = new Map<string, PolicyChange[]>();
  const loose: PolicyChange[] = [];
  for (const change of changes) {
    if (change.suggestedUri) byFile.set(change.suggestedUri, [...(byFile.get(change.suggestedUri) ?? []), change]);
    else if (change.newFileUri) newFiles.set(change.newFileUri, [...(newFiles.get(change.newFileUri) ?? []), change]);
    else loose.push(change);
  }
  const metadata = (list: PolicyChange[]): vscode.WorkspaceEditEntryMetadata => ({
    needsConfirmation: true,
    label: `Allow exactly this connection: ${list.map((c) => `${c.direction} policy in ${c.namespace}`).join(', ')}`,
  });
  for (const [uriText, list] of byFile) {
    const uri = vscode.Uri.parse(uriText);
    const document = await vscode.workspace.openTextDocument(uri);
    const text = document.getText();
    const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const plan = planInsertion(text, text.length, eol);
    edit.insert(uri, document.positionAt(plan.offset), plan.prefix + list.map((c) => c.yaml).join(`---${eol}`).replace(/\r?\n/g, eol) + plan.suffix, metadata(list));
    uris.push(uri.toString());
  }
  for (const [uriText, list] of newFiles) {
    const uri = vscode.Uri.parse(uriText);
    edit.createFile(uri, { ignoreIfExists: false, contents: new TextEncoder().encode(list.map((c) => c.yaml).join('---\n')) }, metadata(list));
    uris.push(uri.toString());
  }
  if (loose.length > 0) {
    // No file to put them in (an address, a workload outside the folders): an untitled document, reviewed there.
    const document = await vscode.workspace.openTextDocument({ language: 'yaml', content: loose.map((c) => c.yaml).join('---\n') });
    await vscode.window.showTextDocument(document, { preview: false });
    uris.push(document.uri.toString());
  }
  const applied = edit.size > 0 ? await vscode.workspace.applyEdit(edit) : true;
  return { uris, applied };
}
