// The upstream conformance model: scenarios modelled on kubernetes/kubernetes test/e2e/network/netpol/network_policy.go.
// Namespaces x, y, z each hold pods a, b, c labelled pod=<name>; every pod serves ports 80 and 81 over TCP, UDP and
// SCTP (container ports named serve-<port>-<protocol>, as upstream names them). Each case file in
// test-fixtures/conformance/ holds the policies of one upstream test and its full truth tables (9x9 per port and
// protocol, all six covered), written like upstream's reachability tables: rows are sources, columns destinations.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { Workspace } from '../../../src/engine/workspace';
import { computeMatrix, parsePortKey, type PortKey } from '../../../src/report/matrix';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'conformance');
const NAMESPACES = ['x', 'y', 'z'];
const POD_NAMES = ['a', 'b', 'c'];
const PODS = NAMESPACES.flatMap((ns) => POD_NAMES.map((p) => `${ns}/${p}`));
const PORTS = ['80/TCP', '81/TCP', '80/UDP', '81/UDP', '80/SCTP', '81/SCTP'];
const MIN_CASES = 25;

interface ConformanceCase {
  file: string;
  upstream: string;
  context: string;
  namespaceLabels: Map<string, Record<string, string>>;
  podLabels: Map<string, Record<string, string>>;
  podIps: Map<string, string>;
  /** Expected reachability per port: expected[port][from][to]. */
  tables: Map<string, Map<string, Map<string, boolean>>>;
  text: string;
}

function parseLabels(pairs: string[]): Record<string, string> {
  return Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
}

function readCase(file: string): ConformanceCase {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const c: ConformanceCase = {
    file,
    upstream: '',
    context: '',
    namespaceLabels: new Map(),
    podLabels: new Map(),
    podIps: new Map(),
    tables: new Map(),
    text,
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m: RegExpExecArray | null;
    if ((m = /^# upstream: (.+)$/.exec(line))) c.upstream = m[1];
    else if ((m = /^# source: .*Context "(.+)"$/.exec(line))) c.context = m[1];
    else if ((m = /^# model: namespace-labels (\S+) (.+)$/.exec(line))) c.namespaceLabels.set(m[1], parseLabels(m[2].split(/\s+/)));
    else if ((m = /^# model: pod-labels (\S+) (.+)$/.exec(line))) c.podLabels.set(m[1], parseLabels(m[2].split(/\s+/)));
    else if ((m = /^# model: pod-ip (\S+) (\S+)$/.exec(line))) c.podIps.set(m[1], m[2]);
    else if ((m = /^# reachability (.+)$/.exec(line))) {
      const ports = m[1].split(/\s+/);
      const header = lines[i + 1].replace(/^#/, '').trim().split(/\s+/);
      assert.deepEqual(header, PODS, `${file}:${i + 2}: the table header must list ${PODS.join(' ')}`);
      const table = new Map<string, Map<string, boolean>>();
      for (let r = 0; r < PODS.length; r++) {
        const cells = lines[i + 2 + r].replace(/^#/, '').trim().split(/\s+/);
        assert.equal(cells[0], PODS[r], `${file}:${i + 3 + r}: row ${r + 1} must be ${PODS[r]}`);
        assert.equal(cells.length, PODS.length + 1, `${file}:${i + 3 + r}: a row needs ${PODS.length} cells`);
        table.set(PODS[r], new Map(PODS.map((to, j) => {
          assert.ok(cells[j + 1] === '.' || cells[j + 1] === 'X', `${file}:${i + 3 + r}: cells are "." or "X"`);
          return [to, cells[j + 1] === '.'];
        })));
      }
      for (const port of ports) {
        assert.ok(PORTS.includes(port), `${file}:${i + 1}: unknown port ${port}`);
        assert.ok(!c.tables.has(port), `${file}:${i + 1}: ${port} has two tables`);
        c.tables.set(port, table);
      }
      i += PODS.length + 1;
    }
  }
  return c;
}

/** The upstream pod model as manifests: Namespaces x, y, z and Pods a, b, c serving 80/81 over TCP, UDP, SCTP. */
function modelManifests(c: ConformanceCase): string {
  const docs: string[] = [];
  for (const ns of NAMESPACES) {
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: c.namespaceLabels.get(ns) ?? {} } }));
    for (const pod of POD_NAMES) {
      const id = `${ns}/${pod}`;
      const containers = ['TCP', 'UDP', 'SCTP'].flatMap((protocol) =>
        [80, 81].map((port) => ({
          name: `cont-${port}-${protocol.toLowerCase()}`,
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
          ports: [{ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol }],
        })),
      );
      const ip = c.podIps.get(id);
      docs.push(JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: pod, namespace: ns, labels: { pod, ...(c.podLabels.get(id) ?? {}) } },
        spec: { containers },
        ...(ip ? { status: { podIP: ip, podIPs: [{ ip }] } } : {}),
      }));
    }
  }
  return docs.join('\n---\n');
}

function formatTable(grid: (from: string, to: string) => boolean, mark?: (from: string, to: string) => boolean): string {
  const rows = [`      ${PODS.map((p) => p.padEnd(5)).join('')}`];
  for (const from of PODS) {
    rows.push(`${from.padEnd(6)}${PODS.map((to) => `${grid(from, to) ? '.' : 'X'}${mark?.(from, to) ? '!' : ' '}`.padEnd(5)).join('')}`);
  }
  return rows.join('\n');
}

const files = fs.readdirSync(ROOT).filter((f) => f.endsWith('.yaml')).sort();

test(`the conformance suite has at least ${MIN_CASES} cases`, () => {
  assert.ok(files.length >= MIN_CASES, `only ${files.length} cases in ${ROOT}`);
});

describe('upstream conformance model (kubernetes test/e2e/network/netpol)', () => {
  for (const file of files) {
    const c = readCase(file);
    test(`${file}: [${c.context}] ${c.upstream}`, () => {
      assert.ok(c.upstream, 'the case names its upstream test (# upstream:)');
      assert.deepEqual([...c.tables.keys()].sort(), [...PORTS].sort(), 'every port/protocol has a truth table');
      const workspace = new Workspace();
      workspace.setFile('file:///conformance/model.yaml', modelManifests(c));
      workspace.setFile(`file:///conformance/${file}`, c.text);
      const scope = workspace.scopes()[0];
      const policies = scope.model.policies;
      assert.ok(policies.length > 0 && policies.every((p) => p.valid), 'the case policies are valid');
      const ports = PORTS.map((p) => parsePortKey(p)) as PortKey[];
      const matrix = computeMatrix(scope.analysis, ports);
      assert.deepEqual(matrix.pods, PODS);
      const problems: string[] = [];
      for (const port of PORTS) {
        const expected = c.tables.get(port)!;
        const actual = (from: string, to: string) => matrix.allowed[port][PODS.indexOf(from)][PODS.indexOf(to)];
        const wrong = (from: string, to: string) => actual(from, to) !== expected.get(from)!.get(to)!;
        if (PODS.some((from) => PODS.some((to) => wrong(from, to)))) {
          problems.push(`${port}: expected\n${formatTable((f, t) => expected.get(f)!.get(t)!)}\nactual (! marks a difference)\n${formatTable(actual, wrong)}`);
        }
      }
      assert.equal(problems.join('\n\n'), '', 'truth tables differ');
    });
  }
});
