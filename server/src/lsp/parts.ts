// The parts of the language server that server.ts wires together and hands to the request handlers (handlers/).
import { CodeActionKind, TextDocumentSyncKind, type Connection, type ServerCapabilities } from 'vscode-languageserver';
import type { FeatureContext } from './context';
import { canonicalUri } from './files';
import type { Diagnostics } from './diagnostics';
import type { Indexer } from './indexer';
import type { ServerLog } from './log';
import type { ServerRenderer } from './render';
import type { Scheduler } from './scheduler';
import type { ServerState } from './state';

export interface ServerParts {
  readonly connection: Connection;
  /** Announced in the initialize result; registrations (which run before initialize) may adjust them. */
  readonly capabilities: ServerCapabilities;
  readonly logger: ServerLog;
  /** Every deferred job of the server. */
  readonly scheduler: Scheduler;
  /** Settings, the workspace snapshot and the changes waiting for it. */
  readonly state: ServerState;
  /** Rule runs, diagnostic sources, publishing, the findings cache. */
  readonly diagnostics: Diagnostics;
  /** Reading the workspace folders, the readings cache. */
  readonly indexer: Indexer;
  /** Renders Helm charts and kustomizations in trusted workspaces (render.ts). */
  readonly renderer: ServerRenderer;
}

export function serverCapabilities(): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
    hoverProvider: true,
    codeLensProvider: { resolveProvider: false },
    definitionProvider: true,
    referencesProvider: true,
    completionProvider: { triggerCharacters: [':', ' ', '"', "'", '/', '-'], resolveProvider: false },
    documentSymbolProvider: true,
    workspaceSymbolProvider: true,
    workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
  };
}

/** What the editor features and the connectivity assertions see of the server (context.ts). */
export function featureContext(parts: ServerParts): FeatureContext {
  const { state, diagnostics } = parts;
  return {
    workspace: () => state.workspace(),
    documents: state.documents,
    requestStarted: () => {
      state.lastRequestAt = Date.now();
    },
    text: (uri) => state.currentText(canonicalUri(uri)),
    diskText: (uri) => {
      const read = state.readFromDisk(canonicalUri(uri));
      return read && 'text' in read ? read.text : undefined;
    },
    offsetToPosition: (uri, offset) => state.positionsOf(canonicalUri(uri)).positionAt(offset),
    positionToOffset: (uri, position) => state.positionsOf(canonicalUri(uri)).offsetAt(position),
    rangeToLsp: (uri, range) => state.positionsOf(canonicalUri(uri)).range(range),
    settings: () => state.settings,
    fileFilter: () => state.filter,
    maxFileSize: () => state.maxFileSize(),
    whenIndexed: () => state.indexedPromise,
    onDidChangeWorkspace: (listener) => diagnostics.onDidChangeWorkspace(listener),
    addDiagnosticSource: (source) => diagnostics.addSource(source),
    refreshDiagnostics: () => diagnostics.refresh(),
    scheduler: parts.scheduler,
    log: (message) => parts.logger.log(message),
    capabilities: parts.capabilities,
  };
}
