// Hovers on Calico policies: the tier and order story and the selected pods; on a rule's source, what it matches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hover } from '../../../src/engine/features/hover';
import { Workspace } from '../../../src/engine/workspace';

const TEXT = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: api}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k8s-web, namespace: shop}
spec: {podSelector: {}, ingress: [{}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: deny-first, namespace: shop}
spec:
  order: 100
  selector: app == 'web'
  ingress:
    - action: Deny
      source:
        selector: app == 'api'
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: partner}}
spec: {nets: [203.0.113.0/24]}
`;

test("hover on a Calico policy: tier, order, its place among the tier's policies (Kubernetes ones at 1000), selected pods", () => {
  const ws = new Workspace();
  ws.setFile('file:///w/all.yaml', TEXT);
  const h = hover(ws, 'file:///w/all.yaml', TEXT.indexOf('deny-first'));
  assert.ok(h, 'a hover');
  assert.match(h.markdown, /Tier default \(order 1000000\), ending in Deny; policy order 100/);
  assert.match(h.markdown, /\*\*NetworkPolicy deny-first \(100\)\*\*[\s\S]*NetworkPolicy \(Kubernetes\) k8s-web \(1000\)/);
  assert.match(h.markdown, /Selected pods \(1\)/);
  assert.match(h.markdown, /shop\/web/);
});

test("hover on a Calico rule source: the pods it matches (scoped to the policy's namespace)", () => {
  const ws = new Workspace();
  ws.setFile('file:///w/all.yaml', TEXT);
  const h = hover(ws, 'file:///w/all.yaml', TEXT.indexOf("app == 'api'"));
  assert.ok(h, 'a hover');
  assert.match(h.markdown, /ingress rule 1, source: matches 1 pod/);
  assert.match(h.markdown, /shop\/api/);
});
