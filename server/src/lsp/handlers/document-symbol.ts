// textDocument/documentSymbol: the outline of a manifest.
import type { Connection, DocumentSymbol } from 'vscode-languageserver';
import { documentSymbols, type DocumentSymbol as EngineSymbol } from '../../engine/features/symbols';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';
import { guarded, SYMBOL_KINDS } from './feature-support';

export function registerDocumentSymbol(connection: Connection, ctx: FeatureContext): void {
  connection.onDocumentSymbol(
    guarded(ctx, 'document symbols', [] as DocumentSymbol[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const convert = (s: EngineSymbol): DocumentSymbol => ({
        name: s.name,
        detail: s.detail,
        kind: SYMBOL_KINDS[s.category],
        range: ctx.rangeToLsp(uri, s.range),
        selectionRange: ctx.rangeToLsp(uri, s.selectionRange),
        children: s.children.map(convert),
      });
      return documentSymbols(ctx.workspace(), uri).map(convert);
    }),
  );
}
