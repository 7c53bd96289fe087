// One e2e session: builds the extension and the suite, starts code-server on a free port with a fresh state, runs
// the mocha suite in the extension host (through the workbench opened in headless Chromium), then a browser-level
// check of the Problems panel and the reachability view, and stops everything. Called by run.mjs after install.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { renderToolsDir } from './paths.mjs';

const SUITE_TIMEOUT_MS = Number(process.env.NETPOL_E2E_SUITE_TIMEOUT_MS || 300_000);
const UI_TIMEOUT_MS = Number(process.env.NETPOL_E2E_UI_TIMEOUT_MS || 300_000);
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking', // the machine's network is closed: keep Chromium from trying
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Races a promise against a deadline. */
async function within(ms, what, promise) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000}s`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Bundles the mocha suite (TypeScript) into out/e2e: an index that mocha loads, and one file per test file. */
async function bundleSuite(repo, runId) {
  const esbuild = createRequire(path.join(repo, 'package.json'))('esbuild');
  const suiteDir = path.join(repo, 'client/test/e2e/suite');
  // One folder per run (inside the repository, so `mocha` resolves from its node_modules): runs may overlap.
  const outDir = path.join(repo, 'out/e2e', runId);
  fs.rmSync(outDir, { recursive: true, force: true });
  const tests = fs.readdirSync(suiteDir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(suiteDir, f));
  await esbuild.build({
    entryPoints: [path.join(suiteDir, 'index.ts'), ...tests],
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return { index: path.join(outDir, 'index.js'), outDir };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tryMkdir(dir) {
  try {
    fs.mkdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

/** Whether a shipped bundle is missing or older than a source file it is built from. */
function bundlesAreStale(repo) {
  const bundles = ['dist/extension.js', 'dist/server.js', 'dist/webview.js'].map((f) => path.join(repo, f));
  if (!bundles.every((f) => fs.existsSync(f))) return true;
  const built = Math.min(...bundles.map((f) => fs.statSync(f).mtimeMs));
  const newer = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).some((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return newer(full);
      return /\.(ts|mjs|js|json)$/.test(e.name) && fs.statSync(full).mtimeMs > built;
    });
  return ['client/src', 'client/webview', 'server/src'].some((d) => fs.existsSync(path.join(repo, d)) && newer(path.join(repo, d)));
}

function copyDir(from, to) {
  fs.cpSync(from, to, { recursive: true });
}

export async function runSuite({ repo, cache, node24Env, codeServerBin, toolsDir, chromium, log, run, killGroup, option, flag }) {
  const runsDir = path.join(cache, 'runs');
  fs.mkdirSync(runsDir, { recursive: true });
  // Finished runs are kept until the next run starts (their logs are worth reading after a failure); runs whose
  // runner is still alive are left alone.
  for (const old of fs.readdirSync(runsDir)) {
    let owner = 0;
    try {
      owner = Number(fs.readFileSync(path.join(runsDir, old, 'runner.pid'), 'utf8'));
    } catch {
      /* a run from before pid files, or not a run */
    }
    if (owner > 0 && isAlive(owner)) continue;
    fs.rmSync(path.join(runsDir, old), { recursive: true, force: true });
    fs.rmSync(path.join(repo, 'out/e2e', old), { recursive: true, force: true });
  }
  const runDir = fs.mkdtempSync(path.join(runsDir, 'run-'));
  fs.writeFileSync(path.join(runDir, 'runner.pid'), String(process.pid));
  const resultsFile = path.resolve(option('--results', path.join(runDir, 'results.json')));
  const shotsDir = path.resolve(option('--shots', path.join(runDir, 'screenshots')));
  fs.mkdirSync(shotsDir, { recursive: true });
  const summary = { suite: undefined, ui: [], runDir, shotsDir, errors: [] };
  const writeSummary = () => fs.writeFileSync(resultsFile, JSON.stringify(summary, null, 2));

  // `npm test` builds before its test layers run; rebuilding here would rewrite dist/ under the other layers.
  if (bundlesAreStale(repo)) {
    log('building the extension (scripts/build.mjs)');
    // The same lock folder as the language server tests' build, so two builds never write dist/ together.
    const lock = path.join(os.tmpdir(), 'netpol-test-build.lock');
    const deadline = Date.now() + 120_000;
    while (!tryMkdir(lock)) {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held for too long`);
      await sleep(200);
    }
    try {
      await run(process.execPath, ['scripts/build.mjs'], { timeoutMs: 120_000 });
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  log('bundling the suite');
  const suite = await bundleSuite(repo, path.basename(runDir));

  // The tests edit documents: they get a copy of the fixture workspace.
  const workspace = path.join(runDir, 'workspace');
  copyDir(path.join(repo, 'test-fixtures/e2e'), workspace);
  const userData = path.join(runDir, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'chat.disableAIFeatures': true,
        'git.enabled': false,
        'github.gitAuthentication': false,
        'security.workspace.trust.enabled': false,
        'window.commandCenter': false,
        'editor.minimap.enabled': false,
        // The web workbench saves after a delay by default; the tests decide when (if ever) a file is saved.
        'files.autoSave': 'off',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        // The client/server messages land in the run folder's logs, for reading after a failure.
        'netpol.trace.server': 'messages',
      },
      null,
      2,
    ),
  );

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  log(`starting code-server on ${authority} (run folder ${runDir})`);
  const serverLog = fs.openSync(path.join(runDir, 'code-server.log'), 'w');
  const server = spawn(
    codeServerBin,
    [
      '--bind-addr', authority,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userData,
      '--extensions-dir', path.join(runDir, 'extensions'),
      '--config', path.join(runDir, 'config.yaml'),
      '--vscode-option', 'enable-smoke-test-driver',
    ],
    {
      cwd: runDir,
      env: node24Env({ EXTENSIONS_GALLERY: '{}' }),
      stdio: ['ignore', serverLog, serverLog],
      detached: true, // a new session and process group: killing the group stops the extension hosts too
    },
  );
  let serverExited = false;
  server.on('exit', () => (serverExited = true));

  let browser;
  const stop = async () => {
    if (browser) await within(15_000, 'closing chromium', browser.close()).catch(() => {});
    killGroup(server.pid, 'SIGTERM');
    for (let i = 0; i < 50 && !serverExited; i++) await sleep(100);
    killGroup(server.pid, 'SIGKILL');
  };
  const onSignal = () => {
    killGroup(server.pid, 'SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await within(90_000, 'code-server start', (async () => {
      for (;;) {
        if (serverExited) throw new Error(`code-server exited early:\n${fs.readFileSync(path.join(runDir, 'code-server.log'), 'utf8')}`);
        try {
          const res = await fetch(`http://${authority}/healthz`);
          if (res.ok) return;
        } catch {
          /* not listening yet */
        }
        await sleep(200);
      }
    })());
    log('code-server is up');

    const { chromium: pw } = createRequire(path.join(toolsDir, 'package.json'))('playwright-core');
    browser = await within(60_000, 'chromium launch', pw.launch({ executablePath: chromium, headless: true, args: CHROMIUM_ARGS }));

    // 1. The mocha suite inside the extension host.
    const remote = (p) => `vscode-remote://${authority}${p}`;
    const suiteResults = path.join(runDir, 'suite-results.json');
    const payload = [
      ['extensionDevelopmentPath', remote(repo)],
      ['extensionTestsPath', remote(suite.index)],
      // NETPOL_E2E_HELM: the real helm installed by run.mjs, which the rendering test sets as netpol.helm.path.
      ['extensionEnvironment', JSON.stringify({ NETPOL_E2E_RESULTS: suiteResults, NETPOL_E2E_WORKSPACE: workspace, NETPOL_E2E_GREP: process.env.NETPOL_E2E_GREP ?? '', NETPOL_E2E_HELM: path.join(renderToolsDir(cache), 'helm', 'helm') })],
    ];
    const url = `http://${authority}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    log('running the mocha suite in the extension host');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let exitCode;
    const exited = new Promise((resolve) => (exitCode = resolve));
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => {
      const line = util.format(...(logArgs || []));
      for (const l of line.split('\n')) console.log(`  ${l}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => exitCode(code));
    page.on('pageerror', (e) => console.log(`  [workbench error] ${String(e).slice(0, 300)}`));
    await page.goto(url);
    const code = await within(SUITE_TIMEOUT_MS, 'the extension host suite', exited).catch(async (err) => {
      await page.screenshot({ path: path.join(shotsDir, 'suite-timeout.png') }).catch(() => {});
      summary.errors.push(String(err.message));
      return 'timeout';
    });
    log(`extension host suite finished: exit code ${code}`);
    if (fs.existsSync(suiteResults)) summary.suite = JSON.parse(fs.readFileSync(suiteResults, 'utf8'));
    else summary.errors.push(`the suite wrote no results (exit code ${code}); see ${runDir}/code-server.log and the server's logs`);
    if (code !== 0 && summary.suite && summary.suite.failures === 0) summary.errors.push(`the suite exited with ${code}`);
    await page.close().catch(() => {});
    writeSummary();

    // 2. Browser-level checks with screenshots, in a development window without the test driver's payload.
    if (!flag('--no-ui')) {
      const { runUiChecks } = await import('./ui-checks.mjs');
      // A workspace of its own: nothing of the suite's window (open editors, edits) is restored into this one.
      const uiWorkspace = path.join(runDir, 'workspace-ui');
      copyDir(path.join(repo, 'test-fixtures/e2e'), uiWorkspace);
      const uiPayload = [['extensionDevelopmentPath', remote(repo)]];
      const uiUrl = `http://${authority}/?folder=${encodeURIComponent(uiWorkspace)}&payload=${encodeURIComponent(JSON.stringify(uiPayload))}`;
      // And the generated workspace of the graph's screenshots (44 workloads in 8 namespaces), in a window of its own.
      const { generatedWorkspace } = await import('./generated-workspace.mjs');
      const graphWorkspace = path.join(runDir, 'workspace-graph');
      for (const [relative, text] of Object.entries(generatedWorkspace())) {
        fs.mkdirSync(path.dirname(path.join(graphWorkspace, relative)), { recursive: true });
        fs.writeFileSync(path.join(graphWorkspace, relative), text);
      }
      const graphUrl = `http://${authority}/?folder=${encodeURIComponent(graphWorkspace)}&payload=${encodeURIComponent(JSON.stringify(uiPayload))}`;
      summary.ui = await within(UI_TIMEOUT_MS, 'the browser-level checks', runUiChecks({ browser, url: uiUrl, graphUrl, shotsDir, log })).catch((err) => [
        { title: 'browser-level checks', state: 'failed', error: String(err.message ?? err) },
      ]);
      writeSummary();
    }
  } catch (err) {
    summary.errors.push(String(err?.stack ?? err));
  } finally {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    fs.rmSync(suite.outDir, { recursive: true, force: true });
    writeSummary();
  }

  const suiteFailed = !summary.suite || summary.suite.failures > 0 || summary.suite.tests.length === 0;
  const uiFailed = summary.ui.some((t) => t.state !== 'passed');
  for (const e of summary.errors) console.log(`[e2e] error: ${e}`);
  for (const t of summary.ui) console.log(`  ui ${t.state === 'passed' ? '✔' : '✘'} ${t.title}${t.error ? `: ${t.error}` : ''}`);
  log(`results in ${resultsFile}, screenshots in ${shotsDir}`);
  return suiteFailed || uiFailed || summary.errors.length > 0 ? 1 : 0;
}
