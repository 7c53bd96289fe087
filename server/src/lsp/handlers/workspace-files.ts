// netpol/workspaceFiles: the files the index reads, listed from disk now. The extension's git base version of the
// reachability diff takes exactly these files, with the rules the server applies (folders, `files.exclude`,
// `netpol.exclude`, the size limit), without a copy of them.
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { fileSize } from '../files';
import { WorkspaceFilesRequest, type IndexedFile } from '../protocol';

export function registerWorkspaceFiles(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(WorkspaceFilesRequest, () => workspaceFiles(ctx));
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
