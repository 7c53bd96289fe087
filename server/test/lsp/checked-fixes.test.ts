// Code actions over the protocol offer only the quick fixes that the engine's check lets through (edit-check.ts):
// a fix that would add a warning is not offered, one that isolates workloads says so in its title, and the
// did-you-mean fix of named-port-not-found edits one value in place.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import type { ExplainTrafficResult } from '../../src/lsp/protocol';
import { snippetDefaults } from '../../src/lsp/generated-check';
import { applyTextEdits, editsFor, LspTestClient } from './client';

const SHOP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`;

const JOBS = `apiVersion: v1
kind: Pod
metadata: {name: worker, namespace: jobs, labels: {app: worker}}
spec: {containers: [{name: worker, image: worker}]}
`;

const POLICY = `apiVersion: v1
kind: Pod
metadata: {name: blog, namespace: blog, labels: {app: blog}}
spec: {containers: [{name: blog, image: blog, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: blog, namespace: blog}
spec:
  podSelector: {matchLabels: {app: blog}}
  ingress:
    - ports:
        - port: htpp # the web port
`;

describe('code actions offer only the fixes the engine checked', () => {
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-checked-fixes-'));
    fs.writeFileSync(path.join(dir, 'shop.yaml'), SHOP);
    fs.writeFileSync(path.join(dir, 'jobs.yaml'), JOBS);
    fs.writeFileSync(path.join(dir, 'policy.yaml'), POLICY);
    client = await LspTestClient.start(dir);
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const actionsFor = async (file: string, code: string): Promise<{ diagnostic: Diagnostic; actions: CodeAction[] }> => {
    const uri = client.uri(file);
    const diagnostic = (client.diagnostics.get(uri)?.diagnostics ?? []).find((d) => d.code === code);
    assert.ok(diagnostic, `${code} in ${file}: ${JSON.stringify(client.diagnostics.get(uri)?.diagnostics.map((d) => d.code))}`);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    // The finding's quick fixes (refactorings of the policy under the cursor come beside them).
    return { diagnostic, actions: actions.filter((a) => a.kind === 'quickfix') };
  };

  test('a default deny that would leave a Service without clients (workload-unreachable) is not offered', async () => {
    const { actions } = await actionsFor('shop.yaml', 'namespace-without-default-deny');
    assert.deepEqual(actions.map((a) => a.title), []);
  });

  test('a default deny that isolates a workload names it and what it loses in its title', async () => {
    const { actions } = await actionsFor('jobs.yaml', 'namespace-without-default-deny');
    const titles = actions.map((a) => a.title);
    assert.ok(titles.length >= 1, JSON.stringify(titles));
    assert.match(titles[0], /^Add a default-deny ingress policy for namespace jobs: isolates jobs\/worker for ingress, losing blog\/blog, shop\/web, outside the cluster$/);
    const both = titles.find((t) => t.includes('ingress and egress'));
    assert.ok(both, JSON.stringify(titles));
    assert.match(both, /DNS still allowed/);
    assert.match(both, /jobs\/worker for egress/);
  });

  test('named-port-not-found offers the declared name it probably means, as a one-value edit keeping the comment', async () => {
    const { actions } = await actionsFor('policy.yaml', 'named-port-not-found');
    assert.deepEqual(actions.map((a) => a.title), ['Replace "htpp" with "http"']);
    const uri = client.uri('policy.yaml');
    const edits = editsFor(actions[0].edit!, uri);
    assert.equal(edits.length, 1);
    assert.equal(applyTextEdits(POLICY, edits), POLICY.replace('port: htpp # the web port', 'port: http # the web port'));
  });
});

const CANARY = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-canary, namespace: shop, labels: {app: web, track: canary}}
spec: {containers: [{name: web, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: postgres, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: web}
    matchExpressions: [{key: track, operator: DoesNotExist}]
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
`;

describe('Explain Traffic: the change keeps DNS for pods it newly isolates for egress', () => {
  let dir: string;
  let client: LspTestClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-explain-dns-'));
    fs.writeFileSync(path.join(dir, 'shop.yaml'), CANARY);
    client = await LspTestClient.start(dir);
  });
  after(async () => {
    await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('web -> db: no label of web leaves out the canary, so the egress policy selects both and allows DNS too', async () => {
    const result = await client.request<ExplainTrafficResult>('netpol/explainTraffic', { from: 'shop/web', to: 'shop/db', port: 5432 });
    assert.ok(result.found && !result.allowed);
    assert.equal(result.changes.length, 1);
    const [change] = result.changes;
    assert.equal(change.direction, 'egress');
    assert.match(change.yaml, /podSelector:\n {4}matchLabels:\n {6}app: web\n/);
    assert.match(change.yaml, /k8s-app: kube-dns/, 'the DNS rule is part of the change');
    assert.deepEqual(result.check?.newFindings, []);
    assert.deepEqual(result.check?.newlyIsolated.map((i) => `${i.workload} ${i.direction}`), ['shop/web-canary egress']);
    assert.match(result.check!.summary, /^Newly isolates shop\/web-canary for egress, losing /);
  });
});

describe('snippetDefaults: a template as inserted when the author tabs through', () => {
  test('first choices, placeholders, escapes; bare tab stops vanish', () => {
    assert.equal(snippetDefaults('name: ${1:allow-web}\nns: ${2|shop,other|}\nport: ${3|80\\,81,90|}\nkey: \\$HOME\n$0'), 'name: allow-web\nns: shop\nport: 80,81\nkey: $HOME\n');
  });
});
