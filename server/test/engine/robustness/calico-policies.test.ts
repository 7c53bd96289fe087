// Bad input in Calico objects (NetworkPolicy, GlobalNetworkPolicy, network sets, tiers): every value of the Calico
// rule fixtures replaced by wrong shapes, one at a time, through the workspace, every rule and the evaluation.
// Nothing throws, no rule fails, and every finding stays inside the text.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyse, assertRangesInside } from './harness';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'rules');
const WRONG = ['null', '[]', '{}', '"x"', '-1', '99999', '[{}]', '[null]', '{a: 1}', 'true', '"!has(x)"', "\"a == 'b' &&\"", '1.5'];

test('wrong values anywhere in Calico objects: no failure, findings inside the text', () => {
  let runs = 0;
  const dirs = fs.readdirSync(FIXTURES).filter((d) => d.startsWith('calico-') || d === 'invalid-calico-policy');
  assert.ok(dirs.length >= 10, dirs.join(', '));
  for (const dir of dirs) {
    const text = fs.readFileSync(path.join(FIXTURES, dir, 'basic.yaml'), 'utf8');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const m = /^(\s*(?:- )?[A-Za-z]+:\s)(.+)$/.exec(line);
      if (!m || line.trimStart().startsWith('#')) return;
      const wrong = WRONG[i % WRONG.length];
      const mutated = [...lines.slice(0, i), `${m[1]}${wrong}`, ...lines.slice(i + 1)].join('\n');
      const run = analyse({ [`file:///robust/${dir}.yaml`]: mutated }, { withWitness: false });
      assert.deepEqual(run.ruleFailures.map((f) => `${f.ruleId}: ${String(f.error)}`), [], `${dir}:${i + 1} → ${wrong}`);
      assertRangesInside(run);
      runs++;
    });
  }
  assert.ok(runs > 100, `${runs} mutations`);
});
