// Hover, code lens and completion latency through the real server (the session `npm run bench` runs: start,
// edits, then requests), for one or more builds of the server in turn, so that builds are compared under the same
// machine load: A, B, A, B, ... The workspace and targets are those of `npm run bench` for the preset.
//   node bench/features-lsp.mjs [--preset large] [--rounds 2] [--edits 60] [--hovers 40] [--requests 40] [--cpu-prof DIR] [CLI.js ...]
// Each CLI.js is a built bin/netpol.js (default: this repository's); build an older commit elsewhere to compare.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSession } from './lib/scenario.mjs';
import { findTargets } from './lib/targets.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const preset = option('--preset', 'large');
const rounds = Number(option('--rounds', 2));
const edits = Number(option('--edits', 60));
const hovers = Number(option('--hovers', 40));
const requests = Number(option('--requests', 40));
const profileDir = option('--cpu-prof', undefined);
const serverArgs = option('--server-args', '').split(' ').filter(Boolean);
const valued = new Set(['--preset', '--rounds', '--edits', '--hovers', '--requests', '--cpu-prof', '--server-args']);
const clis = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
if (clis.length === 0) clis.push(path.join(repo, 'bin', 'netpol.js'));

const cache = process.env.NETPOL_BENCH_CACHE ?? path.join(os.tmpdir(), 'netpol-bench');
const dir = path.join(cache, `ws-${preset}`);
if (!fs.existsSync(dir)) throw new Error(`no workspace ${dir}: run npm run bench -- --only ${preset} once`);
const targets = findTargets(dir, { seed: preset });
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const show = (s) => (s?.n ? `${s.p50}/${s.p95} (max ${s.max})` : 'n/a');
const slowest = (s) => (s?.slowest ?? []).map((t) => `${t.ms} #${t.nth} ${t.target}`).join(', ');

for (let round = 1; round <= rounds; round++) {
  for (const cli of clis) {
    const loadBefore = load();
    const r = await runSession({
      command: [process.execPath, ...serverArgs, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), cli, 'lsp', '--stdio'], cwd: path.dirname(path.dirname(cli)), workspace: dir, files: targets.files, targets,
      startMode: 'index', settings: { netpol: {} }, edits, hovers, requests, editBudgetMs: 300_000,
    });
    console.log(
      `round ${round} ${cli}: load ${loadBefore} -> ${load()}${r.error ? ` ERROR ${r.error}` : ''}\n` +
        `  edit ${show(r.edit)} · hover selectors ${show(r.hoverSelector)} · hover workloads ${show(r.hoverWorkload)} · code lens ${show(r.codeLens)} · completion ${show(r.completion)}\n` +
        `  slowest workload hovers: ${slowest(r.hoverWorkload)}; completions: ${slowest(r.completion)}; peak RSS ${r.peakRssMB} MB`,
    );
  }
}
