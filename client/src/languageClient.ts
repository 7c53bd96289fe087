// Starts the bundled language server (dist/server.js) over IPC and restarts it when it crashes, a bounded number
// of times, so a server that crashes at start does not loop forever.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type Message,
  type ServerOptions,
} from 'vscode-languageclient/node';

/** At most this many restarts within RESTART_WINDOW_MS; after that the server stays stopped. */
export const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

export class RestartLimiter implements ErrorHandler {
  private restarts: number[] = [];

  constructor(private readonly output: vscode.OutputChannel, private readonly now: () => number = Date.now) {}

  error(error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
    this.output.appendLine(`[client] connection error: ${error.message}`);
    // A few broken messages are survivable; a stream of them means the connection is gone.
    return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
  }

  closed(): CloseHandlerResult {
    const now = this.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      return {
        action: CloseAction.DoNotRestart,
        message: `The netpol language server stopped ${MAX_RESTARTS + 1} times in ${RESTART_WINDOW_MS / 60_000} minutes and will not be restarted. See the "NetworkPolicy" output, then run "NetworkPolicy: Restart Language Server".`,
      };
    }
    this.restarts.push(now);
    this.output.appendLine(`[client] the server stopped; restarting (${this.restarts.length}/${MAX_RESTARTS})`);
    return { action: CloseAction.Restart, handled: true };
  }
}

/**
 * V8 options of the server process. A young generation of 4 MB semi-spaces (V8's default is 16 MB on 64-bit Node,
 * 8 MB with pointer compression) holds less garbage between collections: on the large benchmark workspace (9,134
 * files) the session's peak RSS went from 344 to 319 MB (mean of three runs; 335 to 271 MB on an earlier build),
 * CPU unchanged within the noise (bench/NOTES.md, "Peak RSS"). It bounds only the young generation, never the
 * heap: a large workspace cannot run out of memory because of it.
 */
export const SERVER_EXEC_ARGV = ['--max-semi-space-size=4'];

export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  // dist/server-boot.js runs dist/server.js with a V8 code cache (server/src/boot/code-cache.ts).
  const module = context.asAbsolutePath('dist/server-boot.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: SERVER_EXEC_ARGV } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
      { scheme: 'file', language: 'json' },
    ],
    // File events come from the watchers the server registers (handlers/initialized.ts): a watcher here as well
    // would send every event twice more.
    synchronize: { configurationSection: 'netpol' },
    outputChannel: output,
    errorHandler: new RestartLimiter(output),
    diagnosticCollectionName: 'netpol',
    // The server's readings cache (server/src/lsp/readings-cache.ts) in the extension's own storage, which VS Code
    // removes with the extension; elsewhere (a virtual file system) the server's default folder.
    // workspaceTrusted: only a trusted workspace has its Helm charts and kustomizations rendered with the user's
    // tools (server/src/lsp/render.ts). A function: a restarted server gets the trust of the moment.
    initializationOptions: () => ({
      ...(context.globalStorageUri.scheme === 'file' ? { cacheDirectory: context.globalStorageUri.fsPath } : {}),
      workspaceTrusted: vscode.workspace.isTrusted,
    }),
  };
  return new LanguageClient('netpol', 'NetworkPolicy Language Server', serverOptions, clientOptions);
}
