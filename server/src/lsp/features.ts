// Editor features over the workspace index: hover, code lens, definition, references, completion, symbols.
// The language server calls registerFeatureHandlers once, before initialize completes.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from './context';

export function registerFeatureHandlers(connection: Connection, ctx: FeatureContext): void {
  // Filled in by the editor-features work.
  void connection;
  void ctx;
}
