// Hover and completion latency in process, on one workspace: the engine work of the requests `npm run bench` makes
// (hovers on workload names and selector keys, completions at matchLabels values), without the protocol. Three
// phases: requests on an analysed workspace (as after indexing); each request right after an edit and its analysis
// (the first request of a new workspace version pays for whatever the features build per model); each request right
// after an edit, before the analysis (it pays for the model update too).
// node --import tsx bench/features-latency.ts DIR [--requests N] [--edits N] [--profile FILE] [--only KIND] [--cold]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { completion } from '../server/src/engine/features/completion';
import { featureIndex } from '../server/src/engine/features/index';
import { hover } from '../server/src/engine/features/hover';
import { IncrementalRuleRunner } from '../server/src/engine/rules/run';
import { Workspace } from '../server/src/engine/workspace';
// @ts-expect-error plain JavaScript module of the benchmark
import { findTargets, pick, seededRandom } from './lib/targets.mjs';
import { cpuProfile, readManifests } from './manifests';

interface Target {
  file: string;
  offset: number;
}

const args = process.argv.slice(2);
const root = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!root) throw new Error('usage: features-latency.ts DIR [--requests N] [--edits N] [--profile FILE]');
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const requestCount = option('--requests', 60);
const editCount = option('--edits', 20);

const files = readManifests(root);
const ws = new Workspace();
for (const [uri, text] of files) ws.setFile(uri, text);
const runner = new IncrementalRuleRunner();
let started = performance.now();
runner.run(ws);
featureIndex(ws).scopes();
console.log(`first run (rules, feature index): ${Math.round(performance.now() - started)} ms`);

const targets = findTargets(root, { seed: path.basename(root).replace(/^ws-/, '') }) as { hovers: { selector: Target[]; workload: Target[] }; completions: Target[] };
const random = seededRandom(`${root}:features`) as () => number;
const allPlans = {
  'hover workload': pick(targets.hovers.workload, requestCount, random) as Target[],
  'hover selector': pick(targets.hovers.selector, requestCount, random) as Target[],
  completion: pick(targets.completions, requestCount, random) as Target[],
};
// --only KIND[,KIND]: time only some kinds (for profiles).
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const plan = Object.fromEntries(Object.entries(allPlans).filter(([kind]) => !only || only.some((o) => kind.includes(o)))) as Partial<typeof allPlans>;
const uriOf = (file: string) => pathToFileURL(file).href;
// The server builds the syntax trees of open documents while idle (lsp/handlers/document-open.ts); the bench's editor opens every
// file it asks about. --cold leaves them to the first request.
const warm = () => {
  if (args.includes('--cold')) return;
  for (const t of Object.values(allPlans).flat()) {
    for (const d of ws.getFile(uriOf(t.file))?.documents ?? []) {
      void d.yaml;
      for (const o of d.objects) void o.node;
    }
  }
};
warm();
const ask = (kind: keyof typeof allPlans, t: Target): unknown =>
  kind === 'completion' ? completion(ws, uriOf(t.file), t.offset) : hover(ws, uriOf(t.file), t.offset);

const profiler = cpuProfile(args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined);

const pct = (list: number[], p: number) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10 : NaN;
};
const summary = (list: number[]) => ({ p50: pct(list, 50), p95: pct(list, 95), max: pct(list, 100) });
const timed = (fn: () => unknown) => {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const used = process.cpuUsage(c);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000 };
};

const results: Record<string, unknown> = {};
// Phase 1: an analysed workspace, requests one after the other (as the bench's request phase).
for (const kind of Object.keys(plan) as (keyof typeof allPlans)[]) {
  const wall: number[] = [];
  const cpu: number[] = [];
  let empty = 0;
  for (const t of plan[kind]!) {
    let answer: unknown;
    const m = timed(() => (answer = ask(kind, t)));
    if (!answer || (Array.isArray(answer) && answer.length === 0)) empty++;
    wall.push(m.wall);
    cpu.push(m.cpu);
  }
  results[kind] = { n: wall.length, empty, wallMs: summary(wall), cpuMs: summary(cpu) };
}

// Phase 2: an edit (a pod label value, in a file the plan does not ask about), the rules re-run and the feature index
// built as the server does, then one request of each kind on the new version.
const labelEdit = /^( {8}app: )(\S+)$/m;
const editable = files.filter(([, text]) => labelEdit.test(text));
/**
 * Requests after label edits (each then reverted): after the analysis of the edit (`after edit`), or right after
 * the edit, before any analysis (`before analysis`).
 */
const afterEdits = (requestFirst: boolean) => {
  for (const kind of Object.keys(plan) as (keyof typeof allPlans)[]) {
    const wall: number[] = [];
    const cpu: number[] = [];
    const analyse = () => {
      runner.run(ws);
      featureIndex(ws).scopes();
      warm();
    };
    for (let i = 0; i < editCount && editable.length > 0; i++) {
      const [uri, text] = editable[Math.floor(random() * editable.length)];
      for (const next of [text.replace(labelEdit, (_all, prefix: string, value: string) => `${prefix}${value}-x`), text]) {
        ws.setFile(uri, next);
        if (!requestFirst) analyse();
        const t = plan[kind]![Math.floor(random() * plan[kind]!.length)];
        const m = timed(() => ask(kind, t));
        wall.push(m.wall);
        cpu.push(m.cpu);
        if (requestFirst) analyse();
      }
    }
    results[`${kind} ${requestFirst ? 'before analysis' : 'after edit'}`] = { n: wall.length, wallMs: summary(wall), cpuMs: summary(cpu) };
  }
};
afterEdits(false);

// Phase 3: a request right after an edit, before any analysis (a keystroke, then a hover or a completion): the
// request pays for the model update and the feature index of the new version, not for the rules.
afterEdits(true);

profiler.stop();
console.log(`files: ${files.length}, load: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const [kind, r] of Object.entries(results)) console.log(`${kind.padEnd(26)} ${JSON.stringify(r)}`);
