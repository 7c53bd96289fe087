// Start of the real server on a workspace, as `npm run bench` measures it (spawn → index complete and every finding
// published), for one or more builds in alternating rounds (A, B, A, B, ...), so that builds are compared under the
// same machine load. Prints wall and CPU time per round and the medians per build.
//   node bench/start-lsp.mjs [--preset medium] [--rounds 5] [--node-args "--cpu-prof --cpu-prof-dir=DIR"] [CLI.js ...]
// Each CLI.js is a built bin/netpol.js (default: this repository's); build an older commit elsewhere to compare.
// Starts after the first use the readings cache (server/src/lsp/readings-cache.ts) in $NETPOL_CACHE_DIR or the
// user's cache folder; NETPOL_READINGS_CACHE=off measures starts that read every file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuTicks, stealPercent } from './lib/proc.mjs';
import { startOnly } from './lib/start.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const preset = option('--preset', 'medium');
const rounds = Number(option('--rounds', 5));
const nodeArgs = option('--node-args', '').split(' ').filter(Boolean);
const valued = new Set(['--preset', '--rounds', '--node-args']);
const clis = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
if (clis.length === 0) clis.push(path.join(repo, 'bin', 'netpol.js'));

const cache = process.env.NETPOL_BENCH_CACHE ?? path.join(os.tmpdir(), 'netpol-bench');
const dir = path.join(cache, `ws-${preset}`);
if (!fs.existsSync(dir)) throw new Error(`no workspace ${dir}: run npm run bench -- --only ${preset} once`);
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

const start = (cli) => startOnly({ cli, dir, nodeArgs });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const all = new Map(clis.map((c) => [c, []]));
for (let round = 1; round <= rounds; round++) {
  for (const cli of clis) {
    const before = load();
    const ticks = cpuTicks();
    const r = await start(cli);
    const steal = stealPercent(ticks, cpuTicks());
    all.get(cli).push(r);
    console.log(`round ${round} ${cli}: load ${before}${steal !== undefined ? `, steal ${steal}%` : ''}  initialize ${r.initialize.toFixed(0)} · index ${r.index.toFixed(0)} · start ${r.start.toFixed(0)} ms · CPU ${r.cpu.toFixed(0)} ms${r.readLog ? ` · ${r.readLog}` : ''}`);
  }
}
for (const [cli, rs] of all) {
  const m = (k) => median(rs.map((r) => r[k])).toFixed(0);
  console.log(`median ${cli}: initialize ${m('initialize')} · index ${m('index')} · start ${m('start')} ms · CPU ${m('cpu')} ms`);
}
process.exit(0);
