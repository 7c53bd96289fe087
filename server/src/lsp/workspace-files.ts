// The index's files for the client: which files the index reads (listed from disk now) and which paths it would
// read. The extension's git base version of the reachability diff takes exactly these files, with the rules the
// server applies (folders, `files.exclude`, `netpol.exclude`, the size limit), without a copy of them.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from './context';
import { fileSize } from './files';
import { IndexAcceptsRequest, WorkspaceFilesRequest, type IndexedFile } from './protocol';

export function registerWorkspaceFilesHandlers(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(WorkspaceFilesRequest, () => workspaceFiles(ctx));
  connection.onRequest(IndexAcceptsRequest, (params) => {
    const filter = ctx.fileFilter();
    const paths = Array.isArray(params?.paths) ? params.paths.filter((p): p is string => typeof p === 'string') : [];
    return paths.filter((p) => !!filter.locate(p) && filter.accepts(p));
  });
}

async function workspaceFiles(ctx: FeatureContext): Promise<IndexedFile[]> {
  const filter = ctx.fileFilter();
  const maxSize = ctx.maxFileSize();
  // Unreadable folders are skipped here as in the index (which logs them).
  const files = await filter.listFiles(() => undefined);
  const sizes = await Promise.all(files.map((f) => fileSize(f.fsPath)));
  // Root configuration files are read whole, as the index reads them.
  return files.filter((f, i) => sizes[i] !== undefined && (sizes[i] <= maxSize || filter.isRootConfig(f.fsPath)));
}
