// Fuzzing the parser, the engine and every rule (ALL_RULES) with random YAML text, mutated manifests and
// Kubernetes-shaped objects with wrong values: no exception escapes, no rule fails, every position is inside its
// file. Seeded (see arbitraries.ts); a failure prints the seed and the counterexample.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseFile, parseFileWithYamlPackage, type ParsedFile } from '../../../src/engine/parse';
import { analyse, assertRangesInside, ROOT } from '../robustness/harness';
import {
  applyTextEdits,
  clusterArb,
  clusterObjects,
  FUZZ_SEED,
  fuzzOptions,
  mangledClusterArb,
  textEdits,
  toYaml,
} from './arbitraries';

const URI = `${ROOT}/fuzz.yaml`;

function assertNoRuleFailures(run: ReturnType<typeof analyse>): void {
  const failures = run.ruleFailures.map((f) => `${f.ruleId}: ${(f.error as Error)?.stack ?? String(f.error)}`);
  assert.deepEqual(failures, [], 'no rule may throw');
}

function assertFindingsInside(uri: string, text: string): void {
  const parsed = parseFile(uri, text);
  for (const f of parsed.findings) {
    assert.ok(0 <= f.location.range[0] && f.location.range[0] <= f.location.range[1] && f.location.range[1] <= text.length, `${f.code} inside`);
  }
  for (const d of parsed.documents) {
    for (const o of d.objects) assert.ok(0 <= o.range[0] && o.range[1] <= text.length, 'object ranges inside');
  }
}

const YAMLISH = fc.constantFrom(
  ...'abcxyz019 :-[]{},#&*!|>\'"%@`?\n\t\r'.split(''),
  '---\n', '...\n', 'kind: ', 'apiVersion: v1\n', 'metadata:\n  name: n\n', 'spec:\n', '  - ', '&a ', '*a', '<<: ', '!!binary ', '\uFEFF', '\uFFFD', '\u0000',
);

describe(`fuzz: input (seed ${FUZZ_SEED})`, () => {
  it('random YAML-ish text never makes parseFile throw; findings stay inside the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: YAMLISH, maxLength: 80 }), (text) => assertFindingsInside(URI, text)),
      fuzzOptions(400),
    );
  });

  it('random binary and unicode text never makes parseFile throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 })), (text) =>
        assertFindingsInside(URI, text),
      ),
      fuzzOptions(200),
    );
  });

  it('random YAML-ish text through the workspace and every rule: no failure', () => {
    fc.assert(
      fc.property(fc.string({ unit: YAMLISH, maxLength: 120 }), (text) => {
        const run = analyse({ [URI]: text });
        assertNoRuleFailures(run);
        assertRangesInside(run);
      }),
      fuzzOptions(150),
    );
  });

  it('valid generated clusters: every policy is valid and every rule runs', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const run = analyse({ [URI]: toYaml(clusterObjects(cluster)) }, { withWitness: false });
        assertNoRuleFailures(run);
        assertRangesInside(run);
        const policies = run.workspace.scopes()[0].model.policies;
        assert.equal(policies.length, cluster.policies.length);
        for (const p of policies) assert.ok(p.valid, `${p.name}: ${p.problems.map((x) => x.message).join('; ')}`);
      }),
      fuzzOptions(120),
    );
  });

  it('generated clusters with text edits (half-typed, broken YAML) through every rule: no failure', () => {
    fc.assert(
      fc.property(clusterArb, textEdits, (cluster, edits) => {
        const text = applyTextEdits(toYaml(clusterObjects(cluster)), edits);
        const run = analyse({ [URI]: text });
        assertNoRuleFailures(run);
        assertRangesInside(run);
      }),
      fuzzOptions(150),
    );
  });

  it('the fast reader and the yaml package read mutated manifests the same way', () => {
    const summary = (p: ParsedFile) => ({
      documents: p.documents.map((d) => ({ range: d.range, skipped: d.skipped })),
      objects: p.documents.flatMap((d) => d.objects.map((o) => ({ kind: o.kind, name: o.name, namespace: o.namespace, value: o.value, range: o.range, list: o.listPath }))),
      findings: p.findings.map((f) => `${f.code}@${f.location.range}`),
    });
    fc.assert(
      fc.property(clusterArb, textEdits, (cluster, edits) => {
        const text = applyTextEdits(toYaml(clusterObjects(cluster)), edits);
        assert.deepEqual(summary(parseFile(URI, text)), summary(parseFileWithYamlPackage(URI, text)), JSON.stringify(text));
      }),
      fuzzOptions(150),
    );
  });

  it('generated clusters with wrong values anywhere (wrong shapes) through every rule: no failure', () => {
    fc.assert(
      fc.property(mangledClusterArb, fc.boolean(), (objects, asJson) => {
        const files = asJson
          ? Object.fromEntries(objects.map((o, i) => [`${ROOT}/o${i}.json`, JSON.stringify(o, null, 2)]))
          : { [URI]: toYaml(objects) };
        const run = analyse(files);
        assertNoRuleFailures(run);
        assertRangesInside(run);
      }),
      fuzzOptions(200),
    );
  });
});
