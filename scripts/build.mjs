// Bundles the CLI, the language server and the VS Code client with esbuild (scripts/bundles.mjs), then checks the
// layers: the imports of every source file (scripts/layers.mjs) and what the client bundles contain. A violation
// fails the build.
import * as fs from 'node:fs';
import * as esbuild from 'esbuild';
import { BUNDLES, COPIED, CLIENT_BUNDLES, clientBundleProblems } from './bundles.mjs';
import { checkLayers } from './layers.mjs';

const minify = process.argv.includes('--minify');

const results = await Promise.all(
  Object.entries(BUNDLES).map(async ([outfile, options]) => [outfile, await esbuild.build({ ...options, outfile, minify: minify || options.minify === true, metafile: CLIENT_BUNDLES.includes(outfile) })]),
);

// Files the webview loads as they are (the toolbar's icon font).
for (const [to, from] of Object.entries(COPIED)) fs.copyFileSync(from, to);

const problems = checkLayers();
for (const [outfile, result] of results) {
  if (!CLIENT_BUNDLES.includes(outfile)) continue;
  problems.push(...clientBundleProblems(outfile, result.metafile.outputs[outfile]));
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`build: ${problems.length} layer violation(s) (scripts/layers.mjs, scripts/bundles.mjs, ARCHITECTURE.md)`);
  process.exit(1);
}
