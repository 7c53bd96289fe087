// textDocument/semanticTokens/full: the engine's semantic tokens (engine/features/semantic-tokens.ts) encoded with
// the legend of protocol.ts (announced in parts.ts serverCapabilities), placed in the editor's text.
import { SemanticTokenModifiers, SemanticTokensBuilder, type Connection, type SemanticTokens } from 'vscode-languageserver';
import { semanticTokens, type SemanticCategory } from '../../engine/features/semantic-tokens';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';
import { SEMANTIC_TOKEN_LEGEND } from '../protocol';
import { guarded } from './feature-support';

const TYPE_OF: Record<SemanticCategory, string> = {
  namespace: 'namespace',
  'label-key': 'property',
  'label-value': 'string',
  'port-number': 'number',
  'port-name': 'enumMember',
  enum: 'enumMember',
};
const TYPE_INDEX = new Map<string, number>(SEMANTIC_TOKEN_LEGEND.tokenTypes.map((t, i) => [t, i]));
const DECLARATION = 1 << SEMANTIC_TOKEN_LEGEND.tokenModifiers.indexOf(SemanticTokenModifiers.declaration);

/** The tokens of a text as LSP's relative encoding (positions in UTF-16 code units, as engine offsets are). */
export function encodeSemanticTokens(text: string, tokens: ReturnType<typeof semanticTokens>): SemanticTokens {
  const builder = new SemanticTokensBuilder();
  let line = 0;
  let lineStart = 0;
  for (const token of tokens) {
    // Tokens come in text order: the line is found by walking forward.
    for (let next = text.indexOf('\n', lineStart); next >= 0 && next < token.range[0]; next = text.indexOf('\n', lineStart)) {
      line++;
      lineStart = next + 1;
    }
    builder.push(line, token.range[0] - lineStart, token.range[1] - token.range[0], TYPE_INDEX.get(TYPE_OF[token.category])!, token.declaration ? DECLARATION : 0);
  }
  return builder.build();
}

export function registerSemanticTokens(connection: Connection, ctx: FeatureContext): void {
  connection.languages.semanticTokens.on(
    guarded(ctx, 'semantic tokens', { data: [] } as SemanticTokens, (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      // The editor's text is what the tokens are placed in.
      const text = ctx.documents.get(params.textDocument.uri)?.getText() ?? workspace.getFile(uri)?.text;
      if (text === undefined) return { data: [] };
      return encodeSemanticTokens(text, semanticTokens(workspace, uri, text));
    }),
  );
}
