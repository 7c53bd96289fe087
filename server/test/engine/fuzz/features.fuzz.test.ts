// The editor features (hover, completion, definition, references, code lenses, symbols) asked at random offsets of
// mangled, half-typed and hostile documents: no exception escapes and every returned range lies inside its file.
// The language server guards its handlers too, but a feature that throws answers nothing: the user loses the hover.
// Seeded (see arbitraries.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { completion } from '../../../src/engine/features/completion';
import { hover } from '../../../src/engine/features/hover';
import { codeLenses } from '../../../src/engine/features/lenses';
import { definition, references } from '../../../src/engine/features/navigation';
import { documentSymbols, workspaceSymbols, type DocumentSymbol } from '../../../src/engine/features/symbols';
import type { OffsetRange } from '../../../src/engine/types';
import { Workspace } from '../../../src/engine/workspace';
import { ROOT, WITNESS, WITNESS_URI } from '../robustness/harness';
import { applyTextEdits, clusterArb, clusterObjects, FUZZ_SEED, fuzzOptions, mangledClusterArb, textEdits, toYaml } from './arbitraries';

const URI = `${ROOT}/edited.yaml`;

function inside(ws: Workspace, uri: string, range: OffsetRange, what: string): void {
  const text = ws.getFile(uri)?.text;
  if (text === undefined) return;
  assert.ok(0 <= range[0] && range[0] <= range[1] && range[1] <= text.length, `${what}: [${range}] inside ${uri} (${text.length})`);
}

function askEverything(ws: Workspace, uri: string, offsets: readonly number[]): void {
  const text = ws.getFile(uri)?.text ?? '';
  for (const raw of offsets) {
    const offset = text.length === 0 ? 0 : raw % (text.length + 1);
    const h = hover(ws, uri, offset);
    if (h) inside(ws, uri, h.range, 'hover');
    for (const item of completion(ws, uri, offset, text)) inside(ws, uri, item.range, 'completion');
    for (const l of definition(ws, uri, offset)) inside(ws, l.uri, l.range, 'definition');
    for (const l of references(ws, uri, offset, true)) inside(ws, l.uri, l.range, 'references');
  }
  for (const lens of codeLenses(ws, uri)) inside(ws, uri, lens.range, 'code lens');
  const walk = (s: DocumentSymbol) => {
    inside(ws, uri, s.range, 'symbol');
    inside(ws, uri, s.selectionRange, 'symbol selection');
    s.children.forEach(walk);
  };
  documentSymbols(ws, uri).forEach(walk);
  for (const s of workspaceSymbols(ws, 'p')) inside(ws, s.location.uri, s.location.range, 'workspace symbol');
}

function workspaceWith(text: string): Workspace {
  const ws = new Workspace();
  ws.setFile(WITNESS_URI, WITNESS);
  ws.setFile(URI, text);
  return ws;
}

const offsetsArb = fc.array(fc.nat(), { minLength: 4, maxLength: 12 });

describe(`fuzz: editor features on hostile documents (seed ${FUZZ_SEED})`, () => {
  it('half-typed and broken documents (text edits on generated clusters)', () => {
    fc.assert(
      fc.property(clusterArb, textEdits, offsetsArb, (cluster, edits, offsets) => {
        askEverything(workspaceWith(applyTextEdits(toYaml(clusterObjects(cluster)), edits)), URI, offsets);
      }),
      fuzzOptions(80),
    );
  });

  it('wrong shapes (wrong values anywhere in generated clusters)', () => {
    fc.assert(
      fc.property(mangledClusterArb, offsetsArb, (objects, offsets) => {
        askEverything(workspaceWith(toYaml(objects)), URI, offsets);
      }),
      fuzzOptions(80),
    );
  });

  it('every offset of the witness file while another file is hostile', () => {
    const hostile = ['{{ .Values }}', 'a: [', '\u0000\u0001', 'metadata: 5\nkind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nspec: {podSelector: 7}'];
    for (const text of hostile) {
      const ws = workspaceWith(text);
      askEverything(ws, WITNESS_URI, Array.from({ length: WITNESS.length + 1 }, (_, i) => i));
      askEverything(ws, URI, Array.from({ length: text.length + 1 }, (_, i) => i));
    }
  });
});
