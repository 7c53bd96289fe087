// Workloads that appeared or disappeared are listed with their connections. Those come from the bulk evaluator: a
// change that adds or removes hundreds of workloads (a new team's folder, a stale editor index) listed each one's
// connections with the explained evaluator, once per pair (73 s for 181 workloads of the medium workspace, issue 21).
// Scaling by counting explained evaluations at two sizes, never by timing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Analysis, workloadEndpoint } from '../../src/engine/evaluate';
import { diffReachability } from '../../src/report/diff';
import { policyYaml, seeded, workloadYaml, workspaceOf } from './random-cluster';

function team(count: number): Map<string, string> {
  const random = seeded(count);
  const files = new Map<string, string>();
  const docs: string[] = [];
  for (let i = 0; i < count; i++) docs.push(workloadYaml(random, `w${i}`, i % 2 ? 'shop' : 'data'));
  for (let i = 0; i < 4; i++) docs.push(policyYaml(random, `p${i}`, i % 2 ? 'shop' : 'data'));
  files.set('file:///ws/team.yaml', docs.join('---\n'));
  return files;
}

test('connections of appeared and disappeared workloads cost no explained evaluation, at any size', () => {
  const original = Analysis.prototype.connection;
  for (const size of [20, 80]) {
    let explained = 0;
    Analysis.prototype.connection = function (this: Analysis, ...args: Parameters<Analysis['connection']>) {
      explained++;
      return original.apply(this, args);
    };
    try {
      const empty = workspaceOf(new Map([['file:///ws/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: data}\n']]));
      const grown = workspaceOf(new Map([...team(size), ['file:///ws/ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: data}\n']]));
      const appeared = diffReachability(empty.scopes(), grown.scopes(), 'base');
      const disappeared = diffReachability(grown.scopes(), empty.scopes(), 'base');
      assert.equal(appeared.appeared.length, size);
      assert.equal(disappeared.disappeared.length, size);
      assert.equal(explained, 0, `explained evaluations for ${size} workloads`);
      Analysis.prototype.connection = original;
      // The bulk answers are the explained ones.
      const scope = grown.scopes()[0];
      const byName = new Map(scope.analysis.reportedWorkloads().map((w) => [w.displayName, w]));
      const listed = appeared.appeared.flatMap((w) => w.connections);
      assert.ok(listed.length > size, `connections listed (${listed.length})`);
      for (const c of listed) assert.equal(c.ports, scope.analysis.connection(workloadEndpoint(byName.get(c.from)!), workloadEndpoint(byName.get(c.to)!)).allowed.toString(), `${c.from} -> ${c.to}`);
    } finally {
      Analysis.prototype.connection = original;
    }
  }
});
