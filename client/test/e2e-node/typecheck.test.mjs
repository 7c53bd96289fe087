// Type-checks the TypeScript that the root tsconfig does not cover: the webview script (DOM types) and the
// extension host test suite (mocha types). Strict, like the rest.
import { spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsc = path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

for (const project of ['client/webview', 'client/test/e2e']) {
  test(`tsc -p ${project}`, { timeout: 120_000 }, () => {
    const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: repo, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
}
