-- Neovim 0.7 as a real LSP client of `netpol lsp --stdio`, headless. Driven by neovim.test.ts through environment
-- variables; prints one `KEY value` line per observation and exits 0 (the test judges the lines).
-- 0.7 has no vim.lsp.start(): start_client + buf_attach_client.
local out = function(s) io.stdout:write(s .. "\n") end
local root = os.getenv("NETPOL_ROOT") or error("set NETPOL_ROOT")
local server = os.getenv("NETPOL_BIN") or error("set NETPOL_BIN")
local node = os.getenv("NETPOL_NODE") or "node"

local function codes(bufnr)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do table.insert(list, tostring(d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code))) end
  table.sort(list)
  return table.concat(list, ",")
end

local function has_code(bufnr, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local c = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
    if c == code then return true end
  end
  return false
end

vim.cmd("edit " .. root .. "/policies/orphan.yaml")
local orphan = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "netpol",
  cmd = { node, server, "lsp", "--stdio" },
  root_dir = root,
  on_exit = function(code) out("EXIT " .. tostring(code)) end,
})
vim.lsp.buf_attach_client(orphan, client_id)

local ok = vim.wait(20000, function() return has_code(orphan, "selector-matches-nothing") end, 50)
out("OPENED " .. tostring(ok) .. " " .. codes(orphan))
for _, d in ipairs(vim.diagnostic.get(orphan)) do
  out(string.format("DIAG %d:%d severity=%d source=%s", d.lnum, d.col, d.severity, tostring(d.source)))
end

-- Another file's diagnostics arrive without opening it (Neovim keeps them on a hidden buffer).
local egress = vim.uri_to_bufnr(vim.uri_from_fname(root .. "/policies/api-egress.yaml"))
ok = vim.wait(10000, function() return has_code(egress, "missing-dns-egress") end, 50)
out("OTHER_FILE " .. tostring(ok) .. " " .. codes(egress))

-- Edit the buffer (didChange): the selector now matches the StatefulSet, the diagnostic goes away.
local lines = vim.api.nvim_buf_get_lines(orphan, 0, -1, false)
for i, line in ipairs(lines) do
  if line:match("app: ghost") then vim.api.nvim_buf_set_lines(orphan, i - 1, i, false, { (line:gsub("ghost", "db")) }) end
end
ok = vim.wait(10000, function() return not has_code(orphan, "selector-matches-nothing") end, 50)
out("EDITED " .. tostring(ok) .. " " .. codes(orphan))

-- A code action from Neovim's own request path, for the DNS diagnostic of the other file.
local client = vim.lsp.get_client_by_id(client_id)
local dns
for _, d in ipairs(vim.diagnostic.get(egress)) do
  local lsp = d.user_data and d.user_data.lsp
  if lsp and lsp.code == "missing-dns-egress" then
    -- Neovim 0.7 keeps only some LSP fields in user_data: rebuild the protocol diagnostic.
    dns = {
      range = { start = { line = d.lnum, character = d.col }, ["end"] = { line = d.end_lnum, character = d.end_col } },
      severity = d.severity, code = lsp.code, source = d.source, message = d.message,
    }
  end
end
if dns then
  vim.fn.bufload(egress)
  vim.lsp.buf_attach_client(egress, client_id)
  local res = client.request_sync("textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(egress) },
    range = dns.range,
    context = { diagnostics = { dns } },
  }, 5000, egress)
  local titles = {}
  for _, action in ipairs((res and res.result) or {}) do table.insert(titles, action.title) end
  out("ACTIONS " .. #titles .. " " .. table.concat(titles, " | "))
  if res and res.result and res.result[1] then
    vim.lsp.util.apply_workspace_edit(res.result[1].edit, "utf-16")
    ok = vim.wait(10000, function() return not has_code(egress, "missing-dns-egress") end, 50)
    out("FIXED " .. tostring(ok) .. " " .. codes(egress))
  end
else
  out("ACTIONS none")
end

client.stop()
vim.wait(5000, function() return client.is_stopped() end, 50)
out("STOPPED " .. tostring(client.is_stopped()))
vim.cmd("qa!")
