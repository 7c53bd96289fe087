// textDocument/hover: what the engine knows of the object under the cursor (rendered objects of templates too).
import { MarkupKind, type Connection } from 'vscode-languageserver';
import { hover } from '../../engine/features/hover';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';
import { guarded } from './feature-support';

export function registerHover(connection: Connection, ctx: FeatureContext): void {
  connection.onHover(
    guarded(ctx, 'hover', null, (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      const offset = ctx.positionToOffset(uri, params.position);
      // A template or a base: the hover of the object as rendered (its range is in the rendered text: left out).
      const rendered = workspace.toRendered(uri, offset);
      const result = rendered ? hover(workspace, rendered.uri, rendered.offset) : hover(workspace, uri, offset);
      if (!result) return null;
      if (rendered) return { contents: { kind: MarkupKind.Markdown, value: result.markdown } };
      return { contents: { kind: MarkupKind.Markdown, value: result.markdown }, range: ctx.rangeToLsp(uri, result.range) };
    }),
  );
}
