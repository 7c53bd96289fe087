// One file with thousands of findings: the runner's de-duplication and the fixes' style detection once scanned the
// file's list or text per finding (8,000 policies without a namespace took 231 s; now a few seconds, mostly
// parsing). No timing assertions; the structural checks are that every finding is reported exactly once, also
// when a shared base is analysed in several scopes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { runRules } from '../../../src/engine/rules/run';
import { Workspace } from '../../../src/engine/workspace';

const POLICIES = 3000;

describe('a file with thousands of findings', () => {
  it('reports each policy without a namespace once, with its fix', (t) => {
    let text = '';
    for (let i = 0; i < POLICIES; i++) {
      text += `---\n{apiVersion: networking.k8s.io/v1, kind: NetworkPolicy, metadata: {name: p${i}}, spec: {podSelector: {matchLabels: {app: a${i}}}}}\n`;
    }
    const workspace = new Workspace();
    let started = performance.now();
    workspace.setFile('file:///repo/many.yaml', text);
    workspace.scopes();
    t.diagnostic(`parse and model of ${POLICIES} policies (${text.length} characters): ${(performance.now() - started).toFixed(0)} ms`);
    started = performance.now();
    const failures: string[] = [];
    const diagnostics = runRules(workspace, { rules: ALL_RULES, fixes: true, onRuleError: (id) => failures.push(id) }).get('file:///repo/many.yaml') ?? [];
    t.diagnostic(`all rules: ${(performance.now() - started).toFixed(0)} ms, ${diagnostics.length} diagnostics`);
    assert.deepEqual(failures, []);
    const missing = diagnostics.filter((d) => d.ruleId === 'missing-namespace');
    assert.equal(missing.length, POLICIES);
    assert.equal(new Set(missing.map((d) => d.location.range[0])).size, POLICIES, 'one per policy');
    assert.ok(missing.every((d) => d.fixes?.[0]?.edits[0]?.newText.includes('namespace: default')));
  });

  it('a base shared by two overlays (two scopes) reports its findings once', () => {
    const workspace = new Workspace();
    workspace.setFile('file:///repo/.netpol.yaml', 'scopes:\n  - {name: staging, paths: [overlays/staging]}\n  - {name: prod, paths: [overlays/prod]}\n');
    workspace.setFile('file:///repo/base/kustomization.yaml', 'resources: [policy.yaml]\n');
    workspace.setFile('file:///repo/base/policy.yaml', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 0}]}]\n');
    for (const env of ['staging', 'prod']) workspace.setFile(`file:///repo/overlays/${env}/kustomization.yaml`, 'resources: [../../base]\n');
    assert.equal(workspace.scopes().filter((s) => s.uris.includes('file:///repo/base/policy.yaml')).length, 2, 'the base is in both scopes');
    const diagnostics = runRules(workspace, { rules: ALL_RULES }).get('file:///repo/base/policy.yaml') ?? [];
    const keys = diagnostics.map((d) => `${d.ruleId}@${d.location.range[0]}:${d.message}`);
    assert.ok(keys.some((k) => k.startsWith('invalid-port@')), keys.join('\n'));
    assert.equal(new Set(keys).size, keys.length, `no duplicates:\n${keys.join('\n')}`);
  });
});
