// `npm run package` builds a .vsix with only the bundles (the extension, the module the client forks, the server it
// runs, the index's worker thread, the webview script and its layout engine), the manifest, grammar, the icon and
// the extension's own README (EXTENSION-README.md) with its screenshots; it refuses a README whose images would not load.
import { spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, it, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { shippedByIgnoreFile } from '../../scripts/readme.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCREENSHOTS = ['explain.png', 'hover.png', 'problems.png', 'reachability.png', 'semantic-highlighting.png'];

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

  it('holds exactly the bundles, manifest, grammar, README and its screenshots, CHANGELOG, LICENSE and icon', () => {
    const names = [...readZip(fs.readFileSync(out)).keys()].sort();
    assert.deepEqual(names, [
      '[Content_Types].xml',
      'extension.vsixmanifest',
      'extension/LICENSE.txt',
      'extension/changelog.md',
      'extension/dist/codicon.ttf',
      'extension/dist/extension.js',
      'extension/dist/index-worker.js',
      'extension/dist/server-boot.js',
      'extension/dist/server.js',
      'extension/dist/webview-elk.js',
      'extension/dist/webview.js',
      ...SCREENSHOTS.map((f) => `extension/docs/images/${f}`),
      'extension/images/icon.png',
      'extension/package.json',
      'extension/readme.md',
      'extension/syntaxes/netpol.injection.tmLanguage.json',
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
    assert.equal(manifest.contributes.snippets, undefined, 'the snippets come from the language server, only where a document may start');
    for (const file of [manifest.icon, ...manifest.contributes.grammars.map((g) => g.path)]) {
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

  it('ships valid JSON for the grammar', () => {
    const zip = readZip(fs.readFileSync(out));
    const grammar = JSON.parse(zip.get('extension/syntaxes/netpol.injection.tmLanguage.json')().toString('utf8'));
    assert.equal(grammar.scopeName, 'netpol.yaml.injection');
  });

  it('carries the extension\'s own README: what a user gets first, images that resolve to packaged files, every command and setting', () => {
    const zip = readZip(fs.readFileSync(out));
    const readme = zip.get('extension/readme.md')().toString('utf8');
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    // Not the developer README (which starts with how to build and test).
    assert.match(readme, /^# NetworkPolicy Analyzer \(netpol\)\n\nSee what your Kubernetes NetworkPolicies really do/);
    assert.doesNotMatch(readme, /npm ci|npm test/);
    assert.ok(readme.indexOf('## What you get') < readme.indexOf('## Commands'));
    // Every image: an absolute URL into the declared repository (the Marketplace needs HTTPS) of a file the package holds.
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.deepEqual(images.map((i) => i.replace(/^.*\//, '')).sort(), SCREENSHOTS);
    const base = manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    for (const image of images) {
      assert.ok(image.startsWith(`${base}/raw/HEAD/`), image);
      assert.ok(zip.has(`extension/${image.slice(`${base}/raw/HEAD/`.length)}`), `${image} is in the package`);
    }
    // Commands of the palette and every setting, as package.json declares them.
    const hidden = new Set(manifest.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
    for (const command of manifest.contributes.commands) {
      assert.equal(readme.includes(`| **${command.category}: ${command.title}** | \`${command.command}\` |`), !hidden.has(command.command), command.command);
    }
    for (const key of Object.keys(manifest.contributes.configuration.properties)) assert.ok(readme.includes(`| \`${key}\` |`), key);
  });
});

describe('packaging refuses a README that would not show as written', () => {
  const packageWith = (readmeText) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-readme-'));
    const readme = path.join(dir, 'README.md');
    fs.writeFileSync(readme, readmeText);
    const result = spawnSync(process.execPath, [path.join(repo, 'client/scripts/package.mjs'), '--out', path.join(dir, 'x.vsix'), '--readme', readme], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    const made = fs.existsSync(path.join(dir, 'x.vsix'));
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...result, made };
  };
  const good = fs.readFileSync(path.join(repo, 'EXTENSION-README.md'), 'utf8');

  it('fails on an image link to a file that does not exist, naming the link', () => {
    const result = packageWith(good.replace('docs/images/hover.png', 'docs/images/hover-missing.png'));
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /image docs\/images\/hover-missing\.png does not exist/);
    assert.equal(result.made, false);
  });

  it('fails on an image the package would not hold (outside the .vscodeignore whitelist, or a remote URL), and on SVG', () => {
    const result = packageWith(`${good}\n![icon](images/icon.svg)\n![remote](https://example.com/x.png)\n![dev](bench/missing.png)\n`);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /images\/icon\.svg is not PNG, JPEG or GIF/);
    assert.match(result.stderr, /https:\/\/example\.com\/x\.png is not part of the package/);
    assert.match(result.stderr, /bench\/missing\.png does not exist/);
  });

  it('reads the .vscodeignore whitelist as vsce does: the last matching pattern decides', () => {
    const ignore = fs.readFileSync(path.join(repo, '.vscodeignore'), 'utf8');
    assert.equal(shippedByIgnoreFile('docs/images/hover.png', ignore), true);
    assert.equal(shippedByIgnoreFile('bench/hover.png', ignore), false);
    assert.equal(shippedByIgnoreFile('docs/images/hover.png', `${ignore}\ndocs/images/hover.png\n`), false);
  });

  it('fails when the commands or settings tables differ from package.json', () => {
    const result = packageWith(good.replace(/^\| `netpol\.diff\.base` .*\n/m, ''));
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /the commands or settings differ from package\.json/);
  });
});
