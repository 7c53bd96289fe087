// Peak memory and CPU of language server variants in one run: the `npm run bench` editor session (indexing, edits
// with their reverts, hovers, lenses, completions) against each variant in turn, rounds alternating so that the
// machine's load drifts over all of them alike. A variant is a CLI bundle and node options.
//   node bench/memory-session.mjs [--workspace DIR] [--server NAME=CLI_JS[:NODE_OPTION,...]]... [--rounds N]
//        [--edits N] [--hovers N] [--requests N] [--out FILE]
//   node bench/memory-session.mjs --snapshot FILE [--server NAME=CLI_JS] [--workspace DIR] [--snapshot-edits N]
//        heap snapshot of the server once it has indexed (node --heapsnapshot-signal), or after N label edits and
//        their reverts in open documents (what the server keeps across edits); read it with
//        bench/lib/heap-summary.mjs
// Default: dist/cli.js as is, 60 edits, 40 hovers, 40 requests, one round, the large workspace of `npm run bench`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage } from './lib/proc.mjs';
import { LspClient, now, sectionOf, sleep } from './lib/rpc.mjs';
import { runSession } from './lib/scenario.mjs';
import { findTargets, listYamlFiles, positionAt, uriOf } from './lib/targets.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const cache = process.env.NETPOL_BENCH_CACHE ?? path.join(os.tmpdir(), 'netpol-bench');
const workspace = path.resolve(option('--workspace', path.join(cache, 'ws-large')));
const servers = [];
args.forEach((a, i) => {
  if (a !== '--server') return;
  const [name, spec] = args[i + 1].split(/=(.*)/s);
  const [cli, flags] = spec.split(/:(.*)/s);
  servers.push({ name, cli: path.resolve(cli), nodeOptions: flags ? flags.split(',') : [] });
});
if (!servers.length) servers.push({ name: 'current', cli: path.join(repo, 'dist', 'cli.js'), nodeOptions: [] });
if (!fs.existsSync(workspace)) throw new Error(`no workspace at ${workspace} (npm run bench -- --only large generates it)`);
const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const commandOf = (s) => [process.execPath, ...s.nodeOptions, s.cli, 'lsp', '--stdio'];

async function snapshotAfterIndexing(server, file) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-heap-'));
  const client = new LspClient([process.execPath, '--heapsnapshot-signal=SIGUSR2', ...server.nodeOptions, server.cli, 'lsp', '--stdio'], { cwd: dir, settings: { netpol: {} } });
  let indexed = false;
  let lastMessage = now();
  client.listen((method) => {
    lastMessage = now();
    if (method === 'netpol/indexComplete') indexed = true;
  });
  client.answers['workspace/configuration'] = (params) => (params?.items ?? []).map((item) => sectionOf({ netpol: {} }, item.section));
  const rootUri = uriOf(workspace);
  await client.request('initialize', { processId: process.pid, rootUri, workspaceFolders: [{ uri: rootUri, name: 'ws' }], capabilities: { workspace: { configuration: true, workspaceFolders: true } } });
  client.notify('initialized', {});
  client.notify('workspace/didChangeConfiguration', { settings: { netpol: {} } });
  while (!indexed || now() - lastMessage < 2000) {
    if (client.exited) throw new Error(`server exited: ${JSON.stringify(client.exited)}`);
    await sleep(100);
  }
  const edits = Number(option('--snapshot-edits', 0));
  if (edits > 0) {
    const targets = findTargets(workspace, { seed: path.basename(workspace).replace(/^ws-/, '') }).edits.label;
    const texts = new Map();
    for (let i = 0; i < edits; i++) {
      const target = targets[i % targets.length];
      const uri = uriOf(target.file);
      if (!texts.has(uri)) {
        texts.set(uri, { text: fs.readFileSync(target.file, 'utf8'), version: 1 });
        client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: texts.get(uri).text } });
      }
      const doc = texts.get(uri);
      for (const [offset, remove, insert] of [[target.offset, 0, target.insert], [target.offset, target.insert.length, '']]) {
        const range = { start: positionAt(doc.text, offset), end: positionAt(doc.text, offset + remove) };
        doc.text = doc.text.slice(0, offset) + insert + doc.text.slice(offset + remove);
        client.notify('textDocument/didChange', { textDocument: { uri, version: ++doc.version }, contentChanges: [{ range, text: insert }] });
        lastMessage = now();
        while (now() - lastMessage < 400) await sleep(50);
      }
    }
    while (now() - lastMessage < 2000) await sleep(100);
  }
  client.sampleRss();
  log(`${edits ? `${edits} edits and reverts made` : 'indexed'}; peak RSS so far ${Math.round(client.peakRssMB)} MB; writing the heap snapshot`);
  process.kill(client.pid, 'SIGUSR2');
  // The snapshot is complete when its size stops growing.
  let size = -1;
  for (;;) {
    await sleep(1000);
    const found = fs.readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    const next = found ? fs.statSync(path.join(dir, found)).size : -1;
    if (found && next === size && next > 0) {
      fs.renameSync(path.join(dir, found), file);
      break;
    }
    size = next;
  }
  await client.stop();
  log(`snapshot: ${file}`);
}

async function main() {
  const snapshot = option('--snapshot');
  if (snapshot) return snapshotAfterIndexing(servers[0], path.resolve(snapshot));
  const rounds = Number(option('--rounds', 1));
  const files = listYamlFiles(workspace);
  const targets = findTargets(workspace, { seed: path.basename(workspace).replace(/^ws-/, '') });
  const out = { date: new Date().toISOString(), workspace, files: files.length, loadAtStart: loadAverage(), runs: [] };
  for (let round = 0; round < rounds; round++) {
    for (const server of round % 2 ? [...servers].reverse() : servers) {
      log(`round ${round + 1}: ${server.name} (${commandOf(server).slice(1).join(' ')})`);
      const r = await runSession({
        command: commandOf(server), cwd: repo, workspace, files, targets, startMode: 'index', settings: { netpol: {} },
        edits: Number(option('--edits', 60)), hovers: Number(option('--hovers', 40)), requests: Number(option('--requests', 40)),
      });
      const run = {
        server: server.name, round, error: r.error, peakRssMB: r.peakRssMB, rssAfterStartMB: r.rssAfterStartMB,
        startMs: r.startMs, startCpuMs: r.startCpuMs, cpuMs: r.cpuMs, edit: r.edit, hoverWorkload: r.hoverWorkload,
        hoverSelector: r.hoverSelector, codeLens: r.codeLens, completion: r.completion, findings: r.findings, load: loadAverage(),
      };
      out.runs.push(run);
      log(JSON.stringify({ server: run.server, peakRssMB: run.peakRssMB, rssAfterStartMB: run.rssAfterStartMB, startCpuMs: run.startCpuMs, cpuMs: run.cpuMs, editP50: r.edit?.p50, editP95: r.edit?.p95, findings: r.findings, error: r.error, load: run.load }));
    }
  }
  out.loadAtEnd = loadAverage();
  const file = option('--out');
  if (file) fs.writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
  process.stdout.write(`${'server'.padEnd(16)} ${'peak RSS'.padStart(9)} ${'after start'.padStart(12)} ${'start CPU'.padStart(10)} ${'total CPU'.padStart(10)} ${'edit p50/p95'.padStart(14)} findings\n`);
  for (const r of out.runs) {
    process.stdout.write(`${r.server.padEnd(16)} ${`${r.peakRssMB} MB`.padStart(9)} ${`${r.rssAfterStartMB} MB`.padStart(12)} ${`${(r.startCpuMs / 1000).toFixed(1)} s`.padStart(10)} ${`${(r.cpuMs / 1000).toFixed(1)} s`.padStart(10)} ${`${r.edit?.p50}/${r.edit?.p95} ms`.padStart(14)} ${r.findings}${r.error ? ` ERROR ${r.error}` : ''}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`memory-session: ${error.stack ?? error}\n`);
  process.exit(1);
});
