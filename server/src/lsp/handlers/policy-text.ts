// netpol/policyText: the policy an insert command inserts, filled in from the workspace.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { policyText } from '../extension-queries';
import { PolicyTextRequest } from '../protocol';

export function registerPolicyText(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(PolicyTextRequest, async (params) => {
    await ctx.whenIndexed();
    return policyText(ctx, params);
  });
}
