// The reachability view: a webview that draws the workloads and the allowed connections.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RenderedView } from '../../../src/reachability';
import { diagnosticCode, eventually, extensionApi, fixture, netpolDiagnostics, restoreFromDisk } from './helpers';

const NODES = ['monitoring/prometheus', 'shop/api', 'shop/db', 'shop/web'];
const EDGES = [
  'shop/api->monitoring/prometheus',
  'shop/api->shop/db',
  'shop/db->monitoring/prometheus',
  'shop/web->monitoring/prometheus',
  'shop/web->shop/api',
];

async function show(args: Record<string, unknown> = {}): Promise<RenderedView> {
  const view = await vscode.commands.executeCommand<RenderedView | undefined>('netpol.showReachability', args);
  assert.ok(view, 'the view rendered');
  return view;
}

describe('reachability view', () => {
  before(extensionApi);

  it('draws every workload and exactly the allowed connections', async () => {
    const view = await show();
    assert.equal(view.view, 'graph');
    assert.deepEqual(view.nodes, NODES);
    assert.deepEqual([...view.edges].sort(), EDGES);
  });

  it('filters by namespace: its workloads and the peers they talk to', async () => {
    const view = await show({ namespace: 'monitoring' });
    assert.deepEqual(view.nodes, NODES);
    assert.deepEqual([...view.edges].sort(), EDGES.filter((e) => e.includes('monitoring/')));
  });

  it('filters by port', async () => {
    const view = await show({ namespace: '', port: '5432/TCP' });
    assert.deepEqual(view.edges, ['shop/api->shop/db']);
  });

  it('has a matrix tab', async () => {
    const view = await show({ port: '', view: 'matrix' });
    assert.equal(view.view, 'matrix');
    assert.deepEqual(view.nodes, NODES);
    const back = await show({ view: 'graph' });
    assert.equal(back.view, 'graph');
    assert.equal(back.edges.length, EDGES.length);
  });
  // The API server rejects a Pod named like markup (not a DNS subdomain, issue 18), and so does the engine: the name
  // is reported on the file and never reaches the view, whose elements stay the view's own.
  it('shows workspace text as text: a hostile workload name creates no markup', async () => {
    const hostile = '<img src=x onerror="document.title=1">';
    const document = await vscode.workspace.openTextDocument(fixture('scratch/empty.yaml'));
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(0, 0), [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      `  name: '${hostile}'`,
      '  namespace: shop',
      'spec:',
      '  containers:',
      '    - name: c',
      '      image: nginx',
      '',
    ].join('\n'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    const panel = (await extensionApi()).reachabilityPanel()!;
    try {
      await eventually('the invalid name reported on the file', () => netpolDiagnostics(document.uri).some((d) => diagnosticCode(d) === 'invalid-object'));
      const view = await show({ view: 'graph' });
      assert.deepEqual(view.nodes, NODES);
      assert.deepEqual(view.foreign, [], 'no element from workspace text');
      const matrix = await show({ view: 'matrix' });
      assert.ok(!matrix.nodes.includes(`shop/${hostile}`));
      assert.deepEqual(matrix.foreign, []);
    } finally {
      await restoreFromDisk(document);
    }
    await panel.waitForRender((v) => v.view === 'matrix' && v.nodes.length === NODES.length, 20_000);
    await show({ view: 'graph' });
  });
});
