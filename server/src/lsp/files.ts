// Reading the workspace folders from disk for the index: which files are manifests, which are excluded, how big
// they are. The engine never touches the file system; this is the language server's side of it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { CONFIG_FILE_NAME } from '../engine/config';
import { isManifestUri } from '../engine/parse';
import { GlobSet } from './glob';

/** Folders never indexed: dependencies and version control internals. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);

export interface DiskFile {
  uri: string;
  fsPath: string;
  size: number;
}

/** URIs as VS Code writes them, so files read from disk and documents opened in the editor share one key. */
export function uriFromPath(fsPath: string): string {
  return URI.file(fsPath).toString();
}

/** The canonical form of a URI received from a client (clients differ in which characters they percent-encode). */
export function canonicalUri(uri: string): string {
  try {
    const parsed = URI.parse(uri);
    return parsed.scheme === 'file' ? URI.file(parsed.fsPath).toString() : parsed.toString();
  } catch {
    return uri;
  }
}

export function pathFromUri(uri: string): string | undefined {
  try {
    const parsed = URI.parse(uri);
    return parsed.scheme === 'file' ? parsed.fsPath : undefined;
  } catch {
    return undefined;
  }
}

export interface Folder {
  uri: string;
  fsPath: string;
}

export class FileFilter {
  constructor(
    private readonly folders: Folder[],
    private readonly excluded: GlobSet,
  ) {}

  /** The folder holding a path, and the path relative to it (with `/`). */
  locate(fsPath: string): { folder: Folder; relative: string } | undefined {
    let best: { folder: Folder; relative: string } | undefined;
    for (const folder of this.folders) {
      const rel = path.relative(folder.fsPath, fsPath);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      if (!best || folder.fsPath.length > best.folder.fsPath.length) best = { folder, relative: rel.split(path.sep).join('/') };
    }
    return best;
  }

  /** Whether the file at this path belongs in the index (manifest or root configuration, not excluded). */
  accepts(fsPath: string): boolean {
    const located = this.locate(fsPath);
    const name = path.basename(fsPath);
    if (!located) return isManifestUri(name) && name !== CONFIG_FILE_NAME;
    if (this.isExcludedRelative(located.relative)) return false;
    if (name === CONFIG_FILE_NAME) return located.relative === CONFIG_FILE_NAME;
    return isManifestUri(name);
  }

  /** Whether the path is the configuration file at the root of a workspace folder. */
  isRootConfig(fsPath: string): boolean {
    return this.locate(fsPath)?.relative === CONFIG_FILE_NAME;
  }

  isExcludedRelative(relative: string): boolean {
    if (relative.split('/').some((segment) => SKIPPED_DIRS.has(segment))) return true;
    return this.excluded.matches(relative);
  }

  /**
   * Every file of the folders that belongs in the index, configuration files first (they decide scopes and the
   * size limit). Unreadable folders are skipped.
   */
  async listFiles(onError: (message: string) => void): Promise<DiskFile[]> {
    const configs: DiskFile[] = [];
    const manifests: DiskFile[] = [];
    const seen = new Set<string>();
    const walk = async (dir: string, folder: Folder): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (error) {
        onError(`cannot read folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // A folder's files are stat'ed together (all in flight at once: one at a time, 2,000 files cost 2,000
      // thread-pool round trips), then taken in name order with its subfolders.
      const kept: { entry: fs.Dirent; full: string; stat?: Promise<fs.Stats | undefined> }[] = [];
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        const relative = path.relative(folder.fsPath, full).split(path.sep).join('/');
        if (this.isExcludedRelative(relative)) continue;
        // Symbolic links to folders are not followed (cycles); links to files are.
        if (entry.isDirectory()) kept.push({ entry, full });
        else if ((entry.isFile() || entry.isSymbolicLink()) && this.accepts(full)) kept.push({ entry, full, stat: fs.promises.stat(full).catch(() => undefined) });
      }
      for (const { entry, full, stat } of kept) {
        if (!stat) {
          await walk(full, folder);
          continue;
        }
        const stats = await stat;
        if (!stats?.isFile() || seen.has(full)) continue;
        seen.add(full);
        const file = { uri: uriFromPath(full), fsPath: full, size: stats.size };
        (entry.name === CONFIG_FILE_NAME ? configs : manifests).push(file);
      }
    };
    for (const folder of this.folders) await walk(folder.fsPath, folder);
    return [...configs, ...manifests];
  }
}

/** A file's text read at once (for indexing, which reads many small files in slices), or undefined when unreadable. */
export function readTextSync(fsPath: string): string | undefined {
  try {
    return fs.readFileSync(fsPath, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readText(fsPath: string): Promise<string | undefined> {
  try {
    return await fs.promises.readFile(fsPath, 'utf8');
  } catch {
    return undefined;
  }
}

export async function fileSize(fsPath: string): Promise<number | undefined> {
  try {
    const stat = await fs.promises.stat(fsPath);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}
