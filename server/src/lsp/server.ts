// The netpol language server, wired from its parts: the state (settings, workspace snapshot, pending changes), one
// scheduler for all deferred work, the index, the diagnostics, and one handler per request or notification in
// handlers/. This file only creates the parts and registers the handlers (server/test/architecture/server-parts.test.ts).
import type { Connection } from 'vscode-languageserver';
import { registerAssertionHandlers } from './assertions';
import { Diagnostics, type AnalysisOptions } from './diagnostics';
import { registerExtensionRequests } from './extension-requests';
import { registerFeatureHandlers } from './features';
import { registerCodeAction } from './handlers/code-action';
import { registerConfigurationChange } from './handlers/configuration';
import { registerDocumentChange } from './handlers/document-change';
import { registerDocumentClose } from './handlers/document-close';
import { registerInitialize } from './handlers/initialize';
import { registerInitialized } from './handlers/initialized';
import { registerReachabilityDiffHandler } from './handlers/reachability-diff';
import { registerReindex } from './handlers/reindex';
import { registerRenderedManifest } from './handlers/rendered-manifest';
import { registerShutdown } from './handlers/shutdown';
import { registerStatus } from './handlers/status';
import { registerWatchedFiles } from './handlers/watched-files';
import { registerWorkspaceTrusted } from './handlers/workspace-trusted';
import { Indexer } from './indexer';
import { errorText, ServerLog } from './log';
import { featureContext, serverCapabilities, type ServerParts } from './parts';
import { ServerRenderer } from './render';
import { Scheduler } from './scheduler';
import { ServerState } from './state';
import { registerWorkspaceFilesHandlers } from './workspace-files';

export type ServerOptions = AnalysisOptions;

/** The server's own handlers: each takes the parts it needs. */
const HANDLERS: readonly ((parts: ServerParts) => void)[] = [
  registerInitialize,
  registerInitialized,
  registerConfigurationChange,
  registerWatchedFiles,
  registerDocumentChange,
  registerDocumentClose,
  registerCodeAction,
  registerStatus,
  registerWorkspaceTrusted,
  registerRenderedManifest,
  registerReindex,
  registerShutdown,
];

/** Editor features and assertions, which see the server through FeatureContext (context.ts). */
const FEATURE_HANDLERS = [
  ['editor features', registerFeatureHandlers],
  ['connectivity assertions', registerAssertionHandlers],
  ['reachability diff', registerReachabilityDiffHandler],
  ['workspace files', registerWorkspaceFilesHandlers],
  ['extension requests', registerExtensionRequests],
] as const;

/** Creates the parts of a server on a connection and registers every handler. */
export function createServer(connection: Connection, options: ServerOptions = {}): ServerParts {
  const logger = new ServerLog(connection);
  const scheduler = new Scheduler();
  // The renderer reaches the other parts through `parts`, which exists by the time it calls back.
  let parts: ServerParts;
  const renderer = new ServerRenderer({
    log: (message) => logger.log(message),
    workspace: () => parts.state.workspace(),
    changed: () => parts.diagnostics.scheduleAnalysis(true),
  });
  const state = new ServerState(connection, logger, renderer);
  const diagnostics = new Diagnostics(connection, state, scheduler, logger, options);
  const indexer = new Indexer(connection, state, diagnostics, renderer, scheduler, logger);
  state.onSizeLimitChanged = () => void logger.guardAsync('reindex after size limit change', undefined, () => indexer.index());
  parts = { connection, capabilities: serverCapabilities(), logger, scheduler, state, diagnostics, indexer, renderer };
  for (const register of HANDLERS) register(parts);
  // Editor features and assertions attach their handlers; a failure there must not take the server down.
  const context = featureContext(parts);
  for (const [name, register] of FEATURE_HANDLERS) {
    try {
      register(connection, context);
    } catch (error) {
      logger.log(`netpol: could not register ${name}: ${errorText(error)}`);
    }
  }
  state.documents.listen(connection);
  return parts;
}

/** Starts the server on a connection; resolves when the connection closes. */
export function startServer(connection: Connection, options?: ServerOptions): Promise<void> {
  const closed = new Promise<void>((resolve) => connection.onExit(() => resolve()));
  createServer(connection, options);
  // A stray error must not take the editor's analysis down with it: log it and carry on.
  const report = (what: string) => (error: unknown) => {
    try {
      connection.console.error(`netpol: ${what}: ${errorText(error)}`);
    } catch {
      // Nothing left to report to.
    }
  };
  process.on('uncaughtException', report('uncaught error'));
  process.on('unhandledRejection', report('unhandled rejection'));
  connection.listen();
  return closed;
}
