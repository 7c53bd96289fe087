// workspace/symbol: policies, workloads, namespaces and Services by name.
import type { Connection, SymbolInformation } from 'vscode-languageserver';
import { workspaceSymbols } from '../../engine/features/symbols';
import type { FeatureContext } from '../context';
import { guarded, lspLocation, SYMBOL_KINDS } from './feature-support';

export function registerWorkspaceSymbol(connection: Connection, ctx: FeatureContext): void {
  connection.onWorkspaceSymbol(
    guarded(ctx, 'workspace symbols', [] as SymbolInformation[], (params) =>
      workspaceSymbols(ctx.workspace(), params.query).map(
        (s): SymbolInformation => ({ name: s.name, containerName: s.containerName, kind: SYMBOL_KINDS[s.category], location: lspLocation(ctx, s.location) }),
      ),
    ),
  );
}
