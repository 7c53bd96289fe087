// The real server keeps its rule findings between edits and re-runs only what an edit can affect. After each of a
// seeded series of edits (in open documents and on disk: labels, selectors, ports, namespaces, files created and
// deleted), everything the client was sent must equal a full analysis of the files as they are now.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { runRules } from '../../src/engine/rules/run';
import { Workspace } from '../../src/engine/workspace';
import { LspTestClient, REPO_ROOT } from './client';

function yamlFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(e.name)) out.push(full);
    }
  };
  walk(root);
  return out.sort();
}

/** What a full analysis of the texts gives, as `code line message` per file (files without findings left out). */
function expected(texts: Map<string, string>): Map<string, string[]> {
  const ws = new Workspace();
  for (const [uri, text] of texts) ws.setFile(uri, text);
  const out = new Map<string, string[]>();
  for (const [uri, list] of runRules(ws)) {
    if (list.length === 0) continue;
    const file = ws.getFile(uri)!;
    out.set(uri, list.map((d) => `${d.ruleId} ${file.lineCounter.linePos(d.location.range[0]).line - 1} ${d.message}`).sort());
  }
  return out;
}

function published(client: LspTestClient): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [uri, params] of client.diagnostics) {
    if (params.diagnostics.length === 0) continue;
    out.set(uri, params.diagnostics.map((d) => `${d.code} ${d.range.start.line} ${d.message}`).sort());
  }
  return out;
}

describe('incremental analysis in the server', () => {
  let dir: string;
  let client: LspTestClient;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-incremental-'));
    execFileSync(process.execPath, [path.join(REPO_ROOT, '..', 'shared', 'bench', 'gen-workspace.mjs'), dir, '--preset', 'small', '--seed', '11', '--force'], { stdio: 'ignore' });
    client = await LspTestClient.start(dir, { timeoutMs: 60_000 });
  });
  after(async () => {
    await client?.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('after each of a series of edits, the published diagnostics equal a full analysis', async () => {
    const texts = new Map<string, string>();
    for (const f of yamlFiles(dir)) texts.set(pathToFileURL(f).href, fs.readFileSync(f, 'utf8'));
    await client.request('netpol/status');
    assert.deepEqual(published(client), expected(texts), 'after indexing');

    let seed = 99;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const uris = [...texts.keys()];
    const withPattern = (re: RegExp) => {
      const candidates = uris.filter((u) => texts.has(u) && re.test(texts.get(u)!));
      return candidates[random(candidates.length)];
    };
    const edits: { what: string; apply: () => void }[] = [];
    const inEditor = (re: RegExp, replace: (text: string) => string) => () => {
      const uri = withPattern(re);
      const text = replace(texts.get(uri)!);
      texts.set(uri, text);
      if (client.version(uri) === undefined) client.open(uri, text);
      else client.change(uri, text);
    };
    const onDisk = (uri: string, text: string | undefined) => {
      const file = new URL(uri).pathname;
      if (text === undefined) {
        fs.rmSync(file);
        texts.delete(uri);
        client.filesChanged([{ uri, type: 3 }]);
      } else {
        const existed = fs.existsSync(file);
        fs.writeFileSync(file, text);
        texts.set(uri, text);
        client.filesChanged([{ uri, type: existed ? 2 : 1 }]);
      }
    };
    for (let i = 0; i < 4; i++) {
      edits.push({ what: 'pod label', apply: inEditor(/kind: Deployment/, (t) => t.replace(/^(\s+app: )(\S+)$/m, (_m, p, v) => `${p}${v}${i % 2 ? '' : 'x'}`)) });
      edits.push({ what: 'policy selector', apply: inEditor(/kind: NetworkPolicy[\s\S]*matchLabels/, (t) => t.replace(/^(\s+app: )(\S+)$/m, (_m, p) => `${p}${['web', 'api', 'db'][i % 3]}`)) });
      edits.push({ what: 'port', apply: inEditor(/containerPort: \d+/, (t) => t.replace(/containerPort: \d+/, `containerPort: ${[8080, 9090, 53][i % 3]}`)) });
      edits.push({ what: 'namespace', apply: inEditor(/^\s+namespace: /m, (t) => t.replace(/^(\s+namespace: )(\S+)$/m, (_m, p) => `${p}${i % 2 ? 'kube-system' : 'moved'}`)) });
    }
    edits.push({
      what: 'namespace labels on disk',
      apply: () => onDisk(pathToFileURL(path.join(dir, 'zz-namespace.yaml')).href, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: moved\n  labels:\n    team: moved\n'),
    });
    edits.push({
      what: 'policy created on disk',
      apply: () =>
        onDisk(
          pathToFileURL(path.join(dir, 'zz-policy.yaml')).href,
          'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-moved\n  namespace: moved\nspec:\n  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: moved\n          podSelector:\n            matchLabels:\n              app: nothing-has-this\n',
        ),
    });
    edits.push({ what: 'file deleted on disk', apply: () => onDisk(pathToFileURL(path.join(dir, 'zz-namespace.yaml')).href, undefined) });

    for (const edit of edits) {
      edit.apply();
      // A request is answered after the analysis it waits for has published everything.
      await client.request('netpol/status');
      const want = expected(texts);
      await client.waitUntil(() => (sameMaps(published(client), want) ? true : undefined), `diagnostics after ${edit.what}`, 10_000).catch(() => undefined);
      assert.deepEqual(published(client), want, `after ${edit.what}`);
    }
  });
});

function sameMaps(a: Map<string, string[]>, b: Map<string, string[]>): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}
