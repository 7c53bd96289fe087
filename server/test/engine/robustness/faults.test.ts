// Faults inside the engine (issue 7, "Faults"): a rule that throws on some input is contained by the runner — it is
// reported once per scope through onRuleError, and every other rule still reports on that file and on every other.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { runRules } from '../../../src/engine/rules/run';
import type { Diagnostic, Rule } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';
import { ROOT, WITNESS, WITNESS_URI } from './harness';

const BOOM = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: boom, namespace: witness}
spec:
  podSelector: {matchLabels: {app: ghost}}
  egress: [{to: [{podSelector: {}}]}]
`;

function workspace(): Workspace {
  const ws = new Workspace();
  ws.setFile(WITNESS_URI, WITNESS);
  ws.setFile(`${ROOT}/boom.yaml`, BOOM);
  ws.setFile(`${ROOT}/other/a.yaml`, BOOM.replace('name: boom', 'name: calm').replace('witness}', 'other}'));
  ws.setFile(`${ROOT}/.netpol.yaml`, 'scopes:\n  - {name: main, paths: ["*.yaml"]}\n  - {name: other, paths: [other]}\n');
  return ws;
}

/** Throws when it meets the policy named boom, after reporting something first. */
const throwing: Rule = {
  id: 'throws-on-boom',
  defaultSeverity: 'warning',
  description: 'test rule',
  run(context) {
    for (const p of context.model.policies) {
      context.report({ message: `seen ${p.name}`, location: p.object.node?.range ? { uri: p.object.uri, range: [p.object.range[0], p.object.range[0] + 1] } : { uri: p.object.uri, range: [0, 0] } });
      if (p.name === 'boom') throw new TypeError('Cannot read properties of undefined (reading "x")');
    }
  },
};

/** Throws a non-Error value. */
const throwingString: Rule = { id: 'throws-string', defaultSeverity: 'warning', description: 'test rule', run: () => { throw 'a string'; } };

const summary = (byUri: Map<string, Diagnostic[]>) =>
  [...byUri].map(([uri, list]) => `${uri}: ${list.filter((d) => !d.ruleId.startsWith('throws')).map((d) => `${d.ruleId}@${d.location.range[0]}`).sort().join(' ')}`).sort();

describe('a rule that throws', () => {
  it('is reported once per scope where it throws; every other rule still reports on every file', () => {
    const errors: { ruleId: string; error: unknown }[] = [];
    const withFault = runRules(workspace(), { rules: [...ALL_RULES.slice(0, 3), throwing, throwingString, ...ALL_RULES.slice(3)], onRuleError: (ruleId, error) => errors.push({ ruleId, error }) });
    const clean = runRules(workspace(), { rules: ALL_RULES });
    assert.deepEqual(summary(withFault), summary(clean), 'the same diagnostics from the other rules');
    assert.ok(summary(clean).some((line) => line.includes('boom.yaml: ') && line.includes('selector-matches-nothing')), 'the faulty file has other diagnostics');
    assert.deepEqual(
      errors.map((e) => e.ruleId).sort(),
      ['throws-on-boom', 'throws-string', 'throws-string'],
      'throws-on-boom fails in the scope holding boom only; throws-string in both scopes',
    );
    assert.ok(errors[0].error instanceof TypeError || errors.some((e) => e.error instanceof TypeError));
  });

  it('without onRuleError the failure is still contained', () => {
    assert.doesNotThrow(() => runRules(workspace(), { rules: [throwing, throwingString] }));
  });
});
