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
import { featureIndex, forgetFeatureIndex, ScopeIndex, type LabelStats } from '../../../src/engine/features/index';
import { cappedInline, cappedList, workloadLink } from '../../../src/engine/features/markdown';
import { peerMatches } from '../../../src/engine/features/reach';
import type { Workload } from '../../../src/engine/model';
import { PortSet } from '../../../src/engine/portset';
import { matchesSelector, selectorKey, type LabelSelector } from '../../../src/engine/selectors';
import { Workspace } from '../../../src/engine/workspace';

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (random: Random, p: number) => random() < p;

const NAMESPACES = ['shop', 'payments', 'data', 'kube-system', 'monitoring', 'edge'];
const APPS = ['web', 'api', 'db', 'cache', 'kube-dns', 'prometheus', 'worker'];
const TIERS = ['frontend', 'backend', 'infra'];
const TEAMS = ['alpha', 'beta', 'gamma'];
const PORT_NAMES = ['http', 'metrics', 'dns', 'grpc'];

function namespaceYaml(random: Random, name: string): string {
  const labels = [`kubernetes.io/metadata.name: ${name}`];
  if (chance(random, 0.8)) labels.push(`team: ${pick(random, TEAMS)}`);
  if (chance(random, 0.5)) labels.push(`env: ${pick(random, ['prod', 'dev'])}`);
  return `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n${labels.map((l) => `    ${l}\n`).join('')}`;
}

function workloadYaml(random: Random, name: string, namespace: string): string {
  const labels = [`app: ${pick(random, APPS)}`];
  if (chance(random, 0.6)) labels.push(`tier: ${pick(random, TIERS)}`);
  const ports: string[] = [];
  for (let i = 0, n = Math.floor(random() * 3); i < n; i++) {
    const named = chance(random, 0.6) ? `, name: ${pick(random, PORT_NAMES)}` : '';
    const protocol = chance(random, 0.2) ? ', protocol: UDP' : '';
    ports.push(`{containerPort: ${pick(random, [53, 80, 443, 8080, 9090, 5432])}${named}${protocol}}`);
  }
  const kind = pick(random, ['Deployment', 'Deployment', 'StatefulSet', 'Pod']);
  const labelBlock = (indent: string) => labels.map((l) => `${indent}${l}\n`).join('');
  const container = `[{name: main, image: x${ports.length ? `, ports: [${ports.join(', ')}]` : ''}}]`;
  if (kind === 'Pod') {
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:\n${labelBlock('    ')}spec:\n  containers: ${container}\n`;
  }
  return (
    `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  selector:\n    matchLabels:\n      ${labels[0]}\n` +
    `  template:\n    metadata:\n      labels:\n${labelBlock('        ')}    spec:\n      containers: ${container}\n`
  );
}

function selectorYaml(random: Random, kind: 'pod' | 'namespace', indent: string): string {
  const roll = random();
  if (roll < 0.15) return ' {}\n';
  if (kind === 'namespace') {
    if (roll < 0.45) return `\n${indent}matchLabels:\n${indent}  team: ${pick(random, TEAMS)}\n`;
    if (roll < 0.65) return `\n${indent}matchLabels:\n${indent}  kubernetes.io/metadata.name: ${pick(random, NAMESPACES)}\n`;
    if (roll < 0.75) return `\n${indent}matchExpressions:\n${indent}- {key: env, operator: Exists}\n`;
    if (roll < 0.85) return `\n${indent}matchExpressions:\n${indent}- {key: team, operator: NotIn, values: [${pick(random, TEAMS)}]}\n`;
    if (roll < 0.92) return `\n${indent}matchExpressions:\n${indent}- {key: env, operator: DoesNotExist}\n`;
    return `\n${indent}matchExpressions:\n${indent}- {key: team, operator: In, values: [${pick(random, TEAMS)}, ${pick(random, TEAMS)}]}\n`;
  }
  if (roll < 0.6) return `\n${indent}matchLabels:\n${indent}  app: ${pick(random, APPS)}\n`;
  if (roll < 0.75) return `\n${indent}matchLabels:\n${indent}  tier: ${pick(random, TIERS)}\n`;
  if (roll < 0.85) return `\n${indent}matchExpressions:\n${indent}- {key: app, operator: In, values: [${pick(random, APPS)}, ${pick(random, APPS)}]}\n`;
  if (roll < 0.93) return `\n${indent}matchExpressions:\n${indent}- {key: tier, operator: NotIn, values: [${pick(random, TIERS)}]}\n`;
  return `\n${indent}matchExpressions:\n${indent}- {key: tier, operator: Exists}\n`;
}

function ruleYaml(random: Random, direction: 'ingress' | 'egress'): string {
  let out = '';
  const first = (text: string) => (out ? `  ${text}` : `- ${text}`);
  if (!chance(random, 0.2)) {
    out += first(`${direction === 'ingress' ? 'from' : 'to'}:\n`);
    for (let i = 0, n = 1 + Math.floor(random() * 2); i < n; i++) {
      const roll = random();
      if (roll < 0.12) {
        out += `    - ipBlock: {cidr: 10.0.0.0/8}\n`;
        continue;
      }
      let peer = '';
      if (roll < 0.5 || roll > 0.8) peer += `podSelector:${selectorYaml(random, 'pod', '        ')}`;
      if (roll >= 0.5) peer += `${peer ? '      ' : ''}namespaceSelector:${selectorYaml(random, 'namespace', '        ')}`;
      out += `    - ${peer}`;
    }
  }
  if (!chance(random, 0.35)) {
    out += first('ports:\n');
    for (let i = 0, n = 1 + Math.floor(random() * 2); i < n; i++) {
      const roll = random();
      const protocol = chance(random, 0.2) ? 'UDP' : 'TCP';
      if (roll < 0.4) out += `    - {protocol: ${protocol}, port: ${pick(random, PORT_NAMES)}}\n`;
      else if (roll < 0.55) out += `    - {protocol: ${protocol}, port: 8000, endPort: 9100}\n`;
      else if (roll < 0.62) out += `    - {protocol: ${protocol}}\n`;
      else out += `    - {protocol: ${protocol}, port: ${pick(random, [53, 80, 443, 8080, 5432])}}\n`;
    }
  }
  return out || '- {}\n';
}

function policyYaml(random: Random, name: string, namespace: string): string {
  let spec = `  podSelector:${selectorYaml(random, 'pod', '      ')}`;
  const types = pick(random, [undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
  if (types) spec += `  policyTypes: [${types.join(', ')}]\n`;
  for (const direction of ['ingress', 'egress'] as const) {
    const rules = Math.floor(random() * 3);
    if (rules === 0) continue;
    spec += `  ${direction}:\n`;
    for (let i = 0; i < rules; i++) spec += ruleYaml(random, direction).replace(/^(?=.)/gm, '  ');
  }
  // Now and then a policy the API server rejects (it then isolates nothing).
  if (chance(random, 0.05)) spec += '  ingress:\n  - ports: [{protocol: HTTP}]\n';
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${spec}`;
}

/** A random workspace as files (uri -> text): namespaces, workloads and policies in a few files per namespace. */
function randomFiles(random: Random): Map<string, string> {
  const files = new Map<string, string>();
  const namespaces = NAMESPACES.slice(0, 3 + Math.floor(random() * 4));
  let counter = 0;
  for (const ns of namespaces) {
    const docs: string[] = [];
    if (chance(random, 0.8)) docs.push(namespaceYaml(random, ns));
    for (let i = 0, n = 1 + Math.floor(random() * 4); i < n; i++) docs.push(workloadYaml(random, `w${counter++}`, ns));
    files.set(`file:///ws/${ns}/apps.yaml`, docs.join('---\n'));
    const policies: string[] = [];
    for (let i = 0, n = Math.floor(random() * 4); i < n; i++) policies.push(policyYaml(random, `p${counter++}`, ns));
    if (policies.length) files.set(`file:///ws/${ns}/policies.yaml`, policies.join('---\n'));
  }
  if (chance(random, 0.5)) {
    // Objects outside the repository: assumed workloads (listed nowhere, but selectors see them).
    const assumed: string[] = [];
    for (let i = 0, n = 1 + Math.floor(random() * 2); i < n; i++) {
      assumed.push(workloadYaml(random, `outside${counter++}`, pick(random, namespaces)).replace(/^(?=.)/gm, '    ').replace(/^ {4}/, '  - '));
    }
    files.set('file:///ws/.netpol.yaml', `objects:\n${assumed.join('')}`);
  }
  return files;
}

function workspaceOf(files: Map<string, string>): Workspace {
  const workspace = new Workspace();
  for (const [uri, text] of files) workspace.setFile(uri, text);
  return workspace;
}

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
    return [`**${title}** ${count} of ${total} workload${total === 1 ? '' : 's'}:`, ...(count ? lines : ['- no workload'])];
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

/** One random edit of the files' texts. */
function edit(random: Random, files: Map<string, string>): void {
  const uris = [...files.keys()];
  const uri = pick(random, uris);
  const text = files.get(uri)!;
  const roll = random();
  if (roll < 0.4) {
    // A pod label value (or a selector's, in policy files).
    const matches = [...text.matchAll(/(app|tier): ([\w-]+)/g)];
    if (matches.length === 0) return;
    const m = pick(random, matches);
    const value = m[1] === 'app' ? pick(random, [...APPS, 'renamed']) : pick(random, TIERS);
    files.set(uri, text.slice(0, m.index!) + `${m[1]}: ${value}` + text.slice(m.index! + m[0].length));
  } else if (roll < 0.55) {
    // A namespace label.
    const m = /team: (\w+)/.exec(text);
    if (m) files.set(uri, text.replace(m[0], `team: ${pick(random, TEAMS)}`));
  } else if (roll < 0.7) {
    // A file removed, or new workloads and policies added in a namespace.
    if (chance(random, 0.5) && uris.length > 2) files.delete(uri);
    else {
      const ns = pick(random, NAMESPACES);
      const extra = [workloadYaml(random, `added${Math.floor(random() * 1e6)}`, ns), policyYaml(random, `padded${Math.floor(random() * 1e6)}`, ns)];
      files.set(`file:///ws/${ns}/added-${Math.floor(random() * 1e6)}.yaml`, extra.join('---\n'));
    }
  } else if (roll < 0.85) {
    // A workload moved to another namespace.
    const m = /namespace: ([\w-]+)/.exec(text);
    if (m) files.set(uri, text.replace(m[0], `namespace: ${pick(random, NAMESPACES)}`));
  } else {
    // A port number.
    const m = /containerPort: (\d+)/.exec(text);
    if (m) files.set(uri, text.replace(m[0], `containerPort: ${pick(random, [53, 80, 8080, 9090])}`));
  }
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
        edit(random, files);
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
        forgetFeatureIndex(workspace);
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
