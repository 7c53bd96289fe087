// Connectivity assertions in the editor. Failing expectations of `kind: ConnectivityTest` files become diagnostics
// (with the deciding policies and rules as related information), recomputed with every analysis, so they follow
// edits of any policy or workload live. Hovers, the code lens per test and completion in test files come from the
// engine's editor features (engine/assertions/editor.ts, which engine/features delegates test files to).
import type { Connection } from 'vscode-languageserver';
import { connectivityTestDiagnosticSteps } from '../../engine/assertions/editor';
import type { FeatureContext } from '../context';

export function registerConnectivityTests(_connection: Connection, ctx: FeatureContext): void {
  ctx.addDiagnosticSource((workspace) => connectivityTestDiagnosticSteps(workspace));
}
