// The CLI as people install and run it (issue 16): `npm pack` the package, install the tarball into a temporary
// prefix (globally, as `npm install -g` does, and into a project, as `npx` finds it), and run the installed `netpol`
// through its bin link, `npx netpol`, and a symlink with another name. The package has no runtime dependencies
// (the bundle carries them), so the installs run with --offline. The pack runs in a scratch copy of the sources
// (what git tracks), so its build never touches the working tree's dist/.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';

const REPO = path.resolve(__dirname, '..', '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-install-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

const source = path.join(scratch, 'source');
const prefix = path.join(scratch, 'prefix');
const project = path.join(scratch, 'project');
const work = path.join(scratch, 'work');
let tarball = '';
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

/** npm without the network, the user's configuration or update checks. */
const npmEnv = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' };

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd: options.cwd ?? work, input: options.input, encoding: 'utf8', timeout: 180_000, env: npmEnv });
  if (r.error) throw r.error;
  return r;
}

const failing = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {matchLabels: {app: "a"}}\n  policyTypes: [Ingress, Sideways]\n';
/** An API-server-rejected policy: an error whatever the workspace knows. */
const clean = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: n, labels: {app: web}}\nspec: {containers: [{name: c, image: i}]}\n';

describe('the packed package, installed the way users install it', () => {
  before(() => {
    const listed = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8' });
    assert.equal(listed.status, 0, 'the sources are a git checkout');
    for (const file of listed.stdout.split('\0').filter(Boolean)) {
      const from = path.join(REPO, file);
      if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue;
      fs.mkdirSync(path.dirname(path.join(source, file)), { recursive: true });
      fs.copyFileSync(from, path.join(source, file));
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(source, 'node_modules'), 'dir');
    for (const dir of [prefix, project, work]) fs.mkdirSync(dir, { recursive: true });
    // What npm ci / npm install run in a checkout (prepublish) builds dist/; npm pack then packs it.
    const built = run(NPM, ['run', 'prepublish', '--silent'], { cwd: source });
    assert.equal(built.status, 0, built.stderr);
    const packed = run(NPM, ['pack', '--json', '--pack-destination', scratch], { cwd: source });
    assert.equal(packed.status, 0, packed.stderr);
    const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
    tarball = path.join(scratch, report[0].filename);
    const global = run(NPM, ['install', '--global', '--prefix', prefix, tarball]);
    assert.equal(global.status, 0, global.stderr);
    fs.writeFileSync(path.join(project, 'package.json'), '{"name": "uses-netpol", "private": true}\n');
    const local = run(NPM, ['install', tarball], { cwd: project });
    assert.equal(local.status, 0, local.stderr);
    fs.writeFileSync(path.join(work, 'failing.yaml'), failing);
  }, { timeout: 600_000 });

  const bin = () => path.join(prefix, process.platform === 'win32' ? 'netpol.cmd' : path.join('bin', 'netpol'));

  test('the tarball holds the CLI and its docs, no sources, tests or source maps', () => {
    const listed = run('tar', ['-tzf', tarball]);
    const files = listed.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, '')).sort();
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'bin/netpol.js', 'dist/cli-boot.js', 'dist/cli.js', 'dist/index-worker.js', 'test-fixtures/demo/production/database.yaml', 'docs/rules/label-typo.md']) {
      assert.ok(files.includes(needed), `${needed} is shipped`);
    }
    const unwanted = files.filter((f) => /\.(ts|map|mjs)$/.test(f) || f.startsWith('server/') || f.startsWith('client/') || /(^|\/)test\//.test(f) || f.startsWith('bench/') || (f.startsWith('test-fixtures/') && !f.startsWith('test-fixtures/demo/')));
    assert.deepEqual(unwanted, []);
  });

  test('the npm manifest names its repository, and its bin is a shipped file; no runtime dependencies to fetch', () => {
    const listed = run('tar', ['-xzOf', tarball, 'package/package.json']);
    const shipped = JSON.parse(listed.stdout);
    assert.match(shipped.repository.url, /^git\+https:\/\/.+\.git$/);
    assert.equal(shipped.bin.netpol, './bin/netpol.js');
    const files = run('tar', ['-tzf', tarball]).stdout;
    assert.match(files, /^package\/bin\/netpol\.js$/m);
    assert.equal(shipped.dependencies, undefined, 'the bundles carry their dependencies');
  });

  test('the bin link: --version prints the package version', () => {
    const r = run(bin(), ['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${manifest.version}\n`);
  });

  test('the bin link: check with a failing finding exits 1 and prints it', () => {
    const r = run(bin(), ['check', '--format', 'compact', 'failing.yaml']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^failing\.yaml:6:\d+ error unknown-field /m);
    assert.match(r.stderr, /failed/);
  });

  test('the bin link: check - reads standard input', () => {
    const r = run(bin(), ['check', '--format', 'compact', '-'], { input: failing });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^stdin:\/\/\/input\.yaml:6:\d+ error unknown-field /m);
    const passed = run(bin(), ['check', '-'], { input: clean });
    assert.equal(passed.status, 0, passed.stderr);
  });

  test('npx netpol in a project that depends on it', () => {
    const version = run(NPX, ['--offline', 'netpol', '--version'], { cwd: project });
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${manifest.version}\n`);
    const check = run(NPX, ['--offline', 'netpol', 'check', path.join(work, 'failing.yaml')], { cwd: project });
    assert.equal(check.status, 1, check.stderr);
    assert.match(check.stdout, /error/);
    const stdin = run(NPX, ['--offline', 'netpol', 'check', '-'], { cwd: project, input: failing });
    assert.equal(stdin.status, 1, stdin.stderr);
    assert.match(stdin.stdout, /unknown-field/);
  });

  test('a symlink with another name runs the CLI too', () => {
    const link = path.join(scratch, 'kubectl-netpol');
    fs.symlinkSync(path.join(prefix, 'lib', 'node_modules', 'netpol', 'bin', 'netpol.js'), link);
    const version = run(link, ['--version']);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `${manifest.version}\n`);
    const check = run(link, ['check', 'failing.yaml']);
    assert.equal(check.status, 1, check.stderr);
    const stdin = run(link, ['check', '-'], { input: failing });
    assert.equal(stdin.status, 1, stdin.stderr);
  });

  test('netpol demo runs from the installed package (the demo workspace is shipped)', () => {
    const r = run(bin(), ['demo']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Reachability matrix/m);
  });

  test('the pre-commit hook, run as pre-commit runs it: only when a manifest is staged, over args, exit 1 on an error', () => {
    // pre-commit's `language: node` installs the repository with npm install, npm pack and a global install of the
    // tarball (what the prefix above holds), puts the environment's bin first on PATH and runs `entry` + `args`
    // (+ the staged files that match `files`, unless pass_filenames is false), from the repository's root.
    const hooks = parseYaml(fs.readFileSync(path.join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as {
      id: string;
      entry: string;
      language: string;
      files: string;
      pass_filenames?: boolean;
      args?: string[];
    }[];
    const hook = hooks.find((h) => h.id === 'netpol-check');
    assert.ok(hook, 'the hook netpol-check is declared');
    assert.equal(hook.language, 'node');
    const repo = path.join(scratch, 'hooked');
    fs.mkdirSync(path.join(repo, 'k8s'), { recursive: true });
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    git('init', '-q');
    const runHook = () => {
      const staged = git('diff', '--cached', '--name-only', '-z').split('\0').filter(Boolean);
      const matching = staged.filter((f) => new RegExp(hook.files).test(f));
      if (matching.length === 0) return undefined; // pre-commit skips the hook: "(no files to check)"
      const [command, ...entryArgs] = hook.entry.split(' ');
      const argv = [...entryArgs, ...(hook.args ?? []), ...(hook.pass_filenames === false ? [] : matching)];
      const r = spawnSync(command, argv, { cwd: repo, encoding: 'utf8', env: { ...npmEnv, PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH}` } });
      return r;
    };
    fs.writeFileSync(path.join(repo, 'README.md'), 'docs\n');
    git('add', 'README.md');
    assert.equal(runHook(), undefined, 'no manifest staged: the hook does not run');
    fs.writeFileSync(path.join(repo, 'k8s', 'web.yaml'), clean);
    git('add', '.');
    const passed = runHook()!;
    assert.equal(passed.status, 0, passed.stderr + passed.stdout);
    assert.match(passed.stderr, /in 1 file: passed/);
    git('commit', '-qm', 'base');
    fs.writeFileSync(path.join(repo, 'k8s', 'policy.yaml'), failing);
    git('add', '.');
    const failed = runHook()!;
    assert.equal(failed.status, 1, failed.stderr);
    assert.match(failed.stdout, /k8s\/policy\.yaml\n {2}6:\d+ +error {2}unknown-field\n/);
    assert.doesNotMatch(failed.stdout, /\x1b\[/, 'no colour in hook output');
  });
});
