// The language server through the protocol, as an editor drives it: the real server (`netpol lsp --stdio`) in a
// child process, the fixture workspaces of test-fixtures/lsp copied to temporary folders.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, ServerCapabilities, WorkDoneProgressBegin } from 'vscode-languageserver-protocol';
import { applyTextEdits, copyFixture, editsFor, FIXTURES, LspTestClient, rangeOf, REPO_ROOT } from './client';

const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => String(d.code)).sort();
const has = (code: string) => (diagnostics: Diagnostic[]) => diagnostics.some((d) => d.code === code);
const lacks = (code: string) => (diagnostics: Diagnostic[]) => !diagnostics.some((d) => d.code === code);

describe('netpol lsp --stdio on a multi-file workspace', () => {
  let dir: string;
  let client: LspTestClient;

  before(async () => {
    dir = copyFixture('multi-file');
    // Dependencies and excluded folders hold policies that would otherwise be reported.
    fs.mkdirSync(path.join(dir, 'node_modules', 'pkg'), { recursive: true });
    fs.copyFileSync(path.join(dir, 'vendor', 'excluded-policy.yaml'), path.join(dir, 'node_modules', 'pkg', 'policy.yaml'));
    client = await LspTestClient.start(dir, { settings: { netpol: { exclude: ['vendor/**'] }, files: { exclude: { '**/.git': true } } } });
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0, 'the server exits with 0 after shutdown and exit');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('initialize announces incremental sync, quick fixes and the editor features', () => {
    const caps: ServerCapabilities = client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: false });
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix', 'refactor.rewrite'] });
    for (const feature of ['hoverProvider', 'codeLensProvider', 'definitionProvider', 'referencesProvider', 'completionProvider', 'documentSymbolProvider', 'workspaceSymbolProvider'] as const) {
      assert.ok(caps[feature], `${feature} is declared`);
    }
    assert.equal(client.initializeResult.serverInfo?.name, 'netpol');
  });

  test('file watchers are registered dynamically for manifests and the configuration file', () => {
    const watch = client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(watch, 'a didChangeWatchedFiles registration');
    const globs = (watch.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern);
    assert.ok(globs.includes('**/*.{yaml,yml,json}'));
    assert.ok(globs.includes('**/.netpol.yaml'));
  });

  test('indexing reports work-done progress, then netpol/indexComplete with counts', () => {
    const created = client.serverRequests.filter((r) => r.method === 'window/workDoneProgress/create');
    assert.equal(created.length, 1, 'one progress token created for the initial index');
    const progress = client.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as { value: { kind: string } }).value);
    assert.equal(progress[0].kind, 'begin');
    assert.match((progress[0] as WorkDoneProgressBegin).title, /indexing/);
    assert.equal(progress.at(-1)!.kind, 'end');
    const complete = client.notifications.find((n) => n.method === 'netpol/indexComplete');
    assert.ok(complete);
    const counts = complete.params as { files: number; policies: number; workloads: number; findings: number; durationMs: number };
    // apps/api.yaml, apps/db.yaml, 6 policies, the CI workflow: vendor/ is excluded, node_modules/ skipped.
    assert.equal(counts.files, 9);
    // api-ingress, api-egress, db-ingress, default-deny-ingress, orphan (broken.yaml does not parse).
    assert.equal(counts.policies, 5);
    assert.equal(counts.workloads, 2);
    assert.equal(counts.findings, 3);
    assert.ok(counts.durationMs >= 0);
    const completeSeq = complete.seq;
    const firstEnd = client.notifications.find((n) => n.method === '$/progress' && (n.params as { value: { kind: string } }).value.kind === 'end')!;
    assert.ok(firstEnd.seq < completeSeq, 'progress ends before indexComplete');
  });

  test('every file gets its diagnostics without being opened; excluded, skipped and non-Kubernetes files get none', async () => {
    const orphan = await client.waitForDiagnostics(client.uri('policies/orphan.yaml'));
    assert.deepEqual(codes(orphan), ['selector-matches-nothing']);
    assert.equal(orphan[0].source, 'netpol');
    assert.equal(orphan[0].severity, 2);
    assert.match(orphan[0].message, /app=ghost/);
    assert.deepEqual(orphan[0].range, rangeOf(client.read('policies/orphan.yaml'), 'podSelector'));

    const broken = await client.waitForDiagnostics(client.uri('policies/broken.yaml'));
    assert.deepEqual(codes(broken), ['parse-error']);
    assert.equal(broken[0].severity, 1);

    const egress = await client.waitForDiagnostics(client.uri('policies/api-egress.yaml'));
    assert.deepEqual(codes(egress), ['missing-dns-egress']);

    const published = [...client.diagnostics.keys()].map((u) => path.relative(dir, new URL(u).pathname)).sort();
    assert.deepEqual(published, ['policies/api-egress.yaml', 'policies/broken.yaml', 'policies/orphan.yaml']);
  });

  test('status answers with the index counts and scopes', async () => {
    const status = await client.request<{ files: number; indexed: boolean; scopes: string[] }>('netpol/status');
    assert.equal(status.indexed, true);
    assert.equal(status.files, 9);
    assert.deepEqual(status.scopes, ['default']);
  });

  test('an opened clean document gets an empty publish after opening and after every change', async () => {
    const uri = client.uri('apps/db.yaml');
    const opened = client.open(uri);
    const first = await client.waitForCurrentDiagnostics(uri, opened);
    assert.deepEqual(first, []);
    const changed = client.edit(uri, [{ range: rangeOf(client.text(uri), 'postgres:16'), text: 'postgres:17' }]);
    const second = await client.waitForCurrentDiagnostics(uri, changed);
    assert.deepEqual(second, []);
    assert.equal(client.diagnostics.get(uri)!.version, 2, 'the publish names the analysed version');
    client.close(uri);
  });

  test('opening a document with the text on disk publishes without running the rules again', async () => {
    // Let earlier tests' closes (which re-read the disk) settle first.
    let before = await client.request<{ analyses: number }>('netpol/status');
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const now = await client.request<{ analyses: number }>('netpol/status');
      if (now.analyses === before.analyses) break;
      before = now;
    }
    const uri = client.uri('policies/orphan.yaml');
    const mark = client.open(uri);
    const diagnostics = await client.waitForCurrentDiagnostics(uri, mark);
    assert.deepEqual(codes(diagnostics), ['selector-matches-nothing'], 'the opened document still gets its publish');
    const after = await client.request<{ analyses: number }>('netpol/status');
    assert.equal(after.analyses, before.analyses);
    const changed = client.change(uri, client.text(uri).replace('ghost', 'phantom'));
    await client.waitForCurrentDiagnostics(uri, changed);
    assert.equal((await client.request<{ analyses: number }>('netpol/status')).analyses, before.analyses + 1, 'an edit runs them once');
    client.change(uri, client.read('policies/orphan.yaml'));
    client.close(uri);
  });

  test('renaming a Deployment label in one file changes the diagnostics of policies in other files', async () => {
    const api = client.uri('apps/api.yaml');
    const apiIngress = client.uri('policies/api-ingress.yaml');
    const dbIngress = client.uri('policies/db-ingress.yaml');
    client.open(api);
    const original = client.text(api);
    const renamed = original.replace(/app: api$/gm, 'app: api-v2');
    assert.notEqual(renamed, original);

    const mark = client.change(api, renamed);
    // Neither policy file is open: their diagnostics arrive all the same.
    const ingress = await client.waitForDiagnostics(apiIngress, has('selector-matches-nothing'), { since: mark });
    assert.match(ingress.find((d) => d.code === 'selector-matches-nothing')!.message, /app=api/);
    const db = await client.waitForDiagnostics(dbIngress, has('peer-matches-nothing'), { since: mark });
    assert.match(db.find((d) => d.code === 'peer-matches-nothing')!.message, /app=api/);
    // The egress policy no longer selects anything either: its DNS finding turns into an empty selection.
    await client.waitForDiagnostics(client.uri('policies/api-egress.yaml'), (d) => has('selector-matches-nothing')(d) && lacks('missing-dns-egress')(d), { since: mark });
    // The renamed API is left to the default deny alone: nothing admits it on its port (workload-unreachable).
    const apiFindings = await client.waitForCurrentDiagnostics(api, mark);
    assert.deepEqual(codes(apiFindings), ['workload-unreachable']);
    assert.match(apiFindings[0].message, /Nothing can reach shop\/api on TCP 8080: shop\/default-deny-ingress isolates it/);

    const back = client.change(api, original);
    assert.deepEqual(await client.waitForDiagnostics(apiIngress, (d) => d.length === 0, { since: back }), []);
    assert.deepEqual(await client.waitForDiagnostics(dbIngress, (d) => d.length === 0, { since: back }), []);
    client.close(api);
  });

  test('positions count UTF-16 code units: a diagnostic after emoji on its line lands on the right character', async () => {
    const uri = client.uri('policies/emoji.yaml');
    const line = 'spec: {description: "🐘🐘 db", podSelector: {matchLabels: {app: mammoth}}, policyTypes: [Ingress]}';
    const text = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: emoji, namespace: shop}\n${line}\n`;
    const mark = client.open(uri, text);
    const found = (await client.waitForCurrentDiagnostics(uri, mark)).find((d) => d.code === 'selector-matches-nothing');
    assert.ok(found, 'selector-matches-nothing on the one-line spec');
    // In flow style the rule marks the selector's value, `{matchLabels: {app: mammoth}}`.
    const start = line.indexOf('{matchLabels');
    const end = line.indexOf('}}') + 2;
    assert.notEqual(start, [...line.slice(0, start)].length, 'the emoji make code points and UTF-16 units differ');
    assert.deepEqual(found.range, { start: { line: 3, character: start }, end: { line: 3, character: end } });
    client.close(uri);
  });

  test('a burst of edits is analysed once it settles, and the last edit always counts', async () => {
    const uri = client.uri('policies/orphan.yaml');
    const opened = client.open(uri);
    await client.waitForCurrentDiagnostics(uri, opened);
    const before = await client.request<{ analyses: number }>('netpol/status');
    const original = client.text(uri);
    const start = client.mark();
    let mark = 0;
    // Sent back to back, as fast typing does: they pile up and are analysed together.
    for (const value of ['ghost1', 'ghost2', 'ghost3', 'db']) {
      mark = client.change(uri, original.replace('app: ghost', `app: ${value}`));
    }
    const final = await client.waitForCurrentDiagnostics(uri, mark);
    assert.deepEqual(final, [], 'app: db matches the StatefulSet: the last edit counts');
    const after = await client.request<{ analyses: number }>('netpol/status');
    assert.ok(after.analyses - before.analyses <= 2, `4 edits, ${after.analyses - before.analyses} rule runs`);
    const versions = client.notifications
      .filter((n) => n.seq > start && n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri)
      .map((n) => (n.params as { version?: number }).version);
    assert.ok(versions.length <= 2, `publishes for versions ${versions.join(', ')}`);
    assert.equal(versions.at(-1), client.version(uri));
    mark = client.change(uri, original);
    await client.waitForDiagnostics(uri, has('selector-matches-nothing'), { since: mark });
    client.close(uri);
  });

  test('a quick fix offered as a code action, applied, clears its diagnostic', async () => {
    const uri = client.uri('policies/api-egress.yaml');
    const opened = client.open(uri);
    const diagnostics = await client.waitForCurrentDiagnostics(uri, opened);
    const dns = diagnostics.find((d) => d.code === 'missing-dns-egress');
    assert.ok(dns, 'missing-dns-egress reported');
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: dns.range,
      context: { diagnostics: [dns] },
    });
    // The quick fix, and the refactoring of the policy under the cursor (into the equivalent Calico policy).
    const quickFixes = actions.filter((a) => a.kind === 'quickfix');
    assert.equal(quickFixes.length, 1);
    assert.deepEqual(actions.filter((a) => a.kind !== 'quickfix').map((a) => [a.kind, a.title]), [['refactor.rewrite', 'Convert to the equivalent Calico NetworkPolicy (tier default, order 1000)']]);
    const [action] = quickFixes;
    assert.equal(action.kind, 'quickfix');
    assert.equal(action.isPreferred, true);
    assert.match(action.title, /DNS/);
    assert.deepEqual(action.diagnostics, [dns]);
    const edits = editsFor(action.edit!, uri);
    assert.ok(edits.length > 0);
    const fixed = applyTextEdits(client.text(uri), edits);
    assert.match(fixed, /k8s-app: kube-dns/);
    assert.match(fixed, /protocol: UDP/);
    assert.ok(fixed.startsWith('# The API may reach the database'), 'comments are kept');

    const mark = client.applyEdits(uri, edits);
    assert.deepEqual(await client.waitForCurrentDiagnostics(uri, mark), [], 'the fix removes the diagnostic');

    // A request for a range without diagnostics in the context (some clients) gets the fixes in that range.
    client.change(uri, client.read('policies/api-egress.yaml'));
    const again = await client.waitForDiagnostics(uri, has('missing-dns-egress'), { since: mark });
    const byRange = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: again[0].range,
      context: { diagnostics: [] },
    });
    assert.equal(byRange.filter((a) => a.kind === 'quickfix').length, 1);
    // Only refactorings asked for: no quick fixes, the conversion alone.
    const onlyRefactor = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: again[0].range,
      context: { diagnostics: again, only: ['refactor'] },
    });
    // The refactoring of a NetworkPolicy: the equivalent Calico NetworkPolicy (issue 23) in its place (the equivalent
    // CiliumNetworkPolicy only where Cilium is in use, which it is not here).
    assert.deepEqual(onlyRefactor.map((a) => a.kind), ['refactor.rewrite']);
    const converted = applyTextEdits(client.text(uri), editsFor(onlyRefactor[0].edit!, uri));
    assert.match(converted, /apiVersion: projectcalico\.org\/v3/);
    assert.ok(converted.startsWith('# The API may reach the database'), 'comments before the object are kept');
    // Only quick fixes asked for: no refactorings.
    const onlyFixes = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: again[0].range,
      context: { diagnostics: again, only: ['quickfix'] },
    });
    assert.deepEqual(onlyFixes.map((a) => a.kind), ['quickfix']);
    client.close(uri);
  });

  test('related information points into other files; tags mark ignored rules as unnecessary', async () => {
    // A second definition of db-ingress in a new document: duplicate-policy, related to the first definition.
    const copy = client.uri('policies/db-ingress-copy.yaml');
    let mark = client.open(copy, client.read('policies/db-ingress.yaml'));
    const duplicate = (await client.waitForCurrentDiagnostics(copy, mark)).find((d) => d.code === 'duplicate-policy');
    assert.ok(duplicate, 'duplicate-policy on the copy');
    const related = duplicate.relatedInformation ?? [];
    assert.equal(related.length, 1);
    assert.equal(related[0].location.uri, client.uri('policies/db-ingress.yaml'));
    assert.deepEqual(related[0].location.range, rangeOf(client.read('policies/db-ingress.yaml'), 'db-ingress'));
    assert.match(related[0].message, /another definition of shop\/db-ingress/);
    // The original file, not open, gets its own duplicate-policy pointing back.
    const original = await client.waitForDiagnostics(client.uri('policies/db-ingress.yaml'), has('duplicate-policy'), { since: mark });
    assert.equal(original.find((d) => d.code === 'duplicate-policy')!.relatedInformation![0].location.uri, copy);

    // Ingress rules that policyTypes leaves out are faded (DiagnosticTag.Unnecessary = 1).
    mark = client.change(copy, client.text(copy).replace('name: db-ingress', 'name: db-ingress-2').replace('    - Ingress', '    - Egress'));
    const ignored = (await client.waitForCurrentDiagnostics(copy, mark)).find((d) => d.code === 'rules-ignored-by-policy-types');
    assert.ok(ignored, 'rules-ignored-by-policy-types on the copy');
    assert.deepEqual(ignored.tags, [1]);
    // Renamed, the copy is no duplicate any more: the original's diagnostic goes away.
    await client.waitForDiagnostics(client.uri('policies/db-ingress.yaml'), lacks('duplicate-policy'), { since: mark });
    // Closed, a document that is not on disk leaves the index and its diagnostics are cleared.
    mark = client.close(copy);
    await client.waitForDiagnostics(copy, (d) => d.length === 0, { since: mark });
  });

  test('files created, changed and deleted on disk are picked up through didChangeWatchedFiles', async () => {
    const file = path.join(dir, 'policies', 'new.yaml');
    const uri = client.uri(file);
    fs.writeFileSync(file, fs.readFileSync(path.join(dir, 'policies', 'orphan.yaml'), 'utf8').replace('orphan', 'newcomer').replace('ghost', 'phantom'));
    let mark = client.filesChanged([{ uri, type: 1 }]);
    const created = await client.waitForDiagnostics(uri, has('selector-matches-nothing'), { since: mark });
    assert.match(created[0].message, /app=phantom/);

    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('phantom', 'api'));
    mark = client.filesChanged([{ uri, type: 2 }]);
    await client.waitForDiagnostics(uri, (d) => d.length === 0, { since: mark });

    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('app: api', 'app: phantom'));
    mark = client.filesChanged([{ uri, type: 2 }]);
    await client.waitForDiagnostics(uri, (d) => d.length === 1, { since: mark });
    fs.rmSync(file);
    mark = client.filesChanged([{ uri, type: 3 }]);
    await client.waitForDiagnostics(uri, (d) => d.length === 0, { since: mark });
    const status = await client.request<{ files: number }>('netpol/status');
    assert.equal(status.files, 9, 'the deleted file left the index');

    // A deleted folder takes its files along (editors report only the folder).
    const folder = path.join(dir, 'policies');
    const orphanUri = client.uri('policies/orphan.yaml');
    fs.rmSync(folder, { recursive: true });
    mark = client.filesChanged([{ uri: client.uri(folder), type: 3 }]);
    await client.waitForDiagnostics(orphanUri, (d) => d.length === 0, { since: mark });
    const after = await client.request<{ files: number; policies: number }>('netpol/status');
    assert.equal(after.files, 3);
    assert.equal(after.policies, 0);
  });
});

describe('netpol lsp --stdio: scopes, configuration and settings', () => {
  test('a kustomize base with two overlays is analysed as two scopes (.netpol.yaml)', async () => {
    const dir = copyFixture('kustomize');
    const client = await LspTestClient.start(dir);
    try {
      const status = await client.request<{ scopes: string[]; policies: number; workloads: number }>('netpol/status');
      assert.deepEqual(status.scopes, ['staging', 'prod']);
      // The base's policy and Deployment appear once per overlay, in different namespaces.
      assert.equal(status.policies, 2, 'web-ingress (shared by both overlays) and metrics-ingress');
      const metrics = await client.waitForDiagnostics(client.uri('overlays/staging/metrics-policy.yaml'));
      assert.deepEqual(codes(metrics), ['selector-matches-nothing'], 'staging has no metrics pods; prod does, but it is another scope');
      assert.match(metrics[0].message, /namespace staging/);
      for (const [uri, params] of client.diagnostics) {
        const found = codes(params.diagnostics);
        assert.ok(!found.includes('duplicate-policy'), `no duplicate-policy in ${uri}`);
        assert.ok(!found.includes('missing-namespace'), `no missing-namespace in ${uri}`);
      }
      assert.equal(client.diagnostics.get(client.uri('base/policy.yaml')), undefined, 'the base policy is clean in both overlays');

      // .netpol.yaml changes apply live: merging the scopes makes the metrics policy match the prod pods... of
      // another namespace, so it still matches nothing; turning the rule off clears it.
      const config = path.join(dir, '.netpol.yaml');
      fs.writeFileSync(config, `${fs.readFileSync(config, 'utf8')}rules:\n  selector-matches-nothing: off\n`);
      const mark = client.filesChanged([{ uri: client.uri(config), type: 2 }]);
      await client.waitForDiagnostics(client.uri('overlays/staging/metrics-policy.yaml'), (d) => d.length === 0, { since: mark });
    } finally {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('settings change rule severities, the default namespace and the size limit live; settings win over .netpol.yaml', async () => {
    const dir = copyFixture('multi-file');
    fs.writeFileSync(path.join(dir, '.netpol.yaml'), 'rules:\n  selector-matches-nothing: hint\n');
    const client = await LspTestClient.start(dir);
    try {
      const orphan = client.uri('policies/orphan.yaml');
      const initial = await client.waitForDiagnostics(orphan, has('selector-matches-nothing'));
      assert.equal(initial[0].severity, 4, '.netpol.yaml makes it a hint');

      let mark = client.setSettings({ netpol: { rules: { 'selector-matches-nothing': 'error' } } });
      const asError = await client.waitForDiagnostics(orphan, (d) => d[0]?.severity === 1, { since: mark });
      assert.deepEqual(codes(asError), ['selector-matches-nothing']);

      mark = client.setSettings({ netpol: { rules: { 'selector-matches-nothing': 'off' } } });
      await client.waitForDiagnostics(orphan, (d) => d.length === 0, { since: mark });

      // A policy without a namespace lands in netpol.defaultNamespace.
      const loose = path.join(dir, 'policies', 'loose.yaml');
      fs.writeFileSync(loose, fs.readFileSync(path.join(dir, 'policies', 'db-ingress.yaml'), 'utf8').replace('  namespace: shop\n', ''));
      mark = client.filesChanged([{ uri: client.uri(loose), type: 1 }]);
      // In namespace default the peer app=api matches nothing.
      await client.waitForDiagnostics(client.uri(loose), has('peer-matches-nothing'), { since: mark });
      mark = client.setSettings({ netpol: { defaultNamespace: 'shop', rules: { 'selector-matches-nothing': 'off' } } });
      await client.waitForDiagnostics(client.uri(loose), lacks('peer-matches-nothing'), { since: mark });

      // netpol.dns names the DNS endpoints: here the database pods on TCP 5432, which api-egress allows over TCP only.
      const egress = client.uri('policies/api-egress.yaml');
      assert.match((await client.waitForDiagnostics(egress, has('missing-dns-egress')))[0].message, /UDP and TCP \(port 53\)/);
      mark = client.setSettings({ netpol: { defaultNamespace: 'shop', dns: { namespace: 'shop', podLabels: { app: 'db' }, ports: [5432] } } });
      const dnsMessage = (await client.waitForDiagnostics(egress, (d) => d.some((x) => x.code === 'missing-dns-egress' && /over UDP \(port 5432\)/.test(x.message)), { since: mark }))
        .find((d) => d.code === 'missing-dns-egress')!.message;
      assert.match(dnsMessage, /app=db in shop/);

      // Files over netpol.maxFileSize are skipped with a diagnostic on the first line.
      mark = client.setSettings({ netpol: { maxFileSize: 400, defaultNamespace: 'shop' } });
      const big = await client.waitForDiagnostics(client.uri('apps/api.yaml'), has('file-too-large'), { since: mark });
      assert.deepEqual(big[0].range.start, { line: 0, character: 0 });
      assert.match(big[0].message, /more than netpol.maxFileSize \(400\)/);
      // Without the Deployment, the API policies select nothing.
      await client.waitForDiagnostics(client.uri('policies/api-ingress.yaml'), has('selector-matches-nothing'), { since: mark });
      mark = client.setSettings({ netpol: {} });
      await client.waitForDiagnostics(client.uri('apps/api.yaml'), (d) => d.length === 0, { since: mark });

      // files.exclude (VS Code's setting) and netpol.exclude take files out of the index live.
      const egressUri = client.uri('policies/api-egress.yaml');
      await client.waitForDiagnostics(egressUri, has('missing-dns-egress'));
      mark = client.setSettings({ files: { exclude: { 'policies/api-egress.yaml': true, '**/.git': true, 'policies/never.yaml': false } } });
      await client.waitForDiagnostics(egressUri, (d) => d.length === 0, { since: mark });
      mark = client.setSettings({ netpol: { exclude: ['policies/loose.yaml'] } });
      await client.waitForDiagnostics(egressUri, has('missing-dns-egress'), { since: mark });
      await client.waitForDiagnostics(client.uri(loose), (d) => d.length === 0, { since: mark });
    } finally {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the server keeps answering after bad input and bad requests', async () => {
    const dir = copyFixture('multi-file');
    const client = await LspTestClient.start(dir);
    try {
      const garbage = client.uri('policies/garbage.yaml');
      // Binary noise, deep nesting, an alias bomb and a lone surrogate, one after the other.
      const inputs = [
        '\u0000\u0001\u0002\ufffd\ud800 kind: [[[',
        `${'['.repeat(5000)}`,
        'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n',
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: 5\nspec: [1, 2]\n',
        'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\nspec:\n  podSelector:\n    matchExpressions:\n      - {key: app, operator: Bogus, values: 7}\n  ingress: yes\n',
      ];
      let mark = client.open(garbage, inputs[0]);
      await client.waitForCurrentDiagnostics(garbage, mark);
      for (const text of inputs.slice(1)) {
        mark = client.change(garbage, text);
        await client.waitForCurrentDiagnostics(garbage, mark);
      }
      // Requests about unknown documents, positions past the end and malformed parameters.
      const unknown = client.uri('nowhere/missing.yaml');
      await client.request('textDocument/codeAction', { textDocument: { uri: unknown }, range: { start: { line: 99, character: 0 }, end: { line: 99, character: 5 } }, context: { diagnostics: [] } });
      await client.request('textDocument/codeAction', { textDocument: { uri: garbage }, range: { start: { line: -1, character: 0 }, end: { line: 1e9, character: 0 } }, context: { diagnostics: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: 'x', source: 'netpol', code: 'nope' }] } });
      await client.request('textDocument/codeAction', { textDocument: { uri: garbage } }).catch(() => undefined);
      client.notify('textDocument/didChange', { textDocument: { uri: unknown, version: 3 }, contentChanges: [{ text: 'x' }] });
      client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: 'not a uri', type: 2 }, { uri: client.uri('nowhere/x.yaml'), type: 1 }] });
      client.notify('netpol/unknownNotification', { anything: true });
      await client.request('netpol/unknownRequest', {}).catch(() => undefined);

      // Still alive and analysing: a good edit gets its diagnostics.
      mark = client.change(garbage, client.read('policies/orphan.yaml').replace('orphan', 'garbage-now-fine'));
      const diagnostics = await client.waitForCurrentDiagnostics(garbage, mark);
      assert.deepEqual(codes(diagnostics), ['selector-matches-nothing']);
      const status = await client.request<{ indexed: boolean }>('netpol/status');
      assert.equal(status.indexed, true);
      assert.equal(client.process.exitCode, null, 'the server process is still running');
    } finally {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('dist/server.js serves the same protocol over --node-ipc (the VS Code client) and --stdio', async () => {
    for (const transport of ['server-ipc', 'server-stdio'] as const) {
      const dir = copyFixture('multi-file');
      const client = await LspTestClient.start(dir, { transport });
      try {
        const orphan = await client.waitForDiagnostics(client.uri('policies/orphan.yaml'));
        assert.deepEqual(codes(orphan), ['selector-matches-nothing'], transport);
      } finally {
        assert.equal(await client.shutdown(), 0, transport);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('netpol/reindex re-reads the workspace from disk (changes no watcher reported)', async () => {
    const dir = copyFixture('multi-file');
    const client = await LspTestClient.start(dir);
    try {
      const orphan = client.uri('policies/orphan.yaml');
      await client.waitForDiagnostics(orphan, has('selector-matches-nothing'));
      fs.writeFileSync(path.join(dir, 'policies', 'orphan.yaml'), client.read('policies/orphan.yaml').replace('ghost', 'db'));
      fs.rmSync(path.join(dir, 'policies', 'broken.yaml'));
      const mark = client.mark();
      const counts = await client.request<{ files: number }>('netpol/reindex');
      assert.equal(counts.files, 9, 'ten files (vendor/ is not excluded here) less broken.yaml');
      await client.waitForDiagnostics(orphan, (d) => d.length === 0, { since: mark });
      await client.waitForDiagnostics(client.uri('policies/broken.yaml'), (d) => d.length === 0, { since: mark });
      await client.waitForNotification('netpol/indexComplete', undefined, { since: mark });
    } finally {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('requests are answered while the workspace is being indexed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-many-'));
    const db = fs.readFileSync(path.join(FIXTURES, 'multi-file', 'apps', 'db.yaml'), 'utf8');
    for (let i = 0; i < 600; i++) {
      fs.mkdirSync(path.join(dir, `ns${i % 20}`), { recursive: true });
      fs.writeFileSync(path.join(dir, `ns${i % 20}`, `db${i}.yaml`), db.replace('name: db', `name: db${i}`).replace('namespace: shop', `namespace: ns${i % 20}`));
    }
    const client = await LspTestClient.start(dir, { waitForIndex: false });
    try {
      const status = await client.request<{ indexed: boolean; files: number }>('netpol/status');
      const answeredAt = client.mark();
      const complete = await client.waitForNotification<{ files: number; workloads: number }>('netpol/indexComplete', undefined, { timeoutMs: 60_000 });
      assert.equal(complete.files, 600);
      assert.equal(complete.workloads, 600);
      assert.equal(status.indexed, false, 'the status request was answered before indexing finished');
      assert.ok(status.files < 600);
      const completeSeq = client.notifications.find((n) => n.method === 'netpol/indexComplete')!.seq;
      assert.ok(answeredAt < completeSeq);
      const reports = client.notifications.filter((n) => n.method === '$/progress' && (n.params as { value: { kind: string } }).value.kind === 'report');
      assert.ok(reports.length >= 1, 'progress reports while indexing');
      assert.match((reports.at(-1)!.params as { value: { message: string } }).value.message, /^600\/600 files$/);
    } finally {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a document opened before indexing finishes keeps its unsaved text (a request in between included)', async () => {
    const dir = copyFixture('multi-file');
    const client = await LspTestClient.start(dir, { waitForIndex: false });
    try {
      const orphan = client.uri('policies/orphan.yaml');
      client.open(orphan, client.read('policies/orphan.yaml').replace('ghost', 'phantom'));
      await client.request('netpol/status');
      await client.waitForNotification('netpol/indexComplete');
      const diagnostics = await client.waitForDiagnostics(orphan, has('selector-matches-nothing'));
      assert.match(diagnostics[0].message, /app=phantom/, 'the editor text, not the disk');
      const status = await client.request<{ files: number }>('netpol/status');
      assert.equal(status.files, 10);
    } finally {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('multi-root: every folder is indexed, the first folder\'s .netpol.yaml applies, folders can be removed', async () => {
    const first = copyFixture('multi-file');
    const second = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-second-'));
    fs.writeFileSync(path.join(first, '.netpol.yaml'), 'rules:\n  selector-matches-nothing: hint\n');
    fs.writeFileSync(path.join(second, 'lonely.yaml'), fs.readFileSync(path.join(FIXTURES, 'multi-file', 'policies', 'orphan.yaml'), 'utf8').replace('orphan', 'lonely').replace('ghost', 'nobody'));
    const client = await LspTestClient.start(first, { moreFolders: [second] });
    try {
      const lonely = client.uri(path.join(second, 'lonely.yaml'));
      const diagnostics = await client.waitForDiagnostics(lonely, has('selector-matches-nothing'));
      assert.equal(diagnostics[0].severity, 4, 'the first folder\'s configuration applies to the second folder too');
      assert.equal((await client.request<{ files: number }>('netpol/status')).files, 11);
      const mark = client.mark();
      client.notify('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: client.uri(second), name: 'second' }] } });
      await client.waitForDiagnostics(lonely, (d) => d.length === 0, { since: mark });
      assert.equal((await client.request<{ files: number }>('netpol/status')).files, 10);
    } finally {
      await client.shutdown();
      fs.rmSync(first, { recursive: true, force: true });
      fs.rmSync(second, { recursive: true, force: true });
    }
  });

  test('netpol lsp without a transport is a usage error', async () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'netpol.js'), 'lsp'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /choose a transport: --stdio, --node-ipc, --socket=PORT or --pipe=NAME/);
  });

  test('without workspace folders, opened documents are analysed on their own', async () => {
    const client = await LspTestClient.start(undefined);
    try {
      const file = client.uri(path.join(os.tmpdir(), 'netpol-lonely', 'policy.yaml'));
      const text = fs.readFileSync(path.join(FIXTURES, 'multi-file', 'apps', 'db.yaml'), 'utf8') + '---\n' + fs.readFileSync(path.join(FIXTURES, 'multi-file', 'policies', 'orphan.yaml'), 'utf8');
      let mark = client.open(file, text);
      assert.ok(has('selector-matches-nothing')(await client.waitForCurrentDiagnostics(file, mark)));
      // An untitled YAML editor is analysed with the rest (a policy drafted before it is saved has a name only later).
      const draft = 'untitled:Untitled-1';
      mark = client.open(draft, fs.readFileSync(path.join(FIXTURES, 'multi-file', 'policies', 'orphan.yaml'), 'utf8'));
      assert.ok(has('selector-matches-nothing')(await client.waitForCurrentDiagnostics(draft, mark)));
      assert.equal((await client.request<{ files: number; policies: number }>('netpol/status')).files, 2);
      // Other documents that are not manifests (an untitled plain-text editor) get an empty publish, so clients know.
      const notes = 'untitled:Untitled-2';
      mark = client.open(notes, 'kind: NetworkPolicy\n', 'plaintext');
      assert.deepEqual(await client.waitForCurrentDiagnostics(notes, mark), []);
      // Closing the draft takes its objects out of the analysis.
      client.close(draft);
      const deadline = Date.now() + 10_000;
      while ((await client.request<{ files: number }>('netpol/status')).files !== 1) {
        if (Date.now() > deadline) assert.fail('the closed draft stayed in the analysis');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const complete = client.notifications.find((n) => n.method === 'netpol/indexComplete');
      assert.deepEqual({ ...(complete!.params as object), durationMs: 0 }, { files: 0, policies: 0, workloads: 0, findings: 0, skippedForSize: 0, durationMs: 0 });
    } finally {
      await client.shutdown();
    }
  });
});
