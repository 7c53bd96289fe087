// The toolbar's codicon code points (client/src/codicons.ts) are those of the installed @vscode/codicons, and the
// build ships its font.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CODICONS } from '../../src/codicons';

const repo = path.resolve(__dirname, '..', '..', '..');

test('every codicon of the reachability toolbar has the code point of @vscode/codicons', () => {
  const css = fs.readFileSync(path.join(repo, 'node_modules/@vscode/codicons/dist/codicon.css'), 'utf8');
  for (const [name, point] of Object.entries(CODICONS)) {
    const match = new RegExp(`\\.codicon-${name}:before \\{ content: "\\\\([0-9a-f]+)" \\}`).exec(css);
    assert.ok(match, `codicon.css defines ${name}`);
    assert.equal(parseInt(match[1], 16), point, name);
  }
});

test('the build copies the codicon font next to the webview bundles', () => {
  const built = path.join(repo, 'dist/codicon.ttf');
  assert.ok(fs.existsSync(built), 'dist/codicon.ttf (run node scripts/build.mjs)');
  assert.deepEqual(fs.readFileSync(built), fs.readFileSync(path.join(repo, 'node_modules/@vscode/codicons/dist/codicon.ttf')));
});
