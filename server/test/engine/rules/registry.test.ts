// Every rule is registered once, documented in docs/rules/<id>.md and covered by at least one fixture.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { INPUT_FINDINGS } from '../../../src/engine/input-findings';

const REPO = join(__dirname, '../../../..');
const DOCS = join(REPO, 'docs/rules');
const FIXTURES = join(REPO, 'test-fixtures/rules');

describe('rule registry', () => {
  it('ids are unique and kebab-case', () => {
    const ids = ALL_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(', ')}`);
    for (const id of ids) assert.match(id, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, id);
  });

  it('every rule has a description and a valid default severity', () => {
    for (const r of ALL_RULES) {
      assert.ok(r.description.length > 10, r.id);
      assert.ok(['error', 'warning', 'information', 'hint'].includes(r.defaultSeverity), r.id);
    }
  });

  it('every rule declares its incremental unit in its own file (readersOf only on namespace rules)', () => {
    const units = ['policy', 'policy-services', 'policy-reach', 'policy-peers', 'namespace', 'scope'];
    for (const r of ALL_RULES) {
      assert.ok(r.unit !== undefined && units.includes(r.unit), `${r.id} declares unit (one of ${units.join(', ')}): ${r.unit}`);
      const file = join(REPO, 'server/src/engine/rules', `${r.id}.ts`);
      assert.ok(existsSync(file), `${r.id} lives in ${file}`);
      const text = readFileSync(file, 'utf8');
      // policyProblemRule (common.ts) makes 'policy' rules: each finding is a problem of one policy.
      const declared = text.includes(`unit: '${r.unit}'`) || (r.unit === 'policy' && text.includes('policyProblemRule('));
      assert.ok(declared, `${r.id}: unit '${r.unit}' is written in ${r.id}.ts`);
      if (r.readersOf) assert.equal(r.unit, 'namespace', `${r.id}: readersOf is for namespace rules`);
    }
  });

  for (const rule of ALL_RULES) {
    it(`${rule.id}: docs/rules/${rule.id}.md titled with the id, naming the default severity`, () => {
      const path = join(DOCS, `${rule.id}.md`);
      assert.ok(existsSync(path), path);
      const text = readFileSync(path, 'utf8');
      assert.equal(text.split('\n')[0], `# ${rule.id}`);
      assert.ok(text.includes(`Default severity: **${rule.defaultSeverity}**`), `${rule.id} docs name the severity ${rule.defaultSeverity}`);
    });
    it(`${rule.id}: has a fixture expecting it`, () => {
      const dir = join(FIXTURES, rule.id);
      assert.ok(existsSync(dir), dir);
      const texts = readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((n) => /\.ya?ml$/.test(n) && !/\.fixed\./.test(n))
        .map((n) => { try { return readFileSync(join(dir, n), 'utf8'); } catch { return ''; } });
      assert.ok(texts.some((t) => new RegExp(`#\\s*expect:\\s*${rule.id}\\b`).test(t)), `a fixture in ${dir} expects ${rule.id}`);
    });
  }

  // The input readers' findings (file-unreadable...) are documented like rules, and never share a rule's id.
  for (const finding of INPUT_FINDINGS) {
    it(`input finding ${finding.id}: docs/rules/${finding.id}.md titled with the id, naming the default severity; no rule has the id`, () => {
      assert.ok(!ALL_RULES.some((r) => r.id === finding.id), finding.id);
      assert.ok(finding.description.length > 10, finding.id);
      const path = join(DOCS, `${finding.id}.md`);
      assert.ok(existsSync(path), path);
      const text = readFileSync(path, 'utf8');
      assert.equal(text.split('\n')[0], `# ${finding.id}`);
      assert.ok(text.includes(`Default severity: **${finding.defaultSeverity}**`), `${finding.id} docs name the severity ${finding.defaultSeverity}`);
    });
  }

  it('every docs file belongs to a rule or an input finding', () => {
    const ids = new Set([...ALL_RULES, ...INPUT_FINDINGS].map((r) => r.id));
    const orphans = readdirSync(DOCS).filter((n) => n.endsWith('.md') && !ids.has(n.slice(0, -3)));
    assert.deepEqual(orphans, []);
  });

  it('every fixture folder belongs to a rule', () => {
    const ids = new Set(ALL_RULES.map((r) => r.id));
    const orphans = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory() && !ids.has(d.name)).map((d) => d.name);
    assert.deepEqual(orphans, []);
  });
});
