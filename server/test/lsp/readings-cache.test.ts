// The readings cache (server/src/lsp/readings-cache.ts): a reading is reused only for the same file in the same
// state and build, a damaged or foreign cache is ignored, Secrets never reach it, and a server started from the
// cache publishes exactly what a server reading every file publishes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { encodeFastResult } from '../../src/engine/fast-wire';
import { readSimpleYaml, type FastDocument } from '../../src/engine/fast-yaml';
import { IndexReader, type FileRead } from '../../src/lsp/index-reader';
import { cacheKeyOf, mayCache, ReadingsCache, readerIdentity, readingsCacheFile, writeReadingsCache } from '../../src/lsp/readings-cache';
import { ensureBuilt, LspTestClient, REPO_ROOT } from './client';
import { publishedFindings, ruleRunsWhenIdle } from './findings';

const WORKER = path.join(REPO_ROOT, 'dist', 'index-worker.js');
const GENERATOR = path.resolve(REPO_ROOT, '..', 'shared', 'bench', 'gen-workspace.mjs');

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `netpol-readings-${prefix}-`));
}

function wireOf(text: string): string {
  return encodeFastResult(readSimpleYaml(text)!)!;
}

function fakeStats(fields: Partial<Record<'size' | 'mtimeMs' | 'ctimeMs' | 'ino' | 'dev', number>>): fs.BigIntStats {
  const f = { size: 10, mtimeMs: 1_000_000, ctimeMs: 1_000_000, ino: 7, dev: 3, ...fields };
  return {
    size: BigInt(f.size),
    mtimeMs: BigInt(f.mtimeMs),
    ctimeMs: BigInt(f.ctimeMs),
    mtimeNs: BigInt(f.mtimeMs) * 1_000_000n,
    ctimeNs: BigInt(f.ctimeMs) * 1_000_000n,
    ino: BigInt(f.ino),
    dev: BigInt(f.dev),
  } as fs.BigIntStats;
}

test('readings cache: a key names size, both times, inode and device, and no key for a file changed within the racy margin', () => {
  const base = cacheKeyOf(fakeStats({}), 2_000_000);
  assert.ok(base);
  for (const change of [{ size: 11 }, { mtimeMs: 999_999 }, { ctimeMs: 1_000_001 }, { ino: 8 }, { dev: 4 }]) {
    assert.notEqual(cacheKeyOf(fakeStats(change), 2_000_000), base, JSON.stringify(change));
  }
  // Changed 4 s before the read: a coarse file system could change it again without a new time.
  assert.equal(cacheKeyOf(fakeStats({ ctimeMs: 1_996_000 }), 2_000_000), undefined);
  assert.equal(cacheKeyOf(fakeStats({ mtimeMs: 1_996_000 }), 2_000_000), undefined);
  assert.ok(cacheKeyOf(fakeStats({ ctimeMs: 1_994_000, mtimeMs: 1_994_000 }), 2_000_000));
  assert.ok(cacheKeyOf(fakeStats({ ctimeMs: 1_996_000 }), 2_000_000, 1_000), 'a smaller margin');
});

test('readings cache: entries round-trip by path and key; another key, path or build reads nothing', () => {
  const dir = tempDir('roundtrip');
  try {
    const file = path.join(dir, 'sub', 'c.cache');
    const a = wireOf('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {app: "ü→✓"}\n');
    const b = wireOf('apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n');
    writeReadingsCache(file, 'build 1', [
      { path: '/w/a.yaml', key: 'k1', wire: a },
      { path: '/w/b.yaml', key: 'k2', wire: b },
    ]);
    const cache = ReadingsCache.load(file, 'build 1');
    assert.equal(cache.size, 2);
    assert.equal(cache.get('/w/a.yaml', 'k1'), a, 'non-ASCII text survives');
    assert.equal(cache.get('/w/b.yaml', 'k2'), b);
    assert.equal(cache.get('/w/a.yaml', 'k2'), undefined);
    assert.equal(cache.get('/w/c.yaml', 'k1'), undefined);
    assert.equal(ReadingsCache.load(file, 'build 2').size, 0, 'another build');
    assert.ok(cache.sameAs([{ path: '/w/b.yaml', key: 'k2' }, { path: '/w/a.yaml', key: 'k1' }]));
    assert.ok(!cache.sameAs([{ path: '/w/a.yaml', key: 'k1' }]));
    assert.ok(!cache.sameAs([{ path: '/w/a.yaml', key: 'k1' }, { path: '/w/b.yaml', key: 'k3' }]));
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600', 'only the user reads it');
    // Over the size limit: not written, and the older cache of these folders is removed.
    assert.equal(writeReadingsCache(file, 'build 1', [{ path: '/w/a.yaml', key: 'k1', wire: a }], a.length - 1), false);
    assert.ok(!fs.existsSync(file));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readings cache: a truncated, padded, foreign or missing file reads as empty, never throws', () => {
  const dir = tempDir('damaged');
  try {
    const file = path.join(dir, 'c.cache');
    writeReadingsCache(file, 'b', [{ path: '/w/a.yaml', key: 'k', wire: wireOf('kind: Pod\napiVersion: v1\n') }]);
    const whole = fs.readFileSync(file);
    const variants: [string, Buffer][] = [
      ['truncated', whole.subarray(0, whole.length - 3)],
      ['padded', Buffer.concat([whole, Buffer.from('xx')])],
      ['header only', whole.subarray(0, whole.indexOf(10) + 1)],
      ['garbage index', Buffer.from('netpol-readings 1 "b"\n{not json\n')],
      ['index of wrong shape', Buffer.from('netpol-readings 1 "b"\n[["/w/a.yaml","k",-1]]\n')],
      ['another format', Buffer.from('netpol-readings 0 "b"\n[]\n')],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [what, bytes] of variants) {
      fs.writeFileSync(file, bytes);
      assert.equal(ReadingsCache.load(file, 'b').size, 0, what);
    }
    assert.equal(ReadingsCache.load(path.join(dir, 'missing'), 'b').size, 0);
    fs.mkdirSync(path.join(dir, 'a-folder.cache'));
    assert.equal(ReadingsCache.load(path.join(dir, 'a-folder.cache'), 'b').size, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('readings cache: a reading that holds a Secret (a document, a List item or a SecretList) is not cached', () => {
  const cacheable = (text: string) => mayCache(readSimpleYaml(text)!);
  assert.ok(cacheable('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n'));
  assert.ok(!cacheable('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n'));
  assert.ok(!cacheable('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n'));
  assert.ok(!cacheable('apiVersion: v1\nkind: SecretList\nitems:\n- metadata: {name: s}\n'));
});

test('readings cache: one file per set of folders (in any order), off by null or NETPOL_READINGS_CACHE=off', () => {
  const one = readingsCacheFile(['/a', '/b'], '/cache');
  assert.equal(readingsCacheFile(['/b', '/a'], '/cache'), one);
  assert.notEqual(readingsCacheFile(['/a'], '/cache'), one);
  assert.equal(path.dirname(one!), '/cache');
  assert.equal(readingsCacheFile(['/a'], null), undefined);
  const saved = process.env.NETPOL_READINGS_CACHE;
  process.env.NETPOL_READINGS_CACHE = 'off';
  try {
    assert.equal(readingsCacheFile(['/a'], '/cache'), undefined);
  } finally {
    if (saved === undefined) delete process.env.NETPOL_READINGS_CACHE;
    else process.env.NETPOL_READINGS_CACHE = saved;
  }
});

/** A read in a comparable shape: text, values, and the ranges parse.ts reads. */
function comparable(read: FileRead | undefined): unknown {
  if (!read || !('text' in read)) return read;
  const fast = read.fastRead === undefined ? readSimpleYaml(read.text) : read.fastRead;
  const itemRanges = (d: FastDocument) => (Array.isArray(d.value.items) ? d.value.items.map((item: object) => d.ranges.get(item)) : []);
  return { text: read.text, fast: fast && fast.documents.map((d) => ({ range: d.range, rootRange: d.rootRange, value: d.value, items: itemRanges(d) })) };
}

async function readAll(paths: string[], cache: { file: string; identity: string; racyMarginMs: number }, useWorker: boolean): Promise<{ reads: (FileRead | undefined)[]; reader: IndexReader }> {
  const reader = new IndexReader(paths, 100_000, { cache, useWorker, workerScript: WORKER, onWorkerError: (m) => assert.fail(m) });
  if (useWorker) await new Promise((resolve) => setTimeout(resolve, 200));
  const reads: (FileRead | undefined)[] = [];
  while (reads.length < paths.length) {
    for (let read; reads.length < paths.length && (read = reader.take(reads.length)) !== undefined; ) reads.push(read);
    if (reads.length < paths.length && !reader.readOne()) await Promise.race([reader.whenWorkerDelivers(), new Promise((r) => setTimeout(r, 50))]);
  }
  reader.dispose();
  return { reads, reader };
}

function writeCandidates(reader: IndexReader, cache: { file: string; identity: string }): void {
  const pending = reader.pendingCache(cache);
  assert.ok(pending, 'something to write');
  pending.write();
}

for (const useWorker of [false, true]) {
  test(`IndexReader with the readings cache${useWorker ? ' and the worker' : ''}: the second read comes from the cache and equals a fresh read; a changed file is read again`, { timeout: 60_000 }, async () => {
    ensureBuilt();
    const dir = tempDir('reader');
    try {
      const paths: string[] = [];
      for (let i = 0; i < 150; i++) {
        const file = path.join(dir, `f${String(i).padStart(3, '0')}.yaml`);
        const variants = [
          `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n  labels:\n    app: a${i % 7}\n`,
          `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: s${i}\n- kind: Pod\n  apiVersion: v1\n  metadata:\n    name: q${i}\n`,
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\ndata:\n  limit: .inf\n`, // JSON cannot carry .inf: never cached
          `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\nstringData:\n  password: hunter${i}\n`,
          `apiVersion: v1\nkind: Pod\nmetadata: {name: flow${i}}\n`,
          `: : not yaml [${i}`,
        ];
        fs.writeFileSync(file, variants[i % variants.length]);
        paths.push(file);
      }
      const cache = { file: path.join(dir, 'cache', 'r.cache'), identity: 'test build', racyMarginMs: 0 };
      const first = await readAll(paths, cache, useWorker);
      assert.equal(first.reader.filesFromCache, 0);
      assert.ok(!first.reader.cacheUnchanged());
      writeCandidates(first.reader, cache);
      const bytes = fs.readFileSync(cache.file, 'utf8');
      assert.doesNotMatch(bytes, /hunter/, 'no secret value in the cache');
      // Pods, Lists, flow Pods: 3 of every 6 files.
      assert.equal(ReadingsCache.load(cache.file, cache.identity).size, 75);

      const second = await readAll(paths, cache, useWorker);
      assert.equal(second.reader.filesFromCache, 75);
      assert.ok(second.reader.cacheUnchanged(), 'nothing new to write');
      assert.equal(second.reader.pendingCache(cache), undefined);
      second.reads.forEach((read, i) => assert.deepStrictEqual(comparable(read), comparable(first.reads[i]), paths[i]));

      // Same size, other content, and a time that differs from the cached one (as any later write has).
      const changed = paths[0];
      fs.writeFileSync(changed, fs.readFileSync(changed, 'utf8').replace('app: a0', 'app: b0'));
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(changed, old, old);
      const third = await readAll(paths, cache, useWorker);
      assert.equal(third.reader.filesFromCache, 74);
      assert.deepEqual((third.reads[0] as { fastRead: { documents: FastDocument[] } }).fastRead.documents[0].value.metadata, { name: 'p0', labels: { app: 'b0' } });
      assert.ok(!third.reader.cacheUnchanged());
      // The next cache keeps the 74 unchanged readings (taken from the old cache file) and the new one.
      writeCandidates(third.reader, cache);
      const fourth = await readAll(paths, cache, useWorker);
      assert.equal(fourth.reader.filesFromCache, 75);
      fourth.reads.forEach((read, i) => assert.deepStrictEqual(comparable(read), comparable(third.reads[i]), paths[i]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('the server started from its readings cache publishes what it publishes without one, and reads a changed file again', { timeout: 240_000 }, async (t) => {
  assert.ok(fs.existsSync(GENERATOR), `the workspace generator is missing: ${GENERATOR} (../shared must be beside the repository)`);
  const dir = tempDir('server');
  const cacheDir = path.join(dir, 'cache');
  const ws = path.join(dir, 'ws');
  try {
    execFileSync(process.execPath, [GENERATOR, ws, '--namespaces', '20', '--workloads', '300', '--policies', '80', '--force'], { stdio: 'ignore' });
    // Files changed within the racy margin (5 s) are not cached: the first start must see them older than that.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const start = async () => {
      const client = await LspTestClient.start(ws, { cacheDir, timeoutMs: 120_000 });
      try {
        // A start from the findings cache publishes before the rules run on what was read: compare after they ran.
        await ruleRunsWhenIdle(client);
        const log = client.logs.find((m) => /read \d+ files in \d+ ms/.test(m)) ?? '';
        return { findings: Object.fromEntries(publishedFindings(client, ws)), fromCache: Number(/(\d+) from the readings cache/.exec(log)?.[1]), log };
      } finally {
        await client.shutdown();
      }
    };
    const cold = await start();
    t.diagnostic(cold.log);
    assert.equal(cold.fromCache, 0);
    assert.ok(Object.keys(cold.findings).length > 0, 'the generated workspace has findings');
    const caches = fs.readdirSync(cacheDir).filter((f) => f.startsWith('readings-'));
    assert.deepEqual(caches, [path.basename(readingsCacheFile([ws], cacheDir)!)], 'written at shutdown');
    // Every file but the generator's metadata (.gen-workspace.json: JSON, which the fast reader leaves to the parser).
    const cacheable = Number(/read (\d+) files/.exec(cold.log)?.[1]) - 1;
    assert.equal(ReadingsCache.load(path.join(cacheDir, caches[0]), readerIdentity(path.join(REPO_ROOT, 'dist', 'cli.js'))).size, cacheable);

    const warm = await start();
    t.diagnostic(warm.log);
    assert.equal(warm.fromCache, cacheable, warm.log);
    assert.deepEqual(warm.findings, cold.findings);

    // A policy changes on disk: read again, its finding follows; every other file still comes from the cache.
    const policyFile = fs.readdirSync(ws, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.yaml') && fs.readFileSync(path.join(ws, f), 'utf8').includes('kind: NetworkPolicy'));
    assert.ok(policyFile, 'a policy file');
    const text = fs.readFileSync(path.join(ws, policyFile), 'utf8');
    fs.writeFileSync(path.join(ws, policyFile), text + '\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: cache-probe\n  namespace: nowhere-at-all\nspec:\n  podSelector:\n    matchLabels:\n      app: cache-probe-nothing\n');
    const changed = await start();
    assert.equal(changed.fromCache, warm.fromCache - 1, changed.log);
    const probe = (changed.findings[policyFile] ?? []).filter((f) => !(cold.findings[policyFile] ?? []).includes(f));
    assert.ok(probe.length > 0, `the new policy is analysed: ${JSON.stringify(changed.findings[policyFile])}`);
    for (const [file, list] of Object.entries(changed.findings)) if (file !== policyFile) assert.deepEqual(list, cold.findings[file], file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the server ignores a damaged readings cache and replaces it', { timeout: 120_000 }, async () => {
  const dir = tempDir('damaged-server');
  const cacheDir = path.join(dir, 'cache');
  const ws = path.join(dir, 'ws');
  try {
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: a}\nspec:\n  containers: [{name: c, image: i}]\n');
    await new Promise((resolve) => setTimeout(resolve, 5_500)); // older than the racy margin
    const cacheFile = readingsCacheFile([ws], cacheDir)!;
    fs.mkdirSync(cacheDir);
    fs.writeFileSync(cacheFile, 'netpol-readings 1 garbage\n\0\0\0');
    const readLog = async () => {
      const client = await LspTestClient.start(ws, { cacheDir });
      try {
        return client.logs.find((m) => /read \d+ files in/.test(m)) ?? client.logs.join('\n');
      } finally {
        await client.shutdown();
      }
    };
    assert.match(await readLog(), /read 1 files in \d+ ms \(0 of them on a worker thread, 0 from the readings cache\)/);
    assert.doesNotMatch(fs.readFileSync(cacheFile, 'latin1'), /garbage/, 'replaced at shutdown');
    assert.match(await readLog(), /read 1 files in \d+ ms \(0 of them on a worker thread, 1 from the readings cache\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a readings cache folder that cannot be written is logged, and the server works on', { timeout: 120_000 }, async () => {
  const dir = tempDir('unwritable');
  const ws = path.join(dir, 'ws');
  try {
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'pod.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: a}\nspec:\n  containers: [{name: c, image: i}]\n');
    await new Promise((resolve) => setTimeout(resolve, 5_500)); // older than the racy margin
    const notAFolder = path.join(dir, 'a-file');
    fs.writeFileSync(notAFolder, '');
    const client = await LspTestClient.start(ws, { cacheDir: notAFolder });
    try {
      await client.waitUntil(() => client.logs.find((m) => m.includes('could not write the readings cache')), 'the log about the cache');
      assert.ok(await client.request('netpol/status'), 'the server answers');
    } finally {
      await client.shutdown();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
