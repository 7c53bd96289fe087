// The e2e layer of `npm test`: runs client/test/e2e/run.mjs (installs what is missing into a cache outside the
// repository, starts code-server, runs the extension's mocha suite inside the VS Code extension host and the
// browser-level checks) and reports every mocha test and every browser check as its own subtest.
// Missing tools are installed, and a failure to install or start them fails the tests: nothing is skipped.
import { spawn } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// Install (cold: ~4-7 minutes on 2 cores) plus one run (~2-3 minutes); the runner bounds each step itself.
const RUN_TIMEOUT_MS = Number(process.env.NETPOL_E2E_TIMEOUT_MS || 20 * 60_000);

function runE2e(resultsFile, shotsDir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repo, 'client/test/e2e/run.mjs'), '--results', resultsFile, '--shots', shotsDir], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (process.env.NETPOL_E2E_VERBOSE) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const signal = (name) => {
      try {
        process.kill(-child.pid, name);
      } catch {
        /* gone */
      }
    };
    // SIGTERM first: the runner then stops code-server (its own process group) and the browser.
    const timer = setTimeout(() => {
      output += `\n[vscode.test] the e2e run exceeded ${RUN_TIMEOUT_MS / 1000}s and was stopped\n`;
      signal('SIGTERM');
      setTimeout(() => signal('SIGKILL'), 10_000).unref();
    }, RUN_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-e2e-results-'));
const resultsFile = path.join(resultsDir, 'results.json');
// Screenshots land in docs/images when asked (README), else next to the results.
const shotsDir = process.env.NETPOL_E2E_SCREENSHOTS === 'docs' ? path.join(repo, 'docs/images') : path.join(resultsDir, 'screenshots');

let run;
let results;
before(async () => {
  run = await runE2e(resultsFile, shotsDir);
  if (fs.existsSync(resultsFile)) results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
}, { timeout: RUN_TIMEOUT_MS + 60_000 });

describe('VS Code end-to-end (code-server + headless Chromium)', () => {
  it('the harness ran and collected results', () => {
    assert.ok(results, `no results were written (exit code ${run.code}):\n${run.output.slice(-6000)}`);
    assert.deepEqual(results.errors, [], `harness errors:\n${results.errors.join('\n')}\n${run.output.slice(-4000)}`);
    assert.ok(results.suite && results.suite.tests.length > 0, `the extension host suite reported no tests:\n${run.output.slice(-6000)}`);
  });

  it('extension host suite', async (t) => {
    assert.ok(results?.suite, 'no suite results');
    for (const test of results.suite.tests) {
      await t.test(test.fullTitle, () => {
        if (test.state === 'pending') assert.fail('the test is marked pending; pending tests are not allowed');
        assert.equal(test.state, 'passed', test.error);
      });
    }
  });

  it('browser-level checks (screenshots)', async (t) => {
    assert.ok(results && results.ui.length > 0, 'no browser-level checks ran');
    for (const check of results.ui) {
      await t.test(check.title, () => assert.equal(check.state, 'passed', check.error));
    }
    for (const shot of ['problems.png', 'reachability.png', 'reachability-graph-light.png', 'reachability-graph-dark.png', 'reachability-graph-selected.png']) {
      const file = path.join(shotsDir, shot);
      assert.ok(fs.existsSync(file), `${shot} was saved`);
      assert.equal(fs.readFileSync(file).subarray(1, 4).toString(), 'PNG');
    }
  });

  it('the runner exited 0', () => {
    assert.equal(run.code, 0, run.output.slice(-4000));
  });
});
