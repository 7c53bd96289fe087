// The requests that let the VS Code client hold no server code (protocol.ts): the policies the insert commands
// insert (netpol/policyText, written by the server's YAML writer) and the files of the index for the git base of the
// reachability diff (netpol/workspaceFiles, netpol/indexAccepts), with the server's own rules: workspace folders,
// files.exclude, netpol.exclude and the size limit.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IndexedFile, PolicyTextParams, PolicyTextResult } from '../../src/lsp/protocol';
import { LspTestClient } from './client';

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  '  namespace: shop',
  'spec:',
  '  selector:',
  '    matchLabels:',
  '      app: web',
  '  template:',
  '    metadata:',
  '      labels:',
  '        app: web',
  '    spec:',
  '      containers:',
  '        - name: c',
  '          image: nginx',
  '          ports:',
  '            - containerPort: 8443',
  '',
].join('\n');

const WORKSPACE: Record<string, string> = {
  'namespaces.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: billing\n',
  'shop/web.yaml': deployment,
  'charts/chart.yaml': deployment.replace('name: web', 'name: chart'),
  'tmp/scratch.yaml': deployment.replace('name: web', 'name: scratch'),
  'big.yaml': `# ${'x'.repeat(3000)}\n${deployment.replace('name: web', 'name: big')}`,
  'README.md': '# not a manifest\n',
  '.netpol.yaml': 'dns:\n  ports: [5353]\n',
};

describe('requests of the VS Code client', () => {
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-client-requests-'));
    for (const [relative, text] of Object.entries(WORKSPACE)) {
      fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
      fs.writeFileSync(path.join(dir, relative), text);
    }
    client = await LspTestClient.start(dir, { settings: { netpol: { exclude: ['charts/**'], maxFileSize: 2000 }, files: { exclude: { 'tmp/**': true } } } });
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const relative = (files: IndexedFile[]) => files.map((f) => path.relative(dir, f.fsPath).split(path.sep).join('/')).sort();

  test('workspaceFiles lists what the index reads: excluded, too large and non-manifest files left out', async () => {
    const files = await client.request<IndexedFile[]>('netpol/workspaceFiles');
    assert.deepEqual(relative(files), ['.netpol.yaml', 'namespaces.yaml', 'shop/web.yaml']);
    for (const f of files) assert.equal(f.uri, client.uri(path.relative(dir, f.fsPath)));
  });

  test('workspaceFiles lists a file created since the index (read from disk now)', async () => {
    fs.writeFileSync(path.join(dir, 'shop/new.yaml'), deployment.replace('name: web', 'name: new'));
    try {
      assert.ok(relative(await client.request<IndexedFile[]>('netpol/workspaceFiles')).includes('shop/new.yaml'));
    } finally {
      fs.rmSync(path.join(dir, 'shop/new.yaml'));
    }
  });

  test('indexAccepts keeps the paths the index would read, whether or not they exist', async () => {
    const paths = ['shop/deleted.yaml', 'charts/deleted.yaml', 'tmp/deleted.yml', 'README.md', 'shop/.netpol.yaml', '.netpol.yaml'].map((p) => path.join(dir, p));
    const outside = path.join(os.tmpdir(), 'elsewhere', 'policy.yaml');
    const accepted = await client.request<string[]>('netpol/indexAccepts', { paths: [...paths, outside] });
    assert.deepEqual(accepted.map((p) => path.relative(dir, p)), ['shop/deleted.yaml', '.netpol.yaml']);
  });

  const policyText = async (params: PolicyTextParams) => (await client.request<PolicyTextResult>('netpol/policyText', params)).snippet;

  test('policyText writes default-deny and allow-DNS policies with the workspace DNS settings, escaped for a snippet', async () => {
    assert.equal(
      await policyText({ policy: 'default-deny', direction: 'ingress', includeDns: true, namespace: 'shop' }),
      ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: default-deny-ingress', '  namespace: shop', 'spec:', '  podSelector: {\\}', '  policyTypes:', '    - Ingress', ''].join('\n'),
    );
    const allowDns = await policyText({ policy: 'allow-dns', namespace: 'billing$x' });
    assert.match(allowDns, /^ {2}namespace: billing\\\$x$/m, 'snippet syntax escaped');
    assert.match(allowDns, /port: 5353/, 'DNS port from .netpol.yaml');
    assert.doesNotMatch(allowDns, /port: 53\n/);
  });

  test('policyText fills templates in from the workspace: namespaces, labels and declared ports as choices', async () => {
    const snippet = await policyText({ policy: 'template', template: 'allow-to-port', namespace: 'shop' });
    assert.match(snippet, /^ {2}name: \$\{1:allow-port-8443\}$/m);
    assert.match(snippet, /^ {6}\$\{3:app\}: \$\{4:web\}$/m);
    assert.match(snippet, /port: \$\{6:8443\}/);
    await assert.rejects(policyText({ policy: 'template', template: 'no-such-template' as 'allow-to-port', namespace: 'shop' }), /unknown template/);
  });
});
