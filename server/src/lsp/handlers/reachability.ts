// netpol/reachability: the reachability graph of a scope (the reachability view).
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { reachabilityGraph } from '../extension-queries';
import { ReachabilityRequest } from '../protocol';

export function registerReachability(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(ReachabilityRequest, async (params) => {
    await ctx.whenIndexed();
    return reachabilityGraph(ctx, params?.scope);
  });
}
