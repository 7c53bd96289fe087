// `netpol test` on test-fixtures/assertions/shop: every output format compared in full with the reviewed files in
// expected/, and the exit codes (0 when everything holds, 1 on any failure, 2 on bad arguments).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCaptured } from './helpers';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test-fixtures', 'assertions', 'shop');
// Paths in the output are relative to the working directory; this file runs in its own process.
process.chdir(FIXTURE);

function expected(name: string): string {
  return fs.readFileSync(path.join(FIXTURE, 'expected', name), 'utf8');
}

test('passing tests: text, exit 0', async () => {
  const r = await runCaptured(['test', 'manifests', 'passing.netpol-test.yaml']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, expected('passing.txt'));
  assert.equal(r.code, 0);
});

test('failing tests: text with every failure explained, exit 1', async () => {
  const r = await runCaptured(['test', 'manifests', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('failing.txt'));
  assert.equal(r.code, 1);
});

test('json', async () => {
  const r = await runCaptured(['test', '--format', 'json', 'manifests', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('failing.json'));
  assert.equal(r.code, 1);
});

test('junit: passes, failures, todo and skipped', async () => {
  const r = await runCaptured(['test', '--format=junit', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('all.junit.xml'));
  assert.equal(r.code, 1);
});

test('sarif 2.1.0 with related locations', async () => {
  const r = await runCaptured(['test', '--format', 'sarif', 'manifests', 'failing.netpol-test.yaml']);
  assert.equal(r.stdout, expected('failing.sarif.json'));
  const log = JSON.parse(r.stdout);
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs[0].results.length, 5);
});

test('--tags picks expectations by tag (comma-separated or repeated)', async () => {
  const a = await runCaptured(['test', '--tags', 'smoke,metrics', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  const b = await runCaptured(['test', '--tags', 'smoke', '--tags', 'metrics', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  assert.equal(a.stdout, expected('tags.txt'));
  assert.equal(b.stdout, a.stdout);
  assert.equal(a.code, 1);
  const passingOnly = await runCaptured(['test', '--tags', 'metrics', 'manifests', 'passing.netpol-test.yaml', 'failing.netpol-test.yaml']);
  assert.equal(passingOnly.code, 0);
});

test('without the manifests, every group is empty: failures, never passes', async () => {
  const r = await runCaptured(['test', 'passing.netpol-test.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^0 passed, 7 failed, 1 skipped, 1 todo$/m);
  assert.match(r.stdout, /group api matches no endpoint: no workload in namespace shop has labels app=api/);
});

test('bad arguments exit 2', async () => {
  assert.equal((await runCaptured(['test', '--format', 'xml', 'manifests'])).code, 2);
  assert.equal((await runCaptured(['test'])).code, 2);
});

test('a broken test file fails the run even without expectations to fail', async () => {
  const r = await runCaptured(['test', '-'], 'apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec: {expectations: [], colour: red}\n');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /problem: unknown field spec.colour \(expected scope, groups, expectations\) \(stdin:\/\/\/input.yaml:4:26\)/);
});
