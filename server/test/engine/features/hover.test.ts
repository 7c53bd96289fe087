// Hover answers on the shop fixture (test-fixtures/features/shop), compared in full. The cursor marker ‸ sits in a
// snippet of a fixture file, or in an inline YAML file added to the fixture.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hover } from '../../../src/engine/features/hover';
import { at, fixtureUri, fixtureWorkspace, withCursor } from './helpers';

const shop = fixtureWorkspace('shop');

/** Hovers at the marker in a snippet of a fixture file; checks the hovered text and the whole markdown. */
function expectHover(file: string, snippet: string, hovered: string, markdown: string[] | undefined): void {
  const uri = fixtureUri('shop', file);
  const result = hover(shop, uri, at(shop, uri, snippet));
  if (markdown === undefined) return assert.equal(result, undefined);
  assert.ok(result, 'expected a hover');
  assert.equal(shop.getFile(uri)!.text.slice(result.range[0], result.range[1]), hovered);
  assert.equal(result.markdown, markdown.join('\n'));
}

/** Hovers at the marker of an inline file added to the shop fixture. */
function expectInlineHover(text: string, hovered: string, markdown: string[] | undefined): void {
  const { workspace, uri, offset } = withCursor('shop', 'inline.yaml', text);
  const result = hover(workspace, uri, offset);
  if (markdown === undefined) return assert.equal(result, undefined);
  assert.ok(result, 'expected a hover');
  assert.equal(workspace.getFile(uri)!.text.slice(result.range[0], result.range[1]), hovered);
  assert.equal(result.markdown, markdown.join('\n'));
}

describe('hover on policies: names, selectors, peers, ports', () => {
  test('policy name: isolation and one ingress rule in plain English', () => {
    expectHover('policies.yaml', 'name: db-al‸low', 'db-allow', [
      '**NetworkPolicy production/db-allow**',
      '',
      'Isolates ingress of 2 pods in production (postgresql, postgresql-replica). Allows TCP 5432 from pods labelled app=api-server in production.',
      '',
      'Selected pods (2):',
      '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
      '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
    ]);
  });

  test('policy name: ingress and egress rules, named port, namespace by kubernetes.io/metadata.name', () => {
    expectHover('policies.yaml', 'name: api-al‸low', 'api-allow', [
      '**NetworkPolicy production/api-allow**',
      '',
      'Isolates ingress and egress of 1 pod in production (api-server). Allows TCP port http from pods labelled app=frontend in production. Allows TCP 5432 to pods labelled app=postgresql in production. Allows UDP 53 and TCP 53 to pods labelled k8s-app=kube-dns in kube-system.',
      '',
      'Selected pods (1):',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
    ]);
  });

  test('policy name: ipBlock with except', () => {
    expectHover('policies.yaml', 'name: frontend-al‸low', 'frontend-allow', [
      '**NetworkPolicy production/frontend-allow**',
      '',
      'Isolates ingress and egress of 1 pod in production (frontend). Allows TCP port web from 0.0.0.0/0 except 10.0.0.0/8. Allows TCP port http to pods labelled app=api-server in production.',
      '',
      'Selected pods (1):',
      '- [production/frontend](file:///fixtures/shop/workloads.yaml#L78) · Deployment',
    ]);
  });

  test('policy name: default deny of both directions', () => {
    expectHover('policies.yaml', 'name: default-d‸eny', 'default-deny', [
      '**NetworkPolicy production/default-deny**',
      '',
      'Isolates ingress and egress of all 4 pods in production (api-server, postgresql, postgresql-replica, frontend). Denies all ingress. Denies all egress.',
      '',
      'Selected pods (4):',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
      '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
      '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
      '- [production/frontend](file:///fixtures/shop/workloads.yaml#L78) · Deployment',
    ]);
  });

  test('policy name: selects nothing, peer matches nothing', () => {
    expectHover('policies.yaml', 'name: metrics-ty‸po', 'metrics-typo', [
      '**NetworkPolicy production/metrics-typo**',
      '',
      'Selects no pods in production in the files (podSelector app=postgress), so it isolates nothing there. Allows TCP port metrics from all pods in namespaces labelled team=monitoring (no pod matches).',
    ]);
  });

  test('spec.podSelector label value: matched pods with kind and link', () => {
    expectHover('policies.yaml', 'app: postgr‸esql', 'postgresql', [
      '**spec.podSelector** `app=postgresql`',
      '',
      'Selects 2 pods in `production`:',
      '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
      '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
    ]);
  });

  test('spec.podSelector {}: every pod of the namespace', () => {
    expectHover('policies.yaml', 'podSelector: {‸}', '{}', [
      '**spec.podSelector** `{} (every pod)`',
      '',
      'Selects 4 pods in `production`:',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
      '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
      '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
      '- [production/frontend](file:///fixtures/shop/workloads.yaml#L78) · Deployment',
    ]);
  });

  test('spec.podSelector key matchLabels: same answer as its labels', () => {
    expectHover('policies.yaml', 'matchLab‸els:\n      app: postgresql', 'matchLabels', [
      '**spec.podSelector** `app=postgresql`',
      '',
      'Selects 2 pods in `production`:',
      '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
      '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
    ]);
  });

  test('spec.podSelector matching nothing: nearest existing values', () => {
    expectHover('policies.yaml', 'app: post‸gress', 'postgress', [
      '**spec.podSelector** `app=postgress`',
      '',
      'Matches no pods in `production` (4 pods there).',
      '',
      'Nearest existing labels:',
      '- no pod has `app=postgress`; values of `app`: `postgresql` (2 pods), `frontend` (1 pod), `api-server` (1 pod)',
    ]);
  });

  test('peer podSelector: pods of the policy namespace', () => {
    expectHover('policies.yaml', 'app: api‸-server\n      ports:\n        - protocol: TCP', 'api-server', [
      '**ingress rule 1, from peer 1**: pods labelled app=api-server in production',
      '',
      'Matches 1 pod:',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
    ]);
  });

  test('peer with namespaceSelector and podSelector: namespaces and pods', () => {
    expectHover('policies.yaml', 'kubernetes.io/metadata.name: kube-sy‸stem', 'kube-system', [
      '**egress rule 2, to peer 1**: pods labelled k8s-app=kube-dns in kube-system',
      '',
      'Namespaces (1): `kube-system`',
      '',
      'Matches 1 pod:',
      '- [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25) · Pod',
    ]);
  });

  test('peer namespaceSelector matching no namespace: nearest namespace labels', () => {
    expectHover('policies.yaml', 'team: moni‸toring', 'monitoring', [
      '**ingress rule 1, from peer 1**: all pods in namespaces labelled team=monitoring',
      '',
      'Its namespaceSelector `team=monitoring` matches no namespace (3 namespaces in the files), so the peer matches no pods.',
      '',
      'Nearest existing namespace labels:',
      '- no namespace has `team=monitoring`; values of `team`: `shop` (2 namespaces)',
    ]);
  });

  test('named port: what it resolves to on the selected pods', () => {
    expectHover('policies.yaml', 'port: ht‸tp\n  egress', 'http', [
      '**Named port `http`** (TCP) on the selected pods:',
      '',
      'Resolves on 1 pod:',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4): TCP 8080 (container `api`)',
    ]);
  });

  test('named port of an egress rule: resolved on the peer pods', () => {
    expectHover('policies.yaml', 'port: ht‸tp\n---', 'http', [
      '**Named port `http`** (TCP) on the peer pods:',
      '',
      'Resolves on 1 pod:',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4): TCP 8080 (container `api`)',
    ]);
  });

  test('named port on a policy that selects nothing', () => {
    expectHover('policies.yaml', 'port: metr‸ics', 'metrics', [
      '**Named port `metrics`** (TCP) on the selected pods:',
      '',
      'No pods to resolve it on: the policy selects no pods.',
    ]);
  });

  test('numeric port: which containers declare it', () => {
    expectHover('policies.yaml', 'port: 54‸32\n---', '5432', [
      '**TCP 5432** on the selected pods:',
      '',
      'Declared by 2 pods:',
      '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29): container `postgres` names 5432 `pg`',
      '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51): container `postgres` names 5432 `pg`',
    ]);
  });

  test('numeric port of an egress rule toward DNS', () => {
    expectHover('policies.yaml', 'port: 5‸3\n          protocol: UDP', '53', [
      '**UDP 53** on the peer pods:',
      '',
      'Declared by 1 pod:',
      '- [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25): container `coredns` names 53 `dns`',
    ]);
  });

});

describe('hover on workloads: policies, isolation, reachability', () => {
  test('Deployment name: policies, isolation, who may reach it and whom it may reach', () => {
    expectHover('workloads.yaml', 'name: api-se‸rver', 'api-server', [
      '**Deployment production/api-server**',
      '',
      'Pod labels: `app=api-server`, `tier=backend`',
      '',
      'Selected by 2 policies: [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/api-allow](file:///fixtures/shop/policies.yaml#L33)',
      '',
      '- Ingress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/api-allow](file:///fixtures/shop/policies.yaml#L33)',
      '- Egress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/api-allow](file:///fixtures/shop/policies.yaml#L33)',
      '',
      '**May be reached from** 1 of 5 workloads in the files:',
      '- TCP 8080: [production/frontend](file:///fixtures/shop/workloads.yaml#L78)',
      '',
      '**May reach** 3 of 5 workloads in the files:',
      '- TCP 5432: [production/postgresql](file:///fixtures/shop/workloads.yaml#L29), [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51)',
      '- TCP 53,UDP 53: [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25)',
    ]);
  });

  test('StatefulSet pod template label: same workload answer', () => {
    expectHover('workloads.yaml', 'role: rep‸lica', 'replica', [
      '**StatefulSet production/postgresql-replica**',
      '',
      'Pod labels: `app=postgresql`, `role=replica`',
      '',
      'Selected by 2 policies: [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/db-allow](file:///fixtures/shop/policies.yaml#L15)',
      '',
      '- Ingress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/db-allow](file:///fixtures/shop/policies.yaml#L15)',
      '- Egress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4)',
      '',
      '**May be reached from** 1 of 5 workloads in the files:',
      '- TCP 5432: [production/api-server](file:///fixtures/shop/workloads.yaml#L4)',
      '',
      '**May reach** 0 of 5 workloads in the files:',
      '- no workload',
    ]);
  });

  test('Pod in another namespace: not isolated', () => {
    expectHover('other-namespaces.yaml', 'name: core‸dns', 'coredns', [
      '**Pod kube-system/coredns**',
      '',
      'Pod labels: `k8s-app=kube-dns`',
      '',
      'Selected by no policy.',
      '',
      '- Ingress: not isolated (no policy with Ingress selects it): all ingress is allowed',
      '- Egress: not isolated (no policy with Egress selects it): all egress is allowed',
      '',
      '**May be reached from** 2 of 5 workloads in the files:',
      '- all ports: [staging/api-server](file:///fixtures/shop/other-namespaces.yaml#L4)',
      '- TCP 53,UDP 53: [production/api-server](file:///fixtures/shop/workloads.yaml#L4)',
      '- outside the cluster: anywhere: all ports',
      '',
      '**May reach** 1 of 5 workloads in the files:',
      '- all ports: [staging/api-server](file:///fixtures/shop/other-namespaces.yaml#L4)',
      '- outside the cluster: anywhere: all ports',
    ]);
  });

  test('ipBlock admits the outside world', () => {
    expectHover('workloads.yaml', 'name: fronte‸nd', 'frontend', [
      '**Deployment production/frontend**',
      '',
      'Pod labels: `app=frontend`, `tier=web`',
      '',
      'Selected by 2 policies: [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/frontend-allow](file:///fixtures/shop/policies.yaml#L72)',
      '',
      '- Ingress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/frontend-allow](file:///fixtures/shop/policies.yaml#L72)',
      '- Egress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/frontend-allow](file:///fixtures/shop/policies.yaml#L72)',
      '',
      '**May be reached from** 0 of 5 workloads in the files:',
      '- no workload',
      '- outside the cluster: 0.0.0.0/0 except 10.0.0.0/8: TCP 80',
      '',
      '**May reach** 1 of 5 workloads in the files:',
      '- TCP 8080: [production/api-server](file:///fixtures/shop/workloads.yaml#L4)',
    ]);
  });

});

describe('hover on inline fixtures', () => {
  test('a long list of matched pods is capped with "and N more"', () => {
    expectInlineHover(
      MANY_WORKERS + `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: workers
  namespace: batch
spec:
  podSelector:
    matchLabels:
      app: wor‸ker
`,
      'worker',
      [
        '**spec.podSelector** `app=worker`',
        '',
        'Selects 12 pods in `batch`:',
        '- [batch/worker-01](file:///fixtures/shop/inline.yaml#L4) · Pod',
        '- [batch/worker-02](file:///fixtures/shop/inline.yaml#L16) · Pod',
        '- [batch/worker-03](file:///fixtures/shop/inline.yaml#L28) · Pod',
        '- [batch/worker-04](file:///fixtures/shop/inline.yaml#L40) · Pod',
        '- [batch/worker-05](file:///fixtures/shop/inline.yaml#L52) · Pod',
        '- [batch/worker-06](file:///fixtures/shop/inline.yaml#L64) · Pod',
        '- [batch/worker-07](file:///fixtures/shop/inline.yaml#L76) · Pod',
        '- [batch/worker-08](file:///fixtures/shop/inline.yaml#L88) · Pod',
        '- [batch/worker-09](file:///fixtures/shop/inline.yaml#L100) · Pod',
        '- [batch/worker-10](file:///fixtures/shop/inline.yaml#L112) · Pod',
        '- and 2 more',
      ],
    );
  });

  test('a Pod owned (through a ReplicaSet) by a Deployment of the workspace answers for the Deployment', () => {
    expectInlineHover(
      `apiVersion: v1
kind: Pod
metadata:
  name: api-server-7d9f-ab‸cde
  namespace: production
  labels:
    app: api-server
  ownerReferences:
    - apiVersion: apps/v1
      kind: ReplicaSet
      name: api-server-7d9f
      controller: true
spec:
  containers:
    - name: api
      image: shop/api:1.4
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: api-server-7d9f
  namespace: production
  ownerReferences:
    - apiVersion: apps/v1
      kind: Deployment
      name: api-server
      controller: true
spec:
  selector:
    matchLabels:
      app: api-server
  template:
    metadata:
      labels:
        app: api-server
    spec:
      containers:
        - name: api
          image: shop/api:1.4
`,
      'api-server-7d9f-abcde',
      [
        '**Deployment production/api-server**',
        '',
        '(this object\'s pods are managed by Deployment `api-server`)',
        '',
        'Pod labels: `app=api-server`, `tier=backend`',
        '',
        'Selected by 2 policies: [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/api-allow](file:///fixtures/shop/policies.yaml#L33)',
        '',
        '- Ingress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/api-allow](file:///fixtures/shop/policies.yaml#L33)',
        '- Egress: isolated by [production/default-deny](file:///fixtures/shop/policies.yaml#L4), [production/api-allow](file:///fixtures/shop/policies.yaml#L33)',
        '',
        '**May be reached from** 1 of 5 workloads in the files:',
        '- TCP 8080: [production/frontend](file:///fixtures/shop/workloads.yaml#L78)',
        '',
        '**May reach** 3 of 5 workloads in the files:',
        '- TCP 5432: [production/postgresql](file:///fixtures/shop/workloads.yaml#L29), [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51)',
        '- TCP 53,UDP 53: [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25)',
      ],
    );
  });

  test('matchLabels whose labels each exist but never together: counts per requirement', () => {
    expectInlineHover(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: combo
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: front‸end
      role: primary
`,
      'frontend',
      [
        '**spec.podSelector** `app=frontend,role=primary`',
        '',
        'Matches no pods in `production` (4 pods there).',
        '',
        'Nearest existing labels:',
        '- each requirement matches some pods, but no pod matches all of them:',
        '  - `app=frontend`: 1 pod',
        '  - `role=primary`: 1 pod',
      ],
    );
  });

  test('a peer without namespaceSelector matching pods only in other namespaces points at them', () => {
    expectInlineHover(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: dns
  namespace: production
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector:
            matchLabels:
              k8s-app: kube-‸dns
`,
      'kube-dns',
      [
        '**egress rule 1, to peer 1**: pods labelled k8s-app=kube-dns in production',
        '',
        'Matches no pods in `production` (4 pods there).',
        '',
        'Nearest existing labels:',
        '- no pod has the label key `k8s-app`; nearest keys: `app` (4 pods), `role` (2 pods), `tier` (2 pods)',
        '',
        'Pods with these labels in other namespaces (a namespaceSelector would reach them):',
        '- [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25) · Pod',
      ],
    );
  });

  test('matchExpressions NotIn and Exists (NotIn matches pods without the key too: labels.Selector semantics of metav1.LabelSelector)', () => {
    expectInlineHover(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: not-db
  namespace: production
spec:
  podSelector:
    matchExpressions:
      - key: app
        operator: NotIn
        values: [postgresql, frontend‸]
      - key: tier
        operator: Exists
`,
      'frontend',
      [
        '**spec.podSelector** `app notin (postgresql,frontend),tier`',
        '',
        'Selects 1 pod in `production`:',
        '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
      ],
    );
  });

  test('a policy the API server rejects says so and that it has no effect', () => {
    expectInlineHover(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bro‸ken
  namespace: production
spec:
  podSelector:
    matchLabels:
      app: api-server
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/33
`,
      'broken',
      [
        '**NetworkPolicy production/broken**',
        '',
        'The API server rejects this policy ("10.0.0.0/33" is not a valid CIDR), so it has no effect. As written, its podSelector selects 1 pod in production (api-server).',
        '',
        'Selected pods (1):',
        '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
      ],
    );
  });

  test('rules left out by policyTypes are called ignored; ingress: [{}] allows everything', () => {
    expectInlineHover(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ingress-only‸
  namespace: staging
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - {}
  egress:
    - to:
        - namespaceSelector: {}
`,
      'ingress-only',
      [
        '**NetworkPolicy staging/ingress-only**',
        '',
        'Isolates ingress of the only pod in staging (api-server). Allows all traffic from anywhere (any pod and any address). Its egress rules are ignored: policyTypes leaves out Egress.',
        '',
        'Selected pods (1):',
        '- [staging/api-server](file:///fixtures/shop/other-namespaces.yaml#L4) · Deployment',
      ],
    );
  });

  test('a label key nobody carries: nearest keys', () => {
    expectInlineHover(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: typo-key
  namespace: production
spec:
  podSelector:
    matchLabels:
      ap‸: frontend
`,
      'ap',
      [
        '**spec.podSelector** `ap=frontend`',
        '',
        'Matches no pods in `production` (4 pods there).',
        '',
        'Nearest existing labels:',
        '- no pod has the label key `ap`; nearest keys: `app` (4 pods), `role` (2 pods), `tier` (2 pods)',
      ],
    );
  });

  test('no hover off the things it explains, nor in a document that does not parse', () => {
    expectHover('policies.yaml', 'apiVersion: networking.k8s.io/v1\nkind: Network‸Policy', '', undefined);
    expectHover('workloads.yaml', 'image: shop/a‸pi:1.4', '', undefined);
    expectInlineHover('kind: NetworkPolicy\nmetadata:\n  name: [oops‸\n', '', undefined);
  });
});

const MANY_WORKERS = Array.from(
  { length: 12 },
  (_, i) => `apiVersion: v1
kind: Pod
metadata:
  name: worker-${String(i + 1).padStart(2, '0')}
  namespace: batch
  labels:
    app: worker
spec:
  containers:
    - name: w
      image: busybox
`,
).join('---\n');


describe('hover on rules, policyTypes, namespaces and services', () => {
  test('a rule: what it allows and the pods it admits', () => {
    expectHover('policies.yaml', '  ingress:\n    - fr‸om:\n        - podSelector:\n            matchLabels:\n              app: api-server', 'from', [
      '**ingress rule 1** of production/db-allow',
      '',
      'Allows TCP 5432 from pods labelled app=api-server in production.',
      '',
      'Admits 1 pod:',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
    ]);
  });

  test('an egress rule with a namespaceSelector peer: the pods it reaches', () => {
    expectHover('policies.yaml', '    - ‸to:\n        - namespaceSelector:', 'to', [
      '**egress rule 2** of production/api-allow',
      '',
      'Allows UDP 53 and TCP 53 to pods labelled k8s-app=kube-dns in kube-system.',
      '',
      'Reaches 1 pod:',
      '- [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25) · Pod',
    ]);
  });

  test('a rule with an ipBlock: the addresses', () => {
    expectHover('policies.yaml', '    - ‸from:\n        - ipBlock:', 'from', [
      '**ingress rule 1** of production/frontend-allow',
      '',
      'Allows TCP port web from 0.0.0.0/0 except 10.0.0.0/8.',
      '',
      'Admits no pods.',
      '',
      'Addresses: `0.0.0.0/0 except 10.0.0.0/8`',
    ]);
  });

  test('a port protocol answers like the port', () => {
    expectHover('policies.yaml', 'protocol: U‸DP', 'UDP', [
      '**UDP 53** on the peer pods:',
      '',
      'Declared by 1 pod:',
      '- [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25): container `coredns` names 53 `dns`',
    ]);
  });

  test('policyTypes', () => {
    expectHover('policies.yaml', '- Eg‸ress\n---', 'Egress', [
      '**policyTypes**: Ingress, Egress',
      '',
      '- Ingress: the selected pods are isolated for ingress; this policy allows none.',
      '- Egress: the selected pods are isolated for egress; this policy allows none.',
    ]);
  });

  test('a Namespace: labels, pods, policies, isolation', () => {
    expectHover('namespaces.yaml', 'name: produc‸tion', 'production', [
      '**Namespace production**',
      '',
      'Labels: `team=shop`, `env=prod`, `kubernetes.io/metadata.name=production`',
      '',
      '4 pods (workloads):',
      '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
      '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
      '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
      '- [production/frontend](file:///fixtures/shop/workloads.yaml#L78) · Deployment',
      '',
      '5 policies:',
      '- [production/default-deny](file:///fixtures/shop/policies.yaml#L4)',
      '- [production/db-allow](file:///fixtures/shop/policies.yaml#L15)',
      '- [production/api-allow](file:///fixtures/shop/policies.yaml#L33)',
      '- [production/frontend-allow](file:///fixtures/shop/policies.yaml#L72)',
      '- [production/metrics-typo](file:///fixtures/shop/policies.yaml#L100)',
      '',
      'Isolated for ingress: 4 of 4 pods.',
    ]);
  });

  test('a Namespace without policies', () => {
    expectHover('namespaces.yaml', 'name: kube-sys‸tem', 'kube-system', [
      '**Namespace kube-system**',
      '',
      'Labels: `kubernetes.io/metadata.name=kube-system`',
      '',
      '1 pod (workloads):',
      '- [kube-system/coredns](file:///fixtures/shop/other-namespaces.yaml#L25) · Pod',
      '',
      'No policies: every pod accepts and sends any traffic.',
      '',
      'Isolated for ingress: 0 of 1 pod.',
    ]);
  });

  test('an empty policyTypes list is defaulted like an omitted one (networking.k8s.io/v1 SetDefaults_NetworkPolicy: len(policyTypes) == 0)', () => {
    expectInlineHover(
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: empty-types
  namespace: production
spec:
  podSelector: {}
  policyTypes: [‸]
  egress:
    - {}
`,
      '[]',
      [
        '**policyTypes**: Ingress, Egress',
        '',
        'An empty list counts as not written: Ingress, plus Egress when the policy has egress rules.',
        '',
        '- Ingress: the selected pods are isolated for ingress; this policy allows none.',
        '- Egress: the selected pods are isolated for egress; 1 rule of this policy allows traffic.',
      ],
    );
  });

  test('a Service selector: the pods behind it', () => {
    expectInlineHover(
      `apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: production
spec:
  selector:
    app: postgr‸esql
  ports:
    - port: 5432
`,
      'postgresql',
      [
        '**Service production/db** selector `app=postgresql`',
        '',
        'Selects 2 pods:',
        '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
        '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
      ],
    );
  });

  test('a Service without selector', () => {
    expectInlineHover(
      `apiVersion: v1
kind: Service
metadata:
  name: external-db
  namespace: production
spec:
  selector: {‸}
  ports:
    - port: 5432
`,
      '{}',
      [
        '**Service production/external-db** selector: none (the Service selects no pods; its endpoints are managed by hand).',
      ],
    );
  });

});

describe('hover with several scopes', () => {
  test('the answer comes from the scope of the file and names it', () => {
    const workspace = fixtureWorkspace('shop', {
      '.netpol.yaml': 'scopes:\n  - name: prod\n    paths: [policies.yaml, workloads.yaml, namespaces.yaml]\n',
    });
    const uri = fixtureUri('shop', 'policies.yaml');
    const result = hover(workspace, uri, at(workspace, uri, 'kubernetes.io/metadata.name: kube-sy‸stem'));
    // coredns lives in other-namespaces.yaml, outside the scope: the peer matches nothing there.
    assert.equal(
      result?.markdown,
      [
        '**egress rule 2, to peer 1**: pods labelled k8s-app=kube-dns in kube-system',
        '',
        'Namespaces (1): `kube-system`',
        '',
        'Matches no pods: there are no pods in the selected namespace in the files.',
        '',
        '_Scope `prod`_',
      ].join('\n'),
    );
  });
});

describe('hover on a controller selector', () => {
  test('spec.selector of a StatefulSet answers for the workload', () => {
    const uri = fixtureUri('shop', 'workloads.yaml');
    const fromSelector = hover(shop, uri, at(shop, uri, 'selector:\n    matchLabels:\n      app: postgre‸sql\n  template:\n    metadata:\n      labels:\n        app: postgresql\n        role: primary'));
    const fromName = hover(shop, uri, at(shop, uri, 'name: postgresql‸\n'));
    assert.ok(fromSelector && fromName);
    assert.equal(fromSelector.markdown, fromName.markdown);
    assert.match(fromSelector.markdown, /^\*\*StatefulSet production\/postgresql\*\*/);
  });
});

describe('hover on a peer itself', () => {
  test('inside a flow-style peer, off its keys: the peer (pods) or its rule (ipBlock)', () => {
    expectInlineHover(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: flow\n  namespace: production\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - {namespaceSelector: {matchLabels: {team: shop}} ‸}\n',
      '{namespaceSelector: {matchLabels: {team: shop}} }',
      [
        '**ingress rule 1, from peer 1**: all pods in namespaces labelled team=shop',
        '',
        'Namespaces (2): `production`, `staging`',
        '',
        'Matches 5 pods:',
        '- [production/api-server](file:///fixtures/shop/workloads.yaml#L4) · Deployment',
        '- [production/postgresql](file:///fixtures/shop/workloads.yaml#L29) · StatefulSet',
        '- [production/postgresql-replica](file:///fixtures/shop/workloads.yaml#L51) · StatefulSet',
        '- [production/frontend](file:///fixtures/shop/workloads.yaml#L78) · Deployment',
        '- [staging/api-server](file:///fixtures/shop/other-namespaces.yaml#L4) · Deployment',
      ],
    );
    expectInlineHover(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: flow\n  namespace: production\nspec:\n  podSelector: {}\n  egress:\n    - to:\n        - {ipBlock: {cidr: 10.0.0.0/8} ‸}\n',
      '{ipBlock: {cidr: 10.0.0.0/8} }',
      ['**egress rule 1** of production/flow', '', 'Allows all traffic to 10.0.0.0/8.', '', 'Reaches no pods.', '', 'Addresses: `10.0.0.0/8`'],
    );
  });
});
