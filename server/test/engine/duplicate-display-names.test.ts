// The same workload (kind, namespace, name) defined twice: reports (`reach`, `matrix`, `list`) and messages must
// say which definition they mean, by kind and file, and keep saying it across incremental model updates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel } from '../../src/engine/model';
import { parseFile } from '../../src/engine/parse';
import { Workspace } from '../../src/engine/workspace';

const deployment = (name: string, app: string, namespace = 'shop') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  template:\n    metadata:\n      labels:\n        app: ${app}\n    spec:\n      containers:\n        - name: c\n`;
const statefulSet = (name: string) => deployment(name, 'db').replace('kind: Deployment', 'kind: StatefulSet');

describe('display names of duplicated workloads', () => {
  it('name the kind and the file and document of each definition; others keep their plain names', () => {
    const objects = [
      ...parseFile('file:///w/apps/web.yaml', `${deployment('web', 'a')}---\n${deployment('web', 'b')}`).documents.flatMap((d) => d.objects),
      ...parseFile('file:///w/copy%20of%20web.yaml', deployment('web', 'c')).documents.flatMap((d) => d.objects),
      ...parseFile('file:///w/db.yaml', `${statefulSet('web')}---\n${deployment('api', 'api')}---\n${deployment('web', 'x', 'staging')}`).documents.flatMap((d) => d.objects),
    ];
    const names = buildModel(objects).workloads.map((w) => w.displayName);
    assert.deepEqual(names, [
      'shop/web[Deployment web.yaml#1]',
      'shop/web[Deployment web.yaml#2]',
      'shop/web[Deployment copy of web.yaml#1]',
      'shop/web[StatefulSet]',
      'shop/api',
      'staging/web',
    ]);
  });

  it('follow edits: a duplicate that goes leaves the plain name, one that comes back brings the file again', () => {
    const ws = new Workspace();
    ws.setFile('file:///w/a.yaml', deployment('web', 'a'));
    ws.setFile('file:///w/b.yaml', deployment('api', 'b'));
    const names = () => ws.scopes()[0].model.workloads.map((w) => w.displayName).sort();
    assert.deepEqual(names(), ['shop/api', 'shop/web']);
    ws.setFile('file:///w/b.yaml', deployment('web', 'b'));
    assert.deepEqual(names(), ['shop/web[Deployment a.yaml#1]', 'shop/web[Deployment b.yaml#1]']);
    ws.setFile('file:///w/b.yaml', deployment('api', 'b'));
    assert.deepEqual(names(), ['shop/api', 'shop/web']);
  });
});
