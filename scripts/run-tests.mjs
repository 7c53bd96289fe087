// Runs every test layer in one `node --test` run, so CI reads one summary.
// Usage: node scripts/run-tests.mjs [engine|lsp|e2e ...]   (default: all layers)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const layers = {
  engine: ['server/test/architecture', 'server/test/engine', 'server/test/cli'],
  lsp: ['server/test/lsp'],
  e2e: ['client/test/e2e-node'],
};

function collect(dir) {
  let out = [];
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries.sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out = out.concat(collect(full));
    else if (/\.test\.(ts|mjs|js)$/.test(name)) out.push(full);
  }
  return out;
}

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const chosen = wanted.length ? wanted : Object.keys(layers);
const files = chosen.flatMap((layer) => {
  if (!layers[layer]) { console.error(`unknown test layer: ${layer}`); process.exit(2); }
  return layers[layer].flatMap(collect);
});
if (files.length === 0) { console.error('no test files found'); process.exit(1); }

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
