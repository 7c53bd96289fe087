// The reachability graph's layout: which boxes and edges are drawn (namespaces collapsed to one node, many edges
// between two namespaces bundled into one until expanded), laid out by ELK's layered algorithm with namespaces as
// compound nodes, orthogonal edge routing and edge labels placed as their own nodes (so they never overlap boxes or
// each other). Pure: ELK comes in as a parameter (dist/webview-elk.js in the webview, the elkjs package in tests).
import type { GraphEdge, GraphNode } from '../../server/src/lsp/protocol';
import type { Box, Point } from './geometry';

/** The JSON graph of ELK (the part used here; elkjs's own types stay out of the webview layer). */
export interface ElkLabel {
  text?: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
}
export interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  labels?: ElkLabel[];
  children?: ElkNode[];
  edges?: ElkEdge[];
  layoutOptions?: Record<string, string>;
}
export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  labels?: ElkLabel[];
  container?: string;
  sections?: { startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
}
export interface Elk {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export type TextRole = 'name' | 'kind' | 'edge' | 'namespace';
/** Width in pixels of a text in the font of its role. */
export type Measure = (text: string, role: TextRole) => number;

export interface LayoutOptions {
  /** Namespaces drawn as one node. */
  collapsed: ReadonlySet<string>;
  /** Namespace pairs (`from->to`) whose bundle the user expanded. */
  expanded: ReadonlySet<string>;
  measure: Measure;
  /** Where connections point: down (the default: namespaces stack, which suits a panel better than one long row) or right. */
  direction?: 'DOWN' | 'RIGHT';
}

/** Above this many connections in the graph, namespace pairs with at least BUNDLE_MIN_EDGES are bundled. */
export const BUNDLE_WHEN_EDGES = 40;
export const BUNDLE_MIN_EDGES = 3;
/** Above this many workloads, the view opens with every namespace collapsed (a layout of hundreds of boxes is slow and unreadable). */
export const COLLAPSE_WHEN_WORKLOADS = 150;

export const NODE_HEIGHT = 46;
export const NODE_MIN_WIDTH = 150;
export const NAMESPACE_HEADER = 30;
export const LABEL_HEIGHT = 14;
const NODE_PADDING_X = 10;
/** Room for the in/out badges on the kind line. */
const BADGES_WIDTH = 66;

export const namespaceNodeId = (namespace: string) => `ns:${namespace}`;
export const bundleId = (from: string, to: string) => `${from}->${to}`;

export interface DrawnNode {
  /** The workload id, or `ns:NAME` for a collapsed namespace. */
  id: string;
  kind: 'workload' | 'namespace';
  namespace: string;
  box: Box;
  /** The workload, for a workload node. */
  workload?: GraphNode;
  /** Workloads inside, for a collapsed namespace. */
  members: number;
}

export interface DrawnNamespace {
  name: string;
  box: Box;
}

export interface DrawnEdge {
  id: string;
  /** A single connection, the connections between one node and a collapsed namespace, or a bundle of a namespace pair. */
  kind: 'edge' | 'merged' | 'bundle';
  /** Drawn endpoints (node ids, or namespace ids for a bundle). */
  from: string;
  to: string;
  /** For a bundle: the namespace pair key that expands it. */
  pair?: string;
  /** The workload connections it stands for. */
  members: GraphEdge[];
  label: string;
  labelBox?: Box;
  points: Point[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: DrawnNode[];
  namespaces: DrawnNamespace[];
  edges: DrawnEdge[];
}

/** The label of a connection: its ports, at most two and a count. */
export function portsLabel(ports: readonly string[]): string {
  return ports.length > 2 ? `${ports.slice(0, 2).join(', ')} +${ports.length - 2}` : ports.join(', ');
}

function connectionsLabel(members: readonly GraphEdge[]): string {
  if (members.length === 1) return portsLabel(members[0].ports);
  return `${members.length} connections`;
}

export function nodeWidth(node: GraphNode, measure: Measure): number {
  const name = measure(node.name, 'name');
  const kind = measure(node.kind, 'kind') + BADGES_WIDTH;
  return Math.ceil(Math.max(NODE_MIN_WIDTH, name, kind) + 2 * NODE_PADDING_X);
}

/** What is drawn before layout: nodes, the namespaces that are boxes, and the edges with their members. */
export function drawnStructure(nodes: readonly GraphNode[], edges: readonly GraphEdge[], options: Pick<LayoutOptions, 'collapsed' | 'expanded'>) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const shownId = (id: string) => {
    const node = byId.get(id)!;
    return options.collapsed.has(node.namespace) ? namespaceNodeId(node.namespace) : id;
  };
  const bundling = edges.length > BUNDLE_WHEN_EDGES;
  const pairCount = new Map<string, number>();
  for (const e of edges) {
    const a = byId.get(e.from)?.namespace;
    const b = byId.get(e.to)?.namespace;
    if (a === undefined || b === undefined || a === b) continue;
    if (options.collapsed.has(a) || options.collapsed.has(b)) continue;
    pairCount.set(bundleId(a, b), (pairCount.get(bundleId(a, b)) ?? 0) + 1);
  }
  const groups = new Map<string, DrawnEdge>();
  for (const e of edges) {
    const a = byId.get(e.from);
    const b = byId.get(e.to);
    if (!a || !b) continue;
    const pair = bundleId(a.namespace, b.namespace);
    let from: string;
    let to: string;
    let kind: DrawnEdge['kind'];
    if (bundling && a.namespace !== b.namespace && !options.expanded.has(pair) && (pairCount.get(pair) ?? 0) >= BUNDLE_MIN_EDGES) {
      [from, to, kind] = [namespaceNodeId(a.namespace), namespaceNodeId(b.namespace), 'bundle'];
    } else {
      [from, to] = [shownId(e.from), shownId(e.to)];
      kind = from === e.from && to === e.to ? 'edge' : 'merged';
    }
    if (from === to) continue; // inside one collapsed namespace: counted on its node
    const key = `${kind}:${from}->${to}`;
    const group = groups.get(key) ?? { id: key, kind, from, to, members: [], label: '', points: [], ...(kind === 'bundle' ? { pair } : {}) };
    group.members.push(e);
    groups.set(key, group);
  }
  const drawnEdges = [...groups.values()];
  for (const e of drawnEdges) e.label = connectionsLabel(e.members);
  const namespaces = [...new Set(nodes.map((n) => n.namespace))].sort();
  return { namespaces, edges: drawnEdges };
}

/** Lays the graph out; positions are absolute, in pixels, with the origin at the top left of the drawing. */
export async function layoutGraph(elk: Elk, nodes: readonly GraphNode[], edges: readonly GraphEdge[], options: LayoutOptions): Promise<GraphLayout> {
  const { namespaces, edges: drawnEdges } = drawnStructure(nodes, edges, options);
  const { measure } = options;
  const namespaceNodes: ElkNode[] = namespaces.map((ns) => {
    const members = nodes.filter((n) => n.namespace === ns);
    const titleWidth = measure(ns, 'namespace') + 40;
    if (options.collapsed.has(ns)) {
      const sub = measure(`${members.length} workloads`, 'kind');
      return { id: namespaceNodeId(ns), width: Math.ceil(Math.max(NODE_MIN_WIDTH, titleWidth, sub + 2 * NODE_PADDING_X)), height: NODE_HEIGHT };
    }
    return {
      id: namespaceNodeId(ns),
      layoutOptions: {
        'elk.padding': `[top=${NAMESPACE_HEADER + 8},left=14,bottom=14,right=14]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${Math.ceil(titleWidth)}, ${NAMESPACE_HEADER + NODE_HEIGHT})`,
      },
      children: members.map((n) => ({ id: n.id, width: nodeWidth(n, measure), height: NODE_HEIGHT })),
    };
  });
  const elkEdges: ElkEdge[] = drawnEdges.map((e) => ({
    id: e.id,
    sources: [e.from],
    targets: [e.to],
    labels: [{ text: e.label, width: Math.ceil(measure(e.label, 'edge')) + 6, height: LABEL_HEIGHT }],
  }));
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': options.direction ?? 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '8',
      'elk.spacing.edgeLabel': '3',
      'elk.spacing.labelLabel': '4',
      'elk.layered.spacing.nodeNodeBetweenLayers': '44',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: namespaceNodes,
    edges: elkEdges,
  };
  const result = await elk.layout(root);

  // Absolute positions: ELK gives children relative to their parent, edges relative to their container.
  const origin = new Map<string, Point>([['root', { x: 0, y: 0 }]]);
  const absolute = new Map<string, Box>();
  const visit = (node: ElkNode, parent: Point) => {
    const x = parent.x + (node.x ?? 0);
    const y = parent.y + (node.y ?? 0);
    origin.set(node.id, { x, y });
    absolute.set(node.id, { x, y, width: node.width ?? 0, height: node.height ?? 0 });
    for (const child of node.children ?? []) visit(child, { x, y });
  };
  for (const child of result.children ?? []) visit(child, { x: 0, y: 0 });

  const drawnNodes: DrawnNode[] = [];
  const drawnNamespaces: DrawnNamespace[] = [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const ns of namespaces) {
    const box = absolute.get(namespaceNodeId(ns))!;
    if (options.collapsed.has(ns)) {
      drawnNodes.push({ id: namespaceNodeId(ns), kind: 'namespace', namespace: ns, box, members: nodes.filter((n) => n.namespace === ns).length });
    } else {
      drawnNamespaces.push({ name: ns, box });
      for (const n of nodes) if (n.namespace === ns) drawnNodes.push({ id: n.id, kind: 'workload', namespace: ns, box: absolute.get(n.id)!, workload: byId.get(n.id), members: 1 });
    }
  }
  const laidEdges = new Map<string, ElkEdge>();
  const collect = (node: ElkNode) => {
    for (const e of node.edges ?? []) laidEdges.set(e.id, e);
    for (const c of node.children ?? []) collect(c);
  };
  collect(result);
  for (const e of drawnEdges) {
    const laid = laidEdges.get(e.id);
    if (!laid) continue;
    const o = origin.get(laid.container ?? 'root') ?? { x: 0, y: 0 };
    const shift = (p: Point): Point => ({ x: p.x + o.x, y: p.y + o.y });
    const points = (laid.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]).map(shift);
    // ELK's hierarchical ports leave fractions of a pixel between a section's end and the next one's start.
    for (let i = 1; i < points.length; i++) {
      if (Math.abs(points[i].x - points[i - 1].x) < 1) points[i].x = points[i - 1].x;
      if (Math.abs(points[i].y - points[i - 1].y) < 1) points[i].y = points[i - 1].y;
    }
    e.points = points.filter((p, i) => i === 0 || p.x !== points[i - 1].x || p.y !== points[i - 1].y);
    const label = laid.labels?.[0];
    if (label && label.x !== undefined && label.y !== undefined) {
      e.labelBox = { x: label.x + o.x, y: label.y + o.y, width: label.width ?? 0, height: label.height ?? 0 };
    }
  }
  return { width: result.width ?? 0, height: result.height ?? 0, nodes: drawnNodes, namespaces: drawnNamespaces, edges: drawnEdges };
}
