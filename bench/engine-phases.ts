// Times the engine's phases on one workspace, in process (no CLI, no server): read, parse, model, rules,
// connection list. For profiling: node --import tsx --cpu-prof bench/engine-phases.ts DIR [--list] [--rules]
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { listConnections } from '../server/src/report/connlist';
import { runRules } from '../server/src/engine/rules/run';
import { Workspace } from '../server/src/engine/workspace';
import { manifestPaths } from './manifests';


const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--'));
if (!root) throw new Error('usage: engine-phases.ts DIR [--list] [--rules]');
// Wall and CPU time per phase: on a shared machine the CPU time is the steadier figure.
const phases: Record<string, number> = {};
const cpu: Record<string, number> = {};
let mark = performance.now();
let cpuMark = process.cpuUsage();
const lap = (name: string) => {
  const t = performance.now();
  const c = process.cpuUsage();
  phases[name] = Math.round(t - mark);
  cpu[name] = Math.round((c.user - cpuMark.user + c.system - cpuMark.system) / 1000);
  mark = t;
  cpuMark = c;
};
const files = manifestPaths(root).map((f) => [pathToFileURL(f).href, fs.readFileSync(f, 'utf8')] as const);
lap('read');
const workspace = new Workspace();
for (const [uri, text] of files) workspace.setFile(uri, text);
lap('parse');
const scopes = workspace.scopes();
lap('model');
let findings = 0;
if (args.includes('--rules')) {
  for (const list of runRules(workspace).values()) findings += list.length;
  lap('rules');
}
let connections = 0;
if (args.includes('--list')) {
  for (const scope of scopes) connections += listConnections(scope.analysis).length;
  lap('list');
}
console.log(JSON.stringify({ files: files.length, workloads: scopes.reduce((n, s) => n + s.model.workloads.length, 0), findings, connections, phases, cpu, heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
