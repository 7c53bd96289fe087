// An open document's text changed (or it was opened): the editor's text replaces the disk's in the workspace.
import { canonicalUri } from '../files';
import type { ServerParts } from '../parts';
import { acceptedScheme } from '../state';

export function registerDocumentChange({ state, logger, diagnostics }: ServerParts): void {
  state.documents.onDidChangeContent((event) =>
    logger.guard('document change', undefined, () => {
      const uri = canonicalUri(event.document.uri);
      if (!acceptedScheme(uri)) return;
      state.touchedDocuments.add(uri);
      if (state.belongsInIndex(uri)) state.queue(uri, event.document.getText());
      diagnostics.scheduleAnalysis();
    }),
  );
}
