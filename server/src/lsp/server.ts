// The netpol language server, wired from its parts: the state (settings, workspace snapshot, pending changes), one
// scheduler for all deferred work, the index, the diagnostics, and one handler per request or notification in
// handlers/. This file only creates the parts and registers the handlers (server/test/architecture/server-parts.test.ts).
import type { Connection } from 'vscode-languageserver';
import { whenExited } from './handlers/exit';
import { registerWorkspaceSummary } from './handlers/workspace-summary';
import { registerWorkspaceFiles } from './handlers/workspace-files';
import { registerWorkspaceChanged } from './handlers/workspace-changed';
import { registerReachability } from './handlers/reachability';
import { registerPolicyText } from './handlers/policy-text';
import { registerLeastPrivilege } from './handlers/least-privilege';
import { registerIndexAccepts } from './handlers/index-accepts';
import { registerExplainTraffic } from './handlers/explain-traffic';
import { registerConnectivityTests } from './handlers/connectivity-tests';
import { Diagnostics, type AnalysisOptions } from './diagnostics';
import { registerCodeAction } from './handlers/code-action';
import { registerCodeLens } from './handlers/code-lens';
import { registerCompletion } from './handlers/completion';
import { registerDefinition } from './handlers/definition';
import { registerConfigurationChange } from './handlers/configuration';
import { registerDocumentChange } from './handlers/document-change';
import { registerDocumentClose } from './handlers/document-close';
import { registerDocumentOpen } from './handlers/document-open';
import { registerDocumentSymbol } from './handlers/document-symbol';
import { registerHover } from './handlers/hover';
import { registerInitialize } from './handlers/initialize';
import { registerInitialized } from './handlers/initialized';
import { registerReachabilityDiffHandler } from './handlers/reachability-diff';
import { registerReferences } from './handlers/references';
import { registerSemanticTokens } from './handlers/semantic-tokens';
import { registerReindex } from './handlers/reindex';
import { registerRenderedManifest } from './handlers/rendered-manifest';
import { registerShutdown } from './handlers/shutdown';
import { registerStatus } from './handlers/status';
import { registerWatchedFiles } from './handlers/watched-files';
import { registerWorkspaceSymbol } from './handlers/workspace-symbol';
import { registerWorkspaceTrusted } from './handlers/workspace-trusted';
import { Indexer } from './indexer';
import { errorText, ServerLog } from './log';
import { featureContext, serverCapabilities, type ServerParts } from './parts';
import { ServerRenderer } from './render';
import { Scheduler } from './scheduler';
import { ServerState } from './state';

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
  ['hover', registerHover],
  ['document open', registerDocumentOpen],
  ['code lens', registerCodeLens],
  ['definition', registerDefinition],
  ['references', registerReferences],
  ['completion', registerCompletion],
  ['semantic tokens', registerSemanticTokens],
  ['document symbols', registerDocumentSymbol],
  ['workspace symbols', registerWorkspaceSymbol],
  ['connectivity assertions', registerConnectivityTests],
  ['reachability diff', registerReachabilityDiffHandler],
  ['workspace files', registerWorkspaceFiles],
  ['index accepts', registerIndexAccepts],
  ['workspace summary', registerWorkspaceSummary],
  ['explain traffic', registerExplainTraffic],
  ['least privilege', registerLeastPrivilege],
  ['reachability', registerReachability],
  ['policy text', registerPolicyText],
  ['workspace changed', registerWorkspaceChanged],
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
    scheduler,
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
  const closed = whenExited(connection);
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
