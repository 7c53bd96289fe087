// Reads annotated fixtures: manifests whose comments state what the engine must conclude, and checks them.
//
//   # source: <API reference section or upstream test>        applies to the expectations below it
//   # expect: allow|deny SRC -> DST PORT/PROTO [; CLAUSE]...   one verdict (SRC/DST: ns/name, ns/name[Kind] or an IP/CIDR)
//       CLAUSE: egress: open | egress: isolated ns/p ns/q | egress: by ns/p#1 ns/q#2   (likewise ingress:), or self
//       `isolated` lists exactly the policies isolating that side; `by` lists exactly the rules (1-based) allowing
//       this port; `open` says no policy isolates that side.
//       With cluster-wide policies also: egress: decided Kind/name#1 Action (the rule that decided or passed this
//       port, Action as written) | egress: undecided (no cluster-wide rule matched this port)
//   # expect-conn: SRC -> DST : <port set>                      every connection allowed, e.g. `TCP 80,UDP 53`
//   # expect-workloads: ns/a ns/b ...                           exactly the reported workloads
//   # expect-namespaces: a b ...                                exactly the namespaces of the model
//   # expect-ns-labels: ns k=v k2=v2                            exactly the labels of a namespace
//   # expect-hostnetwork: ns/a ns/b ...                         exactly the workloads with hostNetwork
//
// `# expect@SCOPE: ...` (any of the forms) checks the scope named SCOPE of a workspace with several scopes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveEndpoint } from '../../../src/cli/commands/reach';
import type { DirectionVerdict } from '../../../src/engine/evaluate';
import { parsePortKey } from '../../../src/report/matrix';
import { Workspace, type Scope } from '../../../src/engine/workspace';

export interface Expectation {
  /** `file:line`, relative to the fixture root. */
  where: string;
  source: string;
  scope?: string;
  kind: string;
  text: string;
}

export interface Fixture {
  name: string;
  workspace: Workspace;
  expectations: Expectation[];
}

const EXPECT_LINE = /^\s*#\s*(expect(?:-[a-z-]+)?)(?:@([\w-]+))?:\s*(.+?)\s*$/;
const SOURCE_LINE = /^\s*#\s*source:\s*(.+?)\s*$/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** A fixture is one .yaml file or one folder (for kustomizations, scopes and `.netpol.yaml`). */
export function loadFixture(fixturePath: string): Fixture {
  const isDir = fs.statSync(fixturePath).isDirectory();
  const root = isDir ? fixturePath : path.dirname(fixturePath);
  const files = isDir ? filesUnder(fixturePath) : [fixturePath];
  const workspace = new Workspace();
  const expectations: Expectation[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const rel = path.relative(root, file).split(path.sep).join('/');
    workspace.setFile(`file:///fixtures/${path.basename(fixturePath)}${isDir ? `/${rel}` : ''}`, text);
    let source = '';
    text.split('\n').forEach((line, i) => {
      const s = SOURCE_LINE.exec(line);
      if (s) source = s[1];
      const m = EXPECT_LINE.exec(line);
      if (m) expectations.push({ where: `${isDir ? `${path.basename(fixturePath)}/` : ''}${rel}:${i + 1}`, source, scope: m[2], kind: m[1], text: m[3] });
    });
  }
  return { name: path.basename(fixturePath), workspace, expectations };
}

function scopeFor(workspace: Workspace, name: string | undefined): Scope {
  const scopes = workspace.scopes();
  if (name === undefined) {
    assert.equal(scopes.length, 1, `the fixture has scopes ${scopes.map((s) => s.name).join(', ')}; name one with expect@SCOPE`);
    return scopes[0];
  }
  const found = scopes.find((s) => s.name === name);
  assert.ok(found, `no scope ${name} (scopes: ${scopes.map((s) => s.name).join(', ')})`);
  return found;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

function checkDirection(d: DirectionVerdict, clause: string): void {
  const tokens = clause.split(/\s+/).filter(Boolean);
  if (tokens[0] === 'decided' || tokens[0] === 'undecided') {
    const d2 = d.decision;
    const actual = d2 ? `${d2.kind}/${d2.policy.name}#${d2.rule.index + 1} ${d2.rule.actionText}` : 'undecided';
    assert.equal(actual, tokens[0] === 'undecided' ? 'undecided' : tokens.slice(1).join(' '), `${d.direction}: the cluster-wide rule that decided`);
    return;
  }
  if (tokens[0] === 'open') {
    assert.equal(d.isolated, false, `${d.direction} should not be isolated (isolated by ${d.policies.map((p) => `${p.namespace}/${p.name}`).join(', ')})`);
    return;
  }
  let mode: 'isolated' | 'by' | undefined;
  const isolated: string[] = [];
  const by: string[] = [];
  let sawIsolated = false;
  let sawBy = false;
  for (const t of tokens) {
    if (t === 'isolated' || t === 'by') {
      mode = t;
      if (t === 'isolated') sawIsolated = true;
      else sawBy = true;
    } else if (mode === 'isolated') isolated.push(t);
    else if (mode === 'by') by.push(t);
    else throw new Error(`cannot read "${clause}": expected open, isolated or by`);
  }
  assert.equal(d.isolated, true, `${d.direction} should be isolated`);
  if (sawIsolated) assert.deepEqual(sorted(d.policies.map((p) => `${p.namespace}/${p.name}`)), sorted(isolated), `${d.direction}: isolating policies`);
  if (sawBy) {
    assert.deepEqual(sorted(d.allowingRules.map((r) => `${r.policy.namespace}/${r.policy.name}#${r.rule.index + 1}`)), sorted(by), `${d.direction}: allowing rules`);
  }
}

/** Checks one expectation; throws an assertion error naming what differs. */
export function checkExpectation(fixture: Fixture, e: Expectation): void {
  const scope = scopeFor(fixture.workspace, e.scope);
  const model = scope.model;
  switch (e.kind) {
    case 'expect': {
      const [main, ...clauses] = e.text.split(';').map((s) => s.trim());
      const m = /^(allow|deny)\s+(\S+)\s+->\s+(\S+)\s+(\S+)$/.exec(main);
      if (!m) throw new Error(`cannot read expectation "${e.text}"`);
      const [, verdictWord, from, to, portText] = m;
      const port = parsePortKey(portText);
      if (!port) throw new Error(`bad port ${portText}`);
      const v = scope.analysis.verdict(resolveEndpoint(scope, from), resolveEndpoint(scope, to), port.protocol, port.port);
      assert.equal(v.allowed, verdictWord === 'allow', `${from} -> ${to} on ${portText} should be ${verdictWord === 'allow' ? 'allowed' : 'denied'}`);
      for (const clause of clauses) {
        if (clause === 'self') assert.equal(v.self, true, 'should be a single pod reaching itself');
        else if (clause.startsWith('egress:')) checkDirection(v.egress, clause.slice('egress:'.length));
        else if (clause.startsWith('ingress:')) checkDirection(v.ingress, clause.slice('ingress:'.length));
        else throw new Error(`unknown clause "${clause}"`);
      }
      if (!clauses.includes('self')) assert.equal(v.self, false, 'should not count as a pod reaching itself');
      return;
    }
    case 'expect-conn': {
      const m = /^(\S+)\s+->\s+(\S+)\s+:\s+(.+)$/.exec(e.text);
      if (!m) throw new Error(`cannot read expectation "${e.text}"`);
      const c = scope.analysis.connection(resolveEndpoint(scope, m[1]), resolveEndpoint(scope, m[2]));
      assert.equal(c.allowed.toString(), m[3]);
      return;
    }
    case 'expect-workloads':
      assert.deepEqual(sorted(scope.analysis.reportedWorkloads().map((w) => w.displayName)), sorted(e.text.split(/\s+/)));
      return;
    case 'expect-namespaces':
      assert.deepEqual(sorted(model.namespaces.keys()), sorted(e.text.split(/\s+/)));
      return;
    case 'expect-ns-labels': {
      const [name, ...pairs] = e.text.split(/\s+/);
      const ns = model.namespaces.get(name);
      assert.ok(ns, `no namespace ${name}`);
      assert.deepEqual({ ...ns.labels }, Object.fromEntries(pairs.map((p) => p.split('=') as [string, string])));
      return;
    }
    case 'expect-hostnetwork':
      assert.deepEqual(sorted(model.workloads.filter((w) => w.hostNetwork).map((w) => w.displayName)), sorted(e.text.split(/\s+/)));
      return;
    default:
      throw new Error(`unknown expectation kind ${e.kind}`);
  }
}
