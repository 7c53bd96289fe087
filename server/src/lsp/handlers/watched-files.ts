// workspace/didChangeWatchedFiles: files created, changed or deleted on disk (a branch switch reports thousands).
import * as fs from 'node:fs';
import { FileChangeType, type FileEvent } from 'vscode-languageserver';
import { canonicalUri, pathFromUri } from '../files';
import { INDEX_SLICE_MS } from '../indexer';
import type { ServerParts } from '../parts';

export function registerWatchedFiles(parts: ServerParts): void {
  parts.connection.onDidChangeWatchedFiles((params) => {
    parts.logger.serially('watched files', () => onWatchedFiles(parts, params.changes));
  });
}

async function onWatchedFiles({ state, diagnostics }: ServerParts, changes: FileEvent[]): Promise<void> {
  // A branch switch reports thousands of files at once: they are read synchronously (a thread-pool round trip per
  // file cost more than the read), a slice at a time with requests let in between, like indexing.
  let sliceStart = Date.now();
  for (const change of changes) {
    if (Date.now() - sliceStart >= INDEX_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = Date.now();
    }
    const uri = canonicalUri(change.uri);
    const fsPath = pathFromUri(uri);
    if (!fsPath || state.documents.get(uri) || state.documents.get(change.uri)) continue;
    // A deletion reported for a path that exists again (events arrive late, or lie) is read like a change.
    if (change.type === FileChangeType.Deleted && !fs.existsSync(fsPath)) {
      if (state.ws.hasFile(uri) || state.oversized.has(uri) || state.unreadable.has(uri) || state.configTexts.has(uri) || state.pending.has(uri)) {
        state.queue(uri, null);
        continue;
      }
      // Not a file of the index: maybe a deleted folder, which takes every indexed file below it along.
      const prefix = uri.endsWith('/') ? uri : `${uri}/`;
      for (const u of [...state.ws.fileUris(), ...state.oversized.keys(), ...state.unreadable.keys(), ...state.configTexts.keys(), ...state.pending.keys()]) {
        if (u.startsWith(prefix) && !state.documents.get(u)) state.queue(u, null);
      }
      continue;
    }
    if (!state.filter.accepts(fsPath)) continue;
    const read = state.readFromDisk(uri);
    if (!read) {
      state.queue(uri, null);
      continue;
    }
    if ('tooLarge' in read) {
      state.markOversized(uri, read.tooLarge);
      continue;
    }
    if ('unreadable' in read) {
      state.markUnreadable(uri, read.unreadable);
      continue;
    }
    state.queue(uri, read.text);
  }
  diagnostics.scheduleAnalysis(true);
}
