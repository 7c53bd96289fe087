// Objects of the right kind with the wrong shape: the policy reader records a problem at the field (the API server
// rejects such objects, https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/),
// the rule of that id reports it on the marked line, nothing throws, and everything else is still analysed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workloadEndpoint } from '../../../src/engine/evaluate';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { analyse, assertHealthy, assertRangesInside, diagnosticsOf, ROOT } from './harness';

const URI = `${ROOT}/shapes.yaml`;
const MARK = '# <- here';

function policy(spec: string): string {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: shaped\n  namespace: shop\n${spec}`;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

interface ShapeCase {
  name: string;
  text: string;
  /** The problem code the policy reader records (and the rule id reporting it). */
  code: string;
  /** The problem path, joined with dots. */
  path: string;
  /** Rule ids that may report it instead (a more specific rule with a fix); default: the code. */
  reportedBy?: string[];
}

const CASES: ShapeCase[] = [
  { name: 'podSelector: 7', code: 'invalid-label-selector', path: 'spec.podSelector', text: policy(`spec:\n  podSelector: 7 ${MARK}\n`) },
  { name: 'podSelector: a list', code: 'invalid-label-selector', path: 'spec.podSelector', text: policy(`spec:\n  podSelector: [app] ${MARK}\n`) },
  {
    name: 'ports: "80"',
    code: 'unknown-field',
    path: 'spec.ingress.0.ports',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - ports: "80" ${MARK}\n`),
  },
  { name: 'spec: null', code: 'unknown-field', path: 'spec', text: policy(`spec: null ${MARK}\n`) },
  { name: 'spec: a string', code: 'unknown-field', path: 'spec', text: policy(`spec: everything ${MARK}\n`) },
  {
    name: 'an unknown protocol',
    code: 'invalid-port',
    path: 'spec.ingress.0.ports.0.protocol',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - protocol: HTTP ${MARK}\n          port: 80\n`),
  },
  {
    name: 'a lowercase protocol',
    code: 'invalid-port',
    path: 'spec.egress.0.ports.0.protocol',
    text: policy(`spec:\n  podSelector: {}\n  egress:\n    - ports: [{protocol: tcp, port: 53}] ${MARK}\n`),
  },
  ...[0, 70000, -1, 1.5, '.nan', '.inf'].map((port) => ({
    name: `port ${port}`,
    code: 'invalid-port',
    path: 'spec.ingress.0.ports.0.port',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: ${port} ${MARK}\n`),
  })),
  {
    name: 'port "80" (a quoted number)',
    code: 'invalid-port',
    path: 'spec.ingress.0.ports.0.port',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: "80" ${MARK}\n`),
  },
  {
    name: 'port: a map',
    code: 'invalid-port',
    path: 'spec.ingress.0.ports.0.port',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: {number: 80} ${MARK}\n`),
  },
  {
    name: 'endPort below port',
    code: 'invalid-port-range',
    path: 'spec.ingress.0.ports.0.endPort',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - ports:\n        - port: 90\n          endPort: 80 ${MARK}\n`),
  },
  {
    name: 'an empty ipBlock',
    code: 'invalid-cidr',
    path: 'spec.ingress.0.from.0.ipBlock',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: {} ${MARK}\n`),
  },
  {
    name: 'ipBlock: null next to nothing else (an empty peer)',
    code: 'empty-peer',
    path: 'spec.ingress.0.from.0',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: null ${MARK}\n`),
  },
  {
    name: 'cidr: a number',
    code: 'invalid-cidr',
    path: 'spec.egress.0.to.0.ipBlock',
    text: policy(`spec:\n  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: {cidr: 10} ${MARK}\n`),
  },
  {
    name: 'a /33 prefix',
    code: 'invalid-cidr',
    path: 'spec.egress.0.to.0.ipBlock.cidr',
    text: policy(`spec:\n  podSelector: {}\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/33 ${MARK}\n`),
  },
  {
    name: 'except: a string',
    code: 'invalid-cidr',
    path: 'spec.egress.0.to.0.ipBlock.except',
    text: policy(`spec:\n  podSelector: {}\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/8\n            except: 10.1.0.0/16 ${MARK}\n`),
  },
  {
    name: 'ingress: a map',
    code: 'unknown-field',
    path: 'spec.ingress',
    text: policy(`spec:\n  podSelector: {}\n  ingress: {from: []} ${MARK}\n`),
  },
  {
    name: 'from: a string',
    code: 'unknown-field',
    path: 'spec.ingress.0.from',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - from: everyone ${MARK}\n`),
  },
  {
    name: 'an ingress rule that is a number',
    code: 'unknown-field',
    path: 'spec.ingress.0',
    text: policy(`spec:\n  podSelector: {}\n  ingress:\n    - 42 ${MARK}\n`),
  },
  {
    name: 'policyTypes: a string',
    code: 'unknown-field',
    path: 'spec.policyTypes',
    text: policy(`spec:\n  podSelector: {}\n  policyTypes: Ingress ${MARK}\n`),
  },
  {
    name: 'an unknown policy type',
    code: 'unknown-field',
    path: 'spec.policyTypes.0',
    text: policy(`spec:\n  podSelector: {}\n  policyTypes: [Both] ${MARK}\n`),
  },
  {
    name: 'matchExpressions: a string',
    code: 'invalid-label-selector',
    path: 'spec.podSelector.matchExpressions',
    text: policy(`spec:\n  podSelector:\n    matchExpressions: "app in (a)" ${MARK}\n`),
  },
  {
    name: 'matchLabels with a number value',
    code: 'invalid-label-selector',
    path: 'spec.podSelector.matchLabels.port',
    reportedBy: ['invalid-label-selector', 'unquoted-label-value'],
    text: policy(`spec:\n  podSelector:\n    matchLabels:\n      port: 8080 ${MARK}\n`),
  },
  {
    name: 'matchLabels with a list value',
    code: 'invalid-label-selector',
    path: 'spec.podSelector.matchLabels.app',
    text: policy(`spec:\n  podSelector:\n    matchLabels:\n      app: [a, b] ${MARK}\n`),
  },
];

describe('wrong shapes in NetworkPolicies', () => {
  const ruleIds = new Set(ALL_RULES.map((r) => r.id));
  for (const c of CASES) {
    it(`${c.name}: ${c.code} at ${c.path}; the policy is left out of the analysis`, () => {
      const run = analyse({ [URI]: c.text });
      assertHealthy(run);
      assertRangesInside(run);
      const scope = run.workspace.scopes()[0];
      const shaped = scope.model.policies.find((p) => p.name === 'shaped');
      assert.ok(shaped, 'the policy is in the model');
      assert.equal(shaped.valid, false, 'the API server rejects it, so it isolates nothing');
      assert.ok(
        shaped.problems.some((p) => p.code === c.code && p.path.join('.') === c.path),
        `problems: ${shaped.problems.map((p) => `${p.code}@${p.path.join('.')}`).join(', ')}`,
      );
      for (const w of scope.model.workloads) assert.ok(!scope.analysis.selectingPolicies(w).includes(shaped));
      // Once the rule for this code exists, its diagnostic sits on the marked line.
      const reporters = c.reportedBy ?? [c.code];
      if (reporters.every((id) => ruleIds.has(id))) {
        const markedLine = lineOf(c.text, c.text.indexOf(MARK));
        const hits = diagnosticsOf(run, URI).filter((d) => reporters.includes(d.ruleId));
        assert.ok(
          hits.some((d) => lineOf(c.text, d.location.range[0]) === markedLine),
          `a ${reporters.join(' or ')} diagnostic on line ${markedLine}; got ${hits.map((d) => `line ${lineOf(c.text, d.location.range[0])}: ${d.message}`).join('; ') || 'none'}`,
        );
      }
    });
  }
});

describe('wrong shapes in other objects', () => {
  it('metadata: 5 skips the object with a finding at it; the next document is read', () => {
    const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata: 5\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: next}\n`;
    const run = analyse({ [URI]: text });
    assertHealthy(run);
    const finding = diagnosticsOf(run, URI).find((d) => d.ruleId === 'invalid-object');
    assert.ok(finding && /metadata must be a map/.test(finding.message));
    assert.ok(finding.location.range[0] < text.indexOf('---'));
    assert.equal(run.workspace.scopes()[0].model.namespaces.get('next')?.implicit, false);
  });

  it('a List with garbage items keeps its good items, with their list index', () => {
    const text = `apiVersion: v1
kind: List
items:
  - 5
  - null
  - just text
  - [1, 2]
  - {kind: NetworkPolicy}
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: listed, namespace: shop}
    spec: {podSelector: {}}
  - {apiVersion: v1, kind: Namespace, metadata: 7}
`;
    const run = analyse({ [URI]: text });
    assertHealthy(run);
    assertRangesInside(run);
    const listed = run.workspace.scopes()[0].model.policies.find((p) => p.name === 'listed');
    assert.ok(listed?.valid);
    assert.deepEqual(listed.object.listPath, [5]);
    assert.ok(diagnosticsOf(run, URI).some((d) => d.ruleId === 'invalid-object'), 'the item with metadata: 7');
  });

  it('items: a map, or a typed list without items, is not a failure', () => {
    const run = analyse({ [URI]: 'apiVersion: v1\nkind: List\nitems: {a: 1}\n---\napiVersion: v1\nkind: PodList\n---\napiVersion: v1\nkind: PodList\nitems: [{metadata: {name: p}}]\n' });
    assertHealthy(run);
    assert.ok(run.workspace.scopes()[0].model.workloads.some((w) => w.kind === 'Pod' && w.name === 'p'));
  });

  it('labels with non-string values break nothing: the API server rejects the workload, so it is reported and left out', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: odd-labels, namespace: shop, labels: 5}
spec:
  template:
    metadata:
      labels: {app: odd, version: 2, enabled: true, empty: null, nested: {a: b}, list: [1]}
    spec:
      containers:
        - name: c
          ports: [{containerPort: "http"}, {containerPort: 99999}, {containerPort: 8080, protocol: QUIC}, 5]
`;
    const run = analyse({ [URI]: text });
    assertHealthy(run);
    // Issue 18 item 5: label values are strings (ValidateObjectMeta); `version: 2` fails kubectl apply.
    assert.equal(run.workspace.scopes()[0].model.workloads.find((x) => x.name === 'odd-labels'), undefined);
    assert.ok(diagnosticsOf(run, URI).some((d) => d.ruleId === 'unquoted-label-value' && /version: 2 is read as a number/.test(d.message)));
    // With string labels, the same odd ports are read as far as they go.
    const fixed = analyse({ [URI]: text.replace(', version: 2, enabled: true, empty: null, nested: {a: b}, list: [1]', ', empty: null') });
    assertHealthy(fixed);
    const w = fixed.workspace.scopes()[0].model.workloads.find((x) => x.name === 'odd-labels');
    assert.ok(w);
    assert.deepEqual(w.podLabels, { app: 'odd' });
    assert.deepEqual(w.objectLabels, {});
    assert.deepEqual(w.containerPorts.map((p) => `${p.protocol}/${p.containerPort}`), ['TCP/8080']);
  });

  it('workloads without a usable pod template get a warning and are left out', () => {
    const docs = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: t1}\nspec: {template: 5}\n',
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: t2}\nspec: null\n',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: t3}\nspec: {jobTemplate: {spec: []}}\n',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: t4}\nspec: 5\n',
    ];
    const run = analyse({ [URI]: docs.join('---\n') });
    assertHealthy(run);
    const names = run.workspace.scopes()[0].model.workloads.map((w) => w.name);
    assert.ok(!names.includes('t1') && !names.includes('t2') && !names.includes('t3'));
    assert.ok(names.includes('t4'), 'a Pod is its own template; its bad spec only means no ports');
    assert.equal(diagnosticsOf(run, URI).filter((d) => d.ruleId === 'invalid-object').length, 3);
  });

  it('Services and Namespaces with wrong shapes are read as far as possible', () => {
    const text = `apiVersion: v1
kind: Service
metadata: {name: s1, namespace: shop}
spec: {selector: 5, ports: "80"}
---
apiVersion: v1
kind: Service
metadata: {name: s2, namespace: shop}
spec: {selector: {app: [x]}, ports: [{port: "80"}, null, {port: 80, targetPort: {x: 1}}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: [a, b]}
`;
    const run = analyse({ [URI]: text });
    assertHealthy(run);
    const model = run.workspace.scopes()[0].model;
    assert.equal(model.services.length, 2);
    assert.equal(model.namespaces.get('shop')?.labels['kubernetes.io/metadata.name'], 'shop');
  });

  it('ownerReferences cycles: every member of the cycle stays a workload, none is lost', () => {
    const rs = (name: string, owner: string) => `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${name}
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: ${owner}, uid: u, controller: true}]
spec: {template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c}]}}}
`;
    const run = analyse({ [URI]: [rs('a', 'b'), rs('b', 'c'), rs('c', 'a'), rs('self', 'self'), rs('tail', 'a')].join('---\n') });
    assertHealthy(run);
    const model = run.workspace.scopes()[0].model;
    const names = model.workloads.filter((w) => w.namespace === 'shop').map((w) => w.name).sort();
    assert.deepEqual(names, ['a', 'b', 'c', 'self', 'tail']);
    for (const [object, owner] of model.ownedBy) assert.ok(owner, `${object.name} has an owner workload`);
  });

  it('a pod owned by a controller without a pod template stays a workload of its own', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: shop}
spec: {replicas: 2}
---
apiVersion: v1
kind: Pod
metadata:
  name: broken-abc
  namespace: shop
  labels: {app: broken}
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: broken, uid: u, controller: true}]
spec: {containers: [{name: c}]}
`;
    const run = analyse({ [URI]: text });
    assertHealthy(run);
    const scope = run.workspace.scopes()[0];
    const pod = scope.model.workloads.find((w) => w.name === 'broken-abc');
    assert.ok(pod, 'the pod is analysed');
    assert.ok(scope.analysis.connection(workloadEndpoint(pod), workloadEndpoint(pod)).allowed.isAll());
    for (const [object, owner] of scope.model.ownedBy) assert.ok(owner, `${object.name} has an owner workload`);
  });
});
