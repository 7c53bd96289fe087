// Workload reach (the workload hover's engine work) in process: cold (first reach on a fresh analysis, as the first
// hover after an edit) and warm, for a seeded sample of workloads.
// node --import tsx bench/reach-latency.ts DIR [--n N] [--profile FILE]
import { featureIndex } from '../server/src/engine/features/index';
import { reachOf } from '../server/src/engine/features/reach';
import { Workspace } from '../server/src/engine/workspace';
import { cpuProfile, readManifests } from './manifests';

const args = process.argv.slice(2);
const root = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!root) throw new Error('usage: reach-latency.ts DIR [--n N] [--profile FILE]');
const n = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 40;
const ws = new Workspace();
for (const [uri, text] of readManifests(root)) ws.setFile(uri, text);
const scopes = featureIndex(ws).scopes();
const index = scopes.reduce((a, b) => (a.model.workloads.length >= b.model.workloads.length ? a : b));
const workloads = index.model.workloads;
const sample = Array.from({ length: n }, (_, i) => workloads[Math.floor(((i * 2654435761) % 2 ** 32) / 2 ** 32 * workloads.length)]);
const profiler = cpuProfile(args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined);
const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
};
const cpu = (fn: () => void) => {
  const c = process.cpuUsage();
  fn();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
};
// Cold: each reach on a fresh analysis of the same model (as after an edit: new Analysis, empty caches).
const cold: number[] = [];
for (const w of sample.slice(0, Math.min(args.includes("--cold-only") ? n : 10, n))) {
  const fresh = featureIndex(ws).scopes().find((s) => s.model === index.model)!;
  const ctor = index.analysis.constructor as new (m: typeof index.model) => typeof index.analysis;
  const analysis = new ctor(index.model);
  const view = Object.create(fresh, { analysis: { value: analysis } });
  cold.push(cpu(() => reachOf(view, w)));
}
// First: each workload's first reach on an analysis that other reaches have warmed (the hovers of a session).
const first: number[] = [];
reachOf(index, workloads[0]);
const slowest: [number, string][] = [];
for (const w of sample) {
  const ms = cpu(() => reachOf(index, w));
  first.push(ms);
  slowest.push([ms, w.displayName]);
}
const warm: number[] = [];
for (const w of sample) warm.push(cpu(() => reachOf(index, w)));
profiler.stop();
console.log(`workloads ${workloads.length}, tiered ${index.analysis.tiered}`);
console.log(`first reach on a warm analysis CPU ms p50 ${pct(first, 50)} p95 ${pct(first, 95)} max ${pct(first, 100)}; slowest ${slowest.sort((a, b) => b[0] - a[0]).slice(0, 4).map(([ms, name]) => `${name} ${Math.round(ms * 10) / 10}`).join(', ')}`);
console.log(`cold reach CPU ms p50 ${pct(cold, 50)} max ${pct(cold, 100)}; warm reach p50 ${pct(warm, 50)} p95 ${pct(warm, 95)} max ${pct(warm, 100)}`);
