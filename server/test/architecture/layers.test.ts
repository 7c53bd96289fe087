// Architecture invariants (ARCHITECTURE.md, "Layers"): every import of every source file, resolved by the TypeScript
// compiler, stays within what its layer may import (scripts/layers.mjs), and no file imports itself through value
// imports. The build runs the same check; the cases below show that it fails on each kind of leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');
const layers = () => import('../../../scripts/layers.mjs');

test('every import of server/src, client/src and client/webview respects the layers, without import cycles', async () => {
  const { checkLayers } = await layers();
  assert.deepEqual(checkLayers(), []);
});

/** The check run on the real tree plus these files (path relative to the repository -> text). */
async function violationsWith(extra: Record<string, string>): Promise<string[]> {
  const { checkLayers } = await layers();
  const texts = new Map(Object.entries(extra).map(([relative, text]) => [path.join(REPO, relative), text]));
  return checkLayers({ files: [...texts.keys()], read: (f) => texts.get(f) ?? '' });
}

test('the engine may import neither report, lsp, editor nor file-system code', async () => {
  const violations = await violationsWith({
    'server/src/engine/leak.ts': [
      "import { explainText } from '../report/explain';",
      "import type { NetpolSettings } from '../lsp/settings';",
      "import * as fs from 'node:fs';",
      "import { TextDocument } from 'vscode-languageserver-textdocument';",
      "const lazy = () => import('../lsp/files');",
    ].join('\n'),
  });
  assert.deepEqual(
    violations.map((v) => v.replace(/;.*/, '')),
    [
      'server/src/engine/leak.ts:1: engine imports server/src/report/explain.ts (report)',
      'server/src/engine/leak.ts:2: engine imports server/src/lsp/settings.ts (lsp, type only)',
      'server/src/engine/leak.ts:3: engine imports node:fs (a Node.js builtin)',
      'server/src/engine/leak.ts:4: engine imports the package vscode-languageserver-textdocument',
      'server/src/engine/leak.ts:5: engine imports server/src/lsp/files.ts (lsp)',
    ],
  );
});

test('report may not import the language server or the CLI; the protocol imports nothing of the server', async () => {
  const violations = await violationsWith({
    'server/src/report/leak.ts': "import { canonicalUri } from '../lsp/files';\nimport { UsageError } from '../cli/io';\n",
    // The protocol module itself, given another text.
    'server/src/lsp/protocol.ts': "import type { NetpolSettings } from './settings';\nimport { stringify } from 'yaml';\nimport { RequestType } from 'vscode-languageserver-protocol';\n",
  });
  assert.deepEqual(
    violations.map((v) => v.replace(/;.*/, '')),
    [
      'server/src/report/leak.ts:1: report imports server/src/lsp/files.ts (lsp)',
      'server/src/report/leak.ts:2: report imports server/src/cli/io.ts (cli)',
      'server/src/lsp/protocol.ts:1: protocol imports server/src/lsp/settings.ts (lsp, type only)',
      'server/src/lsp/protocol.ts:2: protocol imports the package yaml',
    ],
  );
});

test('the client and the webview may import only the protocol module of the server (the webview: types only)', async () => {
  const violations = await violationsWith({
    'client/src/leak.ts': "import { PortSet } from '../../server/src/engine/portset';\nimport { Commands } from '../../server/src/lsp/protocol';\nimport { stringify } from 'yaml';\n",
    'client/webview/leak.ts': "import { Commands } from '../../server/src/lsp/protocol';\nimport type { GraphNode } from '../../server/src/lsp/protocol';\n",
  });
  assert.deepEqual(
    violations.map((v) => v.replace(/;.*/, '')),
    [
      'client/src/leak.ts:1: client imports server/src/engine/portset.ts (engine)',
      'client/src/leak.ts:3: client imports the package yaml',
      'client/webview/leak.ts:1: webview imports server/src/lsp/protocol.ts (protocol)',
    ],
  );
});

test('the language server may not import the CLI or the VS Code API', async () => {
  const violations = await violationsWith({ 'server/src/lsp/leak.ts': "import { main } from '../cli/main';\nimport * as vscode from 'vscode';\n" });
  assert.deepEqual(
    violations.map((v) => v.replace(/;.*/, '')),
    ['server/src/lsp/leak.ts:1: lsp imports server/src/cli/main.ts (cli)', 'server/src/lsp/leak.ts:2: lsp imports the package vscode'],
  );
});

test('two files that import each other by value are a cycle; a type-only import back is not', async () => {
  const violations = await violationsWith({
    'server/src/engine/features/a-leak.ts': "import { b } from './b-leak';\nexport const a = () => b;\n",
    'server/src/engine/features/b-leak.ts': "import { a } from './a-leak';\nexport const b = () => a;\n",
    'server/src/engine/features/c-leak.ts': "import { d } from './d-leak';\nexport const c = () => d;\n",
    'server/src/engine/features/d-leak.ts': "import type { c } from './c-leak';\nexport const d = (x: typeof c) => x;\n",
  });
  assert.deepEqual(violations, [
    'server/src/engine/features/a-leak.ts: import cycle: server/src/engine/features/a-leak.ts -> server/src/engine/features/b-leak.ts -> server/src/engine/features/a-leak.ts',
  ]);
});

test('a source file outside every layer is a violation', async () => {
  const violations = await violationsWith({ 'server/src/shared/util.ts': 'export const x = 1;\n' });
  assert.deepEqual(violations, ['server/src/shared/util.ts: belongs to no layer (scripts/layers.mjs)']);
});
