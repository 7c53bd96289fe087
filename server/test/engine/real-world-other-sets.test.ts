// Issue 17: the false-alarm fixes hold beyond ../shared/corpus/realworld. `netpol check` was run over every other
// set of real manifests in ../shared/corpus (netpol-analyzer's cases, the NCA Calico cases, cilium-cli's
// connectivity manifests, the recipes) and every warning judged by reading the YAML (docs/real-world.md). Each false
// class found there is a test built from the real file (test-fixtures/realworld, sources in each file's first
// comment).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseFile } from '../../src/engine/parse';
import { runRules } from '../../src/engine/rules/run';
import type { Diagnostic } from '../../src/engine/rules/types';
import { Workspace } from '../../src/engine/workspace';

const FIXTURES = join(__dirname, '../../../test-fixtures/realworld');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const ROOT = 'file:///repo';

function analyse(files: Record<string, string>): Diagnostic[] {
  const ws = new Workspace();
  for (const [name, text] of Object.entries(files)) ws.setFile(`${ROOT}/${name}`, text);
  return [...runRules(ws, { fixes: true }).values()].flat();
}

const byRule = (findings: Diagnostic[], rule: string) => findings.filter((d) => d.ruleId === rule);

describe('host-network pods: policies do not apply to them (netpol-analyzer semanticDiff bank topology)', () => {
  it('missing-dns-egress leaves a host-network pod to host-network, which says why the policy does not hold', () => {
    const findings = analyse({ 'bank.yaml': fixture('bank-host-network.yaml') });
    assert.deepEqual(byRule(findings, 'missing-dns-egress'), []);
    const host = byRule(findings, 'host-network');
    assert.ok(host.some((d) => d.message.includes('demo/account-query')), 'the host-network warning stays');
  });

  it('the same policy over a pod network pod still gets its DNS warning', () => {
    const text = fixture('bank-host-network.yaml').replace(/hostNetwork: true/g, 'hostNetwork: false');
    const dns = byRule(analyse({ 'bank.yaml': text }), 'missing-dns-egress');
    assert.equal(dns.length, 1);
    assert.equal(dns[0].severity, 'warning');
    assert.match(dns[0].message, /demo\/account-query/);
  });
});

describe('template placeholders in values the analysis reads (cilium-cli connectivity manifests)', () => {
  it('a Go template whose {{ }} stand in ipBlock CIDRs is a template (information), not an invalid policy (error)', () => {
    const file = parseFile(`${ROOT}/knp.yaml`, fixture('cilium-cli-template.yaml'));
    assert.deepEqual(file.findings.map((f) => [f.code, f.severity]), [['template-skipped', 'information']]);
    assert.equal(file.documents[0].skipped, true);
    assert.deepEqual(byRule(analyse({ 'knp.yaml': fixture('cilium-cli-template.yaml') }), 'invalid-cidr'), []);
  });

  it('placeholders in a selector value, a name or a container port make a template; in a command, an env value or an annotation they are data', () => {
    const deployment = (field: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${field === 'name' ? '"{{ .Name }}"' : 'web'}
  annotations: {note: ${field === 'annotation' ? '"{{ .Note }}"' : 'plain'}}
spec:
  selector: {matchLabels: {app: ${field === 'selector' ? '"{{ .App }}"' : 'web'}}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web
          command: [sh, -c, ${field === 'command' ? '"sed s/{{PROJECT_ID}}/x/ f"' : 'run'}]
          env: [{name: A, value: ${field === 'env' ? '"{{ .A }}"' : 'a'}}]
          ports: [{containerPort: ${field === 'port' ? '"{{ .Port }}"' : '8080'}}]
`;
    const skipped = (field: string) => parseFile(`${ROOT}/d.yaml`, deployment(field)).findings.some((f) => f.code === 'template-skipped');
    for (const field of ['name', 'selector', 'port']) assert.ok(skipped(field), field);
    for (const field of ['command', 'env', 'annotation']) assert.ok(!skipped(field), field);
  });

  it('kinds the analysis does not read keep their {{ }} as data, even in names and labels (a Kyverno policy, an Argo CD ApplicationSet)', () => {
    const kyverno = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: add-netpol}\nspec:\n  rules:\n    - name: default-deny\n      generate:\n        kind: NetworkPolicy\n        name: default-deny\n        namespace: '{{request.object.metadata.name}}'\n        data:\n          metadata:\n            labels: {created-for: '{{request.object.metadata.name}}'}\n          spec: {podSelector: {}, policyTypes: [Ingress]}\n";
    const appSet = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: apps}\nspec:\n  goTemplate: true\n  template:\n    metadata:\n      name: '{{.path.basename}}'\n      labels: {team: '{{.team}}'}\n    spec: {project: default}\n";
    for (const text of [kyverno, appSet]) assert.deepEqual(parseFile(`${ROOT}/x.yaml`, text).findings, []);
  });
});

describe('missing-dns-egress on generated policies (netpol-analyzer acs_security_frontend_demos: ACS on OpenShift)', () => {
  const withoutRoute = () => fixture('acs-frontend.yaml').split('\n---\n').filter((d) => !d.includes('kind: Route')).join('\n---\n');
  const dnsOf = (findings: Diagnostic[], workload: string) => byRule(findings, 'missing-dns-egress').filter((d) => d.message.includes(workload));

  it('UDP 5353 to every namespace reaches OpenShift\'s DNS pods: with a Route in the files only the TCP fallback is missing (information)', () => {
    const webapp = dnsOf(analyse({ 'acs.yaml': fixture('acs-frontend.yaml') }), 'frontend/webapp');
    assert.ok(webapp.length > 0);
    for (const d of webapp) {
      assert.equal(d.severity, 'information');
      assert.match(d.message, /DNS over TCP .*TCP fallback/);
    }
  });

  it('without OpenShift objects in the files the platform is unknown: a hint that says so, not a warning', () => {
    const webapp = dnsOf(analyse({ 'acs.yaml': withoutRoute() }), 'frontend/webapp');
    assert.ok(webapp.length > 0);
    for (const d of webapp) {
      assert.equal(d.severity, 'hint');
      assert.match(d.message, /on OpenShift lookups over UDP work; the files do not show whether the cluster runs OpenShift/);
    }
  });

  it('a pod whose own policy allows it no egress at all connects nowhere: information saying so, not a DNS warning', () => {
    const assetCache = dnsOf(analyse({ 'acs.yaml': fixture('acs-frontend.yaml') }), 'frontend/asset-cache');
    assert.ok(assetCache.length > 0);
    for (const d of assetCache) {
      assert.equal(d.severity, 'information');
      assert.match(d.message, /they can connect nowhere/);
    }
  });

  it('a namespace-wide deny alone still leaves its pods\' missing DNS a warning (the online boutique deny-all kind)', () => {
    const text = fixture('acs-frontend.yaml').split('\n---\n').filter((d) => !d.includes('name: asset-cache-netpol')).join('\n---\n');
    const assetCache = dnsOf(analyse({ 'acs.yaml': text }), 'frontend/asset-cache');
    assert.equal(assetCache.length, 1);
    assert.equal(assetCache[0].severity, 'warning');
    assert.match(assetCache[0].message, /name lookups will fail/);
  });
});

describe('calico-selector-matches-nothing speaks with evidence (NCA Calico demo)', () => {
  const pod = (namespace: string, app: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${app}, namespace: ${namespace}, labels: {app: ${app}}}\nspec: {containers: [{name: c, image: i}]}\n`;

  it('a policy for a namespace with no workloads in the files: a hint saying its pods are unknown, not a warning', () => {
    const found = byRule(analyse({ 'p.yaml': fixture('calico-cnc-fe.yaml'), 'pod.yaml': pod('cnc-kt', 'kt') }), 'calico-selector-matches-nothing');
    assert.equal(found.length, 1);
    assert.equal(found[0].severity, 'hint');
    assert.match(found[0].message, /matches no pod in the files, but namespace cnc-fe has no workloads in the files/);
  });

  it('where the files hold the namespace\'s workloads, a selector that matches none of them stays a warning', () => {
    const text = fixture('calico-cnc-fe.yaml').replace(/^spec:\n/m, "spec:\n  selector: app == 'evaluation'\n");
    const found = byRule(analyse({ 'p.yaml': text, 'pod.yaml': pod('cnc-fe', 'frontend') }), 'calico-selector-matches-nothing');
    assert.deepEqual(found.map((d) => d.severity), ['warning']);
  });

  it('a GlobalNetworkPolicy reaches namespaces the files do not show: a hint', () => {
    const gnp = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: g}\nspec:\n  selector: vendor.role == 'worker_public'\n  types: [Ingress]\n";
    const found = byRule(analyse({ 'g.yaml': gnp, 'pod.yaml': pod('cnc-fe', 'frontend') }), 'calico-selector-matches-nothing');
    assert.deepEqual(found.map((d) => d.severity), ['hint']);
    assert.match(found[0].message, /pods of namespaces the files do not show are unknown/);
  });
});

describe('port-not-exposed names ports, not whole protocols (netpol-analyzer with_end_port_example)', () => {
  it('a range over every port (1-65535) is no claim about a port: nothing to report', () => {
    assert.deepEqual(byRule(analyse({ 'p.yaml': fixture('end-port-all.yaml') }), 'port-not-exposed'), []);
  });

  it('a narrower range that no pod declares still is reported', () => {
    const text = fixture('end-port-all.yaml').replace('port: 1\n          endPort: 65535\n          protocol: UDP', 'port: 5000\n          endPort: 5100\n          protocol: UDP');
    const found = byRule(analyse({ 'p.yaml': text }), 'port-not-exposed');
    assert.equal(found.length, 1);
    assert.match(found[0].message, /a UDP port in 5000-5100/);
  });
});

describe('cilium-selector-matches-nothing speaks with evidence (cilium-cli connectivity manifests)', () => {
  const pod = (namespace: string, kind: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${kind}, namespace: ${namespace}, labels: {kind: ${kind}}}\nspec: {containers: [{name: c, image: i}]}\n`;

  it('a clusterwide policy for a namespace with no workloads in the files: a hint saying its pods are unknown', () => {
    const found = byRule(analyse({ 'p.yaml': fixture('cilium-ccnp-specific-ns.yaml'), 'client.yaml': pod('cilium-test', 'client') }), 'cilium-selector-matches-nothing');
    assert.deepEqual(found.map((d) => d.severity), ['hint']);
    assert.match(found[0].message, /namespace cilium-test-ccnp1 has no workloads in the files/);
  });

  it('where the files hold that namespace\'s workloads and none matches, it stays a warning', () => {
    const found = byRule(analyse({ 'p.yaml': fixture('cilium-ccnp-specific-ns.yaml'), 'client.yaml': pod('cilium-test-ccnp1', 'client') }), 'cilium-selector-matches-nothing');
    assert.deepEqual(found.map((d) => d.severity), ['warning']);
  });
});

describe('workload-unreachable counts cluster-wide allows (netpol-analyzer anp_test_2_allow_traffic_at_cluster_level)', () => {
  it('an AdminNetworkPolicy Allow from another namespace reaches a pod its namespace\'s NetworkPolicy isolates: nothing to report', () => {
    const findings = analyse({ 'anp.yaml': fixture('anp-cluster-allow.yaml') });
    assert.deepEqual(byRule(findings, 'workload-unreachable'), []);
  });

  it('without the AdminNetworkPolicy the pod is unreachable, and says so', () => {
    const text = fixture('anp-cluster-allow.yaml').split('\n---\n').filter((d) => !d.includes('kind: AdminNetworkPolicy')).join('\n---\n');
    const found = byRule(analyse({ 'anp.yaml': text }), 'workload-unreachable');
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^Nothing can reach foo-ns-1\/foo on TCP 5698/);
  });
});

describe('rules that read NetworkPolicies alone leave pods that a Calico Allow admits (NCA Calico testcase26)', () => {
  it('a Calico allow-all admits what the namespace\'s default deny denies: no workload-unreachable, no metrics-scrape-blocked', () => {
    const findings = analyse({ 'bookinfo.yaml': fixture('calico-allow-all-istio-pod.yaml') });
    assert.deepEqual(byRule(findings, 'workload-unreachable'), []);
    assert.deepEqual(byRule(findings, 'metrics-scrape-blocked'), []);
  });

  it('without the Calico policy both are found', () => {
    const text = fixture('calico-allow-all-istio-pod.yaml').split('\n---\n').filter((d) => !d.includes('GlobalNetworkPolicy')).join('\n---\n');
    const findings = analyse({ 'bookinfo.yaml': text });
    assert.equal(byRule(findings, 'workload-unreachable').length, 1);
    assert.equal(byRule(findings, 'metrics-scrape-blocked').length, 1);
  });
});

describe('missing-dns-egress in policy-only repositories reads OpenShift\'s DNS too', () => {
  it('a namespace-wide egress isolation whose rules allow UDP 5353 everywhere: a hint saying the platform is unknown', () => {
    const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: frontend}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - ports: [{port: 5353, protocol: UDP}]\n      to: [{namespaceSelector: {}}]\n';
    const found = byRule(analyse({ 'p.yaml': policy }), 'missing-dns-egress');
    assert.deepEqual(found.map((d) => d.severity), ['hint']);
    assert.match(found[0].message, /every pod in namespace frontend.*on OpenShift lookups over UDP work/);
  });
});
