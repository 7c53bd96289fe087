// Bundles the CLI, the language server and the VS Code client with esbuild.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';

const manifest = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const repository = (typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url ?? '').replace(/^git\+/, '').replace(/\.git$/, '');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  minify: process.argv.includes('--minify'),
  // `netpol --version`, the SARIF tool version, and the base of the rule documentation links.
  define: { NETPOL_VERSION: JSON.stringify(manifest.version), NETPOL_REPOSITORY: JSON.stringify(repository) },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' }),
  // Small entries that run dist/cli.js and dist/server.js with a V8 code cache (server/src/boot/code-cache.ts).
  esbuild.build({ ...common, entryPoints: ['server/src/boot/cli.ts'], outfile: 'dist/cli-boot.js' }),
  esbuild.build({ ...common, entryPoints: ['server/src/boot/server.ts'], outfile: 'dist/server-boot.js' }),
  // The index's worker thread, started by the server (in dist/server.js or dist/cli.js) from the same folder.
  esbuild.build({ ...common, entryPoints: ['server/src/lsp/index-worker.ts'], outfile: 'dist/index-worker.js' }),
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // The reachability view's script runs in the webview (a browser), not in Node.
  esbuild.build({ ...common, entryPoints: ['client/webview/reachability.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' }),
]);
