// A workspace of 50,000 small files through the engine's Workspace. No timing assertions (machines differ): the
// checks are structural — each file is parsed once, unrelated files are never re-parsed, models are built lazily
// and once per change batch, a checkout-like batch of deletions and rewrites leaves exactly the files on "disk".
// The measured times are printed as test diagnostics.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ParsedFile } from '../../../src/engine/parse';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { runRules } from '../../../src/engine/rules/run';
import { Workspace } from '../../../src/engine/workspace';

const FILES = 50_000;
const uriOf = (i: number) => `file:///repo/team${i % 50}/app${i % 1000}/f${i}.yaml`;

/** Every 10th file a Pod, every 100th a policy; the rest ConfigMaps, as in a real repository (block style). */
function textOf(i: number, revision = 0): string {
  const ns = `ns${i % 100}`;
  if (i % 100 === 0) {
    return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p${i}\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: a${i + 10}\n  ingress:\n    - from:\n        - podSelector: {}\n`;
  }
  if (i % 10 === 0) {
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod${i}\n  namespace: ${ns}\n  labels:\n    app: a${i}\n    rev: r${revision}\nspec:\n  containers:\n    - name: c\n`;
  }
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\n  namespace: ${ns}\ndata:\n  rev: r${revision}\n`;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`;
}

describe('scale: 50,000 files', () => {
  // Indexed once for both tests (indexing dominates their cost); `disk` is what the files hold.
  const workspace = new Workspace();
  const disk = new Map<string, string>();
  let indexing = '';
  before(() => {
    const started = performance.now();
    for (let i = 0; i < FILES; i++) {
      disk.set(uriOf(i), textOf(i));
      workspace.setFile(uriOf(i), textOf(i));
    }
    indexing = seconds(started);
  });

  it('indexes each file once, builds the model once, and keeps unrelated files on changes', (t) => {
    t.diagnostic(`setFile x ${FILES}: ${indexing}`);
    assert.equal(workspace.fileUris().length, FILES);
    assert.equal(workspace.version, FILES, 'one invalidation per file, no re-parse cascades');

    let started = performance.now();
    const scopes = workspace.scopes();
    t.diagnostic(`scopes and models: ${seconds(started)}`);
    assert.equal(workspace.scopes(), scopes, 'the scopes are cached until something changes');
    const model = scopes[0].model;
    assert.equal(model.workloads.length, FILES / 10 - FILES / 100);
    assert.equal(model.policies.length, FILES / 100);

    started = performance.now();
    const diagnostics = runRules(workspace, { rules: ALL_RULES });
    t.diagnostic(`all rules: ${seconds(started)}`);
    assert.equal(diagnostics.size, FILES, 'every file has a diagnostics entry');

    const before = new Map<string, ParsedFile>();
    for (const uri of workspace.fileUris()) before.set(uri, workspace.getFile(uri)!);
    // Setting the same text again is free: the same parse, no new version.
    assert.equal(workspace.setFile(uriOf(7), textOf(7)), before.get(uriOf(7)));
    assert.equal(workspace.version, FILES);

    // A change re-parses that file only.
    disk.set(uriOf(10), textOf(10, 1));
    workspace.setFile(uriOf(10), textOf(10, 1));
    let reparsed = 0;
    for (const [uri, parsed] of before) if (workspace.getFile(uri) !== parsed) reparsed++;
    assert.equal(reparsed, 1);
    assert.notEqual(workspace.scopes(), scopes, 'the models are rebuilt after a change');
  });

  it('a checkout-like batch (thousands of deletions, rewrites and new files) leaves exactly the files on disk', (t) => {
    // The branch switch: delete every 7th file, rewrite every 5th, add 2,000 new ones.
    const started = performance.now();
    for (let i = 0; i < FILES; i += 7) {
      disk.delete(uriOf(i));
      workspace.deleteFile(uriOf(i));
    }
    for (let i = 0; i < FILES; i += 5) {
      if (!disk.has(uriOf(i))) continue;
      disk.set(uriOf(i), textOf(i, 2));
      workspace.setFile(uriOf(i), textOf(i, 2));
    }
    for (let i = FILES; i < FILES + 2000; i++) {
      disk.set(uriOf(i), textOf(i, 2));
      workspace.setFile(uriOf(i), textOf(i, 2));
    }
    const model = workspace.scopes()[0].model;
    t.diagnostic(`checkout batch (${Math.ceil(FILES / 7)} deleted, ~${FILES / 5} rewritten, 2000 added) and model: ${seconds(started)}`);
    assert.deepEqual(new Set(workspace.fileUris()), new Set(disk.keys()));
    for (const [uri, text] of disk) assert.equal(workspace.getFile(uri)?.text, text, uri);
    const podsOnDisk = [...disk.values()].filter((text) => text.includes('kind: Pod')).length;
    assert.equal(model.workloads.length, podsOnDisk);
    const rewritten = model.workloads.filter((w) => w.podLabels.rev === 'r2').length;
    assert.equal(rewritten, [...disk.values()].filter((text) => text.includes('kind: Pod') && text.includes('rev: r2')).length);
  });
});
