// Architecture invariant (ARCHITECTURE.md): the engine imports no editor, protocol or file-system code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ENGINE = join(__dirname, '..', '..', 'src', 'engine');
const ALLOWED_PACKAGES = new Set(['yaml', 'ipaddr.js', 'fastest-levenshtein', 'minimatch']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

test('engine modules import only relative modules and pure packages', () => {
  const files = sources(ENGINE);
  assert.ok(files.length > 5, 'engine sources found');
  const offenders: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
    for (const s of specifiers) {
      if (s.startsWith('.')) continue;
      if (!ALLOWED_PACKAGES.has(s)) offenders.push(`${file.slice(ENGINE.length + 1)} imports ${s}`);
    }
  }
  assert.deepEqual(offenders, []);
});
