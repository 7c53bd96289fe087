// The installed CLI: `npm ci` runs `prepublish`, which must leave bin/netpol.js runnable; the real process keeps standard
// output for results, standard error for findings, and exits 0 or 2. The build runs in a scratch copy of the sources
// so the test never touches the working tree's dist/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bin-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], input?: string) {
  const r = spawnSync(command, args, { cwd: scratch, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bin/netpol.js after npm ci (prepublish builds)', () => {
  before(() => {
    // The sources as a fresh clone would have them: the files git does not ignore (no packages, builds, benchmarks).
    const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8' });
    if (listed.status === 0) {
      for (const file of listed.stdout.split('\0').filter(Boolean)) {
        const from = path.join(REPO, file);
        if (!fs.existsSync(from)) continue; // deleted in the working tree
        fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
        fs.copyFileSync(from, path.join(scratch, file));
      }
    } else {
      const skipped = new Set(['node_modules', '.git', 'dist', 'out', 'bench', '.bench-workspaces']);
      for (const entry of fs.readdirSync(REPO)) {
        if (!skipped.has(entry)) fs.cpSync(path.join(REPO, entry), path.join(scratch, entry), { recursive: true });
      }
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  });

  test('package.json runs the build in prepublish (npm ci and npm install, not npm pack) and declares bin/netpol.js as the netpol command', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    assert.equal(pkg.bin.netpol, './bin/netpol.js');
    assert.ok(pkg.scripts.prepublish, 'a prepublish script exists');
    // `npm pack` prints the banner of a prepare script on standard output, where pre-commit reads the tarball's name
    // (pre-commit/pre-commit#3460): the pre-commit hook cannot install a package with one.
    assert.equal(pkg.scripts.prepare, undefined);
    assert.equal(pkg.scripts.start, 'node bin/netpol.js demo');
  });

  test('npm run prepublish (what npm ci runs) builds the CLI bundle', () => {
    const r = run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'prepublish', '--silent']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(scratch, 'dist', 'cli.js')));
  });

  test('npm start (netpol demo) prints the findings and the reachability matrix', () => {
    const r = run(process.execPath, ['bin/netpol.js', 'demo']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^netpol demo: analysing test-fixtures\/demo$/m);
    assert.match(r.stdout, /^Findings/m);
    assert.match(r.stdout, /^Reachability matrix/m);
    assert.match(r.stdout, /^ {2}production\/api-server => production\/postgres : TCP 5432$/m);
    assert.doesNotMatch(r.stdout, /production\/frontend => production\/postgres/);
    assert.doesNotMatch(r.stdout, /development\/experiment => production\//);
  });

  test('matrix --format json through the real process', () => {
    const r = run(process.execPath, ['bin/netpol.js', 'matrix', '--format', 'json', 'test-fixtures/demo']);
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(m), ['pods', 'ports', 'allowed']);
    assert.deepEqual(m.pods, ['development/experiment', 'kube-system/coredns', 'production/api-server', 'production/frontend', 'production/postgres']);
  });

  test('standard input with a template: results on stdout, the finding on stderr, exit 0', () => {
    const input = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: n}\nspec: {containers: [{name: c, image: i}]}\n---\nkind: Pod\napiVersion: v1\nmetadata:\n  name: {{ .Values.name }}\n';
    const r = run(process.execPath, ['bin/netpol.js', 'list', '--format', 'json', '-'], input);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout)[0].from, 'n/a');
    assert.match(r.stderr, /template-skipped/);
  });

  test('bad arguments exit 2 with one line on stderr', () => {
    const r = run(process.execPath, ['bin/netpol.js', 'matrix', 'does-not-exist']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'netpol matrix: no such file or folder: does-not-exist\n');
  });
});
