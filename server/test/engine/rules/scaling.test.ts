// How the work of label-typo and selector-matches-nothing grows with the workspace: one file of N
// NetworkPolicy/Deployment pairs, each policy selecting its own Deployment by a distinct label value (and peers
// selecting other Deployments). Counts of selector tests and label comparisons, not times: doubling N must at most
// about double them (testing every workload of the namespace for every policy made both rules quadratic).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distance } from 'fastest-levenshtein';
import { itemsMatching, labelIndexOf, matchesAnyItem, nearMissCandidates } from '../../../src/engine/rules/label-index';
import { Store } from '../../../src/engine/store';
import { labelTypo } from '../../../src/engine/rules/label-typo';
import { runRules } from '../../../src/engine/rules/run';
import { selectorMatchesNothing } from '../../../src/engine/rules/selector-matches-nothing';
import { matchesSelector, type LabelSelector } from '../../../src/engine/selectors';
import type { Rule } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';
import { seeded } from '../random-cluster';

/** N pairs; with `typo`, every spec.podSelector misspells its value (`app-12x`) and is reported. */
function pairs(n: number, typo: boolean): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) {
    docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-${i}, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: app-${i}${typo ? 'x' : ''}}
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: app-${(i + 1) % n}}
  egress:
    - to:
        - podSelector:
            matchExpressions: [{key: app, operator: In, values: [app-${(i + 7) % n}, app-${(i + 3) % n}]}]
`);
    docs.push(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app-${i}, namespace: shop, labels: {team: t${i % 17}}}
spec:
  selector: {matchLabels: {app: app-${i}}}
  template:
    metadata: {labels: {app: app-${i}, tier: backend}}
    spec: {containers: [{name: main, image: example/app}]}
`);
  }
  return docs.join('---\n');
}

interface Work {
  selectorTests: number;
  labelComparisons: number;
  findings: number;
}

function workOf(rule: Rule, n: number, typo: boolean): Work {
  const workspace = new Workspace();
  workspace.setFile('file:///scaling/pairs.yaml', pairs(n, typo));
  workspace.scopes();
  const counters = workspace.store.labelWork;
  const before = { ...counters };
  const out = runRules(workspace, { rules: [rule] });
  return {
    selectorTests: counters.selectorTests - before.selectorTests,
    labelComparisons: counters.labelComparisons - before.labelComparisons,
    findings: [...out.values()].reduce((sum, list) => sum + list.filter((d) => d.ruleId === rule.id).length, 0),
  };
}

/** Doubling the input at most doubles the work (plus a little slack for constant terms). */
function assertLinear(small: number, large: number, what: string): void {
  assert.ok(large <= 2 * small + 16, `${what}: ${small} at N, ${large} at 2N`);
}

describe('rule work grows linearly with pairs of policies and workloads in one namespace', () => {
  for (const rule of [labelTypo, selectorMatchesNothing]) {
    for (const typo of [false, true]) {
      it(`${rule.id}, ${typo ? 'every podSelector misspelled' : 'every selector matching'}`, (t) => {
        const sizes = [200, 400, 800];
        const work = sizes.map((n) => workOf(rule, n, typo));
        t.diagnostic(JSON.stringify(work));
        work.forEach((w, i) => assert.equal(w.findings, typo ? sizes[i] : 0, `findings at N=${sizes[i]}`));
        for (let i = 1; i < sizes.length; i++) {
          assertLinear(work[i - 1].selectorTests, work[i].selectorTests, 'selector tests');
          assertLinear(work[i - 1].labelComparisons, work[i].labelComparisons, 'label comparisons');
        }
        // When every selector matches, each policy's is tested at least once: the counter sees the rule's work.
        if (!typo) assert.ok(work[0].selectorTests >= sizes[0], `selector tests at N=${sizes[0]}: ${work[0].selectorTests}`);
      });
    }
  }
});

describe('the label index answers as a scan of the whole list would', () => {
  const next = seeded(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const word = (maxLength: number) => Array.from({ length: 1 + Math.floor(next() * maxLength) }, () => pick(['a', 'b', 'A', '-', '1', 'x'])).join('');

  it('near-miss candidates include every word equal ignoring case or within the allowed edit distance', () => {
    // The criterion label-typo documents: distance 1 up to 4 characters, 2 up to 12, 3 beyond, on the longer word.
    const nearMiss = (a: string, b: string) => {
      if (a === b) return false;
      if (a.toLowerCase() === b.toLowerCase()) return true;
      const longest = Math.max(a.length, b.length);
      return distance(a, b) <= (longest <= 4 ? 1 : longest <= 12 ? 2 : 3);
    };
    // One store across the rounds' lists: each list is asked enough times to build its vocabulary.
    const store = new Store();
    for (let round = 0; round < 40; round++) {
      const maxLength = pick([4, 8, 14, 20]);
      const words = [...new Set(Array.from({ length: 150 }, () => word(maxLength)))].sort();
      for (let q = 0; q < 40; q++) {
        const query = next() < 0.3 ? pick(words).replace(/a/g, 'A') : word(maxLength);
        const candidates = nearMissCandidates(store, words, query);
        assert.deepEqual(candidates, [...candidates].sort(), 'in list order');
        assert.deepEqual(candidates.filter((w) => nearMiss(query, w)), words.filter((w) => nearMiss(query, w)), `query ${query}`);
      }
    }
  });

  it('selectors match through the index exactly the items a filter over the list matches, in list order', () => {
    const keys = ['app', 'tier', 'team'];
    const values = ['a', 'b', 'c', 'd'];
    const items = Array.from({ length: 120 }, () => ({ labels: Object.fromEntries(keys.filter(() => next() < 0.7).map((k) => [k, pick(values)])) as Record<string, string> }));
    const index = labelIndexOf(new Store(), items, 'test', (item) => item.labels);
    const operators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
    for (let round = 0; round < 300; round++) {
      const requirements = Array.from({ length: Math.floor(next() * 3) }, () => ({
        key: pick([...keys, 'other']),
        operator: pick(operators),
        values: Array.from({ length: 1 + Math.floor(next() * 2) }, () => pick(values)),
      })).map((r) => (r.operator === 'Exists' || r.operator === 'DoesNotExist' ? { ...r, values: [] } : r));
      const selector: LabelSelector = { requirements, matchLabels: {}, problems: [] };
      const expected = items.filter((item) => matchesSelector(selector, item.labels));
      assert.deepEqual(itemsMatching(index, selector), expected, JSON.stringify(requirements));
      assert.equal(matchesAnyItem(index, selector), expected.length > 0);
    }
  });
});
