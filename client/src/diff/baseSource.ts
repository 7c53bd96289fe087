// Where the base version of the manifests comes from. The git source asks the built-in Git extension (never a
// program of our own, never in an untrusted workspace) and the language server for the files its index reads;
// the given source holds texts passed to the `netpol.showReachabilityChanges` command (by tests and other
// extensions).
import * as vscode from 'vscode';
import type { IndexedFile } from '../../../server/src/lsp/protocol';
import { GitStatus, type GitApi, type GitChange, type GitExtension, type GitRepository } from './gitApi';

export interface BaseVersion {
  /** Names the base in the view, the code lenses and the status bar (`HEAD`, `main`, `given base`). */
  label: string;
  /**
   * The manifests (and root `.netpol.yaml`) of the base version whose text is not the file's on disk (read from
   * git, or given), by the URI the file has in the workspace.
   */
  files: Map<string, string>;
  /**
   * The rest of the base version: files that are the same in the base as on disk, by URI. Their texts are not read
   * here; whoever needs one reads the disk then (the language server, a deleted policy shown in its base version).
   */
  filesOnDisk: string[];
}

export type BaseRead = { available: true; base: BaseVersion } | { available: false; label: string; message: string };

export interface BaseSource extends vscode.Disposable {
  readonly label: string;
  /** Fires when the base may have changed (a commit, a checkout, a repository opened, Git enabled). */
  readonly onDidChange: vscode.Event<void>;
  read(): Promise<BaseRead>;
}

/** A base given as texts by URI. */
export class GivenBaseSource implements BaseSource {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly files: Map<string, string>,
    readonly label: string,
  ) {}

  async read(): Promise<BaseRead> {
    return { available: true, base: { label: this.label, files: new Map(this.files), filesOnDisk: [] } };
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The language server's index rules (folders, `files.exclude`, `netpol.exclude`, size limit): NetpolServer. */
export interface IndexFiles {
  /** The files of the workspace folders that the index reads, listed from disk now. */
  workspaceFiles(): Promise<IndexedFile[]>;
  /** Which of these paths the index would read (in a workspace folder, not excluded); they need not exist. */
  indexAccepts(paths: string[]): Promise<string[]>;
}

type GitApiResult = { api: GitApi } | { message: string };

/** The base at a git revision (`netpol.diff.base`, default HEAD), read through the Git extension. */
export class GitBaseSource implements BaseSource {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** By repository root: the Git API hands out a new wrapper object for the same repository on every call. */
  private readonly watchedRepositories = new Map<string, vscode.Disposable[]>();
  private apiWatched = false;
  private enablementWatched = false;
  /** Texts at a commit do not change: `commit:path` -> text. Cleared when it grows past a bound. */
  private readonly shown = new Map<string, string>();
  /** What the repositories looked like at the last read, so that routine status refreshes do not re-run the diff. */
  private signature = '';
  /** How many texts the last read took from git (for the log). */
  private lastShown = 0;

  /**
   * @param ref the revision to compare with.
   * @param index which files the language server's index reads.
   * @param gitExtension where the Git extension comes from (the built-in one; tests give their own).
   */
  constructor(
    private readonly ref: () => string,
    private readonly index: IndexFiles,
    private readonly gitExtension: () => vscode.Extension<GitExtension> | undefined = () => vscode.extensions.getExtension<GitExtension>('vscode.git'),
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
  }

  get label(): string {
    return this.ref();
  }

  async read(): Promise<BaseRead> {
    const label = this.ref();
    const unavailable = (message: string): BaseRead => ({ available: false, label, message });
    // Restricted mode: the Git extension runs git (a program of the workspace's choosing, through its config).
    if (!vscode.workspace.isTrusted) return unavailable('Reachability changes need git, which does not run in Restricted Mode. Trust this workspace to compare with ' + label + '.');
    const found = await this.gitApi();
    if ('message' in found) return unavailable(found.message);
    const api = found.api;
    if (api.state === 'uninitialized') await waitForInitialized(api, 10_000);
    this.watchApi(api);

    if (api.repositories.length === 0) return unavailable('No git repository is open in this workspace: there is no ' + label + ' to compare with.');
    // Taken before reading: a state change during the read (a status refresh that lags behind git) still fires.
    this.signature = this.currentSignature(api);

    const files = new Map<string, string>();
    const filesOnDisk: string[] = [];
    const started = Date.now();
    this.lastShown = 0;
    const disk = await this.index.workspaceFiles();
    const listed = Date.now();
    const byRoot = new Map<string, { repository: GitRepository | undefined; list: IndexedFile[] }>();
    for (const file of disk) {
      const repository = api.getRepository(vscode.Uri.file(file.fsPath)) ?? undefined;
      const root = repository?.rootUri.toString() ?? '';
      const group = byRoot.get(root) ?? { repository, list: [] };
      group.list.push(file);
      byRoot.set(root, group);
    }
    for (const { repository, list } of byRoot.values()) {
      if (!repository) {
        // Not under version control: the same in both versions.
        for (const f of list) filesOnDisk.push(f.uri);
        continue;
      }
      this.watchRepository(repository);
      const error = await this.readRepository(repository, label, list, files, filesOnDisk);
      if (error) return unavailable(error);
    }
    this.log(`[diff] listed ${files.size + filesOnDisk.length} base files at ${label} in ${Date.now() - started} ms (listing ${listed - started} ms, ${byRoot.size} repositor${byRoot.size === 1 ? 'y' : 'ies'}, ${this.lastShown} read from git, ${filesOnDisk.length} the same on disk)`);
    return { available: true, base: { label, files, filesOnDisk } };
  }

  private async readRepository(repository: GitRepository, ref: string, list: IndexedFile[], files: Map<string, string>, filesOnDisk: string[]): Promise<string | undefined> {
    let commit: string;
    try {
      commit = (await repository.getCommit(ref)).hash;
    } catch {
      return `${ref} is not a commit of the repository ${repository.rootUri.fsPath} (set netpol.diff.base to a branch, a tag or a commit id).`;
    }
    let changes: GitChange[];
    try {
      changes = await repository.diffWith(ref);
    } catch (error) {
      return `Git could not compare the working tree with ${ref}: ${error instanceof Error ? error.message : String(error)}`;
    }
    const key = (uri: vscode.Uri) => uri.fsPath;
    /** Working-tree paths whose base text must come from git (modified) or that have none (new). */
    const fromGit = new Set<string>();
    const notInBase = new Set<string>();
    const deletedOrRenamedAway: vscode.Uri[] = [];
    for (const change of changes) {
      switch (change.status) {
        case GitStatus.INDEX_ADDED:
        case GitStatus.INTENT_TO_ADD:
          notInBase.add(key(change.uri));
          break;
        case GitStatus.INDEX_RENAMED:
        case GitStatus.INDEX_COPIED:
          if (change.renameUri) notInBase.add(key(change.renameUri));
          deletedOrRenamedAway.push(change.originalUri);
          break;
        case GitStatus.DELETED:
        case GitStatus.INDEX_DELETED:
          deletedOrRenamedAway.push(change.originalUri);
          break;
        default:
          fromGit.add(key(change.originalUri));
      }
    }
    for (const change of [...repository.state.workingTreeChanges, ...(repository.state.untrackedChanges ?? [])]) {
      if (change.status === GitStatus.UNTRACKED) notInBase.add(key(change.uri));
    }
    const unchanged = list.filter((f) => !fromGit.has(f.fsPath) && !notInBase.has(f.fsPath));
    // Ignored files (git lists them nowhere) are not in the base either.
    let ignored = new Set<string>();
    if (repository.checkIgnore && unchanged.length > 0) {
      try {
        ignored = new Set([...(await repository.checkIgnore(unchanged.map((f) => f.fsPath)))].map((p) => vscode.Uri.file(p).fsPath));
      } catch {
        ignored = new Set();
      }
    }
    for (const f of unchanged) if (!ignored.has(f.fsPath)) filesOnDisk.push(f.uri);
    const show = async (uri: vscode.Uri): Promise<void> => {
      this.lastShown++;
      const cacheKey = `${commit}:${uri.fsPath}`;
      let text = this.shown.get(cacheKey);
      if (text === undefined) {
        try {
          text = await repository.show(commit, uri.fsPath);
        } catch {
          return; // not in the base version after all (for example a type change)
        }
        if (this.shown.size > 5_000) this.shown.clear();
        this.shown.set(cacheKey, text);
      }
      files.set(uri.toString(), text);
    };
    for (const f of list) if (fromGit.has(f.fsPath)) await show(vscode.Uri.file(f.fsPath));
    const accepted = deletedOrRenamedAway.length > 0 ? new Set(await this.index.indexAccepts(deletedOrRenamedAway.map((uri) => uri.fsPath))) : new Set<string>();
    for (const uri of deletedOrRenamedAway) if (accepted.has(uri.fsPath)) await show(uri);
    return undefined;
  }

  private async gitApi(): Promise<GitApiResult> {
    const extension = this.gitExtension();
    if (!extension) return { message: 'The built-in Git extension is not available, so there is no base version to compare with.' };
    let exports: GitExtension;
    try {
      exports = extension.isActive ? extension.exports : await extension.activate();
    } catch (error) {
      return { message: `The Git extension could not start: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!exports) return { message: 'The built-in Git extension is not available, so there is no base version to compare with.' };
    if (!this.enablementWatched) {
      this.enablementWatched = true;
      this.disposables.push(exports.onDidChangeEnablement(() => this.changed.fire()));
    }
    if (!exports.enabled) return { message: 'Git is disabled (setting git.enabled), so there is no base version to compare with.' };
    try {
      return { api: exports.getAPI(1) };
    } catch (error) {
      return { message: `The Git extension API is not available: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private watchApi(api: GitApi): void {
    if (this.apiWatched) return;
    this.apiWatched = true;
    this.disposables.push(
      api.onDidOpenRepository(() => this.changed.fire()),
      api.onDidCloseRepository((repository) => {
        const root = repository.rootUri.toString();
        for (const d of this.watchedRepositories.get(root) ?? []) d.dispose();
        this.watchedRepositories.delete(root);
        this.changed.fire();
      }),
    );
    if (api.onDidChangeState) this.disposables.push(api.onDidChangeState(() => this.changed.fire()));
  }

  private watchRepository(repository: GitRepository): void {
    const root = repository.rootUri.toString();
    if (this.watchedRepositories.has(root)) return;
    const fireIfDifferent = () => {
      const api = this.currentApi();
      if (api && this.currentSignature(api) !== this.signature) this.changed.fire();
    };
    const subscriptions = [repository.state.onDidChange(fireIfDifferent)];
    if (repository.onDidCommit) subscriptions.push(repository.onDidCommit(() => this.changed.fire()));
    if (repository.onDidCheckout) subscriptions.push(repository.onDidCheckout(() => this.changed.fire()));
    this.watchedRepositories.set(root, subscriptions);
  }

  private currentApi(): GitApi | undefined {
    const extension = this.gitExtension();
    try {
      return extension?.isActive && extension.exports.enabled ? extension.exports.getAPI(1) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The commit of HEAD and the changed paths of every repository: what a base read depends on besides file texts. */
  private currentSignature(api: GitApi): string {
    return api.repositories
      .map((r) => {
        const changes = [...r.state.indexChanges, ...r.state.workingTreeChanges, ...(r.state.untrackedChanges ?? [])]
          .map((c) => `${c.status}:${c.uri.fsPath}`)
          .sort();
        return `${r.rootUri.fsPath}@${r.state.HEAD?.commit ?? ''}[${changes.join(',')}]`;
      })
      .sort()
      .join('|');
  }

  dispose(): void {
    for (const subscriptions of this.watchedRepositories.values()) for (const d of subscriptions) d.dispose();
    this.watchedRepositories.clear();
    for (const d of this.disposables) d.dispose();
  }
}

function waitForInitialized(api: GitApi, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const subscription = api.onDidChangeState?.((state) => {
      if (state === 'initialized') done();
    });
    function done() {
      clearTimeout(timer);
      subscription?.dispose();
      resolve();
    }
  });
}
