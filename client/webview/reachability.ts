// The reachability view's script (runs in the webview, bundled to dist/webview.js): a graph of workloads grouped
// by namespace with the allowed connections, laid out by ELK (graph-layout.ts; the engine is dist/webview-elk.js,
// loaded before this script), and a matrix tab, filtered by namespace and port. Every workspace string reaches the
// page through textContent or setAttribute only, never as markup.
import type {
  FromReachabilityWebview,
  GeometryBox,
  GraphEdge,
  GraphNode,
  ReachabilityGraph,
  ReachabilityGraphState,
  ReachabilityViewFilter,
  RenderedGraphGeometry,
  ToReachabilityWebview,
} from '../../server/src/lsp/protocol';
import { COLLAPSE_WHEN_WORKLOADS, LABEL_HEIGHT, NAMESPACE_HEADER, layoutGraph, namespaceNodeId, type DrawnEdge, type Elk, type GraphLayout, type Measure, type TextRole } from './graph-layout';
import { bounds, type Box } from './geometry';

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
/** Margin around the drawing when it is fitted to the view, in the drawing's pixels. */
const FIT_MARGIN = 16;
const MIN_ZOOM = 0.1;
const MAX_ZOOM = 4;

let graph: ReachabilityGraph | undefined;
/** The number of the last update message applied, echoed in every render report. */
let update = 0;
interface SavedState extends Partial<Filter> {
  direction?: 'DOWN' | 'RIGHT';
  chosen?: boolean;
  collapsed?: string[];
  expanded?: string[];
  selected?: string;
}
const saved = (vscode.getState() as SavedState | undefined) ?? {};
const filter: Filter = { namespace: saved.namespace ?? '', port: saved.port ?? '', view: saved.view === 'matrix' ? 'matrix' : 'graph' };
const state = {
  collapsed: new Set<string>(saved.collapsed ?? []),
  expanded: new Set<string>(saved.expanded ?? []),
  selected: saved.selected ?? '',
  direction: saved.direction === 'RIGHT' ? ('RIGHT' as const) : ('DOWN' as const),
  /** Whether the collapse state was chosen (by the user or a saved state), else large graphs start collapsed. */
  chosen: saved.chosen === true,
};

/** The drawing on screen, and the part of it that the view shows (the SVG's viewBox). */
let drawn: { key: string; layout: GraphLayout; svg: SVGSVGElement; layoutMs: number } | undefined;
let viewBox: Box = { x: 0, y: 0, width: 1, height: 1 };
/** Whether the view shows the fitted drawing (then a resize fits it again); zooming or panning clears it. */
let fitted = true;
let notice = '';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svgElement<T extends SVGElement = SVGElement>(tag: string, attributes: Record<string, string | number> = {}, text?: string): T {
  const e = document.createElementNS(SVG, tag) as T;
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function byId<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

function saveState(): void {
  vscode.setState({ ...filter, direction: state.direction, chosen: state.chosen, collapsed: [...state.collapsed], expanded: [...state.expanded], selected: state.selected });
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

// ---------------------------------------------------------------------------------------------------------------
// Text measurement: the layout sizes boxes and labels by the text as the page draws it.

let measureContext: CanvasRenderingContext2D | null | undefined;
function fontFor(role: TextRole): string {
  const style = getComputedStyle(document.body);
  const size = parseFloat(style.fontSize) || 13;
  const family = style.fontFamily || 'sans-serif';
  switch (role) {
    case 'name':
    case 'namespace':
      return `600 ${size}px ${family}`;
    case 'kind':
      return `${(size * 0.85).toFixed(2)}px ${family}`;
    case 'edge':
      return `10px ${family}`;
  }
}
const measureText: Measure = (text, role) => {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * (role === 'edge' ? 6.5 : 8.5);
  measureContext.font = fontFor(role);
  return measureContext.measureText(text).width;
};

// ---------------------------------------------------------------------------------------------------------------
// The graph.

function elk(): Elk {
  const Constructor = (globalThis as { NetpolElk?: new () => Elk }).NetpolElk;
  if (!Constructor) throw new Error('the layout engine (dist/webview-elk.js) did not load');
  elkInstance ??= new Constructor();
  return elkInstance;
}
let elkInstance: Elk | undefined;

function structureKey(g: ReachabilityGraph): string {
  return JSON.stringify([graphVersion.get(g), state.direction, [...state.collapsed].sort(), [...state.expanded].sort()]);
}
const graphVersion = new WeakMap<ReachabilityGraph, number>();
let graphCount = 0;

function setViewBox(box: Box): void {
  viewBox = box;
  drawn?.svg.setAttribute('viewBox', `${box.x} ${box.y} ${box.width} ${box.height}`);
}

/** The box of what the filters leave on screen, in drawing coordinates (the whole drawing when nothing is hidden). */
function visibleBounds(): Box | undefined {
  if (!drawn) return undefined;
  const boxes: Box[] = [];
  for (const n of drawn.layout.nodes) if (!isHidden(n.id)) boxes.push(n.box);
  for (const ns of drawn.layout.namespaces) if (drawn.svg.querySelector(`.namespace[data-namespace="${CSS.escape(ns.name)}"]:not(.hidden)`)) boxes.push(ns.box);
  return bounds(boxes);
}

function isHidden(id: string): boolean {
  const e = drawn?.svg.querySelector(`[data-id="${CSS.escape(id)}"]`);
  return !e || e.classList.contains('hidden');
}

function fit(): void {
  if (!drawn) return;
  const content = visibleBounds() ?? { x: 0, y: 0, width: drawn.layout.width, height: drawn.layout.height };
  setViewBox({ x: content.x - FIT_MARGIN, y: content.y - FIT_MARGIN, width: content.width + 2 * FIT_MARGIN, height: content.height + 2 * FIT_MARGIN });
  fitted = true;
}

/** Screen pixels per drawing pixel (the zoom). */
function scale(): number {
  const m = drawn?.svg.getScreenCTM();
  return m ? m.a : 1;
}

function toDrawing(clientX: number, clientY: number): { x: number; y: number } {
  const m = drawn?.svg.getScreenCTM();
  if (!m) return { x: clientX, y: clientY };
  const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
  return { x: p.x, y: p.y };
}

function zoomAt(factor: number, clientX?: number, clientY?: number): void {
  if (!drawn) return;
  const s = scale();
  const target = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, s * factor));
  factor = target / s;
  if (factor === 1) return;
  const rect = drawn.svg.getBoundingClientRect();
  const p = toDrawing(clientX ?? rect.x + rect.width / 2, clientY ?? rect.y + rect.height / 2);
  setViewBox({ x: p.x - (p.x - viewBox.x) / factor, y: p.y - (p.y - viewBox.y) / factor, width: viewBox.width / factor, height: viewBox.height / factor });
  fitted = false;
}

function pan(dxScreen: number, dyScreen: number): void {
  const s = scale();
  setViewBox({ ...viewBox, x: viewBox.x - dxScreen / s, y: viewBox.y - dyScreen / s });
  fitted = false;
}

/** Pans so that a node box is on screen (keyboard navigation), keeping the zoom. */
function bringIntoView(box: Box): void {
  if (!drawn) return;
  const rect = drawn.svg.getBoundingClientRect();
  const topLeft = toDrawing(rect.x, rect.y);
  const bottomRight = toDrawing(rect.x + rect.width, rect.y + rect.height);
  let dx = 0;
  let dy = 0;
  if (box.x < topLeft.x) dx = box.x - topLeft.x - FIT_MARGIN;
  else if (box.x + box.width > bottomRight.x) dx = box.x + box.width - bottomRight.x + FIT_MARGIN;
  if (box.y < topLeft.y) dy = box.y - topLeft.y - FIT_MARGIN;
  else if (box.y + box.height > bottomRight.y) dy = box.y + box.height - bottomRight.y + FIT_MARGIN;
  if (dx !== 0 || dy !== 0) {
    setViewBox({ ...viewBox, x: viewBox.x + dx, y: viewBox.y + dy });
    fitted = false;
  }
}

function points(e: DrawnEdge): string {
  return e.points.map((p) => `${p.x},${p.y}`).join(' ');
}

function edgeTitle(e: DrawnEdge): string {
  if (e.kind === 'edge') return `${e.members[0].from} → ${e.members[0].to}: ${e.members[0].ports.join(', ')}`;
  const lines = e.members.slice(0, 12).map((m) => `${m.from} → ${m.to}: ${m.ports.join(', ')}`);
  if (e.members.length > 12) lines.push(`… and ${e.members.length - 12} more`);
  return `${e.members.length} connections${e.kind === 'bundle' ? ' (click to show them one by one)' : ''}\n${lines.join('\n')}`;
}

function badge(x: number, y: number, on: boolean, text: string, title: string): SVGElement {
  const g = svgElement('g', { class: on ? 'badge on' : 'badge' });
  g.append(svgElement('rect', { x, y, width: 30, height: 13, rx: 3 }), svgElement('text', { x: x + 15, y: y + 10 }, text), svgElement('title', {}, title));
  return g;
}

function drawSvg(layout: GraphLayout): SVGSVGElement {
  const svg = svgElement<SVGSVGElement>('svg', { id: 'graph-svg', role: 'group', 'aria-label': 'Reachability graph: arrow keys move between workloads, Enter opens the YAML, Space selects, + and - zoom, 0 fits', tabindex: 0, preserveAspectRatio: 'xMidYMid meet' });
  const defs = svgElement('defs');
  for (const [id, cls] of [['arrow', 'arrowhead'], ['arrow-bundle', 'arrowhead bundle-head']]) {
    const marker = svgElement('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', markerUnits: 'userSpaceOnUse' });
    marker.setAttribute('markerWidth', id === 'arrow' ? '9' : '12');
    marker.setAttribute('markerHeight', id === 'arrow' ? '9' : '12');
    marker.append(svgElement('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: cls }));
    defs.append(marker);
  }
  svg.append(defs);
  const scene = svgElement('g', { class: 'scene' });
  svg.append(scene);

  const namespaceLayer = svgElement('g', { class: 'namespaces' });
  for (const ns of layout.namespaces) {
    const g = svgElement('g', { class: 'namespace', 'data-namespace': ns.name });
    const toggle = svgElement('g', { class: 'toggle', role: 'button', tabindex: 0, 'data-toggle': ns.name, 'aria-label': `Collapse namespace ${ns.name}` });
    toggle.append(
      svgElement('rect', { x: ns.box.x + ns.box.width - 26, y: ns.box.y + 7, width: 18, height: 18, rx: 3 }),
      svgElement('text', { x: ns.box.x + ns.box.width - 17, y: ns.box.y + 20 }, '−'),
      svgElement('title', {}, `Collapse ${ns.name} into one node`),
    );
    g.append(
      svgElement('rect', { x: ns.box.x, y: ns.box.y, width: ns.box.width, height: ns.box.height, rx: 8, class: 'frame' }),
      svgElement('text', { x: ns.box.x + 10, y: ns.box.y + NAMESPACE_HEADER / 2 + 6, class: 'namespace-name' }, ns.name),
      toggle,
    );
    namespaceLayer.append(g);
  }
  scene.append(namespaceLayer);

  const edgeLayer = svgElement('g', { class: 'edges' });
  const labelLayer = svgElement('g', { class: 'labels' });
  for (const e of layout.edges) {
    const connects = [e.from, e.to, ...e.members.flatMap((m) => [m.from, m.to])];
    const attributes: Record<string, string> = { class: `edge ${e.kind}`, 'data-id': e.id, 'data-from': e.from, 'data-to': e.to, 'data-connects': [...new Set(connects)].join(' ') };
    if (e.pair) attributes['data-pair'] = e.pair;
    const g = svgElement('g', attributes);
    g.append(svgElement('polyline', { points: points(e), 'marker-end': e.kind === 'edge' ? 'url(#arrow)' : 'url(#arrow-bundle)' }), svgElement('title', {}, edgeTitle(e)));
    edgeLayer.append(g);
    if (e.labelBox) {
      const label = svgElement('g', { class: `edge-label label-${e.kind}`, 'data-edge': e.id });
      label.append(
        svgElement('rect', { x: e.labelBox.x, y: e.labelBox.y, width: e.labelBox.width, height: e.labelBox.height, rx: 3 }),
        svgElement('text', { x: e.labelBox.x + e.labelBox.width / 2, y: e.labelBox.y + LABEL_HEIGHT - 3.5 }, e.label),
        svgElement('title', {}, edgeTitle(e)),
      );
      labelLayer.append(label);
    }
  }
  scene.append(edgeLayer);

  const nodeLayer = svgElement('g', { class: 'nodes' });
  for (const n of layout.nodes) {
    const { x, y, width, height } = n.box;
    if (n.kind === 'namespace') {
      const g = svgElement('g', { class: 'namespace-node', tabindex: 0, role: 'button', 'data-id': n.id, 'data-namespace': n.namespace, 'aria-label': `Namespace ${n.namespace}, ${n.members} workloads, collapsed: Enter expands it` });
      g.append(
        svgElement('rect', { x, y, width, height, rx: 8, class: 'box' }),
        svgElement('text', { x: x + 10, y: y + 18, class: 'node-name' }, n.namespace),
        svgElement('text', { x: x + 10, y: y + 35, class: 'node-kind' }, `${n.members} workload${n.members === 1 ? '' : 's'}`),
        svgElement('text', { x: x + width - 17, y: y + 18, class: 'expand-mark' }, '+'),
        svgElement('title', {}, `${n.namespace}: ${n.members} workloads (click to expand)`),
      );
      nodeLayer.append(g);
      continue;
    }
    const w = n.workload!;
    const g = svgElement('g', { class: 'node', tabindex: 0, role: 'button', 'data-id': n.id, 'data-namespace': n.namespace, 'aria-label': `${n.id} (${w.kind}): Space selects, Enter opens its YAML` });
    g.append(
      svgElement('rect', { x, y, width, height, rx: 6, class: 'box' }),
      svgElement('text', { x: x + 10, y: y + 18, class: 'node-name' }, w.name),
      svgElement('text', { x: x + 10, y: y + 35, class: 'node-kind' }, w.kind),
      badge(x + width - 74, y + 25, w.isolatedIngress, 'in', w.isolatedIngress ? 'isolated for ingress: only connections a policy allows come in' : 'not isolated for ingress: every connection comes in'),
      badge(x + width - 40, y + 25, w.isolatedEgress, 'out', w.isolatedEgress ? 'isolated for egress: only connections a policy allows go out' : 'not isolated for egress: every connection goes out'),
      svgElement('title', {}, `${n.id} (${w.kind})${w.ports.length > 0 ? `, ports ${w.ports.join(', ')}` : ''}`),
    );
    nodeLayer.append(g);
  }
  scene.append(nodeLayer, labelLayer);
  return svg;
}

/** Hides what the filters leave out, without moving anything (the layout stays as it is). */
function applyFilters(svg: SVGSVGElement, nodes: GraphNode[], edges: GraphEdge[]): void {
  const shownNodes = new Set(nodes.map((n) => n.id));
  const shownEdges = new Set(edges.map((e) => `${e.from}->${e.to}`));
  const shownNamespaces = new Set(nodes.map((n) => n.namespace));
  for (const g of svg.querySelectorAll('.node')) g.classList.toggle('hidden', !shownNodes.has(g.getAttribute('data-id') ?? ''));
  for (const g of svg.querySelectorAll('.namespace, .namespace-node')) g.classList.toggle('hidden', !shownNamespaces.has(g.getAttribute('data-namespace') ?? ''));
  for (const e of drawn?.layout.edges ?? []) {
    const any = e.members.some((m) => shownEdges.has(`${m.from}->${m.to}`));
    for (const g of svg.querySelectorAll(`[data-id="${CSS.escape(e.id)}"], [data-edge="${CSS.escape(e.id)}"]`)) g.classList.toggle('hidden', !any);
  }
}

/** Highlights the selected workload's connections (and their other ends) and dims the rest. */
function applySelection(svg: SVGSVGElement): void {
  const id = state.selected;
  const layout = drawn?.layout;
  const exists = !!layout && layout.nodes.some((n) => n.id === id);
  svg.classList.toggle('has-selection', exists);
  const related = new Set<string>();
  const peers = new Set<string>();
  if (exists) {
    for (const e of layout.edges) {
      const touching = e.members.filter((m) => m.from === id || m.to === id);
      if (touching.length === 0) continue;
      related.add(e.id);
      peers.add(e.from);
      peers.add(e.to);
      for (const m of touching) peers.add(m.from === id ? m.to : m.from);
    }
  }
  for (const g of svg.querySelectorAll('.node, .namespace-node')) {
    const nodeId = g.getAttribute('data-id') ?? '';
    const namespaceId = namespaceNodeId(g.getAttribute('data-namespace') ?? '');
    g.classList.toggle('selected', exists && nodeId === id);
    g.classList.toggle('peer', exists && (peers.has(nodeId) || (g.classList.contains('namespace-node') && peers.has(namespaceId))));
    g.setAttribute('aria-pressed', String(exists && nodeId === id));
  }
  for (const g of svg.querySelectorAll('.edge, .edge-label')) {
    const edgeId = g.getAttribute('data-id') ?? g.getAttribute('data-edge') ?? '';
    g.classList.toggle('related', related.has(edgeId));
  }
  const info = byId('selection');
  if (exists) {
    const inbound = graph?.edges.filter((e) => e.to === id).length ?? 0;
    const outbound = graph?.edges.filter((e) => e.from === id).length ?? 0;
    info.textContent = `${id}: ${inbound} inbound, ${outbound} outbound connection${outbound === 1 ? '' : 's'} (Esc clears)`;
  } else {
    info.textContent = '';
  }
}

function select(id: string): void {
  state.selected = state.selected === id ? '' : id;
  saveState();
  if (drawn) applySelection(drawn.svg);
  report();
}

/** Moves the focus to the nearest workload in an arrow's direction. */
function focusNeighbour(from: Element, key: string): void {
  const layout = drawn?.layout;
  if (!layout) return;
  const current = layout.nodes.find((n) => n.id === from.getAttribute('data-id'));
  if (!current) return;
  const centre = (b: Box) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
  const c = centre(current.box);
  let best: { id: string; score: number } | undefined;
  for (const n of layout.nodes) {
    if (n.id === current.id || isHidden(n.id)) continue;
    const p = centre(n.box);
    const dx = p.x - c.x;
    const dy = p.y - c.y;
    const along = key === 'ArrowRight' ? dx : key === 'ArrowLeft' ? -dx : key === 'ArrowDown' ? dy : -dy;
    const across = key === 'ArrowRight' || key === 'ArrowLeft' ? Math.abs(dy) : Math.abs(dx);
    if (along <= 0) continue;
    const score = along + 2 * across;
    if (!best || score < best.score) best = { id: n.id, score };
  }
  if (!best) return;
  const target = drawn!.svg.querySelector<SVGGElement>(`[data-id="${CSS.escape(best.id)}"]`);
  target?.focus({ preventScroll: true });
  bringIntoView(layout.nodes.find((n) => n.id === best!.id)!.box);
}

function toggleNamespace(namespace: string): void {
  if (state.collapsed.has(namespace)) state.collapsed.delete(namespace);
  else state.collapsed.add(namespace);
  state.chosen = true;
  saveState();
  void render();
}

function expandBundle(pair: string): void {
  state.expanded.add(pair);
  saveState();
  void render();
}

function wire(svg: SVGSVGElement): void {
  svg.addEventListener('click', (event) => {
    const target = event.target as Element;
    const toggle = target.closest('[data-toggle]');
    if (toggle) return toggleNamespace(toggle.getAttribute('data-toggle')!);
    const collapsedNode = target.closest('.namespace-node');
    if (collapsedNode) return toggleNamespace(collapsedNode.getAttribute('data-namespace')!);
    const node = target.closest('.node');
    if (node) return select(node.getAttribute('data-id')!);
    const bundle = target.closest('.edge.bundle, .edge-label.label-bundle');
    if (bundle) {
      const id = bundle.getAttribute('data-id') ?? bundle.getAttribute('data-edge');
      const pair = drawn?.layout.edges.find((e) => e.id === id)?.pair;
      if (pair) expandBundle(pair);
    }
  });
  svg.addEventListener('dblclick', (event) => {
    const node = (event.target as Element).closest('.node');
    if (node) reveal(node.getAttribute('data-id')!);
  });
  svg.addEventListener('keydown', (event) => {
    const target = event.target as Element;
    const node = target.closest('.node');
    const collapsed = target.closest('.namespace-node, [data-toggle]');
    const key = event.key;
    if (node && (key === 'Enter' || key === ' ')) {
      event.preventDefault();
      return key === 'Enter' ? reveal(node.getAttribute('data-id')!) : select(node.getAttribute('data-id')!);
    }
    if (collapsed && (key === 'Enter' || key === ' ')) {
      event.preventDefault();
      return toggleNamespace(collapsed.getAttribute('data-namespace') ?? collapsed.getAttribute('data-toggle')!);
    }
    if (key.startsWith('Arrow')) {
      event.preventDefault();
      if (node || target.closest('.namespace-node')) return focusNeighbour(node ?? target.closest('.namespace-node')!, key);
      const step = 60;
      return pan(key === 'ArrowLeft' ? step : key === 'ArrowRight' ? -step : 0, key === 'ArrowUp' ? step : key === 'ArrowDown' ? -step : 0);
    }
    if (key === '+' || key === '=') zoomAt(1.25);
    else if (key === '-' || key === '_') zoomAt(0.8);
    else if (key === '0') fit();
    else if (key === 'Escape' && state.selected !== '') select(state.selected);
    else return;
    event.preventDefault();
  });
  svg.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      if (event.ctrlKey || Math.abs(event.deltaY) >= Math.abs(event.deltaX)) zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX, event.clientY);
      else pan(-event.deltaX, 0);
    },
    { passive: false },
  );
  let dragging: { x: number; y: number; id: number } | undefined;
  svg.addEventListener('pointerdown', (event) => {
    if ((event.target as Element).closest('.node, .namespace-node, [data-toggle], .edge-label')) return;
    dragging = { x: event.clientX, y: event.clientY, id: event.pointerId };
    svg.setPointerCapture(event.pointerId);
    svg.classList.add('panning');
  });
  svg.addEventListener('pointermove', (event) => {
    if (!dragging || event.pointerId !== dragging.id) return;
    pan(event.clientX - dragging.x, event.clientY - dragging.y);
    dragging = { ...dragging, x: event.clientX, y: event.clientY };
  });
  const stop = (event: PointerEvent) => {
    if (!dragging || event.pointerId !== dragging.id) return;
    dragging = undefined;
    svg.classList.remove('panning');
  };
  svg.addEventListener('pointerup', stop);
  svg.addEventListener('pointercancel', stop);
}

let renderCount = 0;
/** The render whose layout is being computed (0: none): until it is drawn, what is on screen is not reported. */
let laying = 0;

async function renderGraph(g: ReachabilityGraph, nodes: GraphNode[], edges: GraphEdge[]): Promise<boolean> {
  const container = byId('graph');
  const own = ++renderCount;
  if (g.nodes.length === 0 || nodes.length === 0) {
    drawn = undefined;
    container.replaceChildren(element('p', { class: 'empty' }, g.tooLarge ?? (g.nodes.length === 0 ? 'No workloads in this scope.' : 'Nothing matches the filters.')));
    return true;
  }
  if (!state.chosen && g.nodes.length > COLLAPSE_WHEN_WORKLOADS) {
    for (const ns of g.namespaces) state.collapsed.add(ns);
    state.chosen = true;
  }
  notice = g.nodes.length > COLLAPSE_WHEN_WORKLOADS && state.collapsed.size > 0 ? `${g.nodes.length} workloads: namespaces start collapsed; click one to show its workloads.` : '';
  byId('notice').textContent = notice;
  byId('notice').hidden = notice === '';
  const key = structureKey(g);
  laying = 0; // a layout still running for an older render is dropped when it finishes
  if (!drawn || drawn.key !== key || !container.contains(drawn.svg)) {
    const started = performance.now();
    let layout: GraphLayout;
    laying = own;
    try {
      layout = await layoutGraph(elk(), g.nodes, g.edges, { collapsed: state.collapsed, expanded: state.expanded, measure: measureText, direction: state.direction });
    } catch (error) {
      container.replaceChildren(element('p', { class: 'error' }, `Could not lay the graph out: ${(error as Error).message}`));
      drawn = undefined;
      if (own === renderCount) laying = 0;
      return own === renderCount;
    }
    if (own !== renderCount) return false; // a newer render replaced this one
    laying = 0;
    const svg = drawSvg(layout);
    wire(svg);
    container.replaceChildren(svg);
    drawn = { key, layout, svg, layoutMs: Math.round(performance.now() - started) };
    fit();
  }
  applyFilters(drawn.svg, nodes, edges);
  applySelection(drawn.svg);
  if (fitted) fit();
  return true;
}

function renderMatrix(g: ReachabilityGraph, nodes: GraphNode[]): void {
  const container = byId('matrix');
  container.replaceChildren();
  if (g.tooLarge) {
    container.append(element('p', { class: 'empty' }, g.tooLarge));
    return;
  }
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

async function render(): Promise<void> {
  if (!graph) return;
  saveState();
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
  byId('graph-tools').hidden = filter.view !== 'graph';
  byId('legend').hidden = filter.view !== 'graph';
  byId('regroup').hidden = state.expanded.size === 0;
  const { nodes, edges } = visible(graph);
  byId('summary').textContent = graph.tooLarge ? '' : `${nodes.length} of ${graph.nodes.length} workloads, ${edges.length} allowed connections`;
  if (filter.view === 'graph') {
    if (!(await renderGraph(graph, nodes, edges))) return;
  } else {
    renderMatrix(graph, nodes);
  }
  report();
}

function boxOf(r: DOMRect): GeometryBox {
  return { x: r.x, y: r.y, width: r.width, height: r.height };
}

/** The drawn graph measured on the page: boxes from getBoundingClientRect, edge points through the SVG's screen matrix. */
function measureGeometry(): RenderedGraphGeometry | undefined {
  if (!drawn || !document.body.contains(drawn.svg)) return undefined;
  const svg = drawn.svg;
  const shown = (e: Element) => !e.closest('.hidden');
  const nodes = [...svg.querySelectorAll('.node, .namespace-node')].filter(shown).map((g) => ({ id: g.getAttribute('data-id')!, box: boxOf(g.querySelector('rect.box')!.getBoundingClientRect()) }));
  const layout = [...svg.querySelectorAll<SVGGraphicsElement>('.node rect.box, .namespace-node rect.box')].filter(shown).map((r) => ({ id: r.closest('[data-id]')!.getAttribute('data-id')!, box: boxOf(r.getBBox() as unknown as DOMRect) }));
  const labels = [...svg.querySelectorAll('.edge-label')].filter(shown).map((g) => ({ id: g.getAttribute('data-edge')!, box: boxOf(g.querySelector('rect')!.getBoundingClientRect()) }));
  const edges = [...svg.querySelectorAll<SVGGElement>('.edge')].filter(shown).map((g) => {
    const line = g.querySelector('polyline') as SVGPolylineElement;
    const m = line.getScreenCTM()!;
    const points = [...line.points].map((p) => new DOMPoint(p.x, p.y).matrixTransform(m)).map((p) => ({ x: p.x, y: p.y }));
    return { id: g.getAttribute('data-id')!, connects: (g.getAttribute('data-connects') ?? '').split(' '), points };
  });
  return { view: boxOf(svg.getBoundingClientRect()), page: { width: window.innerWidth, height: window.innerHeight }, nodes, labels, edges, layout };
}

function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    console.error(error);
    return undefined;
  }
}

function selectionReport(svg: SVGSVGElement): { related: string[]; peers: string[]; dimmed: number } {
  const related = [...svg.querySelectorAll('.edge.related:not(.hidden)')].map((e) => e.getAttribute('data-id')!);
  const peers = [...svg.querySelectorAll('.peer:not(.hidden)')].map((e) => e.getAttribute('data-id')!);
  const dimmed = [...svg.querySelectorAll('.node, .namespace-node, .edge, .edge-label')].filter((e) => !e.classList.contains('hidden') && Number(getComputedStyle(e).opacity) < 0.5).length;
  return { related, peers, dimmed };
}

/** Tells the extension what is on screen (its tests check the drawn nodes, edges and their geometry). */
function report(): void {
  const graphView = filter.view === 'graph';
  if (graphView && laying !== 0) return; // the render being laid out reports when it is drawn
  const drawnNodes = [...document.querySelectorAll(graphView ? '#graph .node:not(.hidden)' : '#matrix th.row-name')].map((e) => (graphView ? e.getAttribute('data-id') : e.textContent) ?? '');
  const drawnEdges = [...document.querySelectorAll('#graph .edge.edge:not(.merged):not(.bundle):not(.hidden)')].map((e) => `${e.getAttribute('data-from')}->${e.getAttribute('data-to')}`);
  const bundles = (drawn?.layout.edges ?? []).filter((e) => e.kind === 'bundle' && !isHidden(e.id)).map((e) => `${e.pair} (${e.members.length})`);
  // Elements this script never creates (VS Code's own API script aside): any would mean workspace text was read
  // as markup.
  const foreign = [...document.querySelectorAll('img, iframe, object, embed, link, script:not([nonce]):not(#_vscodeApiScript), [onerror], [onload]')].map((e) => e.outerHTML.slice(0, 120));
  const graphState: ReachabilityGraphState = { collapsed: [...state.collapsed].sort(), expanded: [...state.expanded].sort(), selected: state.selected };
  vscode.postMessage({
    type: 'rendered',
    update,
    view: filter.view,
    filter: { ...filter },
    nodes: drawnNodes,
    edges: drawnEdges,
    foreign,
    bundles,
    state: graphState,
    notice,
    ...(graphView ? { geometry: safely(measureGeometry), layoutMs: drawn?.layoutMs } : {}),
    ...(graphView && drawn?.svg.classList.contains('has-selection') ? { selection: selectionReport(drawn.svg) } : {}),
  });
}

/** The graph as a standalone SVG document: the whole drawing, with the theme's colours written into its style. */
function exportSvg(): string {
  if (!drawn) return '';
  const copy = drawn.svg.cloneNode(true) as SVGSVGElement;
  copy.removeAttribute('tabindex');
  copy.removeAttribute('id');
  copy.setAttribute('xmlns', SVG);
  copy.setAttribute('viewBox', `0 0 ${drawn.layout.width} ${drawn.layout.height}`);
  copy.setAttribute('width', String(Math.ceil(drawn.layout.width)));
  copy.setAttribute('height', String(Math.ceil(drawn.layout.height)));
  for (const hidden of copy.querySelectorAll('.hidden, [data-toggle]')) hidden.remove();
  const body = getComputedStyle(document.body);
  const resolve = (css: string) => css.replace(/var\((--[\w-]+)(?:,\s*([^)]+))?\)/g, (_, name: string, fallback?: string) => body.getPropertyValue(name).trim() || fallback?.trim() || 'currentColor');
  const rules: string[] = [`svg { font-family: ${body.fontFamily}; font-size: ${body.fontSize}; background: ${body.getPropertyValue('--vscode-editor-background').trim() || 'white'}; }`];
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) {
      if (rule instanceof CSSStyleRule && /(^|[\s,])(#graph-svg|\.namespace|\.node|\.edge|\.badge|\.arrowhead|\.toggle|\.expand-mark|\.has-selection)/.test(rule.selectorText)) {
        rules.push(resolve(rule.cssText.replace(/#graph-svg/g, 'svg')));
      }
    }
  }
  const style = document.createElementNS(SVG, 'style');
  style.textContent = rules.join('\n');
  copy.insertBefore(style, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
}

function applyFilter(change: Partial<Filter>): void {
  if (change.namespace !== undefined) filter.namespace = change.namespace;
  if (change.port !== undefined) filter.port = change.port;
  if (change.view === 'graph' || change.view === 'matrix') filter.view = change.view;
}

function applyGraphState(change: Partial<ReachabilityGraphState> | undefined): void {
  if (!change) return;
  if (Array.isArray(change.collapsed)) {
    state.collapsed = new Set(change.collapsed.filter((c) => typeof c === 'string'));
    state.chosen = true;
  }
  if (Array.isArray(change.expanded)) state.expanded = new Set(change.expanded.filter((c) => typeof c === 'string'));
  if (typeof change.selected === 'string') state.selected = change.selected;
}

window.addEventListener('message', (event: MessageEvent<Incoming>) => {
  const message = event.data;
  if (message.type === 'graph') {
    graph = message.graph;
    graphVersion.set(graph, ++graphCount);
    update = Math.max(update, message.update);
    if (message.filter) applyFilter(message.filter);
    applyGraphState(message.state);
    byId('error').hidden = true;
    void render();
  } else if (message.type === 'filter') {
    update = Math.max(update, message.update);
    applyFilter(message.filter);
    applyGraphState(message.state);
    void render();
  } else if (message.type === 'fit') {
    update = Math.max(update, message.update);
    fit();
    report();
  } else if (message.type === 'export') {
    vscode.postMessage({ type: 'svg', svg: exportSvg(), requested: true });
  } else if (message.type === 'error') {
    const error = byId('error');
    error.textContent = message.message;
    error.hidden = false;
  }
});

function legendSwatch(kind: 'in-on' | 'in-off' | 'edge' | 'bundle' | 'namespace' | 'collapsed'): SVGSVGElement {
  const svg = svgElement<SVGSVGElement>('svg', { width: 34, height: 16, viewBox: '0 0 34 16', 'aria-hidden': 'true', class: 'swatch' });
  if (kind === 'in-on' || kind === 'in-off') svg.append(badge(2, 1.5, kind === 'in-on', 'in', ''));
  else if (kind === 'edge' || kind === 'bundle') {
    const g = svgElement('g', { class: `edge ${kind}` });
    g.append(svgElement('polyline', { points: '2,8 26,8' }), svgElement('path', { d: 'M 24 3 L 33 8 L 24 13 z', class: kind === 'edge' ? 'arrowhead' : 'arrowhead bundle-head' }));
    svg.append(g);
  } else {
    const g = svgElement('g', { class: kind === 'namespace' ? 'namespace' : 'namespace-node' });
    g.append(svgElement('rect', { x: 2, y: 2, width: 30, height: 12, rx: 3, class: kind === 'namespace' ? 'frame' : 'box' }));
    svg.append(g);
  }
  return svg;
}

function buildLegend(): void {
  const items: [Parameters<typeof legendSwatch>[0], string][] = [
    ['in-on', 'in / out filled: isolated for ingress / egress (only what a policy allows passes)'],
    ['in-off', 'dashed: not isolated (everything passes in that direction)'],
    ['edge', 'allowed connection, with its ports'],
    ['bundle', 'N connections between two namespaces (click to show them)'],
    ['namespace', 'namespace (− collapses it)'],
    ['collapsed', 'collapsed namespace (click to expand)'],
  ];
  byId('legend').replaceChildren(...items.map(([kind, text]) => {
    const item = element('span', { class: 'legend-item' });
    item.append(legendSwatch(kind), element('span', {}, text));
    return item;
  }));
}

byId<HTMLSelectElement>('namespace').addEventListener('change', (e) => {
  filter.namespace = (e.target as HTMLSelectElement).value;
  void render();
});
byId<HTMLSelectElement>('port').addEventListener('change', (e) => {
  filter.port = (e.target as HTMLSelectElement).value;
  void render();
});
byId<HTMLSelectElement>('scope').addEventListener('change', (e) => vscode.postMessage({ type: 'scope', scope: (e.target as HTMLSelectElement).value }));
for (const view of ['graph', 'matrix'] as const) {
  byId(`tab-${view}`).addEventListener('click', () => {
    filter.view = view;
    void render();
  });
}
byId('zoom-in').addEventListener('click', () => zoomAt(1.25));
byId('zoom-out').addEventListener('click', () => zoomAt(0.8));
byId('fit').addEventListener('click', () => fit());
byId('collapse-all').addEventListener('click', () => {
  state.collapsed = new Set(graph?.namespaces ?? []);
  state.chosen = true;
  void render();
});
byId('expand-all').addEventListener('click', () => {
  state.collapsed.clear();
  state.chosen = true;
  void render();
});
byId('regroup').addEventListener('click', () => {
  state.expanded.clear();
  void render();
});
function showDirection(): void {
  const button = byId('direction');
  byId('direction-label').textContent = state.direction === 'DOWN' ? 'Top to bottom' : 'Left to right';
  byId('direction-down').hidden = state.direction !== 'DOWN';
  byId('direction-right').hidden = state.direction === 'DOWN';
  button.title = `Connections point ${state.direction === 'DOWN' ? 'down' : 'right'}: click to lay the graph out ${state.direction === 'DOWN' ? 'left to right' : 'top to bottom'}`;
}
byId('direction').addEventListener('click', () => {
  state.direction = state.direction === 'DOWN' ? 'RIGHT' : 'DOWN';
  showDirection();
  fitted = true;
  void render();
});
showDirection();
byId('export').addEventListener('click', () => vscode.postMessage({ type: 'svg', svg: exportSvg(), requested: false }));
// Fit again when the panel changes size, unless the user zoomed or panned.
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  if (!fitted || !drawn) return;
  fit();
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(report, 150);
}).observe(byId('graph'));
buildLegend();
vscode.postMessage({ type: 'ready' });

