// Suppression comments on hostile files: thousands of `# netpol-disable` comments must not make the runner
// quadratic (a 512 KB file with 16,000 of them took 41 s before document boundaries were searched once), and the
// semantics stay those of the straightforward reading, checked against it on random files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applySuppressions } from '../../../src/engine/rules/run';
import type { Diagnostic } from '../../../src/engine/rules/types';
import { FUZZ_SEED, fuzzOptions } from '../fuzz/arbitraries';

/** The rules as the docs state them, computed naively: next-line comments, and rest-of-document comments. */
function reference(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length - 1;
  const comments: { at: number; nextLine: boolean; ids: string[] }[] = [];
  const re = /#\s*netpol-disable(-next-line)?\b([^\n]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) comments.push({ at: m.index, nextLine: !!m[1], ids: m[2].split(/[\s,]+/).filter(Boolean) });
  const covers = (ids: string[], id: string) => ids.length === 0 || ids.includes(id);
  return diagnostics.filter((d) => {
    const start = d.location.range[0];
    // Only the last next-line comment on a line counts (a later one replaces an earlier one).
    const onPreviousLine = comments.filter((c) => c.nextLine && lineOf(c.at) + 1 === lineOf(start));
    if (onPreviousLine.length > 0 && covers(onPreviousLine[onPreviousLine.length - 1].ids, d.ruleId)) return false;
    return !comments.some((c) => {
      if (c.nextLine || c.at > start || !covers(c.ids, d.ruleId)) return false;
      const next = text.indexOf('\n---', c.at);
      return next < 0 || start < next + 1;
    });
  });
}

const diagnostic = (ruleId: string, start: number): Diagnostic => ({ ruleId, severity: 'warning', message: `${ruleId}@${start}`, location: { uri: 'file:///x.yaml', range: [start, start] } });

const lineArb = fc.oneof(
  fc.constantFrom('a: 1', 'b: [x]', '---', '--- # doc', '', '  c: d'),
  fc.tuple(fc.constantFrom('# netpol-disable', '# netpol-disable-next-line', '#netpol-disable', 'x: 1 # netpol-disable'), fc.subarray(['r1', 'r2', 'r3'])).map(
    ([comment, ids]) => `${comment}${ids.length ? ` ${ids.join(', ')}` : ''}`,
  ),
);

describe(`suppression comments (seed ${FUZZ_SEED})`, () => {
  it('agree with the straightforward reading on random files', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 14 }), fc.array(fc.tuple(fc.constantFrom('r1', 'r2', 'r3'), fc.nat()), { maxLength: 8 }), (lines, raw) => {
        const text = lines.join('\n');
        const diagnostics = raw.map(([id, n]) => diagnostic(id, text.length === 0 ? 0 : n % text.length));
        assert.deepEqual(applySuppressions(text, diagnostics).map((d) => d.message), reference(text, diagnostics).map((d) => d.message), JSON.stringify(text));
      }),
      fuzzOptions(500),
    );
  });

  it('a file with 16,000 suppression comments and 16,000 diagnostics: document boundaries are searched once', (t) => {
    const header = 'apiVersion: v1\n';
    const chunk = '# netpol-disable r1\na: 1\n---\n';
    const text = header + chunk.repeat(16_000);
    const diagnostics = Array.from({ length: 16_000 }, (_, i) => diagnostic(i % 2 ? 'r1' : 'r2', Math.floor((i * text.length) / 16_000) + (i % 29)));
    const started = performance.now();
    const kept = applySuppressions(text, diagnostics);
    t.diagnostic(`${(performance.now() - started).toFixed(0)} ms`);
    // r1 is silenced from each comment up to the next `---` line; r2 never.
    const silenced = (d: Diagnostic) => {
      const at = d.location.range[0] - header.length;
      return d.ruleId === 'r1' && at >= 0 && at % chunk.length < chunk.length - '---\n'.length;
    };
    assert.deepEqual(kept.map((d) => d.message), diagnostics.filter((d) => !silenced(d)).map((d) => d.message));
  });
});
