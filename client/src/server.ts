// The extension's view of the language server: typed custom requests. The workspace summary has a default when the
// server is down, so that quick picks still open (with the default DNS endpoints) without analysis.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ExplainTrafficRequest,
  IndexAcceptsRequest,
  LeastPrivilegeRequest,
  PolicyTextRequest,
  WorkspaceFilesRequest,
  type IndexedFile,
  type PolicyTextParams,
  type PolicyTextResult,
  ReachabilityRequest,
  WorkspaceSummaryRequest,
  type ExplainTrafficParams,
  type ExplainTrafficResult,
  type LeastPrivilegeParams,
  type LeastPrivilegeResult,
  type ReachabilityGraph,
  type WorkspaceSummary,
} from '../../server/src/lsp/protocol';

const REQUEST_TIMEOUT_MS = 30_000;

export class NetpolServer {
  constructor(private readonly getClient: () => LanguageClient | undefined) {}

  get running(): boolean {
    return this.getClient()?.isRunning() ?? false;
  }

  private async request<P, R>(type: { method: string }, params: P): Promise<R> {
    const client = this.getClient();
    if (!client || !client.isRunning()) throw new Error('the NetworkPolicy language server is not running');
    const cancel = new vscode.CancellationTokenSource();
    const timer = setTimeout(() => cancel.cancel(), REQUEST_TIMEOUT_MS);
    try {
      return (await client.sendRequest(type.method, params, cancel.token)) as R;
    } finally {
      clearTimeout(timer);
      cancel.dispose();
    }
  }

  /** The workspace summary; without a server, an empty workspace with the default DNS endpoints. */
  async summary(document?: vscode.TextDocument, position?: vscode.Position): Promise<WorkspaceSummary> {
    const params = document
      ? { uri: document.uri.toString(), position: position ? { line: position.line, character: position.character } : undefined }
      : {};
    try {
      return await this.request<typeof params, WorkspaceSummary>(WorkspaceSummaryRequest, params);
    } catch {
      return {
        scope: '',
        scopes: [],
        defaultNamespace: 'default',
        namespaces: [],
        workloads: [],
        dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [53], cidrs: [] },
      };
    }
  }

  explain(params: ExplainTrafficParams): Promise<ExplainTrafficResult> {
    return this.request(ExplainTrafficRequest, params);
  }

  leastPrivilege(params: LeastPrivilegeParams): Promise<LeastPrivilegeResult> {
    return this.request(LeastPrivilegeRequest, params);
  }

  reachability(scope?: string): Promise<ReachabilityGraph> {
    return this.request(ReachabilityRequest, { scope });
  }

  /** A policy to insert, as snippet text (the server writes the YAML). */
  policyText(params: PolicyTextParams): Promise<PolicyTextResult> {
    return this.request(PolicyTextRequest, params);
  }

  /** The files of the workspace folders that the index reads, listed from disk now. */
  workspaceFiles(): Promise<IndexedFile[]> {
    return this.request(WorkspaceFilesRequest, undefined);
  }

  /** Which of these file-system paths the index would read (in a workspace folder, not excluded). */
  indexAccepts(paths: string[]): Promise<string[]> {
    return this.request(IndexAcceptsRequest, { paths });
  }
}
