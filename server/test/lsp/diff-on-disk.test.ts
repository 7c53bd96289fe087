// The what-if diff with a base given partly as URIs (`baseFilesOnDisk`): files that are the same at the base as on
// disk are not sent as text, and the server takes them from its index or, when an editor holds other text, from disk.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ReachabilityDiffParams, ReachabilityDiffResult } from '../../src/lsp/protocol';
import { LspTestClient, rangeOf } from './client';

const deployment = (name: string, namespace: string, app: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  selector:',
    '    matchLabels:',
    `      app: ${app}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: ${app}`,
    '    spec:',
    '      containers:',
    '        - name: c',
    '          image: nginx',
    '',
  ].join('\n');

const ingressPolicy = (name: string, namespace: string, app: string, from: string, port: number) =>
  [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    `      app: ${app}`,
    '  policyTypes:',
    '    - Ingress',
    '  ingress:',
    '    - from:',
    '        - namespaceSelector: {}',
    '          podSelector:',
    '            matchLabels:',
    `              app: ${from}`,
    '      ports:',
    '        - protocol: TCP',
    `          port: ${port}`,
    '',
  ].join('\n');

const denyAll = (namespace: string) =>
  ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: default-deny', `  namespace: ${namespace}`, 'spec:', '  podSelector: {}', '  policyTypes:', '    - Ingress', ''].join('\n');

const documents = (...texts: string[]) => texts.join('---\n');

/** The working tree on disk: three namespaces with workloads and ingress policies. */
const WORKSPACE: Record<string, string> = {
  'namespaces.yaml': documents(...['shop', 'billing', 'monitoring'].map((n) => ['apiVersion: v1', 'kind: Namespace', 'metadata:', `  name: ${n}`, ''].join('\n'))),
  'shop/workloads.yaml': documents(deployment('web', 'shop', 'web'), deployment('api', 'shop', 'api'), deployment('db', 'shop', 'db')),
  'shop/policies.yaml': documents(denyAll('shop'), ingressPolicy('api-from-web', 'shop', 'api', 'web', 9090), ingressPolicy('db-from-api', 'shop', 'db', 'api', 5432)),
  'shop/cache.yaml': deployment('cache', 'shop', 'cache'),
  'billing/workloads.yaml': documents(deployment('ledger', 'billing', 'ledger'), deployment('invoices', 'billing', 'invoices')),
  'billing/policies.yaml': documents(denyAll('billing'), ingressPolicy('ledger-from-api', 'billing', 'ledger', 'api', 8080), ingressPolicy('invoices-from-ledger', 'billing', 'invoices', 'ledger', 7070)),
  'monitoring/workloads.yaml': deployment('prometheus', 'monitoring', 'prometheus'),
};

/**
 * The base version: shop's policies differ (api-from-web also allowed 8443, web-from-prometheus existed), a Pod
 * `legacy` existed in a file since deleted, and `shop/cache.yaml` did not exist. Everything else is as on disk.
 */
const BASE_TEXTS: Record<string, string> = {
  'shop/policies.yaml': documents(
    denyAll('shop'),
    ingressPolicy('api-from-web', 'shop', 'api', 'web', 9090).replace('          port: 9090\n', '          port: 9090\n        - protocol: TCP\n          port: 8443\n'),
    ingressPolicy('db-from-api', 'shop', 'db', 'api', 5432),
    ingressPolicy('web-from-prometheus', 'shop', 'web', 'prometheus', 8080),
  ),
  'billing/legacy.yaml': ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: legacy', '  namespace: billing', '  labels:', '    app: legacy', 'spec:', '  containers:', '    - name: c', '      image: nginx', ''].join('\n'),
};
const ON_DISK = ['namespaces.yaml', 'shop/workloads.yaml', 'billing/workloads.yaml', 'billing/policies.yaml', 'monitoring/workloads.yaml'];

describe('reachability diff with base files on disk', () => {
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-diff-on-disk-'));
    for (const [relative, text] of Object.entries(WORKSPACE)) {
      fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
      fs.writeFileSync(path.join(dir, relative), text);
    }
    client = await LspTestClient.start(dir);
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const diff = (params: Partial<ReachabilityDiffParams>) => client.request<ReachabilityDiffResult>('netpol/reachabilityDiff', { baseFiles: [], baseLabel: 'HEAD', ...params });
  /** The whole base as texts, the form a client sends without `baseFilesOnDisk`, in file name order. */
  const allTexts = () =>
    [...ON_DISK.map((name) => ({ name, text: client.read(name) })), ...Object.entries(BASE_TEXTS).map(([name, text]) => ({ name, text }))]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(({ name, text }) => ({ uri: client.uri(name), text }));
  const changedTexts = () => Object.entries(BASE_TEXTS).map(([name, text]) => ({ uri: client.uri(name), text }));
  const onDiskUris = () => ON_DISK.map((name) => client.uri(name));

  test('files on disk give the same result as the same base sent as texts', async () => {
    const asTexts = await diff({ baseFiles: allTexts() });
    // Not an empty comparison: every kind of change, causes located in the base and in the working tree.
    assert.deepEqual(asTexts.counts, { added: 0, removed: 1, changed: 1, appeared: 1, disappeared: 1 });
    assert.deepEqual(
      asTexts.changes.map((c) => `${c.kind} ${c.from} -> ${c.to}: ${c.causes.map((k) => `${k.policy} ${k.change}`).join(', ')}`),
      ['removed monitoring/prometheus -> shop/web: shop/web-from-prometheus deleted', 'changed shop/web -> shop/api: shop/api-from-web modified'],
    );
    assert.deepEqual([...asTexts.workloadsAdded, ...asTexts.workloadsRemoved].map((w) => `${w.name} ${w.inBase}`), ['shop/cache false', 'billing/legacy true']);
    const onDisk = await diff({ baseFiles: changedTexts(), baseFilesOnDisk: onDiskUris() });
    assert.deepEqual(onDisk, asTexts);
  });

  test('a listed file that does not exist is not part of the base', async () => {
    const without = await diff({ baseFiles: changedTexts(), baseFilesOnDisk: onDiskUris() });
    const withMissing = await diff({ baseFiles: changedTexts(), baseFilesOnDisk: [...onDiskUris(), client.uri('billing/gone.yaml'), 'untitled:Untitled-1'] });
    assert.deepEqual(withMissing, without);
  });

  test('a file on disk that the index has not read is left out of the base too: it is in neither version (issue 21)', async () => {
    const without = await diff({ baseFiles: changedTexts(), baseFilesOnDisk: onDiskUris() });
    // Written after the index, with no file event: the workspace does not hold it. Read into the base alone, its
    // workloads would be reported as disappeared (and every connection they had evaluated).
    fs.mkdirSync(path.join(dir, 'late'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'late', 'workloads.yaml'), documents(deployment('late-a', 'shop', 'late-a'), deployment('late-b', 'billing', 'late-b')));
    try {
      const withUnread = await diff({ baseFiles: changedTexts(), baseFilesOnDisk: [...onDiskUris(), client.uri('late/workloads.yaml')] });
      assert.deepEqual(withUnread, without);
      assert.ok(!withUnread.workloadsRemoved.some((w) => w.name.includes('late')));
    } finally {
      fs.rmSync(path.join(dir, 'late'), { recursive: true, force: true });
    }
  });

  test('the result counts per policy the connections its change decides, and says changed rows in words (issue 21)', async () => {
    const result = await diff({ baseFiles: changedTexts(), baseFilesOnDisk: onDiskUris() });
    assert.deepEqual(
      result.policies.map((p) => `${p.policy} ${p.change} +${p.added} −${p.removed} ~${p.changed} inBase=${p.inBase}`),
      ['shop/web-from-prometheus deleted +0 −1 ~0 inBase=true', 'shop/api-from-web modified +0 −0 ~1 inBase=false'],
    );
    assert.deepEqual(
      result.changes.map((c) => `${c.from} -> ${c.to}: ${c.summary}; ${c.causes.map((x) => `${x.policy} decides=${x.decides}`).join(', ')}`),
      ['monitoring/prometheus -> shop/web: now nothing (was TCP 8080); shop/web-from-prometheus decides=true', 'shop/web -> shop/api: now only TCP 9090; shop/api-from-web decides=true'],
    );
  });

  test('an open document with unsaved text is compared with its text on disk, and its deleted policy located there', async () => {
    const uri = client.uri('billing/policies.yaml');
    const disk = client.read('billing/policies.yaml');
    // Unsaved: a line above everything (base positions must come from the disk text), ledger-from-api moved to
    // 8081, invoices-from-ledger deleted.
    const unsaved =
      '# unsaved\n' +
      disk
        .replace('port: 8080', 'port: 8081')
        .split(/^---\n/m)
        .filter((d) => !d.includes('name: invoices-from-ledger'))
        .join('---\n');
    client.open(uri, unsaved);
    try {
      const onDisk = await diff({ baseFiles: changedTexts(), baseFilesOnDisk: onDiskUris() });
      assert.deepEqual(
        onDisk.changes.map((c) => `${c.kind} ${c.from} -> ${c.to}: ${c.causes.map((k) => `${k.policy} ${k.change}`).join(', ')}`),
        [
          'removed billing/ledger -> billing/invoices: billing/invoices-from-ledger deleted',
          'removed monitoring/prometheus -> shop/web: shop/web-from-prometheus deleted',
          'changed shop/api -> billing/ledger: billing/ledger-from-api modified',
          'changed shop/web -> shop/api: shop/api-from-web modified',
        ],
      );
      // The same as sending the disk text of the open file.
      const asText = await diff({ baseFiles: [...changedTexts(), { uri, text: disk }], baseFilesOnDisk: onDiskUris().filter((u) => u !== uri) });
      assert.deepEqual(onDisk, asText);

      // The deleted policy is located in its base version, the file on disk.
      const deleted = onDisk.changes.flatMap((c) => c.causes).find((c) => c.policy === 'billing/invoices-from-ledger');
      assert.ok(deleted);
      assert.equal(deleted.inBase, true);
      assert.deepEqual(deleted.location, { uri, range: rangeOf(disk, 'invoices-from-ledger') });
      assert.deepEqual(deleted.location.range.start, { line: 34, character: 8 });
    } finally {
      client.close(uri);
    }
  });
});
