// `netpol check`: the diagnostic rules from the command line, as text, JSON and SARIF 2.1.0, with exit codes for CI.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { runCaptured } from './helpers';
import { validateSarif } from './sarif-schema';

const MULTI = 'test-fixtures/lsp/multi-file';
const KUSTOMIZE = 'test-fixtures/lsp/kustomize';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-check-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A workspace folder with the given files (relative path -> text). */
function workspace(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const read = (rel: string) => fs.readFileSync(path.join(MULTI, rel), 'utf8');
const LINE = /^(.+):(\d+):(\d+) (error|warning|information|hint) ([a-z0-9-]+) (.+)$/;

/** The database behind a default deny with the policy that admits the API to it (and the API's): no finding. */
const cleanFiles = () => ({
  'apps/db.yaml': read('apps/db.yaml'),
  'apps/api.yaml': read('apps/api.yaml'),
  'policies/default-deny.yaml': read('policies/default-deny.yaml'),
  'policies/db-ingress.yaml': read('policies/db-ingress.yaml'),
  'policies/api-ingress.yaml': read('policies/api-ingress.yaml'),
});

/** Only a selector that matches nothing: one warning. */
const warningOnly = () =>
  workspace(`warning-${Math.random().toString(36).slice(2)}`, {
    ...cleanFiles(),
    'policies/orphan.yaml': read('policies/orphan.yaml'),
  });

describe('netpol check', () => {
  test('compact: one line per finding, file:line:col severity id message, sorted; exit 1 on an error', async () => {
    const r = await runCaptured(['check', '--format', 'compact', MULTI]);
    assert.equal(r.code, 1, 'broken.yaml has a parse error');
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) assert.match(line, LINE);
    assert.ok(lines.includes(`${MULTI}/policies/broken.yaml:8:3 error parse-error ${lines.find((l) => l.includes('parse-error'))!.split(' parse-error ')[1]}`));
    const orphan = lines.find((l) => l.includes('orphan.yaml'));
    assert.ok(orphan);
    assert.match(orphan, /^test-fixtures\/lsp\/multi-file\/policies\/orphan\.yaml:7:3 warning selector-matches-nothing spec\.podSelector selects pods with app=ghost/);
    const files = lines.map((l) => l.split(':')[0]);
    assert.deepEqual(files, [...files].sort(), 'sorted by file');
    assert.match(r.stderr, /^1 error, \d+ warnings, \d+ information in \d+ files: failed at --severity error$/m);
  });

  test('exit codes follow --severity: warnings pass by default and fail with --severity warning', async () => {
    const dir = warningOnly();
    const byDefault = await runCaptured(['check', '--format', 'compact', dir]);
    assert.equal(byDefault.code, 0);
    assert.match(byDefault.stdout, /warning selector-matches-nothing/, 'findings below the threshold are still printed');
    assert.equal((await runCaptured(['check', '--severity', 'warning', dir])).code, 1);
    assert.equal((await runCaptured(['check', '--severity=information', dir])).code, 1);
    assert.equal((await runCaptured(['check', '--severity', 'error', dir])).code, 0);
  });

  test('a clean workspace prints nothing and exits 0', async () => {
    // A database behind a default deny and nothing admitting it is unreachable (workload-unreachable): the policy
    // admitting the API to it, and the API itself, make the workspace clean.
    const dir = workspace('clean', cleanFiles());
    const r = await runCaptured(['check', '--severity', 'warning', dir]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, '');
  });

  test('.netpol.yaml rule severities apply: off removes a finding, error makes it fail', async () => {
    const dir = warningOnly();
    fs.writeFileSync(path.join(dir, '.netpol.yaml'), 'rules:\n  selector-matches-nothing: "off"\n');
    const off = await runCaptured(['check', '--format', 'compact', '--severity', 'warning', dir]);
    assert.equal(off.code, 0);
    assert.doesNotMatch(off.stdout, /selector-matches-nothing/);
    fs.writeFileSync(path.join(dir, '.netpol.yaml'), 'rules:\n  selector-matches-nothing: error\n');
    const error = await runCaptured(['check', '--format', 'compact', dir]);
    assert.equal(error.code, 1);
    assert.match(error.stdout, /orphan\.yaml:7:3 error selector-matches-nothing/);
  });

  test('findings about .netpol.yaml itself are reported on the configuration file, at the value (issue 19 item 12)', async () => {
    const dir = warningOnly();
    fs.writeFileSync(path.join(dir, '.netpol.yaml'), 'rules:\n  selector-matches-nothing: loud\n');
    const r = await runCaptured(['check', '--format', 'compact', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\.netpol\.yaml:2:29 error invalid-config \.netpol\.yaml: rule selector-matches-nothing must be one of error, warning, information, hint, off/);
  });

  test('json: findings with positions, related locations and fix titles', async () => {
    const r = await runCaptured(['check', '--format', 'json', MULTI]);
    assert.equal(r.code, 1);
    const rows = JSON.parse(r.stdout) as { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; rule: string; message: string; fixes: string[] }[];
    const dns = rows.find((row) => row.rule === 'missing-dns-egress');
    assert.ok(dns);
    assert.equal(dns.file, `${MULTI}/policies/api-egress.yaml`);
    // `    - Egress`: the Egress entry of policyTypes on line 12.
    assert.deepEqual([dns.line, dns.column, dns.endLine, dns.endColumn], [12, 7, 12, 13]);
    assert.equal(dns.severity, 'warning');
    assert.equal(dns.fixes.length, 1);
    assert.match(dns.fixes[0], /DNS/);
    assert.equal(r.stderr, '', 'json keeps standard error quiet');
  });

  test('sarif: a 2.1.0 log with rules, levels, regions and fixes', async () => {
    const r = await runCaptured(['check', '--format', 'sarif', MULTI]);
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    assert.deepEqual(validateSarif(log), [], 'valid against the SARIF 2.1.0 schema');
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'netpol');
    const rules = run.tool.driver.rules ?? [];
    for (const result of run.results ?? []) {
      assert.equal(rules[result.ruleIndex!].id, result.ruleId, 'ruleIndex points at the result\'s rule');
      assert.ok(['error', 'warning', 'note'].includes(result.level!));
    }
    const known = rules.find((rule) => rule.id === 'selector-matches-nothing');
    assert.ok(known?.shortDescription?.text, 'rules carry their description');
    assert.equal(known?.defaultConfiguration?.level, 'warning');

    const parse = run.results!.find((result) => result.ruleId === 'parse-error')!;
    assert.equal(parse.level, 'error');
    const location = parse.locations![0].physicalLocation!;
    assert.deepEqual(location.artifactLocation, { uri: `${MULTI}/policies/broken.yaml`, uriBaseId: '%SRCROOT%' });
    assert.equal(run.originalUriBaseIds!['%SRCROOT%'].uri, `${pathToFileURL(process.cwd()).href}/`);
    assert.equal(location.region!.startLine, 8);
    assert.equal(location.region!.startColumn, 3);

    const dns = run.results!.find((result) => result.ruleId === 'missing-dns-egress')!;
    assert.equal(dns.fixes?.length, 1);
    const change = dns.fixes![0].artifactChanges[0];
    assert.equal(change.artifactLocation.uri, `${MULTI}/policies/api-egress.yaml`);
    assert.match(change.replacements[0].insertedContent!.text!, /kube-dns/);
    assert.ok(change.replacements[0].deletedRegion.startLine! >= 13);
  });

  test('sarif: the schema check is real (a broken log fails it); an empty run is valid', async () => {
    assert.notDeepEqual(validateSarif({ version: '2.1.0', runs: [{ tool: { driver: {} }, results: [{ level: 'severe' }] }] }), []);
    const clean = workspace('sarif-clean', cleanFiles());
    const r = await runCaptured(['check', '--format', 'sarif', clean]);
    assert.equal(r.code, 0);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    assert.deepEqual(validateSarif(log), []);
    assert.deepEqual(log.runs[0].results, []);
  });

  test('--scope limits the findings to the files of one scope', async () => {
    const all = await runCaptured(['check', '--format', 'compact', KUSTOMIZE]);
    assert.match(all.stdout, /overlays\/staging\/metrics-policy\.yaml:7:3 warning selector-matches-nothing .*namespace staging/);
    assert.doesNotMatch(all.stdout, /duplicate-policy|missing-namespace/, 'a base shared by two overlays is no duplicate');
    const staging = await runCaptured(['check', '--format', 'compact', '--scope', 'staging', KUSTOMIZE]);
    assert.match(staging.stdout, /metrics-policy\.yaml/);
    const prod = await runCaptured(['check', '--scope', 'prod', '--severity', 'warning', KUSTOMIZE]);
    assert.doesNotMatch(prod.stdout, /metrics-policy\.yaml/);
    assert.equal(prod.code, 0);
    const unknown = await runCaptured(['check', '--scope', 'qa', KUSTOMIZE]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no scope named qa \(scopes: staging, prod\)/);
  });

  test('standard input is checked as a file named by its URI', async () => {
    const r = await runCaptured(['check', '--format', 'compact', '--severity', 'warning', '-'], `${read('apps/db.yaml')}---\n${read('policies/orphan.yaml')}`);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^stdin:\/\/\/input\.yaml:\d+:3 warning selector-matches-nothing/m);
  });

  test('bad arguments exit 2 with a message', async () => {
    for (const argv of [
      ['check', '--format', 'xml', MULTI],
      ['check', '--severity', 'fatal', MULTI],
      ['check'],
      ['check', 'no/such/folder'],
      ['check', '--unknown', MULTI],
    ]) {
      const r = await runCaptured(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, /^netpol check: /);
      assert.equal(r.stdout, '');
    }
  });
});
