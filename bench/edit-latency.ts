// Edit -> diagnostics in process, on one workspace: the language server's engine work per edit (re-parse the file,
// update the models, re-run the rules incrementally), without the protocol. Edits like `npm run bench`'s: a pod
// template's app label value, a policy's matchLabels value, a port number; each followed by its revert.
// node --import tsx bench/edit-latency.ts DIR [--edits N] [--full] [--profile FILE] [--slowest]
//   --full also times a whole runRules per edit; --profile writes a .cpuprofile of the edits only (not the first run)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IncrementalRuleRunner, runRules } from '../server/src/engine/rules/run';
import { Workspace } from '../server/src/engine/workspace';
import { cpuProfile, readManifests, seededEdits } from './manifests';

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--'));
if (!root) throw new Error('usage: edit-latency.ts DIR [--edits N] [--full]');
const editCount = Number(args[args.indexOf('--edits') + 1]) || 60;
const files = readManifests(root);
const ws = new Workspace();
for (const [uri, text] of files) ws.setFile(uri, text);
const runner = new IncrementalRuleRunner();
let started = performance.now();
runner.run(ws);
console.log(`first run (full): ${Math.round(performance.now() - started)} ms`);

const profiler = cpuProfile(args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined);

const wall: number[] = [];
const cpu: number[] = [];
const fullWall: number[] = [];
const kinds: Record<string, number> = {};
/** The slowest edits, with what they re-ran, to see what the tail is made of. */
const slowest: { ms: number; kind: string; file: string; timings: Record<string, number> }[] = [];
const phases: Record<string, number> = {};
for (const { kind: name, uri, text, edited } of seededEdits(files, editCount)) {
  for (const next of [edited, text]) {
    const c = process.cpuUsage();
    started = performance.now();
    ws.setFile(uri, next);
    runner.run(ws);
    wall.push(performance.now() - started);
    slowest.push({ ms: Math.round(wall[wall.length - 1]), kind: name, file: path.relative(root, new URL(uri).pathname), timings: Object.fromEntries(Object.entries(runner.timings).filter(([, v]) => v >= 2).map(([k, v]) => [k, Math.round(v)])) });
    slowest.sort((a, b) => b.ms - a.ms);
    slowest.length = Math.min(slowest.length, 8);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    kinds[name] = (kinds[name] ?? 0) + 1;
    for (const [k, v] of Object.entries(runner.timings)) phases[k] = (phases[k] ?? 0) + v;
    if (args.includes('--full')) {
      started = performance.now();
      runRules(ws);
      fullWall.push(performance.now() - started);
    }
  }
}
profiler.stop();
const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10 : NaN;
};
console.log(JSON.stringify({
  files: files.length,
  edits: wall.length,
  kinds,
  wallMs: { p50: pct(wall, 50), p95: pct(wall, 95), max: pct(wall, 100) },
  cpuMs: { p50: pct(cpu, 50), p95: pct(cpu, 95) },
  ...(fullWall.length ? { fullRunRulesWallMs: { p50: pct(fullWall, 50), p95: pct(fullWall, 95) } } : {}),
  meanMsByPhase: Object.fromEntries(Object.entries(phases).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, Math.round((v / wall.length) * 10) / 10])),
  load: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
}));
if (args.includes('--slowest')) for (const s of slowest) console.log(JSON.stringify(s));
// The store's queries (engine/store.ts) after the first run and the edits: answers kept and recomputed.
if (args.includes('--store')) for (const q of ws.store.stats().sort((a, b) => b.misses - a.misses)) console.log(JSON.stringify(q));
