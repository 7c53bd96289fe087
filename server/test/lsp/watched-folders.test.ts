// Folders that appear on disk while the server runs (a generator writing into new folders, `mv`, `git checkout`,
// `tar x`): editors report one event for the folder, or miss the files written into it before their watch of the new
// folder existed (inotify), so the server walks a created folder itself, with the rules of the initial index.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { copyFixture, LspTestClient } from './client';

const has = (code: string) => (diagnostics: Diagnostic[]) => diagnostics.some((d) => d.code === code);

interface Status {
  files: number;
  policies: number;
}

describe('netpol lsp --stdio: folders created on disk', () => {
  let dir: string;
  let outside: string;
  let client: LspTestClient;
  let orphan: string;

  before(async () => {
    dir = copyFixture('multi-file');
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lsp-outside-'));
    orphan = fs.readFileSync(path.join(dir, 'policies', 'orphan.yaml'), 'utf8');
    client = await LspTestClient.start(dir, { settings: { netpol: { exclude: ['vendor/**'] } } });
  });
  after(async () => {
    assert.equal(await client.shutdown(), 0);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  const policy = (name: string) => orphan.replace('orphan', name).replace('ghost', `ghost-${name}`);

  test('the server watches creations of any path, so that it hears of new folders', () => {
    const watch = client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.ok(watch);
    const watchers = (watch.registerOptions as { watchers: { globPattern: string; kind?: number }[] }).watchers;
    const any = watchers.find((w) => w.globPattern === '**/*');
    assert.ok(any, 'a watcher for every path');
    // WatchKind: Create = 1, Change = 2, Delete = 4. Changes of every file would flood the server for nothing.
    assert.equal(any.kind, 1 | 4, 'creations and deletions of every path, not changes');
  });

  test('one created event for a folder indexes every manifest below it, with the rules of the initial index', async () => {
    const before = await client.request<Status>('netpol/status');
    const folder = path.join(dir, 'generated');
    fs.mkdirSync(path.join(folder, 'team-a', 'part-01'), { recursive: true });
    fs.mkdirSync(path.join(folder, 'team-b'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'team-a', 'part-01', 'one.yaml'), policy('one'));
    fs.writeFileSync(path.join(folder, 'team-a', 'two.yml'), policy('two'));
    fs.writeFileSync(path.join(folder, 'team-b', 'three.yaml'), policy('three'));
    // Not manifests, skipped or excluded: never indexed.
    fs.writeFileSync(path.join(folder, 'team-b', 'README.md'), '# not a manifest\n');
    fs.mkdirSync(path.join(folder, 'node_modules', 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'node_modules', 'pkg', 'policy.yaml'), policy('dependency'));
    fs.mkdirSync(path.join(dir, 'vendor', 'new'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'vendor', 'new', 'vendored.yaml'), policy('vendored'));
    // A link to a folder outside is not followed, as in the initial index (cycles, files outside the workspace).
    fs.writeFileSync(path.join(outside, 'elsewhere.yaml'), policy('elsewhere'));
    fs.symlinkSync(outside, path.join(folder, 'team-b', 'link'));

    const mark = client.filesChanged([
      { uri: client.uri(folder), type: 1 },
      { uri: client.uri(path.join(dir, 'vendor', 'new')), type: 1 },
    ]);
    const one = await client.waitForDiagnostics(client.uri(path.join(folder, 'team-a', 'part-01', 'one.yaml')), has('selector-matches-nothing'), { since: mark });
    assert.match(one[0].message, /app=ghost-one/);
    await client.waitForDiagnostics(client.uri(path.join(folder, 'team-b', 'three.yaml')), has('selector-matches-nothing'), { since: mark });
    const status = await client.request<Status>('netpol/status');
    assert.equal(status.files, before.files + 3, 'one.yaml, two.yml and three.yaml: not node_modules/, vendor/, the link or README.md');
    assert.equal(status.policies, before.policies + 3);
    for (const uri of client.diagnostics.keys()) assert.doesNotMatch(uri, /node_modules|vendored|elsewhere/, `${uri} is not indexed`);
  });

  test('a folder moved in from outside (one created event) is indexed; events for its files as well do not count twice', async () => {
    const before = await client.request<Status>('netpol/status');
    const source = path.join(outside, 'bundle');
    fs.mkdirSync(path.join(source, 'deep', 'er'), { recursive: true });
    fs.writeFileSync(path.join(source, 'deep', 'er', 'four.yaml'), policy('four'));
    fs.writeFileSync(path.join(source, 'five.yaml'), policy('five'));
    const target = path.join(dir, 'moved');
    fs.renameSync(source, target);
    const four = client.uri(path.join(target, 'deep', 'er', 'four.yaml'));
    const mark = client.filesChanged([{ uri: client.uri(target), type: 1 }, { uri: four, type: 1 }]);
    await client.waitForDiagnostics(four, has('selector-matches-nothing'), { since: mark });
    await client.waitForDiagnostics(client.uri(path.join(target, 'five.yaml')), has('selector-matches-nothing'), { since: mark });
    const status = await client.request<Status>('netpol/status');
    assert.equal(status.files, before.files + 2);
  });

  test('a created event for a folder that is gone again, or a file that is not a manifest, adds nothing', async () => {
    const before = await client.request<Status>('netpol/status');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'text\n');
    const late = path.join(dir, 'moved', 'late.yaml');
    fs.writeFileSync(late, policy('late'));
    // The manifest last in the batch: once it is indexed, the events before it were handled.
    const mark = client.filesChanged([
      { uri: client.uri(path.join(dir, 'vanished')), type: 1 },
      { uri: client.uri(path.join(dir, 'notes.txt')), type: 1 },
      { uri: client.uri(late), type: 1 },
    ]);
    await client.waitForDiagnostics(client.uri(late), has('selector-matches-nothing'), { since: mark });
    const status = await client.request<Status>('netpol/status');
    assert.deepEqual({ files: status.files, policies: status.policies }, { files: before.files + 1, policies: before.policies + 1 });
  });

  test('a folder replaced on disk (a branch switch: deleted, created again) ends up as the disk holds it', async () => {
    const before = await client.request<Status>('netpol/status');
    const folder = path.join(dir, 'generated', 'team-a');
    const two = client.uri(path.join(folder, 'two.yml'));
    fs.rmSync(folder, { recursive: true });
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'six.yaml'), policy('six'));
    // The editor reports the folder alone, deleted and created: one.yaml and two.yml are gone, six.yaml is new.
    const mark = client.filesChanged([{ uri: client.uri(folder), type: 3 }, { uri: client.uri(folder), type: 1 }]);
    await client.waitForDiagnostics(client.uri(path.join(folder, 'six.yaml')), has('selector-matches-nothing'), { since: mark });
    await client.waitForDiagnostics(two, (d) => d.length === 0, { since: mark });
    const status = await client.request<Status>('netpol/status');
    assert.equal(status.files, before.files - 1, 'two files out, one in');
  });

  test('deleting the created folders takes their files out again', async () => {
    const before = await client.request<Status>('netpol/status');
    for (const name of ['generated', 'moved']) fs.rmSync(path.join(dir, name), { recursive: true });
    const mark = client.filesChanged([
      { uri: client.uri(path.join(dir, 'generated')), type: 3 },
      { uri: client.uri(path.join(dir, 'moved')), type: 3 },
    ]);
    await client.waitForDiagnostics(client.uri(path.join(dir, 'moved', 'five.yaml')), (d) => d.length === 0, { since: mark });
    const status = await client.request<Status>('netpol/status');
    assert.equal(status.files, before.files - 5);
  });
});
