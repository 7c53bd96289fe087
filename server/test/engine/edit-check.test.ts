// The engine checks every edit before it is offered (engine/edit-check.ts): applied to a copy of the workspace and
// analysed again, an edit is offered only when it adds no warning or error, and what it newly isolates is said.
// This file holds the check's own tests and the table over every quick fix of every rule: each fix that the rule
// fixtures offer is run back through the engine, and every rule that builds fixes must have a fixture that offers
// one (a new fix without a checked fixture fails here).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { checkEdit, editedTexts, isolationText, offerableFixes } from '../../src/engine/edit-check';
import { ALL_RULES } from '../../src/engine/rules/index';
import { runRules } from '../../src/engine/rules/run';
import type { Diagnostic } from '../../src/engine/rules/types';
import { Workspace } from '../../src/engine/workspace';

const ROOT = join(__dirname, '../../../test-fixtures/rules');
const RULES_SRC = join(__dirname, '../../src/engine/rules');
const URI_ROOT = 'file:///fixtures';

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

/** Every rule fixture as a workspace: a file, or a folder of files. */
function fixtures(): { name: string; files: Map<string, string>; off: string[] }[] {
  const out: { name: string; files: Map<string, string>; off: string[] }[] = [];
  for (const rule of readdirSync(ROOT).sort()) {
    const ruleDir = join(ROOT, rule);
    if (!statSync(ruleDir).isDirectory()) continue;
    for (const entry of readdirSync(ruleDir).sort()) {
      const full = join(ruleDir, entry);
      const isDir = statSync(full).isDirectory();
      if (!isDir && (!/\.(ya?ml|json)$/.test(entry) || /\.fixed\.ya?ml$/.test(entry))) continue;
      const files = new Map<string, string>();
      const off: string[] = [];
      for (const p of isDir ? walk(full).filter((f) => !/\.fixed\.ya?ml$/.test(f)) : [full]) {
        const text = readFileSync(p, 'utf8');
        files.set(`${URI_ROOT}/${relative(ROOT, p).split('\\').join('/')}`, text);
        for (const m of text.matchAll(/^\s*#\s*fixture-off:\s*(.+)$/gm)) off.push(...m[1].split(/[\s,]+/).filter(Boolean));
      }
      out.push({ name: `${rule}/${entry}`, files, off });
    }
  }
  return out;
}

function workspaceOf(files: Iterable<[string, string]>): Workspace {
  const ws = new Workspace();
  for (const [uri, text] of files) ws.setFile(uri, text);
  return ws;
}

const describeFinding = (d: Diagnostic) => `${d.ruleId} ${d.severity}: ${d.message}`;

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080, name: http }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: api, image: api, ports: [{ containerPort: 9000 }] }] }
`;

describe('checkEdit', () => {
  it('reports the warning an edit adds (an egress isolation without DNS) and the workloads it newly isolates', () => {
    const ws = workspaceOf([['file:///w/app.yaml', APP]]);
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-egress, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress:
    - to: [{ podSelector: { matchLabels: { app: api } } }]
      ports: [{ port: 9000 }]
`;
    const check = checkEdit(ws, [], { newFiles: [{ uri: 'file:///w/new.yaml', text: policy }] });
    assert.equal(check.safe, false);
    assert.ok(check.newFindings.some((d) => d.ruleId === 'missing-dns-egress'), check.newFindings.map(describeFinding).join('\n'));
    assert.deepEqual(check.newlyIsolated.map((i) => `${i.workload} ${i.direction}`), ['shop/web egress']);
    assert.deepEqual(check.newlyIsolated[0].loses, [{ peer: 'outside the cluster', ports: ['any'] }]);
    assert.match(isolationText(check.newlyIsolated), /^shop\/web for egress, losing outside the cluster$/);
  });

  it('says what an ingress isolation takes away, on the declared ports', () => {
    const ws = workspaceOf([['file:///w/app.yaml', APP]]);
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api-ingress, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  policyTypes: [Ingress]
`;
    const check = checkEdit(ws, [{ uri: 'file:///w/app.yaml', range: [APP.length, APP.length], newText: `---\n${policy}` }], { severities: { 'workload-unreachable': 'off' } });
    assert.deepEqual(check.newlyIsolated, [
      { workload: 'shop/api', direction: 'ingress', loses: [{ peer: 'shop/web', ports: ['9000/TCP'] }, { peer: 'outside the cluster', ports: ['9000/TCP'] }] },
    ]);
  });

  it('follows edits of the workspace between checks: the same answer as a check on a workspace built from scratch', () => {
    const ws = workspaceOf([['file:///w/app.yaml', APP]]);
    const deny = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`;
    const newFiles = [{ uri: 'file:///w/deny.yaml', text: deny }];
    const first = checkEdit(ws, [], { newFiles });
    assert.deepEqual(first.newlyIsolated.map((i) => i.workload), ['shop/api', 'shop/web']);
    // The workspace changes (api gets its own policy), then the same check again.
    ws.setFile('file:///w/api.yaml', `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }] }]
`);
    const second = checkEdit(ws, [], { newFiles });
    const fresh = checkEdit(workspaceOf([['file:///w/app.yaml', APP], ['file:///w/api.yaml', ws.getFile('file:///w/api.yaml')!.text]]), [], { newFiles });
    assert.deepEqual(second.newlyIsolated, fresh.newlyIsolated);
    assert.deepEqual(second.newlyIsolated.map((i) => i.workload), ['shop/web']);
    assert.deepEqual(second.newFindings.map(describeFinding), fresh.newFindings.map(describeFinding));
    // And the checked workspace never saw the new file.
    assert.equal(ws.getFile('file:///w/deny.yaml'), undefined);
  });

  it('leaves the workspace it checks untouched, and the copy analyses as a workspace built from scratch', () => {
    const ws = workspaceOf([['file:///w/app.yaml', APP]]);
    const before = JSON.stringify([...runRules(ws)]);
    const version = ws.version;
    const edited = APP.replace('containerPort: 9000', 'containerPort: 9001');
    const copy = ws.fork();
    copy.setFile('file:///w/app.yaml', edited);
    assert.equal(ws.version, version);
    assert.equal(ws.getFile('file:///w/app.yaml')!.text, APP);
    assert.equal(JSON.stringify([...runRules(ws)]), before);
    const fresh = workspaceOf([['file:///w/app.yaml', edited]]);
    assert.equal(JSON.stringify([...runRules(copy)]), JSON.stringify([...runRules(fresh)]));
    assert.deepEqual(copy.scopes()[0].model.workloads.map((w) => w.containerPorts), fresh.scopes()[0].model.workloads.map((w) => w.containerPorts));
  });
});

/**
 * Fixes the check refuses in the fixtures, with what they would add: each is a fix that would surprise. A fix that
 * becomes unsafe, or one of these that becomes safe, fails the table until this list says so.
 */
const REFUSED: Record<string, string> = {
  // A default deny of ingress leaves the Service's pods with no allowed client: workload-unreachable.
  'selector-matches-nothing/cross-file namespace-without-default-deny "Add a default-deny ingress policy for namespace shop"': 'workload-unreachable',
  'selector-matches-nothing/cross-file namespace-without-default-deny "Add a default-deny ingress and egress policy (DNS still allowed) for namespace shop"': 'workload-unreachable',
  // The corrected key makes the peer an ipBlock beside a podSelector, which the API server rejects.
  'unknown-field/basic.yaml unknown-field "Replace "ipblock" with "ipBlock""': 'empty-peer',
};

describe('every quick fix is checked by the engine (table over all rules)', () => {
  const all = fixtures();
  const offeredBy = new Map<string, number>();
  const refused = new Map<string, string>();
  for (const fixture of all) {
    it(`fixes built in ${fixture.name}: offered only when they add no warning, and then they remove their finding`, () => {
      const ws = workspaceOf(fixture.files);
      const severities = Object.fromEntries(fixture.off.map((id) => [id, 'off' as const]));
      const problems: string[] = [];
      for (const list of runRules(ws, { fixes: true, severities }).values()) {
        for (const d of list) {
          const offered = offerableFixes(ws, d.fixes ?? [], { severities });
          for (const fix of d.fixes ?? []) {
            const check = checkEdit(ws, fix.edits, { severities });
            const key = `${fixture.name} ${d.ruleId} "${fix.title}"`;
            const isOffered = offered.some((o) => o.edits === fix.edits);
            assert.equal(isOffered, check.safe, key);
            if (!check.safe) {
              refused.set(key, [...new Set(check.newFindings.map((f) => f.ruleId))].join(', '));
              continue;
            }
            offeredBy.set(d.ruleId, (offeredBy.get(d.ruleId) ?? 0) + 1);
            // The finding it fixes is gone (or, for a fix that edits elsewhere, at least not repeated as is).
            const copy = ws.fork();
            for (const [uri, text] of editedTexts(ws, fix.edits)) copy.setFile(uri, text);
            const after = [...runRules(copy, { severities }).values()].flat();
            if (after.some((a) => a.ruleId === d.ruleId && a.message === d.message && a.location.uri === d.location.uri)) problems.push(`${key} leaves its finding`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('refuses exactly the fixes listed in REFUSED, for the findings listed', () => {
    assert.deepEqual(Object.fromEntries([...refused].sort()), Object.fromEntries(Object.entries(REFUSED).sort()));
  });

  it('every rule that builds quick fixes has a fixture where one is offered (so that it is checked above)', () => {
    const building = ALL_RULES.filter((rule) => {
      const source = readFileSync(join(RULES_SRC, `${rule.id}.ts`), 'utf8');
      return /\bfixes\b\s*[:=]|appendDocumentFix\(|QuickFix\b/.test(source);
    }).map((r) => r.id);
    assert.ok(building.length >= 15, `found ${building.length} rules with fixes`);
    const unchecked = building.filter((id) => !offeredBy.has(id));
    assert.deepEqual(unchecked, [], 'rules whose quick fixes no fixture offers');
  });
});
