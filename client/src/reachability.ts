// The reachability view: a webview panel showing the server's reachability graph, refreshed when the workspace
// changes. Strict content security policy: only the bundled script (with a nonce) and inline styles with the
// same nonce; no remote resources. Workspace data reaches the page as messages, never as HTML.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  Views,
  type FromReachabilityWebview,
  type ReachabilityGraph,
  type ReachabilityGraphState,
  type RenderedGraphGeometry,
  type ToReachabilityWebview,
} from '../../server/src/lsp/protocol';
import { codicon } from './codicons';
import type { NetpolServer } from './server';

export interface RenderedView {
  /** Counts renders of this panel: 1 for the first. */
  sequence: number;
  /** The number of the last update message (graph or filter) the render includes. */
  update: number;
  view: 'graph' | 'matrix';
  filter: { namespace: string; port: string; view: string };
  nodes: string[];
  edges: string[];
  /** Elements on the page that the view's script never creates (must stay empty), as the start of their HTML. */
  foreign: string[];
  /** The graph view: bundled namespace pairs (`from->to (n)`), collapsed namespaces and selection, its notice. */
  bundles: string[];
  state?: ReachabilityGraphState;
  notice: string;
  /** The drawn graph measured in the page (boxes, label boxes, edge polylines). */
  geometry?: RenderedGraphGeometry;
  selection?: { related: string[]; peers: string[]; dimmed: number };
  layoutMs?: number;
}

export interface ReachabilityFilter {
  namespace?: string;
  port?: string;
  view?: 'graph' | 'matrix';
}

const MAX_SVG_CHARS = 50_000_000;

const REFRESH_DELAY_MS = 250;

export class ReachabilityPanel implements vscode.Disposable {
  static readonly viewType = Views.reachabilityPanel;
  private static current: ReachabilityPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private graph: ReachabilityGraph | undefined;
  private scope: string | undefined;
  private pendingFilter: ReachabilityFilter | undefined;
  private pendingState: Partial<ReachabilityGraphState> | undefined;
  private svgWaiters: ((svg: string) => void)[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private ready = false;
  /** Numbers the messages that change what the view shows, so callers can wait for the render of theirs. */
  private updates = 0;
  private renderListeners: ((view: RenderedView) => void)[] = [];
  /** What the webview last drew (for tests and diagnostics). */
  lastRendered: RenderedView | undefined;

  static get instance(): ReachabilityPanel | undefined {
    return ReachabilityPanel.current;
  }

  static show(extensionUri: vscode.Uri, server: NetpolServer, filter: ReachabilityFilter = {}, scope?: string, state?: Partial<ReachabilityGraphState>): ReachabilityPanel {
    if (ReachabilityPanel.current) {
      const existing = ReachabilityPanel.current;
      existing.panel.reveal(undefined, true);
      if (scope !== undefined && scope !== existing.scope) {
        existing.scope = scope;
        existing.pendingFilter = { ...existing.pendingFilter, ...filter };
        existing.pendingState = { ...existing.pendingState, ...state };
        existing.scheduleRefresh(0);
      } else {
        existing.setFilter(filter, state);
      }
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      ReachabilityPanel.viewType,
      'NetworkPolicy Reachability',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')] },
    );
    ReachabilityPanel.current = new ReachabilityPanel(panel, extensionUri, server, filter, scope);
    ReachabilityPanel.current.pendingState = state;
    return ReachabilityPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly server: NetpolServer,
    filter: ReachabilityFilter,
    scope: string | undefined,
  ) {
    this.scope = scope;
    this.pendingFilter = filter;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'images', 'icon.png');
    panel.webview.html = this.html(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message) => this.onMessage(message)),
      // The server also announces changes; edits are watched here too so the view never lags behind the text.
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && (e.document.languageId === 'yaml' || e.document.languageId === 'json')) this.scheduleRefresh();
      }),
    );
  }

  /** Asks for a new graph soon (edits arrive in bursts). */
  scheduleRefresh(delay = REFRESH_DELAY_MS): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refresh(), delay);
  }

  /** Applies a filter and graph state (undefined fields keep theirs); returns the number of the update that carries it. */
  setFilter(filter: ReachabilityFilter, state?: Partial<ReachabilityGraphState>): number {
    if (this.ready && this.graph) {
      void this.post({ type: 'filter', filter, ...(state ? { state } : {}), update: ++this.updates });
    } else {
      this.pendingFilter = { ...this.pendingFilter, ...filter };
      this.pendingState = { ...this.pendingState, ...state };
    }
    return this.updates;
  }

  /** Fits the graph to the view; returns the number of the update that carries it. */
  fit(): number {
    void this.post({ type: 'fit', update: ++this.updates });
    return this.updates;
  }

  /**
   * Exports the graph as an SVG file: to `target`, else where the user chooses. Returns the file written (undefined
   * when the user cancelled).
   */
  async exportSvg(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const svg = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the reachability view did not export its graph within 20 s')), 20_000);
      this.svgWaiters.push((text) => {
        clearTimeout(timer);
        resolve(text);
      });
      void this.post({ type: 'export' });
    });
    return this.saveSvg(svg, target);
  }

  private async saveSvg(svg: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    if (!svg.startsWith('<?xml') || svg.length > MAX_SVG_CHARS) {
      void vscode.window.showErrorMessage('NetworkPolicy: the reachability view has no graph to export.');
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = target ?? (await vscode.window.showSaveDialog({
      title: 'Export Reachability Graph',
      filters: { 'SVG image': ['svg'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `reachability-${this.graph?.scope ?? 'graph'}.svg`) } : {}),
    }));
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(svg));
    return uri;
  }

  /** The number of the last update sent or queued; a render with `update` at least this shows it. */
  get latestUpdate(): number {
    return this.updates;
  }

  /** Resolves with the next render that satisfies `accept` (for tests: the view reflects an edit). */
  waitForRender(accept: (view: RenderedView) => boolean = () => true, timeoutMs = 20_000): Promise<RenderedView> {
    if (this.lastRendered && accept(this.lastRendered)) return Promise.resolve(this.lastRendered);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.renderListeners = this.renderListeners.filter((l) => l !== listener);
        reject(new Error(`the reachability view did not render as expected within ${timeoutMs} ms; last: ${JSON.stringify(this.lastRendered)}`));
      }, timeoutMs);
      const listener = (view: RenderedView) => {
        if (!accept(view)) return;
        clearTimeout(timer);
        this.renderListeners = this.renderListeners.filter((l) => l !== listener);
        resolve(view);
      };
      this.renderListeners.push(listener);
    });
  }

  private async refresh(): Promise<void> {
    if (!this.ready) return;
    try {
      this.graph = await this.server.reachability(this.scope);
      const filter = this.pendingFilter;
      const state = this.pendingState;
      this.pendingFilter = undefined;
      this.pendingState = undefined;
      await this.post({ type: 'graph', graph: this.graph, filter, ...(state ? { state } : {}), update: ++this.updates });
    } catch (error) {
      await this.post({ type: 'error', message: `Could not compute reachability: ${(error as Error).message}` });
    }
  }

  private post(message: ToReachabilityWebview): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  /** A message of the webview (FromReachabilityWebview), checked field by field: the page is not trusted. */
  private async onMessage(message: unknown): Promise<void> {
    if (!message || typeof message !== 'object') return;
    const m = message as { type?: FromReachabilityWebview['type']; id?: unknown; scope?: unknown };
    switch (m.type) {
      case 'ready':
        this.ready = true;
        await this.refresh();
        break;
      case 'reveal': {
        const node = this.graph?.nodes.find((n) => n.id === m.id);
        if (!node) return;
        const { start, end } = node.location.range;
        const range = new vscode.Range(start.line, start.character, end.line, end.character);
        const editor = await vscode.window.showTextDocument(vscode.Uri.parse(node.location.uri), { viewColumn: vscode.ViewColumn.One, preview: true });
        editor.selection = new vscode.Selection(range.start, range.start);
        editor.revealRange(range, vscode.TextEditorRevealType.AtTop);
        break;
      }
      case 'scope':
        if (typeof m.scope === 'string') {
          this.scope = m.scope;
          await this.refresh();
        }
        break;
      case 'rendered': {
        const view = message as Extract<FromReachabilityWebview, { type: 'rendered' }>;
        this.lastRendered = {
          sequence: (this.lastRendered?.sequence ?? 0) + 1,
          update: typeof view.update === 'number' ? view.update : 0,
          view: view.view,
          filter: view.filter,
          nodes: view.nodes,
          edges: view.edges,
          foreign: Array.isArray(view.foreign) ? view.foreign : ['(not reported)'],
          bundles: Array.isArray(view.bundles) ? view.bundles : [],
          state: view.state,
          notice: typeof view.notice === 'string' ? view.notice : '',
          geometry: view.geometry,
          selection: view.selection,
          layoutMs: view.layoutMs,
        };
        for (const listener of [...this.renderListeners]) listener(this.lastRendered);
        break;
      }
      case 'svg': {
        const { svg, requested } = message as { svg?: unknown; requested?: unknown };
        if (typeof svg !== 'string') return;
        const waiter = requested === true ? this.svgWaiters.shift() : undefined;
        if (waiter) waiter(svg);
        else await this.saveSvg(svg);
        break;
      }
    }
  }

  private html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
    const layoutEngine = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview-elk.js'));
    const iconFont = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'codicon.ttf'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource}`,
      `style-src 'nonce-${nonce}'`,
      `script-src 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>NetworkPolicy Reachability</title>
<style nonce="${nonce}">@font-face { font-family: codicon; font-display: block; src: url("${iconFont.toString()}") format("truetype"); }
${STYLES}</style>
</head>
<body>
<header class="toolbar">
  <div role="tablist" aria-label="View">
    <button id="tab-graph" role="tab" aria-selected="true">Graph</button>
    <button id="tab-matrix" role="tab" aria-selected="false">Matrix</button>
  </div>
  <label id="scope-label" hidden>Scope <select id="scope"></select></label>
  <label>Namespace <select id="namespace"></select></label>
  <label>Port <select id="port"></select></label>
  <span id="graph-tools" class="tools" role="toolbar" aria-label="Graph">
    <button id="fit" title="Fit to view (0)">${codicon('screen-full')}Fit</button>
    <button id="zoom-in" title="Zoom in (+)" aria-label="Zoom in">${codicon('zoom-in')}</button>
    <button id="zoom-out" title="Zoom out (-)" aria-label="Zoom out">${codicon('zoom-out')}</button>
    <button id="direction"><span id="direction-down">${codicon('arrow-down')}</span><span id="direction-right" hidden>${codicon('arrow-right')}</span><span id="direction-label"></span></button>
    <button id="collapse-all" title="Draw every namespace as one node">${codicon('collapse-all')}Collapse all</button>
    <button id="expand-all" title="Show every namespace's workloads">${codicon('expand-all')}Expand all</button>
    <button id="regroup" title="Bundle the connections between namespaces again" hidden>${codicon('group-by-ref-type')}Bundle again</button>
    <button id="export" title="Save the graph as an SVG file">${codicon('export')}Export SVG</button>
  </span>
  <span id="summary" aria-live="polite"></span>
</header>
<div id="legend" class="legend" aria-label="Legend"></div>
<p id="notice" class="notice" hidden></p>
<p id="selection" class="selection" aria-live="polite"></p>
<p id="error" class="error" hidden></p>
<main>
  <section id="graph" aria-label="Graph"></section>
  <section id="matrix" aria-label="Matrix" hidden></section>
</main>
<script nonce="${nonce}" src="${layoutEngine.toString()}"></script>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (ReachabilityPanel.current === this) ReachabilityPanel.current = undefined;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

const STYLES = `
html, body { height: 100%; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 12px; margin: 0; display: flex; flex-direction: column; box-sizing: border-box; overflow: hidden; }
.toolbar { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: center; padding: 8px 0; border-bottom: 1px solid var(--vscode-panel-border); background: var(--vscode-editor-background); }
.toolbar [role="tab"] { background: transparent; color: var(--vscode-foreground); border: none; border-bottom: 2px solid transparent; padding: 4px 10px; cursor: pointer; font: inherit; }
.toolbar [role="tab"][aria-selected="true"] { border-bottom-color: var(--vscode-focusBorder); font-weight: 600; }
.tools { display: inline-flex; flex-wrap: wrap; gap: 4px; }
.codicon { font: normal normal normal 16px/1 codicon; display: inline-block; vertical-align: text-bottom; margin-right: 4px; user-select: none; }
#zoom-in .codicon, #zoom-out .codicon { margin-right: 0; }
.tools button { display: inline-flex; align-items: center; white-space: nowrap; background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: 1px solid var(--vscode-button-border, transparent); border-radius: 2px; padding: 2px 8px; cursor: pointer; font: inherit; }
.tools button[hidden] { display: none; }
.tools button:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible, select:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border); padding: 2px 4px; }
#summary { opacity: 0.8; margin-left: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; padding: 6px 0; font-size: 0.9em; color: var(--vscode-descriptionForeground); }
.legend-item { display: inline-flex; align-items: center; gap: 6px; }
.legend .swatch { overflow: visible; }
.notice, .selection { margin: 2px 0; color: var(--vscode-descriptionForeground); min-height: 1.2em; }
.notice[hidden] { display: none; }
.error { color: var(--vscode-errorForeground); }
.empty { opacity: 0.8; font-style: italic; }
main { flex: 1; min-height: 0; display: flex; flex-direction: column; }
#graph { flex: 1; min-height: 0; position: relative; }
#graph[hidden], #matrix[hidden] { display: none; }
#matrix { overflow: auto; flex: 1; }
#graph-svg { display: block; width: 100%; height: 100%; cursor: grab; outline: none; user-select: none; -webkit-user-select: none; }
#graph-svg:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
#graph-svg.panning { cursor: grabbing; }
.namespace .frame { fill: var(--vscode-sideBar-background, rgba(128,128,128,0.06)); stroke: var(--vscode-panel-border, rgba(128,128,128,0.4)); }
.namespace-name { fill: var(--vscode-foreground); font-weight: 600; }
.toggle { cursor: pointer; }
.toggle rect { fill: transparent; stroke: var(--vscode-descriptionForeground); }
.toggle text, .expand-mark { fill: var(--vscode-foreground); text-anchor: middle; font-weight: 700; }
.toggle:focus { outline: none; }
.toggle:focus rect, .toggle:hover rect { stroke: var(--vscode-focusBorder); stroke-width: 2; }
.node, .namespace-node { cursor: pointer; }
.node .box { fill: var(--vscode-editorWidget-background); stroke: var(--vscode-focusBorder); stroke-width: 1.2; }
.namespace-node .box { fill: var(--vscode-sideBar-background, rgba(128,128,128,0.06)); stroke: var(--vscode-descriptionForeground); stroke-width: 1.2; stroke-dasharray: 6 3; }
.node:hover .box, .namespace-node:hover .box, .node:focus .box, .namespace-node:focus .box { stroke-width: 2.5; }
.node:focus, .namespace-node:focus { outline: none; }
.node.selected .box { stroke-width: 3; stroke: var(--vscode-charts-blue, #3794ff); }
.node-name { fill: var(--vscode-foreground); font-weight: 600; }
.node-kind { fill: var(--vscode-descriptionForeground); font-size: 0.85em; }
.badge rect { fill: transparent; stroke: var(--vscode-descriptionForeground); stroke-dasharray: 2 2; }
.badge text { fill: var(--vscode-descriptionForeground); font-size: 9px; text-anchor: middle; }
.badge.on rect { fill: var(--vscode-charts-orange, #d18616); stroke: none; }
.badge.on text { fill: var(--vscode-editor-background); font-weight: 700; }
.edge polyline { fill: none; stroke: var(--vscode-charts-green, #388a34); stroke-width: 1.5; opacity: 0.9; }
.edge.merged polyline { stroke-width: 2.5; }
.edge.bundle polyline { stroke-width: 4; opacity: 0.55; cursor: pointer; }
.arrowhead { fill: var(--vscode-charts-green, #388a34); }
.edge-label rect { fill: var(--vscode-editor-background); stroke: none; opacity: 0.9; }
.edge-label text { fill: var(--vscode-descriptionForeground); font-size: 10px; text-anchor: middle; }
.edge-label.label-bundle { cursor: pointer; }
.edge-label.label-bundle text { fill: var(--vscode-textLink-foreground); text-decoration: underline; }
.hidden { display: none; }
.has-selection .node:not(.selected):not(.peer), .has-selection .namespace-node:not(.peer) { opacity: 0.25; }
.has-selection .edge:not(.related), .has-selection .edge-label:not(.related) { opacity: 0.12; }
.has-selection .edge.related polyline { stroke-width: 3; opacity: 1; stroke: var(--vscode-charts-blue, #3794ff); }
.has-selection .edge.related .arrowhead { fill: var(--vscode-charts-blue, #3794ff); }
.has-selection .edge-label.related text { fill: var(--vscode-foreground); font-weight: 600; }
table.matrix { border-collapse: collapse; margin-top: 12px; }
table.matrix caption { text-align: left; padding: 6px 0; opacity: 0.8; }
table.matrix th, table.matrix td { border: 1px solid var(--vscode-panel-border); padding: 3px 6px; text-align: center; white-space: nowrap; }
table.matrix th.column { writing-mode: vertical-rl; transform: rotate(180deg); font-weight: 500; }
table.matrix th.row-name { text-align: left; cursor: pointer; font-weight: 500; }
table.matrix td.allowed { background: rgba(56, 138, 52, 0.25); }
table.matrix td.denied { opacity: 0.6; }
`;
