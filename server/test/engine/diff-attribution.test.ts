// Which policy's change a connection change is counted for (the code lens "vs HEAD: …" on each changed policy, issue
// 21): a policy decides a change when its change alone makes part of it (the base with only this policy as it is
// now), or when part of it would not happen without it (the current version with only this policy as in the base).
// The report computes both from the two versions' analyses; here they are checked against workspaces really built
// with one policy changed or reverted, on seeded random clusters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workloadEndpoint } from '../../src/engine/evaluate';
import type { Scope } from '../../src/engine/workspace';
import { PortSet } from '../../src/engine/portset';
import { changeInWords, diffReachability, portsInWords } from '../../src/report/diff';
import { chance, pick, policyYaml, randomFiles, seeded, workspaceOf, type Random } from './random-cluster';

type Files = Map<string, string>;

/** Policy documents by `namespace/name`, per file. */
function policiesOf(files: Files): Map<string, { uri: string; text: string }> {
  const out = new Map<string, { uri: string; text: string }>();
  for (const [uri, text] of files) {
    if (!uri.endsWith('/policies.yaml')) continue;
    for (const doc of text.split('---\n')) {
      const m = /name: (\S+)\n {2}namespace: (\S+)\n/.exec(doc);
      if (m) out.set(`${m[2]}/${m[1]}`, { uri, text: doc });
    }
  }
  return out;
}

/** The files with the policies replaced: `policies` holds every policy document, by key. */
function withPolicies(files: Files, policies: Map<string, { uri: string; text: string }>): Files {
  const out = new Map([...files].filter(([uri]) => !uri.endsWith('/policies.yaml')));
  const byFile = new Map<string, string[]>();
  for (const p of [...policies.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p)) byFile.set(p.uri, [...(byFile.get(p.uri) ?? []), p.text]);
  for (const [uri, docs] of byFile) out.set(uri, docs.join('---\n'));
  return out;
}

/** Random policy edits only: some policies rewritten under their name, some deleted, some added. */
function editPolicies(random: Random, files: Files, counter: { n: number }): Files {
  const policies = policiesOf(files);
  const namespaces = [...new Set([...files.keys()].map((u) => /\/ws\/([^/]+)\//.exec(u)?.[1]).filter((n): n is string => !!n && n !== '.netpol.yaml'))];
  const edited = new Map(policies);
  for (const [key, p] of policies) {
    const roll = random();
    if (roll < 0.3) edited.set(key, { uri: p.uri, text: policyYaml(random, key.split('/')[1], key.split('/')[0]) });
    else if (roll < 0.4) edited.delete(key);
  }
  for (let i = 0, n = Math.floor(random() * 3); i < n; i++) {
    const ns = pick(random, namespaces);
    const name = `new${counter.n++}`;
    edited.set(`${ns}/${name}`, { uri: `file:///ws/${ns}/policies.yaml`, text: policyYaml(random, name, ns) });
  }
  if (chance(random, 0.1)) edited.clear();
  return withPolicies(files, edited);
}

function only(scopes: readonly Scope[]): Scope {
  assert.equal(scopes.length, 1);
  return scopes[0];
}

function allowedBetween(scope: Scope, from: string, to: string): PortSet {
  const find = (name: string) => scope.analysis.reportedWorkloads().find((w) => w.displayName === name);
  const a = find(from);
  const b = find(to);
  assert.ok(a && b, `${from} and ${to} in the scope`);
  return scope.analysis.connection(workloadEndpoint(a), workloadEndpoint(b)).allowed;
}

describe('reachability diff: the policies a change is counted for', () => {
  test('match workspaces built with only that policy changed, or only that policy reverted (seeded random clusters)', () => {
    let checked = 0;
    let notDeciding = 0;
    let deciding = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = seeded(seed);
      const counter = { n: 1000 };
      const baseFiles = randomFiles(random);
      const headFiles = editPolicies(random, baseFiles, counter);
      const base = only(workspaceOf(baseFiles).scopes());
      const head = only(workspaceOf(headFiles).scopes());
      const diff = diffReachability([base], [head], 'base');
      const basePolicies = policiesOf(baseFiles);
      const headPolicies = policiesOf(headFiles);
      const scopes = new Map<string, { alone: Scope; without: Scope }>();
      const counterfactuals = (policy: string) => {
        let known = scopes.get(policy);
        if (!known) {
          const alone = new Map(basePolicies);
          const without = new Map(headPolicies);
          const now = headPolicies.get(policy);
          const was = basePolicies.get(policy);
          if (now) alone.set(policy, now);
          else alone.delete(policy);
          if (was) without.set(policy, was);
          else without.delete(policy);
          known = { alone: only(workspaceOf(withPolicies(baseFiles, alone)).scopes()), without: only(workspaceOf(withPolicies(headFiles, without)).scopes()) };
          scopes.set(policy, known);
        }
        return known;
      };
      for (const change of diff.changes) {
        if (change.external) continue;
        const opened = change.after.subtract(change.before);
        const closed = change.before.subtract(change.after);
        const part = (ports: PortSet, of: PortSet) => !ports.intersect(of).isEmpty();
        for (const cause of change.causes) {
          const { alone, without } = counterfactuals(cause.policy);
          const a = allowedBetween(alone, change.from, change.to);
          const w = allowedBetween(without, change.from, change.to);
          const expected = part(a.subtract(change.before), opened) || part(change.before.subtract(a), closed) || part(change.after.subtract(w), opened) || part(w.subtract(change.after), closed);
          assert.equal(cause.decides, expected, `seed ${seed}: ${cause.policy} for ${change.from} -> ${change.to} (${change.before} -> ${change.after}; alone ${a}, without ${w})`);
          checked++;
          if (expected) deciding++;
          else notDeciding++;
        }
      }
    }
    // Enough of both answers for the comparison to mean something.
    assert.ok(checked > 300, `causes checked: ${checked}`);
    assert.ok(deciding > 100 && notDeciding > 10, `deciding ${deciding}, not deciding ${notDeciding}`);
  });

  const files = (extra: Record<string, string>): Files =>
    new Map(
      Object.entries({
        'file:///ws/apps.yaml': [
          'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}',
          'apiVersion: v1\nkind: Namespace\nmetadata: {name: b}',
          'apiVersion: v1\nkind: Pod\nmetadata: {name: x, namespace: a, labels: {app: x}}\nspec: {containers: [{name: c}]}',
          'apiVersion: v1\nkind: Pod\nmetadata: {name: y, namespace: b, labels: {app: y}}\nspec: {containers: [{name: c}]}',
        ].join('\n---\n'),
        // x may send to y on 80 and 8080 only.
        'file:///ws/a-egress.yaml':
          'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x-out, namespace: a}\nspec:\n  podSelector: {matchLabels: {app: x}}\n  policyTypes: [Egress]\n  egress: [{to: [{namespaceSelector: {}, podSelector: {matchLabels: {app: y}}}], ports: [{port: 80}, {port: 8080}]}]\n',
        ...extra,
      }).map(([k, v]) => [k, v]),
    );
  const ingress = (name: string, ports: number[]) =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: b}\nspec:\n  podSelector: {matchLabels: {app: y}}\n  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: x}}}], ports: [${ports.map((p) => `{port: ${p}}`).join(', ')}]}]\n`;

  test('a new allow rule that another policy still blocks is listed but not counted (issue 21)', () => {
    const base = files({ 'file:///ws/b-in.yaml': ingress('y-in', [80]) });
    // y-in now also allows 8080 (x's egress allows it: the connection changes); y-new allows 443, which x's egress blocks.
    const head = files({ 'file:///ws/b-in.yaml': ingress('y-in', [80, 8080]), 'file:///ws/b-new.yaml': ingress('y-new', [443]) });
    const diff = diffReachability(workspaceOf(base).scopes(), workspaceOf(head).scopes(), 'HEAD');
    assert.deepEqual(
      diff.changes.map((c) => `${c.kind} ${c.from} -> ${c.to}: ${c.causes.map((x) => `${x.policy} ${x.change} decides=${x.decides}`).join(', ')}`),
      ['changed a/x -> b/y: b/y-in modified decides=true, b/y-new added decides=false'],
    );
    assert.deepEqual(
      diff.policies.map((p) => `${p.policy} +${p.added} −${p.removed} ~${p.changed}`),
      ['b/y-in +0 −0 ~1'],
      'y-new decides nothing: no lens for it',
    );
    assert.equal(changeInWords(diff.changes[0].before, diff.changes[0].after), 'now also TCP 8080');
  });

  test('one changed policy is counted for every connection that changed, as the totals count them', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seeded(seed);
      const baseFiles = randomFiles(random);
      const policies = policiesOf(baseFiles);
      const keys = [...policies.keys()];
      if (keys.length === 0) continue;
      const key = pick(random, keys);
      const edited = new Map(policies);
      edited.set(key, { uri: policies.get(key)!.uri, text: policyYaml(random, key.split('/')[1], key.split('/')[0]) });
      const diff = diffReachability(workspaceOf(baseFiles).scopes(), workspaceOf(withPolicies(baseFiles, edited)).scopes(), 'base');
      if (diff.changes.length === 0) continue;
      assert.deepEqual(
        diff.policies.map((p) => [p.policy, p.added, p.removed, p.changed]),
        [[key, diff.counts.added, diff.counts.removed, diff.counts.changed]],
        `seed ${seed}`,
      );
    }
  });
});

describe('reachability diff: changes in plain words (issue 21)', () => {
  const tcp = (lo: number, hi = lo) => PortSet.of('TCP', lo, hi);
  const udp = (lo: number, hi = lo) => PortSet.of('UDP', lo, hi);
  test('ports', () => {
    assert.equal(portsInWords(PortSet.ALL), 'all ports');
    assert.equal(portsInWords(PortSet.NONE), 'nothing');
    assert.equal(portsInWords(tcp(53).union(udp(53))), 'TCP/UDP 53');
    assert.equal(portsInWords(tcp(80).union(tcp(443)).union(tcp(8000, 8080))), 'TCP 80, 443, 8000–8080');
    assert.equal(portsInWords(PortSet.of('TCP').union(udp(53))), 'all TCP; UDP 53');
  });
  test('what is allowed now, never the complement of port ranges', () => {
    assert.equal(changeInWords(PortSet.ALL, tcp(53).union(udp(53))), 'now only TCP/UDP 53');
    assert.equal(changeInWords(tcp(80).union(tcp(8443)), tcp(80)), 'now only TCP 80');
    assert.equal(changeInWords(tcp(1, 65535), tcp(1, 8442).union(tcp(8444, 65535))), 'no longer TCP 8443');
    assert.equal(changeInWords(tcp(80), tcp(80).union(tcp(443))), 'now also TCP 443');
    assert.equal(changeInWords(tcp(80), PortSet.ALL), 'now all ports (was only TCP 80)');
    assert.equal(changeInWords(tcp(80), tcp(443)), 'now TCP 443 (was TCP 80)');
    assert.equal(changeInWords(PortSet.NONE, tcp(5432)), 'now TCP 5432');
    assert.equal(changeInWords(tcp(5432), PortSet.NONE), 'now nothing (was TCP 5432)');
  });
});
