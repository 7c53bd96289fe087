// Issue 18: the divergences that differential testing found, each checked against what the API server's
// validation, kubectl's YAML reading or the upstream e2e tests do. Every test names its source.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatRangeAsCidr, parseCidr } from '../../src/engine/cidr';
import { parseConfig } from '../../src/engine/config';
import { workloadEndpoint, type Endpoint } from '../../src/engine/evaluate';
import { kubectlNumber } from '../../src/engine/kubectl-numbers';
import { parseFile } from '../../src/engine/parse';
import { ALL_RULES } from '../../src/engine/rules/index';
import { runRules } from '../../src/engine/rules/run';
import type { Diagnostic } from '../../src/engine/rules/types';
import { Workspace, type Scope } from '../../src/engine/workspace';
import { computeMatrix } from '../../src/report/matrix';
import { explainVerdict } from '../../src/engine/explain';
import { explainText } from '../../src/report/explain';
import { featureIndex } from '../../src/engine/features/index';

const ROOT = 'file:///repo';

function workspaceOf(files: Record<string, string>): { workspace: Workspace; scope: Scope; diagnostics: Diagnostic[] } {
  const workspace = new Workspace();
  for (const [name, text] of Object.entries(files)) workspace.setFile(`${ROOT}/${name}`, text);
  const diagnostics = [...runRules(workspace, { rules: ALL_RULES }).values()].flat();
  return { workspace, scope: workspace.scopes()[0], diagnostics };
}

function workload(scope: Scope, displayName: string): Endpoint {
  const w = scope.model.workloads.find((x) => x.displayName === displayName);
  assert.ok(w, `workload ${displayName} in the model (have ${scope.model.workloads.map((x) => x.displayName).join(', ')})`);
  return workloadEndpoint(w);
}

function allowed(scope: Scope, from: string, to: string, port: number): boolean {
  return scope.analysis.verdict(workload(scope, from), workload(scope, to), 'TCP', port).allowed;
}

const pod = (namespace: string, name: string, labels: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels: ${labels}\nspec:\n  containers: [{name: c, image: x, ports: [{containerPort: 80}]}]\n${extra}`;

describe('issue 18, item 1: a plain --- or ... is a string unless it starts a line (YAML 1.2 section 9.1; go-yaml, kubectl)', () => {
  it('`ingress: ---` is a string, not a list: the API server rejects the policy, as with CRLF endings', () => {
    const text = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  podSelector: {}\n  ingress: ---\n';
    for (const eol of ['\n', '\r\n']) {
      const { scope, diagnostics } = workspaceOf({ 'p.yaml': text.replace(/\n/g, eol) });
      const policy = scope.model.policies[0];
      assert.equal(policy.object.value.spec && (policy.object.value.spec as Record<string, unknown>).ingress, '---', JSON.stringify(eol));
      assert.equal(policy.valid, false, 'rejected');
      assert.ok(diagnostics.some((d) => d.ruleId === 'unknown-field' && /ingress must be a list/.test(d.message)));
    }
  });
});

describe('issue 18, item 3: IPv4 CIDRs as the API server parses them (k8s.io/utils/net ParseCIDRSloppy: decimal octets, leading zeros allowed)', () => {
  for (const [text, expected] of [
    ['010.1.0.0/16', '10.1.0.0/16'],
    ['09.0.0.0/8', '9.0.0.0/8'],
    ['127.010.020.030/32', '127.10.20.30/32'],
    ['10.0.0.0/08', '10.0.0.0/8'],
  ]) {
    it(`${text} is ${expected}`, () => {
      const range = parseCidr(text);
      assert.ok(typeof range !== 'string', String(range));
      assert.equal(formatRangeAsCidr(range), expected);
    });
  }
  for (const text of ['256.0.0.0/8', '10/8', '0x0a.0.0.0/8', '10.0.0.0/33', '1.2.3/24']) {
    it(`${text} is rejected`, () => assert.equal(typeof parseCidr(text), 'string'));
  }

  it('010.1.0.0/16 is a valid except inside 10.0.0.0/8, with a warning that leading zeros are ambiguous', () => {
    const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0/8, except: [010.1.0.0/16]}\n`;
    const { scope, diagnostics } = workspaceOf({ 'p.yaml': text });
    const policy = scope.model.policies[0];
    assert.equal(policy.valid, true);
    const warning = diagnostics.find((d) => d.ruleId === 'invalid-cidr');
    assert.equal(warning?.severity, 'warning');
    assert.match(warning!.message, /010\.1\.0\.0\/16 has octets with leading zeros: the API server reads them as decimal \(10\.1\.0\.0\/16\)/);
    assert.equal(text.slice(...warning!.location.range), '010.1.0.0/16');
  });
});

describe('issue 18, item 4: policyTypes (ValidateNetworkPolicySpec: "may not specify more than two policyTypes")', () => {
  const policy = (types: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\nspec:\n  podSelector: {}\n  policyTypes: ${types}\n`;
  it('[Ingress, Egress, Ingress] is rejected', () => {
    const { scope, diagnostics } = workspaceOf({ 'p.yaml': policy('[Ingress, Egress, Ingress]') });
    assert.equal(scope.model.policies[0].valid, false);
    assert.ok(diagnostics.some((d) => d.ruleId === 'unknown-field' && /at most two/.test(d.message)));
  });
  it('[Ingress, Ingress] (two entries) is accepted', () => {
    const { scope } = workspaceOf({ 'p.yaml': policy('[Ingress, Ingress]') });
    assert.equal(scope.model.policies[0].valid, true);
    assert.deepEqual(scope.model.policies[0].types, { ingress: true, egress: false });
  });
});

describe('issue 18, item 5: names as apimachinery validates them (IsDNS1123Subdomain, IsDNS1123Label, IsDNS1035Label, IsQualifiedName, IsValidLabelValue, IsValidPortName)', () => {
  const np = (meta: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: ${meta}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n`;
  const rejectedPolicies: [string, string][] = [
    ['metadata.name Deny_All (ValidateNetworkPolicyName: a DNS subdomain)', '{name: Deny_All, namespace: a}'],
    ['a name of 254 characters', `{name: ${'a'.repeat(254)}, namespace: a}`],
    ['namespace My_NS (ValidateNamespaceName: a DNS label)', '{name: p, namespace: My_NS}'],
    ['a namespace with a dot (a DNS label has none)', '{name: p, namespace: a.b}'],
    ['a label key with two slashes (IsQualifiedName)', '{name: p, namespace: a, labels: {"a/b/c": x}}'],
    ['a label value with a space (IsValidLabelValue)', '{name: p, namespace: a, labels: {app: "my app"}}'],
    ['a label value of 64 characters', `{name: p, namespace: a, labels: {app: ${'v'.repeat(64)}}}`],
  ];
  for (const [why, meta] of rejectedPolicies) {
    it(`a NetworkPolicy with ${why} is rejected and left out`, () => {
      const { scope, diagnostics } = workspaceOf({ 'p.yaml': np(meta) });
      assert.equal(scope.model.policies[0].valid, false);
      assert.ok(diagnostics.some((d) => d.ruleId === 'invalid-object' && d.severity === 'error'), diagnostics.map((d) => d.message).join('; '));
    });
  }
  for (const meta of ['{name: deny-all.v2, namespace: a}', `{name: ${'a'.repeat(253)}, namespace: a}`, '{generateName: deny-, namespace: a}', '{name: p, namespace: a, labels: {"example.com/app": "x_y.z-1", empty: ""}}']) {
    it(`a NetworkPolicy with metadata ${meta.slice(0, 60)} is accepted`, () => {
      const { scope, diagnostics } = workspaceOf({ 'p.yaml': np(meta) });
      assert.equal(scope.model.policies[0].valid, true, diagnostics.map((d) => d.message).join('; '));
    });
  }

  it('a Namespace named My_NS declares nothing: reported, and its labels select nothing', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: My_NS, labels: {team: x}}\n';
    const { scope, diagnostics } = workspaceOf({ 'ns.yaml': text });
    assert.equal(scope.model.namespaces.has('My_NS'), false);
    const finding = diagnostics.find((d) => d.ruleId === 'invalid-object');
    assert.ok(finding && /RFC 1123 label/.test(finding.message));
    assert.equal(text.slice(...finding.location.range), 'My_NS');
  });

  it('workloads and Services the API rejects are reported at the bad name and left out; valid ones stay', () => {
    const files = {
      'w.yaml': [
        pod('a', 'Web_1', '{app: web}'),
        pod('a', 'ok', '{app: ok}'),
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: a}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      containers: [{name: c, ports: [{containerPort: 80, name: Http_Port}]}]\n`,
        `apiVersion: v1\nkind: Service\nmetadata: {name: 1web, namespace: a}\nspec: {selector: {app: ok}, ports: [{port: 80}]}\n`,
        `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: a}\nspec: {selector: {app: ok}, ports: [{port: 80, targetPort: "8080"}]}\n`,
        `apiVersion: v1\nkind: Service\nmetadata: {name: good, namespace: a}\nspec: {selector: {app: ok}, ports: [{name: http, port: 80, targetPort: http}]}\n`,
      ].join('---\n'),
    };
    const { scope, diagnostics } = workspaceOf(files);
    assert.deepEqual(scope.model.workloads.map((w) => w.displayName), ['a/ok']);
    assert.deepEqual(scope.model.services.map((s) => s.name), ['good']);
    const text = files['w.yaml'];
    const at = diagnostics.filter((d) => d.ruleId === 'invalid-object').map((d) => text.slice(...d.location.range));
    assert.deepEqual(at.sort(), ['"8080"', '1web', 'Http_Port', 'Web_1'].sort());
  });
});

describe('issue 18, item 6: duplicates as kubectl apply leaves them (a later apply replaces the object; a rejected one replaces nothing)', () => {
  const policy = (from: string, name = 'allow') =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: b}\nspec:\n  podSelector: {matchLabels: {app: server}}\n  ingress:\n    - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: ${from}}}}]\n`;
  const pods = [pod('a', 'one', '{app: one}'), pod('a', 'two', '{app: two}'), pod('b', 'server', '{app: server}')].join('---\n');

  it('two policies with the same namespace/name: the last one decides every verdict, and the warning says so', () => {
    const { scope, diagnostics } = workspaceOf({ 'pods.yaml': pods, 'p1.yaml': policy('one'), 'p2.yaml': policy('two') });
    assert.equal(allowed(scope, 'a/one', 'b/server', 80), false, 'the first definition is replaced');
    assert.equal(allowed(scope, 'a/two', 'b/server', 80), true);
    const [first, last] = scope.model.policies;
    assert.equal(first.valid, false);
    assert.equal(first.supersededBy, last);
    const warnings = diagnostics.filter((d) => d.ruleId === 'duplicate-policy').map((d) => d.message);
    assert.equal(warnings.length, 2);
    assert.ok(warnings.some((m) => /keeps only the last valid one \(p2\.yaml:3\), so this one has no effect/.test(m)), warnings.join('\n'));
    assert.ok(warnings.some((m) => /keeps only the last valid one, this one\./.test(m)), warnings.join('\n'));
  });

  it('a later definition the API server rejects replaces nothing: the earlier one stays in effect', () => {
    const broken = policy('two').replace('podSelector: {matchLabels: {app: server}}', 'podSelector: {matchLabels: {app: server}}\n  policyTypes: [Ingress, Egress, Ingress]');
    const { scope, diagnostics } = workspaceOf({ 'pods.yaml': pods, 'p1.yaml': policy('one'), 'p2.yaml': broken });
    assert.equal(allowed(scope, 'a/one', 'b/server', 80), true);
    assert.equal(allowed(scope, 'a/two', 'b/server', 80), false);
    assert.ok(diagnostics.some((d) => d.ruleId === 'duplicate-policy' && /the API server rejects this one, and p1\.yaml:3 stays in effect/.test(d.message)));
  });

  it('a Namespace defined twice has the last definition\'s labels (kubectl apply replaces them)', () => {
    const ns = (labels: string) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: ${labels}}\n`;
    const { scope } = workspaceOf({ '1.yaml': ns('{team: red, old: x}'), '2.yaml': ns('{team: blue}') });
    assert.deepEqual(scope.model.namespaces.get('a')?.labels, { team: 'blue', 'kubernetes.io/metadata.name': 'a' });
  });

  it('a Pod defined twice appears once in the matrix\'s pods, with the last definition\'s labels', () => {
    const { scope } = workspaceOf({ '1.yaml': pod('a', 'web', '{v: one}'), '2.yaml': pod('a', 'web', '{v: two}') });
    assert.deepEqual(computeMatrix(scope.analysis).pods, ['a/web']);
    assert.deepEqual(scope.model.workloads[0].podLabels, { v: 'two' });
    assert.equal(scope.model.workloads[0].id, 0);
  });
});

describe('issue 18, item 7: ipBlock and pod IPs (upstream e2e "should allow egress access to server in CIDR block"; Cilium: never)', () => {
  const files = (config?: string) => ({
    ...(config ? { '.netpol.yaml': config } : {}),
    'pods.yaml': [pod('x', 'a', '{app: a}'), pod('y', 'b', '{app: b}', 'status:\n  podIP: 10.1.2.3\n  podIPs: [{ip: 10.1.2.3}]\n')].join('---\n'),
    'egress.yaml': `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: to-server-ip, namespace: x}\nspec:\n  podSelector: {matchLabels: {app: a}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 10.1.2.3/32}}]\n`,
  });

  it('by default the pod whose status.podIP the block holds is matched, and the explanation says which assumption decided', () => {
    const { scope } = workspaceOf(files());
    assert.equal(allowed(scope, 'x/a', 'y/b', 80), true);
    const verdict = scope.analysis.verdict(workload(scope, 'x/a'), workload(scope, 'y/b'), 'TCP', 80);
    const text = explainText(explainVerdict(verdict, scope.model), () => 'here');
    assert.match(text, /ipBlock 10\.1\.2\.3\/32 of x\/to-server-ip \(egress rule 1\) matches y\/b by its pod IP 10\.1\.2\.3 \(status\.podIP\), as the upstream e2e test "should allow egress access to server in CIDR block" expects/);
  });

  it('with cni: cilium ipBlocks never match pods, and the explanation says so', () => {
    const { scope } = workspaceOf(files('cni: cilium\n'));
    assert.equal(allowed(scope, 'x/a', 'y/b', 80), false);
    const verdict = scope.analysis.verdict(workload(scope, 'x/a'), workload(scope, 'y/b'), 'TCP', 80);
    assert.match(explainText(explainVerdict(verdict, scope.model), () => 'here'), /holds the pod IP 10\.1\.2\.3 of y\/b, but with cni: cilium \(\.netpol\.yaml\) ipBlocks never match pods/);
  });

  it('a pod without a known IP is not matched by any ipBlock', () => {
    const plain = files();
    plain['pods.yaml'] = plain['pods.yaml'].replace(/status:[^]*$/, '');
    const { scope } = workspaceOf(plain);
    assert.equal(allowed(scope, 'x/a', 'y/b', 80), false);
  });

  it('the hover\'s reach index and peer lists agree with the analysis when ipBlocks match pods by IP', () => {
    const withIps = [
      pod('x', 'a', '{app: a}', 'status: {podIP: 10.0.1.1}\n'),
      pod('y', 'b', '{app: b}', 'status: {podIP: 10.0.2.1}\n'),
      pod('y', 'c', '{app: c}', 'status: {podIP: 192.168.0.1}\n'),
      pod('z', 'd', '{app: d}'),
    ].join('---\n');
    const policies = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: in, namespace: y}\nspec:\n  podSelector: {}\n  ingress:\n    - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.2.0/24]}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: out, namespace: x}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [192.168.0.0/16]}}]\n      ports: [{port: 80}]\n`;
    for (const config of [undefined, 'cni: cilium\n']) {
      const { workspace } = workspaceOf({ ...(config ? { '.netpol.yaml': config } : {}), 'pods.yaml': withIps, 'p.yaml': policies });
      const index = featureIndex(workspace).scopes()[0];
      const workloads = index.model.workloads;
      for (const w of workloads) {
        const reach = index.reachOf(w);
        for (const other of workloads) {
          if (other === w) continue;
          const where = `${config ?? 'default'}: ${other.displayName} / ${w.displayName}`;
          assert.equal(reach.from.get(other)?.toString() ?? 'No Connections', index.analysis.connection(workloadEndpoint(other), workloadEndpoint(w)).allowed.toString(), `${where} (from)`);
          assert.equal(reach.to.get(other)?.toString() ?? 'No Connections', index.analysis.connection(workloadEndpoint(w), workloadEndpoint(other)).allowed.toString(), `${where} (to)`);
        }
      }
      const inPolicy = index.model.policies.find((p) => p.name === 'in')!;
      const matched = index.peerWorkloads(inPolicy, inPolicy.ingress[0].peers![0]).map((w) => w.displayName);
      assert.deepEqual(matched, config ? [] : ['x/a']);
    }
  });

  it('.netpol.yaml cni takes the values of issue 24 and reports anything else', () => {
    assert.equal(parseConfig('file:///c', 'cni: calico\n').cni, 'calico');
    assert.equal(parseConfig('file:///c', 'cni: gke-dataplane-v2\n').cni, 'gke-dataplane-v2');
    const bad = parseConfig('file:///c', 'cni: Cilium\n');
    assert.equal(bad.cni, undefined);
    assert.match(bad.findings[0]?.message ?? '', /cni must be one of calico, cilium, flannel, canal, weave, antrea, ovn-kubernetes, aws-vpc, gke-dataplane-v2, none/);
  });
});

describe('issue 18, item 8: numbers as kubectl reads them (go-yaml v2 resolve.go through sigs.k8s.io/yaml: YAML 1.1 ints)', () => {
  const rows: [string, number | undefined][] = [
    ['05432', 2842], ['010', 8], ['8_0', 80], ['0b1010000', 80], ['-0b101', -5], ['0x50', 80], ['0X50', 80], ['0o120', 80], ['09', 9], ['+80', 80],
    ['1_000', 1000], ['80.0', 80], ['8e1', 80], ['.5', 0.5], ['0', 0], ['0x', undefined], ['1:20', undefined], ['web', undefined], ['_80', undefined], ['2024-01-01', undefined],
  ];
  for (const [text, value] of rows) it(`${text} is ${value ?? 'not a number'}`, () => assert.equal(kubectlNumber(text)?.value, value));

  it('ports read that way decide the verdict: port: 05432 allows 2842, not 5432; 8_0 is port 80, not an invalid port name', () => {
    const policy = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: b}\nspec:\n  podSelector: {}\n  ingress:\n    - ports: [{port: 05432}, {port: 8_0}]\n`;
    const { scope } = workspaceOf({ 'pods.yaml': [pod('a', 'c', '{app: c}'), pod('b', 's', '{app: s}')].join('---\n'), 'p.yaml': policy });
    assert.equal(scope.model.policies[0].valid, true);
    assert.deepEqual(scope.model.policies[0].ingress[0].ports?.map((p) => p.port), [2842, 80]);
    assert.equal(allowed(scope, 'a/c', 'b/s', 2842), true);
    assert.equal(allowed(scope, 'a/c', 'b/s', 5432), false);
    assert.equal(allowed(scope, 'a/c', 'b/s', 80), true);
  });
});

describe('issue 18, item 9: Lists as kubectl flattens them (FlattenListVisitor; typed lists set the item kind)', () => {
  it('a List inside a List and a NetworkPolicyList inside a List are flattened', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: List
    items:
      - {apiVersion: v1, kind: Namespace, metadata: {name: inner}}
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicyList
    items:
      - metadata: {name: listed, namespace: inner}
        spec: {podSelector: {}}
  - {apiVersion: v1, kind: Namespace, metadata: {name: outer}}
`;
    const file = parseFile(`${ROOT}/l.yaml`, text);
    const objects = file.documents[0].objects;
    assert.deepEqual(objects.map((o) => [o.kind, o.name, o.apiVersion, o.listPath]), [
      ['Namespace', 'inner', 'v1', [0, 0]],
      ['NetworkPolicy', 'listed', 'networking.k8s.io/v1', [1, 0]],
      ['Namespace', 'outer', 'v1', [2]],
    ]);
    assert.equal(text.slice(...objects[1].range).split('\n')[0], 'metadata: {name: listed, namespace: inner}');
    assert.equal(objects[1].node?.range?.[0], objects[1].range[0]);
    const { scope } = workspaceOf({ 'l.yaml': text });
    assert.equal(scope.model.policies[0]?.valid, true);
  });

  it('a custom resource whose kind ends in List (IPAllowList) is an object, not a list', () => {
    const text = 'apiVersion: example.com/v1\nkind: IPAllowList\nmetadata: {name: allow}\nitems:\n  - {apiVersion: v1, kind: Namespace, metadata: {name: smuggled}}\n';
    const objects = parseFile(`${ROOT}/c.yaml`, text).documents[0].objects;
    assert.deepEqual(objects.map((o) => [o.kind, o.name]), [['IPAllowList', 'allow']]);
  });
});

describe('issue 18, item 10: a lone CR is a line break (YAML 1.2 section 5.4 b-break; kubectl)', () => {
  it('a file with CR-only line endings is read document by document, with findings on their own lines', () => {
    const lf = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: Bad_Name, namespace: a}\nspec: {podSelector: {}}\n';
    const cr = lf.replace(/\n/g, '\r');
    const file = parseFile(`${ROOT}/cr.yaml`, cr);
    assert.deepEqual(file.documents.map((d) => d.objects.map((o) => o.name)), [['a'], ['Bad_Name']]);
    const { diagnostics } = workspaceOf({ 'cr.yaml': cr });
    const finding = diagnostics.find((d) => d.ruleId === 'invalid-object');
    assert.ok(finding);
    assert.equal(cr.slice(...finding.location.range), 'Bad_Name');
    assert.equal(file.lineCounter.linePos(finding.location.range[0]).line, 7);
  });
});
