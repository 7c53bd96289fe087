#!/usr/bin/env node
// npm run bench: speed and memory of netpol on generated workspaces, against the naive YAML parse and
// yaml-language-server with the Kubernetes schema. See bench/README.md for what is measured and how.
//
//   node bench/run.mjs [--only small,medium,large] [--workspace DIR] [--cache DIR] [--edits N] [--hovers N]
//                      [--requests N] [--yls small,medium | --no-yls] [--list small,medium] [--edit-budget-s S]
//                      [--starts N] [--no-build] [--no-readme] [--out FILE]
// Presets: small, medium, large (the README's table), and small-tiers, medium-tiers, large-tiers: the same
// workspaces plus cluster-wide policies (bench/lib/cluster-policies.mjs), small-cilium, medium-cilium, large-cilium:
// plus Cilium policies in every namespace (bench/lib/cilium-policies.mjs), and small-calico, medium-calico,
// large-calico: plus Calico tiers and policies (bench/lib/calico-policies.mjs); their figures never go to the README.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureKubernetesSchema } from './lib/k8s-schema.mjs';
import { cpuTicks, loadAverage, stealPercent, timeCommand } from './lib/proc.mjs';
import { runSession } from './lib/scenario.mjs';
import { startOnly } from './lib/start.mjs';
import { findTargets } from './lib/targets.mjs';
import { CLUSTER_POLICIES } from './lib/cluster-policies.mjs';
import { writeCiliumPolicies } from './lib/cilium-policies.mjs';
import { calicoPolicyFiles } from './lib/calico-policies.mjs';
import { renderMarkdown, renderTerminal, updateReadme } from './lib/report.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PRESETS = ['small', 'medium', 'large'];
const TIERED_PRESETS = PRESETS.flatMap((p) => [`${p}-tiers`, `${p}-cilium`, `${p}-calico`]);

function parseOptions(argv) {
  const o = {
    only: PRESETS, workspace: undefined, cache: process.env.NETPOL_BENCH_CACHE ?? path.join(os.tmpdir(), 'netpol-bench'),
    edits: 120, hovers: 60, requests: 60, yls: ['small', 'medium'], list: ['small', 'medium'], editBudgetS: 300, starts: 3, build: true, readme: true, out: path.join(repo, 'bench', 'results.json'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--only') o.only = value().split(',').filter(Boolean);
    else if (a === '--workspace') o.workspace = path.resolve(value());
    else if (a === '--cache') o.cache = path.resolve(value());
    else if (a === '--edits') o.edits = Number(value());
    else if (a === '--hovers') o.hovers = Number(value());
    else if (a === '--requests') o.requests = Number(value());
    else if (a === '--yls') o.yls = value().split(',').filter(Boolean);
    else if (a === '--no-yls') o.yls = [];
    else if (a === '--list') o.list = value().split(',').filter(Boolean);
    else if (a === '--edit-budget-s') o.editBudgetS = Number(value());
    else if (a === '--starts') o.starts = Number(value());
    else if (a === '--no-build') o.build = false;
    else if (a === '--no-readme') o.readme = false;
    else if (a === '--out') o.out = path.resolve(value());
    else throw new Error(`unknown option ${a}`);
  }
  for (const p of o.only) if (!PRESETS.includes(p) && !TIERED_PRESETS.includes(p)) throw new Error(`--only: unknown workspace ${p} (${[...PRESETS, ...TIERED_PRESETS].join(', ')})`);
  // The README's table holds the NetworkPolicy-only presets.
  if (o.only.some((p) => TIERED_PRESETS.includes(p))) o.readme = false;
  if (!(o.edits >= 2)) throw new Error('--edits must be at least 2');
  if (!(o.starts >= 1)) throw new Error('--starts must be at least 1');
  return o;
}

/** The median of some figures (null when one is missing: a failed start). */
function median(values) {
  if (values.some((v) => typeof v !== 'number')) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

/** The generated workspace of a preset in the cache, made once (the generator is deterministic). */
function ensureWorkspace(cache, preset) {
  const dir = path.join(cache, `ws-${preset}`);
  const marker = path.join(dir, '.gen-workspace.json');
  if (fs.existsSync(marker)) return dir;
  const generator = path.resolve(repo, '..', 'shared', 'bench', 'gen-workspace.mjs');
  if (!fs.existsSync(generator)) throw new Error(`the workspace generator is missing: ${generator} (or pass --workspace DIR)`);
  fs.mkdirSync(cache, { recursive: true });
  process.stderr.write(`generating ${preset} workspace in ${dir}\n`);
  const base = preset.replace(/-(tiers|cilium|calico)$/, '');
  execFileSync(process.execPath, [generator, dir, '--preset', base, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (preset.endsWith('-tiers')) fs.writeFileSync(path.join(dir, 'cluster-policies.yaml'), CLUSTER_POLICIES);
  if (preset.endsWith('-cilium')) writeCiliumPolicies(dir);
  if (preset.endsWith('-calico')) {
    for (const [file, text] of calicoPolicyFiles(dir)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
  }
  return dir;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version,
    os: `${os.type()} ${os.release()}`, loadAtStart: loadAverage(),
  };
}

async function measureWorkspace(name, dir, o, log) {
  const netpol = [process.execPath, path.join(repo, 'bin', 'netpol.js')];
  const r = { name, dir };
  const files = (await import('./lib/targets.mjs')).listYamlFiles(dir);
  r.files = files.length;
  r.bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);

  log(`[${name}] naive parse (yaml parseAllDocuments)`);
  const parse = await timeCommand(process.execPath, [path.join(repo, 'bench', 'lib', 'naive-parse.mjs'), dir], { cwd: repo, stdoutFile: path.join(o.cache, 'naive-parse.json'), timeoutMs: 600_000 });
  try {
    r.naiveParse = { ...JSON.parse(fs.readFileSync(path.join(o.cache, 'naive-parse.json'), 'utf8')), processMs: parse.ms };
  } catch {
    r.naiveParse = { error: parse.stderrTail || `exit ${parse.code}` };
  }

  log(`[${name}] netpol check`);
  const check = await timeCommand(netpol[0], [netpol[1], 'check', dir], { cwd: repo, timeoutMs: 600_000 });
  r.check = { ms: check.ms, peakRssMB: check.peakRssMB, exitCode: check.code, ok: check.code === 0 || check.code === 1 };
  if (!r.check.ok) r.check.error = check.stderrTail || `killed (${check.signal})`;

  // Every pair of workloads: 10,000² on the large workspace, with a target only on medium.
  if (o.list.includes(name) || o.workspace) {
    log(`[${name}] netpol list`);
    const list = await timeCommand(netpol[0], [netpol[1], 'list', dir], { cwd: repo, timeoutMs: 600_000 });
    r.list = { ms: list.ms, peakRssMB: list.peakRssMB, exitCode: list.code, ok: list.code === 0 };
    if (!r.list.ok) r.list.error = list.stderrTail || `killed (${list.signal})`;
  }

  log(`[${name}] targets for edits, hovers, lenses, completions`);
  const targets = findTargets(dir, { seed: name });
  r.targets = Object.fromEntries([...Object.entries(targets.edits), ...Object.entries(targets.hovers)].map(([k, v]) => [k, v.length]));

  // The first start after an install or a build has no code cache (server/src/boot/code-cache.ts), and the first
  // start on a workspace no readings cache (server/src/lsp/readings-cache.ts) and no findings cache
  // (server/src/lsp/findings-cache.ts): measured apart, from removed caches. It writes all three, which the session
  // below starts with, as every later start on an unchanged workspace does.
  log(`[${name}] netpol lsp --stdio without a code, readings or findings cache`);
  for (const f of fs.readdirSync(path.join(repo, 'dist'))) if (f.endsWith('.v8cache')) fs.rmSync(path.join(repo, 'dist', f), { force: true });
  fs.rmSync(process.env.NETPOL_CACHE_DIR, { recursive: true, force: true });
  r.netpolNoCodeCache = await startOnly({ cli: netpol[1], dir });

  log(`[${name}] netpol lsp --stdio`);
  r.netpol = await runSession({
    // NETPOL_BENCH_SERVER_ARGS: extra Node.js flags for the server alone (e.g. --cpu-prof --cpu-prof-dir=DIR).
    command: [process.execPath, ...(process.env.NETPOL_BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean), ...netpol.slice(1), 'lsp', '--stdio'], cwd: repo, workspace: dir, files, targets, startMode: 'index',
    settings: { netpol: {} }, edits: o.edits, hovers: o.hovers, requests: o.requests, editBudgetMs: o.editBudgetS * 1000, log: path.join(o.cache, `netpol-${name}.log`),
  });

  let ylsStart;
  if (o.yls.includes(name)) {
    log(`[${name}] yaml-language-server with the Kubernetes schema`);
    const server = path.join(repo, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');
    if (!fs.existsSync(server)) r.yls = { error: 'yaml-language-server is not installed (devDependency)' };
    else {
      // The `kubernetes` schema keyword, as VS Code users set it: the server then selects the definition by
      // apiVersion and kind. It downloads the schema through the client (vscode/content), answered from the cache.
      const schemaDir = path.dirname(ensureKubernetesSchema(o.cache));
      const yaml = { validate: true, hover: true, completion: true, schemaStore: { enable: false }, schemas: { kubernetes: '*.yaml' } };
      const content = (params) => {
        // Definitions are asked for as `_definitions.json#/definitions/<name>`: the whole file answers.
        const url = String(Array.isArray(params) ? params[0] : params).split('#')[0];
        const name = url.split('/').pop();
        if (!/standalone-strict\/(all|_definitions)\.json$/.test(url)) throw new Error(`offline: ${url}`);
        return fs.readFileSync(path.join(schemaDir, name), 'utf8');
      };
      const session = (requests) =>
        runSession({
          command: [process.execPath, server, '--stdio'], cwd: repo, workspace: dir, files, targets, startMode: 'open-all',
          notifications: [['yaml/registerContentRequest', null]], answers: { 'vscode/content': content },
          settings: { yaml, http: { proxyStrictSSL: false } }, ...requests,
          startTimeoutMs: 900_000, editBudgetMs: o.editBudgetS * 1000, log: path.join(o.cache, `yls-${name}.log`),
        });
      r.yls = await session({ edits: o.edits, hovers: o.hovers, requests: o.requests });
      ylsStart = async () => (await session({ edits: 0, hovers: 0, requests: 0 })).startMs;
    }
  }

  // A start is one figure on a shared machine whose speed drifts: both servers start `--starts` times (default 3),
  // in turns, and the medians are compared. The sessions above made the first start of each.
  if (o.starts > 1 && r.netpol.startMs) {
    const netpolStarts = [r.netpol.startMs];
    const ylsStarts = ylsStart && r.yls.startMs ? [r.yls.startMs] : undefined;
    for (let round = 2; round <= o.starts; round++) {
      log(`[${name}] starts, round ${round} of ${o.starts}`);
      netpolStarts.push((await startOnly({ cli: netpol[1], dir })).start);
      if (ylsStarts) ylsStarts.push(await ylsStart());
    }
    r.netpol.startRunsMs = netpolStarts;
    r.netpol.startMs = median(netpolStarts);
    if (ylsStarts) {
      r.yls.startRunsMs = ylsStarts;
      r.yls.startMs = median(ylsStarts);
    }
  }
  return r;
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const log = (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  fs.mkdirSync(o.cache, { recursive: true });
  // The servers' readings caches go to the bench's folder, not the user's.
  process.env.NETPOL_CACHE_DIR = path.join(o.cache, 'netpol-readings-cache');
  if (o.build) {
    log('building dist/ (scripts/build.mjs)');
    try {
      execFileSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' });
    } catch {
      log('build failed: measuring the dist/ that exists');
    }
  }
  const workspaces = o.workspace ? [[path.basename(o.workspace), o.workspace]] : o.only.map((p) => [p, ensureWorkspace(o.cache, p)]);
  const ticksAtStart = cpuTicks();
  const results = { date: new Date().toISOString(), machine: machine(), options: { edits: o.edits, hovers: o.hovers, requests: o.requests, starts: o.starts }, workspaces: [] };
  for (const [name, dir] of workspaces) {
    results.workspaces.push(await measureWorkspace(name, dir, o, log));
    fs.writeFileSync(o.out, `${JSON.stringify(results, null, 1)}\n`);
  }
  results.machine.loadAtEnd = loadAverage();
  // On a virtual machine, the host may run other guests on our cores: the load average does not show it.
  results.machine.stealPercent = stealPercent(ticksAtStart, cpuTicks());
  fs.writeFileSync(o.out, `${JSON.stringify(results, null, 1)}\n`);
  process.stdout.write(renderTerminal(results));
  if (o.readme && !o.workspace) updateReadme(path.join(repo, 'README.md'), renderMarkdown(results));
  log(`results: ${path.relative(process.cwd(), o.out)}`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exit(1);
});
