// The protocol module (server/src/lsp/protocol.ts) is the one place where command and view ids are spelled:
// package.json cannot import it, so its lists are compared here, and no other source file spells an id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { Commands, NO_CONNECTIONS, Views } from '../../src/lsp/protocol';
import { PortSet } from '../../src/engine/portset';

const REPO = path.resolve(__dirname, '..', '..', '..');

interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    menus: Record<string, { command?: string; submenu?: string }[]>;
    submenus: { id: string }[];
  };
}
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Manifest;

test("package.json's contributes.commands lists exactly the protocol's command ids", () => {
  assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(Commands).sort());
});

test("package.json's menus name only the protocol's commands, and its views are the protocol's views", () => {
  const ids = new Set<string>(Object.values(Commands));
  const named = Object.values(manifest.contributes.menus).flatMap((items) => items.flatMap((i) => (i.command ? [i.command] : [])));
  assert.ok(named.length > 5, 'menus read');
  assert.deepEqual(named.filter((c) => !ids.has(c)), []);
  const views = Object.values(manifest.contributes.views).flatMap((list) => list.map((v) => v.id));
  assert.deepEqual(views.filter((v) => !(Object.values(Views) as string[]).includes(v)), []);
  assert.ok(views.includes(Views.reachabilityChanges));
});

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : /\.ts$/.test(e.name) ? [full] : [];
  });
}

/** The string literals of a file's code (comments may name an id). */
function stringLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no source file but the protocol module spells a command or view id', () => {
  const ids = [...Object.values(Commands), ...Object.values(Views)];
  const protocol = path.join(REPO, 'server', 'src', 'lsp', 'protocol.ts');
  const files = ['server/src', 'client/src', 'client/webview'].flatMap((d) => sources(path.join(REPO, d))).filter((f) => f !== protocol);
  assert.ok(files.length > 50, 'sources found');
  const spelled: string[] = [];
  for (const file of files) {
    const literals = new Set(stringLiterals(file));
    for (const id of ids) if (literals.has(id)) spelled.push(`${path.relative(REPO, file)}: ${id}`);
  }
  assert.deepEqual(spelled, []);
});

test("the protocol's NO_CONNECTIONS is how the engine writes an empty port set", () => {
  assert.equal(PortSet.NONE.toString(), NO_CONNECTIONS);
});
