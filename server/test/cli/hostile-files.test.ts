// Issue 19 items 2, 6, 10, 11: a cloned repository holds special files where manifests are expected. The CLI runs as
// a child process (a blocked read must fail the test, not hang it): FIFOs, links to /proc/self/pagemap and
// /proc/kmsg, a FIFO or a folder as `.netpol.yaml`, an unreadable file, a UTF-16 file. Each is a finding on the file
// and the rest is analysed.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const REPO = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(REPO, 'server', 'src', 'cli', 'main.ts');
/** tsx by its file, since the CLI runs in a temporary folder outside the repository. */
const TSX = pathToFileURL(path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-hostile-'));
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

function run(cwd: string, args: string[], options: { uid?: number } = {}) {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid, env: { ...process.env, HOME: cwd } } : {}),
  });
  assert.notEqual(r.signal, 'SIGTERM', `netpol ${args.join(' ')} did not finish within 60 s (blocked on a read?)\n${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const WITNESS = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: witness\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: {app: witness}\n    spec:\n      containers:\n        - name: web\n          ports: [{containerPort: 8080}]\n---\n`;
/** A workload and a policy that selects nothing: a warning the analysis of the file must produce. */
const ORPHAN = `${WITNESS}apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: orphan\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels: {app: ghost}\n`;

function findingLines(output: string, code: string): string[] {
  return output.split('\n').filter((l) => l.includes(` ${code} `));
}

describe('special files in the input (CLI)', () => {
  test('FIFOs, links to /proc/self/pagemap and /proc/kmsg, a FIFO .netpol.yaml: findings on each, the policy still analysed', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'orphan.yaml'), ORPHAN);
    execFileSync('mkfifo', [path.join(dir, 'x.yaml')]);
    execFileSync('mkfifo', [path.join(dir, '.netpol.yaml')]);
    fs.symlinkSync('/proc/self/pagemap', path.join(dir, 'pm.yaml'));
    fs.symlinkSync('/proc/kmsg', path.join(dir, 'k.yaml'));
    const r = run(dir, ['check', '--format', 'json', '.']);
    assert.notEqual(r.code, 3, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error|    at /);
    const rows = JSON.parse(r.stdout) as { file: string; rule: string; message: string; line: number }[];
    const unreadable = rows.filter((f) => f.rule === 'file-unreadable');
    assert.deepEqual(unreadable.map((f) => f.file).sort(), ['.netpol.yaml', 'k.yaml', 'pm.yaml', 'x.yaml'], r.stdout);
    assert.match(unreadable.find((f) => f.file === 'x.yaml')!.message, /named pipe/);
    assert.match(unreadable.find((f) => f.file === 'pm.yaml')!.message, /kernel/);
    assert.ok(rows.some((f) => f.file === 'orphan.yaml' && f.rule === 'selector-matches-nothing'), r.stdout);
    // SARIF describes the finding like a rule (docs/rules/file-unreadable.md, the input findings' registry).
    const sarif = JSON.parse(run(dir, ['check', '--format', 'sarif', '.']).stdout) as { runs: { tool: { driver: { rules: { id: string; shortDescription?: { text: string }; defaultConfiguration?: { level: string } }[] } } }[] };
    const descriptor = sarif.runs[0].tool.driver.rules.find((d) => d.id === 'file-unreadable');
    assert.match(descriptor?.shortDescription?.text ?? '', /cannot be read/);
    assert.equal(descriptor?.defaultConfiguration?.level, 'warning');
    // `list` reads the same input (findings on standard error, the connections on standard output).
    const list = run(dir, ['list', '.']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(findingLines(list.stderr, 'file-unreadable').length, 4, list.stderr);
  });

  test('a FIFO named on the command line is refused, not waited for; a process substitution pipe is still read', () => {
    const dir = tempDir();
    execFileSync('mkfifo', [path.join(dir, 'named.yaml')]);
    const r = run(dir, ['list', 'named.yaml']);
    assert.match(r.stderr, /named\.yaml:1:1 warning file-unreadable/);
    assert.equal(r.code, 0, r.stderr);
    // bash's <(…) gives /dev/fd/N: the user's own pipe.
    const piped = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} --import ${TSX} ${JSON.stringify(MAIN)} check --format json <(printf %s "$0")`, ORPHAN], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.match(piped.stdout, /selector-matches-nothing/, piped.stderr);
  });

  test('.netpol.yaml that is a folder: a finding on it, defaults apply; --config DIR: a clear usage error, no stack', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'orphan.yaml'), ORPHAN);
    fs.mkdirSync(path.join(dir, '.netpol.yaml'));
    const r = run(dir, ['check', '--format', 'compact', '.']);
    assert.match(r.stdout, /\.netpol\.yaml:1:1 warning file-unreadable .*\(a folder\)/);
    assert.match(r.stdout, /selector-matches-nothing/);
    assert.notEqual(r.code, 3);
    const config = run(dir, ['check', '--format', 'compact', '--config', '.netpol.yaml', '.']);
    assert.equal(config.code, 2);
    assert.match(config.stderr, /--config \.netpol\.yaml is a folder: give the configuration file itself/);
    assert.doesNotMatch(config.stderr, /internal error|    at /);
  });

  test('an unreadable file is a finding on it and the rest is analysed (exit is not 2)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'orphan.yaml'), ORPHAN);
    fs.writeFileSync(path.join(dir, 'secret.yaml'), ORPHAN.replace('orphan', 'secret'));
    fs.chmodSync(path.join(dir, 'secret.yaml'), 0o000);
    // Root reads any file: run as nobody then (the repository and its packages are world-readable).
    const asNobody = process.getuid?.() === 0 ? { uid: 65534 } : {};
    const r = run(dir, ['check', '--format', 'compact', '.'], asNobody);
    assert.match(r.stdout, /secret\.yaml:1:1 warning file-unreadable Skipped: this file cannot be read \(permission denied\)/, r.stderr);
    assert.match(r.stdout, /orphan\.yaml:\d+:\d+ \w+ selector-matches-nothing/);
    assert.notEqual(r.code, 2);
  });

  test('a UTF-16 file (BOM) is named as UTF-16 with the advice to save it as UTF-8', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'utf16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ORPHAN, 'utf16le')]));
    fs.writeFileSync(path.join(dir, 'utf16be.yaml'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(ORPHAN, 'utf16le').swap16()]));
    const r = run(dir, ['check', '--format', 'compact', '.']);
    for (const name of ['utf16.yaml', 'utf16be.yaml']) assert.match(r.stdout, new RegExp(`${name}:1:1 information binary-file Skipped: this file is encoded as UTF-16 .*save it as UTF-8`));
  });
});
