#!/usr/bin/env node
// The editor's reachability diff against the CLI's, on the same change of a generated workspace (issue 21): the
// baseline is `netpol diff --base HEAD` in the same run; the server answers `netpol/reachabilityDiff` as the VS Code
// view asks it (the changed file's base text, every other file by URI), after indexing, after edits in an open
// document, and with files on disk that the index has not read (a burst of files the watcher did not report).
//
//   node bench/diff-latency.mjs [--preset medium] [--rounds 5] [--cli bin/netpol.js] [--cache DIR]
//
// The workspace is generated once into the cache (bench/README.md) and copied into a git repository there; the
// change is one policy's namespaceSelector. Figures are medians; compare them within one run (the machine is shared).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LspClient, now, sleep } from './lib/rpc.mjs';
import { loadAverage } from './lib/proc.mjs';
import { listYamlFiles, uriOf } from './lib/targets.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const preset = option('--preset', 'medium');
const rounds = Number(option('--rounds', '5'));
const cli = path.resolve(option('--cli', path.join(repo, 'bin', 'netpol.js')));
const cache = path.resolve(option('--cache', process.env.NETPOL_BENCH_CACHE ?? path.join(os.tmpdir(), 'netpol-bench')));

const CHANGED = 'teams/platform/profile-staging/network-policies.yaml';
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
};
const git = (cwd, ...a) => execFileSync('git', ['-c', 'user.email=bench@netpol.test', '-c', 'user.name=bench', '-c', 'commit.gpgsign=false', ...a], { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 }).toString();

/** The generated workspace as a git repository with the change in its working tree (made once). */
function ensureRepository() {
  const dir = path.join(cache, `diff-repo-${preset}`);
  if (!fs.existsSync(path.join(dir, '.git'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    const generator = path.resolve(repo, '..', 'shared', 'bench', 'gen-workspace.mjs');
    if (!fs.existsSync(generator)) throw new Error(`the workspace generator is missing: ${generator}`);
    execFileSync(process.execPath, [generator, dir, '--preset', preset, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'generated');
  }
  git(dir, 'checkout', '-q', '--', '.');
  git(dir, 'clean', '-q', '-fd');
  const file = path.join(dir, CHANGED);
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes('values: [prod]')) throw new Error(`${CHANGED} no longer holds the selector this benchmark edits`);
  fs.writeFileSync(file, text.replace('values: [prod]', 'values: [prod, staging]'));
  return dir;
}

async function main() {
  const dir = ensureRepository();
  const out = { preset, rounds, build: path.relative(repo, cli) || cli, loadAtStart: loadAverage() };

  // Baseline: the CLI on the same working tree (reads both versions, builds both models, compares).
  const cliMs = [];
  let cliSummary = '';
  for (let i = 0; i < rounds; i++) {
    const started = now();
    const stdout = execFileSync(process.execPath, [cli, 'diff', '--base', 'HEAD', '.'], { cwd: dir, maxBuffer: 1 << 28 }).toString();
    cliMs.push(now() - started);
    cliSummary = stdout.trim().split('\n').pop();
  }
  out.cli = { medianMs: median(cliMs), runsMs: cliMs.map(Math.round), summary: cliSummary };

  const client = new LspClient([process.execPath, cli, 'lsp', '--stdio'], { cwd: repo, settings: { netpol: {} } });
  client.answers['workspace/configuration'] = (params) => (params?.items ?? []).map(() => ({}));
  let indexed = false;
  client.listen((method) => {
    if (method === 'netpol/indexComplete') indexed = true;
  });
  try {
    const rootUri = uriOf(dir);
    await client.request('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: path.basename(dir) }], capabilities: { workspace: { configuration: true } } }, 60_000);
    client.notify('initialized', {});
    while (!indexed && !client.exited) await sleep(20);
    // What the VS Code view sends: the changed file's text at HEAD, every other file of the index by URI.
    const listed = (await client.request('netpol/workspaceFiles', undefined)).result;
    const changedUri = uriOf(path.join(dir, CHANGED));
    const baseFiles = [{ uri: changedUri, text: git(dir, 'show', `HEAD:${CHANGED}`) }];
    const baseFilesOnDisk = listed.map((f) => f.uri).filter((u) => u !== changedUri);
    const diff = async () => {
      const { result, ms } = await client.request('netpol/reachabilityDiff', { baseFiles, baseFilesOnDisk, baseLabel: 'HEAD' }, 600_000);
      return { ms, counts: result.counts };
    };
    const afterIndex = [];
    let counts;
    for (let i = 0; i < rounds; i++) {
      const r = await diff();
      afterIndex.push(r.ms);
      counts = r.counts;
    }
    out.serverAfterIndex = { medianMs: median(afterIndex), runsMs: afterIndex.map(Math.round), counts };

    // Edits in an open document, each followed by the request the view makes once typing stops.
    const text = fs.readFileSync(path.join(dir, CHANGED), 'utf8');
    client.notify('textDocument/didOpen', { textDocument: { uri: changedUri, languageId: 'yaml', version: 1, text } });
    const afterEdit = [];
    for (let i = 0; i < rounds; i++) {
      const edited = text.replace('values: [prod, staging]', i % 2 === 0 ? 'values: [prod, staging, dev]' : 'values: [prod, staging]');
      const published = client.waitFor((method, params) => method === 'textDocument/publishDiagnostics' && params.uri === changedUri, 30_000);
      client.notify('textDocument/didChange', { textDocument: { uri: changedUri, version: i + 2 }, contentChanges: [{ text: edited }] });
      await published;
      const r = await diff();
      afterEdit.push(r.ms);
      counts = r.counts;
    }
    out.serverAfterEdit = { medianMs: median(afterEdit), runsMs: afterEdit.map(Math.round), counts };
    client.notify('textDocument/didClose', { textDocument: { uri: changedUri } });

    // Files on disk that the index has not read (no watcher event reached the server): copies of a tenth of the
    // workspace under a new folder, listed as base files on disk.
    const copies = listYamlFiles(path.join(dir, 'teams')).filter((_, i) => i % 10 === 0);
    const unread = [];
    for (const [i, f] of copies.entries()) {
      const target = path.join(dir, 'unread', `${i}-${path.basename(f)}`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, fs.readFileSync(f, 'utf8').replace(/namespace: (\S+)/g, 'namespace: $1-copy'));
      unread.push(uriOf(target));
    }
    const withUnread = [];
    for (let i = 0; i < Math.min(rounds, 3); i++) {
      const { result, ms } = await client.request('netpol/reachabilityDiff', { baseFiles, baseFilesOnDisk: [...baseFilesOnDisk, ...unread], baseLabel: 'HEAD' }, 600_000);
      withUnread.push(ms);
      counts = result.counts;
    }
    out.serverWithUnreadFiles = { files: unread.length, medianMs: median(withUnread), runsMs: withUnread.map(Math.round), counts };
  } finally {
    await client.stop();
    git(dir, 'clean', '-q', '-fd');
  }
  out.loadAtEnd = loadAverage();
  out.ratioAfterEditToCli = Number((out.serverAfterEdit.medianMs / out.cli.medianMs).toFixed(2));
  console.log(JSON.stringify(out, null, 2));
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  process.exit(1);
});
