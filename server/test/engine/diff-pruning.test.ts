// The reachability diff compares only pairs with a workload in a namespace where something changed (its Namespace,
// a workload or a policy there). On seeded random clusters and random edits of them, that diff must equal the one
// that compares every pair.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffReachability } from '../../src/report/diff';
import { randomEdit, randomFiles, seeded, workspaceOf } from './random-cluster';

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

describe('reachability diff: unchanged namespaces are skipped without changing the answer', () => {
  test('equals the diff of every pair after 2-7 random edits', () => {
    let changes = 0;
    let unchanged = 0;
    for (const seed of SEEDS) {
      const random = seeded(seed);
      const baseFiles = randomFiles(random);
      const headFiles = new Map(baseFiles);
      for (let i = 0, n = 2 + Math.floor(random() * 6); i < n; i++) randomEdit(random, headFiles);
      const base = workspaceOf(baseFiles).scopes();
      const head = workspaceOf(headFiles).scopes();
      const pruned = diffReachability(base, head, 'base');
      const full = diffReachability(base, head, 'base', { compareEveryPair: true });
      assert.deepEqual(pruned, full, `seed ${seed}`);
      changes += full.changes.length;
      if (full.changes.length === 0) unchanged++;
    }
    // The edits change connections often enough for the comparison to mean something.
    assert.ok(changes > 200, `enough changed connections (${changes})`);
    assert.ok(SEEDS.length - unchanged >= 20, `enough seeds change something (${SEEDS.length - unchanged} of ${SEEDS.length})`);
  });

  test('a namespace label change reaches pairs in other namespaces (their policies select by it)', () => {
    const files = new Map([
      ['file:///ws/a.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: x}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: client, namespace: a}\nspec: {template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c}]}}}\n'],
      [
        'file:///ws/b.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: server, namespace: b}\nspec: {template: {metadata: {labels: {app: server}}, spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: from-team-x, namespace: b}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {matchLabels: {team: x}}}]}]\n',
      ],
    ]);
    const head = new Map(files);
    head.set('file:///ws/a.yaml', files.get('file:///ws/a.yaml')!.replace('team: x', 'team: y'));
    const diff = diffReachability(workspaceOf(files).scopes(), workspaceOf(head).scopes(), 'base');
    assert.deepEqual(
      diff.changes.filter((c) => !c.external).map((c) => `${c.kind} ${c.from} -> ${c.to}`),
      ['removed a/client -> b/server'],
    );
  });
});
