// A document was closed: its unsaved text is discarded, the file on disk (if any) takes its place.
import { canonicalUri, pathFromUri } from '../files';
import type { ServerParts } from '../parts';
import { schemeOf } from '../state';

export function registerDocumentClose({ state, logger, diagnostics }: ServerParts): void {
  state.documents.onDidClose((event) => {
    logger.serially('document close', async () => {
      const rawUri = event.document.uri;
      const uri = canonicalUri(rawUri);
      // A closed untitled editor is no longer open, so its language is gone: whether it was indexed tells.
      const indexedEditor = schemeOf(uri) === 'untitled' && (state.ws.hasFile(uri) || state.pending.has(uri));
      if (!state.belongsInIndex(uri) && !indexedEditor) return;
      const fsPath = pathFromUri(uri);
      // Unsaved text is discarded: go back to the file on disk, or forget a file that is not there.
      // Read like the index reads (regular files only, capped, never blocking): the path may be a FIFO.
      const read = fsPath && state.filter.locate(fsPath) ? state.readFromDisk(uri) : undefined;
      if (state.documents.get(rawUri)) return; // reopened meanwhile
      if (read && 'tooLarge' in read) state.markOversized(uri, read.tooLarge);
      else if (read && 'unreadable' in read) state.markUnreadable(uri, read.unreadable);
      else state.queue(uri, read?.text ?? null);
      diagnostics.scheduleAnalysis();
    });
  });
}
