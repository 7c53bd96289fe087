// The bulk evaluator behind connectivity tests must allow exactly what Analysis.connection allows, for every pair of
// workloads and every address block, on every fixture workspace of the repository and on a generated workspace
// (../shared/bench/gen-workspace.mjs, small preset: every policy shape); so must its answers by classes of pairs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { BulkConnections, WorkloadPairs } from '../../../src/engine/assertions/bulk';
import { finish } from '../../../src/engine/assertions/check';
import { IPV4_ALL, IPV6_ALL, partition, subtractAll, type IpRange } from '../../../src/engine/cidr';
import { ipEndpoint, workloadEndpoint, type Endpoint } from '../../../src/engine/evaluate';
import { isManifestUri } from '../../../src/engine/parse';
import { Workspace } from '../../../src/engine/workspace';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : isManifestUri(e.name) || e.name === '.netpol.yaml' ? [full] : [];
  });
}

function workspaceOf(dir: string): Workspace {
  const workspace = new Workspace();
  for (const f of files(dir)) workspace.setFile(`file://${f}`, fs.readFileSync(f, 'utf8'));
  return workspace;
}

/** Pairs where the two evaluators disagree, as `from -> to: bulk vs analysis`. */
function disagreements(workspace: Workspace): { pairs: number; wrong: string[] } {
  let pairs = 0;
  const wrong: string[] = [];
  for (const scope of workspace.scopes()) {
    const bulk = new BulkConnections(scope.analysis, scope.store);
    const ranges: IpRange[] = [];
    for (const p of scope.model.policies) {
      for (const rule of [...p.ingress, ...p.egress]) for (const peer of rule.peers ?? []) if (peer.type === 'ipBlock') ranges.push(...subtractAll(peer.cidr, peer.except));
    }
    const endpoints: Endpoint[] = [
      ...scope.model.workloads.map(workloadEndpoint),
      ...[...partition(IPV4_ALL, ranges), ...partition(IPV6_ALL, ranges)].map(ipEndpoint),
    ];
    for (const source of endpoints) {
      for (const destination of endpoints) {
        if (source.type === 'ip' && destination.type === 'ip') continue;
        if (source.type === 'workload' && destination.type === 'workload' && source.workload === destination.workload) continue;
        pairs++;
        const fast = bulk.allowed(source, destination).toString();
        const reference = scope.analysis.connection(source, destination).allowed.toString();
        if (fast !== reference) wrong.push(`${JSON.stringify(source.type === 'ip' ? source.label : source.workload.displayName)} -> ${destination.type === 'ip' ? destination.label : destination.workload.displayName}: ${fast} vs ${reference}`);
      }
    }
    // Pairs of workloads by classes (WorkloadPairs), with an evaluator of their own: every workload to every other,
    // and sources and destinations that differ (a destination's index among the sources is not its own).
    const workloads = scope.model.workloads;
    const some = (step: number, from: number) => workloads.filter((_, i) => i % step === from);
    for (const [sources, destinations] of [[workloads, workloads], [some(3, 1), some(2, 0)], [some(2, 0), some(3, 1)]] as const) {
      const table = finish(WorkloadPairs.of(new BulkConnections(scope.analysis, scope.store), sources, destinations));
      destinations.forEach((d, j) => {
        const classes = table.classesToward(j);
        let counted = 0;
        for (const c of classes) counted += c.count;
        const expected = sources.filter((s) => s !== d).length;
        if (counted !== expected) wrong.push(`classes toward ${d.displayName} count ${counted} pairs, not ${expected}`);
        sources.forEach((s, i) => {
          if (s === d) {
            if (!table.isSelf(i, j)) wrong.push(`${s.displayName} is not itself`);
            return;
          }
          pairs++;
          const reference = scope.analysis.connection(workloadEndpoint(s), workloadEndpoint(d)).allowed.toString();
          const fast = table.allowed(i, j).toString();
          const ofClass = classes[table.classOf(i, j)].ports.toString();
          if (fast !== reference || ofClass !== reference) wrong.push(`by class ${s.displayName} -> ${d.displayName}: ${fast} (class ${ofClass}) vs ${reference}`);
        });
      });
    }
  }
  return { pairs, wrong };
}

test('agrees with Analysis.connection on every fixture workspace', () => {
  let total = 0;
  for (const group of ['semantics', 'features', 'assertions', 'rules', 'demo', 'lsp']) {
    const dir = path.join(REPO, 'test-fixtures', group);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const target = path.join(dir, entry.name);
      const workspace = entry.isDirectory() ? workspaceOf(target) : isManifestUri(entry.name) ? workspaceOf(path.dirname(target)) : undefined;
      if (!workspace) continue;
      const { pairs, wrong } = disagreements(workspace);
      assert.deepEqual(wrong, [], `${group}/${entry.name}`);
      total += pairs;
    }
  }
  assert.ok(total > 1000, `compared ${total} pairs`);
});

test('agrees with Analysis.connection on a generated workspace with every policy shape', () => {
  const generator = path.join(REPO, '..', 'shared', 'bench', 'gen-workspace.mjs');
  if (!fs.existsSync(generator)) throw new Error(`the workspace generator is missing: ${generator}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bulk-'));
  try {
    execFileSync(process.execPath, [generator, dir, '--preset', 'small', '--force'], { stdio: 'ignore' });
    const { pairs, wrong } = disagreements(workspaceOf(dir));
    assert.deepEqual(wrong.slice(0, 10), []);
    assert.ok(pairs > 10_000, `compared ${pairs} pairs`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Cluster-wide policies over the generated workspace: the tiered path of the bulk evaluator (lists of NetworkPolicy
// list and cluster-wide policies, masks with the cluster-wide peer class) must agree with Analysis.connection too.
const CLUSTER_POLICIES = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: dev-cannot-reach-prod}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
    - {action: Allow, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]}
    - {action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
    - {action: Pass, from: [{namespaces: {matchLabels: {env: prod}}}], ports: [{portRange: {start: 1, end: 9000}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: egress-guard}
spec:
  tier: Admin
  priority: 20
  subject: {namespaces: {}}
  egress:
    - {action: Accept, to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}], protocols: [{udp: {destinationPort: {number: 53}}}]}
    - {action: Deny, to: [{networks: [169.254.169.254/32]}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
    - {action: Deny, from: [{namespaces: {matchLabels: {env: dev}}}]}
`;

test('agrees with Analysis.connection on a generated workspace with cluster-wide policies (tiers)', () => {
  const generator = path.join(REPO, '..', 'shared', 'bench', 'gen-workspace.mjs');
  if (!fs.existsSync(generator)) throw new Error(`the workspace generator is missing: ${generator}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bulk-tiers-'));
  try {
    execFileSync(process.execPath, [generator, dir, '--preset', 'small', '--force'], { stdio: 'ignore' });
    fs.writeFileSync(path.join(dir, 'cluster-policies.yaml'), CLUSTER_POLICIES);
    const workspace = workspaceOf(dir);
    assert.equal(workspace.scopes()[0].analysis.tiered, true);
    const { pairs, wrong } = disagreements(workspace);
    assert.deepEqual(wrong.slice(0, 10), []);
    assert.ok(pairs > 10_000, `compared ${pairs} pairs`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('peer tables carried over from earlier models after edits agree with Analysis.connection', () => {
  const generator = path.join(REPO, '..', 'shared', 'bench', 'gen-workspace.mjs');
  if (!fs.existsSync(generator)) throw new Error(`the workspace generator is missing: ${generator}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bulk-edits-'));
  try {
    execFileSync(process.execPath, [generator, dir, '--preset', 'small', '--seed', '11', '--force'], { stdio: 'ignore' });
    const workspace = workspaceOf(dir);
    assert.deepEqual(disagreements(workspace).wrong.slice(0, 10), []);
    const texts = new Map(files(dir).map((f) => [`file://${f}`, fs.readFileSync(f, 'utf8')]));
    // Deployments that some policy names by their app label (so that renaming them changes what peers match).
    const policyText = [...texts.values()].filter((t) => /kind: NetworkPolicy/.test(t)).join('\n');
    const withLabel = [...texts].filter(([, t]) => {
      const app = /kind: Deployment/.test(t) ? /^ {8}app: (\S+)$/m.exec(t)?.[1] : undefined;
      return app !== undefined && new RegExp(`app: ${app}$`, 'm').test(policyText);
    });
    const withNamespace = [...texts].find(([, t]) => /kind: Namespace/.test(t) && /^ {4}team: /m.test(t));
    assert.ok(withLabel.length >= 3 && withNamespace, 'the generated workspace has deployments and labelled namespaces');
    const edits: [string, string][] = [
      // Pod labels (the tables of untouched namespaces carry over)...
      [withLabel[0][0], withLabel[0][1].replace(/^( {8}app: )(\S+)$/m, '$1renamed')],
      [withLabel[1][0], withLabel[1][1].replace(/^( {8}app: )(\S+)$/m, '$1$2-x')],
      [withLabel[0][0], withLabel[0][1]],
      // ...a namespace's labels (every table is made again)...
      [withNamespace![0], withNamespace![1].replace(/^( {4}team: )(\S+)$/m, '$1other')],
      // ...and a new workload (ids move: made again).
      [`file://${dir}/extra.yaml`, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: extra\n  namespace: default\nspec:\n  template:\n    metadata:\n      labels:\n        app: renamed\n    spec:\n      containers:\n        - name: c\n'],
      [withLabel[2][0], withLabel[2][1].replace(/^( {8}app: )(\S+)$/m, '$1$2-y')],
    ];
    const updatedBefore = workspace.store.peerTables.updated;
    for (const [uri, text] of edits) {
      workspace.setFile(uri, text);
      assert.deepEqual(disagreements(workspace).wrong.slice(0, 10), [], `after editing ${uri}`);
    }
    assert.ok(workspace.store.peerTables.updated > updatedBefore, 'tables were carried over from earlier models');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
