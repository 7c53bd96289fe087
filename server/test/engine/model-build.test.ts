// buildModel: ownership collapse, display names, and models built again from the readings kept per object (a
// reading made for one model goes into it as it is; later models copy it and set their own ids and names).
// Ownership follows metadata.ownerReferences with controller: true
// (https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildModel, type Model } from '../../src/engine/model';
import { parseFile, type K8sObject } from '../../src/engine/parse';

const TEMPLATE = 'spec:\n  template:\n    metadata:\n      labels: {app: web}\n';

function owned(kind: string, name: string, owner?: { kind: string; name: string }, namespace = 'shop', template = TEMPLATE): string {
  const refs = owner ? `  ownerReferences:\n  - {apiVersion: apps/v1, kind: ${owner.kind}, name: ${owner.name}, controller: true}\n` : '';
  const body = kind === 'Pod' ? 'spec:\n  containers: [{name: c, ports: [{containerPort: 80}]}]\n' : template;
  return `apiVersion: ${kind === 'Pod' ? 'v1' : 'apps/v1'}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n${refs}${body}`;
}

function objectsOf(...docs: string[]): K8sObject[] {
  return parseFile('file:///w/all.yaml', docs.join('---\n')).documents.flatMap((d) => d.objects);
}

/** Ids are positions; display names are `ns/name`, with `[Kind]` exactly where two kinds share a name. */
function assertConsistent(model: Model): void {
  model.workloads.forEach((w, i) => assert.equal(w.id, i));
  for (const w of model.workloads) {
    const shared = model.workloads.some((o) => o !== w && o.namespace === w.namespace && o.name === w.name && o.kind !== w.kind);
    assert.equal(w.displayName, shared ? `${w.namespace}/${w.name}[${w.kind}]` : `${w.namespace}/${w.name}`);
  }
}

describe('buildModel', () => {
  it('collapses pods and ReplicaSets into their top-most controller with a pod template', () => {
    const objects = objectsOf(
      owned('Deployment', 'web'),
      owned('ReplicaSet', 'web-1', { kind: 'Deployment', name: 'web' }),
      owned('Pod', 'web-1-a', { kind: 'ReplicaSet', name: 'web-1' }),
      owned('Pod', 'stray', { kind: 'ReplicaSet', name: 'missing' }),
      owned('Pod', 'other-ns', { kind: 'ReplicaSet', name: 'web-1' }, 'elsewhere'),
    );
    const model = buildModel(objects);
    assert.deepEqual(model.workloads.map((w) => w.displayName), ['shop/web', 'shop/stray', 'elsewhere/other-ns']);
    assert.deepEqual([...model.ownedBy].map(([o, w]) => [o.name, w.name]), [['web-1', 'web'], ['web-1-a', 'web']]);
    assertConsistent(model);
  });

  it('an ownership cycle owns nothing, and an owner without a pod template cannot stand for pods', () => {
    const model = buildModel(
      objectsOf(
        owned('ReplicaSet', 'a', { kind: 'ReplicaSet', name: 'b' }),
        owned('ReplicaSet', 'b', { kind: 'ReplicaSet', name: 'a' }),
        owned('Deployment', 'empty', undefined, 'shop', 'spec: {}\n'),
        owned('Pod', 'p', { kind: 'Deployment', name: 'empty' }),
      ),
    );
    assert.deepEqual(model.workloads.map((w) => w.name), ['a', 'b', 'p']);
    assert.equal(model.ownedBy.size, 0);
    assert.equal(model.findings.length, 1); // the Deployment without a pod template
  });

  it('models built again from kept readings get their own ids and display names, and leave earlier models alone', () => {
    const objects = objectsOf(
      owned('Deployment', 'api'),
      owned('StatefulSet', 'api'),
      owned('Deployment', 'db'),
      owned('DaemonSet', 'agent'),
      owned('Deployment', 'agent', undefined, 'ops'),
    );
    const first = buildModel(objects);
    assert.deepEqual(first.workloads.map((w) => w.displayName), ['shop/api[Deployment]', 'shop/api[StatefulSet]', 'shop/db', 'shop/agent', 'ops/agent']);
    const snapshot = first.workloads.map((w) => ({ ...w }));
    // Another order and a subset: ids move, and `api` is no longer shared by two kinds.
    const second = buildModel([objects[4], objects[1], objects[3]]);
    assert.deepEqual(second.workloads.map((w) => w.displayName), ['ops/agent', 'shop/api', 'shop/agent']);
    assertConsistent(second);
    const third = buildModel(objects, { namespaceOverrides: new Map([['file:///w/all.yaml', 'moved']]) });
    assert.deepEqual(third.workloads.map((w) => w.displayName), ['moved/api[Deployment]', 'moved/api[StatefulSet]', 'moved/db', 'moved/agent[DaemonSet]', 'moved/agent[Deployment]']);
    assertConsistent(third);
    assert.deepEqual(first.workloads.map((w) => ({ ...w })), snapshot);
    for (const w of second.workloads) assert.ok(!first.workloads.includes(w));
    // Built again as it was: equal to the first, in new objects.
    const again = buildModel(objects);
    assert.deepEqual(again.workloads, first.workloads);
    for (const w of again.workloads) assert.ok(!first.workloads.includes(w));
  });
});
