// The editor side of the reachability diff: the "Reachability Changes" tree, the code lens on each changed policy,
// the status bar count, and read-only documents that show the base version of a deleted policy or workload.
import * as vscode from 'vscode';
import { Commands, Views, type ReachabilityDiffResult } from '../../../server/src/lsp/protocol';
import type { BaseVersion } from './baseSource';
import { buildTree, lensTitle, policyLenses, statusText, statusTooltip, type DiffIcon, type DiffNode, type DiffTarget, type PolicyLens } from './model';

export const VIEW_ID = Views.reachabilityChanges;
export const REVEAL_COMMAND = Commands.revealReachabilityChange;
export const BASE_SCHEME = 'netpol-base';

const ICONS: Record<DiffIcon, vscode.ThemeIcon> = {
  added: new vscode.ThemeIcon('diff-added', new vscode.ThemeColor('gitDecoration.addedResourceForeground')),
  removed: new vscode.ThemeIcon('diff-removed', new vscode.ThemeColor('gitDecoration.deletedResourceForeground')),
  changed: new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground')),
  appeared: new vscode.ThemeIcon('add'),
  disappeared: new vscode.ThemeIcon('remove'),
  namespace: new vscode.ThemeIcon('symbol-namespace'),
  workload: new vscode.ThemeIcon('server-process'),
  outgoing: new vscode.ThemeIcon('arrow-right'),
  incoming: new vscode.ThemeIcon('arrow-left'),
  'policy-added': new vscode.ThemeIcon('shield', new vscode.ThemeColor('gitDecoration.addedResourceForeground')),
  'policy-deleted': new vscode.ThemeIcon('shield', new vscode.ThemeColor('gitDecoration.deletedResourceForeground')),
  'policy-modified': new vscode.ThemeIcon('shield', new vscode.ThemeColor('gitDecoration.modifiedResourceForeground')),
  'policy-unchanged': new vscode.ThemeIcon('shield'),
};

/** Base texts of the last diff, served read-only under `netpol-base:` for entries that exist only in the base. */
export class BaseDocuments implements vscode.TextDocumentContentProvider {
  private texts = new Map<string, string>();
  /** Base files that are the same as on disk: read when shown, as the server read them for the comparison. */
  private onDisk = new Set<string>();
  private label = '';
  /** Which comparison the documents belong to: VS Code keeps a document's content by URI, even after it closed. */
  private comparison = 0;

  set(label: string, base: Pick<BaseVersion, 'files' | 'filesOnDisk'>): void {
    this.label = label;
    this.texts = base.files;
    this.onDisk = new Set(base.filesOnDisk);
    this.comparison++;
  }

  /**
   * `netpol-base:/HEAD/path/of/file.yaml?<working-tree uri>#<comparison>`: the tab names the base and the file; the
   * fragment makes each comparison's document a new one, so none shows an earlier comparison's text.
   */
  uriFor(workingTreeUri: string): vscode.Uri {
    const original = vscode.Uri.parse(workingTreeUri);
    return vscode.Uri.from({ scheme: BASE_SCHEME, path: `/${this.label}${original.path}`, query: workingTreeUri, fragment: String(this.comparison) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const text = this.texts.get(uri.query);
    if (text !== undefined) return text;
    if (this.onDisk.has(uri.query)) {
      try {
        return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(uri.query, true)));
      } catch {
        // deleted since the comparison: said below like any file the comparison did not have
      }
    }
    return `# ${uri.query} is not part of the last comparison with ${this.label}.\n`;
  }
}

export function targetCommand(target: DiffTarget, title: string): vscode.Command {
  return { command: REVEAL_COMMAND, title, arguments: [target] };
}

export class ChangesTree implements vscode.TreeDataProvider<DiffNode> {
  private roots: DiffNode[] = [];
  private readonly changed = new vscode.EventEmitter<DiffNode | undefined | void>();
  readonly onDidChangeTreeData = this.changed.event;

  setRoots(roots: DiffNode[]): void {
    this.roots = roots;
    this.changed.fire();
  }

  getRoots(): DiffNode[] {
    return this.roots;
  }

  getChildren(element?: DiffNode): DiffNode[] {
    return element ? element.children : this.roots;
  }

  getParent(element: DiffNode): DiffNode | undefined {
    return element.parent;
  }

  getTreeItem(element: DiffNode): vscode.TreeItem {
    const expandable = element.children.length > 0;
    // Down to the workloads whose connections changed the tree opens; causes, and the connections of workloads
    // that appeared or disappeared (they can be many), stay closed until asked.
    const open = element.icon !== 'incoming' && element.icon !== 'outgoing' && !(element.icon === 'workload' && element.id.startsWith('w:'));
    const item = new vscode.TreeItem(element.label, expandable ? (open ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = element.id;
    item.description = element.description;
    item.tooltip = element.tooltip;
    item.iconPath = ICONS[element.icon];
    item.contextValue = element.policy ? 'policy' : element.icon;
    if (element.target) item.command = targetCommand(element.target, element.policy ? 'Show Policy' : 'Show');
    return item;
  }

  /** The first entry naming this policy, to reveal from its code lens. */
  findPolicy(policy: string): DiffNode | undefined {
    const search = (nodes: DiffNode[]): DiffNode | undefined => {
      for (const n of nodes) {
        if (n.policy === policy) return n;
        const found = search(n.children);
        if (found) return found;
      }
      return undefined;
    };
    return search(this.roots);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export class PolicyLenses implements vscode.CodeLensProvider {
  private byUri = new Map<string, PolicyLens[]>();
  private base = '';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  set(base: string, lenses: PolicyLens[]): void {
    this.base = base;
    this.byUri = new Map();
    for (const lens of lenses) {
      const key = vscode.Uri.parse(lens.location.uri).toString();
      this.byUri.set(key, [...(this.byUri.get(key) ?? []), lens]);
    }
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return (this.byUri.get(document.uri.toString()) ?? []).map((lens) => {
      const line = Math.min(lens.location.range.start.line, Math.max(document.lineCount - 1, 0));
      return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
        title: lensTitle(lens, this.base),
        tooltip: `Connections that ${lens.policy} allows or denies differently than in ${this.base}. Click to show them.`,
        command: Commands.showReachabilityChanges,
        arguments: [{ policy: lens.policy }],
      });
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** What the view, the lenses and the status bar show, for tests and callers of `netpol.showReachabilityChanges`. */
export interface RenderedNode {
  label: string;
  description?: string;
  command?: { command: string; arguments?: unknown[] };
  children: RenderedNode[];
}

export interface ReachabilityChangesSnapshot {
  base: string;
  /** The message above the tree, when the comparison is not available. */
  message?: string;
  counts?: ReachabilityDiffResult['counts'];
  status?: string;
  tree: RenderedNode[];
  /** Labels of the selected entries (a code lens selects its policy's entry). */
  selection: string[];
  lenses: { uri: string; line: number; title: string }[];
}

export function renderTree(tree: ChangesTree, nodes: DiffNode[] = tree.getRoots()): RenderedNode[] {
  return nodes.map((n) => {
    const item = tree.getTreeItem(n);
    return {
      label: String(typeof item.label === 'object' ? item.label.label : item.label),
      ...(item.description ? { description: String(item.description) } : {}),
      ...(item.command ? { command: { command: item.command.command, arguments: item.command.arguments } } : {}),
      children: renderTree(tree, n.children),
    };
  });
}

/** The pieces of the view that change together with each diff result. */
export class ChangesPresentation implements vscode.Disposable {
  readonly tree = new ChangesTree();
  readonly lenses = new PolicyLenses();
  readonly baseDocuments = new BaseDocuments();
  readonly treeView: vscode.TreeView<DiffNode>;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private result: ReachabilityDiffResult | undefined;
  private message: string | undefined;
  private base = '';

  constructor() {
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.status = vscode.window.createStatusBarItem(Views.reachabilityChanges, vscode.StatusBarAlignment.Left, 9);
    this.status.name = 'NetworkPolicy Reachability Changes';
    this.status.command = `${VIEW_ID}.focus`;
    this.disposables.push(
      this.treeView,
      this.status,
      this.tree,
      this.lenses,
      vscode.languages.registerCodeLensProvider([{ scheme: 'file', language: 'yaml' }, { scheme: 'file', language: 'json' }, { scheme: 'untitled', language: 'yaml' }], this.lenses),
      vscode.workspace.registerTextDocumentContentProvider(BASE_SCHEME, this.baseDocuments),
    );
    this.treeView.message = 'Comparing with the base version…';
  }

  showResult(result: ReachabilityDiffResult, base: Pick<BaseVersion, 'files' | 'filesOnDisk'>): void {
    this.result = result;
    this.message = undefined;
    this.base = result.base;
    this.baseDocuments.set(result.base, base);
    this.tree.setRoots(buildTree(result));
    const total = result.changes.length + result.workloadsAdded.length + result.workloadsRemoved.length;
    this.treeView.message = total === 0 ? `No reachability changes compared with ${result.base}.` : undefined;
    this.treeView.description = `vs ${result.base}`;
    this.lenses.set(result.base, policyLenses(result));
    this.status.text = statusText(result);
    this.status.tooltip = statusTooltip(result);
    this.status.show();
  }

  showMessage(base: string, message: string): void {
    this.result = undefined;
    this.message = message;
    this.base = base;
    this.tree.setRoots([]);
    this.treeView.message = message;
    this.treeView.description = `vs ${base}`;
    this.lenses.set(base, []);
    this.status.hide();
  }

  async revealPolicy(policy: string): Promise<void> {
    const found = this.tree.findPolicy(policy);
    if (!found) return;
    // Right after new roots are set the workbench may not have rendered them yet, and reveal then fails or
    // leaves the selection unchanged: try again briefly.
    for (let attempt = 0; attempt < 5; attempt++) {
      const revealed = await this.treeView.reveal(found, { select: true, focus: true, expand: true }).then(
        () => true,
        () => false,
      );
      if (revealed && this.treeView.selection.includes(found)) return;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
  }

  snapshot(): ReachabilityChangesSnapshot {
    const lenses: ReachabilityChangesSnapshot['lenses'] = [];
    if (this.result) {
      for (const lens of policyLenses(this.result)) {
        lenses.push({ uri: vscode.Uri.parse(lens.location.uri).toString(), line: lens.location.range.start.line, title: lensTitle(lens, this.base) });
      }
    }
    return {
      base: this.base,
      ...(this.message !== undefined ? { message: this.message } : {}),
      ...(this.result ? { counts: this.result.counts, status: this.status.text } : {}),
      tree: renderTree(this.tree),
      selection: this.treeView.selection.map((n) => n.label),
      lenses,
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Opens the place an entry points at: the policy's YAML in the working tree, or its base version read-only. */
export async function revealTarget(target: unknown, baseDocuments: BaseDocuments): Promise<void> {
  if (!isTarget(target)) return;
  const { location, inBase } = target;
  const uri = inBase ? baseDocuments.uriFor(location.uri) : vscode.Uri.parse(location.uri);
  const r = location.range;
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { selection: range, preview: true });
}

function isTarget(value: unknown): value is DiffTarget {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as { location?: { uri?: unknown; range?: { start?: { line?: unknown; character?: unknown }; end?: { line?: unknown; character?: unknown } } } };
  const r = t.location?.range;
  return (
    typeof t.location?.uri === 'string' &&
    typeof r?.start?.line === 'number' &&
    typeof r.start.character === 'number' &&
    typeof r.end?.line === 'number' &&
    typeof r.end.character === 'number'
  );
}
