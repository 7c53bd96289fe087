// Every policy generator of the commands, over the protocol, with its output run back through the engine as an
// independent oracle (runRules on the workspace plus the generated documents, as `netpol check` would): the
// server's check (generated-check.ts) reports exactly the warnings the output adds, least privilege and Explain
// Traffic's change add none, and the change really allows the connection. A table over GENERATORS: a generator
// without a case here fails the last test.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { workloadEndpoint } from '../../src/engine/evaluate';
import { runRules } from '../../src/engine/rules/run';
import type { Diagnostic } from '../../src/engine/rules/types';
import { Workspace } from '../../src/engine/workspace';
import { GENERATORS, snippetDefaults } from '../../src/lsp/generated-check';
import { TEMPLATE_IDS, type ExplainTrafficResult, type GeneratedCheck, type LeastPrivilegeResult, type PolicyTextResult, type WorkspaceSummary } from '../../src/lsp/protocol';
import { LspTestClient, REPO_ROOT } from './client';

const BLOCKING = new Set(['error', 'warning']);

function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyDir(path.join(from, entry.name), path.join(to, entry.name));
    else fs.copyFileSync(path.join(from, entry.name), path.join(to, entry.name));
  }
}

function readAll(dir: string, client: LspTestClient, rel = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...readAll(dir, client, r));
    else if (/\.ya?ml$/.test(entry.name)) out.push([client.uri(r), fs.readFileSync(path.join(dir, r), 'utf8')]);
  }
  return out;
}

/** The oracle: warnings and errors of the workspace with the generated documents added as one new file. */
function addedFindings(files: readonly [string, string][], generated: readonly string[]): { added: Diagnostic[]; after: Workspace } {
  const before = new Workspace();
  for (const [uri, text] of files) before.setFile(uri, text);
  const after = new Workspace();
  for (const [uri, text] of files) after.setFile(uri, text);
  after.setFile('file:///oracle/generated.yaml', generated.join('---\n'));
  const key = (d: Diagnostic) => `${d.ruleId} ${d.location.uri} ${d.location.range[0]}:${d.location.range[1]}`;
  const old = new Set([...runRules(before).values()].flat().filter((d) => BLOCKING.has(d.severity)).map(key));
  const added = [...runRules(after).values()].flat().filter((d) => BLOCKING.has(d.severity) && !old.has(key(d)));
  return { added, after };
}

const ruleIds = (list: readonly string[]) => [...new Set(list.map((f) => f.split(':')[0]))].sort();

for (const fixture of ['e2e', 'demo']) {
  describe(`generators on test-fixtures/${fixture}, checked by running the engine on their output`, () => {
    let dir: string;
    let client: LspTestClient;
    let files: [string, string][];
    let summary: WorkspaceSummary;
    const covered = new Set<string>();

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `netpol-lsp-generators-${fixture}-`));
      copyDir(path.join(REPO_ROOT, 'test-fixtures', fixture), dir);
      client = await LspTestClient.start(dir);
      files = readAll(dir, client);
      summary = await client.request<WorkspaceSummary>('netpol/workspaceSummary', {});
      assert.ok(summary.workloads.length >= 3, `workloads of ${fixture}`);
    });
    after(async () => {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const agree = (what: string, check: GeneratedCheck, generated: string[]) => {
      const { added } = addedFindings(files, generated);
      assert.deepEqual(ruleIds(check.newFindings), ruleIds(added.map((d) => `${d.ruleId}: ${d.message}`)), `${what}: the check reports what the engine finds in its output`);
      assert.equal(check.summary === '', check.newFindings.length === 0 && check.newlyIsolated.length === 0, `${what}: a summary exactly when there is something to say`);
      return added;
    };

    test('insert commands: default deny (each direction, with and without DNS), allow DNS and every template', async () => {
      const namespaces = [...new Set(summary.workloads.map((w) => w.namespace))];
      for (const namespace of namespaces) {
        for (const direction of ['ingress', 'egress', 'both'] as const) {
          for (const includeDns of direction === 'ingress' ? [false] : [true, false]) {
            const result = await client.request<PolicyTextResult>('netpol/policyText', { policy: 'default-deny', direction, includeDns, namespace });
            const added = agree(`default-deny ${direction} dns=${includeDns} in ${namespace}`, result.check, [snippetDefaults(result.snippet)]);
            // An egress deny with DNS never breaks name lookups (without, `agree` holds the check to what breaks).
            if (direction !== 'ingress' && includeDns) assert.ok(!added.some((d) => d.ruleId === 'missing-dns-egress'), `${namespace} ${direction}`);
            // Every workload of the namespace that was not isolated is named, with what it loses.
            assert.ok(result.check.newlyIsolated.every((i) => i.workload.startsWith(`${namespace}/`)));
            covered.add('default-deny');
          }
        }
        const dns = await client.request<PolicyTextResult>('netpol/policyText', { policy: 'allow-dns', namespace });
        agree(`allow-dns in ${namespace}`, dns.check, [snippetDefaults(dns.snippet)]);
        assert.ok(dns.check.newlyIsolated.every((i) => i.direction === 'egress'), 'allow-DNS isolates for egress only');
        covered.add('allow-dns');
        for (const template of TEMPLATE_IDS) {
          const result = await client.request<PolicyTextResult>('netpol/policyText', { policy: 'template', template, namespace });
          agree(`template ${template} in ${namespace}`, result.check, [snippetDefaults(result.snippet)]);
          covered.add(`template:${template}`);
        }
      }
    });

    test('least privilege for every workload: no open from, and no new finding', async () => {
      for (const w of summary.workloads) {
        const result = await client.request<LeastPrivilegeResult>('netpol/leastPrivilegePolicy', { workload: w.id });
        if (!result.found) {
          assert.match(result.message, /no pod labels/, w.id);
          continue;
        }
        assert.doesNotMatch(result.yaml, /^ {4}- ports:/m, `${w.id}: every ingress rule names its peers`);
        const added = agree(`least privilege for ${w.id}`, result.check, [result.yaml]);
        assert.deepEqual(added.map((d) => `${d.ruleId}: ${d.message}`), [], `${w.id}:\n${result.yaml}`);
        covered.add('least-privilege');
      }
    });

    test('Explain Traffic: every change offered for a denied connection adds no finding and allows exactly it', async () => {
      let offered = 0;
      for (const from of summary.workloads) {
        for (const to of summary.workloads) {
          if (from === to) continue;
          for (const port of to.ports) {
            const result = await client.request<ExplainTrafficResult>('netpol/explainTraffic', { from: from.id, to: to.id, port: port.port, protocol: port.protocol });
            assert.ok(result.found);
            if (result.allowed || result.changes.length === 0) continue;
            offered++;
            const { added, after } = addedFindings(files, result.changes.map((c) => c.yaml));
            assert.deepEqual(added.map((d) => `${d.ruleId}: ${d.message}`), [], `${from.id} -> ${to.id} ${port.port}`);
            assert.ok(result.check, 'the changes carry their check');
            const scope = after.scopes()[0];
            const byId = new Map(scope.analysis.reportedWorkloads().map((w) => [w.displayName, w]));
            const verdict = scope.analysis.verdict(workloadEndpoint(byId.get(from.id)!), workloadEndpoint(byId.get(to.id)!), port.protocol, port.port);
            assert.ok(verdict.allowed, `${from.id} -> ${to.id} ${port.port}/${port.protocol} is allowed after the change`);
            covered.add('allow-connection');
          }
        }
      }
      assert.ok(offered > 0, 'some connection was denied and got a change');
    });

    test('the table covers every generator', () => {
      assert.deepEqual([...covered].sort(), [...GENERATORS].sort());
    });
  });
}
