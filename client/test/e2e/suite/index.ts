// Loaded by the extension host as extensionTestsPath: runs the bundled mocha test files next to this file and
// writes a machine-readable result (one entry per test) for the runner, which cannot see the host's console.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestResult {
  title: string;
  fullTitle: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const grep = process.env.NETPOL_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  const tests: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const resultsFile = process.env.NETPOL_E2E_RESULTS;
      if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify({ failures, tests }, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension host tests failed`));
      else resolve();
    });
    runner.on('pass', (t) => tests.push({ title: t.title, fullTitle: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
    runner.on('pending', (t) => tests.push({ title: t.title, fullTitle: t.fullTitle(), state: 'pending', durationMs: 0 }));
    runner.on('fail', (t, err: Error) =>
      tests.push({
        title: t.title,
        fullTitle: t.fullTitle(),
        state: 'failed',
        durationMs: t.duration ?? 0,
        error: err?.stack ?? String(err),
      }),
    );
  });
}
