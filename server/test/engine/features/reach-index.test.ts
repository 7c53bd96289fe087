// Properties of the indexes behind the workload hover and completion, on seeded random workspaces:
// - reachOf (far side read from the rule index by namespace, sparse sides) agrees with Analysis.connection, the
//   plain evaluation of every pair, and the hover's reach sections equal a rendering of that plain scan;
// - the rule index offers every rule that admits a workload (its buckets are a superset), or shares it with every
//   subject when it admits every pod;
// - an index that took over from an earlier version (selections, label counts adjusted by changed namespaces)
//   answers exactly like one built from scratch, after random edits of labels, namespaces, files and selectors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workloadEndpoint } from '../../../src/engine/evaluate';
import { completion } from '../../../src/engine/features/completion';
import { hover } from '../../../src/engine/features/hover';
import { featureIndex, ScopeIndex, type LabelStats } from '../../../src/engine/features/index';
import { cappedInline, cappedList, workloadLink } from '../../../src/engine/features/markdown';
import { peerMatches } from '../../../src/engine/features/reach';
import type { Workload } from '../../../src/engine/model';
import { PortSet } from '../../../src/engine/portset';
import { matchesSelector, selectorKey, type LabelSelector } from '../../../src/engine/selectors';
import { Workspace } from '../../../src/engine/workspace';
import { randomEdit, randomFiles, seeded, workspaceOf } from '../random-cluster';

/** The hover's reach sections rendered from Analysis.connection on every pair (the rendering before the index). */
function plainReachSections(workspace: Workspace, index: ScopeIndex, w: Workload): string {
  const analysis = index.analysis;
  const others = index.model.workloads.filter((o) => o !== w && !o.assumed);
  const section = (title: string, allowedOf: (o: Workload) => PortSet): string[] => {
    const groups = new Map<string, Workload[]>();
    for (const o of others) {
      const ports = allowedOf(o);
      if (ports.isEmpty()) continue;
      const key = ports.toString();
      groups.set(key, [...(groups.get(key) ?? []), o]);
    }
    const count = [...groups.values()].reduce((n, list) => n + list.length, 0);
    const sorted = [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    const total = others.length;
    const lines = cappedList(sorted, ([ports, list]) => `${ports === 'All Connections' ? 'all ports' : ports}: ${cappedInline(list.map((o) => workloadLink(workspace, o)), 5)}`, 6);
    return [`**${title}** ${count} of ${total} workload${total === 1 ? '' : 's'} in the files:`, ...(count ? lines : ['- no workload'])];
  };
  const from = section('May be reached from', (o) => analysis.connection(workloadEndpoint(o), workloadEndpoint(w)).allowed);
  const to = section('May reach', (o) => analysis.connection(workloadEndpoint(w), workloadEndpoint(o)).allowed);
  return [...from, '(then)', ...to].join('\n');
}

/** The reach sections of a workload hover (without the outside-the-cluster lines, which the index does not change). */
function hoverReachSections(markdown: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith('**May be reached from**'));
  const middle = lines.findIndex((l) => l.startsWith('**May reach**'));
  const section = (from: number, to: number) => lines.slice(from, to).filter((l) => l !== '' && !l.startsWith('- outside the cluster') && !l.startsWith('_Scope'));
  return [...section(start, middle), '(then)', ...section(middle, lines.length)].join('\n');
}

/** The offset of `metadata.name`'s value of each workload object, for hovering it. */
function workloadNameOffsets(workspace: Workspace, index: ScopeIndex): { w: Workload; uri: string; offset: number }[] {
  const out: { w: Workload; uri: string; offset: number }[] = [];
  for (const w of index.model.workloads) {
    if (w.assumed) continue;
    const text = workspace.getFile(w.object.uri)?.text;
    if (!text) continue;
    const at = text.indexOf(`name: ${w.name}\n`, w.object.range[0]);
    if (at >= 0 && at < w.object.range[1]) out.push({ w, uri: w.object.uri, offset: at + 'name: '.length + 1 });
  }
  return out;
}

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe('workload reach from the rule index equals the plain scan of every pair (seeded random workspaces)', () => {
  test('reachOf agrees with Analysis.connection, and the hover sections with a rendering of that scan', () => {
    let pairs = 0;
    let hovers = 0;
    for (const seed of SEEDS) {
      const workspace = workspaceOf(randomFiles(seeded(seed)));
      const index = featureIndex(workspace).scopes()[0];
      const workloads = index.model.workloads;
      for (const w of workloads) {
        const reach = index.reachOf(w);
        const listedFrom = new Map(reach.from.entries());
        const listedTo = new Map(reach.to.entries());
        for (const side of [reach.from, reach.to]) {
          const withBase = workloads.filter((o) => !o.assumed && side.getsBase(o)).length;
          assert.equal(side.reportedWithBase, withBase, `seed ${seed}: workloads counted with the base ports of ${w.displayName}`);
        }
        for (const other of workloads) {
          const inbound = other === w ? PortSet.NONE : index.analysis.connection(workloadEndpoint(other), workloadEndpoint(w)).allowed;
          const outbound = other === w ? PortSet.NONE : index.analysis.connection(workloadEndpoint(w), workloadEndpoint(other)).allowed;
          const where = `seed ${seed}: ${other.displayName} / ${w.displayName}`;
          assert.equal(reach.from.get(other)?.toString() ?? 'No Connections', inbound.toString(), `${where} (from)`);
          assert.equal(reach.to.get(other)?.toString() ?? 'No Connections', outbound.toString(), `${where} (to)`);
          assert.equal(listedFrom.get(other)?.toString(), reach.from.get(other)?.toString(), `${where} (from entries)`);
          assert.equal(listedTo.get(other)?.toString(), reach.to.get(other)?.toString(), `${where} (to entries)`);
          pairs++;
        }
      }
      for (const { w, uri, offset } of workloadNameOffsets(workspace, index)) {
        const markdown = hover(workspace, uri, offset)?.markdown;
        assert.ok(markdown, `seed ${seed}: a hover on ${w.displayName}`);
        assert.equal(hoverReachSections(markdown), plainReachSections(workspace, index, w), `seed ${seed}: hover on ${w.displayName}`);
        hovers++;
      }
    }
    assert.ok(pairs > 2000, `enough pairs (${pairs})`);
    assert.ok(hovers > 200, `enough hovers (${hovers})`);
  });

  test('the rule index offers every rule that admits a workload', () => {
    for (const seed of SEEDS) {
      const workspace = workspaceOf(randomFiles(seeded(seed)));
      const index = featureIndex(workspace).scopes()[0];
      for (const w of index.model.workloads) {
        const labels = index.model.namespaces.get(w.namespace)?.labels ?? { 'kubernetes.io/metadata.name': w.namespace };
        for (const direction of ['ingress', 'egress'] as const) {
          const offered = new Set(index.ruleIndex().candidates(direction, w.namespace, labels, w.podLabels).map((ref) => ref.rule));
          for (const policy of index.model.policies) {
            if (!policy.valid || !policy.types[direction] || index.selectedBy(policy).length === 0) continue;
            for (const rule of policy[direction]) {
              const admits = !rule.peers || rule.peers.some((peer) => peerMatches(index, policy, peer, w));
              // Rules that admit every pod with the same ports everywhere are shared by all subjects instead.
              const shared = index.ruleIndex().universalRules.has(rule);
              if (admits) assert.ok(offered.has(rule) || shared, `seed ${seed}: ${policy.name} ${direction} rule ${rule.index} admits ${w.displayName}`);
              if (shared) assert.ok(admits, `seed ${seed}: ${policy.name} ${direction} rule ${rule.index} is shared but does not admit ${w.displayName}`);
            }
          }
        }
      }
    }
  });
});

/** Label counts as comparable text (the order of a map's entries is not part of the answer). */
function statsText(stats: LabelStats): string {
  return [...stats]
    .map(([key, values]) => `${key}=${[...values].map(([v, n]) => `${v}:${n}`).sort().join(',')}`)
    .sort()
    .join(' ');
}

describe('selectors answered from per-namespace label postings equal a test of every workload', () => {
  test('workloadsMatching, selectedBy and peerWorkloads', () => {
    let selectors = 0;
    let alikeInOtherNamespaces = 0;
    for (const seed of SEEDS) {
      const workspace = workspaceOf(randomFiles(seeded(seed)));
      const index = featureIndex(workspace).scopes()[0];
      const namespaces = [...index.namespacesWithWorkloads()];
      const ownNamespacePeers = new Map<string, string>();
      const plain = (selector: LabelSelector, names: readonly string[]) =>
        names.flatMap((ns) => index.model.workloads.filter((w) => w.namespace === ns && matchesSelector(selector, w.podLabels)));
      for (const policy of index.model.policies) {
        const where = `seed ${seed}: ${policy.namespace}/${policy.name}`;
        assert.deepEqual(index.selectedBy(policy), plain(policy.podSelector, [policy.namespace]), `${where}: podSelector`);
        assert.deepEqual(index.workloadsMatching(policy.podSelector, namespaces), plain(policy.podSelector, namespaces), `${where}: podSelector anywhere`);
        selectors++;
        for (const rule of [...policy.ingress, ...policy.egress]) {
          for (const peer of rule.peers ?? []) {
            if (peer.type !== 'pods') continue;
            // Every namespace tested here: the index shares its answers between peers that select alike.
            const nsSelector = peer.namespaceSelector;
            const names = nsSelector
              ? [...index.model.namespaces.values()].filter((ns) => matchesSelector(nsSelector, ns.labels)).map((ns) => ns.name)
              : index.model.namespaces.has(policy.namespace) ? [policy.namespace] : [];
            assert.deepEqual(index.peerNamespaces(policy, peer).map((ns) => ns.name), names, `${where}: namespaces of ${rule.direction} rule ${rule.index} peer ${peer.index}`);
            if (!nsSelector && peer.podSelector) {
              const key = selectorKey(peer.podSelector);
              const seen = ownNamespacePeers.get(key);
              if (seen && seen !== policy.namespace) alikeInOtherNamespaces++;
              ownNamespacePeers.set(key, policy.namespace);
            }
            const expected = peer.podSelector ? plain(peer.podSelector, names) : names.flatMap((ns) => index.model.workloads.filter((w) => w.namespace === ns));
            assert.deepEqual(index.peerWorkloads(policy, peer), expected, `${where}: ${rule.direction} rule ${rule.index} peer ${peer.index}`);
            selectors++;
          }
        }
      }
    }
    assert.ok(selectors > 500, `enough selectors (${selectors})`);
    // Peers without a namespaceSelector select in their policy's namespace: alike selectors of two namespaces
    // must not share an answer.
    assert.ok(alikeInOtherNamespaces > 10, `enough alike peers in other namespaces (${alikeInOtherNamespaces})`);
  });
});

describe('an index that took over from an earlier version answers like one built from scratch', () => {
  test('selections, label counts, completion and hovers after random edits', () => {
    let checks = 0;
    for (const seed of SEEDS.slice(0, 25)) {
      const random = seeded(1000 + seed);
      const files = randomFiles(random);
      const workspace = workspaceOf(files);
      for (let step = 0; step < 8; step++) {
        // Use the current index the way requests do, so that there is something to take over.
        const before = featureIndex(workspace).scopes()[0];
        before.podLabelStats();
        for (const ns of before.model.namespaces.keys()) before.podLabelStats(ns);
        for (const policy of before.model.policies) before.selectedBy(policy);
        randomEdit(random, files);
        for (const uri of workspace.fileUris()) if (!files.has(uri)) workspace.deleteFile(uri);
        for (const [uri, text] of files) if (workspace.getFile(uri)?.text !== text) workspace.setFile(uri, text);

        const kept = featureIndex(workspace).scopes()[0];
        const fresh = new ScopeIndex(kept.scope);
        const where = `seed ${1000 + seed}, step ${step}`;
        assert.equal(statsText(kept.podLabelStats()), statsText(fresh.podLabelStats()), `${where}: scope-wide label counts`);
        for (const ns of kept.model.namespaces.keys()) {
          assert.equal(statsText(kept.podLabelStats(ns)), statsText(fresh.podLabelStats(ns)), `${where}: label counts of ${ns}`);
        }
        for (const policy of kept.model.policies) {
          assert.deepEqual(kept.selectedBy(policy), fresh.selectedBy(policy), `${where}: selection of ${policy.namespace}/${policy.name}`);
        }
        // The same requests: on the index that took over, then on one built afresh from the same models, and
        // completion also on a workspace built from the same texts (its models may order namespaces differently,
        // which completion's sorted answers do not show).
        const scratch = workspaceOf(files);
        const positions: { uri: string; offset: number; what: 'hover' | 'completion' }[] = [];
        for (const [uri, text] of files) {
          for (const m of text.matchAll(/(?:app|tier|team): /g)) {
            positions.push({ uri, offset: m.index! + m[0].length, what: 'completion' });
            // Hovers on selectors and peers (what they match, why nothing matches).
            positions.push({ uri, offset: m.index! + 1, what: 'hover' });
          }
        }
        for (const { uri, offset } of workloadNameOffsets(workspace, kept)) positions.push({ uri, offset, what: 'hover' });
        const ask = (ws: Workspace, p: (typeof positions)[number]) => (p.what === 'hover' ? hover(ws, p.uri, p.offset)?.markdown : completion(ws, p.uri, p.offset));
        const answers = positions.map((p) => ask(workspace, p));
        // Forget every derived answer: the next request builds its index from the models alone.
        workspace.store.clear();
        assert.notEqual(featureIndex(workspace).scopes()[0], kept, 'a new index');
        positions.forEach((p, i) => {
          assert.deepEqual(answers[i], ask(workspace, p), `${where}: ${p.what} at ${p.uri}:${p.offset}`);
          if (p.what === 'completion') assert.deepEqual(answers[i], ask(scratch, p), `${where}: ${p.what} at ${p.uri}:${p.offset} (scratch)`);
          checks++;
        });
      }
    }
    assert.ok(checks > 1000, `enough answers compared (${checks})`);
  });
});
