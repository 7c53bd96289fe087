// The order of text in the engine's and the server's answers (engine/order.ts): by code units, never by locale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareText } from '../../src/engine/order';

const SOURCES = join(__dirname, '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

test('compareText orders by UTF-16 code units, as a sort comparator', () => {
  const sorted = ['tier', 'app.kubernetes.io/name', 'App', 'TCP 8080', 'TCP 80', 'é', 'z', ''].sort(compareText);
  assert.deepEqual(sorted, ['', 'App', 'TCP 80', 'TCP 8080', 'app.kubernetes.io/name', 'tier', 'z', 'é']);
  assert.equal(compareText('a', 'a'), 0);
  assert.ok(compareText('a', 'b') < 0 && compareText('b', 'a') > 0);
});

// localeCompare depends on the machine's locale, and its first call in a process builds an ICU collator (~20 ms,
// which the first hover or completion of a session waited for).
test('the server sorts no text with localeCompare or Intl collation', () => {
  const offenders: string[] = [];
  for (const file of sources(SOURCES)) {
    const code = readFileSync(file, 'utf8').replace(/\/\/.*$/gm, '');
    if (/\.localeCompare\(|Intl\.Collator/.test(code)) offenders.push(file.slice(SOURCES.length + 1));
  }
  assert.deepEqual(offenders, []);
});
