// Code lenses above cluster-wide and Calico policies tell where the policy sits in the tiers and what it selects.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeLenses } from '../../../src/engine/features/lenses';
import { Workspace } from '../../../src/engine/workspace';

const PODS = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: api}]}
`;

function lenses(policies: string): string[] {
  const ws = new Workspace();
  ws.setFile('file:///w/pods.yaml', PODS);
  ws.setFile('file:///w/policies.yaml', policies);
  return codeLenses(ws, 'file:///w/policies.yaml').map((l) => `${l.title} [${l.locations.length}]`);
}

describe('tier lenses', () => {
  test('AdminNetworkPolicy and BaselineAdminNetworkPolicy: tier, priority, selected pods (network-policy-api API reference: Admin before NetworkPolicies, Baseline after)', () => {
    assert.deepEqual(
      lenses(`apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: 7
  subject: {pods: {namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: web}}}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  egress: [{action: Deny, to: [{namespaces: {}}]}, {action: Allow, to: [{networks: [10.0.0.0/8]}]}]
`),
      ['Admin tier (before the NetworkPolicies) · priority 7 · selects 1 pod in the files · ingress 1 rule [1]', 'Baseline tier (after the NetworkPolicies) · selects 2 pods in the files · egress 2 rules [2]'],
    );
  });

  test('Calico policies: tier and its order, the policy order, selected pods, staged (Calico docs: reference/resources/tier, networkpolicy, stagednetworkpolicy)', () => {
    assert.deepEqual(
      lenses(`apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-only, namespace: shop}
spec:
  tier: platform
  order: 10
  selector: app == 'web'
  types: [Ingress]
  ingress: [{action: Pass}]
---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: {name: trial}
spec:
  selector: all()
  types: [Egress]
  egress: [{action: Deny}]
`),
      ['tier platform (order 100) · order 10 · selects 1 pod in the files · ingress 1 rule [1]', 'staged: never enforced · tier default (order 1000000) · no order (after the ordered policies) · egress 1 rule [0]'],
    );
  });
});
