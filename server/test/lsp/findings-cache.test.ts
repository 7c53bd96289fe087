// The findings cache (server/src/lsp/findings-cache.ts): findings are read back only for the very workspace state,
// settings and build they were written for; a damaged file reads as nothing; and a server started from the cache
// publishes what a server running the rules publishes, runs the rules once idle, and replaces (and logs) cached
// findings the rules do not confirm.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from '../../src/engine/rules/types';
import { Workspace } from '../../src/engine/workspace';
import { findingsCacheFile, MAX_FINDINGS_BYTES, readFindings, recordTextDigest, workspaceStateKey, writeFindings } from '../../src/lsp/findings-cache';
import { textDigest } from '../../src/lsp/text-digest';
import { LspTestClient } from './client';
import { publishedFindings, ruleRunsWhenIdle } from './findings';

const GENERATOR = path.resolve(__dirname, '../../../..', 'shared', 'bench', 'gen-workspace.mjs');

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `netpol-findings-${prefix}-`));
}

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: default\n  labels: {app: a}\nspec:\n  containers: [{name: c, image: i}]\n';
const POLICY = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  podSelector: {matchLabels: {app: b}}\n';

/** Runs `during` on a server started on `ws` with its caches in `cacheDir`, then shuts it down. */
async function withServer<T>(ws: string, cacheDir: string, during: (client: LspTestClient) => Promise<T>): Promise<T> {
  const client = await LspTestClient.start(ws, { cacheDir, timeoutMs: 120_000 });
  try {
    return await during(client);
  } finally {
    await client.shutdown();
  }
}

const startedFromCache = (client: LspTestClient) => client.logs.some((m) => /findings of \d+ files from the findings cache/.test(m));

function workspaceOf(files: Record<string, string>): Workspace {
  const ws = new Workspace();
  for (const [uri, text] of Object.entries(files)) ws.setFile(uri, text);
  return ws;
}

test('findings cache: the key follows every file text and URI, their order, the configuration file, the settings and the build', () => {
  const files = { 'file:///w/pod.yaml': POD, 'file:///w/np.yaml': POLICY };
  const key = workspaceStateKey(workspaceOf(files), { rules: {} }, 'build 1');
  assert.equal(workspaceStateKey(workspaceOf(files), { rules: {} }, 'build 1'), key);
  const others = [
    // The model's objects come in the files' order: a duplicate policy is reported on the later one.
    workspaceStateKey(workspaceOf({ 'file:///w/np.yaml': POLICY, 'file:///w/pod.yaml': POD }), { rules: {} }, 'build 1'),
    workspaceStateKey(workspaceOf({ ...files, 'file:///w/pod.yaml': POD.replace('app: a', 'app: b') }), { rules: {} }, 'build 1'),
    workspaceStateKey(workspaceOf({ 'file:///w/pod.yaml': POD, 'file:///w/np2.yaml': POLICY }), { rules: {} }, 'build 1'),
    workspaceStateKey(workspaceOf({ 'file:///w/pod.yaml': POD }), { rules: {} }, 'build 1'),
    workspaceStateKey(workspaceOf(files), { rules: { 'allows-all': 'off' } }, 'build 1'),
    workspaceStateKey(workspaceOf(files), { rules: {} }, 'build 2'),
    workspaceStateKey(workspaceOf({ ...files, 'file:///w/.netpol.yaml': 'defaultNamespace: shop\n' }), { rules: {} }, 'build 1'),
    workspaceStateKey(workspaceOf({ ...files, 'file:///w/.netpol.yaml': 'defaultNamespace: data\n' }), { rules: {} }, 'build 1'),
  ];
  for (const other of others) assert.notEqual(other, key);
  assert.equal(new Set(others).size, others.length);
  // An edit and its undo: the same state again.
  const ws = workspaceOf(files);
  ws.setFile('file:///w/pod.yaml', POD.replace('app: a', 'app: z'));
  ws.setFile('file:///w/pod.yaml', POD);
  assert.equal(workspaceStateKey(ws, { rules: {} }, 'build 1'), key);
});

test('findings cache: a digest recorded where the text was read stands for it in the key, the same as the text\'s own', () => {
  const files = { 'file:///w/pod.yaml': POD, 'file:///w/np.yaml': POLICY };
  const byText = workspaceStateKey(workspaceOf(files), {}, 'b');
  const withDigest = (digest: string) => {
    const ws = workspaceOf(files);
    recordTextDigest(ws.getFile('file:///w/pod.yaml')!, digest);
    return workspaceStateKey(ws, {}, 'b');
  };
  // The worker's digest of the same text: the same key as hashing it here (whether the file was racy or settled).
  assert.equal(withDigest(textDigest(POD)), byText);
  assert.notEqual(withDigest(textDigest(POD.replace('app: a', 'app: z'))), byText);
  // An edit gives the file a new text: hashed again.
  const ws = workspaceOf(files);
  recordTextDigest(ws.getFile('file:///w/pod.yaml')!, 'a digest of another text');
  ws.setFile('file:///w/pod.yaml', POD.replace('app: a', 'app: z'));
  ws.setFile('file:///w/pod.yaml', POD);
  assert.equal(workspaceStateKey(ws, {}, 'b'), byText);
});

test('findings cache: findings round-trip under their key; another key, a damaged or missing file read as nothing', () => {
  const dir = tempDir('roundtrip');
  try {
    const file = findingsCacheFile(['/w'], dir)!;
    assert.match(path.basename(file), /^findings-[0-9a-f]{24}\.cache$/);
    const finding: Diagnostic = { ruleId: 'selector-matches-nothing', severity: 'warning', message: 'nothing “matches” ✓', location: { uri: 'file:///w/np.yaml', range: [10, 20] }, related: [{ location: { uri: 'file:///w/pod.yaml', range: [1, 2] }, message: 'near' }] };
    assert.equal(readFindings(file, 'k1'), undefined, 'no file yet');
    assert.equal(writeFindings(file, 'k1', new Map([['file:///w/np.yaml', [finding]], ['file:///w/pod.yaml', []]])), true);
    assert.deepEqual(readFindings(file, 'k1'), new Map([['file:///w/np.yaml', [finding]]]), 'files without findings are left out');
    assert.equal(readFindings(file, 'k2'), undefined);
    const text = fs.readFileSync(file, 'utf8');
    for (const damaged of [text.slice(0, text.length - 5), text.replace('"ruleId"', '"rule"'), `${text.split('\n')[0]}\n{}`, '']) {
      fs.writeFileSync(file, damaged);
      assert.equal(readFindings(file, 'k1'), undefined, JSON.stringify(damaged.slice(-40)));
    }
    assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600', 'readable by the user alone');
    // A file larger than any write makes is not read, even when it would parse (JSON allows trailing spaces).
    fs.writeFileSync(file, text);
    assert.ok(readFindings(file, 'k1'));
    fs.appendFileSync(file, Buffer.alloc(MAX_FINDINGS_BYTES + 4096, 0x20));
    assert.equal(readFindings(file, 'k1'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a server started from the findings cache publishes what the rules publish, runs them once idle, and replaces findings they do not confirm', { timeout: 240_000 }, async (t) => {
  assert.ok(fs.existsSync(GENERATOR), `the workspace generator is missing: ${GENERATOR} (../shared must be beside the repository)`);
  const dir = tempDir('server');
  const cacheDir = path.join(dir, 'cache');
  const ws = path.join(dir, 'ws');
  try {
    execFileSync(process.execPath, [GENERATOR, ws, '--namespaces', '12', '--workloads', '120', '--policies', '40', '--force'], { stdio: 'ignore' });
    const session = (during?: (client: LspTestClient) => Promise<void>) =>
      withServer(ws, cacheDir, async (client) => {
        const status = await client.request<{ analyses: number }>('netpol/status');
        const findings = Object.fromEntries(publishedFindings(client, ws));
        await during?.(client);
        return { client, status, fromCache: startedFromCache(client), findings };
      });
    const cold = await session();
    assert.equal(cold.fromCache, false);
    assert.equal(cold.status.analyses, 1);
    assert.ok(Object.keys(cold.findings).length > 0, 'the generated workspace has findings');
    const cacheFile = findingsCacheFile([ws], cacheDir)!;
    assert.ok(fs.existsSync(cacheFile), 'written after the analysis (or at shutdown)');

    // From the cache: the same findings before any rule runs; then the rules run once, changing nothing.
    const warm = await session(async (client) => {
      assert.equal(await ruleRunsWhenIdle(client), 1, 'the rules run once, when idle');
      assert.ok(!client.logs.some((m) => m.includes('the findings cache differed')), client.logs.join('\n'));
      assert.deepEqual(Object.fromEntries(publishedFindings(client, ws)), cold.findings);
    });
    t.diagnostic(warm.client.logs.filter((m) => m.includes('findings')).join('\n'));
    assert.equal(warm.fromCache, true);
    assert.deepEqual(warm.findings, cold.findings);

    // A finding the rules would not make, slipped into the cache under the right key: published at first, then
    // replaced, and logged.
    const text = fs.readFileSync(cacheFile, 'utf8');
    const newline = text.indexOf('\n');
    const entries = JSON.parse(text.slice(newline + 1)) as [string, Diagnostic[]][];
    const [uri, list] = entries[0];
    list.push({ ...list[0], message: 'a finding no rule makes' });
    fs.writeFileSync(cacheFile, `${text.slice(0, newline)}\n${JSON.stringify(entries)}`);
    const poisoned = await session(async (client) => {
      await client.waitUntil(() => client.logs.find((m) => m.includes('the findings cache differed from the rules on 1 files')), 'the log of the difference');
      await client.waitUntil(() => (client.diagnostics.get(uri)?.diagnostics.some((d) => d.message === 'a finding no rule makes') ? undefined : true), 'the rules\u2019 findings published');
      assert.deepEqual(Object.fromEntries(publishedFindings(client, ws)), cold.findings);
    });
    assert.ok(Object.values(poisoned.findings).flat().some((f) => f.includes('a finding no rule makes')), 'the cached findings came first');

    // A file changed on disk: another state, the rules run at the start.
    const policyFile = fs.readdirSync(ws, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('.yaml') && fs.readFileSync(path.join(ws, f), 'utf8').includes('kind: NetworkPolicy'))!;
    fs.appendFileSync(path.join(ws, policyFile), '\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: cache-probe\n  namespace: nowhere-at-all\nspec:\n  podSelector:\n    matchLabels:\n      app: cache-probe-nothing\n');
    const changed = await session();
    assert.equal(changed.fromCache, false);
    assert.equal(changed.status.analyses, 1);
    assert.ok((changed.findings[policyFile] ?? []).length > (cold.findings[policyFile] ?? []).length, 'the new policy is analysed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an edit right after a start from the findings cache (before the rules ran) is analysed in full; findings cached after an incremental run hold', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('first-edit');
  const cacheDir = path.join(dir, 'cache');
  const ws = path.join(dir, 'ws');
  const podFile = path.join(ws, 'pod.yaml');
  const matchesNothing = (client: LspTestClient) => client.diagnostics.get(client.uri('np.yaml'))?.diagnostics.some((d) => d.code === 'selector-matches-nothing');
  /** An edit of pod.yaml in the editor, saved: the server's state and the disk's agree again. */
  const editAndSave = async (client: LspTestClient, app: string, expectFinding: boolean) => {
    const uri = client.uri('pod.yaml');
    const text = POD.replace('app: a', `app: ${app}`);
    client.open(uri, fs.readFileSync(podFile, 'utf8'));
    client.change(uri, text);
    fs.writeFileSync(podFile, text);
    await client.waitUntil(() => (matchesNothing(client) === expectFinding ? true : undefined), `app: ${app} analysed`);
  };
  try {
    fs.mkdirSync(ws);
    fs.writeFileSync(podFile, POD);
    fs.writeFileSync(path.join(ws, 'np.yaml'), POLICY);
    await withServer(ws, cacheDir, async (first) => assert.equal(matchesNothing(first), true, JSON.stringify([...first.diagnostics.values()])));

    // The pod now carries the label the policy selects: its finding goes.
    await withServer(ws, cacheDir, async (second) => {
      assert.ok(startedFromCache(second), second.logs.join('\n'));
      await editAndSave(second, 'b', false);
      // 1 when the edit came before the idle run (which it then makes needless), else 2.
      const analyses = await ruleRunsWhenIdle(second);
      t.diagnostic(analyses === 1 ? 'the edit came first' : 'the idle run came first');
      assert.ok(analyses === 1 || analyses === 2, `${analyses} rule runs`);
    });

    // From the cache the second session wrote; the rules run when idle; then an incremental run, whose findings
    // the next start reads from the cache and the rules confirm.
    await withServer(ws, cacheDir, async (third) => {
      assert.ok(startedFromCache(third), third.logs.join('\n'));
      assert.equal(matchesNothing(third), false);
      assert.equal(await ruleRunsWhenIdle(third), 1);
      await editAndSave(third, 'c', true);
      assert.equal(await ruleRunsWhenIdle(third), 2);
    });
    await withServer(ws, cacheDir, async (fourth) => {
      assert.ok(startedFromCache(fourth), fourth.logs.join('\n'));
      assert.equal(matchesNothing(fourth), true);
      assert.equal(await ruleRunsWhenIdle(fourth), 1);
      assert.ok(!fourth.logs.some((m) => m.includes('the findings cache differed')), fourth.logs.join('\n'));
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('files written just before one start (too fresh for their state on disk to be trusted) and settled at the next: the next start reads the findings cache', { timeout: 120_000 }, async () => {
  const dir = tempDir('settled');
  const cacheDir = path.join(dir, 'cache');
  const ws = path.join(dir, 'ws');
  try {
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'pod.yaml'), POD);
    fs.writeFileSync(path.join(ws, 'np.yaml'), POLICY);
    await withServer(ws, cacheDir, async () => undefined);
    // Past the racy margin (readings-cache.ts): the files now read with a state on disk.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await withServer(ws, cacheDir, async (client) => assert.ok(startedFromCache(client), client.logs.join('\n')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a document the editor opens before the index reads it, with the text on disk, keeps the findings cache', { timeout: 120_000 }, async () => {
  const dir = tempDir('open-first');
  const cacheDir = path.join(dir, 'cache');
  const ws = path.join(dir, 'ws');
  try {
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'pod.yaml'), POD);
    fs.writeFileSync(path.join(ws, 'np.yaml'), POLICY);
    // Older than the racy margin: the files' states on disk stand for their texts.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await withServer(ws, cacheDir, async () => undefined);
    // An editor restoring its open files sends them right after `initialized`, before the index runs.
    const client = await LspTestClient.start(ws, { cacheDir, waitForIndex: false });
    try {
      client.open(client.uri('np.yaml'), POLICY);
      await client.waitForNotification('netpol/indexComplete');
      assert.ok(startedFromCache(client), client.logs.join('\n'));
    } finally {
      await client.shutdown();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
