// Issue 19 item 5: the yaml package finds duplicate keys by comparing each key with every earlier one, quadratic in
// the size of a map; netpol finds them with a set per map. Same errors (code, message, position) as the package's
// own check on generated documents, and linear work on a map of tens of thousands of keys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { KUBECTL_SCHEMA_OPTIONS } from '../../../src/engine/kubectl-numbers';
import { parseAllDocumentsBounded } from '../../../src/engine/parse';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('duplicate keys: the same errors as the yaml package\'s uniqueKeys check (seeded documents)', () => {
  const next = seeded(19);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const keys = ['a', 'b', '"a"', "'b'", '1', '01', '1.0', 'true', 'null', '~', '.nan', '&x a', '!!str 1', '? a', ''];
  for (let round = 0; round < 500; round++) {
    const lines: string[] = [];
    for (let i = 0; i < 1 + Math.floor(next() * 6); i++) {
      const key = pick(keys);
      const style = next();
      if (style < 0.2) lines.push(`${key}: {${pick(keys)}: 1, ${pick(keys)}: 2}`);
      else if (style < 0.35) lines.push(`${key}:\n  ${pick(keys)}: 1\n  ${pick(keys)}: 2`);
      else if (style < 0.45) lines.push(`- ${pick(keys)}: 1`);
      else lines.push(`${key}: ${pick(['x', '1', '[a, b]', '*x'])}`);
    }
    const text = `${lines.join('\n')}\n${next() < 0.2 ? `---\n${lines.slice().reverse().join('\n')}\n` : ''}`;
    const theirs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false, logLevel: 'silent', ...KUBECTL_SCHEMA_OPTIONS });
    const ours = parseAllDocumentsBounded(text);
    const errors = (docs: { errors: { code: string; message: string; pos: [number, number] }[] }[]) =>
      docs.map((d) => d.errors.map((e) => `${e.code} ${e.pos[0]}-${e.pos[1]} ${e.message.split('\n')[0]}`).sort());
    const expected = errors(Array.isArray(theirs) ? (theirs as never) : ([theirs] as never));
    const actual = errors(ours as never);
    // In a document the package already finds broken, or with an empty or explicit (`?`) key, a duplicate's position may
    // differ by the key's indicator or spacing: there the same duplicate keys are counted; elsewhere the errors are
    // the same.
    const loose = text.includes('?') || /(^|[\s{,-]): /m.test(text);
    const broken = expected.map((list) => loose || list.some((e) => !e.startsWith('DUPLICATE_KEY')));
    const comparable = (all: string[][]) => all.map((list, i) => (broken[i] ? list.filter((e) => e.startsWith('DUPLICATE_KEY')).length : list));
    assert.deepEqual(comparable(actual), comparable(expected), text);
  }
});

test('a map of 40,000 keys that the fast reader gives up on: work at 4n about 4× the work at n', () => {
  const map = (n: number) => `# a comment\nkind: ConfigMap\ndata:\n${Array.from({ length: n }, (_, i) => `  k${i}: v # c`).join('\n')}\n  k0: again\n`;
  const time = (n: number) => {
    const text = map(n);
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      const docs = parseAllDocumentsBounded(text);
      best = Math.min(best, performance.now() - start);
      assert.deepEqual(docs[0].errors.map((e) => e.code), ['DUPLICATE_KEY']);
    }
    return best;
  };
  time(1000);
  const small = time(10_000);
  const large = time(40_000);
  assert.ok(large <= 8 * Math.max(small, 5), `${small.toFixed(0)} ms for 10,000 keys, ${large.toFixed(0)} ms for 40,000`);
});
