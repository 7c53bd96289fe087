// The peer suite: every `netpol-only` case of np-guard/netpol-analyzer's test corpus (../shared/corpus/netpol-analyzer)
// must reproduce its expected connectivity list line for line through `netpol list --format netpol-analyzer`.
// Upstream compares after removing every newline (FORMAT.md §0); comparing line lists is at least as strict.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { runCaptured } from './helpers';

const CORPUS = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'corpus', 'netpol-analyzer');
const EXPECTED_NETPOL_ONLY_CASES = 42;

interface CorpusCase {
  name: string;
  expected: string[];
}

function readCases(): CorpusCase[] {
  const tsv = path.join(CORPUS, 'cases.tsv');
  // Fail loudly: a missing corpus must never turn into a silently green suite.
  if (!fs.existsSync(tsv)) throw new Error(`the peer corpus is missing: ${tsv} not found (expected ../shared next to the repository)`);
  const [header, ...rows] = fs.readFileSync(tsv, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const columns = header.split('\t');
  const nameAt = columns.indexOf('case');
  const categoryAt = columns.indexOf('category');
  const expectedAt = columns.indexOf('expected');
  return rows
    .map((r) => r.split('\t'))
    .filter((cells) => cells[categoryAt] === 'netpol-only')
    .map((cells) => ({ name: cells[nameAt], expected: cells[expectedAt].split(',') }));
}

const lines = (text: string) => text.split(/\r?\n/).filter((l) => l !== '');

const cases = readCases();

describe('peer suite: np-guard/netpol-analyzer netpol-only corpus', () => {
  test(`the corpus lists ${EXPECTED_NETPOL_ONLY_CASES} netpol-only cases`, () => {
    assert.equal(cases.length, EXPECTED_NETPOL_ONLY_CASES);
  });

  for (const c of cases) {
    test(`${c.name}: list --format netpol-analyzer matches ${c.name}_connlist_output.txt`, async () => {
      const expected = fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.txt`), 'utf8');
      const run = await runCaptured(['list', '--format', 'netpol-analyzer', path.join(CORPUS, 'cases', c.name)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(lines(run.stdout), lines(expected));
    });

    if (c.expected.includes('connlist_output.json')) {
      test(`${c.name}: list --format netpol-analyzer-json matches ${c.name}_connlist_output.json`, async () => {
        const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, 'expected', `${c.name}_connlist_output.json`), 'utf8'));
        const run = await runCaptured(['list', '--format', 'netpol-analyzer-json', path.join(CORPUS, 'cases', c.name)]);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), expected);
      });
    }
  }
});
