// Rendered manifests (helm template, kustomize build) as read-only virtual documents: the command opens the one of
// the active file's chart or kustomization, its text comes from the language server (netpol/renderedManifest).
// Workspace Trust: the server renders with the user's tools only when told the workspace is trusted.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, RenderedManifestRequest, WorkspaceTrustedNotification } from '../../server/src/lsp/protocol';

export const RENDERED_SCHEME = 'netpol-rendered';

class RenderedManifests implements vscode.TextDocumentContentProvider {
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const found = await this.client()?.sendRequest(RenderedManifestRequest, { uri: uri.toString() });
    if (!found) return '# This chart or kustomization is not rendered (any more).\n';
    return found.text || '# Not rendered: see the findings on the chart (Chart.yaml) or kustomization for why.\n';
  }

  /** Fetches an open rendered document's text again. */
  refresh(uri: vscode.Uri): void {
    this.changes.fire(uri);
  }
}

export function registerRenderedManifests(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  ready: Promise<void>,
  register: (id: string, run: (...args: unknown[]) => unknown) => void,
): void {
  const provider = new RenderedManifests(client);
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(RENDERED_SCHEME, provider));
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void ready.then(() => client()?.sendNotification(WorkspaceTrustedNotification, { trusted: true }));
    }),
  );
  register(Commands.showRenderedManifest, async (arg) => {
    await ready;
    const target = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!target) throw new Error('open a file of a Helm chart or kustomization first');
    const found = await client()?.sendRequest(RenderedManifestRequest, { uri: target.toString() });
    if (!found) {
      void vscode.window.showInformationMessage('NetworkPolicy: this file belongs to no Helm chart or kustomization that netpol renders.');
      return undefined;
    }
    const uri = vscode.Uri.parse(found.uri);
    provider.refresh(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'yaml');
    await vscode.window.showTextDocument(document, { preview: true });
    return found.uri;
  });
}
