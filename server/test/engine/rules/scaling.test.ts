// How the work of label-typo and selector-matches-nothing grows with the workspace: one file of N
// NetworkPolicy/Deployment pairs, each policy selecting its own Deployment by a distinct label value (and peers
// selecting other Deployments). Counts of selector tests and label comparisons, not times: doubling N must at most
// about double them (testing every workload of the namespace for every policy made both rules quadratic).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelIndexCounters } from '../../../src/engine/rules/label-index';
import { labelTypo } from '../../../src/engine/rules/label-typo';
import { runRules } from '../../../src/engine/rules/run';
import { selectorMatchesNothing } from '../../../src/engine/rules/selector-matches-nothing';
import type { Rule } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';

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
  const before = { ...labelIndexCounters };
  const out = runRules(workspace, { rules: [rule] });
  return {
    selectorTests: labelIndexCounters.selectorTests - before.selectorTests,
    labelComparisons: labelIndexCounters.labelComparisons - before.labelComparisons,
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
