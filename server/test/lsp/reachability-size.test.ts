// The editor's reachability view refuses a scope too large for it before evaluating any pair (as `netpol matrix`
// does above its bound): the answer carries the reason and what to do instead, and no nodes, edges or matrix.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ReachabilityGraph } from '../../src/lsp/protocol';
import { LspTestClient } from './client';

function pods(count: number, portsEach: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const ports = Array.from({ length: portsEach }, (_, p) => `        - containerPort: ${1000 + i * portsEach + p}`).join('\n');
    docs.push(`apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  namespace: ns${i % 8}\n  labels:\n    app: p${i}\nspec:\n  containers:\n    - name: c\n      image: x\n      ports:\n${ports}\n`);
  }
  return docs.join('---\n');
}

async function graphOf(text: string): Promise<ReachabilityGraph> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-reachability-size-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'pods.yaml'), text);
  const client = await LspTestClient.start(dir);
  try {
    return await client.request<ReachabilityGraph>('netpol/reachability', {}, 120_000);
  } finally {
    assert.equal(await client.shutdown(), 0);
  }
}

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('netpol/reachability: a scope too large for the editor is refused with its reason', () => {
  test('more than 500 workloads', async () => {
    const graph = await graphOf(pods(501, 1));
    assert.match(graph.tooLarge ?? '', /^501 workloads .*more than 500 workloads.*netpol list.*netpol matrix/);
    assert.deepEqual([graph.nodes, graph.edges, graph.matrix], [[], [], {}]);
    assert.equal(graph.namespaces.length, 8, 'the namespaces are still listed');
  });

  test('a matrix of more than 2,000,000 cells (workload pairs × declared ports)', async () => {
    const graph = await graphOf(pods(100, 201));
    assert.match(graph.tooLarge ?? '', /100 workloads × 100 × 20100 ports = 201000000 cells.*more than 2000000/);
    assert.deepEqual([graph.nodes, graph.edges], [[], []]);
  });

  test('a small scope is drawn as before', async () => {
    const graph = await graphOf(pods(3, 1));
    assert.equal(graph.tooLarge, undefined);
    assert.equal(graph.nodes.length, 3);
    assert.equal(graph.edges.length, 6, 'no policy: everything is allowed');
  });
});
