// Fixture workspaces for the editor-feature tests: files from test-fixtures/features/<name>, plus inline YAML with a
// cursor marker (‸) that is removed before parsing.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Workspace } from '../../../src/engine/workspace';

export const CURSOR = '‸';
export const FIXTURES = resolve(__dirname, '../../../../test-fixtures/features');

export function fixtureUri(name: string, file: string): string {
  return `file:///fixtures/${name}/${file}`;
}

/** A workspace holding every file of a fixture folder (markers removed), plus extra inline files. */
export function fixtureWorkspace(name: string, extra: Record<string, string> = {}): Workspace {
  const workspace = new Workspace();
  const dir = join(FIXTURES, name);
  for (const file of readdirSync(dir).sort()) {
    if (!/\.(ya?ml|json)$/.test(file)) continue;
    workspace.setFile(fixtureUri(name, file), readFileSync(join(dir, file), 'utf8').split(CURSOR).join(''));
  }
  for (const [file, text] of Object.entries(extra)) workspace.setFile(fixtureUri(name, file), text.split(CURSOR).join(''));
  return workspace;
}

export interface Marked {
  workspace: Workspace;
  uri: string;
  offset: number;
}

/** A workspace with an inline file whose text holds the cursor marker; returns where the marker was. */
export function withCursor(name: string, file: string, textWithMarker: string): Marked {
  const offset = textWithMarker.indexOf(CURSOR);
  if (offset < 0 || textWithMarker.indexOf(CURSOR, offset + 1) >= 0) throw new Error('expected exactly one cursor marker');
  return { workspace: fixtureWorkspace(name, { [file]: textWithMarker }), uri: fixtureUri(name, file), offset };
}

/**
 * The offset of a marker placed inside a snippet of an existing fixture file: `at(ws, uri, 'name: db-al‸low')`.
 * The snippet (without marker) must occur exactly once in the file.
 */
export function at(workspace: Workspace, uri: string, snippetWithMarker: string, occurrence = 0): number {
  const marker = snippetWithMarker.indexOf(CURSOR);
  if (marker < 0) throw new Error('snippet needs a cursor marker');
  const snippet = snippetWithMarker.split(CURSOR).join('');
  const text = workspace.getFile(uri)!.text;
  let found = -1;
  for (let i = 0; i <= occurrence; i++) {
    found = text.indexOf(snippet, found + 1);
    if (found < 0) throw new Error(`snippet ${JSON.stringify(snippet)} not found (occurrence ${i}) in ${uri}`);
  }
  return found + marker;
}
