// VS Code extension entry point (bundled as dist/extension.js): starts the netpol language server, shows the
// analysis state in the status bar and registers the NetworkPolicy commands and the reachability view.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { Commands, IndexCompleteNotification, StatusRequest, WorkspaceChangedNotification } from '../../server/src/lsp/protocol';
import { applyPolicyChanges, explainTraffic } from './commands/explain';
import { generateLeastPrivilegePolicy } from './commands/generate';
import { insertAllowDns, insertDefaultDeny, insertFromTemplate } from './commands/insert';
import { showLocations } from './commands/locations';
import { argObject, oneOfArg, stringArg } from './commands/args';
import { createLanguageClient } from './languageClient';
import { ReachabilityPanel } from './reachability';
import { registerReachabilityChanges } from './diff';
import { registerRenderedManifests } from './rendered';
import { NetpolServer } from './server';
import { AnalysisStatus } from './status';

/** What `activate` returns: for other extensions and for the extension host tests. */
export interface NetpolExtensionApi {
  /** Resolves once the language server has started (rejects if it could not start). */
  readonly ready: Promise<void>;
  /** Resolves after the initial indexing of the workspace. */
  readonly indexed: Promise<void>;
  client(): LanguageClient | undefined;
  statusText(): string;
  reachabilityPanel(): ReachabilityPanel | undefined;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): NetpolExtensionApi {
  const output = vscode.window.createOutputChannel('NetworkPolicy');
  const status = new AnalysisStatus();
  const server = new NetpolServer(() => client);
  context.subscriptions.push(output, status);

  let markIndexed: () => void = () => {};
  /** Set once the Reachability Changes view is registered (below): it follows every analysed change. */
  let reachabilityChanges: { workspaceChanged(): void } | undefined;
  const indexed = new Promise<void>((resolve) => (markIndexed = resolve));

  const start = async (): Promise<void> => {
    status.setState('starting');
    client = createLanguageClient(context, output);
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) status.setState('stopped');
      else if (e.newState === State.Starting) status.setState('starting');
      // Running: the server indexes until it sends indexComplete (unless that came first).
      else if (e.newState === State.Running && status.state === 'starting') status.setState('indexing');
    });
    // Registered before start: the notifications may come as soon as the server is up.
    client.onNotification(IndexCompleteNotification, (p) => {
      output.appendLine(`[client] indexed ${p.files} files in ${p.durationMs} ms: ${p.policies} policies, ${p.workloads} workloads, ${p.findings} findings`);
      status.setCounts({ policies: p.policies, workloads: p.workloads, skippedForSize: p.skippedForSize });
      status.setState('ready');
      markIndexed();
      ReachabilityPanel.instance?.scheduleRefresh();
    });
    client.onNotification(WorkspaceChangedNotification, (p) => {
      status.setCounts({ policies: p.policies, workloads: p.workloads });
      ReachabilityPanel.instance?.scheduleRefresh();
      reachabilityChanges?.workspaceChanged();
    });
    await client.start();
    // The index may have completed before this client listened (after a restart): ask for the counts.
    void client.sendRequest(StatusRequest).then(
      (s) => {
        if (!s.indexed) return;
        status.setCounts({ policies: s.policies, workloads: s.workloads, skippedForSize: s.skippedForSize });
        status.setState('ready');
        markIndexed();
      },
      () => undefined,
    );
  };
  const ready = start();
  ready.catch((error: Error) => {
    status.setState('stopped');
    output.appendLine(`[client] the language server could not start: ${error.message}`);
    void vscode.window.showErrorMessage(`NetworkPolicy: the language server could not start (${error.message}). See the "NetworkPolicy" output.`);
  });

  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (error) {
          output.appendLine(`[client] ${id} failed: ${(error as Error).stack ?? error}`);
          void vscode.window.showErrorMessage(`NetworkPolicy: ${(error as Error).message}`);
          return undefined;
        }
      }),
    );

  register(Commands.insertDefaultDeny, (arg) => insertDefaultDeny(server, arg));
  register(Commands.insertAllowDns, (arg) => insertAllowDns(server, arg));
  register(Commands.insertFromTemplate, (arg) => insertFromTemplate(server, arg));
  register(Commands.generateLeastPrivilegePolicy, (arg) => generateLeastPrivilegePolicy(server, arg));
  register(Commands.explainTraffic, (arg) => explainTraffic(server, output, arg));
  register(Commands.applyPolicyChanges, (arg) => applyPolicyChanges(arg));
  register(Commands.showReachability, async (arg) => {
    const args = argObject(arg);
    await ready;
    // An empty string clears a filter, an absent one keeps it.
    const text = (key: string) => (typeof args[key] === 'string' ? (args[key] as string).trim() : undefined);
    const filter = {
      namespace: text('namespace'),
      port: text('port'),
      view: oneOfArg(args, 'view', ['graph', 'matrix'] as const),
    };
    // The graph's state: namespaces drawn as one node, namespace pairs drawn unbundled, the selected workload.
    const list = (key: string) => (Array.isArray(args[key]) ? (args[key] as unknown[]).filter((v): v is string => typeof v === 'string') : undefined);
    const state = { collapsed: list('collapsed'), expanded: list('expanded'), selected: text('select') };
    const given = Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined));
    const panel = ReachabilityPanel.show(context.extensionUri, server, filter, stringArg(args, 'scope'), given);
    // Returns what the view drew for this call (callers and tests see the nodes and edges on screen). A new panel
    // numbers its first graph message 1.
    const update = Math.max(panel.latestUpdate, 1);
    return panel.waitForRender((view) => view.update >= update, 30_000).catch(() => undefined);
  });
  register(Commands.restartServer, async () => {
    output.appendLine('[client] restarting the language server');
    if (client?.isRunning()) await client.restart();
    else if (client) await client.start();
  });
  register(Commands.showOutput, () => output.show(true));
  register(Commands.showLocations, (uri, position, locations) => showLocations(uri, position, locations));
  register(Commands.showPolicyPods, (uri, position, locations) => showLocations(uri, position, locations));

  // Rendered Helm charts and kustomizations (read-only documents) and Workspace Trust: client/src/rendered.ts.
  registerRenderedManifests(context, () => client, ready, register);

  // The panel survives reloads only as a closed panel: analysis data is always fetched fresh.
  context.subscriptions.push({ dispose: () => ReachabilityPanel.instance?.dispose() });
  // The what-if diff against git (view, code lenses, status bar): client/src/diff.
  reachabilityChanges = registerReachabilityChanges(context, () => client, ready, output);

  return {
    ready,
    indexed,
    client: () => client,
    statusText: () => status.text,
    reachabilityPanel: () => ReachabilityPanel.instance,
  };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop().catch(() => undefined);
}
