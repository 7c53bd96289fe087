// Quick fixes on JSON manifests keep them JSON: inserted values are written as JSON, and fixes that would need a
// second document (a new default-deny policy) are not offered for JSON files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from '../../../src/engine/edits';
import { runRules } from '../../../src/engine/rules/run';
import type { Diagnostic } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';

const URI = 'file:///ws/policy.json';

function diagnostics(text: string): Diagnostic[] {
  const ws = new Workspace();
  ws.setFile(URI, text);
  ws.setFile('file:///ws/pod.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\n');
  return runRules(ws, { fixes: true }).get(URI) ?? [];
}

function applyFix(text: string, ruleId: string, title: string): unknown {
  const d = diagnostics(text).find((x) => x.ruleId === ruleId);
  assert.ok(d, `${ruleId} reported`);
  const fix = d.fixes?.find((f) => f.title.includes(title));
  assert.ok(fix, `fix "${title}" offered`);
  return JSON.parse(applyEdits(text, fix.edits));
}

const policy = (spec: object, metadata: object = { name: 'api', namespace: 'shop' }) =>
  JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec }, null, 2) + '\n';

describe('quick fixes on JSON manifests', () => {
  it('the DNS rule is added as JSON, whether egress exists or not', () => {
    const withEgress = policy({ podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] });
    const fixed = applyFix(withEgress, 'missing-dns-egress', 'Add an egress rule allowing DNS') as { spec: { egress: unknown[] } };
    assert.equal(fixed.spec.egress.length, 2);
    assert.deepEqual((fixed.spec.egress[1] as { ports: unknown[] }).ports, [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);

    const denyAll = policy({ podSelector: {}, policyTypes: ['Egress'] });
    const fixed2 = applyFix(denyAll, 'missing-dns-egress', 'Add an egress rule allowing DNS') as { spec: { egress: unknown[] } };
    assert.equal(fixed2.spec.egress.length, 1);

    const empty = policy({ podSelector: {}, policyTypes: ['Egress'], egress: [] });
    const fixed3 = applyFix(empty, 'missing-dns-egress', 'Add an egress rule allowing DNS') as { spec: { egress: unknown[] } };
    assert.equal(fixed3.spec.egress.length, 1);
  });

  it('policy types, namespace and typo fixes stay JSON', () => {
    const ignored = policy({ podSelector: {}, policyTypes: ['Ingress'], egress: [{ to: [{ podSelector: {} }] }] });
    assert.deepEqual((applyFix(ignored, 'rules-ignored-by-policy-types', 'Add Egress') as { spec: { policyTypes: string[] } }).spec.policyTypes, ['Ingress', 'Egress']);
    const noNamespace = policy({ podSelector: {} }, { name: 'api' });
    assert.equal((applyFix(noNamespace, 'missing-namespace', 'Add namespace') as { metadata: { namespace: string } }).metadata.namespace, 'default');
    const typo = policy({ podSelector: {}, ingres: [] });
    assert.ok('ingress' in (applyFix(typo, 'unknown-field', 'Replace') as { spec: object }).spec);
  });

  it('no default-deny document is offered inside a JSON file', () => {
    const ws = new Workspace();
    ws.setFile('file:///ws/pod.json', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } }));
    const d = (runRules(ws, { fixes: true }).get('file:///ws/pod.json') ?? []).find((x) => x.ruleId === 'namespace-without-default-deny');
    assert.ok(d);
    assert.equal(d.fixes, undefined);
  });
});
