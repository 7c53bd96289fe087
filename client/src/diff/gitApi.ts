// The part of the built-in Git extension's API (extension `vscode.git`, `getAPI(1)`) that the reachability diff
// uses, declared here from the API's published shape so nothing of the Git extension is bundled. Every call goes
// through the Git extension, which runs git itself: this extension starts no program.
import type * as vscode from 'vscode';

/** `Status` of the Git API (a const enum there): only the values this extension tells apart. */
export const GitStatus = {
  INDEX_MODIFIED: 0,
  INDEX_ADDED: 1,
  INDEX_DELETED: 2,
  INDEX_RENAMED: 3,
  INDEX_COPIED: 4,
  MODIFIED: 5,
  DELETED: 6,
  UNTRACKED: 7,
  IGNORED: 8,
  INTENT_TO_ADD: 9,
} as const;

export interface GitChange {
  readonly uri: vscode.Uri;
  readonly originalUri: vscode.Uri;
  readonly renameUri: vscode.Uri | undefined;
  readonly status: number;
}

export interface GitBranch {
  readonly name?: string;
  readonly commit?: string;
}

export interface GitRepositoryState {
  readonly HEAD: GitBranch | undefined;
  readonly indexChanges: GitChange[];
  readonly workingTreeChanges: GitChange[];
  /** Present in newer VS Code versions (when `git.untrackedChanges` is `separate`). */
  readonly untrackedChanges?: GitChange[];
  readonly onDidChange: vscode.Event<void>;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: GitRepositoryState;
  readonly onDidCommit?: vscode.Event<void>;
  readonly onDidCheckout?: vscode.Event<void>;
  show(ref: string, path: string): Promise<string>;
  getCommit(ref: string): Promise<{ hash: string }>;
  /** Files that differ between `ref` and the working tree (`git diff --name-status ref`: untracked files are not listed). */
  diffWith(ref: string): Promise<GitChange[]>;
  /** Newer VS Code versions: which of these paths git ignores. */
  checkIgnore?(paths: string[]): Promise<Set<string>>;
}

export interface GitApi {
  readonly state?: 'uninitialized' | 'initialized';
  readonly onDidChangeState?: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  readonly onDidCloseRepository: vscode.Event<GitRepository>;
  getRepository(uri: vscode.Uri): GitRepository | null;
}

export interface GitExtension {
  readonly enabled: boolean;
  readonly onDidChangeEnablement: vscode.Event<boolean>;
  getAPI(version: 1): GitApi;
}
