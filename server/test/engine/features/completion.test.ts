// Completion at a cursor marker (‸) in an inline NetworkPolicy added to the shop fixture, often half typed.
// Each item renders as `label | kind | detail | inserted text | replaced text`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completion } from '../../../src/engine/features/completion';
import { CURSOR, withCursor } from './helpers';

const HEAD = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: new
  namespace: production
spec:
`;

/** A pod whose label value reads as a boolean in YAML 1.1: completion must quote it. */
const CANARY_POD = `apiVersion: v1
kind: Pod
metadata:
  name: canary
  namespace: production
  labels:
    canary: "true"
spec:
  containers:
    - name: c
      image: busybox
`;

function complete(text: string): string[] {
  const { workspace, uri, offset } = withCursor('shop', 'new.yaml', text);
  workspace.setFile(uri.replace('new.yaml', 'canary.yaml'), CANARY_POD);
  const source = text.split(CURSOR).join('');
  return completion(workspace, uri, offset).map(
    (item) => `${item.label} | ${item.kind} | ${item.detail ?? ''} | ${JSON.stringify(item.insertText)} | ${JSON.stringify(source.slice(item.range[0], item.range[1]))}`,
  );
}

describe('completion', () => {
  test('top-level fields of a NetworkPolicy', () => {
    assert.deepEqual(complete('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n‸'), [
      'apiVersion | field |  | "apiVersion: " | ""',
      'kind | field |  | "kind: " | ""',
      'metadata | field |  | "metadata:" | ""',
      'spec | field |  | "spec:" | ""',
    ]);
  });

  test('metadata fields, without the ones already there', () => {
    assert.deepEqual(complete('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\n  ‸'), [
      'namespace | field |  | "namespace: " | ""',
      'labels | field |  | "labels:" | ""',
      'annotations | field |  | "annotations:" | ""',
    ]);
  });

  test('spec fields while the word is half typed (the YAML is invalid here)', () => {
    assert.deepEqual(complete(HEAD + '  po‸'), [
      'podSelector | field |  | "podSelector:" | "po"',
      'policyTypes | field |  | "policyTypes:" | "po"',
      'ingress | field |  | "ingress:" | "po"',
      'egress | field |  | "egress:" | "po"',
    ]);
  });

  test('spec fields without those present', () => {
    assert.deepEqual(complete(HEAD + '  podSelector: {}\n  ‸\n  ingress: []'), [
      'policyTypes | field |  | "policyTypes:" | ""',
      'egress | field |  | "egress:" | ""',
    ]);
  });

  test('matchLabels keys of spec.podSelector: pod labels of the policy namespace, with counts', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    matchLabels:\n      ‸\n'), [
      'app | label-key | 4 pods · 3 values | "app: " | ""',
      'role | label-key | 2 pods · 2 values | "role: " | ""',
      'tier | label-key | 2 pods · 2 values | "tier: " | ""',
      'canary | label-key | 1 pod · 1 value | "canary: " | ""',
    ]);
  });

  test('matchLabels values of a key, most used first', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    matchLabels:\n      app: po‸\n'), [
      'postgresql | label-value | 2 pods with app=postgresql | "postgresql" | "po"',
      'api-server | label-value | 1 pod with app=api-server | "api-server" | "po"',
      'frontend | label-value | 1 pod with app=frontend | "frontend" | "po"',
    ]);
  });

  test('selector fields', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    m‸'), [
      'matchLabels | field |  | "matchLabels:" | "m"',
      'matchExpressions | field |  | "matchExpressions:" | "m"',
    ]);
  });

  test('policyTypes in a flow sequence', () => {
    assert.deepEqual(complete(HEAD + '  podSelector: {}\n  policyTypes: [Ingress, ‸'), [
      'Ingress | enum | a direction the policy isolates | "Ingress" | ""',
      'Egress | enum | a direction the policy isolates | "Egress" | ""',
    ]);
  });

  test('policyTypes as a block sequence item', () => {
    assert.deepEqual(complete(HEAD + '  policyTypes:\n    - Ingress\n    - ‸'), [
      'Ingress | enum | a direction the policy isolates | "Ingress" | ""',
      'Egress | enum | a direction the policy isolates | "Egress" | ""',
    ]);
  });

  test('ingress rule fields', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - ‸'), [
      'from | field |  | "from:" | ""',
      'ports | field |  | "ports:" | ""',
    ]);
  });

  test('egress rule fields', () => {
    assert.deepEqual(complete(HEAD + '  egress:\n    - ports: []\n      ‸'), [
      'to | field |  | "to:" | ""',
    ]);
  });

  test('peer fields', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - from:\n        - ‸'), [
      'podSelector | field |  | "podSelector:" | ""',
      'namespaceSelector | field |  | "namespaceSelector:" | ""',
      'ipBlock | field |  | "ipBlock:" | ""',
    ]);
  });

  test('namespace names for kubernetes.io/metadata.name in a namespaceSelector', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: ‸'), [
      'kube-system | namespace | 1 namespace with kubernetes.io/metadata.name=kube-system | "kube-system" | ""',
      'production | namespace | 1 namespace with kubernetes.io/metadata.name=production | "production" | ""',
      'staging | namespace | 1 namespace with kubernetes.io/metadata.name=staging | "staging" | ""',
    ]);
  });

  test('namespaceSelector keys: namespace labels, with counts', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              ‸'), [
      'kubernetes.io/metadata.name | label-key | 3 namespaces · 3 values | "kubernetes.io/metadata.name: " | ""',
      'env | label-key | 2 namespaces · 2 values | "env: " | ""',
      'team | label-key | 2 namespaces · 1 value | "team: " | ""',
    ]);
  });

  test('a peer podSelector next to a namespaceSelector sees pods of every namespace', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              ‸\n          namespaceSelector: {}'), [
      'app | label-key | 5 pods · 3 values | "app: " | ""',
      'role | label-key | 2 pods · 2 values | "role: " | ""',
      'tier | label-key | 2 pods · 2 values | "tier: " | ""',
      'canary | label-key | 1 pod · 1 value | "canary: " | ""',
      'k8s-app | label-key | 1 pod · 1 value | "k8s-app: " | ""',
    ]);
  });

  test('container port names for a named port, those of the policy namespace first', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - ports:\n        - port: ‸'), [
      'http | port-name | TCP 8080 · 2 pods | "http" | ""',
      'pg | port-name | TCP 5432 · 2 pods | "pg" | ""',
      'metrics | port-name | TCP 9187 · 1 pod | "metrics" | ""',
      'web | port-name | TCP 80 · 1 pod | "web" | ""',
      'dns | port-name | UDP 53 · 1 pod | "dns" | ""',
      'dns-tcp | port-name | TCP 53 · 1 pod | "dns-tcp" | ""',
    ]);
  });

  test('protocols (a sequence written without indentation)', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n  - ports:\n    - protocol: ‸'), [
      'TCP | enum | protocol (TCP when omitted) | "TCP" | ""',
      'UDP | enum | protocol (TCP when omitted) | "UDP" | ""',
      'SCTP | enum | protocol (TCP when omitted) | "SCTP" | ""',
    ]);
  });

  test('port fields', () => {
    assert.deepEqual(complete(HEAD + '  egress:\n    - ports:\n        - port: 53\n          ‸'), [
      'protocol | field |  | "protocol: " | ""',
      'endPort | field |  | "endPort: " | ""',
    ]);
  });

  test('ipBlock fields', () => {
    assert.deepEqual(complete(HEAD + '  egress:\n    - to:\n        - ipBlock:\n            ‸'), [
      'cidr | field |  | "cidr: " | ""',
      'except | field |  | "except:" | ""',
    ]);
  });

  test('matchExpressions fields', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    matchExpressions:\n      - ‸'), [
      'key | field |  | "key: " | ""',
      'operator | field |  | "operator: " | ""',
      'values | field |  | "values:" | ""',
    ]);
  });

  test('matchExpressions key: label keys', () => {
    assert.deepEqual(complete(HEAD + '  egress:\n    - to:\n        - podSelector:\n            matchExpressions:\n              - key: ‸'), [
      'app | label-key | 4 pods · 3 values | "app" | ""',
      'role | label-key | 2 pods · 2 values | "role" | ""',
      'tier | label-key | 2 pods · 2 values | "tier" | ""',
      'canary | label-key | 1 pod · 1 value | "canary" | ""',
    ]);
  });

  test('matchExpressions operators', () => {
    assert.deepEqual(complete(HEAD + '  egress:\n    - to:\n        - podSelector:\n            matchExpressions:\n              - key: app\n                operator: ‸'), [
      'In | enum | label selector operator | "In" | ""',
      'NotIn | enum | label selector operator | "NotIn" | ""',
      'Exists | enum | label selector operator | "Exists" | ""',
      'DoesNotExist | enum | label selector operator | "DoesNotExist" | ""',
    ]);
  });

  test('matchExpressions values of the expression key', () => {
    assert.deepEqual(complete(HEAD + '  egress:\n    - to:\n        - podSelector:\n            matchExpressions:\n              - key: tier\n                operator: In\n                values:\n                  - ‸'), [
      'backend | label-value | 1 pod with tier=backend | "backend" | ""',
      'web | label-value | 1 pod with tier=web | "web" | ""',
    ]);
  });

  test('namespace names for metadata.namespace of any object', () => {
    assert.deepEqual(complete('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ‸'), [
      'production | namespace | namespace · 5 pods | "production" | ""',
      'kube-system | namespace | namespace · 1 pod | "kube-system" | ""',
      'staging | namespace | namespace · 1 pod | "staging" | ""',
    ]);
  });

  test('nothing in objects that are not NetworkPolicies', () => {
    assert.deepEqual(complete('apiVersion: v1\nkind: ConfigMap\ndata:\n  ‸'), [
    ]);
  });

  test('a second document of a multi-document file is its own context', () => {
    assert.deepEqual(complete('apiVersion: v1\nkind: ConfigMap\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  ‸'), [
      'podSelector | field |  | "podSelector:" | ""',
      'policyTypes | field |  | "policyTypes:" | ""',
      'ingress | field |  | "ingress:" | ""',
      'egress | field |  | "egress:" | ""',
    ]);
  });

  test('label values YAML 1.1 would not read as strings are quoted', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    matchLabels:\n      canary: ‸'), [
      'true | label-value | 1 pod with canary=true | "\\"true\\"" | ""',
    ]);
  });

});

describe('completion in special places', () => {
  test('matchLabels keys already in the selector are not offered again', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    matchLabels:\n      app: api-server\n      ‸'), [
      'role | label-key | 2 pods · 2 values | "role: " | ""',
      'tier | label-key | 2 pods · 2 values | "tier: " | ""',
      'canary | label-key | 1 pod · 1 value | "canary: " | ""',
    ]);
  });

  test('a document the workspace does not index (an untitled editor) is completed from its text', () => {
    const { workspace } = withCursor('shop', 'new.yaml', CURSOR);
    const text = `${HEAD}  policyTypes: [`;
    const items = completion(workspace, 'untitled:Untitled-1', text.length, text);
    assert.deepEqual(items.map((i) => i.label), ['Ingress', 'Egress']);
    assert.deepEqual(completion(workspace, 'untitled:Untitled-1', 10_000, text).map((i) => i.label), ['Ingress', 'Egress'], 'offsets past the end are clamped');
  });
});

describe('completion inside quotes', () => {
  test('after an opening quote the value is inserted bare', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    matchLabels:\n      canary: "‸'), [
      'true | label-value | 1 pod with canary=true | "true" | ""',
    ]);
    assert.deepEqual(complete(HEAD + "  podSelector:\n    matchLabels:\n      app: 'fr‸"), [
      "postgresql | label-value | 2 pods with app=postgresql | \"postgresql\" | \"fr\"",
      "api-server | label-value | 1 pod with app=api-server | \"api-server\" | \"fr\"",
      "frontend | label-value | 1 pod with app=frontend | \"frontend\" | \"fr\"",
    ]);
  });
});

describe('completion in Cilium policies (docs.cilium.io language.rst)', () => {
  const CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: new
  namespace: production
spec:
`;
  const labels = (items: string[]) => items.map((i) => i.split(' | ')[0]);
  test('rule fields, entry fields per section, toPorts and port fields', () => {
    assert.deepEqual(labels(complete(`${CNP}  ‸`)), ['endpointSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'enableDefaultDeny', 'description']);
    assert.ok(labels(complete(`${CNP}  egress:\n    - ‸`)).includes('toFQDNs'));
    assert.ok(!labels(complete(`${CNP}  ingress:\n    - ‸`)).includes('toFQDNs'));
    assert.deepEqual(labels(complete(`${CNP}  ingress:\n    - toPorts:\n        - ‸`)), ['ports', 'rules']);
    assert.deepEqual(labels(complete(`${CNP}  ingress:\n    - toPorts:\n        - ports:\n            - ‸`)), ['port', 'endPort', 'protocol']);
  });
  test('entities and protocols as values; identity label keys in endpoint selectors', () => {
    assert.ok(labels(complete(`${CNP}  egress:\n    - toEntities: [‸`)).includes('kube-apiserver'));
    assert.deepEqual(labels(complete(`${CNP}  ingress:\n    - toPorts:\n        - ports:\n            - protocol: ‸`)), ['TCP', 'UDP', 'SCTP', 'ANY']);
    const keys = labels(complete(`${CNP}  endpointSelector:\n    matchLabels:\n      ‸`));
    assert.equal(keys[0], 'k8s:io.kubernetes.pod.namespace');
    assert.ok(keys.includes('app'), keys.join());
  });
});
