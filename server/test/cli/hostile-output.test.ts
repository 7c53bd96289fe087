// Issue 19 item 4 and 7: names from the workspace reach the terminal, CSV, JUnit. A name with escape sequences, line
// breaks, bidi controls, a forged `file:line:col error` line, a spreadsheet formula and U+FFFE/U+FFFF goes through
// every output format of list, matrix, reach and test, and each output is parsed back.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCaptured } from './helpers';
import { explainText } from '../../src/report/explain';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-hostile-out-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// YAML double-quoted escapes: \e ESC, \a BEL, \n LF, \r CR, \u202e RIGHT-TO-LEFT OVERRIDE.
const EVIL_NS = '"shop\\e]0;owned\\a\\e[2J\\r\\nmain.yaml:1:1 error forged\\u202e"';
const FORMULA = '"=1+2,\\"x\\""';
/** A namespace a spreadsheet would run as a formula when it starts a cell. */
const FORMULA_NS = '"@SUM(1+1)"';
const MANIFESTS = `apiVersion: v1
kind: Pod
metadata: {name: ${FORMULA}, namespace: ${EVIL_NS}, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: "-api\\nfake: line", namespace: ${FORMULA_NS}, labels: {app: api}}
spec: {containers: [{name: c, image: api, ports: [{containerPort: 8080}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: "deny\\e[31m", namespace: ${FORMULA_NS}}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 8080}]
`;
const TESTS = `apiVersion: netpol.dev/v1alpha1
kind: ConnectivityTest
metadata:
  name: "suite \\uFFFE\\uFFFF\\x01 <&> end"
spec:
  groups:
    api: {labels: {app: api}}
  expectations:
    - name: "nobody \\uFFFF reaches the api \\e[2J"
      from: '*'
      to: api
      verdict: deny
`;
fs.writeFileSync(path.join(tmp, 'manifests.yaml'), MANIFESTS);
fs.writeFileSync(path.join(tmp, 'evil.netpol-test.yaml'), TESTS);
const input = path.join(tmp, 'manifests.yaml');

/** No C0/C1 control (not even a line break inside a line), no bidi control. */
function assertClean(text: string, what: string): void {
  const lines = text.split('\n');
  for (const line of lines) assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/, `${what}: ${JSON.stringify(line)}`);
  assert.ok(!lines.some((l) => /^main\.yaml:1:1 error/.test(l)), `${what}: a forged finding line`);
}

test('list, matrix: objects with such names are rejected (invalid-object); outputs and the findings about them stay clean', async () => {
  for (const args of [['list'], ['list', '--format', 'netpol-analyzer'], ['matrix'], ['matrix', '--format', 'csv']]) {
    const r = await runCaptured([...args, input]);
    assertClean(r.stdout, `${args.join(' ')} stdout`);
    assertClean(r.stderr, `${args.join(' ')} stderr`);
    assert.match(r.stderr, /invalid-object .*shop\\e\]0;owned\\x07\\e\[2J\\r\\nmain\.yaml:1:1 error forged\\u\{202e\}/, r.stderr);
  }
});

test('reach: the explanation escapes names', () => {
  const text = explainText({ from: 'ns/a\u001b[2J', to: 'ns/b\nmain.yaml:1:1 error forged', port: 80, protocol: 'TCP', allowed: true, self: true } as never, () => '');
  assertClean(text, 'explain text');
  assert.match(text, /^ALLOWED: ns\/a\\e\[2J -> ns\/b\\nmain\.yaml:1:1 error forged on 80\/TCP/);
});

/** XML 1.0 well-formedness, enough to parse JUnit back: only XML characters, known references, balanced elements. */
function parseXml(xml: string): { name: string; attributes: Record<string, string> }[] {
  for (const ch of xml) {
    const c = ch.codePointAt(0)!;
    assert.ok(c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000, `U+${c.toString(16)} is not an XML character`);
  }
  for (const m of xml.matchAll(/&([^;]*);?/g)) assert.match(m[0], /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);$/i, 'a bad reference');
  const elements: { name: string; attributes: Record<string, string> }[] = [];
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|<|>/g)) {
    assert.ok(m[2], `a stray ${m[0]}`);
    if (m[1]) assert.equal(stack.pop(), m[2]);
    else {
      const attributes = Object.fromEntries([...m[3].matchAll(/([\w.-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
      elements.push({ name: m[2], attributes });
      if (!m[4]) stack.push(m[2]);
    }
  }
  assert.deepEqual(stack, [], 'every element closed');
  return elements;
}

test('test: JUnit with U+FFFE/U+FFFF and controls in names is well-formed XML; text escapes names', async () => {
  const junit = await runCaptured(['test', '--format', 'junit', input, path.join(tmp, 'evil.netpol-test.yaml')]);
  const elements = parseXml(junit.stdout);
  const suite = elements.find((e) => e.name === 'testsuite')!;
  assert.equal(suite.attributes.name, 'suite \\u{fffe}\\u{ffff}\\x01 &lt;&amp;&gt; end');
  assert.ok(elements.some((e) => e.name === 'testcase' && e.attributes.name.includes('\\u{ffff}')));
  const text = await runCaptured(['test', input, path.join(tmp, 'evil.netpol-test.yaml')]);
  assertClean(text.stdout, 'test text');
  assert.match(text.stdout, /nobody \uffff reaches the api \\e\[2J/);
});

test('matrix: too large a matrix is refused up front, with its size and how to narrow it (issue 19 item 9)', async () => {
  const n = 2001;
  const docs = Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: big, labels: {app: a${i}}}\nspec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n`);
  const file = path.join(tmp, 'big.yaml');
  fs.writeFileSync(file, docs.join('---\n'));
  const r = await runCaptured(['matrix', file]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /the matrix would have 2001 × 2001 = 4004001 pairs of workloads on 1 port\(s\), more than 4000000; narrow it to one scope of \.netpol\.yaml \(--scope NAME\)/);
});

test('list: written in pieces as computed; the streamed JSON is the JSON of the whole list (issue 19 item 9)', async () => {
  const n = 120;
  const docs = Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: open}\nspec: {containers: [{name: c}]}\n`);
  const file = path.join(tmp, 'open.yaml');
  fs.writeFileSync(file, docs.join('---\n'));
  const { runCli } = await import('../../src/cli/main');
  const { Workspace } = await import('../../src/engine/workspace');
  const { listConnections } = await import('../../src/report/connlist');
  const ws = new Workspace();
  ws.setFile(`file://${file}`, fs.readFileSync(file, 'utf8'));
  const expected = listConnections(ws.scopes()[0].analysis);
  assert.ok(expected.length >= n * n);
  for (const format of ['text', 'json']) {
    const writes: string[] = [];
    const code = await runCli(['list', '--format', format, file], { stdout: (t) => writes.push(t), stderr: () => undefined });
    assert.equal(code, 0);
    assert.ok(writes.length > 1, `${format}: ${writes.length} writes for ${expected.length} connections`);
    const whole = writes.join('');
    if (format === 'json') assert.equal(whole, `${JSON.stringify(expected, null, 2)}\n`);
    else assert.equal(whole.trimEnd().split('\n').length, expected.length);
  }
});

test('list --format netpol-analyzer and netpol-analyzer-json: streamed like the other formats, the same text as the whole list; pieces stay bounded as the output grows (issue 19 item 9)', async () => {
  const { runCli } = await import('../../src/cli/main');
  const { Workspace } = await import('../../src/engine/workspace');
  const { analyzerConnections, formatAnalyzerJson, formatAnalyzerText } = await import('../../src/report/netpol-analyzer');
  const largest: Record<string, number[]> = { 'netpol-analyzer': [], 'netpol-analyzer-json': [] };
  const totals: Record<string, number[]> = { 'netpol-analyzer': [], 'netpol-analyzer-json': [] };
  for (const n of [60, 120]) {
    const docs = Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: open}\nspec: {containers: [{name: c}]}\n`);
    const file = path.join(tmp, `analyzer-${n}.yaml`);
    fs.writeFileSync(file, docs.join('---\n'));
    const ws = new Workspace();
    ws.setFile(`file://${file}`, fs.readFileSync(file, 'utf8'));
    const lines = analyzerConnections(ws.scopes()[0].analysis);
    assert.equal(lines.length, n * (n - 1) + 2 * n, 'every pair of pods, and each pod to and from the outside');
    for (const [format, whole] of [['netpol-analyzer', formatAnalyzerText(lines)], ['netpol-analyzer-json', formatAnalyzerJson(lines)]] as const) {
      const writes: string[] = [];
      const code = await runCli(['list', '--format', format, file], { stdout: (t) => writes.push(t), stderr: () => undefined });
      assert.equal(code, 0);
      assert.ok(writes.length > 1, `${format}: ${writes.length} writes for ${lines.length} lines`);
      assert.equal(writes.join(''), whole);
      largest[format].push(Math.max(...writes.map((w) => w.length)));
      totals[format].push(whole.length);
    }
  }
  for (const format of Object.keys(largest)) {
    // Twice the pods, about four times the output; the largest piece written stays one buffer (64 KB and a line).
    assert.ok(totals[format][1] > 3.5 * totals[format][0], `${format}: ${totals[format].join(' → ')}`);
    for (const size of largest[format]) assert.ok(size < (1 << 16) + 200, `${format}: a piece of ${size} characters`);
  }
});
