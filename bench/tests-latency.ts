// Connectivity tests on a large workspace, in process: the time of the diagnostics of `kind: ConnectivityTest` files
// (engine/assertions), which the server recomputes with every analysis. The test file is generated: for every 25th
// namespace of the workspace, "nobody reaches it" (`'*'` to the namespace: every workload of the workspace as a
// source) and "it reaches the next one on TCP 8080". Reported: the first run, then runs after edits of a pod label
// (each a new model, as a keystroke makes in the editor), and the longest step of a run in steps (the language
// server runs the steps in slices between requests: the longest step is what a request may wait for).
// node --import tsx bench/tests-latency.ts DIR [--edits N] [--profile FILE]
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { connectivityTestDiagnostics, connectivityTestDiagnosticSteps } from '../server/src/engine/assertions/editor';
import { Workspace } from '../server/src/engine/workspace';
import { cpuProfile, readManifests } from './manifests';

const args = process.argv.slice(2);
const root = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!root) throw new Error('usage: tests-latency.ts DIR [--edits N] [--profile FILE]');
const editCount = args.includes('--edits') ? Number(args[args.indexOf('--edits') + 1]) : 10;

const files = readManifests(root);
const workspace = new Workspace();
for (const [uri, text] of files) workspace.setFile(uri, text);
const namespaces = [...new Set(workspace.scopes().flatMap((s) => s.model.workloads.map((w) => w.namespace)))].sort();
const picked = namespaces.filter((_, i) => i % 25 === 0);
const lines = ['apiVersion: netpol.dev/v1alpha1', 'kind: ConnectivityTest', 'metadata:', '  name: generated', 'spec:', '  groups:'];
picked.forEach((ns, i) => lines.push(`    g${i}:`, `      namespace: ${ns}`));
lines.push('  expectations:');
picked.forEach((_, i) => {
  lines.push(`    - name: nobody reaches g${i}`, `      from: '*'`, `      to: g${i}`, '      verdict: deny');
  lines.push(`    - name: g${i} reaches the next`, `      from: g${i}`, `      to: g${(i + 1) % picked.length}`, '      ports: [8080]', '      verdict: allow');
});
workspace.setFile(pathToFileURL(path.join(root, 'generated.netpol-test.yaml')).href, `${lines.join('\n')}\n`);
const workloads = workspace.scopes().reduce((n, s) => n + s.model.workloads.length, 0);
console.log(`${files.length} files, ${workloads} workloads, ${picked.length * 2} expectations`);

const profiler = cpuProfile(args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined);
const run = () => {
  const started = performance.now();
  const diagnostics = connectivityTestDiagnostics(workspace);
  return { ms: performance.now() - started, failing: [...diagnostics.values()].reduce((n, list) => n + list.length, 0) };
};
const first = run();
console.log(`first run: ${Math.round(first.ms)} ms (${first.failing} diagnostics)`);
const labelEdit = /^( {8}app: )(\S+)$/m;
const editable = files.filter(([, text]) => labelEdit.test(text));
const after: number[] = [];
for (let i = 0; i < editCount; i++) {
  const [uri, text] = editable[(i * 7919) % editable.length];
  workspace.setFile(uri, text.replace(labelEdit, (_all, prefix: string, value: string) => `${prefix}${value}-x`));
  after.push(run().ms);
  workspace.setFile(uri, text);
}
// In steps, as the language server runs them (after one more edit, so that nothing is cached).
const [uri, text] = editable[0];
workspace.setFile(uri, `${text}\n`);
const steps = connectivityTestDiagnosticSteps(workspace);
const stepMs: number[] = [];
for (;;) {
  const started = performance.now();
  const next = steps.next();
  stepMs.push(performance.now() - started);
  if (next.done) break;
}
workspace.setFile(uri, text);
stepMs.sort((a, b) => a - b);
console.log(`in steps: ${stepMs.length} steps, median ${stepMs[Math.floor(stepMs.length / 2)].toFixed(2)} ms, longest ${stepMs[stepMs.length - 1].toFixed(1)} ms`);
profiler.stop();
after.sort((a, b) => a - b);
console.log(`after an edit: median ${Math.round(after[Math.floor(after.length / 2)])} ms, max ${Math.round(after[after.length - 1])} ms (${after.length} edits)`);
