// Connectivity assertions in the editor: diagnostics, hovers and lenses for connectivity test files.
// The language server calls registerAssertionHandlers once, before initialize completes.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from './context';

export function registerAssertionHandlers(connection: Connection, ctx: FeatureContext): void {
  // Filled in by the connectivity assertions work.
  void connection;
  void ctx;
}
