// `npm run package` (client/scripts/package.mjs): the .vsix holds every bundle the extension loads at run time —
// the extension, the module the client forks (server-boot.js), the server it runs, the index's worker thread and
// the webview script — and nothing from the sources.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../lsp/client';

/** The names in a zip file's central directory (a .vsix is a zip). */
function zipEntries(file: string): string[] {
  const zip = fs.readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'a zip end-of-central-directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    names.push(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

test('the .vsix ships every bundle the extension loads, and no sources', { timeout: 180_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-package-'));
  try {
    const out = path.join(dir, 'netpol.vsix');
    const r = spawnSync(process.execPath, ['client/scripts/package.mjs', '--out', out], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const names = zipEntries(out);
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { main: string };
    for (const shipped of [manifest.main.replace(/^\.\//, ''), 'dist/server-boot.js', 'dist/server.js', 'dist/index-worker.js', 'dist/webview.js', 'package.json']) {
      assert.ok(names.includes(`extension/${shipped}`), `${shipped} is in the package: ${names.join(', ')}`);
    }
    assert.deepEqual(names.filter((n) => /\.ts$|\.map$|node_modules|\/server\/src\//.test(n)), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
