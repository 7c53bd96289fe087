// `npm run package`: builds the .vsix with @vscode/vsce (3.x: the last line that runs on Node 20).
// The package is assembled in a staging folder (minified bundles, manifest, docs, grammar, snippets, icon), so
// packaging never rewrites the repository's dist/ while tests use it.
// The package's README is the extension's own page, EXTENSION-README.md (`vsce package --readme-path`), not the
// developer README. Its generated tables must match package.json and every image must load (readme.mjs): packaging
// fails otherwise. Its screenshots ship in the .vsix (the .vscodeignore whitelist); relative links get a base URL,
// from NETPOL_REPOSITORY_URL or the manifest's `repository`, else a reserved placeholder host
// (https://example.invalid), on which packaging fails.
// Usage: node client/scripts/package.mjs [--out FILE] [--readme FILE (relative to the repository; for tests)]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COPIED } from '../../scripts/bundles.mjs';
import { EXTENSION_README, imageLinks, readmeProblems } from './readme.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const esbuild = createRequire(path.join(repo, 'package.json'))('esbuild');
const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const out = path.resolve(outIndex > 0 ? process.argv[outIndex + 1] : path.join(repo, `${manifest.name}-${manifest.version}.vsix`));
const declared = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
const base = (process.env.NETPOL_REPOSITORY_URL || declared || 'https://example.invalid/netpol').replace(/^git\+/, '').replace(/\.git$/, '').replace(/\/$/, '');
const readmeIndex = process.argv.indexOf('--readme');
const readme = readmeIndex > 0 ? process.argv[readmeIndex + 1] : EXTENSION_README;

// Checked before anything is built: a README that would show broken images or stale tables is not packaged.
const problems = readmeProblems({ readmePath: readme, manifest });
if (/example\.invalid/.test(base)) problems.push('no repository URL (package.json `repository` or NETPOL_REPOSITORY_URL): the README\'s links would not resolve');
if (problems.length > 0) {
  for (const p of problems) console.error(`package: ${p}`);
  process.exit(1);
}

/** Files copied as they are (the bundles are built below). */
const SHIPPED = ['CHANGELOG.md', 'LICENSE', '.vscodeignore', 'images/icon.png', 'syntaxes/netpol.injection.tmLanguage.json'];

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-vsix-'));
try {
  const images = [...new Set(imageLinks(fs.readFileSync(path.resolve(repo, readme), 'utf8')).map((l) => path.posix.normalize(decodeURI(l.replace(/[?#].*$/, '')))))];
  fs.copyFileSync(path.resolve(repo, readme), path.join(stage, EXTENSION_README));
  for (const file of [...SHIPPED, ...images]) {
    fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
    fs.copyFileSync(path.join(repo, file), path.join(stage, file));
  }
  // The staged manifest is the extension's: nothing to prepublish (the bundles are built here), and none of the npm
  // package's fields that name files the .vsix does not ship (the CLI's bin, its file list).
  const staged = { ...manifest, scripts: { ...manifest.scripts } };
  delete staged.scripts['vscode:prepublish'];
  delete staged.bin;
  delete staged.files;
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

  const common = {
    bundle: true,
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
    absWorkingDir: repo,
    define: { NETPOL_VERSION: JSON.stringify(manifest.version), NETPOL_REPOSITORY: JSON.stringify(base) },
  };
  await Promise.all([
    esbuild.build({ ...common, platform: 'node', target: 'node20', format: 'cjs', entryPoints: ['client/src/extension.ts'], outfile: path.join(stage, 'dist/extension.js'), external: ['vscode'] }),
    esbuild.build({ ...common, platform: 'node', target: 'node20', format: 'cjs', entryPoints: ['server/src/lsp/main.ts'], outfile: path.join(stage, 'dist/server.js') }),
    // The module the client forks (runs dist/server.js with a V8 code cache) and the index's worker thread.
    esbuild.build({ ...common, platform: 'node', target: 'node20', format: 'cjs', entryPoints: ['server/src/boot/server.ts'], outfile: path.join(stage, 'dist/server-boot.js') }),
    esbuild.build({ ...common, platform: 'node', target: 'node20', format: 'cjs', entryPoints: ['server/src/lsp/index-worker.ts'], outfile: path.join(stage, 'dist/index-worker.js') }),
    esbuild.build({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['client/webview/reachability.ts'], outfile: path.join(stage, 'dist/webview.js') }),
    esbuild.build({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: ['client/webview/elk.ts'], outfile: path.join(stage, 'dist/webview-elk.js') }),
  ]);

  for (const [to, from] of Object.entries(COPIED)) fs.copyFileSync(path.join(repo, from), path.join(stage, to));

  const vsce = path.join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = spawnSync(
    process.execPath,
    [
      vsce,
      'package',
      '--no-dependencies', // the bundles carry their dependencies
      '--readme-path', EXTENSION_README,
      '--baseContentUrl', `${base}/blob/HEAD`,
      '--baseImagesUrl', `${base}/raw/HEAD`,
      '--out', out,
    ],
    { cwd: stage, stdio: 'inherit', timeout: 300_000 },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.log(`${path.relative(process.cwd(), out) || out}: ${(fs.statSync(out).size / 1024).toFixed(0)} KiB`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
