// Robustness of the real server over stdio (`netpol lsp --stdio`): hostile files on disk and in open editors, an
// alias bomb and deep nesting, a 100 MB file, cancelled requests, and a checkout-like storm of file changes on
// disk. After each, the server must still answer (a hover, a status request, a diagnostics round-trip), and the
// diagnostics must match what is on disk. Inputs are generated at run time into temporary folders.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource, LSPErrorCodes, type Diagnostic, type Hover } from 'vscode-languageserver-protocol';
import { LspTestClient, rangeOf } from './client';

const WITNESS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: witness
  namespace: shop
spec:
  template:
    metadata:
      labels: {app: witness}
    spec:
      containers:
        - name: web
          ports: [{containerPort: 8080, name: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: witness-ingress
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: witness}
  ingress:
    - ports: [{port: http}]
`;

/** A policy whose podSelector selects nothing: a diagnostic the server must publish for the file. */
function orphanPolicy(name: string): string {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels: {app: ghost-${name}}\n`;
}

/** A clean policy (selects the witness pods). */
function cleanPolicy(name: string): string {
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels: {app: witness}\n  ingress:\n    - ports: [{port: 8080}]\n`;
}

function aliasBomb(): string {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) {
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  }
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`;
}

const deepFlow = (n: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ${'['.repeat(n)}${']'.repeat(n)}\n`;
const deepBlock = (n: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  ${'- '.repeat(n)}x\n`;

function binaryBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + 13) % 256;
  return bytes;
}

const HOSTILE_TEXTS: Record<string, string> = {
  'broken.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: [unclosed\n',
  'half-typed.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: half\n  namespace: shop\nspec:\n  podSelector:\n    matchLab',
  'duplicate-keys.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n',
  'tabs.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n\tname: a\n',
  'crlf.yaml': orphanPolicy('crlf').replace(/\n/g, '\r\n'),
  'bom.yaml': `\uFEFF${orphanPolicy('bom')}`,
  'policy.json': JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'json', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'ghost-json' } } } }, null, 2),
  'helm.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  podSelector: {{ toYaml .Values.sel }}\n',
  'wrong-shape.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: shapes, namespace: shop}\nspec:\n  podSelector: 7\n  ingress:\n    - ports: "80"\n    - ports: [{port: 70000, protocol: HTTP}]\n    - from: [{ipBlock: {}}]\n',
  'null-spec.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: nothing, namespace: shop}\nspec: null\n',
  'garbage-list.yaml': 'apiVersion: v1\nkind: List\nitems: [5, null, "x", [1], {kind: NetworkPolicy}]\n',
  'bomb.yaml': aliasBomb(),
  'deep-flow.yaml': deepFlow(10_000),
  'deep-block.yaml': deepBlock(10_000),
  // 20,000 nested flow maps once made V8 abort the whole process inside the yaml parser (after a smaller one).
  'braces-small.yaml': `a: ${'{{'.repeat(5_000)}\n`,
  'braces.yaml': `a: ${'{{'.repeat(20_000)}\n`,
  'proto.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: proto, namespace: shop, labels: {__proto__: x, constructor: y}}\nspec: {containers: [{name: c}]}\n',
};

describe('netpol lsp --stdio with hostile files', () => {
  let dir: string;
  let client: LspTestClient;
  let indexMs = 0;
  const witnessUri = () => client.uri('witness.yaml');

  /** The server still answers: a hover on the witness policy's podSelector. */
  async function assertResponsive(what: string): Promise<number> {
    const started = performance.now();
    const hover = await client.request<Hover | null>('textDocument/hover', {
      textDocument: { uri: witnessUri() },
      position: rangeOf(WITNESS, 'podSelector').start,
    });
    const elapsed = performance.now() - started;
    assert.ok(hover, `a hover answer after ${what}`);
    const status = await client.request<{ indexed: boolean }>('netpol/status');
    assert.equal(status.indexed, true);
    return elapsed;
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-hostile-'));
    fs.writeFileSync(path.join(dir, 'witness.yaml'), WITNESS);
    for (const [name, text] of Object.entries(HOSTILE_TEXTS)) fs.writeFileSync(path.join(dir, name), text);
    fs.writeFileSync(path.join(dir, 'binary.yaml'), binaryBytes(64 * 1024));
    fs.writeFileSync(path.join(dir, 'invalid-utf8.yaml'), Buffer.concat([Buffer.from(orphanPolicy('bytes')), Buffer.from('# \xff\xfe broken: '), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0a])]));
    fs.mkdirSync(path.join(dir, 'overlay'));
    fs.writeFileSync(path.join(dir, 'overlay', 'kustomization.yaml'), 'resources: [../witness.yaml]\npatches:\n  - path: patch.yaml\n');
    fs.writeFileSync(path.join(dir, 'overlay', 'patch.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: witness-ingress\nspec:\n  ingress: null\n');
    // Things a walker can hang on: a symbolic link cycle, a link to an endless device, a named pipe (reading it
    // blocks until someone writes).
    fs.symlinkSync(dir, path.join(dir, 'loop'));
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.yaml'));
    fs.symlinkSync(path.join(dir, 'witness.yaml'), path.join(dir, 'linked.yaml'));
    spawnSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    // 100 MB of valid manifests: refused by size (default 5 MB) without being read into the analysis.
    const chunk = `${orphanPolicy('huge')}---\n`;
    const fd = fs.openSync(path.join(dir, 'huge.yaml'), 'w');
    const block = chunk.repeat(Math.ceil((1024 * 1024) / chunk.length));
    for (let written = 0; written < 100 * 1024 * 1024; written += block.length) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const started = performance.now();
    client = await LspTestClient.start(dir, { timeoutMs: 120_000 });
    indexMs = performance.now() - started;
  });

  after(async () => {
    if (client) assert.equal(await client.shutdown(), 0, 'a clean exit after all of it');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('indexing a folder of hostile files finishes, and the server answers', async (t) => {
    t.diagnostic(`start to indexComplete with a 100 MB file, an alias bomb and 10k-deep documents on disk: ${indexMs.toFixed(0)} ms`);
    t.diagnostic(`hover after indexing: ${(await assertResponsive('indexing')).toFixed(0)} ms`);
    assert.doesNotMatch(client.stderr, /uncaught|RangeError|TypeError/i, 'nothing escaped to stderr');
    assert.ok(!client.logs.some((l) => /failed|uncaught/i.test(l)), `no failure in the log:\n${client.logs.filter((l) => /failed|uncaught/i.test(l)).join('\n')}`);
  });

  test('symbolic link cycles, devices and named pipes do not hang the indexer', async () => {
    assert.ok(fs.existsSync(path.join(dir, 'pipe.yaml')), 'mkfifo made the pipe');
    const status = await client.request<{ files: number; indexed: boolean }>('netpol/status');
    assert.equal(status.indexed, true);
    assert.ok(!client.diagnostics.has(client.uri('loop/witness.yaml')), 'the link cycle is not followed');
  });

  test('the 100 MB file is refused by size with a diagnostic, not analysed', async () => {
    const diagnostics = await client.waitForDiagnostics(client.uri('huge.yaml'), (d) => d.length > 0, { timeoutMs: 30_000 });
    assert.deepEqual(diagnostics.map((d) => d.code), ['file-too-large']);
  });

  test('files that fail to parse get their errors; well-formed hostile encodings are analysed', async () => {
    const codesOf = async (name: string) => (await client.waitForDiagnostics(client.uri(name), (d) => d.length > 0, { timeoutMs: 20_000 })).map((d) => String(d.code));
    for (const name of ['broken.yaml', 'duplicate-keys.yaml', 'tabs.yaml', 'deep-flow.yaml', 'deep-block.yaml', 'bomb.yaml', 'braces.yaml']) {
      assert.ok((await codesOf(name)).includes('parse-error'), `${name} has a parse error`);
    }
    for (const name of ['crlf.yaml', 'bom.yaml', 'policy.json', 'invalid-utf8.yaml']) {
      assert.ok((await codesOf(name)).includes('selector-matches-nothing'), `${name} is analysed`);
    }
    assert.ok((await codesOf('helm.yaml')).includes('template-skipped'));
    assert.ok((await codesOf('wrong-shape.yaml')).length >= 3, 'the wrong shapes are reported');
  });

  test('CRLF, BOM and JSON diagnostics point at the right text', async () => {
    for (const [name, needle] of [['crlf.yaml', 'podSelector'], ['bom.yaml', 'podSelector'], ['policy.json', '"podSelector"']] as const) {
      const diagnostics = await client.waitForDiagnostics(client.uri(name), (d) => d.some((x) => x.code === 'selector-matches-nothing'));
      const d = diagnostics.find((x) => x.code === 'selector-matches-nothing')!;
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      const line = text.split('\n')[d.range.start.line];
      assert.ok(line.includes(needle.replace(/"/g, '')), `${name}: line ${d.range.start.line} "${line}"`);
    }
  });

  test('each hostile input opened in the editor gets a diagnostics round-trip, and the server answers after it', async (t) => {
    for (const [name, text] of Object.entries(HOSTILE_TEXTS)) {
      const uri = client.uri(`opened/${name}`);
      const mark = client.open(uri, text);
      const started = performance.now();
      await client.waitForCurrentDiagnostics(uri, mark, 30_000);
      const elapsed = performance.now() - started;
      const hoverMs = await assertResponsive(`opening ${name}`);
      if (/bomb|deep|braces/.test(name)) t.diagnostic(`open ${name}: diagnostics after ${elapsed.toFixed(0)} ms, then a hover in ${hoverMs.toFixed(0)} ms`);
      client.close(uri);
    }
  });

  test('typing into the alias bomb and the deep document keeps the server responsive', async (t) => {
    const uri = client.uri('opened/typing.yaml');
    const clean = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: typed}\n';
    client.open(uri, clean);
    let worst = 0;
    for (const text of [aliasBomb(), deepFlow(10_000), deepBlock(10_000), `${aliasBomb()}---\n${deepFlow(5000)}`, clean]) {
      for (let i = 0; i < 3; i++) client.change(uri, `${text}# edit ${i}\n`);
      const started = performance.now();
      await assertResponsive('an edit');
      worst = Math.max(worst, performance.now() - started);
    }
    t.diagnostic(`slowest hover and status while editing hostile text: ${worst.toFixed(0)} ms`);
    const mark = client.change(uri, clean);
    assert.deepEqual(await client.waitForCurrentDiagnostics(uri, mark, 20_000), []);
    client.close(uri);
  });

  test('a document opened above the size limit is refused; shrinking it brings it back', async () => {
    const uri = client.uri('opened/big.yaml');
    const big = `${orphanPolicy('big')}---\n`.repeat(Math.ceil((6 * 1024 * 1024) / orphanPolicy('big').length));
    const opened = client.open(uri, big);
    const refused = await client.waitForDiagnostics(uri, (d) => d.length > 0, { since: opened, timeoutMs: 60_000 });
    assert.deepEqual(refused.map((d) => d.code), ['file-too-large']);
    await assertResponsive('a 6 MB document');
    const mark = client.change(uri, orphanPolicy('big'));
    const back = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'selector-matches-nothing'), { since: mark, timeoutMs: 20_000 });
    assert.ok(back.every((d) => d.code !== 'file-too-large'));
    client.close(uri);
  });

  test('requests cancelled while queued are answered with RequestCancelled; the server keeps answering', async () => {
    const position = rangeOf(WITNESS, 'podSelector').start;
    // An edit first, so the requests queue up behind its analysis.
    const uri = client.uri('opened/cancel.yaml');
    client.open(uri, deepFlow(5000));
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const source = new CancellationTokenSource();
        const pending = client.connection.sendRequest('textDocument/hover', { textDocument: { uri: witnessUri() }, position }, source.token);
        source.cancel();
        try {
          await pending;
          return 'answered';
        } catch (error) {
          return (error as { code?: number }).code === LSPErrorCodes.RequestCancelled ? 'cancelled' : `error ${(error as Error).message}`;
        }
      }),
    );
    assert.deepEqual(outcomes.filter((o) => o !== 'answered' && o !== 'cancelled'), [], 'every request settles');
    assert.ok(outcomes.includes('cancelled'), `cancellation is honoured: ${outcomes.join(', ')}`);
    client.close(uri);
    await assertResponsive('cancellations');
  });
});

describe('netpol lsp --stdio with files changing on disk', () => {
  const FILES = 200;
  let dir: string;
  let client: LspTestClient;
  /** What each file holds on disk now, by relative path. */
  const disk = new Map<string, string>();

  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
    disk.set(name, text);
  };
  const remove = (name: string) => {
    fs.rmSync(path.join(dir, name), { force: true });
    disk.delete(name);
  };

  /** Every file's latest published diagnostics agree with its text on disk; removed files have none. */
  function consistent(removed: readonly string[]): string | undefined {
    for (const [name, text] of disk) {
      const published = client.diagnostics.get(client.uri(name))?.diagnostics ?? [];
      const expected = text.includes('ghost-');
      const got = published.some((d: Diagnostic) => d.code === 'selector-matches-nothing');
      if (expected !== got) return `${name}: expected ${expected ? 'a' : 'no'} selector-matches-nothing`;
    }
    for (const name of removed) {
      if (disk.has(name)) continue;
      const published = client.diagnostics.get(client.uri(name))?.diagnostics ?? [];
      if (published.length > 0) return `${name} was removed but still has diagnostics`;
    }
    return undefined;
  }

  async function waitConsistent(removed: readonly string[], what: string): Promise<void> {
    let last: string | undefined;
    await client.waitUntil(() => ((last = consistent(removed)) === undefined ? true : undefined), `${what}: ${last}`, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\nlast mismatch: ${consistent(removed)}`);
    });
    // A file without findings may still be queued for reading when the diagnostics already agree (the analysis is
    // incremental and quick): poll the index until it settles, then check the diagnostics again.
    let status = await client.request<{ files: number }>('netpol/status');
    for (let i = 0; i < 100 && status.files !== disk.size; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await client.request<{ files: number }>('netpol/status');
    }
    assert.equal(status.files, disk.size, 'the index holds exactly the files on disk');
    assert.equal(consistent(removed), undefined);
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-disk-'));
    write('witness.yaml', WITNESS);
    for (let i = 0; i < FILES; i++) write(`policies/p${i}.yaml`, i % 2 === 0 ? orphanPolicy(`p${i}`) : cleanPolicy(`p${i}`));
    client = await LspTestClient.start(dir, { timeoutMs: 60_000 });
  });

  after(async () => {
    if (client) assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the initial index matches the disk', async () => {
    await waitConsistent([], 'initial index');
  });

  test('a checkout: deletions, renames, rewrites and new files at once leave diagnostics consistent with the disk', async (t) => {
    const changes: { uri: string; type: 1 | 2 | 3 }[] = [];
    const removed: string[] = [];
    for (let i = 0; i < FILES; i += 4) {
      const name = `policies/p${i}.yaml`;
      remove(name);
      removed.push(name);
      changes.push({ uri: client.uri(name), type: 3 });
    }
    for (let i = 1; i < FILES; i += 4) {
      // A rename: the old name is deleted, the new one created (with the text flipped).
      const from = `policies/p${i}.yaml`;
      const to = `renamed/p${i}.yaml`;
      const text = disk.get(from)!.includes('ghost-') ? cleanPolicy(`p${i}`) : orphanPolicy(`p${i}`);
      remove(from);
      removed.push(from);
      write(to, text);
      changes.push({ uri: client.uri(from), type: 3 }, { uri: client.uri(to), type: 1 });
    }
    for (let i = 2; i < FILES; i += 4) {
      const name = `policies/p${i}.yaml`;
      write(name, disk.get(name)!.includes('ghost-') ? cleanPolicy(`p${i}`) : orphanPolicy(`p${i}`));
      changes.push({ uri: client.uri(name), type: 2 });
    }
    for (let i = FILES; i < FILES + 50; i++) {
      write(`new/p${i}.yaml`, orphanPolicy(`p${i}`));
      changes.push({ uri: client.uri(`new/p${i}.yaml`), type: 1 });
    }
    const started = performance.now();
    // Watchers report in batches, in any order.
    for (let i = 0; i < changes.length; i += 37) client.filesChanged(changes.slice(i, i + 37).reverse());
    await waitConsistent(removed, 'after the checkout');
    t.diagnostic(`${changes.length} file events: consistent after ${(performance.now() - started).toFixed(0)} ms`);
  });

  test('files changed again while the server is still reading them end consistent with the last version', async () => {
    const names = [...disk.keys()].filter((n) => n.startsWith('policies/') || n.startsWith('renamed/')).slice(0, 60);
    for (let round = 0; round < 4; round++) {
      for (const name of names) {
        const id = path.basename(name, '.yaml');
        write(name, (round + name.length) % 2 === 0 ? orphanPolicy(id) : cleanPolicy(id));
      }
      client.filesChanged(names.map((name) => ({ uri: client.uri(name), type: 2 as const })));
    }
    // Events that lie: a "changed" for a file that is gone, a "deleted" for one that exists, a "created" twice.
    const ghost = 'policies/never-existed.yaml';
    const existing = names[0];
    client.filesChanged([
      { uri: client.uri(ghost), type: 2 },
      { uri: client.uri(existing), type: 3 },
      { uri: client.uri('new/p200.yaml'), type: 1 },
      { uri: client.uri('new/p200.yaml'), type: 1 },
    ]);
    await waitConsistent([ghost], 'after rapid rewrites');
  });

  test('the server answers after all of it', async () => {
    const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: client.uri('witness.yaml') }, position: rangeOf(WITNESS, 'podSelector').start });
    assert.ok(hover);
  });
});

describe('netpol lsp --stdio while indexing a large workspace', () => {
  const FILES = 2000;
  let dir: string;
  let client: LspTestClient;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-large-'));
    fs.writeFileSync(path.join(dir, 'witness.yaml'), WITNESS);
    for (let i = 0; i < FILES; i++) {
      const sub = path.join(dir, `team${i % 30}`);
      fs.mkdirSync(sub, { recursive: true });
      fs.writeFileSync(path.join(sub, `p${i}.yaml`), i % 2 ? orphanPolicy(`p${i}`) : cleanPolicy(`p${i}`));
    }
  });

  after(async () => {
    if (client) assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('requests are answered while the index is being built (the indexer yields between files)', async (t) => {
    client = await LspTestClient.start(dir, { waitForIndex: false, timeoutMs: 60_000 });
    const started = performance.now();
    const answers: { ms: number; beforeIndex: boolean }[] = [];
    for (let i = 0; i < 5; i++) {
      const hover = client.request('textDocument/hover', { textDocument: { uri: client.uri('witness.yaml') }, position: rangeOf(WITNESS, 'podSelector').start }, 60_000);
      await hover;
      answers.push({ ms: performance.now() - started, beforeIndex: !client.notifications.some((n) => n.method === 'netpol/indexComplete') });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.waitForNotification('netpol/indexComplete', undefined, { timeoutMs: 120_000 });
    const indexedAt = performance.now() - started;
    t.diagnostic(`hovers answered at ${answers.map((a) => `${a.ms.toFixed(0)} ms${a.beforeIndex ? ' (indexing)' : ''}`).join(', ')}; ${FILES} files indexed at ${indexedAt.toFixed(0)} ms`);
    assert.ok(answers[0].beforeIndex, 'the first hover is answered before indexing ends');
    const status = await client.request<{ files: number }>('netpol/status');
    assert.equal(status.files, FILES + 1);
  });
});
