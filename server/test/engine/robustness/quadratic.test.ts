// Issue 19 item 5: paths that turned quadratic on hostile input. Each test counts work (selector tests, label
// comparisons, characters) or compares run times at n and 4n relative to each other: linear work grows about 4×, a
// quadratic path 16×. No absolute time limits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { runRules } from '../../../src/engine/rules/run';
import { Workspace } from '../../../src/engine/workspace';
import { hover } from '../../../src/engine/features/hover';
import { lineColumn } from '../../../src/cli/commands/check';

/** A Deployment with `n` pod labels and a policy whose podSelector has `n` labels, `typo` of them misspelled. */
function manyLabels(n: number, keyTypo: boolean, valueTypoAt?: number): string {
  const pod = Array.from({ length: n }, (_, i) => `        key${i}: v`).join('\n');
  const sel = Array.from({ length: n }, (_, i) => `      ${keyTypo ? 'kex' : 'key'}${i}: ${i === valueTypoAt ? 'vv' : 'v'}`).join('\n');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w, namespace: shop}\nspec:\n  template:\n    metadata:\n      labels:\n${pod}\n    spec: {containers: [{name: c}]}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector:\n    matchLabels:\n${sel}\n`;
}

const labelTypo = ALL_RULES.filter((r) => r.id === 'label-typo');

function labelTypoWork(text: string): { work: number; messages: string[] } {
  const ws = new Workspace();
  ws.setFile('file:///many.yaml', text);
  ws.scopes();
  const counters = ws.store.labelWork;
  const before = { ...counters };
  const out = runRules(ws, { rules: labelTypo });
  const work = counters.selectorTests - before.selectorTests + counters.labelComparisons - before.labelComparisons;
  return { work, messages: [...out.values()].flat().map((d) => d.message) };
}

describe('label-typo on a selector with thousands of labels', () => {
  test('every key misspelled (no one-token fix): work at 4n is at most about 4× the work at n', () => {
    const small = labelTypoWork(manyLabels(2500, true));
    const large = labelTypoWork(manyLabels(10_000, true));
    assert.deepEqual(large.messages, []);
    assert.ok(large.work <= 5 * small.work + 100, `work ${small.work} at n=2500, ${large.work} at n=10000`);
  });

  test('one value misspelled among 10,000 labels: found, suggested, and the work stays linear', () => {
    const small = labelTypoWork(manyLabels(2500, false, 2000));
    const large = labelTypoWork(manyLabels(10_000, false, 9000));
    assert.equal(large.messages.length, 1);
    assert.match(large.messages[0], /has the label key9000: vv; did you mean key9000: v \(shop\/w\)/);
    assert.ok(large.work <= 5 * small.work + 100, `work ${small.work} at n=2500, ${large.work} at n=10000`);
  });
});

/** The least of a few runs, in milliseconds (the machine is shared; only ratios between sizes are compared). */
function leastTime(fn: () => void, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('the hover that explains why a selector matches nothing', () => {
  test('5,000 misspelled labels: a bounded hover, built in time linear in the labels', () => {
    const hoverOf = (n: number) => {
      const ws = new Workspace();
      ws.setFile('file:///many.yaml', manyLabels(n, true));
      ws.scopes();
      const text = ws.getFile('file:///many.yaml')!.text;
      const offset = text.indexOf('podSelector') + 2;
      let markdown = '';
      const ms = leastTime(() => (markdown = hover(ws, 'file:///many.yaml', offset)?.markdown ?? ''));
      return { ms, markdown };
    };
    hoverOf(200); // warm up
    const small = hoverOf(1250);
    const large = hoverOf(5000);
    assert.match(large.markdown, /Matches no pods/);
    assert.match(large.markdown, /and 4995 more requirements that no pod satisfies/);
    assert.ok(large.markdown.length < 5000, `hover of ${large.markdown.length} characters`);
    assert.ok(large.ms <= 8 * Math.max(small.ms, 5), `${small.ms.toFixed(1)} ms at n=1250, ${large.ms.toFixed(1)} ms at n=5000`);
  });
});

describe("check's line and column lookup", () => {
  test('one lookup per finding in a large file: time at 4n about 4× the time at n, and the same answers as a scan', () => {
    const textOf = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}: ${'x'.repeat(i % 50)}`).join('\n');
    const naive = (text: string, offset: number) => {
      const before = text.slice(0, offset);
      return { line: before.split('\n').length, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
    };
    const small = textOf(10_000);
    for (const offset of [0, 1, 7, small.indexOf('\n'), small.indexOf('\n') + 1, 12_345, small.length - 1, small.length]) {
      assert.deepEqual(lineColumn(small, offset), naive(small, offset), `offset ${offset}`);
    }
    const lookups = (text: string) => () => {
      for (let offset = 0; offset < text.length; offset += 37) lineColumn(text, offset);
    };
    const large = textOf(40_000);
    lookups(small)();
    const a = leastTime(lookups(small));
    const b = leastTime(lookups(large));
    assert.ok(b <= 10 * Math.max(a, 1), `${a.toFixed(1)} ms for ${small.length} characters, ${b.toFixed(1)} ms for ${large.length}`);
  });
});
