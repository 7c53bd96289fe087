// Code actions over the protocol offer only the quick fixes that the engine's check lets through (edit-check.ts):
// a fix that would add a warning is not offered, one that isolates workloads says so in its title, and the
// did-you-mean fix of named-port-not-found edits one value in place.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
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
    return { diagnostic, actions };
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
