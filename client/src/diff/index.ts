// The what-if diff in VS Code: keeps the "Reachability Changes" view, the code lenses on changed policies and the
// status bar count up to date with the comparison of the workspace (unsaved text included, which the language
// server holds) against a base version (git `netpol.diff.base`, default HEAD, or texts given to the command).
// Registered by extension.ts with one call.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Commands, ReachabilityDiffRequest, StatusRequest } from '../../../server/src/lsp/protocol';
import { NetpolServer } from '../server';
import { GitBaseSource, GivenBaseSource, type BaseRead, type BaseSource } from './baseSource';
import { ChangesPresentation, REVEAL_COMMAND, revealTarget, VIEW_ID, type ReachabilityChangesSnapshot } from './view';

export type { ReachabilityChangesSnapshot } from './view';

export const SHOW_COMMAND = Commands.showReachabilityChanges;
export const REFRESH_COMMAND = Commands.refreshReachabilityChanges;

/** After an edit: long enough that typing does not recompute per keystroke. */
const EDIT_DELAY_MS = 700;
/** On large workspaces a comparison takes seconds of server time: typing waits at least twice that long. */
const MAX_EDIT_DELAY_MS = 30_000;
const EVENT_DELAY_MS = 300;
const INDEX_WAIT_MS = 60_000;

/** A revision as git reads it; refuses what git would take for an option. */
export function configuredBase(): { ref: string } | { error: string } {
  const value = vscode.workspace.getConfiguration('netpol').get<unknown>('diff.base');
  const ref = typeof value === 'string' && value.trim() !== '' ? value.trim() : 'HEAD';
  if (ref.startsWith('-') || /[\s\0-\x1f\x7f]/.test(ref) || ref.includes('..')) {
    return { error: `netpol.diff.base must name one git revision (a branch, a tag, HEAD~1, a commit id), not "${ref}".` };
  }
  return { ref };
}

function isManifestDocument(document: vscode.TextDocument): boolean {
  return (document.uri.scheme === 'file' || document.uri.scheme === 'untitled') && (document.languageId === 'yaml' || document.languageId === 'json' || /\.(ya?ml|json)$/i.test(document.uri.path));
}

class ReachabilityChanges implements vscode.Disposable {
  private readonly presentation = new ChangesPresentation();
  private readonly gitSource: GitBaseSource;
  private source: BaseSource;
  private timer: NodeJS.Timeout | undefined;
  private queued: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private sourceSubscription: vscode.Disposable;
  /**
   * The last base read. Typing changes only the working tree: the base changes with git state, files on disk
   * (saved, created, deleted) and settings, and is read again only then.
   */
  private baseRead: BaseRead | undefined;
  /** Counts base changes, so that a read that a change overtook is not kept. */
  private baseVersion = 0;
  /** Edits not yet compared. */
  private stale = false;
  private lastDurationMs = 0;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly ready: Promise<void>,
    private readonly log: (line: string) => void,
  ) {
    this.gitSource = new GitBaseSource(
      () => {
        const base = configuredBase();
        return 'ref' in base ? base.ref : 'HEAD';
      },
      new NetpolServer(client),
      undefined,
      log,
    );
    this.source = this.gitSource;
    this.sourceSubscription = this.source.onDidChange(() => this.baseChanged());
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml,json}');
    this.disposables.push(
      this.presentation,
      this.gitSource,
      watcher,
      watcher.onDidCreate(() => this.baseChanged()),
      watcher.onDidDelete(() => this.baseChanged()),
      watcher.onDidChange(() => this.baseChanged()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && isManifestDocument(e.document)) this.edited();
      }),
      // A document opened with text of its own (Generate's output, an untitled file switched to YAML, a restored
      // unsaved editor) changes the workspace without any edit event.
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isManifestDocument(d) && (d.isUntitled ? d.getText() !== '' : d.isDirty)) this.edited();
      }),
      vscode.workspace.onDidSaveTextDocument((d) => isManifestDocument(d) && this.baseChanged()),
      vscode.workspace.onDidCloseTextDocument((d) => isManifestDocument(d) && d.isDirty && this.edited()),
      this.presentation.treeView.onDidChangeVisibility((e) => {
        if (e.visible && this.stale) this.schedule(0);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.baseChanged()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (['netpol', 'files.exclude'].some((s) => e.affectsConfiguration(s))) this.baseChanged();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.baseChanged()),
      vscode.commands.registerCommand(REVEAL_COMMAND, (target: unknown) => revealTarget(target, this.presentation.baseDocuments)),
    );
    this.schedule(0);
  }

  /** Switches between the git base and a given one: `base` is `{ uri: text }`, or `'git'` for git again. */
  useBase(base: unknown, label: unknown): void {
    if (base === 'git') return this.setSource(this.gitSource);
    if (typeof base !== 'object' || base === null || Array.isArray(base)) return;
    const files = new Map<string, string>();
    for (const [uri, text] of Object.entries(base as Record<string, unknown>)) {
      if (typeof text !== 'string') continue;
      try {
        files.set(vscode.Uri.parse(uri, true).toString(), text);
      } catch {
        // not a URI: ignored, as the server ignores such files
      }
    }
    this.setSource(new GivenBaseSource(files, typeof label === 'string' && label.trim() !== '' ? label.trim() : 'given base'));
  }

  private setSource(source: BaseSource): void {
    if (source === this.source) return;
    this.sourceSubscription.dispose();
    if (this.source !== this.gitSource) this.source.dispose();
    this.source = source;
    this.sourceSubscription = source.onDidChange(() => this.baseChanged());
    this.baseVersion++;
    this.baseRead = undefined;
  }

  private baseChanged(): void {
    this.baseVersion++;
    this.baseRead = undefined;
    this.schedule(EVENT_DELAY_MS);
  }

  /**
   * Unsaved edits change only the working tree. While the view is visible it follows them; otherwise the next save,
   * git change or opening of the view brings the lenses and the count up to date (a comparison occupies the
   * language server, which also answers hovers and diagnostics).
   */
  private edited(): void {
    this.stale = true;
    if (!this.presentation.treeView.visible) return;
    this.schedule(Math.min(Math.max(EDIT_DELAY_MS, 2 * this.lastDurationMs), MAX_EDIT_DELAY_MS));
  }

  schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refreshNow(), delayMs);
  }

  /** Recomputes once; calls made while one is waiting to start share it. */
  refreshNow(): Promise<void> {
    clearTimeout(this.timer);
    if (this.queued) return this.queued;
    const next = this.chain.then(() => {
      this.queued = undefined;
      return this.compute();
    });
    this.queued = next;
    this.chain = next.catch(() => undefined);
    return next;
  }

  snapshot(): ReachabilityChangesSnapshot {
    return this.presentation.snapshot();
  }

  /** The language server analysed a change of the workspace (whatever made it): the comparison follows it. */
  workspaceChanged(): void {
    this.edited();
  }

  revealPolicy(policy: string): Promise<void> {
    return this.presentation.revealPolicy(policy);
  }

  private async compute(): Promise<void> {
    const label = this.source.label;
    if (this.source === this.gitSource) {
      const base = configuredBase();
      if ('error' in base) return this.presentation.showMessage(label, base.error);
    }
    try {
      await this.ready;
    } catch {
      return this.presentation.showMessage(label, 'The NetworkPolicy language server is not running.');
    }
    const client = this.client();
    if (!client?.isRunning()) return this.presentation.showMessage(label, 'The NetworkPolicy language server is not running.');
    try {
      if (!(await this.waitForIndex(client))) return this.presentation.showMessage(label, 'The workspace is still being indexed.');
      const version = this.baseVersion;
      const read = this.baseRead ?? (await this.source.read());
      // Messages (Git disabled, no repository…) are read again each time: not every way out of them has an event.
      if (read.available && version === this.baseVersion) this.baseRead = read;
      if (!read.available) return this.presentation.showMessage(read.label, read.message);
      const baseFiles = [...read.base.files].map(([uri, text]) => ({ uri, text }));
      this.stale = false;
      const started = Date.now();
      const baseFilesOnDisk = read.base.filesOnDisk;
      const result = await client.sendRequest(ReachabilityDiffRequest, { baseFiles, baseFilesOnDisk, baseLabel: read.base.label });
      this.lastDurationMs = Date.now() - started;
      this.log(`[diff] compared with ${read.base.label} (${baseFiles.length} base texts, ${baseFilesOnDisk.length} base files on disk) in ${Date.now() - started} ms: +${result.counts.added} −${result.counts.removed} ~${result.counts.changed}`);
      this.presentation.showResult(result, read.base);
    } catch (error) {
      this.log(`[diff] the comparison with ${label} failed: ${(error as Error).stack ?? error}`);
      this.presentation.showMessage(label, `The comparison with ${label} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async waitForIndex(client: LanguageClient): Promise<boolean> {
    const deadline = Date.now() + INDEX_WAIT_MS;
    for (;;) {
      const status = await client.sendRequest(StatusRequest);
      if (status.indexed) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.sourceSubscription.dispose();
    if (this.source !== this.gitSource) this.source.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Registers the view, its commands and the code lenses. `netpol.showReachabilityChanges` accepts
 * `{ base?: { [uri]: text } | 'git', label?: string, policy?: string }`, shows the view, recomputes and returns
 * what the view, the lenses and the status bar show.
 */
export function registerReachabilityChanges(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  ready: Promise<void>,
  output?: vscode.OutputChannel,
): { workspaceChanged(): void } {
  const changes = new ReachabilityChanges(client, ready, (line) => output?.appendLine(line));
  context.subscriptions.push(
    changes,
    vscode.commands.registerCommand(SHOW_COMMAND, async (arg: unknown): Promise<ReachabilityChangesSnapshot> => {
      const args = typeof arg === 'object' && arg !== null ? (arg as Record<string, unknown>) : {};
      if ('base' in args) changes.useBase(args.base, args.label);
      await vscode.commands.executeCommand(`${VIEW_ID}.focus`).then(undefined, () => undefined);
      await changes.refreshNow();
      if (typeof args.policy === 'string') await changes.revealPolicy(args.policy).catch(() => undefined);
      return changes.snapshot();
    }),
    vscode.commands.registerCommand(REFRESH_COMMAND, async () => {
      await changes.refreshNow();
      return changes.snapshot();
    }),
  );
  return changes;
}
