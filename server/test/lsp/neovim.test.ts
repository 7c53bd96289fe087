// Neovim (Debian's neovim 0.7) as a second real LSP client against `netpol lsp --stdio`: diagnostics on open,
// diagnostics of a file that is not open, an edit clearing a diagnostic, and a quick fix applied by Neovim itself.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { copyFixture, ensureBuilt, REPO_ROOT } from './client';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const missing = nvim.status !== 0 ? 'neovim is not installed (Debian package neovim)' : false;

test('Neovim attaches to netpol lsp --stdio, shows diagnostics, follows edits and applies a quick fix', { skip: missing, timeout: 120_000 }, () => {
  ensureBuilt();
  const dir = copyFixture('multi-file');
  try {
    const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '--noplugin', '-c', `luafile ${path.join(__dirname, 'nvim-client.lua')}`], {
      encoding: 'utf8',
      timeout: 100_000,
      env: { ...process.env, NETPOL_ROOT: dir, NETPOL_BIN: path.join(REPO_ROOT, 'bin', 'netpol.js'), NETPOL_NODE: process.execPath },
    });
    const output = `${r.stdout}${r.stderr}`;
    const line = (key: string) => output.split('\n').find((l) => l.startsWith(`${key} `)) ?? `(no ${key} line in:\n${output})`;
    assert.match(line('OPENED'), /^OPENED true selector-matches-nothing$/);
    assert.match(line('DIAG'), /^DIAG 6:2 severity=2 source=netpol$/);
    assert.match(line('OTHER_FILE'), /^OTHER_FILE true .*missing-dns-egress/);
    assert.match(line('EDITED'), /^EDITED true $/);
    // The quick fix first, then the refactoring of the policy under the cursor.
    assert.match(line('ACTIONS'), /^ACTIONS 2 Add an egress rule allowing DNS.* \| Convert to the equivalent Calico NetworkPolicy/);
    assert.match(line('FIXED'), /^FIXED true /);
    assert.match(line('STOPPED'), /^STOPPED true$/);
    assert.equal(r.status, 0, output);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
