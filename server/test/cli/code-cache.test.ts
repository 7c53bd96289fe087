// The V8 code cache the CLI and the language server start with (server/src/boot/code-cache.ts), on a copy of the
// built bundles in a temporary folder: written at the first run, used at the next, rewritten when broken, and never
// used for another build of the bundle, even one of the same length (V8 itself compares only the length).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ensureBuilt, REPO_ROOT } from '../lsp/client';

const CACHE_NAME = `cli.js.${process.version}-${process.arch}.v8cache`;

function install(): string {
  ensureBuilt();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-code-cache-'));
  for (const name of ['cli.js', 'cli-boot.js', 'index-worker.js']) fs.copyFileSync(path.join(REPO_ROOT, 'dist', name), path.join(dir, name));
  // What bin/netpol.js does (the CLI runs whatever the entry is called).
  fs.writeFileSync(path.join(dir, 'netpol.js'), "require('./cli-boot.js');\n");
  return dir;
}

function run(dir: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, [path.join(dir, 'netpol.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the first run writes the cache, the next uses it without rewriting it, and a broken one is replaced', () => {
  const dir = install();
  try {
    const cache = path.join(dir, CACHE_NAME);
    const help = run(dir, ['--help']);
    assert.match(help, /usage: netpol <command>/);
    const written = fs.readFileSync(cache);
    assert.match(written.subarray(0, 200).toString('latin1'), /^netpol-code-cache \d+ \d+ \d+ \d+\n/);
    assert.ok(written.length > 10_000, `a cache of the compiled code (${written.length} bytes)`);
    const before = fs.statSync(cache).mtimeMs;
    assert.equal(run(dir, ['--help']), help);
    assert.equal(fs.statSync(cache).mtimeMs, before, 'an accepted cache that would not grow is left alone');
    // The header kept, the code garbage: V8 rejects it, the run is unaffected, and the cache is made anew.
    const header = written.subarray(0, written.indexOf(10) + 1);
    fs.writeFileSync(cache, Buffer.concat([header, Buffer.alloc(5000, 7)]));
    assert.equal(run(dir, ['--help']), help);
    assert.ok(fs.statSync(cache).size > 10_000, 'the broken cache was replaced');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a rebuilt bundle of the same length runs its own code, not the cached code of the old one', () => {
  const dir = install();
  try {
    const bundle = path.join(dir, 'cli.js');
    run(dir, ['--help']);
    const source = fs.readFileSync(bundle, 'utf8');
    const rebuilt = source.replace('netpol --version prints the version.', 'netpol --VERSION prints the version.');
    assert.notEqual(rebuilt, source);
    assert.equal(rebuilt.length, source.length);
    fs.writeFileSync(bundle, rebuilt);
    assert.match(run(dir, ['--help']), /--VERSION prints the version/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('NETPOL_CODE_CACHE=off runs the bundle without a cache', () => {
  const dir = install();
  try {
    assert.match(run(dir, ['--help'], { NETPOL_CODE_CACHE: 'off' }), /usage: netpol <command>/);
    assert.equal(fs.existsSync(path.join(dir, CACHE_NAME)), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
