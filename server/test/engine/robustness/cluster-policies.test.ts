// Bad input in cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy): every
// value of the semantics fixtures replaced by wrong shapes, one at a time, through the workspace, every rule and the
// evaluation. Nothing throws, no rule fails, and every finding stays inside the text.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyse, assertRangesInside } from './harness';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'semantics');
const WRONG = ['null', '[]', '{}', '"x"', '-1', '99999', '[{}]', '[null]', '{a: 1}', 'true'];

test('wrong values anywhere in cluster-wide policies: no failure, findings inside the text', () => {
  let runs = 0;
  for (const name of ['anp-tiers.yaml', 'anp-baseline.yaml', 'cnp-tiers.yaml']) {
    const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      // Only lines of the cluster-wide policies' specs: `key: value` or `- {...}` entries.
      const m = /^(\s*(?:- )?[A-Za-z]+:\s)(.+)$/.exec(line);
      if (!m || line.trimStart().startsWith('#')) return;
      const wrong = WRONG[i % WRONG.length];
      const mutated = [...lines.slice(0, i), `${m[1]}${wrong}`, ...lines.slice(i + 1)].join('\n');
      const uri = `file:///robust/${name}`;
      const run = analyse({ [uri]: mutated }, { withWitness: false });
      assert.deepEqual(run.ruleFailures.map((f) => `${f.ruleId}: ${String(f.error)}`), [], `${name}:${i + 1} → ${wrong}`);
      assertRangesInside(run);
      runs++;
    });
  }
  assert.ok(runs > 100, `${runs} mutations`);
});
