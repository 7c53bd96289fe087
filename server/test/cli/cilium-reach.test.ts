// `netpol reach` under Cilium: the verdict names kind → policy → rule, deny over allow, L7 filtering.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCaptured } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'netpol-cilium-'));
const file = join(dir, 'app.yaml');
writeFileSync(file, `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: web}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: api, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  ingress:
    - fromEndpoints: [{matchLabels: {app: web}}]
      toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET}]}}]
  ingressDeny:
    - fromEndpoints: [{matchLabels: {app: web}}]
      toPorts: [{ports: [{port: "9090", protocol: TCP}]}]
`);

test('reach under Cilium: allowed at L4 and filtered at L7, naming the CiliumNetworkPolicy and its rule', async () => {
  const run = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/api', '--port', '8080/TCP', file]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ALLOWED: shop\/web -> shop\/api on 8080\/TCP/);
  assert.match(run.stdout, /ingress of shop\/api: allowed by CiliumNetworkPolicy shop\/api → ingress rule 1; allowed at L4, filtered at L7 \(http rules\) \(.*app\.yaml:\d+:\d+\)/);
});

test('reach under Cilium: a deny rule drops, named; another port falls to the default deny', async () => {
  const deny = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/api', '--port', '9090/TCP', file]);
  assert.match(deny.stdout, /^DENIED: shop\/web -> shop\/api on 9090\/TCP/);
  assert.match(deny.stdout, /ingress of shop\/api: denied by CiliumNetworkPolicy shop\/api → ingressDeny rule 1 \(a deny rule beats every allow\)/);
  const other = await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/api', '--port', '7000/TCP', file]);
  assert.match(other.stdout, /ingress of shop\/api: denied by default: no allow rule matches, and CiliumNetworkPolicy shop\/api makes the ingress default-deny/);
  assert.equal(other.code, 0);
  const json = JSON.parse((await runCaptured(['reach', '--from', 'shop/web', '--to', 'shop/api', '--port', '8080/TCP', '--format', 'json', file])).stdout);
  assert.deepEqual([json.allowed, json.ingress.cilium.l7], [true, ['http']]);
});
