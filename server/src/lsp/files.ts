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
   *
   * The walk is synchronous, a few milliseconds at a time with requests let in between: the asynchronous API costs
   * a thread-pool round trip per folder and per file, which on 2,000 files took 0.3 s, mostly waiting (NOTES.md).
   * Sizes are not read here: `readTextUnder` checks them as it reads.
   */
  async listFiles(onError: (message: string) => void, sliceMs = 10, onFound?: (filesSoFar: number) => void): Promise<DiskFile[]> {
    const configs: DiskFile[] = [];
    const manifests: DiskFile[] = [];
    const seen = new Set<string>();
    for (const folder of this.folders) {
      // With nested workspace folders a file belongs to the innermost one, which `accepts` finds; otherwise the
      // path relative to the folder being walked is the one that counts, built as the walk goes.
      const nested = this.folders.some((f) => f !== folder && !!relativeWithin(folder.fsPath, f.fsPath));
      // Pending entries, last first: a folder's entries are pushed in reverse name order, so they come out in order.
      const pending: { full: string; relative: string; kind: 'dir' | 'file' }[] = [{ full: folder.fsPath, relative: '', kind: 'dir' }];
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
    return [...configs, ...manifests];
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

/**
 * A file as read: its text; its size when larger than the limit (a lower bound when the file grew while read or its
 * size is unknown, as for `/proc` files); why it cannot be read; or undefined when there is no such file.
 */
export type ReadResult = { text: string } | { tooLarge: number } | { unreadable: string } | undefined;

// Opened without blocking: opening a FIFO for reading otherwise waits for a writer, forever. Windows has no such flag.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);
/** Read at most this much at a time, so that a file that lies about its size is cut off at the limit. */
const READ_CHUNK = 1 << 20;

let kernelDevices: Set<bigint> | undefined;
/**
 * The devices of the kernel's pseudo file systems (`/proc`, `/sys`): their "regular files" claim to be empty, may
 * be endless (`/proc/self/pagemap`) and reading some takes data from others (`/proc/kmsg`). Never read.
 */
function isKernelFile(stats: fs.BigIntStats): boolean {
  if (!kernelDevices) {
    kernelDevices = new Set();
    for (const dir of ['/proc', '/sys']) {
      try {
        const dirStats = fs.statSync(dir, { bigint: true });
        // Only when a pseudo file system is mounted there (a folder of the root file system is not one).
        if (dirStats.dev !== fs.statSync('/', { bigint: true }).dev) kernelDevices.add(dirStats.dev);
      } catch {
        // No such folder (Windows, macOS has no /proc).
      }
    }
  }
  return kernelDevices.has(stats.dev);
}

function kindOf(stats: fs.BigIntStats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return 'reading it would block (not a regular file)';
  if (code === 'EISDIR') return 'a folder';
  if (code === 'ENXIO') return 'a socket';
  return code ?? (error as Error).message;
}

/**
 * A file's text read at once when it is at most `maxSize` bytes (for indexing, which reads many small files in
 * slices), its size when larger (it is not read), or why it cannot be read. One open, one fstat, capped reads.
 */
export function readTextUnder(fsPath: string, maxSize: number): ReadResult {
  const read = readTextAndStats(fsPath, maxSize);
  return read && 'text' in read ? { text: read.text } : read;
}

/**
 * readTextUnder, with the state of the file as it was read (from the same open file). Only regular files are read
 * (a FIFO, socket or device would block or never end), and never more than `maxSize` + 1 bytes whatever `fstat`
 * says: `/proc/self/pagemap` claims 0 bytes and holds gigabytes.
 */
export function readTextAndStats(fsPath: string, maxSize: number): { text: string; stats: fs.BigIntStats } | { tooLarge: number } | { unreadable: string } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(fsPath, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? undefined : { unreadable: reasonOf(error) };
  }
  try {
    const stats = fs.fstatSync(fd, { bigint: true });
    if (!stats.isFile()) return { unreadable: kindOf(stats) };
    if (isKernelFile(stats)) return { unreadable: 'a file of the kernel (/proc or /sys), not a manifest' };
    if (stats.size > BigInt(maxSize)) return { tooLarge: Number(stats.size) };
    const bytes = readCapped(fd, maxSize, Number(stats.size));
    if (bytes.length > maxSize) return { tooLarge: Math.max(bytes.length, Number(stats.size)) };
    return { text: bytes.toString('utf8'), stats };
  } catch (error) {
    return { unreadable: reasonOf(error) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Up to `maxSize` + 1 bytes of an open file (one more than allowed tells that it is too large). Exported for tests. */
export function readCapped(fd: number, maxSize: number, expected: number): Buffer {
  const cap = Math.min(maxSize, 2 ** 31 - 2) + 1;
  let buffer = Buffer.allocUnsafe(Math.min(cap, Math.max(expected + 1, 4096)));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length >= cap) break;
      const bigger = Buffer.allocUnsafe(Math.min(cap, buffer.length * 2));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const n = fs.readSync(fd, buffer, length, Math.min(READ_CHUNK, buffer.length - length), null);
    if (n === 0) break;
    length += n;
  }
  return buffer.subarray(0, length);
}

export async function fileSize(fsPath: string): Promise<number | undefined> {
  try {
    const stat = await fs.promises.stat(fsPath);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}
