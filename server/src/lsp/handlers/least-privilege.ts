// netpol/leastPrivilege: a least-privilege policy for one workload.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { leastPrivilege } from '../extension-queries';
import { LeastPrivilegeRequest } from '../protocol';

export function registerLeastPrivilege(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(LeastPrivilegeRequest, async (params) => {
    await ctx.whenIndexed();
    return leastPrivilege(ctx, params ?? {});
  });
}
