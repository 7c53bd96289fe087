// workspace/didChangeWatchedFiles: files created, changed or deleted on disk (a branch switch reports thousands).
import * as fs from 'node:fs';
import { FileChangeType, type FileEvent } from 'vscode-languageserver';
import { canonicalUri, pathFromUri } from '../files';
import { INDEX_SLICE_MS } from '../indexer';
import type { ServerParts } from '../parts';
import type { ServerState } from '../state';

export function registerWatchedFiles(parts: ServerParts): void {
  parts.connection.onDidChangeWatchedFiles((params) => {
    parts.logger.serially('watched files', () => onWatchedFiles(parts, params.changes));
  });
}

async function onWatchedFiles({ state, diagnostics, logger }: ServerParts, changes: FileEvent[]): Promise<void> {
  // A branch switch reports thousands of files at once: they are read synchronously (a thread-pool round trip per
  // file cost more than the read), a slice at a time with requests let in between, like indexing.
  let sliceStart = Date.now();
  const yieldBetweenSlices = async () => {
    if (Date.now() - sliceStart < INDEX_SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    sliceStart = Date.now();
  };
  // Each path once, as its last event says: the same file comes from several watchers, and a folder walked below
  // may hold files that have events of their own. What is read is the disk now, after every event of the batch.
  const latest = new Map<string, { type: FileChangeType; reported: string }>();
  for (const change of changes) {
    const uri = canonicalUri(change.uri);
    latest.delete(uri);
    latest.set(uri, { type: change.type, reported: change.uri });
  }
  const handled = new Set<string>();
  /** Folders walked in this batch (as URI prefixes): events below them were handled by the walk. */
  const walked = new Set<string>();
  const insideWalked = (uri: string) => {
    for (let end = uri.lastIndexOf('/'); end > 0; end = uri.lastIndexOf('/', end - 1)) if (walked.has(uri.slice(0, end + 1))) return true;
    return false;
  };
  for (const [uri, { type, reported }] of latest) {
    await yieldBetweenSlices();
    const fsPath = pathFromUri(uri);
    if (!fsPath || handled.has(uri) || state.documents.get(uri) || state.documents.get(reported)) continue;
    if (type !== FileChangeType.Deleted && insideWalked(uri)) continue;
    handled.add(uri);
    // A deletion reported for a path that exists again (events arrive late, or lie) is read like a change.
    if (type === FileChangeType.Deleted && !fs.existsSync(fsPath)) {
      if (state.ws.hasFile(uri) || state.oversized.has(uri) || state.unreadable.has(uri) || state.configTexts.has(uri) || state.pending.has(uri)) {
        state.queue(uri, null);
        continue;
      }
      // Not a file of the index: maybe a deleted folder, which takes every indexed file below it along.
      for (const u of indexedUrisUnder(state, uri)) if (!state.documents.get(u)) state.queue(u, null);
      continue;
    }
    // A folder that appeared (created, moved or renamed in, checked out, unpacked) or is back after a deletion:
    // editors report the folder alone, or miss the files written into it before they watched it (inotify), so it is
    // walked here with the rules of the index, and what the index holds below it is made to agree with the disk.
    if (type !== FileChangeType.Changed && isFolder(fsPath)) {
      const files = await state.filter.listFilesUnder(fsPath, (message) => logger.log(`netpol: ${message}`), INDEX_SLICE_MS);
      walked.add(uri.endsWith('/') ? uri : `${uri}/`);
      const found = new Set(files.map((f) => f.uri));
      for (const file of files) {
        await yieldBetweenSlices();
        if (handled.has(file.uri)) continue;
        handled.add(file.uri);
        if (!state.documents.get(file.uri)) readIntoIndex(state, file.uri);
      }
      // Rendered manifests (charts, kustomizations) are the renderer's to update.
      for (const u of indexedUrisUnder(state, uri)) if (!found.has(u) && !state.documents.get(u) && !state.ws.renderingOf(u)) state.queue(u, null);
      continue;
    }
    if (!state.filter.accepts(fsPath)) continue;
    readIntoIndex(state, uri);
  }
  diagnostics.scheduleAnalysis(true);
}

/** Reads a file of the index from disk into the workspace, or notes why it is not there. */
function readIntoIndex(state: ServerState, uri: string): void {
  const read = state.readFromDisk(uri);
  if (!read) state.queue(uri, null);
  else if ('tooLarge' in read) state.markOversized(uri, read.tooLarge);
  else if ('unreadable' in read) state.markUnreadable(uri, read.unreadable);
  else state.queue(uri, read.text);
}

/** Every URI the index knows below a folder (read, pending, too large or unreadable). */
function indexedUrisUnder(state: ServerState, folderUri: string): string[] {
  const prefix = folderUri.endsWith('/') ? folderUri : `${folderUri}/`;
  const known = [...state.ws.fileUris(), ...state.oversized.keys(), ...state.unreadable.keys(), ...state.configTexts.keys(), ...state.pending.keys()];
  return [...new Set(known.filter((u) => u.startsWith(prefix)))];
}

/** A folder, not a link to one (links to folders are not followed, as in the index). */
function isFolder(fsPath: string): boolean {
  try {
    return fs.lstatSync(fsPath).isDirectory();
  } catch {
    return false;
  }
}
