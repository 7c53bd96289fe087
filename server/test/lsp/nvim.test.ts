// Smoke test with Neovim (Debian's `neovim`, 0.7) as a real LSP client of `node bin/netpol.js lsp --stdio`, headless:
// it attaches to a manifest of the e2e fixture workspace and a diagnostic and a hover must arrive. Neovim is
// installed with apt when it is missing (as root); when it cannot be installed, the test fails instead of skipping.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(REPO, 'test-fixtures', 'e2e');

// Neovim 0.7 has no vim.lsp.start(): start_client + buf_attach_client. Prints `KEY value` lines for the test.
const LUA = `
local out = function(s) io.stdout:write(s .. "\\n") end
local root = os.getenv("NETPOL_ROOT")
vim.cmd("edit " .. root .. "/shop/policies.yaml")
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "netpol",
  cmd = { os.getenv("NETPOL_NODE"), os.getenv("NETPOL_BIN"), "lsp", "--stdio" },
  root_dir = root,
})
out("CLIENT " .. tostring(client_id))
vim.lsp.buf_attach_client(bufnr, client_id)
local function code_of(d) return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) end
local ok = vim.wait(20000, function()
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do if code_of(d) == "selector-matches-nothing" then return true end end
  return false
end, 50)
out("DIAGNOSTIC " .. tostring(ok))
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  out(string.format("DIAG %d:%d %s %s", d.lnum, d.col, tostring(code_of(d)), tostring(d.source)))
end
local client = vim.lsp.get_client_by_id(client_id)
-- line 19 (0-based 18): "      app: api" in the podSelector of api-from-web
local res = client.request_sync("textDocument/hover", { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = 18, character = 8 } }, 10000, bufnr)
local contents = res and res.result and res.result.contents
local text = type(contents) == "table" and (contents.value or vim.inspect(contents)) or tostring(contents)
out("HOVER " .. text:gsub("\\n", " "))
client.stop()
out("STOPPED " .. tostring(vim.wait(5000, function() return client.is_stopped() end, 50)))
vim.cmd("qa!")
`;

function hasNeovim(): boolean {
  return spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;
}

before(() => {
  if (hasNeovim()) return;
  // Fresh CI machines: Debian's package (the only source reachable besides npm).
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env, timeout: 180_000 });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'neovim'], { encoding: 'utf8', env, timeout: 300_000 });
  assert.ok(hasNeovim(), `neovim is missing and could not be installed:\n${update.stderr ?? ''}${install.stdout ?? ''}${install.stderr ?? ''}`);
});

test('Neovim attaches to netpol lsp --stdio and receives a diagnostic and a hover', { timeout: 120_000 }, () => {
  const bin = path.join(REPO, 'bin', 'netpol.js');
  assert.ok(fs.existsSync(path.join(REPO, 'dist', 'cli.js')), 'dist/cli.js is built (node scripts/build.mjs)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-nvim-'));
  try {
    fs.cpSync(FIXTURE, dir, { recursive: true });
    const script = path.join(dir, 'smoke.lua');
    fs.writeFileSync(script, LUA);
    const started = Date.now();
    const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '--noplugin', '-c', `luafile ${script}`], {
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, NETPOL_ROOT: dir, NETPOL_BIN: bin, NETPOL_NODE: process.execPath },
    });
    const output = `${r.stdout}${r.stderr}`;
    const line = (key: string) => output.split('\n').find((l) => l.startsWith(`${key} `)) ?? `(no ${key} line in:\n${output})`;
    assert.match(line('DIAGNOSTIC'), /^DIAGNOSTIC true$/);
    // The policy of app=cache selects nothing: spec.podSelector at line 57, column 3 (1-based).
    assert.ok(output.split('\n').includes('DIAG 56:2 selector-matches-nothing netpol'), output);
    assert.match(line('HOVER'), /shop\/api/);
    assert.match(line('STOPPED'), /^STOPPED true$/);
    assert.equal(r.status, 0, output);
    console.log(`# neovim smoke test took ${Date.now() - started} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
