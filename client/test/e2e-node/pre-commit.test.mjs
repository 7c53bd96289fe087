// The pre-commit hook (.pre-commit-hooks.yaml) through pre-commit itself: `pre-commit try-repo` installs this
// repository the way pre-commit installs a node hook (npm install, npm pack, a global install of the tarball) and
// runs it on a repository's staged manifests. pre-commit comes from Debian (installed here when missing, as root);
// its environment cache lives outside the repository. The install takes minutes (npm install of the repository's
// development dependencies), so this runs in the end-to-end layer; server/test/cli/install.test.ts runs the hook's
// entry as pre-commit would, in the fast layer.
import { spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../e2e/paths.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-pre-commit-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function hasPreCommit() {
  return spawnSync('pre-commit', ['--version'], { encoding: 'utf8' }).status === 0;
}

function installPreCommit() {
  if (hasPreCommit()) return;
  assert.ok(process.getuid?.() === 0, 'pre-commit is missing and only root can install it (apt-get install pre-commit)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-q', 'pre-commit'], { encoding: 'utf8', env, timeout: 600_000 });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { encoding: 'utf8', env, timeout: 600_000 });
    r = spawnSync('apt-get', ['install', '-y', '-q', 'pre-commit'], { encoding: 'utf8', env, timeout: 600_000 });
  }
  assert.equal(r.status, 0, `apt-get install pre-commit: ${r.stderr}`);
  assert.ok(hasPreCommit());
}

describe('pre-commit try-repo runs the netpol-check hook', () => {
  const project = path.join(scratch, 'project');
  const git = (...args) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: project, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  const tryRepo = () =>
    spawnSync('pre-commit', ['try-repo', repo, 'netpol-check', '--color', 'never'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 900_000,
      env: { ...process.env, PRE_COMMIT_HOME: path.join(cacheDir(), 'pre-commit'), npm_config_audit: 'false', npm_config_fund: 'false' },
    });

  before(() => {
    installPreCommit();
    fs.mkdirSync(path.join(project, 'k8s'), { recursive: true });
    git('init', '-q');
  }, { timeout: 900_000 });

  it('fails on a manifest with an error, passes once it is fixed', { timeout: 1_800_000 }, () => {
    fs.writeFileSync(
      path.join(project, 'k8s', 'policy.yaml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n',
    );
    git('add', '.');
    const failed = tryRepo();
    assert.equal(failed.status, 1, `${failed.stdout}\n${failed.stderr}`);
    assert.match(failed.stdout, /netpol check \(Kubernetes NetworkPolicies\)\.+Failed/);
    assert.match(failed.stdout, /k8s\/policy\.yaml\n {2}6:\d+ +error {2}unknown-field/);

    fs.writeFileSync(path.join(project, 'k8s', 'policy.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n');
    git('add', '.');
    const passed = tryRepo();
    assert.equal(passed.status, 0, `${passed.stdout}\n${passed.stderr}`);
    assert.match(passed.stdout, /netpol check \(Kubernetes NetworkPolicies\)\.+Passed/);
  });
});
