// textDocument/codeLens: pods a policy selects, who a workload may reach; refreshed after changes.
import { CodeLensRefreshRequest, type CodeLens, type Connection } from 'vscode-languageserver';
import { featureIndex } from '../../engine/features/index';
import { codeLenses } from '../../engine/features/lenses';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';
import { Commands } from '../protocol';
import { guarded, lspLocation } from './feature-support';

export function registerCodeLens(connection: Connection, ctx: FeatureContext): void {
  // Lenses count pods in other files: after any change, visible lenses are stale. The workspace version of the last
  // lens answer tells whether a refresh is due; a client that rejects the refresh request is not asked again.
  let lensesServedAt: number | undefined;
  let refreshUnsupported = false;
  ctx.onDidChangeWorkspace((workspace) => {
    if (refreshUnsupported || lensesServedAt === undefined || lensesServedAt === workspace.version) return;
    lensesServedAt = undefined;
    connection.sendRequest(CodeLensRefreshRequest.type).catch(() => {
      refreshUnsupported = true;
    });
  });

  /** A file's lenses; a template's or base's are those of its objects as rendered, placed on its lines. */
  const lensesOf = (workspace: ReturnType<typeof ctx.workspace>, uri: string): ReturnType<typeof codeLenses> => {
    if (!workspace.isCovered(uri)) return codeLenses(workspace, uri);
    const out: ReturnType<typeof codeLenses> = [];
    const seen = new Set<string>();
    for (const rendered of workspace.renderedUris()) {
      const segments = workspace.renderingOf(rendered)!.segments.filter((s) => s.uri === uri);
      if (segments.length === 0) continue;
      for (const lens of codeLenses(workspace, rendered)) {
        if (!segments.some((s) => s.start <= lens.range[0] && lens.range[0] <= s.end)) continue;
        const placed = workspace.toSource({ uri: rendered, range: lens.range });
        const key = `${placed.range[0]}\u0000${lens.title}`;
        if (placed.uri !== uri || seen.has(key)) continue;
        seen.add(key);
        out.push({ ...lens, range: placed.range, locations: lens.locations.map((l) => workspace.toSource(l)) });
      }
    }
    return out;
  };

  connection.onCodeLens(
    guarded(ctx, 'code lens', [] as CodeLens[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      lensesServedAt = workspace.version;
      return lensesOf(workspace, uri).map((lens): CodeLens => {
        const range = ctx.rangeToLsp(uri, lens.range);
        const command = lens.kind === 'policy' ? Commands.showPolicyPods : Commands.showLocations;
        return { range, command: { title: lens.title, command, arguments: [params.textDocument.uri, range.start, lens.locations.map((l) => lspLocation(ctx, l))] } };
      });
    }),
  );

  connection.onCodeLens(
    guarded(ctx, 'code lens', [] as CodeLens[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      lensesServedAt = workspace.version;
      return lensesOf(workspace, uri).map((lens): CodeLens => {
        const range = ctx.rangeToLsp(uri, lens.range);
        const command = lens.kind === 'policy' ? Commands.showPolicyPods : Commands.showLocations;
        return { range, command: { title: lens.title, command, arguments: [params.textDocument.uri, range.start, lens.locations.map((l) => lspLocation(ctx, l))] } };
      });
    }),
  );
}
