// Architecture invariant (ARCHITECTURE.md, "Layers"): the client bundles hold no engine, report, language server or
// YAML code (only server/src/lsp/protocol.ts of the server tree) and dist/extension.js stays under a size bound. Built
// here in memory with the options of scripts/build.mjs; the build checks the same on dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const REPO = path.resolve(__dirname, '..', '..', '..');
const bundles = () => import('../../../scripts/bundles.mjs');

async function build(outfile: string, options: esbuild.BuildOptions): Promise<esbuild.Metafile['outputs'][string]> {
  const result = await esbuild.build({ ...options, outfile, absWorkingDir: REPO, write: false, metafile: true, sourcemap: false, logLevel: 'silent' });
  return result.metafile.outputs[outfile];
}

test('dist/extension.js holds client code, the protocol module and the language client, under the size bound', async () => {
  const { BUNDLES, clientBundleProblems, EXTENSION_MAX_BYTES } = await bundles();
  const output = await build('dist/extension.js', BUNDLES['dist/extension.js']);
  assert.deepEqual(clientBundleProblems('dist/extension.js', output), []);
  const inputs = Object.keys(output.inputs);
  assert.deepEqual(inputs.filter((i) => i.startsWith('server/')), ['server/src/lsp/protocol.ts']);
  assert.deepEqual(inputs.filter((i) => /node_modules\/(yaml|vscode-uri|ipaddr\.js|fastest-levenshtein)\//.test(i)), []);
  assert.ok(inputs.some((i) => i.startsWith('client/src/diff/')), 'the bundle was read (client modules found)');
  assert.ok(output.bytes <= EXTENSION_MAX_BYTES, `${output.bytes} bytes`);
});

test('dist/webview.js holds only the webview scripts (no package: the layout engine is dist/webview-elk.js)', async () => {
  const { BUNDLES, clientBundleProblems } = await bundles();
  const output = await build('dist/webview.js', BUNDLES['dist/webview.js']);
  assert.deepEqual(clientBundleProblems('dist/webview.js', output), []);
  assert.deepEqual(Object.keys(output.inputs).sort(), ['client/webview/geometry.ts', 'client/webview/graph-layout.ts', 'client/webview/reachability.ts']);
});

test('dist/webview-elk.js holds only the layout engine (elkjs), under its size bound', async () => {
  const { BUNDLES, clientBundleProblems, WEBVIEW_ELK_MAX_BYTES } = await bundles();
  const output = await build('dist/webview-elk.js', BUNDLES['dist/webview-elk.js']);
  assert.deepEqual(clientBundleProblems('dist/webview-elk.js', output), []);
  assert.deepEqual(Object.keys(output.inputs).map((i) => i.replace(/^.*node_modules\//, '')), ['elkjs/lib/elk.bundled.js', 'client/webview/elk.ts']);
  assert.ok(output.bytes <= WEBVIEW_ELK_MAX_BYTES, `${output.bytes} bytes`);
  const leaky = await build('dist/webview-elk.js', { ...BUNDLES['dist/webview-elk.js'], entryPoints: undefined, stdin: { contents: "import 'elkjs/lib/elk.bundled.js';\nexport { layoutGraph } from './client/webview/graph-layout';\nexport { parse } from 'yaml';\n", resolveDir: REPO, sourcefile: 'leaky-elk.ts', loader: 'ts' } });
  const problems = clientBundleProblems('dist/webview-elk.js', leaky).map((p) => p.replace(/ \(\d+ bytes\)/, ''));
  assert.ok(problems.includes('dist/webview-elk.js contains client/webview/graph-layout.ts: the client bundles hold only client code and server/src/lsp/protocol.ts'), problems.join('\n'));
  assert.ok(problems.includes('dist/webview-elk.js contains the package yaml'), problems.join('\n'));
});

test('the bundle check fails on an extension that imports server code (the YAML writer and the engine)', async () => {
  const { BUNDLES, clientBundleProblems } = await bundles();
  const output = await build('dist/extension.js', {
    ...BUNDLES['dist/extension.js'],
    entryPoints: undefined,
    stdin: {
      contents: "export * from './client/src/extension';\nexport { toYaml } from './server/src/lsp/policy-yaml';\nexport { PortSet } from './server/src/engine/portset';\n",
      resolveDir: REPO,
      sourcefile: 'leaky-extension.ts',
      loader: 'ts',
    },
  });
  const problems = clientBundleProblems('dist/extension.js', output).map((p) => p.replace(/ \(\d+ bytes\)|:.*/, ''));
  assert.ok(problems.includes('dist/extension.js contains server/src/lsp/policy-yaml.ts'), problems.join('\n'));
  assert.ok(problems.includes('dist/extension.js contains server/src/engine/portset.ts'), problems.join('\n'));
  assert.ok(problems.includes('dist/extension.js contains the package yaml'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('dist/extension.js has ')), 'over the size bound with the yaml package');
});
