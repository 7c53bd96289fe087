// `npm run package` builds a .vsix with only the bundles (the extension, the module the client forks, the server it
// runs, the index's worker thread, the webview script), the manifest, grammar, snippets, docs and the icon.
import { spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, it, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The entries of a zip file (name, compressed data) from its central directory. */
function readZip(buffer) {
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'a zip file');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buffer.readUInt32LE(offset), 0x02014b50, 'central directory entry');
    const method = buffer.readUInt16LE(offset + 10);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const local = buffer.readUInt32LE(offset + 42);
    const name = buffer.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, () => (method === 8 ? inflateRawSync(raw) : raw));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('packaging (npm run package)', () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-package-')), 'netpol.vsix');
  let result;
  before(() => {
    result = spawnSync(process.execPath, [path.join(repo, 'client/scripts/package.mjs'), '--out', out], { cwd: repo, encoding: 'utf8', timeout: 240_000 });
  }, { timeout: 300_000 });

  it('vsce packages the extension', () => {
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.ok(fs.existsSync(out));
  });

  it('holds exactly the bundles, manifest, grammar, snippets, README, CHANGELOG, LICENSE and icon', () => {
    const names = [...readZip(fs.readFileSync(out)).keys()].sort();
    assert.deepEqual(names, [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/LICENSE.txt',
      'extension/changelog.md',
      'extension/dist/extension.js',
      'extension/dist/index-worker.js',
      'extension/dist/server-boot.js',
      'extension/dist/server.js',
      'extension/dist/webview.js',
      'extension/images/icon.png',
      'extension/package.json',
      'extension/readme.md',
      'extension/snippets/networkpolicy.code-snippets',
      'extension/syntaxes/netpol.injection.tmLanguage.json',
      'extension/syntaxes/netpol.peer-injection.tmLanguage.json',
    ]);
  });

  it('is under 2 MB', () => {
    const size = fs.statSync(out).size;
    assert.ok(size < 2 * 1024 * 1024, `${size} bytes`);
  });

  it('declares engines.vscode ^1.91.0 with @types/vscode at that version, and every contributed file exists', () => {
    const zip = readZip(fs.readFileSync(out));
    const manifest = JSON.parse(zip.get('extension/package.json')().toString('utf8'));
    assert.equal(manifest.engines.vscode, '^1.91.0');
    assert.equal(manifest.devDependencies['@types/vscode'], '1.91.0');
    assert.equal(manifest.main, './dist/extension.js');
    for (const file of [manifest.icon, ...manifest.contributes.grammars.map((g) => g.path), ...manifest.contributes.snippets.map((s) => s.path)]) {
      assert.ok(zip.has(`extension/${file.replace(/^\.\//, '')}`), `${file} is in the package`);
    }
    // Restricted mode reads manifests; rendering with helm or kubectl (whose paths are settings) needs trust.
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['netpol.helm.path', 'netpol.kustomize.path']);
  });

  it('carries the extension\'s own manifest: a repository for README links, no npm bin or file list naming files it does not ship', () => {
    const zip = readZip(fs.readFileSync(out));
    const manifest = JSON.parse(zip.get('extension/package.json')().toString('utf8'));
    assert.match(manifest.repository.url, /^git\+https:\/\//);
    assert.equal(manifest.bin, undefined, 'bin/netpol.js is not in the .vsix');
    assert.equal(manifest.files, undefined);
    const readme = zip.get('extension/readme.md')().toString('utf8');
    assert.doesNotMatch(readme, /example\.invalid/, 'README links resolve against the repository');
  });

  it('ships valid JSON for the grammar and the snippets', () => {
    const zip = readZip(fs.readFileSync(out));
    const grammar = JSON.parse(zip.get('extension/syntaxes/netpol.injection.tmLanguage.json')().toString('utf8'));
    assert.equal(grammar.scopeName, 'netpol.yaml.injection');
    const snippets = JSON.parse(zip.get('extension/snippets/networkpolicy.code-snippets')().toString('utf8'));
    assert.ok(Object.keys(snippets).length >= 5);
  });
});
