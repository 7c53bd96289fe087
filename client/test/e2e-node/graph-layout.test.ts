// The reachability graph's layout (client/webview/graph-layout.ts) with the real ELK, in Node: on a graph of 44
// workloads in 8 namespaces no edge passes through a box it does not connect, no two labels overlap, labels stay off
// the boxes, edges start and end on their boxes; bundling, collapsing and the label text. The workbench suite
// (client/test/e2e/suite/z-graph-layout.test.ts) measures the same on the rendered SVG.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphEdge, GraphNode } from '../../../server/src/lsp/protocol';
import { boxInside, edgesThroughBoxes, overlappingBoxes, type Box, type Point } from '../../webview/geometry';
import { BUNDLE_WHEN_EDGES, layoutGraph, namespaceNodeId, portsLabel, type GraphLayout, type Measure } from '../../webview/graph-layout';

const elk = new ELK();
/** A generous text width (wider than the webview's 13px UI font), so real text fits in the boxes laid out here. */
const measure: Measure = (text, role) => text.length * (role === 'edge' ? 6.2 : role === 'kind' ? 6.8 : 8.4);

const NAMESPACES = ['edge', 'web', 'api', 'payments', 'orders', 'data', 'monitoring', 'logging'];

/** 44 workloads in 8 namespaces: a chain of tiers, intra-namespace hops, and monitoring scraping every workload. */
function generated(): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const nodes: GraphNode[] = [];
  NAMESPACES.forEach((ns, i) => {
    const count = 5 + (i % 2);
    for (let j = 0; j < count; j++) {
      nodes.push({
        id: `${ns}/${ns}-svc-${j}`,
        name: `${ns}-svc-${j}`,
        namespace: ns,
        kind: j % 3 === 0 ? 'StatefulSet' : 'Deployment',
        isolatedIngress: j % 2 === 0,
        isolatedEgress: j % 3 === 0,
        ports: [`${8080 + j}/TCP`, '9100/TCP'],
        location: { uri: 'file:///x.yaml', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      });
    }
  });
  const edges: GraphEdge[] = [];
  const inNs = (ns: string) => nodes.filter((n) => n.namespace === ns);
  const tiers = NAMESPACES.slice(0, 6);
  tiers.forEach((ns, i) => {
    const members = inNs(ns);
    for (let j = 0; j + 1 < members.length; j++) edges.push({ from: members[j].id, to: members[j + 1].id, ports: [members[j + 1].ports[0]] });
    if (i + 1 < tiers.length) {
      const next = inNs(tiers[i + 1]);
      edges.push({ from: members[0].id, to: next[0].id, ports: [next[0].ports[0]] });
      edges.push({ from: members[1].id, to: next[2].id, ports: [next[2].ports[0], '9100/TCP', '53/UDP'] });
    }
  });
  const prometheus = inNs('monitoring')[0];
  for (const n of nodes) if (n.namespace !== 'monitoring') edges.push({ from: prometheus.id, to: n.id, ports: ['9100/TCP'] });
  for (const n of inNs('logging').slice(1)) edges.push({ from: inNs('api')[3].id, to: n.id, ports: [n.ports[0]] });
  return { nodes, edges };
}

function labelBoxes(layout: GraphLayout) {
  return layout.edges.filter((e) => e.labelBox).map((e) => ({ id: e.id, box: e.labelBox! }));
}

function nodeBoxes(layout: GraphLayout) {
  return layout.nodes.map((n) => ({ id: n.id, box: n.box }));
}

/** Every box and edge a drawn edge may touch: its endpoints, and for a bundle or namespace node its members. */
function measuredEdges(layout: GraphLayout) {
  return layout.edges.map((e) => ({ id: e.id, connects: [e.from, e.to, ...e.members.flatMap((m) => [m.from, m.to])], points: e.points }));
}

function onBorder(p: Point, box: Box, tolerance = 1.5): boolean {
  const inX = p.x >= box.x - tolerance && p.x <= box.x + box.width + tolerance;
  const inY = p.y >= box.y - tolerance && p.y <= box.y + box.height + tolerance;
  const nearX = Math.abs(p.x - box.x) <= tolerance || Math.abs(p.x - box.x - box.width) <= tolerance;
  const nearY = Math.abs(p.y - box.y) <= tolerance || Math.abs(p.y - box.y - box.height) <= tolerance;
  return (inX && nearY) || (inY && nearX);
}

function assertLegible(layout: GraphLayout) {
  assert.deepEqual(edgesThroughBoxes(measuredEdges(layout), nodeBoxes(layout)), [], 'no edge passes through a box it does not connect');
  assert.deepEqual(overlappingBoxes(labelBoxes(layout)), [], 'no two labels overlap');
  const labelsOnBoxes = labelBoxes(layout).flatMap((l) => nodeBoxes(layout).filter((n) => overlappingBoxes([l, n]).length > 0).map((n) => [l.id, n.id]));
  assert.deepEqual(labelsOnBoxes, [], 'no label covers a node');
  const all = { x: 0, y: 0, width: layout.width, height: layout.height };
  for (const n of layout.nodes) assert.ok(boxInside(n.box, all), `${n.id} inside the drawing`);
  const boxes = new Map([...layout.nodes.map((n) => [n.id, n.box] as const), ...layout.namespaces.map((ns) => [namespaceNodeId(ns.name), ns.box] as const)]);
  for (const e of layout.edges) {
    assert.ok(e.points.length >= 2, `${e.id} is routed`);
    assert.ok(onBorder(e.points[0], boxes.get(e.from)!), `${e.id} starts on its source: ${JSON.stringify(e.points[0])} ${JSON.stringify(boxes.get(e.from))}`);
    assert.ok(onBorder(e.points.at(-1)!, boxes.get(e.to)!), `${e.id} ends on its target`);
    for (let i = 0; i + 1 < e.points.length; i++) {
      const [a, b] = [e.points[i], e.points[i + 1]];
      assert.ok(Math.abs(a.x - b.x) < 0.01 || Math.abs(a.y - b.y) < 0.01, `${e.id} is orthogonal: ${JSON.stringify(e.points)} sections ${e.points.length}`);
    }
  }
}

describe('reachability graph layout (ELK layered, compound namespaces, orthogonal edges)', () => {
  const { nodes, edges } = generated();

  it('the generated graph is large enough to matter: 44 workloads in 8 namespaces, more connections than the bundling threshold', () => {
    assert.equal(nodes.length, 44);
    assert.equal(new Set(nodes.map((n) => n.namespace)).size, 8);
    assert.ok(edges.length > BUNDLE_WHEN_EDGES, `${edges.length} edges`);
  });

  it('bundled: no edge through a foreign box, no overlapping labels, every node inside', async () => {
    const layout = await layoutGraph(elk, nodes, edges, { collapsed: new Set(), expanded: new Set(), measure });
    assert.equal(layout.nodes.length, 44);
    const bundles = layout.edges.filter((e) => e.kind === 'bundle');
    assert.ok(bundles.some((b) => b.from === namespaceNodeId('monitoring') && b.to === namespaceNodeId('api') && b.members.length === 5 && b.label === '5 connections'));
    // Every connection is drawn exactly once, alone or in a bundle.
    assert.equal(layout.edges.reduce((n, e) => n + e.members.length, 0), edges.length);
    assertLegible(layout);
  });

  it('every bundle expanded: still legible', async () => {
    const pairs = new Set(NAMESPACES.flatMap((a) => NAMESPACES.map((b) => `${a}->${b}`)));
    const layout = await layoutGraph(elk, nodes, edges, { collapsed: new Set(), expanded: pairs, measure });
    assert.equal(layout.edges.filter((e) => e.kind === 'bundle').length, 0);
    assert.equal(layout.edges.length, edges.length);
    assertLegible(layout);
  });

  it('a collapsed namespace is one node; its connections merge per peer and its inner ones are not drawn', async () => {
    const layout = await layoutGraph(elk, nodes, edges, { collapsed: new Set(['monitoring', 'api']), expanded: new Set(), measure });
    assert.ok(!layout.nodes.some((n) => n.namespace === 'api' && n.kind === 'workload'));
    const api = layout.nodes.find((n) => n.id === namespaceNodeId('api'))!;
    assert.equal(api.members, 5);
    assert.ok(!layout.namespaces.some((ns) => ns.name === 'api'));
    const fromMonitoring = layout.edges.filter((e) => e.from === namespaceNodeId('monitoring'));
    assert.equal(new Set(fromMonitoring.map((e) => e.to)).size, fromMonitoring.length, 'one edge per peer');
    assert.ok(fromMonitoring.every((e) => e.kind !== 'edge'));
    const inner = edges.filter((e) => e.from.startsWith('api/') && e.to.startsWith('api/')).length;
    assert.equal(layout.edges.reduce((n, e) => n + e.members.length, 0), edges.length - inner);
    assertLegible(layout);
  });

  it('a small graph is not bundled: every connection has its own edge and port label', async () => {
    const few = edges.slice(0, 12);
    const layout = await layoutGraph(elk, nodes, few, { collapsed: new Set(), expanded: new Set(), measure });
    assert.equal(layout.edges.length, 12);
    assert.ok(layout.edges.every((e) => e.kind === 'edge' && e.label === portsLabel(e.members[0].ports)));
    assertLegible(layout);
  });

  it('left to right: still legible', async () => {
    const layout = await layoutGraph(elk, nodes, edges, { collapsed: new Set(), expanded: new Set(), measure, direction: 'RIGHT' });
    assertLegible(layout);
  });

  it('labels list two ports and count the rest', () => {
    assert.equal(portsLabel(['53/UDP']), '53/UDP');
    assert.equal(portsLabel(['53/TCP', '53/UDP', '9153/TCP']), '53/TCP, 53/UDP +1');
  });
});

describe('the geometry checks find what they look for', () => {
  const box = { x: 10, y: 10, width: 100, height: 40 };
  it('an edge through a box it does not connect; not one along its border or ending on it', () => {
    const through = { id: 'e', connects: ['a', 'b'], points: [{ x: 0, y: 30 }, { x: 200, y: 30 }] };
    const along = { id: 'f', connects: ['a', 'b'], points: [{ x: 0, y: 10 }, { x: 200, y: 10 }] };
    const ending = { id: 'g', connects: ['a', 'box'], points: [{ x: 0, y: 30 }, { x: 10, y: 30 }] };
    assert.deepEqual(edgesThroughBoxes([through, along, ending], [{ id: 'box', box }]), [['e', 'box']]);
  });
  it('overlapping labels, not touching ones', () => {
    const a = { id: 'a', box };
    const b = { id: 'b', box: { ...box, x: 100 } };
    const c = { id: 'c', box: { ...box, x: 110 } };
    assert.deepEqual(overlappingBoxes([a, b, c]), [['a', 'b'], ['b', 'c']]);
  });
});
