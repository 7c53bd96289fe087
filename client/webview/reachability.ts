// The reachability view's script (runs in the webview, bundled to dist/webview.js): a graph of workloads grouped
// by namespace with the allowed connections, and a matrix tab, filtered by namespace and port. Every workspace
// string reaches the page through textContent or setAttribute only, never as markup.
import type { FromReachabilityWebview, GraphEdge, GraphNode, ReachabilityGraph, ReachabilityViewFilter, ToReachabilityWebview } from '../../server/src/lsp/protocol';

interface VsCodeApi {
  postMessage(message: FromReachabilityWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Filter = ReachabilityViewFilter;
type Incoming = ToReachabilityWebview;

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const COLUMN_WIDTH = 260;
const NODE_WIDTH = 190;
const NODE_HEIGHT = 40;
const ROW_HEIGHT = 64;
const HEADER_HEIGHT = 44;
const MARGIN = 24;

let graph: ReachabilityGraph | undefined;
/** The number of the last update message applied, echoed in every render report. */
let update = 0;
const saved = (vscode.getState() as Partial<Filter> | undefined) ?? {};
const filter: Filter = { namespace: saved.namespace ?? '', port: saved.port ?? '', view: saved.view === 'matrix' ? 'matrix' : 'graph' };

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgElement(tag: string, attributes: Record<string, string | number> = {}, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

function edgeMatchesPort(edge: GraphEdge): boolean {
  return filter.port === '' || edge.ports.includes(filter.port) || edge.ports.includes('any');
}

/** Nodes and edges left after the filters: a namespace filter keeps its nodes and the peers they talk to. */
function visible(g: ReachabilityGraph): { nodes: GraphNode[]; edges: GraphEdge[] } {
  let edges = g.edges.filter(edgeMatchesPort);
  if (filter.namespace === '') return { nodes: g.nodes, edges };
  const inNamespace = new Set(g.nodes.filter((n) => n.namespace === filter.namespace).map((n) => n.id));
  edges = edges.filter((e) => inNamespace.has(e.from) || inNamespace.has(e.to));
  const shown = new Set([...inNamespace, ...edges.flatMap((e) => [e.from, e.to])]);
  return { nodes: g.nodes.filter((n) => shown.has(n.id)), edges };
}

function fillSelect(select: HTMLSelectElement, allLabel: string, values: string[], current: string): void {
  select.replaceChildren(element('option', { value: '' }, allLabel), ...values.map((v) => element('option', { value: v }, v)));
  select.value = values.includes(current) ? current : '';
}

function reveal(id: string): void {
  vscode.postMessage({ type: 'reveal', id });
}

/** The point at `t` of a cubic Bézier curve. */
function bezierPoint(p: [number, number][], t: number): [number, number] {
  const u = 1 - t;
  const w = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  return [w.reduce((s, k, i) => s + k * p[i][0], 0), w.reduce((s, k, i) => s + k * p[i][1], 0)];
}

function renderGraph(g: ReachabilityGraph, nodes: GraphNode[], edges: GraphEdge[]): void {
  const container = byId('graph');
  container.replaceChildren();
  if (nodes.length === 0) {
    container.append(element('p', { class: 'empty' }, g.nodes.length === 0 ? 'No workloads in this scope.' : 'Nothing matches the filters.'));
    return;
  }
  const namespaces = [...new Set(nodes.map((n) => n.namespace))].sort();
  const position = new Map<string, { x: number; y: number; column: number }>();
  let rows = 0;
  namespaces.forEach((ns, column) => {
    const members = nodes.filter((n) => n.namespace === ns);
    rows = Math.max(rows, members.length);
    members.forEach((n, row) => position.set(n.id, { x: MARGIN + column * COLUMN_WIDTH, y: MARGIN + HEADER_HEIGHT + row * ROW_HEIGHT, column }));
  });
  // Room on the right for the arcs between workloads of the last namespace.
  const width = MARGIN * 2 + namespaces.length * COLUMN_WIDTH + 60;
  const height = MARGIN * 2 + HEADER_HEIGHT + rows * ROW_HEIGHT;
  const svg = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Reachability graph' });
  const defs = svgElement('defs');
  const marker = svgElement('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svgElement('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.append(defs);

  namespaces.forEach((ns, column) => {
    const count = nodes.filter((n) => n.namespace === ns).length;
    const group = svgElement('g', { class: 'namespace' });
    group.append(
      svgElement('rect', { x: MARGIN + column * COLUMN_WIDTH - 12, y: MARGIN, width: NODE_WIDTH + 24, height: HEADER_HEIGHT + count * ROW_HEIGHT - 8, rx: 8 }),
      svgElement('text', { x: MARGIN + column * COLUMN_WIDTH, y: MARGIN + 26, class: 'namespace-name' }, ns),
    );
    svg.append(group);
  });

  const edgeLayer = svgElement('g', { class: 'edges' });
  svg.append(edgeLayer);
  for (const edge of edges) {
    const a = position.get(edge.from);
    const b = position.get(edge.to);
    if (!a || !b) continue;
    let d: string;
    let labelX: number;
    let labelY: number;
    const ay = a.y + NODE_HEIGHT / 2;
    const by = b.y + NODE_HEIGHT / 2;
    let curve: [number, number][];
    if (a.column === b.column) {
      // Same namespace: an arc out to the right of the column.
      const x = a.x + NODE_WIDTH;
      const bulge = 30 + Math.abs(by - ay) / 4;
      curve = [[x, ay], [x + bulge, ay], [x + bulge, by], [x + 2, by]];
    } else {
      const forward = b.column > a.column;
      const x1 = forward ? a.x + NODE_WIDTH : a.x;
      const x2 = forward ? b.x - 2 : b.x + NODE_WIDTH + 2;
      const dx = (x2 - x1) / 2;
      curve = [[x1, ay], [x1 + dx, ay], [x2 - dx, by], [x2, by]];
    }
    d = `M ${curve[0].join(' ')} C ${curve[1].join(' ')}, ${curve[2].join(' ')}, ${curve[3].join(' ')}`;
    // Labels sit near the source: edges that meet at one destination keep their labels apart.
    [labelX, labelY] = bezierPoint(curve, a.column === b.column ? 0.5 : 0.3);
    labelY -= 4;
    const group = svgElement('g', { class: 'edge', 'data-from': edge.from, 'data-to': edge.to });
    const path = svgElement('path', { d, 'marker-end': 'url(#arrow)' });
    group.append(path, svgElement('title', {}, `${edge.from} → ${edge.to}: ${edge.ports.join(', ')}`));
    if (edges.length <= 60) {
      const label = edge.ports.length > 2 ? `${edge.ports.slice(0, 2).join(', ')} +${edge.ports.length - 2}` : edge.ports.join(', ');
      group.append(svgElement('text', { x: labelX, y: labelY, class: 'edge-label' }, label));
    }
    edgeLayer.append(group);
  }

  for (const node of nodes) {
    const p = position.get(node.id)!;
    const group = svgElement('g', { class: 'node', tabindex: 0, role: 'button', 'data-id': node.id, 'aria-label': `${node.id} (${node.kind}): open its YAML` });
    group.append(
      svgElement('rect', { x: p.x, y: p.y, width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
      svgElement('text', { x: p.x + 10, y: p.y + 17, class: 'node-name' }, node.name.length > 24 ? `${node.name.slice(0, 23)}…` : node.name),
      svgElement('text', { x: p.x + 10, y: p.y + 32, class: 'node-kind' }, node.kind),
    );
    const badges: [boolean, string, string][] = [
      [node.isolatedIngress, 'in', 'isolated for ingress'],
      [node.isolatedEgress, 'out', 'isolated for egress'],
    ];
    badges.forEach(([on, text, title], i) => {
      const x = p.x + NODE_WIDTH - 34 * (2 - i);
      const badge = svgElement('g', { class: on ? 'badge on' : 'badge' });
      badge.append(svgElement('rect', { x, y: p.y + 24, width: 30, height: 12, rx: 3 }), svgElement('text', { x: x + 15, y: p.y + 33 }, text), svgElement('title', {}, on ? title : title.replace('isolated', 'not isolated')));
      group.append(badge);
    });
    group.append(svgElement('title', {}, `${node.id} (${node.kind})`));
    group.addEventListener('click', () => reveal(node.id));
    group.addEventListener('keydown', (event) => {
      const key = (event as KeyboardEvent).key;
      if (key === 'Enter' || key === ' ') reveal(node.id);
    });
    const highlight = (on: boolean) => {
      for (const e of edgeLayer.querySelectorAll('.edge')) {
        const touches = e.getAttribute('data-from') === node.id || e.getAttribute('data-to') === node.id;
        e.classList.toggle('highlight', on && touches);
        e.classList.toggle('dim', on && !touches);
      }
    };
    group.addEventListener('mouseenter', () => highlight(true));
    group.addEventListener('mouseleave', () => highlight(false));
    svg.append(group);
  }
  container.append(svg);
}

function renderMatrix(g: ReachabilityGraph, nodes: GraphNode[]): void {
  const container = byId('matrix');
  container.replaceChildren();
  if (nodes.length === 0 || g.ports.length === 0) {
    container.append(element('p', { class: 'empty' }, nodes.length === 0 ? 'No workloads to show.' : 'No container ports are declared, so there is no port to show.'));
    return;
  }
  const index = new Map(g.nodes.map((n, i) => [n.id, i]));
  const ports = filter.port === '' ? g.ports : g.ports.filter((p) => p === filter.port);
  const table = element('table', { class: 'matrix' });
  const caption = element('caption', {}, filter.port === '' ? 'Rows: from; columns: to. Cells list the allowed ports among those the destination declares.' : `Rows: from; columns: to; port ${filter.port}.`);
  const head = element('tr');
  head.append(element('th', { class: 'corner' }, 'from \\ to'));
  for (const n of nodes) head.append(element('th', { class: 'column', title: n.id, scope: 'col' }, n.id));
  table.append(caption, head);
  for (const from of nodes) {
    const row = element('tr');
    const th = element('th', { scope: 'row', class: 'row-name', title: `${from.id}: open its YAML` }, from.id);
    th.addEventListener('click', () => reveal(from.id));
    row.append(th);
    for (const to of nodes) {
      // Over all ports, a cell lists the destination's own declared ports (others have nothing listening).
      const candidates = filter.port === '' && to.ports.length > 0 ? ports.filter((p) => to.ports.includes(p)) : ports;
      const allowed = candidates.filter((p) => g.matrix[p]?.[index.get(from.id)!]?.[index.get(to.id)!]);
      const cell = element('td', { class: allowed.length > 0 ? 'allowed' : 'denied', title: `${from.id} → ${to.id}: ${allowed.length > 0 ? allowed.join(', ') : 'denied'}` });
      cell.textContent = filter.port !== '' ? (allowed.length > 0 ? '✓' : '·') : allowed.length > 0 ? allowed.join(' ') : '·';
      row.append(cell);
    }
    table.append(row);
  }
  container.append(table);
}

function render(): void {
  if (!graph) return;
  vscode.setState(filter);
  const scopeSelect = byId<HTMLSelectElement>('scope');
  scopeSelect.replaceChildren(...graph.scopes.map((s) => element('option', { value: s }, s)));
  scopeSelect.value = graph.scope;
  byId('scope-label').hidden = graph.scopes.length < 2;
  fillSelect(byId<HTMLSelectElement>('namespace'), 'All namespaces', graph.namespaces, filter.namespace);
  fillSelect(byId<HTMLSelectElement>('port'), 'All ports', graph.ports, filter.port);
  filter.namespace = byId<HTMLSelectElement>('namespace').value;
  filter.port = byId<HTMLSelectElement>('port').value;
  for (const view of ['graph', 'matrix'] as const) {
    byId(view).hidden = filter.view !== view;
    byId(`tab-${view}`).setAttribute('aria-selected', String(filter.view === view));
  }
  const { nodes, edges } = visible(graph);
  if (filter.view === 'graph') renderGraph(graph, nodes, edges);
  else renderMatrix(graph, nodes);
  byId('summary').textContent = `${nodes.length} of ${graph.nodes.length} workloads, ${edges.length} allowed connections`;
  // Tells the extension what is on screen (its tests check the drawn nodes and edges).
  const drawnNodes = [...document.querySelectorAll(filter.view === 'graph' ? '#graph .node' : '#matrix th.row-name')].map((e) =>
    (filter.view === 'graph' ? e.getAttribute('data-id') : e.textContent) ?? '',
  );
  const drawnEdges = [...document.querySelectorAll('#graph .edge')].map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}`);
  // Elements this script never creates (VS Code's own API script aside): any would mean workspace text was read
  // as markup.
  const foreign = [...document.querySelectorAll('img, iframe, object, embed, link, script:not([nonce]):not(#_vscodeApiScript), [onerror], [onload]')].map((e) => e.outerHTML.slice(0, 120));
  vscode.postMessage({ type: 'rendered', update, view: filter.view, filter: { ...filter }, nodes: drawnNodes, edges: drawnEdges, foreign });
}

function applyFilter(change: Partial<Filter>): void {
  if (change.namespace !== undefined) filter.namespace = change.namespace;
  if (change.port !== undefined) filter.port = change.port;
  if (change.view === 'graph' || change.view === 'matrix') filter.view = change.view;
}

window.addEventListener('message', (event: MessageEvent<Incoming>) => {
  const message = event.data;
  if (message.type === 'graph') {
    graph = message.graph;
    update = Math.max(update, message.update);
    if (message.filter) applyFilter(message.filter);
    byId('error').hidden = true;
    render();
  } else if (message.type === 'filter') {
    update = Math.max(update, message.update);
    applyFilter(message.filter);
    render();
  } else if (message.type === 'error') {
    const error = byId('error');
    error.textContent = message.message;
    error.hidden = false;
  }
});

byId<HTMLSelectElement>('namespace').addEventListener('change', (e) => {
  filter.namespace = (e.target as HTMLSelectElement).value;
  render();
});
byId<HTMLSelectElement>('port').addEventListener('change', (e) => {
  filter.port = (e.target as HTMLSelectElement).value;
  render();
});
byId<HTMLSelectElement>('scope').addEventListener('change', (e) => vscode.postMessage({ type: 'scope', scope: (e.target as HTMLSelectElement).value }));
for (const view of ['graph', 'matrix'] as const) {
  byId(`tab-${view}`).addEventListener('click', () => {
    filter.view = view;
    render();
  });
}
vscode.postMessage({ type: 'ready' });
