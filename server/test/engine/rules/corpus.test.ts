// The rules over real manifests (../shared/corpus: np-guard/netpol-analyzer cases and the network policy recipes):
// no rule throws, every diagnostic lies inside its file, and every quick fix applies cleanly and still parses.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { applyEdits } from '../../../src/engine/edits';
import { runRules } from '../../../src/engine/rules/run';
import { Workspace } from '../../../src/engine/workspace';

const CORPUS = join(__dirname, '../../../../../shared/corpus');

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const full = join(dir, n);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

function checkFolder(files: string[]): number {
  const ws = new Workspace();
  const texts = new Map<string, string>();
  for (const f of files) {
    if (!/\.(ya?ml|json)$/.test(f)) continue;
    const uri = `file://${f}`;
    const text = readFileSync(f, 'utf8');
    texts.set(uri, text);
    ws.setFile(uri, text);
  }
  const errors: string[] = [];
  const result = runRules(ws, { fixes: true, onRuleError: (id, e) => errors.push(`${id}: ${(e as Error).stack}`) });
  assert.deepEqual(errors, []);
  let count = 0;
  for (const [uri, list] of result) {
    const text = texts.get(uri);
    for (const d of list) {
      count++;
      assert.ok(text !== undefined, `diagnostic in a workspace file: ${uri}`);
      const [start, end] = d.location.range;
      assert.ok(start >= 0 && start <= end && end <= text.length, `${d.ruleId} range inside ${uri}`);
      for (const fix of d.fixes ?? []) {
        for (const e of fix.edits) assert.ok(texts.has(e.uri), `${d.ruleId} fix edits a workspace file`);
        const fixed = applyEdits(text, fix.edits.filter((e) => e.uri === uri));
        const docs = parseAllDocuments(fixed);
        const broken = (Array.isArray(docs) ? docs : [docs]).flatMap((doc) => doc.errors.map((x) => x.message));
        assert.deepEqual(broken, [], `${d.ruleId} "${fix.title}" leaves ${uri} parseable`);
      }
    }
  }
  return count;
}

describe('rules over the shared corpus', { skip: !existsSync(CORPUS) && 'no ../shared/corpus' }, () => {
  it('netpol-analyzer cases', () => {
    const casesDir = join(CORPUS, 'netpol-analyzer/cases');
    let total = 0;
    for (const name of readdirSync(casesDir).sort()) total += checkFolder(walk(join(casesDir, name)));
    assert.ok(total > 0, 'the rules find something in 136 real cases');
  });
  it('network policy recipes', () => {
    checkFolder(walk(join(CORPUS, 'recipes')));
  });
});
