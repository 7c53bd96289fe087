// The workload hover's reachability (features/reach.ts, evaluated from the rules' side for speed) must agree with
// Analysis.connection on every ordered pair of workloads: on the shop fixture and on every case of the
// np-guard/netpol-analyzer corpus (../shared/corpus), which covers named ports, namespaceSelectors, egress-only
// policies and rules without peers.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { workloadEndpoint } from '../../../src/engine/evaluate';
import { featureIndex } from '../../../src/engine/features/index';
import { Workspace } from '../../../src/engine/workspace';
import { fixtureWorkspace } from './helpers';

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'corpus', 'netpol-analyzer', 'cases');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : /\.(ya?ml|json)$/.test(e.name) ? [full] : [];
  });
}

/** Every disagreement between reachOf and Analysis.connection, as readable lines. */
function disagreements(workspace: Workspace): string[] {
  const problems: string[] = [];
  for (const index of featureIndex(workspace).scopes()) {
    const workloads = index.model.workloads;
    for (const w of workloads) {
      const reach = index.reachOf(w);
      for (const other of workloads) {
        if (other === w) continue;
        const inbound = index.analysis.connection(workloadEndpoint(other), workloadEndpoint(w)).allowed;
        const outbound = index.analysis.connection(workloadEndpoint(w), workloadEndpoint(other)).allowed;
        const fast = { from: reach.from.get(other)?.toString() ?? 'No Connections', to: reach.to.get(other)?.toString() ?? 'No Connections' };
        if (fast.from !== inbound.toString()) problems.push(`${other.displayName} -> ${w.displayName}: ${fast.from} vs ${inbound}`);
        if (fast.to !== outbound.toString()) problems.push(`${w.displayName} -> ${other.displayName}: ${fast.to} vs ${outbound}`);
      }
    }
  }
  return problems;
}

describe('workload reachability agrees with Analysis.connection on every pair', () => {
  test('shop fixture', () => {
    assert.deepEqual(disagreements(fixtureWorkspace('shop')), []);
  });

  test('every np-guard/netpol-analyzer corpus case', () => {
    assert.ok(fs.existsSync(CORPUS), `the corpus is missing: ${CORPUS}`);
    let pairs = 0;
    for (const name of fs.readdirSync(CORPUS).sort()) {
      const workspace = new Workspace();
      for (const file of filesUnder(path.join(CORPUS, name))) workspace.setFile(`file://${file}`, fs.readFileSync(file, 'utf8'));
      for (const scope of workspace.scopes()) pairs += scope.model.workloads.length ** 2;
      assert.deepEqual(disagreements(workspace), [], name);
    }
    assert.ok(pairs > 1000, `enough pairs compared (${pairs})`);
  });
});

describe('reaches kept per version', () => {
  test('the last 32 are kept; an older one is computed again, equal', () => {
    const docs = Array.from(
      { length: 40 },
      (_, i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w${i}, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: w${i % 4}}}\n    spec: {containers: [{name: c, ports: [{containerPort: 80${i % 2}, name: http}]}]}\n`,
    );
    docs.push('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: w0}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: w1}}}], ports: [{port: http}]}]\n');
    const workspace = new Workspace();
    workspace.setFile('file:///ws/all.yaml', docs.join('---\n'));
    const [index] = featureIndex(workspace).scopes();
    const workloads = index.model.workloads;
    assert.equal(workloads.length, 40);
    const first = workloads.map((w) => index.reachOf(w));
    // The most recent are the same objects; the first ones were dropped and come back computed anew, with the same answers.
    assert.equal(index.reachOf(workloads[39]), first[39]);
    const again = index.reachOf(workloads[0]);
    assert.notEqual(again, first[0]);
    const text = (w: (typeof workloads)[number], r: typeof again) => workloads.map((o) => `${r.from.get(o)?.toString()}|${r.to.get(o)?.toString()}`).join(';') + w.name;
    assert.equal(text(workloads[0], again), text(workloads[0], first[0]));
    assert.match(text(workloads[0], again), /TCP 800/, 'the policy admits w1 pods (app=w1) on their http port');
  });
});
