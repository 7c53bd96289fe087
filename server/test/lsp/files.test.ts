// The index's walk of the workspace folders (FileFilter.listFiles) and its reads (readTextUnder), on real folders.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { FileFilter, readCapped, readTextUnder, uriFromPath } from '../../src/lsp/files';
import { GlobSet } from '../../src/lsp/glob';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-files-'));
  for (const [relative, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), text);
  }
  return root;
}

const folder = (fsPath: string) => ({ uri: uriFromPath(fsPath), fsPath });
const relativeList = (root: string, files: { fsPath: string }[]) => files.map((f) => path.relative(root, f.fsPath).split(path.sep).join('/'));

test('listFiles: root configuration first, then manifests depth first in name order; skipped and excluded folders left out', async () => {
  const root = tree({
    'b.yaml': '',
    'a/z.yml': '',
    'a/b/c.json': '',
    'a/notes.txt': '',
    'aa.yaml': '',
    '.netpol.yaml': '',
    'sub/.netpol.yaml': '',
    'node_modules/pkg/x.yaml': '',
    '.git/config.yaml': '',
    'build/out.yaml': '',
    'keep/build/in.yaml': '',
  });
  fs.symlinkSync(path.join(root, 'b.yaml'), path.join(root, 'linked.yaml'));
  fs.symlinkSync(path.join(root, 'a'), path.join(root, 'linked-folder'));
  fs.symlinkSync(path.join(root, 'missing.yaml'), path.join(root, 'dangling.yaml'));
  const filter = new FileFilter([folder(root)], new GlobSet(['build']));
  const files = await filter.listFiles(() => assert.fail('no folder is unreadable'), 0);
  assert.deepEqual(relativeList(root, files), ['.netpol.yaml', 'a/b/c.json', 'a/z.yml', 'aa.yaml', 'b.yaml', 'keep/build/in.yaml', 'linked.yaml']);
  assert.deepEqual(files.map((f) => f.uri), files.map((f) => uriFromPath(f.fsPath)));
});

test('listFiles: with nested workspace folders, a file is listed once and excluded by the innermost folder\'s rules', async () => {
  const root = tree({ 'x.yaml': '', 'inner/y.yaml': '', 'inner/.netpol.yaml': '', 'inner/gen/z.yaml': '' });
  const inner = path.join(root, 'inner');
  const filter = new FileFilter([folder(root), folder(inner)], new GlobSet(['gen']));
  const files = await filter.listFiles(() => undefined);
  assert.deepEqual(relativeList(root, files).sort(), ['inner/.netpol.yaml', 'inner/y.yaml', 'x.yaml']);
  assert.equal(relativeList(root, files)[0], 'inner/.netpol.yaml', 'a root configuration (of the inner folder) comes first');
});

test('listFiles: an unreadable folder is reported and skipped', async () => {
  const root = tree({ 'x.yaml': '' });
  const messages: string[] = [];
  const files = await new FileFilter([folder(path.join(root, 'gone'))], new GlobSet([])).listFiles((m) => messages.push(m));
  assert.deepEqual(files, []);
  assert.match(messages.join('\n'), /cannot read folder .*gone: ENOENT/);
});

test('readTextUnder: the text within the limit, the size beyond it (unread), why for folders, nothing for missing files', () => {
  const root = tree({ 'small.yaml': 'kind: Pod\n', 'big.yaml': 'x'.repeat(1000) });
  assert.deepEqual(readTextUnder(path.join(root, 'small.yaml'), 100), { text: 'kind: Pod\n' });
  assert.deepEqual(readTextUnder(path.join(root, 'big.yaml'), 999), { tooLarge: 1000 });
  assert.deepEqual(readTextUnder(path.join(root, 'big.yaml'), 1000), { text: 'x'.repeat(1000) });
  assert.deepEqual(readTextUnder(root, 100), { unreadable: 'a folder' });
  assert.equal(readTextUnder(path.join(root, 'missing.yaml'), 100), undefined);
});

test('readTextUnder: only regular files, never blocking, never reading the kernel\'s files (issue 19 item 2)', () => {
  const root = tree({});
  const fifo = path.join(root, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  // Opening a FIFO without a writer blocks: reaching the next line at all is the test.
  assert.deepEqual(readTextUnder(fifo, 100), { unreadable: 'a named pipe (FIFO)' });
  fs.symlinkSync('/proc/self/pagemap', path.join(root, 'pm.yaml'));
  assert.match(String((readTextUnder(path.join(root, 'pm.yaml'), 1 << 20) as { unreadable: string }).unreadable), /kernel/);
  assert.deepEqual(readTextUnder('/dev/zero', 100), { unreadable: 'a character device' });
});

test('readCapped: an endless file that claims 0 bytes (/dev/zero) is read up to the limit + 1, no further', () => {
  const fd = fs.openSync('/dev/zero', 'r');
  try {
    assert.equal(readCapped(fd, 3 << 20, 0).length, (3 << 20) + 1);
    assert.equal(readCapped(fd, 10, 0).length, 11);
  } finally {
    fs.closeSync(fd);
  }
});
