// Data-driven semantics tests: every `# expect...` comment in test-fixtures/semantics/ is one test, named after its
// fixture line and the source (API reference section or upstream test) it checks. See expectations.ts for the syntax.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { checkExpectation, loadFixture } from './expectations';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'semantics');

const entries = fs.readdirSync(ROOT).filter((n) => n.endsWith('.yaml') || fs.statSync(path.join(ROOT, n)).isDirectory()).sort();

test('the semantics fixtures are present', () => {
  assert.ok(entries.length >= 10, `only ${entries.length} fixtures under ${ROOT}`);
});

const DEMO = path.resolve(ROOT, '..', 'demo');

for (const fixturePath of [...entries.map((e) => path.join(ROOT, e)), DEMO]) {
  const entry = fixturePath === DEMO ? 'test-fixtures/demo' : path.basename(fixturePath);
  const fixture = loadFixture(fixturePath);
  describe(`semantics fixture ${entry}`, () => {
    test('has expectations, each with a source', () => {
      assert.ok(fixture.expectations.length > 0, 'no # expect comments');
      for (const e of fixture.expectations) assert.ok(e.source, `${e.where}: no # source: line above this expectation`);
    });
    test('reads without input findings', () => {
      const findings = [
        ...fixture.workspace.fileUris().flatMap((u) => fixture.workspace.getFile(u)!.findings),
        ...fixture.workspace.config.findings,
        ...fixture.workspace.scopes().flatMap((s) => s.model.findings),
      ];
      assert.deepEqual(findings.map((f) => f.message), []);
    });
    for (const e of fixture.expectations) {
      test(`${e.where} ${e.kind}${e.scope ? `@${e.scope}` : ''}: ${e.text}  [${e.source}]`, () => checkExpectation(fixture, e));
    }
  });
}

describe('the expectation checker itself', () => {
  // Guards against a harness that passes whatever the engine says.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-expect-'));
  const file = path.join(dir, 'probe.yaml');
  fs.writeFileSync(
    file,
    `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: n, labels: {app: a}}
spec: {containers: [{name: c, image: i}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: n}
spec: {podSelector: {}}
# source: checker self-test
# expect: allow 192.0.2.1 -> n/a 80/TCP
# expect: deny 192.0.2.1 -> n/a 80/TCP ; ingress: isolated n/other
# expect: deny 192.0.2.1 -> n/a 80/TCP ; ingress: open
# expect-conn: 192.0.2.1 -> n/a : TCP 80
# expect-workloads: n/a n/b
# expect-namespaces: m
`,
  );
  const fixture = loadFixture(file);
  for (const e of fixture.expectations) {
    test(`rejects the false expectation "${e.text}"`, () => {
      assert.throws(() => checkExpectation(fixture, e), assert.AssertionError);
    });
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
