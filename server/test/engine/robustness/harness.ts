// Shared helpers for the robustness tests: run a set of files through the whole engine (parse, workspace, model,
// analysis, every rule) and collect what came out, including rule failures, which the runner would otherwise
// swallow.
import assert from 'node:assert/strict';
import { ipEndpoint, workloadEndpoint } from '../../../src/engine/evaluate';
import { parseCidr } from '../../../src/engine/cidr';
import { ALL_RULES } from '../../../src/engine/rules/index';
import { runRules } from '../../../src/engine/rules/run';
import type { Diagnostic } from '../../../src/engine/rules/types';
import { PROTOCOLS } from '../../../src/engine/types';
import { Workspace } from '../../../src/engine/workspace';

export const ROOT = 'file:///repo';

/** A policy and a workload that every hostile workspace also holds: they must still be analysed. */
export const WITNESS_URI = `${ROOT}/witness.yaml`;
export const WITNESS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: witness
  namespace: witness
spec:
  template:
    metadata:
      labels: {app: witness}
    spec:
      containers:
        - name: web
          ports: [{containerPort: 8080, name: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: witness-ingress
  namespace: witness
spec:
  podSelector:
    matchLabels: {app: witness}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: nowhere}}
      ports: [{port: http}]
`;

export interface RuleFailure {
  ruleId: string;
  error: unknown;
}

export interface EngineRun {
  workspace: Workspace;
  diagnostics: Map<string, Diagnostic[]>;
  ruleFailures: RuleFailure[];
}

/** Runs files through the workspace and every rule; walks every result the way the editor features would. */
export function analyse(files: Record<string, string>, options: { withWitness?: boolean } = {}): EngineRun {
  const workspace = new Workspace();
  const all = options.withWitness === false ? files : { [WITNESS_URI]: WITNESS, ...files };
  for (const [uri, text] of Object.entries(all)) workspace.setFile(uri, text);
  const ruleFailures: RuleFailure[] = [];
  const diagnostics = runRules(workspace, { rules: ALL_RULES, onRuleError: (ruleId, error) => ruleFailures.push({ ruleId, error }) });
  exerciseAnalysis(workspace);
  return { workspace, diagnostics, ruleFailures };
}

/** Asks every scope for every connection and a few verdicts, so evaluation of hostile objects is exercised too. */
export function exerciseAnalysis(workspace: Workspace): void {
  const outside = parseCidr('203.0.113.7/32');
  assert.ok(typeof outside !== 'string');
  for (const scope of workspace.scopes()) {
    const workloads = scope.model.workloads.slice(0, 40);
    for (const a of workloads) {
      for (const b of workloads) {
        const c = scope.analysis.connection(workloadEndpoint(a), workloadEndpoint(b));
        for (const protocol of PROTOCOLS) scope.analysis.verdict(c.source, c.destination, protocol, 8080);
      }
      scope.analysis.connection(workloadEndpoint(a), ipEndpoint(outside));
      scope.analysis.connection(ipEndpoint(outside), workloadEndpoint(a));
    }
  }
}

/** The run had no rule failures, and the witness files were analysed as usual. */
export function assertHealthy(run: EngineRun): void {
  assert.deepEqual(
    run.ruleFailures.map((f) => `${f.ruleId}: ${(f.error as Error)?.stack ?? String(f.error)}`),
    [],
    'no rule may throw on this input',
  );
  assertWitnessAnalysed(run);
}

export function assertWitnessAnalysed(run: EngineRun): void {
  const scope = run.workspace.scopes().find((s) => s.uris.includes(WITNESS_URI));
  assert.ok(scope, 'the witness file is in a scope');
  const witness = scope.model.workloads.find((w) => w.name === 'witness');
  const policy = scope.model.policies.find((p) => p.name === 'witness-ingress');
  assert.ok(witness && policy && policy.valid, 'the witness workload and policy are in the model');
  const c = scope.analysis.connection(workloadEndpoint(witness), workloadEndpoint(witness));
  assert.equal(c.ingress.isolated, true, 'the witness policy isolates the witness workload');
  assert.ok(run.diagnostics.has(WITNESS_URI), 'the witness file has a diagnostics entry');
}

/** Every diagnostic range lies within its file's text. */
export function assertRangesInside(run: EngineRun): void {
  for (const [uri, list] of run.diagnostics) {
    const file = run.workspace.getFile(uri);
    const length = file ? file.text.length : Number.MAX_SAFE_INTEGER;
    for (const d of list) {
      const [start, end] = d.location.range;
      assert.ok(Number.isInteger(start) && Number.isInteger(end), `${d.ruleId}: integer offsets`);
      assert.ok(0 <= start && start <= end && end <= length, `${d.ruleId} range [${start}, ${end}) inside ${uri} (${length})`);
    }
  }
}

export function diagnosticsOf(run: EngineRun, uri: string): Diagnostic[] {
  return run.diagnostics.get(uri) ?? [];
}

/** The text a diagnostic points at. */
export function textAt(run: EngineRun, d: Diagnostic): string {
  const file = run.workspace.getFile(d.location.uri);
  assert.ok(file, `file ${d.location.uri} is indexed`);
  return file.text.slice(d.location.range[0], d.location.range[1]);
}
