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

test('convert --to cilium: one CiliumNetworkPolicy per NetworkPolicy, after a comment naming its source; not exact ones say why', async () => {
  const npFile = join(dir, 'np.yaml');
  writeFileSync(npFile, `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: odd, namespace: shop}
spec:
  podSelector: {matchLabels: {io.kubernetes.pod.namespace: shop}}
`);
  const run = await runCaptured(['convert', '--to', 'cilium', npFile]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^# from NetworkPolicy shop\/db \(.*np\.yaml:1:1\)\napiVersion: cilium\.io\/v2\nkind: CiliumNetworkPolicy\n/);
  assert.match(run.stdout, /fromEndpoints:\n {8}- matchLabels:\n {12}app: api\n {6}toPorts:\n {8}- ports:\n {12}- port: "5432"\n {14}protocol: TCP\n/);
  assert.match(run.stdout, /---\n# from NetworkPolicy shop\/odd .*\n# not exact: spec\.podSelector uses the key io\.kubernetes\.pod\.namespace/);
  assert.match(run.stderr, /2 NetworkPolicies converted, 1 not exactly/);
});
