// A persistent cache of the fast reader's results (fast-wire.ts JSON), one file per set of workspace folders, so
// that a server start reads a manifest's values with `JSON.parse` instead of reading its YAML again. On the medium
// bench workspace (1,959 files) the reader's cold first pass takes 280-330 ms and `JSON.parse` of the same values
// 100-130 ms; the start's reading window went from 486-657 to 315-399 ms (bench/NOTES.md, "Readings cache").
//
// A reading is reused only for the same file in the same state: path, size, modification and change times, inode
// and device, all from the `fstat` of the read itself. Files changed within RACY_MARGIN_MS of their reading are not
// cached: a file system with coarse timestamps could change them again without a new time (git's "racy clean" case).
// The cache names the build that wrote it (a reader of another build may read differently) and is ignored when it
// is of another build, truncated or otherwise unreadable. Files holding a Secret are never cached: secret values
// stay in the workspace only. NETPOL_READINGS_CACHE=off turns the cache off; NETPOL_CACHE_DIR moves it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeFastResult } from '../engine/fast-wire';
import type { FastResult } from '../engine/fast-yaml';

const MAGIC = 'netpol-readings 1';
/** A file whose times are this close to its reading is read again next time (see the header). */
export const RACY_MARGIN_MS = 5_000;
/** The folder keeps the caches of this many workspaces (the most recently written). */
const KEPT_CACHES = 16;
/** A larger cache is not written (and an older one removed): loading it whole would cost more memory than it saves. */
export const MAX_CACHE_BYTES = 256 * 1024 * 1024;

/** The state of a file on disk that a cached reading belongs to, or undefined when it is too fresh to trust. */
export function cacheKeyOf(stats: fs.BigIntStats, readAtMs: number, racyMarginMs = RACY_MARGIN_MS): string | undefined {
  const newest = Number(stats.mtimeMs > stats.ctimeMs ? stats.mtimeMs : stats.ctimeMs);
  if (newest > readAtMs - racyMarginMs) return undefined;
  return `${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}:${stats.ino}:${stats.dev}`;
}

/** False for a reading that holds a Secret (directly or as an item of a List). */
export function mayCache(fast: FastResult): boolean {
  const isSecret = (value: unknown) => value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === 'Secret';
  for (const doc of fast.documents) {
    if (isSecret(doc.value)) return false;
    const items = doc.value.items;
    if (Array.isArray(items) && items.some(isSecret)) return false;
    if (typeof doc.value.kind === 'string' && doc.value.kind === 'SecretList') return false;
  }
  return true;
}

/** Where the cache of these workspace folders lives, or undefined when caching is off. */
export function readingsCacheFile(folders: readonly string[], directory: string | null | undefined): string | undefined {
  return cacheFileOf('readings', folders, directory);
}

/**
 * The file of one kind of cache (`readings`, `findings`) for a set of workspace folders, in `directory`, else
 * $NETPOL_CACHE_DIR, else the user's cache folder; undefined when caching is off (NETPOL_READINGS_CACHE=off, or a
 * null directory).
 */
export function cacheFileOf(kind: string, folders: readonly string[], directory: string | null | undefined): string | undefined {
  if (process.env.NETPOL_READINGS_CACHE === 'off' || directory === null) return undefined;
  const dir = directory ?? process.env.NETPOL_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'netpol');
  const name = createHash('sha256').update(JSON.stringify([...folders].sort())).digest('hex').slice(0, 24);
  return path.join(dir, `${kind}-${name}.cache`);
}

/**
 * The build a reading comes from: the file and state of the running bundle, so a rebuilt reader never trusts
 * another build's readings (as the code cache does, server/src/boot/code-cache.ts).
 */
export function readerIdentity(bundle = __filename): string {
  try {
    const stats = fs.statSync(bundle, { bigint: true });
    return `${path.basename(bundle)} ${stats.size} ${stats.mtimeNs} ${stats.ino} ${process.version}`;
  } catch {
    return `unknown ${process.version}`;
  }
}

export interface CacheEntry {
  path: string;
  key: string;
  wire: string;
}

/** The readings of a cache file: looked up by path and key, decoded from the file's bytes on demand. */
export class ReadingsCache {
  private constructor(
    private readonly index: Map<string, { key: string; start: number; end: number }>,
    private readonly payload: Buffer,
  ) {}

  static readonly empty = new ReadingsCache(new Map(), Buffer.alloc(0));

  /** The cache in `file` when it is whole and of this build, else an empty one. Never throws. */
  static load(file: string | undefined, identity: string): ReadingsCache {
    const bytes = file ? ReadingsCache.readBytes(file) : undefined;
    return bytes ? ReadingsCache.fromBytes(bytes, identity) : ReadingsCache.empty;
  }

  /**
   * A cache file's bytes, in shared memory so that the index worker can use them without a copy, or undefined when
   * there is none (or it cannot be read).
   */
  static readBytes(file: string): Buffer | undefined {
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'r');
      const size = fs.fstatSync(fd).size;
      if (size > MAX_CACHE_BYTES * 2) return undefined;
      const bytes = Buffer.from(new SharedArrayBuffer(size));
      for (let at = 0; at < size; ) {
        const read = fs.readSync(fd, bytes, at, size - at, at);
        if (read === 0) return undefined; // shrank meanwhile (not by our own writes, which rename)
        at += read;
      }
      return bytes;
    } catch {
      return undefined; // none yet or unreadable: read as if there were none
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** The cache these bytes hold (a file's contents), or an empty one when they are not a whole cache of this build. */
  static fromBytes(bytes: Buffer, identity: string): ReadingsCache {
    try {
      const header = Buffer.from(`${MAGIC} ${JSON.stringify(identity)}\n`);
      if (!bytes.subarray(0, header.length).equals(header)) return ReadingsCache.empty;
      const indexEnd = bytes.indexOf(10, header.length);
      if (indexEnd < 0) return ReadingsCache.empty;
      const entries = JSON.parse(bytes.toString('utf8', header.length, indexEnd)) as unknown;
      if (!Array.isArray(entries)) return ReadingsCache.empty;
      const payload = bytes.subarray(indexEnd + 1);
      const index = new Map<string, { key: string; start: number; end: number }>();
      let offset = 0;
      for (const entry of entries) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string' || !Number.isSafeInteger(entry[2]) || entry[2] < 0) return ReadingsCache.empty;
        index.set(entry[0], { key: entry[1], start: offset, end: offset + entry[2] });
        offset += entry[2];
      }
      return offset === payload.length ? new ReadingsCache(index, payload) : ReadingsCache.empty;
    } catch {
      return ReadingsCache.empty; // not JSON
    }
  }

  get size(): number {
    return this.index.size;
  }

  has(fsPath: string, key: string): boolean {
    return this.index.get(fsPath)?.key === key;
  }

  /** The reading of the file at `fsPath` in the state `key`, as fast-wire JSON. */
  get(fsPath: string, key: string): string | undefined {
    const entry = this.index.get(fsPath);
    return entry && entry.key === key ? this.payload.toString('utf8', entry.start, entry.end) : undefined;
  }

  /** True when `entries` are exactly this cache's (nothing to write). */
  sameAs(entries: readonly { path: string; key: string }[]): boolean {
    return entries.length === this.index.size && entries.every((e) => this.index.get(e.path)?.key === e.key);
  }
}

/**
 * A reading for the next cache: its JSON, the fast result to encode when the cache is written, or (`cached`) the
 * entry of the cache the index started with, which is kept until then instead of a string per file.
 */
export interface CacheCandidate {
  path: string;
  key: string;
  wire?: string;
  fast?: FastResult;
  cached?: true;
}

/** The readings of an index that the cache on disk does not hold yet: encoded a slice at a time, then written. */
export class PendingReadingsCache {
  private encoded = 0;

  constructor(
    readonly file: string,
    private readonly identity: string,
    private readonly previous: ReadingsCache,
    private readonly candidates: CacheCandidate[],
  ) {}

  /** Encodes readings for up to `budgetMs`; true once every reading is ready to write. */
  prepare(budgetMs: number): boolean {
    const sliceStart = Date.now();
    for (; this.encoded < this.candidates.length; this.encoded++) {
      const candidate = this.candidates[this.encoded];
      if (candidate.fast) {
        candidate.wire = encodeFastResult(candidate.fast); // undefined: JSON cannot carry it, left out
        candidate.fast = undefined;
      } else if (candidate.cached) candidate.wire = this.previous.get(candidate.path, candidate.key);
      if (Date.now() - sliceStart > budgetMs) {
        this.encoded++;
        return this.encoded >= this.candidates.length;
      }
    }
    return true;
  }

  /** Prepares what is left and writes the cache file (throws when it cannot; false when too large, see there). */
  write(): boolean {
    this.prepare(Infinity);
    const entries = this.candidates.filter((c): c is CacheEntry & CacheCandidate => c.wire !== undefined);
    return writeReadingsCache(this.file, this.identity, entries);
  }
}

/**
 * Writes the cache atomically (a reader meanwhile sees the old file or the new one) and drops the oldest caches.
 * False when the readings are too many to cache (MAX_CACHE_BYTES): then no cache is left for these folders.
 */
export function writeReadingsCache(file: string, identity: string, entries: readonly CacheEntry[], maxBytes = MAX_CACHE_BYTES): boolean {
  let bytes = 0;
  for (const e of entries) bytes += e.wire.length; // characters: the bytes, for the mostly ASCII text of manifests
  if (bytes > maxBytes) {
    fs.rmSync(file, { force: true });
    return false;
  }
  const wires = entries.map((e) => Buffer.from(e.wire));
  const index = JSON.stringify(entries.map((e, i) => [e.path, e.key, wires[i].length]));
  writeCacheFile(file, Buffer.concat([Buffer.from(`${MAGIC} ${JSON.stringify(identity)}\n${index}\n`), ...wires]), 'readings-');
  return true;
}

/**
 * Writes a cache file atomically (a reader meanwhile sees the old file or the new one), readable by the user alone,
 * then keeps only the KEPT_CACHES most recent files of its kind (`prefix`) in the folder. Throws when it cannot.
 */
export function writeCacheFile(file: string, data: Buffer | string, prefix: string): void {
  const dir = path.dirname(file);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, data, { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  pruneCaches(dir, prefix);
}

function pruneCaches(dir: string, prefix: string): void {
  const caches = fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.cache'))
    .map((name) => {
      const file = path.join(dir, name);
      try {
        return { file, mtime: fs.statSync(file).mtimeMs };
      } catch {
        return { file, mtime: 0 };
      }
    })
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of caches.slice(KEPT_CACHES)) fs.rmSync(file, { force: true });
}
