// The reachability graph read at a glance (issue 21), measured on the rendered SVG in the real workbench: on a
// generated workspace of 44 workloads in 8 namespaces no edge passes through a node box it does not connect, no two
// labels overlap, and every node is inside the view after fit; bundles, collapsing, selection, the filter's stable
// layout, fit on resize and the SVG export. Runs last: it adds files to the workspace and removes them at the end.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RenderedView } from '../../../src/reachability';
import { boxInside, edgesThroughBoxes, overlappingBoxes } from '../../../webview/geometry';
import { GENERATED_FOLDER, GENERATED_NAMESPACES, GENERATED_WORKLOADS, generatedWorkspace } from '../generated-workspace.mjs';
import { extensionApi, fixture } from './helpers';

const FIXTURE_WORKLOADS = 4;
const ALL = FIXTURE_WORKLOADS + GENERATED_WORKLOADS.length;

async function show(args: Record<string, unknown>, accept: (v: RenderedView) => boolean = () => true): Promise<RenderedView> {
  const first = await vscode.commands.executeCommand<RenderedView | undefined>('netpol.showReachability', args);
  assert.ok(first, 'the view rendered');
  if (accept(first)) return first;
  const panel = (await extensionApi()).reachabilityPanel()!;
  return panel.waitForRender(accept, 60_000);
}

/** The legibility checks on the measured geometry; returns the figures for the log. */
function assertLegible(view: RenderedView, what: string) {
  const g = view.geometry;
  assert.ok(g, `${what}: the view reported its geometry`);
  const through = edgesThroughBoxes(g.edges, g.nodes);
  assert.deepEqual(through, [], `${what}: edges through node boxes they do not connect`);
  const overlaps = overlappingBoxes(g.labels);
  assert.deepEqual(overlaps, [], `${what}: overlapping labels`);
  const outside = g.nodes.filter((n) => !boxInside(n.box, g.view));
  assert.deepEqual(outside.map((n) => n.id), [], `${what}: nodes outside the view after fit (view ${JSON.stringify(g.view)})`);
  assert.ok(boxInside(g.view, { x: 0, y: 0, ...g.page }), `${what}: the graph's SVG lies within the page`);
  const figures = `${what}: ${g.nodes.length} node boxes, ${g.edges.length} edges (${g.edges.reduce((n, e) => n + e.points.length - 1, 0)} segments), ${g.labels.length} labels, ${view.bundles.length} bundles; view ${Math.round(g.view.width)}×${Math.round(g.view.height)} px; layout ${view.layoutMs} ms; 0 edge/box crossings, 0 label overlaps, 0 nodes outside`;
  console.log(`      [geometry] ${figures}`);
  return g;
}

describe('reachability graph on a generated workspace (44 workloads in 8 namespaces)', function () {
  this.timeout(180_000);
  /** Connections drawn, alone or in bundles, in the first test. */
  let connections = 0;

  before(async () => {
    await extensionApi();
    for (const [relative, text] of Object.entries(generatedWorkspace())) await vscode.workspace.fs.writeFile(fixture(relative), new TextEncoder().encode(text));
  });

  after(async () => {
    await vscode.workspace.fs.delete(fixture(GENERATED_FOLDER), { recursive: true });
    const panel = (await extensionApi()).reachabilityPanel();
    await vscode.commands.executeCommand('netpol.showReachability', { namespace: '', port: '', view: 'graph', collapsed: [], expanded: [], select: '' });
    await panel?.waitForRender((v) => v.nodes.length === FIXTURE_WORKLOADS, 60_000);
  });

  it('bundled by namespace pair: no edge through a foreign box, no overlapping labels, every node inside the view after fit', async () => {
    const view = await show({ namespace: '', port: '', view: 'graph', collapsed: [], expanded: [], select: '' }, (v) => v.nodes.length === ALL && !!v.geometry);
    assert.equal(view.nodes.length, ALL);
    for (const w of GENERATED_WORKLOADS) assert.ok(view.nodes.includes(w), w);
    assert.equal(new Set(GENERATED_WORKLOADS.map((w) => w.split('/')[0])).size, 8);
    // Monitoring scrapes every workload: its connections to each namespace are one bundle.
    assert.ok(view.bundles.some((b) => b.startsWith('gen-monitoring->gen-api ')), view.bundles.join(', '));
    assert.ok(view.bundles.length >= 5, view.bundles.join(', '));
    connections = view.edges.length + view.bundles.reduce((n, b) => n + Number(/\((\d+)\)$/.exec(b)![1]), 0);
    assertLegible(view, 'bundled');
  });

  it('every bundle expanded: still legible', async () => {
    const namespaces = [...GENERATED_NAMESPACES, 'shop', 'monitoring'];
    const pairs = namespaces.flatMap((a) => namespaces.map((b) => `${a}->${b}`));
    const view = await show({ expanded: pairs }, (v) => v.bundles.length === 0 && v.state?.expanded.length === pairs.length && !!v.geometry);
    assert.equal(view.edges.length, connections, 'every connection drawn one by one');
    assertLegible(view, 'expanded');
  });

  it('a namespace collapses to one node, and the graph stays legible', async () => {
    const view = await show({ expanded: [], collapsed: ['gen-api', 'gen-monitoring'] }, (v) => v.state?.collapsed.length === 2 && !!v.geometry);
    assert.ok(!view.nodes.some((n) => n.startsWith('gen-api/') || n.startsWith('gen-monitoring/')));
    const ids = view.geometry!.nodes.map((n) => n.id);
    assert.ok(ids.includes('ns:gen-api') && ids.includes('ns:gen-monitoring'), ids.join(', '));
    assertLegible(view, 'collapsed');
  });

  it('selecting a workload highlights its inbound and outbound connections and dims the rest', async () => {
    const selected = 'gen-api/api-svc-3';
    const view = await show({ collapsed: [], select: selected }, (v) => v.state?.selected === selected && v.state.collapsed.length === 0 && !!v.selection);
    const { related, peers, dimmed } = view.selection!;
    // In: api-svc-0 (the namespace's front), monitoring (bundled: it scrapes everything). Out: logging (bundled).
    assert.ok(peers.includes('gen-api/api-svc-0'), peers.join(', '));
    assert.ok(related.some((e) => e.includes('gen-monitoring')) && related.some((e) => e.includes('gen-logging')), related.join(', '));
    assert.ok(dimmed > 50, `${dimmed} elements dimmed`);
    const cleared = await show({ select: '' }, (v) => v.state?.selected === '');
    assert.equal(cleared.selection, undefined);
  });

  it('the filter keeps the layout: the remaining workloads stay where they were', async () => {
    const before = await show({ namespace: '', port: '' }, (v) => v.filter.namespace === '' && v.nodes.length === ALL);
    const after = await show({ namespace: 'gen-payments' }, (v) => v.filter.namespace === 'gen-payments');
    assert.ok(after.nodes.length < before.nodes.length && after.nodes.length >= 6, `${after.nodes.length} workloads shown`);
    const position = new Map(before.geometry!.layout.map((n) => [n.id, n.box]));
    for (const n of after.geometry!.layout) assert.deepEqual(n.box, position.get(n.id), `${n.id} did not move`);
    const port = await show({ namespace: '', port: '9100/TCP' }, (v) => v.filter.port === '9100/TCP' && v.filter.namespace === '');
    for (const n of port.geometry!.layout) assert.deepEqual(n.box, position.get(n.id), `${n.id} did not move`);
    assertLegible(await show({ port: '' }, (v) => v.filter.port === ''), 'unfiltered again');
  });

  it('fits again when the panel is resized', async () => {
    const panel = (await extensionApi()).reachabilityPanel()!;
    const before = panel.lastRendered!.geometry!.view;
    await vscode.commands.executeCommand('workbench.action.toggleSidebarVisibility');
    try {
      const resized = await panel.waitForRender((v) => !!v.geometry && Math.abs(v.geometry.view.width - before.width) > 20, 20_000);
      assertLegible(resized, 'resized');
    } finally {
      await vscode.commands.executeCommand('workbench.action.toggleSidebarVisibility');
    }
  });

  it('exports the graph as a standalone SVG with the theme colours written in', async () => {
    const panel = (await extensionApi()).reachabilityPanel()!;
    const target = fixture('scratch/reachability-export.svg');
    const written = await panel.exportSvg(target);
    assert.equal(written?.toString(), target.toString());
    const svg = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    await vscode.workspace.fs.delete(target);
    assert.match(svg, /^<\?xml[^>]*\?>\n<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/class="node( [a-z ]*)?"/g) ?? []).length, ALL);
    assert.ok(svg.includes('<style>') && svg.includes('.edge polyline'), 'carries its style');
    assert.ok(!svg.includes('var(--'), 'theme variables resolved to colours');
    assert.ok(!svg.includes('data-toggle'), 'no view controls');
  });
});
