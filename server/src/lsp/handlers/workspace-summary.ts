// netpol/workspaceSummary: scopes, workloads and the document under the cursor, for quick picks and pre-fills.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { workspaceSummary } from '../extension-queries';
import { WorkspaceSummaryRequest } from '../protocol';

export function registerWorkspaceSummary(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(WorkspaceSummaryRequest, async (params) => {
    await ctx.whenIndexed();
    return workspaceSummary(ctx, params ?? {});
  });
}
