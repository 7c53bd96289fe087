// CNI detection from node-agent DaemonSets (cni.ts) and which kinds a CNI implements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectCni, effectiveCni, implementsKind } from '../../../src/engine/cni';
import { Workspace } from '../../../src/engine/workspace';

const ds = (name: string, ns = 'kube-system') => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template: {metadata: {labels: {app: ${name}}}, spec: {hostNetwork: true, containers: [{name: a, image: a}]}}
`;
function model(...docs: string[]) {
  const ws = new Workspace();
  ws.setFile('file:///w/a.yaml', docs.join('---\n'));
  return ws.scopes()[0].model;
}

test('detected from the agents: cilium, calico-node, kube-flannel-ds; Calico beside Flannel is Canal; none found: unknown', () => {
  assert.equal(detectCni(model(ds('cilium')))?.cni, 'cilium');
  assert.equal(detectCni(model(ds('calico-node')))?.cni, 'calico');
  assert.equal(detectCni(model(ds('kube-flannel-ds', 'kube-flannel')))?.cni, 'flannel');
  assert.equal(detectCni(model(ds('calico-node'), ds('kube-flannel-ds')))?.cni, 'canal');
  assert.equal(detectCni(model(ds('fluent-bit'))), undefined);
  assert.deepEqual(detectCni(model(ds('cilium')))?.source, { daemonSet: 'cilium', namespace: 'kube-system' });
});

test('cni: in .netpol.yaml wins over detection', () => {
  assert.deepEqual(effectiveCni('calico', model(ds('cilium'))), { cni: 'calico', source: 'config' });
});

test('kinds: Cilium objects only under Cilium, Calico policies under Calico or Canal, nothing under Flannel; unknown where undocumented', () => {
  assert.equal(implementsKind('cilium', 'cilium.io/v2', 'CiliumNetworkPolicy'), true);
  assert.equal(implementsKind('calico', 'cilium.io/v2', 'CiliumClusterwideNetworkPolicy'), false);
  assert.equal(implementsKind('canal', 'projectcalico.org/v3', 'GlobalNetworkPolicy'), true);
  assert.equal(implementsKind('cilium', 'projectcalico.org/v3', 'NetworkPolicy'), false);
  assert.equal(implementsKind('flannel', 'networking.k8s.io/v1', 'NetworkPolicy'), false);
  assert.equal(implementsKind('gke-dataplane-v2', 'cilium.io/v2', 'CiliumNetworkPolicy'), undefined);
  assert.equal(implementsKind('cilium', 'policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy'), undefined);
});
