// The prepared index: one per workspace version, built lazily, dropped on any change, so answers follow edits in
// any file and never re-analyse an unchanged workspace.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { codeLenses } from '../../../src/engine/features/lenses';
import { featureIndex } from '../../../src/engine/features/index';
import { completion } from '../../../src/engine/features/completion';
import { hover } from '../../../src/engine/features/hover';
import { nameRangeInText } from '../../../src/engine/features/markdown';
import { rangeAt } from '../../../src/engine/parse';
import { Workspace } from '../../../src/engine/workspace';
import { at, fixtureUri, fixtureWorkspace } from './helpers';

describe('feature index', () => {
  test('is reused while the workspace version stays, and replaced after a change', () => {
    const workspace = fixtureWorkspace('shop');
    const first = featureIndex(workspace);
    assert.equal(featureIndex(workspace), first);
    const scope = first.scopes()[0];
    const policy = scope.model.policies[1];
    assert.equal(scope.selectedBy(policy), scope.selectedBy(policy), 'selections are cached');
    workspace.setFile(fixtureUri('shop', 'extra.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n');
    const second = featureIndex(workspace);
    assert.notEqual(second, first);
    assert.equal(second.version, workspace.version);
  });

  test('answers follow an edit in another file (a label renamed in a workload)', () => {
    const workspace = fixtureWorkspace('shop');
    const policies = fixtureUri('shop', 'policies.yaml');
    const workloadsUri = fixtureUri('shop', 'workloads.yaml');
    const lensBefore = codeLenses(workspace, policies)[1].title;
    assert.equal(lensBefore, 'selects 2 pods · ingress from 1 pod');
    const text = workspace.getFile(workloadsUri)!.text;
    workspace.setFile(workloadsUri, text.replace('        app: postgresql\n        role: replica', '        app: postgresql-standby\n        role: replica'));
    assert.equal(codeLenses(workspace, policies)[1].title, 'selects 1 pod · ingress from 1 pod');
    const markdown = hover(workspace, policies, at(workspace, policies, 'name: db-al‸low'))!.markdown;
    assert.match(markdown, /Isolates ingress of 1 pod in production \(postgresql\)\./);
  });

  test('name locations read from the text equal the syntax tree positions', () => {
    const workspace = fixtureWorkspace('shop', {
      'list.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata:\n      labels: {a: b}\n      name: "listed" # quoted\n    spec: {}\n',
    });
    let checked = 0;
    for (const uri of workspace.fileUris()) {
      const file = workspace.getFile(uri)!;
      for (const document of file.documents) {
        for (const object of document.objects) {
          assert.deepEqual(nameRangeInText(file.text, object), rangeAt(object.node, ['metadata', 'name']), `${uri} ${object.name}`);
          checked++;
        }
      }
    }
    assert.equal(checked, 15);
  });

  test('completion answers from the current text: a label value added in another file is offered at once', () => {
    const workspace = fixtureWorkspace('shop');
    featureIndex(workspace).scopes();
    const uri = fixtureUri('shop', 'typing.yaml');
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: production\nspec:\n  podSelector:\n    matchLabels:\n      role: ';
    workspace.setFile(uri, text);
    assert.deepEqual(completion(workspace, uri, text.length).map((i) => i.label), ['primary', 'replica']);
    const workloadsUri = fixtureUri('shop', 'workloads.yaml');
    const before = workspace.getFile(workloadsUri)!.text;
    workspace.setFile(workloadsUri, before.replace('        app: postgresql\n        role: replica', '        app: postgresql\n        role: standby'));
    assert.deepEqual(completion(workspace, uri, text.length).map((i) => i.label), ['primary', 'standby']);
  });

  test('objects are found as workloads and policies per namespace, like a scan of the whole model (fixtures, corpus)', () => {
    const repo = path.resolve(__dirname, '..', '..', '..', '..');
    const roots = [path.join(repo, 'test-fixtures'), path.join(repo, '..', 'shared', 'corpus', 'netpol-analyzer', 'cases')];
    const folders: string[] = [];
    const walk = (dir: string) => {
      const entries = fs.readdirSync(dir, { withFileTypes: true });
      if (entries.some((e) => e.isFile() && /\.(ya?ml|json)$/.test(e.name))) folders.push(dir);
      for (const e of entries) if (e.isDirectory() && e.name !== 'node_modules') walk(path.join(dir, e.name));
    };
    for (const root of roots) if (fs.existsSync(root)) walk(root);
    let checked = 0;
    for (const folder of folders) {
      const workspace = new Workspace();
      for (const e of fs.readdirSync(folder, { withFileTypes: true })) {
        if (e.isFile() && /\.(ya?ml|json)$/.test(e.name)) workspace.setFile(`file://${path.join(folder, e.name)}`, fs.readFileSync(path.join(folder, e.name), 'utf8'));
      }
      for (const index of featureIndex(workspace).scopes()) {
        // What the index answered before it looked objects up per namespace: maps over the whole model.
        const workloadByObject = new Map(index.model.workloads.map((w) => [w.object, w]));
        for (const [object, owner] of index.model.ownedBy) workloadByObject.set(object, owner);
        const policyByObject = new Map(index.model.policies.map((p) => [p.object, p]));
        for (const object of index.model.objects) {
          assert.equal(index.workloadFor(object), workloadByObject.get(object), `${folder}: ${object.kind} ${object.name}`);
          assert.equal(index.policyFor(object), policyByObject.get(object), `${folder}: ${object.kind} ${object.name}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 1000, `enough objects (${checked})`);
  });
});
