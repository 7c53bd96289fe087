// textDocument/definition: where a selector, peer or port name is defined.
import type { Connection, Location } from 'vscode-languageserver';
import { definition } from '../../engine/features/navigation';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';
import { guarded, lspLocation } from './feature-support';

export function registerDefinition(connection: Connection, ctx: FeatureContext): void {
  connection.onDefinition(
    guarded(ctx, 'definition', [] as Location[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      const offset = ctx.positionToOffset(uri, params.position);
      const at = workspace.toRendered(uri, offset) ?? { uri, offset };
      return definition(workspace, at.uri, at.offset).map((l) => lspLocation(ctx, workspace.toSource(l)));
    }),
  );
}
