// The GitHub Actions composite action (action.yml): its shell steps run here the way the runner runs them (bash
// --noprofile --norc -eo pipefail, the step's env with the expressions evaluated, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, step outputs feeding later `if:`s and envs), in a git repository with a pull request's
// base and head. Steps that use other actions (setup-node, upload-sarif) are not run: they are GitHub's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';

const REPO = path.resolve(__dirname, '..', '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-action-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parseYaml(fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;

type Context = Record<string, unknown>;

function lookup(context: Context, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), context);
}

/** The subset of GitHub's expression language that action.yml uses: paths, 'literals', ==, !=, &&, always(). */
function evaluate(expression: string, context: Context): unknown {
  const terms = expression.split('&&').map((t) => t.trim());
  if (terms.length > 1) return terms.every((t) => truthy(evaluate(t, context)));
  if (expression === 'always()') return true;
  const comparison = /^(\S+)\s*(==|!=)\s*'([^']*)'$/.exec(expression);
  if (comparison) {
    const value = String(lookup(context, comparison[1]) ?? '');
    return comparison[2] === '==' ? value === comparison[3] : value !== comparison[3];
  }
  assert.match(expression, /^[\w.-]+$/, `an expression this test understands: ${expression}`);
  return lookup(context, expression) ?? '';
}

function truthy(value: unknown): boolean {
  return value !== '' && value !== false && value !== undefined && value !== null && value !== 0;
}

function substitute(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, e: string) => String(evaluate(e, context)));
}

interface ActionRun {
  ran: string[];
  skipped: string[];
  failedStep?: string;
  outputs: Record<string, Record<string, string>>;
  summary: string;
  log: string;
}

/** Runs the action's steps as the runner would, for one event, in `workspace`. */
function runAction(workspace: string, event: { name: string; baseSha?: string }, inputs: Record<string, string>): ActionRun {
  const resolvedInputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) resolvedInputs[name] = inputs[name] ?? spec.default ?? '';
  const summaryFile = path.join(scratch, `summary-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(summaryFile, '');
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const result: ActionRun = { ran: [], skipped: [], outputs: {}, summary: '', log: '' };
  let failed = false;
  for (const step of action.runs.steps) {
    const label = step.name ?? step.uses ?? '?';
    const context: Context = {
      inputs: resolvedInputs,
      steps,
      github: { action_path: REPO, event_name: event.name, event: { pull_request: { base: { sha: event.baseSha ?? '' } } } },
    };
    // Without always(), a step runs only while every earlier step succeeded (GitHub's implicit success()).
    const condition = step.if ? step.if.replace(/^\$\{\{\s*|\s*\}\}$/g, '') : '';
    const wanted = condition ? truthy(evaluate(condition, context)) : true;
    if (!wanted || (failed && !condition.includes('always()'))) {
      result.skipped.push(label);
      continue;
    }
    if (step.uses) {
      result.skipped.push(label);
      continue;
    }
    assert.equal(step.shell, 'bash', `${label}: a composite run step names its shell`);
    const outputFile = path.join(scratch, `output-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_ACTION_PATH: REPO, NO_COLOR: undefined, FORCE_COLOR: undefined };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = substitute(String(v), context);
    const script = path.join(scratch, `step-${Math.random().toString(36).slice(2)}.sh`);
    fs.writeFileSync(script, substitute(step.run!, context));
    const cwd = step['working-directory'] ? substitute(step['working-directory'], context) : workspace;
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, encoding: 'utf8', timeout: 120_000 });
    result.ran.push(label);
    result.log += `## ${label}\n${r.stdout}${r.stderr}`;
    const outputs: Record<string, string> = {};
    for (const line of fs.readFileSync(outputFile, 'utf8').split('\n').filter(Boolean)) {
      const eq = line.indexOf('=');
      outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) steps[step.id] = { outputs };
    if (step.id) result.outputs[step.id] = outputs;
    if (r.status !== 0) {
      failed = true;
      result.failedStep ??= label;
    }
  }
  result.summary = fs.readFileSync(summaryFile, 'utf8');
  return result;
}

const POD = (name: string, port: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: i, ports: [{containerPort: ${port}}]}]}\n`;
const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n';
const DENY = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n';
const ALLOW_WEB_TO_API =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api-from-web, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{podSelector: {matchLabels: {app: web}}}]\n    ports: [{port: 8080}]\n';
const BROKEN = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: broken, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Sideways]\n';

describe('action.yml (GitHub Actions composite action), its shell steps run as the runner runs them', () => {
  const workspace = path.join(scratch, 'workspace');
  let baseSha = '';
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: workspace, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };

  before(() => {
    assert.ok(fs.existsSync(path.join(REPO, 'dist', 'cli.js')), 'dist/ is built (npm ci / npm test build it)');
    fs.mkdirSync(path.join(workspace, 'k8s'), { recursive: true });
    git('init', '-q');
    fs.writeFileSync(path.join(workspace, 'k8s', 'apps.yaml'), `${NAMESPACE}---\n${POD('web', 80)}---\n${POD('api', 8080)}`);
    fs.writeFileSync(path.join(workspace, 'k8s', 'deny.yaml'), DENY);
    git('add', '.');
    git('commit', '-qm', 'base');
    baseSha = git('rev-parse', 'HEAD');
    fs.writeFileSync(path.join(workspace, 'k8s', 'api.yaml'), ALLOW_WEB_TO_API);
    git('add', '.');
    git('commit', '-qm', 'pull request');
  });

  test('is a composite action whose inputs reach scripts only through env', () => {
    assert.equal(action.runs.using, 'composite');
    for (const step of action.runs.steps) {
      if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: no expression pasted into the script`);
    }
  });

  test('pull request: check passes, SARIF written, the diff lands in the job summary; the verdict passes', () => {
    const r = runAction(workspace, { name: 'pull_request', baseSha }, { paths: 'k8s' });
    assert.equal(r.failedStep, undefined, r.log);
    assert.deepEqual(r.ran, ['Build netpol', 'netpol check', 'netpol diff', 'Verdict']);
    assert.equal(r.outputs.check['exit-code'], '0');
    const sarif = JSON.parse(fs.readFileSync(path.join(workspace, 'netpol.sarif'), 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0].tool.driver.name, 'netpol');
    assert.equal(r.outputs.diff['exit-code'], '0');
    assert.match(r.summary, /shop\/web/);
    assert.match(r.summary, /shop\/api/);
    assert.match(r.log, /in 3 files: \S*passed/, 'the readable report is in the log');
  });

  test('pull request with fail-on added: the diff fails the job', () => {
    const r = runAction(workspace, { name: 'pull_request', baseSha }, { paths: 'k8s', 'fail-on': 'added' });
    assert.equal(r.outputs.diff['exit-code'], '1');
    assert.equal(r.failedStep, 'Verdict', r.log);
    assert.match(r.log, /::error::netpol diff failed/);
  });

  test('push with an error in a manifest: no diff, the check fails the job, the SARIF log still holds the finding', () => {
    fs.writeFileSync(path.join(workspace, 'k8s', 'broken.yaml'), BROKEN);
    try {
      const r = runAction(workspace, { name: 'push' }, { paths: 'k8s' });
      assert.ok(r.skipped.includes('netpol diff'));
      assert.equal(r.outputs.check['exit-code'], '1');
      assert.equal(r.failedStep, 'Verdict', r.log);
      const sarif = JSON.parse(fs.readFileSync(path.join(workspace, 'netpol.sarif'), 'utf8'));
      assert.ok(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'unknown-field'));
    } finally {
      fs.rmSync(path.join(workspace, 'k8s', 'broken.yaml'));
    }
  });

  test('paths with a space-separated list and extra args are passed as separate arguments', () => {
    const r = runAction(workspace, { name: 'push' }, { paths: 'k8s/apps.yaml k8s/deny.yaml', args: '--allow-skipped --max-file-size 10M' });
    assert.match(r.log, /in 2 files/);
    assert.equal(r.outputs.check['exit-code'], '0', r.log);
  });
});
