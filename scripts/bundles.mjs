// The esbuild bundles of dist/ (built by scripts/build.mjs) and what the client's two may contain: the extension
// and the webview carry no engine, report, language server or YAML code, only the protocol module of the server
// tree (server/src/lsp/protocol.ts), and the extension stays under a size bound. build.mjs fails on a violation,
// and server/test/architecture/bundles.test.ts checks the same on a fresh in-memory build.

import * as fs from 'node:fs';

const manifest = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const repository = (typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url ?? '')
  .replace(/^git\+/, '').replace(/\.git$/, '');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // `netpol --version`, the SARIF tool version, and the base of the rule documentation links.
  define: { NETPOL_VERSION: JSON.stringify(manifest.version), NETPOL_REPOSITORY: JSON.stringify(repository) },
};

/** Output file -> esbuild options (without `outfile`). */
export const BUNDLES = {
  'dist/cli.js': { ...common, entryPoints: ['server/src/cli/main.ts'] },
  'dist/server.js': { ...common, entryPoints: ['server/src/lsp/main.ts'] },
  // Small entries that run dist/cli.js and dist/server.js with a V8 code cache (server/src/boot/code-cache.ts).
  'dist/cli-boot.js': { ...common, entryPoints: ['server/src/boot/cli.ts'] },
  'dist/server-boot.js': { ...common, entryPoints: ['server/src/boot/server.ts'] },
  // The index's worker thread, started by the server (in dist/server.js or dist/cli.js) from the same folder.
  'dist/index-worker.js': { ...common, entryPoints: ['server/src/lsp/index-worker.ts'] },
  'dist/extension.js': { ...common, entryPoints: ['client/src/extension.ts'], external: ['vscode'] },
  // The reachability view's script runs in the webview (a browser), not in Node.
  'dist/webview.js': { ...common, entryPoints: ['client/webview/reachability.ts'], platform: 'browser', format: 'iife', target: 'es2022' },
  // Its graph layout engine (elkjs), a bundle of its own: loaded by the view only, it keeps dist/webview.js free of
  // packages and the engine's 1.6 MB out of the extension host.
  'dist/webview-elk.js': { ...common, entryPoints: ['client/webview/elk.ts'], platform: 'browser', format: 'iife', target: 'es2022', sourcemap: false, minify: true },
};

/** Files copied into dist/ as they are: the reachability view's toolbar icons (@vscode/codicons' font, CC-BY-4.0). */
export const COPIED = { 'dist/codicon.ttf': 'node_modules/@vscode/codicons/dist/codicon.ttf' };

/**
 * The largest dist/extension.js (unminified) accepted: 880,875 bytes after the client stopped importing server code
 * (1,185,107 before, the yaml package and engine modules included). Most of it is vscode-languageclient.
 */
export const EXTENSION_MAX_BYTES = 950_000;

/**
 * The largest dist/webview-elk.js accepted: the bundle holds elkjs 0.12.2's elk.bundled.js alone, minified (1,496,488
 * bytes; the layout engine is compiled Java, so most of it is ELK's algorithms). The bound leaves room for a patch
 * release of elkjs, not for a second package.
 */
export const WEBVIEW_ELK_MAX_BYTES = 1_650_000;

/** The only module of the server tree that the client bundles may contain. */
const PROTOCOL = 'server/src/lsp/protocol.ts';

/** Packages the client bundles may contain (and what they pull in themselves). */
const CLIENT_PACKAGES = new Set([
  'vscode-languageclient',
  'vscode-languageserver-protocol',
  'vscode-languageserver-types',
  'vscode-jsonrpc',
  'semver',
  'minimatch',
  'brace-expansion',
  'balanced-match',
  'lru-cache',
  'yallist',
]);

function packageOf(input) {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * What is wrong with a client bundle, from its esbuild metafile output entry (`inputs`, `bytes`): modules of the
 * server tree other than the protocol, packages outside the client's, and for the extension its size.
 */
export function clientBundleProblems(outfile, output) {
  const problems = [];
  const allowed = outfile === 'dist/webview-elk.js' ? ['client/webview/elk.ts'] : outfile === 'dist/webview.js' ? ['client/webview/'] : ['client/src/', PROTOCOL];
  const packages = outfile === 'dist/webview-elk.js' ? new Set(['elkjs']) : outfile === 'dist/webview.js' ? new Set() : CLIENT_PACKAGES;
  /** Package -> bytes it adds, for packages the bundle must not contain. */
  const foreignPackages = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    if (name !== undefined) {
      if (!packages.has(name)) foreignPackages.set(name, (foreignPackages.get(name) ?? 0) + bytesInOutput);
    } else if (!allowed.some((a) => input === a || (a.endsWith('/') && input.startsWith(a)))) {
      problems.push(`${outfile} contains ${input}: the client bundles hold only client code and ${PROTOCOL}`);
    }
  }
  for (const [name, bytes] of foreignPackages) problems.push(`${outfile} contains the package ${name} (${bytes} bytes)`);
  if (outfile === 'dist/extension.js' && output.bytes > EXTENSION_MAX_BYTES) {
    problems.push(`${outfile} has ${output.bytes} bytes, more than ${EXTENSION_MAX_BYTES} (scripts/bundles.mjs)`);
  }
  if (outfile === 'dist/webview-elk.js' && output.bytes > WEBVIEW_ELK_MAX_BYTES) {
    problems.push(`${outfile} has ${output.bytes} bytes, more than ${WEBVIEW_ELK_MAX_BYTES} (scripts/bundles.mjs)`);
  }
  return problems;
}

export const CLIENT_BUNDLES = ['dist/extension.js', 'dist/webview.js', 'dist/webview-elk.js'];
