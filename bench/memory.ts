// Memory of the engine in process, on one workspace: what the server's engine (Workspace + IncrementalRuleRunner)
// retains after indexing and after a series of edits, and what the edits allocate. Heap figures after a full GC.
// node --expose-gc --import tsx bench/memory.ts DIR [--edits N] [--snapshot FILE] [--snapshot-after-edits FILE]
//        [--alloc-profile FILE]
//   --snapshot writes a V8 heap snapshot after the first analysis (read it with bench/lib/heap-summary.mjs);
//   --alloc-profile samples what the edits allocate (collected garbage included), writes the .heapprofile and
//   prints the functions that allocate most (bundle first for readable names: see bench/NOTES.md)
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { IncrementalRuleRunner } from '../server/src/engine/rules/run';
import { Workspace } from '../server/src/engine/workspace';
import { readManifests, seededEdits } from './manifests';

const args = process.argv.slice(2);
const VALUED = new Set(['--edits', '--snapshot', '--snapshot-after-edits', '--alloc-profile']);
const root = args.find((a, i) => !a.startsWith('--') && !VALUED.has(args[i - 1]));
if (!root) throw new Error('usage: memory.ts DIR [--edits N] [--snapshot FILE]');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const editCount = Number(option('--edits') ?? 30);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const MB = 2 ** 20;
const rows: Record<string, unknown>[] = [];
const measure = (phase: string, extra: Record<string, unknown> = {}) => {
  gc();
  gc();
  const heap = v8.getHeapStatistics();
  const usage = process.memoryUsage();
  const row = {
    phase,
    heapUsedMB: Math.round(heap.used_heap_size / MB),
    heapTotalMB: Math.round(heap.total_heap_size / MB),
    externalMB: Math.round(usage.external / MB),
    rssMB: Math.round(usage.rss / MB),
    ...extra,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
};

measure('start');
const files = readManifests(root);
const chars = files.reduce((n, [, t]) => n + t.length, 0);
measure('texts read', { files: files.length, textMB: Math.round((chars / MB) * 10) / 10 });

const cpuAt = process.cpuUsage();
const ws = new Workspace();
for (const [uri, text] of files) ws.setFile(uri, text);
measure('files parsed');
const runner = new IncrementalRuleRunner();
runner.run(ws);
const firstCpu = process.cpuUsage(cpuAt);
measure('first analysis', { cpuMs: Math.round((firstCpu.user + firstCpu.system) / 1000) });
const snapshot = option('--snapshot');
if (snapshot) console.log(`snapshot: ${v8.writeHeapSnapshot(snapshot)}`);

// Heap growth per edit (a lower bound of what it allocates: collections during the edit hide part of it).
let allocated = 0;
interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

async function runEdits(): Promise<void> {
const allocProfile = option('--alloc-profile');
const inspector = allocProfile ? new Session() : undefined;
if (inspector) {
  inspector.connect();
  // Objects the GC already collected count too: the garbage is what makes the peak.
  inspector.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object);
}
const editCpu = process.cpuUsage();
let edits = 0;
// Edits as in bench/edit-latency.ts: a pod label, a policy's matchLabels value, a port; each then reverted.
for (const { uri, text, edited } of seededEdits(files, editCount)) {
  for (const next of [edited, text]) {
    const before = v8.getHeapStatistics().used_heap_size;
    ws.setFile(uri, next);
    runner.run(ws);
    allocated += Math.max(0, v8.getHeapStatistics().used_heap_size - before);
    edits++;
    // Let the job end, as the server's message loop does (WeakRef targets are kept until then).
    await new Promise((resolve) => setImmediate(resolve));
  }
}
const used = process.cpuUsage(editCpu);
if (inspector && allocProfile) {
  inspector.post('HeapProfiler.getSamplingProfile', (error, result) => {
    if (error) throw error;
    fs.writeFileSync(allocProfile, JSON.stringify(result.profile));
    const bySite = new Map<string, number>();
    let total = 0;
    // Built-ins (Map.set, Array.filter...) count for the script function that called them.
    const visit = (node: SamplingNode, caller: string) => {
      const f = node.callFrame;
      const site = f.url ? `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}` : caller;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
      for (const child of node.children) visit(child, site);
    };
    visit(result.profile.head as SamplingNode, '(root)');
    console.log(`allocated by the edits: ${Math.round(total / MB)} MB (${Math.round(total / MB / Math.max(1, edits))} MB per edit); top sites:`);
    for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(bytes / MB).toFixed(1).padStart(8)} MB  ${site}`);
  });
}
measure('after edits', { edits, cpuMsPerEdit: Math.round((used.user + used.system) / 1000 / Math.max(1, edits)), heapGrowthPerEditMB: Math.round((allocated / Math.max(1, edits) / MB) * 10) / 10 });
const after = option('--snapshot-after-edits');
if (after) console.log(`snapshot: ${v8.writeHeapSnapshot(after)}`);
}
void runEdits();
