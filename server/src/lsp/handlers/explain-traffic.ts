// netpol/explainTraffic: why a connection is allowed or denied, with the smallest policy change for a denied one.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { explainTraffic } from '../extension-queries';
import { ExplainTrafficRequest } from '../protocol';

export function registerExplainTraffic(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(ExplainTrafficRequest, async (params) => {
    await ctx.whenIndexed();
    return explainTraffic(ctx, params);
  });
}
