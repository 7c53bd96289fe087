// The index's reads on two threads (IndexReader and dist/index-worker.js): every file arrives once, in list order,
// equal to a read on the main thread, whether the worker reads many, none, or dies halfway; and the server indexes a
// generated workspace through the worker with exactly the findings `netpol check` reports.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readSimpleYaml, type FastDocument } from '../../src/engine/fast-yaml';
import { IndexReader, type FileRead } from '../../src/lsp/index-reader';
import { ensureBuilt, LspTestClient, REPO_ROOT } from './client';
import { checkFindings, publishedFindings } from './findings';

const WORKER = path.join(REPO_ROOT, 'dist', 'index-worker.js');
const GENERATOR = path.resolve(REPO_ROOT, '..', 'shared', 'bench', 'gen-workspace.mjs');

/** Files of every kind the reader meets: fast-read, JSON-unsafe (`.inf`, `-0`), given up on, too large, missing. */
function sampleFiles(count: number): { dir: string; paths: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-index-reader-'));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `f${String(i).padStart(4, '0')}.yaml`);
    const variants = [
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  labels:\n    app: a${i % 7}\n`,
      `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: s${i}\n- kind: Pod\n  apiVersion: v1\n  metadata:\n    name: q${i}\n`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  limit: .inf\n  zero: -0\n`,
      `apiVersion: v1\nkind: Pod\nmetadata: {name: flow${i}}\n`,
      'x'.repeat(300),
    ];
    if (i % 11 !== 10) fs.writeFileSync(file, variants[i % variants.length]);
    paths.push(file);
  }
  return { dir, paths };
}

/** A read in a comparable shape: of the fast read's ranges, those parse.ts reads (a List's items). */
function comparable(read: FileRead | undefined): unknown {
  if (!read || !('text' in read)) return read;
  const fast = read.fastRead === undefined ? readSimpleYaml(read.text) : read.fastRead;
  const itemRanges = (d: FastDocument) => (Array.isArray(d.value.items) ? d.value.items.map((item: object) => d.ranges.get(item)) : []);
  return { text: read.text, fast: fast && fast.documents.map((d) => ({ range: d.range, rootRange: d.rootRange, value: d.value, items: itemRanges(d) })) };
}

function expectedRead(fsPath: string, maxSize: number): unknown {
  if (!fs.existsSync(fsPath)) return { unreadable: '' }; // gone: nothing to report
  const text = fs.readFileSync(fsPath, 'utf8');
  if (Buffer.byteLength(text) > maxSize) return { tooLarge: Buffer.byteLength(text) };
  return comparable({ text, fastRead: readSimpleYaml(text) ?? null });
}

/** Takes every file in order as the server does: read here while there is something to claim, else wait. */
async function drain(reader: IndexReader, count: number): Promise<(FileRead | undefined)[]> {
  const out: (FileRead | undefined)[] = [];
  while (out.length < count) {
    for (let read; out.length < count && (read = reader.take(out.length)) !== undefined; ) out.push(read);
    if (out.length < count && !reader.readOne()) await Promise.race([reader.whenWorkerDelivers(), new Promise((r) => setTimeout(r, 50))]);
  }
  reader.dispose();
  return out;
}

test('IndexReader with the worker: every file once, in order, as a read on this thread gives it', { timeout: 60_000 }, async () => {
  ensureBuilt();
  const { dir, paths } = sampleFiles(400);
  try {
    const errors: string[] = [];
    const reader = new IndexReader(paths, 200, { workerScript: WORKER, useWorker: true, onWorkerError: (m) => errors.push(m) });
    // Give the worker a head start, as the folder walk does in the server, so that it reads its share.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reads = await drain(reader, paths.length);
    assert.deepEqual(errors, []);
    assert.ok(reader.filesFromWorker > 0, 'the worker read some of the files');
    reads.forEach((read, i) => assert.deepStrictEqual(comparable(read), expectedRead(paths[i], 200), paths[i]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('IndexReader: a worker that dies after claiming files leaves them to this thread', { timeout: 60_000 }, async () => {
  const { dir, paths } = sampleFiles(120);
  const dying = path.join(dir, 'dying-worker.js');
  // Claims forty files, delivers none, and exits.
  fs.writeFileSync(dying, "require('node:worker_threads').parentPort.on('message', (job) => {\n  const claims = new Int32Array(job.claims);\n  for (let i = 0; i < 40; i++) Atomics.add(claims, 0, 1);\n  process.exit(3);\n});\n");
  try {
    const errors: string[] = [];
    const reader = new IndexReader(paths, 200, { workerScript: dying, useWorker: true, onWorkerError: (m) => errors.push(m) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reads = await drain(reader, paths.length);
    assert.match(errors.join('\n'), /exited \(code 3\)/);
    reads.forEach((read, i) => assert.deepStrictEqual(comparable(read), expectedRead(paths[i], 200), paths[i]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('IndexReader: a worker script that cannot load is reported, and this thread reads everything', { timeout: 60_000 }, async () => {
  const { dir, paths } = sampleFiles(80);
  try {
    const errors: string[] = [];
    const reader = new IndexReader(paths, 200, { workerScript: path.join(dir, 'missing-worker.js'), useWorker: true, onWorkerError: (m) => errors.push(m) });
    for (let waited = 0; errors.length === 0 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    const reads = await drain(reader, paths.length);
    assert.ok(errors.length > 0, 'the failure is reported');
    assert.equal(reader.filesFromWorker, 0);
    reads.forEach((read, i) => assert.deepStrictEqual(comparable(read), expectedRead(paths[i], 200), paths[i]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the server indexes a generated workspace (../shared/bench) with its worker thread and finds what netpol check finds', { timeout: 180_000 }, async (t) => {
  assert.ok(fs.existsSync(GENERATOR), `the workspace generator is missing: ${GENERATOR} (../shared must be beside the repository)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-index-worker-ws-'));
  try {
    // About 600 files: enough for the worker to boot and take a share while the main thread reads.
    execFileSync(process.execPath, [GENERATOR, dir, '--namespaces', '40', '--workloads', '600', '--policies', '150', '--force'], { stdio: 'ignore' });
    const client = await LspTestClient.start(dir, { timeoutMs: 120_000 });
    try {
      const log = client.logs.find((m) => /read \d+ files in \d+ ms/.test(m));
      assert.ok(log, `the index logs its reads:\n${client.logs.join('\n')}`);
      // How many files the worker took depends on the machine's load (the reader tests above check its share);
      // what must not depend on it is the result.
      t.diagnostic(log);
      assert.match(log, /\(\d+ of them on a worker thread, 0 from the readings cache\)/);
      assert.doesNotMatch(client.logs.join('\n'), /index worker (failed|exited|could not|sent nothing)/);
      await client.request('netpol/status');
      assert.deepEqual(Object.fromEntries(publishedFindings(client, dir)), Object.fromEntries(await checkFindings(dir)));
    } finally {
      await client.shutdown();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
