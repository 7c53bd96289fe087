// Completion inside Calico selector strings: label keys, functions and implicit labels; values after a comparison.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completion } from '../../../src/engine/features/completion';
import { Workspace } from '../../../src/engine/workspace';

const PODS = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: sales}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web, tier: front}}
spec: {containers: [{name: c, image: web}]}
`;

function itemsAt(policy: string): string[] {
  const ws = new Workspace();
  ws.setFile('file:///w/pods.yaml', PODS);
  const text = policy.replace('|', '');
  ws.setFile('file:///w/p.yaml', text);
  return completion(ws, 'file:///w/p.yaml', policy.indexOf('|')).map((i) => i.insertText);
}

const doc = (line: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  ${line}
`;

test('Calico selector completion: label keys of the workspace, functions and implicit labels', () => {
  const items = itemsAt(doc("selector: app == 'web' && |"));
  for (const expected of ['app', 'tier', 'has()', 'all()', 'global()', 'projectcalico.org/namespace']) assert.ok(items.includes(expected), `${expected} in ${items.join(', ')}`);
});

test('Calico selector completion: values of the label before the comparison, inside the quotes', () => {
  assert.deepEqual(itemsAt(doc("selector: \"tier == '|\"")), ['front']);
  assert.deepEqual(itemsAt(doc("selector: app in {'x', '|")), ['web']);
});

test('Calico selector completion: namespace labels in a namespaceSelector; nothing right after a label', () => {
  const ns = itemsAt(doc('namespaceSelector: t|'));
  assert.ok(ns.includes('team'), ns.join(', '));
  assert.ok(!ns.includes('app'), ns.join(', '));
  assert.deepEqual(itemsAt(doc('selector: app |')), []);
});
