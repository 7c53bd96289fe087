// `netpol check`'s text report for people (issue 16): grouped by file, errors and warnings before information, a short
// first line and the message indented and wrapped under it, colour on a terminal (NO_COLOR, FORCE_COLOR, --color),
// rule docs links, one summary line last; workspace control characters escaped; machine formats untouched; progress
// only on a terminal and only after a second.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { stderrProgress, terminalProgress } from '../../src/cli/progress';
import { findingsToText, shouldColor } from '../../src/report/findings-text';
import { runCaptured } from './helpers';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-check-text-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const MULTI = 'test-fixtures/lsp/multi-file';
const ESC = '\x1b';

describe('netpol check: the text report', () => {
  test('grouped by file: errors and warnings first, then information; each finding a short line and its message indented', async () => {
    // The multi-file fixture (an error, warnings) and a namespace without a default deny (information).
    const dir = path.join(scratch, 'mixed');
    fs.cpSync(MULTI, path.join(dir, MULTI), { recursive: true });
    fs.writeFileSync(
      path.join(dir, MULTI, 'apps', 'open.yaml'),
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: open}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: open, labels: {app: web}}\nspec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}\n',
    );
    const cwd = process.cwd();
    process.chdir(dir);
    let r;
    try {
      r = await runCaptured(['check', MULTI], undefined, { env: { COLUMNS: '100' } });
    } finally {
      process.chdir(cwd);
    }
    assert.equal(r.code, 1);
    const lines = r.stdout.split('\n');
    const serious = lines.indexOf('Errors and warnings');
    const minor = lines.indexOf('Information');
    assert.ok(serious === 0 && minor > serious, 'errors and warnings come before information');
    const headings = lines.filter((l) => /^test-fixtures\/\S+\.yaml$/.test(l));
    assert.ok(headings.length >= 2, 'one heading per file');
    const bySection = (from: number, to: number) => headings.filter((h) => lines.indexOf(h, from) >= 0 && lines.indexOf(h, from) < to);
    const firstSection = bySection(serious, minor);
    assert.deepEqual(firstSection, [...firstSection].sort(), 'files in order');
    const broken = lines.indexOf(`${MULTI}/policies/broken.yaml`);
    assert.match(lines[broken + 1], /^ {2}8:3 +error {2}parse-error$/);
    assert.match(lines[broken + 2], /^ {6}\S/, 'the message is indented under its first line');
    for (const l of lines.slice(serious, minor)) assert.doesNotMatch(l, /^ {2}\d+:\d+ +information/);
    for (const l of lines) assert.ok(l.length <= 100 || /https:\/\//.test(l), `wrapped at 100 columns: ${l}`);
    assert.equal(r.stdout.includes(ESC), false, 'no colour outside a terminal');
    assert.match(r.stderr, /^1 error, \d+ warnings?, \d+ information in \d+ files: failed at --severity error\n$/, 'one summary line, last');
  });

  test('rule ids link to docs/rules/<id>.md; rules without docs (input findings) get none', async () => {
    const r = await runCaptured(['check', MULTI]);
    assert.match(r.stdout, /^Rules\n/m);
    assert.match(r.stdout, /^ {2}missing-dns-egress +https:\/\/\S+\/blob\/HEAD\/docs\/rules\/missing-dns-egress\.md$/m);
    const rules = r.stdout.slice(r.stdout.indexOf('\nRules\n'));
    assert.doesNotMatch(rules, /parse-error/);
    for (const [, id] of rules.matchAll(/docs\/rules\/([a-z-]+)\.md/g)) assert.ok(fs.existsSync(path.join('docs', 'rules', `${id}.md`)), `${id} has docs`);
  });

  test('colour on a terminal, off with NO_COLOR, forced by FORCE_COLOR in a pipe, --color overrides; rule ids are hyperlinks', async () => {
    const tty = await runCaptured(['check', MULTI], undefined, { terminalColumns: 120 });
    assert.match(tty.stdout, /\x1b\[31m\x1b\[1merror\x1b\[22m\x1b\[39m|\x1b\[1m\x1b\[31merror/);
    assert.match(tty.stdout, /\x1b\]8;;https:\/\/\S+\/docs\/rules\/missing-dns-egress\.md\x1b\\/);
    const noColor = await runCaptured(['check', MULTI], undefined, { terminalColumns: 120, env: { NO_COLOR: '1' } });
    assert.equal(noColor.stdout.includes(ESC), false);
    const forced = await runCaptured(['check', MULTI], undefined, { env: { FORCE_COLOR: '1' } });
    assert.ok(forced.stdout.includes(`${ESC}[`));
    assert.equal((await runCaptured(['check', '--color', 'never', MULTI], undefined, { terminalColumns: 120, env: { FORCE_COLOR: '1' } })).stdout.includes(ESC), false);
    assert.ok((await runCaptured(['check', '--color', 'always', MULTI], undefined, { env: { NO_COLOR: '1' } })).stdout.includes(`${ESC}[`));
    assert.equal(shouldColor('auto', true, { FORCE_COLOR: '0' }), false);
    assert.equal(shouldColor('auto', true, { TERM: 'dumb' }), false);
    assert.equal(shouldColor('auto', false, { FORCE_COLOR: '' }), true, 'FORCE_COLOR set, even empty, forces colour (as Node.js and chalk read it)');
    assert.equal(shouldColor('auto', true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
  });

  test('wrapped to the terminal width; a huge message is cut with a note', () => {
    const text = findingsToText(
      [
        { file: 'a.yaml', line: 1, column: 1, severity: 'warning', rule: 'label-typo', message: 'word '.repeat(40).trim() },
        { file: 'a.yaml', line: 2, column: 1, severity: 'error', rule: 'parse-error', message: 'x'.repeat(5000) },
      ],
      { width: 60, color: false, docsUrl: () => undefined },
    );
    const lines = text.split('\n');
    for (const l of lines) assert.ok(l.length <= 60, l);
    assert.ok(lines.filter((l) => /^ {6}word/.test(l)).length >= 3);
    assert.match(text, /^ {6}… \(5000 characters; --format json has all\)$/m);
  });

  test('control characters from the workspace are escaped: a name cannot clear the screen or forge a finding line', async () => {
    const hostile = 'evil\x1b[2J\x1b]0;pwned\x07\nx.yaml:1:1 error parse-error forged';
    const dir = path.join(scratch, 'hostile');
    fs.mkdirSync(dir, { recursive: true });
    // A label value with the characters in a policy that selects nothing: its message quotes the value.
    fs.writeFileSync(
      path.join(dir, 'p.yaml'),
      `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: i}]}\n---\n` +
        `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: ${JSON.stringify(hostile)}}}\n  policyTypes: [Ingress]\n`,
    );
    for (const format of ['text', 'compact']) {
      const r = await runCaptured(['check', '--format', format, '--severity', 'hint', '--color', 'never', dir]);
      assert.equal(r.stdout.includes(ESC), false, `${format}: no escape character reaches the terminal`);
      assert.equal(r.stdout.includes('\x07'), false);
      assert.doesNotMatch(r.stdout, /^x\.yaml:1:1 error/m, `${format}: no forged line`);
      assert.match(r.stdout, /\\e\[2J/, `${format}: the escape is shown`);
    }
    const json = await runCaptured(['check', '--format', 'json', '--severity', 'hint', dir]);
    assert.ok(JSON.parse(json.stdout).some((f: { message: string }) => f.message.includes(hostile)), 'JSON keeps the exact text');
  });

  test('machine formats are alone on standard output: json and sarif parse, nothing else printed there', async () => {
    for (const format of ['json', 'sarif']) {
      const r = await runCaptured(['check', '--format', format, MULTI], undefined, { terminalColumns: 80 });
      assert.doesNotThrow(() => JSON.parse(r.stdout), format);
      assert.equal(r.stdout.includes(ESC), false);
    }
  });
});

describe('progress on standard error', () => {
  test('nothing before a second; then one line rewritten in place, throttled, and erased before the report', () => {
    let now = 0;
    let written = '';
    const progress = terminalProgress((t) => (written += t), () => 40, () => now);
    progress.update('read 10 files');
    now = 900;
    progress.update('read 20 files');
    assert.equal(written, '', 'a run under a second shows nothing');
    now = 1001;
    progress.update('read 30 files');
    now = 1050;
    progress.update('read 31 files');
    now = 1200;
    progress.update('analysed 1 of 2 scopes with a long description that does not fit');
    now = 1210;
    progress.update('read 31 files; analysed 0 of 1 scope', true);
    progress.clear();
    assert.equal(
      written,
      '\r\x1b[2Knetpol: read 30 files\r\x1b[2Knetpol: analysed 1 of 2 scopes with a l\r\x1b[2Knetpol: read 31 files; analysed 0 of 1 \r\x1b[2K',
      'a new phase is drawn at once',
    );
  });

  test('no progress when standard error is not a terminal (a pipe, a file, CI)', () => {
    assert.equal(process.stderr.isTTY, undefined, 'the test runner pipes standard error');
    assert.equal(stderrProgress(), undefined);
  });

  test('the CLI gives check a progress only when standard error is a terminal; check reports files and scopes to it', async () => {
    const updates: string[] = [];
    let cleared = 0;
    const r = await runCaptured(['check', 'test-fixtures/lsp/kustomize'], undefined, { progress: { update: (t) => updates.push(t), clear: () => cleared++ } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(updates.some((u) => /^read \d+ files?$/.test(u)));
    assert.ok(updates.some((u) => /analysed 0 of 2 scopes/.test(u)));
    assert.ok(updates.some((u) => /analysed 1 of 2 scopes/.test(u)));
    assert.ok(cleared >= 1, 'erased before the report');
    assert.equal(r.stderr.includes('netpol: read'), false, 'progress never goes to the captured streams');
  });
});
