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
      const rel = relativeWithin(folder.fsPath, fsPath);
      if (rel === undefined) continue;
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
   * size limit), each folder's entries in name order, depth first. Unreadable folders are skipped.
   * Sizes are not read here: `readTextUnder` checks them as it reads.
   */
  async listFiles(onError: (message: string) => void, sliceMs = 10, onFound?: (filesSoFar: number) => void): Promise<DiskFile[]> {
    const configs: DiskFile[] = [];
    const manifests: DiskFile[] = [];
    const seen = new Set<string>();
    for (const folder of this.folders) {
      await this.walk(folder, { full: folder.fsPath, relative: '' }, { configs, manifests, seen }, onError, sliceMs, onFound);
    }
    return [...configs, ...manifests];
  }

  /**
   * Every file below one folder of a workspace folder that belongs in the index, by the rules of `listFiles`: for a
   * folder that appeared on disk (created, moved in, checked out), which editors report as one event or not at all.
   * Nothing when the path is not a folder (a link to one is not followed either), lies outside the workspace
   * folders, or is itself skipped or excluded.
   */
  async listFilesUnder(fsPath: string, onError: (message: string) => void, sliceMs = 10): Promise<DiskFile[]> {
    const located = this.locate(fsPath);
    if (!located || (located.relative !== '' && this.isExcludedRelative(located.relative))) return [];
    try {
      if (!fs.lstatSync(fsPath).isDirectory()) return [];
    } catch {
      return [];
    }
    const found = { configs: [] as DiskFile[], manifests: [] as DiskFile[], seen: new Set<string>() };
    await this.walk(located.folder, { full: fsPath, relative: located.relative }, found, onError, sliceMs);
    return [...found.configs, ...found.manifests];
  }

  /**
   * Walks `start` (a folder of the workspace folder `folder`, at `relative` in it), adding what it finds to `found`.
   * The walk is synchronous, a few milliseconds at a time with requests let in between: the asynchronous API costs
   * a thread-pool round trip per folder and per file, which on 2,000 files took 0.3 s, mostly waiting (NOTES.md).
   */
  private async walk(
    folder: Folder,
    start: { full: string; relative: string },
    found: { configs: DiskFile[]; manifests: DiskFile[]; seen: Set<string> },
    onError: (message: string) => void,
    sliceMs: number,
    onFound?: (filesSoFar: number) => void,
  ): Promise<void> {
    const { configs, manifests, seen } = found;
    // With nested workspace folders a file belongs to the innermost one, which `accepts` finds; otherwise the
    // path relative to the folder being walked is the one that counts, built as the walk goes.
    const nested = this.folders.some((f) => f !== folder && !!relativeWithin(folder.fsPath, f.fsPath));
    // Pending entries, last first: a folder's entries are pushed in reverse name order, so they come out in order.
    const pending: { full: string; relative: string; kind: 'dir' | 'file' }[] = [{ ...start, kind: 'dir' }];
    let sliceStart = Date.now();
    while (pending.length > 0) {
      if (Date.now() - sliceStart >= sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = Date.now();
      }
      const item = pending.pop()!;
      if (item.kind === 'file') {
        if (seen.has(item.full)) continue;
        seen.add(item.full);
        const file = { uri: uriFromPath(item.full), fsPath: item.full };
        (item.relative === CONFIG_FILE_NAME || (nested && this.isRootConfig(item.full)) ? configs : manifests).push(file);
        continue;
      }
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(item.full, { withFileTypes: true });
      } catch (error) {
        onError(`cannot read folder ${item.full}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      if (onFound) onFound(configs.length + manifests.length + pending.length);
      for (const entry of entries) {
        const full = path.join(item.full, entry.name);
        const relative = item.relative === '' ? entry.name : `${item.relative}/${entry.name}`;
        // Parents were checked on the way down: only this entry's own name can be a skipped folder.
        if (SKIPPED_DIRS.has(entry.name) || this.excluded.matches(relative)) continue;
        // Symbolic links to folders are not followed (cycles); links to files are. Entries that are not regular
        // files (a FIFO, a device) are listed too: reading refuses them with a finding on the file.
        if (entry.isDirectory()) pending.push({ full, relative, kind: 'dir' });
        else if (!entry.isSymbolicLink() || linksToNonFolder(full)) {
          const accepted = nested ? this.accepts(full) : entry.name === CONFIG_FILE_NAME ? relative === CONFIG_FILE_NAME : isManifestUri(entry.name);
          if (accepted) pending.push({ full, relative, kind: 'file' });
        }
      }
    }
  }
}

/** The path of `child` relative to `parent` (native separators, '' for the folder itself), or undefined outside it. */
function relativeWithin(parent: string, child: string): string | undefined {
  const rel = path.relative(parent, child);
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
}

function linksToNonFolder(fsPath: string): boolean {
  try {
    return !fs.statSync(fsPath).isDirectory();
  } catch {
    return false;
  }
}

export { readCapped, readTextAndStats, readTextUnder, type ReadResult } from '../io/read-file';

export async function fileSize(fsPath: string): Promise<number | undefined> {
  try {
    const stat = await fs.promises.stat(fsPath);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}
