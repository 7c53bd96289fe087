// Quick fixes on demand (rules/fixes.ts): an analysis builds no fixes and, on files the fast reader read, no yaml
// documents; `quickFixesFor` gives each finding exactly the fixes a run with fixes gives it, for every finding of
// every rule fixture (LF and CRLF texts, full and incremental runs).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { ParsedFile } from '../../../src/engine/parse';
import { quickFixesFor } from '../../../src/engine/rules/fixes';
import { IncrementalRuleRunner, runRules } from '../../../src/engine/rules/run';
import type { Diagnostic } from '../../../src/engine/rules/types';
import { Workspace } from '../../../src/engine/workspace';

const ROOT = resolve(__dirname, '../../../../test-fixtures/rules');

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** Every rule fixture (a file, or a folder of files) as texts by URI, without the expected texts after fixes. */
function fixtures(): { name: string; files: Map<string, string> }[] {
  const out: { name: string; files: Map<string, string> }[] = [];
  for (const rule of readdirSync(ROOT).sort()) {
    const ruleDir = join(ROOT, rule);
    if (!statSync(ruleDir).isDirectory()) continue;
    for (const entry of readdirSync(ruleDir).sort()) {
      const full = join(ruleDir, entry);
      const members = statSync(full).isDirectory() ? walk(full) : /\.(ya?ml|json)$/.test(entry) ? [full] : [];
      const files = new Map<string, string>();
      for (const p of members) if (!/\.fixed\.(ya?ml|json)$/.test(p)) files.set(`file:///fixtures/${relative(ROOT, p).split('\\').join('/')}`, readFileSync(p, 'utf8'));
      if (files.size) out.push({ name: `${rule}/${entry}`, files });
    }
  }
  return out;
}

function workspaceOf(files: Map<string, string>): Workspace {
  const ws = new Workspace();
  for (const [uri, text] of files) ws.setFile(uri, text);
  return ws;
}

const keyOf = (d: Diagnostic) => `${d.location.uri} ${d.ruleId} ${d.location.range[0]}-${d.location.range[1]} ${d.message}`;

function withoutFixes(d: Diagnostic): Diagnostic {
  const { fixes: _fixes, ...rest } = d;
  return rest;
}

/** Counts reads of every document's `yaml` and every object's `node` of a parsed file. */
function countNodeReads(file: ParsedFile): { reads: number } {
  const counter = { reads: 0 };
  const wrap = (target: object, property: string) => {
    // An own property, or a getter of the object's class.
    let owner: object | null = target;
    while (owner && !Object.prototype.hasOwnProperty.call(owner, property)) owner = Object.getPrototypeOf(owner);
    const descriptor = Object.getOwnPropertyDescriptor(owner ?? target, property)!;
    const read = descriptor.get ?? (() => descriptor.value);
    Object.defineProperty(target, property, {
      get() {
        counter.reads++;
        return read.call(target);
      },
      enumerable: true,
      configurable: true,
    });
  };
  for (const document of file.documents) {
    wrap(document, 'yaml');
    for (const object of document.objects) wrap(object, 'node');
  }
  return counter;
}

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
const POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-egress
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector:
            matchLabels:
              app: databse
      ports:
        - port: 5432
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: no-namespace
spec:
  podSelector: {}
  policyTypes:
    - Ingress
`;
const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: api:1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: database
  namespace: shop
spec:
  selector:
    matchLabels:
      app: database
  template:
    metadata:
      labels:
        app: database
    spec:
      containers:
        - name: db
          image: postgres:16
          ports:
            - containerPort: 5432
`;

describe('quick fixes on demand', () => {
  it('an analysis builds no fixes and reads no yaml nodes of fast-read files; a run with fixes does', () => {
    const files = new Map([
      ['file:///ws/namespace.yaml', NAMESPACE],
      ['file:///ws/policies.yaml', POLICIES],
      ['file:///ws/workloads.yaml', WORKLOADS],
    ]);
    const lazy = workspaceOf(files);
    const counters = [...files.keys()].map((uri) => countNodeReads(lazy.getFile(uri)!));
    const found = [...runRules(lazy).values()].flat();
    const rules = new Set(found.map((d) => d.ruleId));
    for (const id of ['missing-dns-egress', 'label-typo', 'missing-namespace', 'namespace-without-default-deny']) assert.ok(rules.has(id), `${id} reported (${[...rules].join(', ')})`);
    assert.ok(found.every((d) => d.fixes === undefined), 'no finding carries fixes');
    assert.deepEqual(counters.map((c) => c.reads), [0, 0, 0], 'no yaml document or node was read');
    for (const d of found.filter((x) => ['missing-dns-egress', 'label-typo', 'missing-namespace'].includes(x.ruleId))) {
      assert.ok(quickFixesFor(lazy, d).length > 0, `${d.ruleId} has a fix on demand`);
    }

    const eager = workspaceOf(files);
    const eagerCounters = [...files.keys()].map((uri) => countNodeReads(eager.getFile(uri)!));
    const withFixes = [...runRules(eager, { fixes: true }).values()].flat();
    assert.ok(withFixes.some((d) => d.fixes?.length), 'a run with fixes builds them');
    assert.ok(eagerCounters[1].reads > 0, 'building them reads the nodes of the policies file');
    assert.deepEqual(withFixes.map(withoutFixes), found, 'the same findings otherwise');
  });

  it('gives every finding of every rule fixture the fixes of a run with fixes (LF and CRLF, full and incremental)', () => {
    let compared = 0;
    const rulesWithFixes = new Set<string>();
    for (const fixture of fixtures()) {
      for (const crlf of [false, true]) {
        const files = new Map([...fixture.files].map(([uri, text]) => [uri, crlf ? text.replace(/\r?\n/g, '\r\n') : text]));
        const label = `${fixture.name}${crlf ? ' (CRLF)' : ''}`;
        const expected = new Map<string, Diagnostic>();
        for (const list of runRules(workspaceOf(files), { fixes: true }).values()) for (const d of list) expected.set(keyOf(d), d);

        const ws = workspaceOf(files);
        const full = [...runRules(ws).values()].flat();
        const incremental = [...new IncrementalRuleRunner().run(ws).values()].flat();
        assert.equal(full.length, expected.size, `${label}: as many findings`);
        for (const d of [...full, ...incremental]) {
          const reference = expected.get(keyOf(d));
          assert.ok(reference, `${label}: ${keyOf(d)} found by the run with fixes`);
          assert.deepEqual(d, withoutFixes(reference), `${label}: the same finding`);
          const fixes = quickFixesFor(ws, d);
          assert.deepEqual(fixes, reference.fixes ?? [], `${label}: fixes of ${keyOf(d)}`);
          if (fixes.length) {
            compared++;
            rulesWithFixes.add(d.ruleId);
          }
        }
      }
    }
    assert.ok(compared >= 50, `findings with fixes compared: ${compared}`);
    assert.ok(rulesWithFixes.size >= 10, `rules with fixes compared: ${[...rulesWithFixes].sort().join(', ')}`);
  });

  it('answers nothing for findings that are gone, and findings of other sources', () => {
    const ws = workspaceOf(new Map([['file:///ws/policies.yaml', POLICIES]]));
    const [finding] = [...runRules(ws).values()].flat().filter((d) => d.ruleId === 'missing-namespace');
    assert.ok(quickFixesFor(ws, finding).length > 0);
    assert.deepEqual(quickFixesFor(ws, { ...finding, message: 'something else' }), []);
    assert.deepEqual(quickFixesFor(ws, { ...finding, ruleId: 'parse-error' }), []);
    ws.setFile('file:///ws/policies.yaml', POLICIES.replace('  name: no-namespace\n', '  name: no-namespace\n  namespace: shop\n'));
    assert.deepEqual(quickFixesFor(ws, finding), [], 'the cached fixes go with the workspace version');
  });
});
