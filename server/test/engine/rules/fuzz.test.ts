// Bad input never crashes a rule: the rule fixtures, mangled at random (lines dropped, duplicated, swapped,
// truncated, characters replaced), go through every rule; no rule throws, every range lies inside its file and
// every fix's edits apply.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyEdits } from '../../../src/engine/edits';
import { runRules } from '../../../src/engine/rules/run';
import { Workspace } from '../../../src/engine/workspace';

const ROOT = join(__dirname, '../../../../test-fixtures/rules');

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const full = join(dir, n);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const samples = walk(ROOT).filter((p) => /\.ya?ml$/.test(p) && !p.endsWith('.netpol.yaml')).map((p) => readFileSync(p, 'utf8'));

type Mutation = { kind: 'drop' | 'dup' | 'swap' | 'truncate' | 'char'; a: number; b: number; c: string };

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const lines = out.split('\n');
    const i = m.a % Math.max(lines.length, 1);
    const j = m.b % Math.max(lines.length, 1);
    switch (m.kind) {
      case 'drop':
        lines.splice(i, 1);
        out = lines.join('\n');
        break;
      case 'dup':
        lines.splice(i, 0, lines[i] ?? '');
        out = lines.join('\n');
        break;
      case 'swap':
        [lines[i], lines[j]] = [lines[j], lines[i]];
        out = lines.join('\n');
        break;
      case 'truncate':
        out = out.slice(0, m.a % (out.length + 1));
        break;
      case 'char': {
        const at = m.a % (out.length + 1);
        out = out.slice(0, at) + m.c + out.slice(at + 1);
        break;
      }
    }
  }
  return out;
}

describe('rules on mangled input', () => {
  it('never throw, report inside the file, and offer applicable fixes', () => {
    const mutation = fc.record({
      kind: fc.constantFrom('drop', 'dup', 'swap', 'truncate', 'char'),
      a: fc.nat(),
      b: fc.nat(),
      c: fc.constantFrom(':', '-', '{', '[', ' ', '"', "'", '#', 'x', '\t', '0', '*', '&', '!', '\r\n', '---\n'),
    }) as fc.Arbitrary<Mutation>;
    fc.assert(
      fc.property(fc.nat({ max: samples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, mutations) => {
        const text = mutate(samples[index], mutations);
        const ws = new Workspace();
        ws.setFile('file:///fuzz/a.yaml', text);
        const errors: string[] = [];
        const result = runRules(ws, { fixes: true, onRuleError: (id, e) => errors.push(`${id}: ${(e as Error).stack}`) });
        assert.deepEqual(errors, []);
        for (const d of result.get('file:///fuzz/a.yaml') ?? []) {
          const [start, end] = d.location.range;
          assert.ok(start >= 0 && start <= end && end <= text.length, `${d.ruleId} range inside the text`);
          for (const fix of d.fixes ?? []) applyEdits(text, fix.edits);
        }
      }),
      { numRuns: 300 },
    );
  });
});
