// Issue 19 item 1: globs come from the repository (`.netpol.yaml`) and from workspace settings applied in Restricted
// Mode, so matching must stay polynomial for any pattern, agree with the glob syntax everywhere, and never throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GlobSet, globProblem } from '../../../src/engine/glob';

/** Reference semantics, written for clarity (memoised, so polynomial too): VS Code glob syntax on `/` paths. */
function expandBraces(p: string): string[] {
  const m = /\{([^{}]*)\}/.exec(p);
  if (!m) return [p];
  return m[1].split(',').flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}
function segmentMatches(pat: string, s: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let r: boolean;
    if (i === pat.length) r = j === s.length;
    else if (pat[i] === '*') r = go(i + 1, j) || (j < s.length && go(i, j + 1));
    else if (j === s.length) r = false;
    else if (pat[i] === '?') r = go(i + 1, j + 1);
    else if (pat[i] === '[') {
      const close = pat.indexOf(']', i + 2);
      const negate = pat[i + 1] === '!';
      const body = pat.slice(i + (negate ? 2 : 1), close);
      r = body.includes(s[j]) !== negate && go(close + 1, j + 1);
    } else r = pat[i] === s[j] && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}
function referenceMatches(pattern: string, path: string): boolean {
  const parts = path.split('/');
  return expandBraces(pattern).some((p) => {
    const segs = p.split('/');
    const memo = new Map<string, boolean>();
    // The pattern matches the path or a folder above it.
    const go = (i: number, j: number): boolean => {
      const key = `${i},${j}`;
      if (memo.has(key)) return memo.get(key)!;
      let r: boolean;
      if (i === segs.length) r = j >= 1 || parts.length === 0;
      // A trailing `**` stands for what is inside a folder: at least one segment (`a/**` does not match `a`).
      else if (segs[i] === '**') r = i + 1 === segs.length ? j < parts.length : go(i + 1, j) || (j < parts.length && go(i, j + 1));
      else r = j < parts.length && segmentMatches(segs[i], parts[j]) && go(i + 1, j + 1);
      memo.set(key, r);
      return r;
    };
    return go(0, 0);
  });
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('random patterns agree with the reference glob semantics and never throw (seeded)', { timeout: 120_000 }, () => {
  const rnd = random(19);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const tokens = ['a', 'b', 'ab', '*', '**', '?', '[ab]', '[!a]', '{a,b*}', '*a', '.x'];
  const makePattern = () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(tokens)).join('').replace(/\*\*\*+/g, '**')).join('/');
  const makePath = () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(['a', 'b', '.', 'x'])).join('')).map((s) => (/^\.+$/.test(s) ? `${s}x` : s)).join('/'); // relative paths hold no `.`/`..` segment
  const paths = Array.from({ length: 40 }, makePath);
  let compared = 0;
  for (let n = 0; n < 1500; n++) {
    let pattern = makePattern();
    // `**` is only a globstar as a whole segment; elsewhere it is `*` (as in VS Code and minimatch).
    pattern = pattern.split('/').map((s) => (s === '**' ? s : s.replace(/\*\*+/g, '*'))).join('/');
    const set = new GlobSet([pattern]);
    assert.equal(set.rejected.length, 0, pattern);
    for (const path of paths) {
      assert.equal(set.matches(path), referenceMatches(pattern, path), `${pattern} on ${path}`);
      compared++;
    }
  }
  assert.equal(compared, 1500 * 40);
});

/** Milliseconds to match `paths` against `pattern`, the least of a few runs (the machine is shared). */
function cost(pattern: string, paths: string[]): number {
  const set = new GlobSet([pattern]);
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    for (const p of paths) set.matches(p);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

// Hostile families from issue 19: the cost at 4n may grow with the sizes (pattern × path is 16×), never explode.
const FAMILIES: [string, (n: number) => string, (n: number) => string][] = [
  ['repeated **/', (n) => `${Array(n).fill('**').join('/')}/z`, (n) => `${Array(2 * n).fill('a').join('/')}/y`],
  ['*a*a*…*b', (n) => `${'*a'.repeat(n)}*b`, (n) => 'a'.repeat(3 * n)],
  ['**/a/**/a/…/z', (n) => `${Array(n).fill('**/a').join('/')}/z`, (n) => `${Array(2 * n).fill('a').join('/')}/y`],
  ['?*?*…b', (n) => `${'?*'.repeat(n)}b`, (n) => 'a'.repeat(3 * n)],
  ['*/**/…', (n) => `${Array(n).fill('*/**').join('/')}/z`, (n) => `${Array(2 * n).fill('a').join('/')}/y`],
];

for (const [name, pattern, path] of FAMILIES) {
  test(`glob matching stays polynomial: ${name} (cost at 4n against n)`, { timeout: 60_000 }, () => {
    const n = 12;
    const paths = (k: number) => Array.from({ length: 50 }, (_, i) => `${path(k)}${i}`);
    cost(pattern(n), paths(n)); // warm up
    const small = Math.max(cost(pattern(n), paths(n)), 0.5);
    const large = cost(pattern(4 * n), paths(4 * n));
    // Backtracking grows as n^k or 2^n: at n=12 that is seconds; linear in pattern × path is 16×.
    assert.ok(large / small < 64, `${name}: ${small.toFixed(2)} ms at n=${n}, ${large.toFixed(2)} ms at n=${4 * n}`);
  });
}

test('bad patterns are rejected with a reason, never thrown; the other patterns still apply', () => {
  assert.match(globProblem('[z-a]') ?? '', /character range z-a is out of order/);
  assert.equal(globProblem('[a-z]*.yaml'), undefined);
  assert.equal(globProblem('[!a-c]'), undefined);
  assert.match(globProblem('{a,b}'.repeat(9)) ?? '', /alternatives/);
  assert.match(globProblem(`${'a/'.repeat(600)}`) ?? '', /longer than/);
  const set = new GlobSet(['[z-a]', 'vendor/**', '{a,b}'.repeat(9)]);
  assert.deepEqual(set.rejected.map((r) => r.index), [0, 2]);
  assert.equal(set.size, 1);
  assert.equal(set.matches('vendor/x.yaml'), true);
  assert.equal(set.matches('z'), false);
});
