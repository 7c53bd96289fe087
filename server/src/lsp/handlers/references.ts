// textDocument/references: what selects, or is selected by, the object under the cursor.
import type { Connection, Location } from 'vscode-languageserver';
import { references } from '../../engine/features/navigation';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';
import { guarded, lspLocation } from './feature-support';

export function registerReferences(connection: Connection, ctx: FeatureContext): void {
  connection.onReferences(
    guarded(ctx, 'references', [] as Location[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      const offset = ctx.positionToOffset(uri, params.position);
      const at = workspace.toRendered(uri, offset) ?? { uri, offset };
      return references(workspace, at.uri, at.offset, params.context?.includeDeclaration ?? true).map((l) => lspLocation(ctx, workspace.toSource(l)));
    }),
  );
}
