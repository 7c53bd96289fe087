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

  test('port: of an ingress rule offers the ports (names, then numbers) of the pods the policy selects, here every pod of its namespace', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - ports:\n        - port: ‸'), [
      'pg | port-name | TCP 5432 · 2 pods | "pg" | ""',
      'http | port-name | TCP 8080 · 1 pod | "http" | ""',
      'metrics | port-name | TCP 9187 · 1 pod | "metrics" | ""',
      'web | port-name | TCP 80 · 1 pod | "web" | ""',
      '5432 | value | TCP pg · 2 pods | "5432" | ""',
      '80 | value | TCP web · 1 pod | "80" | ""',
      '8080 | value | TCP http · 1 pod | "8080" | ""',
      '9187 | value | TCP metrics · 1 pod | "9187" | ""',
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

describe('completion scoped by what the policy selects', () => {
  test('port: of an ingress rule offers only the ports of the pods spec.podSelector selects', () => {
    assert.deepEqual(complete(HEAD + '  podSelector:\n    matchLabels:\n      app: frontend\n  ingress:\n    - from:\n        - podSelector: {}\n      ports:\n        - port: ‸'), [
      'web | port-name | TCP 80 · 1 pod | "web" | ""',
      '80 | value | TCP web · 1 pod | "80" | ""',
    ]);
  });

  test('port: of an egress rule offers the ports of the rule\'s peers, those of the entry\'s protocol first', () => {
    const rule = HEAD + '  podSelector: {}\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n';
    assert.deepEqual(complete(rule + '        - protocol: UDP\n          port: ‸'), [
      'dns | port-name | UDP 53 · 1 pod | "dns" | ""',
      '53 | value | UDP dns, TCP dns-tcp · 1 pod | "53" | ""',
      'dns-tcp | port-name | TCP 53 · 1 pod | "dns-tcp" | ""',
    ]);
    // The port line typed before the protocol line below it: the protocol is read all the same.
    assert.deepEqual(complete(rule + '        - port: ‸\n          protocol: UDP'), [
      'dns | port-name | UDP 53 · 1 pod | "dns" | ""',
      '53 | value | UDP dns, TCP dns-tcp · 1 pod | "53" | ""',
      'dns-tcp | port-name | TCP 53 · 1 pod | "dns-tcp" | ""',
    ]);
  });

  test('port: of an egress rule to pods of the policy namespace and an ipBlock offers only those pods\' ports', () => {
    assert.deepEqual(complete(HEAD + '  podSelector: {}\n  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app: api-server\n        - ipBlock:\n            cidr: 10.0.0.0/8\n      ports:\n        - port: ‸'), [
      'http | port-name | TCP 8080 · 1 pod | "http" | ""',
      '8080 | value | TCP http · 1 pod | "8080" | ""',
    ]);
  });

  test('label values of a peer podSelector come from the pods of the namespaces its namespaceSelector selects', () => {
    const peer = (namespaceSelector: string) =>
      complete(HEAD + `  ingress:\n    - from:\n        - namespaceSelector:\n${namespaceSelector}          podSelector:\n            matchLabels:\n              app: ‸`);
    assert.deepEqual(peer('            matchLabels:\n              env: staging\n'), [
      'api-server | label-value | 1 pod with app=api-server | "api-server" | ""',
    ]);
    assert.deepEqual(peer('            matchExpressions:\n              - key: env\n                operator: In\n                values: [prod]\n'), [
      'postgresql | label-value | 2 pods with app=postgresql | "postgresql" | ""',
      'api-server | label-value | 1 pod with app=api-server | "api-server" | ""',
      'frontend | label-value | 1 pod with app=frontend | "frontend" | ""',
    ]);
    // team=shop selects production and staging: two api-server pods.
    assert.deepEqual(peer('            matchLabels:\n              team: shop\n'), [
      'api-server | label-value | 2 pods with app=api-server | "api-server" | ""',
      'postgresql | label-value | 2 pods with app=postgresql | "postgresql" | ""',
      'frontend | label-value | 1 pod with app=frontend | "frontend" | ""',
    ]);
  });

  test('label keys of a peer podSelector: only those of the pods its namespaceSelector can reach', () => {
    assert.deepEqual(complete(HEAD + '  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              ‸\n          namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system'), [
      'k8s-app | label-key | 1 pod · 1 value | "k8s-app: " | ""',
    ]);
  });

  test('label values of a peer podSelector without a namespaceSelector: pods of the policy namespace only', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: ‸'), [
      'postgresql | label-value | 2 pods with app=postgresql | "postgresql" | ""',
      'api-server | label-value | 1 pod with app=api-server | "api-server" | ""',
      'frontend | label-value | 1 pod with app=frontend | "frontend" | ""',
    ]);
  });
});

describe('completion of the other policy kinds the engine reads', () => {
  const labels = (items: string[]) => items.map((i) => i.split(' | ')[0]);

  test('AdminNetworkPolicy: spec, subject, rule fields and actions (network-policy-api v1alpha1)', () => {
    const anp = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: a\nspec:\n';
    assert.deepEqual(labels(complete(anp + '  ‸')), ['priority', 'subject', 'ingress', 'egress']);
    assert.deepEqual(labels(complete(anp + '  subject:\n    ‸')), ['namespaces', 'pods']);
    assert.deepEqual(labels(complete(anp + '  egress:\n    - ‸')), ['name', 'action', 'to', 'ports']);
    assert.deepEqual(labels(complete(anp + '  egress:\n    - action: ‸')), ['Allow', 'Deny', 'Pass']);
    assert.deepEqual(labels(complete(anp + '  egress:\n    - to:\n        - ‸')), ['namespaces', 'pods', 'nodes', 'networks']);
    assert.deepEqual(labels(complete(anp + '  ingress:\n    - ports:\n        - ‸')), ['portNumber', 'namedPort', 'portRange']);
    assert.deepEqual(labels(complete(anp + '  subject:\n    pods:\n      ‸')), ['namespaceSelector', 'podSelector']);
  });

  test('AdminNetworkPolicy pods: a podSelector sees the pods of the namespaces its namespaceSelector selects', () => {
    const anp = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: a\nspec:\n  subject:\n    pods:\n      namespaceSelector:\n        matchLabels:\n          env: staging\n      podSelector:\n        matchLabels:\n          app: ‸';
    assert.deepEqual(complete(anp), ['api-server | label-value | 1 pod with app=api-server | "api-server" | ""']);
  });

  test('BaselineAdminNetworkPolicy has no priority and no Pass; ClusterNetworkPolicy has a tier, Accept and protocols', () => {
    const banp = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\nmetadata:\n  name: default\nspec:\n';
    assert.deepEqual(labels(complete(banp + '  ‸')), ['subject', 'ingress', 'egress']);
    assert.deepEqual(labels(complete(banp + '  ingress:\n    - action: ‸')), ['Allow', 'Deny']);
    const cnp = 'apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: c\nspec:\n';
    assert.deepEqual(labels(complete(cnp + '  ‸')), ['tier', 'priority', 'subject', 'ingress', 'egress']);
    assert.deepEqual(labels(complete(cnp + '  tier: ‸')), ['Admin', 'Baseline']);
    assert.deepEqual(labels(complete(cnp + '  ingress:\n    - action: ‸')), ['Accept', 'Deny', 'Pass']);
    assert.deepEqual(labels(complete(cnp + '  ingress:\n    - protocols:\n        - tcp:\n            destinationPort:\n              ‸')), ['number', 'range']);
  });

  test('Calico NetworkPolicy and GlobalNetworkPolicy: spec and rule fields, actions', () => {
    const calico = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: c\n  namespace: production\nspec:\n';
    assert.deepEqual(labels(complete(calico + '  ‸')), ['tier', 'order', 'selector', 'serviceAccountSelector', 'types', 'ingress', 'egress', 'performanceHints']);
    assert.deepEqual(labels(complete(calico + '  ingress:\n    - action: ‸')), ['Allow', 'Deny', 'Log', 'Pass']);
    assert.deepEqual(labels(complete(calico + '  egress:\n    - action: Allow\n      destination:\n        ‸')), ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'ports', 'notPorts', 'serviceAccounts', 'services']);
    const global = 'apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata:\n  name: g\nspec:\n  ‸';
    assert.ok(labels(complete(global)).includes('namespaceSelector') && labels(complete(global)).includes('doNotTrack'));
    assert.deepEqual(labels(complete('apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: t\nspec:\n  defaultAction: ‸')), ['Deny', 'Pass']);
  });

  test('CiliumNetworkPolicy: rule sections, peers with the direction\'s prefix, toPorts, entities', () => {
    const cnp = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c\n  namespace: production\nspec:\n';
    assert.deepEqual(labels(complete(cnp + '  ‸')), ['endpointSelector', 'nodeSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'enableDefaultDeny', 'description', 'labels']);
    assert.deepEqual(labels(complete(cnp + '  ingress:\n    - ‸')), ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromRequires', 'fromNodes', 'fromGroups', 'toPorts', 'icmps']);
    assert.ok(labels(complete(cnp + '  egress:\n    - ‸')).includes('toFQDNs'));
    assert.ok(!labels(complete(cnp + '  egressDeny:\n    - ‸')).includes('toFQDNs'), 'toFQDNs is not allowed in egressDeny');
    assert.deepEqual(labels(complete(cnp + '  egress:\n    - toPorts:\n        - ports:\n            - protocol: ‸')), ['TCP', 'UDP', 'SCTP', 'ANY']);
    assert.ok(labels(complete(cnp + '  egress:\n    - toEntities:\n        - ‸')).includes('kube-apiserver'));
    // An endpointSelector sees the pods of the policy namespace.
    assert.deepEqual(labels(complete(cnp + '  endpointSelector:\n    matchLabels:\n      app: ‸')), ['postgresql', 'api-server', 'frontend']);
  });

  test('AdminNetworkPolicy ports: namedPort offers the names, portNumber.port the numbers, of the subject\'s or the peers\' pods', () => {
    const anp = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata:\n  name: a\nspec:\n  priority: 10\n  subject:\n    pods:\n      namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: production\n      podSelector:\n        matchLabels:\n          app: postgresql\n';
    assert.deepEqual(complete(anp + '  ingress:\n    - action: Allow\n      from:\n        - namespaces: {}\n      ports:\n        - namedPort: ‸'), [
      'pg | port-name | TCP 5432 · 2 pods | "pg" | ""',
      'metrics | port-name | TCP 9187 · 1 pod | "metrics" | ""',
    ]);
    assert.deepEqual(complete(anp + '  egress:\n    - action: Allow\n      to:\n        - namespaces:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n      ports:\n        - portNumber:\n            protocol: UDP\n            port: ‸'), [
      '53 | value | UDP dns, TCP dns-tcp · 1 pod | "53" | ""',
    ]);
    const cnp = 'apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata:\n  name: c\nspec:\n  tier: Admin\n  priority: 1\n  subject:\n    namespaces:\n      matchLabels:\n        env: staging\n';
    assert.deepEqual(complete(cnp + '  ingress:\n    - action: Accept\n      protocols:\n        - tcp:\n            destinationPort:\n              number: ‸'), [
      '8080 | value | TCP http · 1 pod | "8080" | ""',
    ]);
  });

  test('CiliumNetworkPolicy toPorts: the ports of the endpointSelector\'s pods (ingress) or of toEndpoints (egress)', () => {
    const cnp = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c\n  namespace: production\nspec:\n  endpointSelector:\n    matchLabels:\n      app: frontend\n';
    assert.deepEqual(complete(cnp + '  ingress:\n    - fromEntities: [world]\n      toPorts:\n        - ports:\n            - port: ‸'), [
      'web | port-name | TCP 80 · 1 pod | "web" | ""',
      '80 | value | TCP web · 1 pod | "80" | ""',
    ]);
    assert.deepEqual(complete(cnp + '  egress:\n    - toEndpoints:\n        - matchLabels:\n            k8s:io.kubernetes.pod.namespace: kube-system\n            k8s:k8s-app: kube-dns\n      toPorts:\n        - ports:\n            - port: ‸\n              protocol: UDP'), [
      'dns | port-name | UDP 53 · 1 pod | "dns" | ""',
      '53 | value | UDP dns, TCP dns-tcp · 1 pod | "53" | ""',
      'dns-tcp | port-name | TCP 53 · 1 pod | "dns-tcp" | ""',
    ]);
  });

  test('apiVersion while it is typed: the kind below decides', () => {
    assert.deepEqual(complete('apiVersion: netw‸\nkind: NetworkPolicy\n'), ['networking.k8s.io/v1 | value |  | "networking.k8s.io/v1" | "netw"']);
    assert.deepEqual(complete('apiVersion: ci‸\nkind: CiliumNetworkPolicy\n'), ['cilium.io/v2 | value |  | "cilium.io/v2" | "ci"']);
  });

  test('list fields are not offered without their dash', () => {
    assert.deepEqual(complete(HEAD + '  ingress:\n    ‸'), []);
  });
});

describe('snippets', () => {
  const snippets = (text: string) => {
    const { workspace, uri, offset } = withCursor('shop', 'new.yaml', text);
    return completion(workspace, uri, offset).filter((i) => i.kind === 'snippet');
  };

  test('offered once each, with one prefix family, in an empty file and after ---, with the workspace\'s namespaces', () => {
    const items = snippets('net‸');
    assert.deepEqual(items.map((i) => i.label), ['netpol-default-deny', 'netpol-allow-dns', 'netpol-allow-from-namespace', 'netpol-allow-from-pods', 'netpol-ipblock-egress']);
    assert.match(items[0].insertText, /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
    assert.match(items[0].insertText, /namespace: \$\{2\|production,kube-system,staging\|\}/);
    assert.equal(snippets('# a comment\n‸').length, 5);
    assert.equal(snippets('apiVersion: v1\nkind: ConfigMap\n---\n‸\n').length, 5);
  });

  test('not offered where a document cannot start: inside a document, indented, in a value', () => {
    assert.deepEqual(snippets('apiVersion: v1\n‸'), []);
    assert.deepEqual(snippets('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  net‸'), []);
    assert.deepEqual(snippets('  net‸'), []);
    assert.deepEqual(snippets('net‸\nkind: NetworkPolicy'), []);
    assert.deepEqual(snippets('kind: ‸'), []);
    const json = withCursor('shop', 'new.json', 'net‸');
    assert.deepEqual(completion(json.workspace, json.uri, json.offset).filter((i) => i.kind === 'snippet'), [], 'not in a JSON file');
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
    const ruleFields = labels(complete(`${CNP}  ‸`));
    for (const field of ['endpointSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'enableDefaultDeny', 'description']) assert.ok(ruleFields.includes(field), `${field} in ${ruleFields.join()}`);
    assert.ok(labels(complete(`${CNP}  egress:\n    - ‸`)).includes('toFQDNs'));
    assert.ok(!labels(complete(`${CNP}  ingress:\n    - ‸`)).includes('toFQDNs'));
    const toPortsFields = labels(complete(`${CNP}  ingress:\n    - toPorts:\n        - ‸`));
    assert.ok(toPortsFields.includes('ports') && toPortsFields.includes('rules'), toPortsFields.join());
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
