// Reads the files of the index on two threads: this one and a worker (index-worker.ts). Both take the next file from
// one shared counter, read it and run the fast reader on it; the worker sends its files back as text and JSON
// (fast-wire.ts), which this thread turns into values several times faster than reading the YAML. The caller takes
// the files in list order, so the workspace is built in the same order whichever thread read a file.
//
// If the worker cannot start, fails or falls silent, this thread reads the files the worker claimed but never
// delivered: nothing is lost, it is only slower.
//
// Both threads first look a file up in the readings cache (readings-cache.ts): a file in the state it was cached in
// is decoded from its cached JSON instead of being read as YAML. The reader collects what the next cache holds.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { decodeFastResult } from '../engine/fast-wire';
import { readSimpleYaml, type FastResult } from '../engine/fast-yaml';
import { readTextAndStats } from './files';
import { cacheKeyOf, mayCache, PendingReadingsCache, ReadingsCache, type CacheCandidate } from './readings-cache';

/**
 * A file as read: its text and the fast reader's result (null: gave up, undefined: not tried), or its size.
 * `cacheKey` is the file's state when its reading may be cached; `wire` the reading as JSON when there is one
 * already (from the cache or the worker), `fromCache` when it came from the cache.
 */
export type FileRead =
  | { text: string; fastRead: FastResult | null | undefined; cacheKey?: string; wire?: string; fromCache?: boolean; digest?: string }
  | { tooLarge: number }
  /** Why the file cannot be read; '' when it is gone. */
  | { unreadable: string };

/** The readings cache a reader uses: its file and the build identity it must carry. */
export interface ReadingsCacheRef {
  file: string;
  identity: string;
  /** Files changed this recently are not cached (default RACY_MARGIN_MS; tests lower it). */
  racyMarginMs?: number;
}

/**
 * `worker`: a worker started ahead (else one is started here when `useWorker`, by default when there are at least
 * WORKER_MIN_FILES files); it is terminated when not needed. `cache`: the readings cache to look files up in.
 */
export interface IndexReaderOptions {
  worker?: IndexWorker;
  workerScript?: string;
  useWorker?: boolean;
  onWorkerError?: (message: string) => void;
  cache?: ReadingsCacheRef;
}

/** What the worker is asked to read: `paths[i]` for every index it claims from `claims[0]`. */
export interface IndexWorkerJob {
  paths: string[];
  maxSize: number;
  claims: SharedArrayBuffer;
  /** The readings cache's file contents, shared with this thread (not copied), and the build they must name. */
  cache?: { bytes: SharedArrayBuffer; identity: string };
  racyMarginMs?: number;
}

/**
 * One file the worker read: text and wire-encoded fast read (null: the reader gave up; absent: not JSON-safe), or
 * its size; the state it may be cached under, and whether the wire came from the cache.
 */
export interface WorkerFileRead {
  index: number;
  text?: string;
  wire?: string | null;
  tooLarge?: number;
  /** Why the file cannot be read ('' when gone). */
  unreadable?: string;
  cacheKey?: string;
  fromCache?: boolean;
  /** The text's digest for the findings cache's key (text-digest.ts). */
  digest?: string;
}


export type IndexWorkerMessage = { type: 'files'; files: WorkerFileRead[] } | { type: 'done' };

/** Below this many files the worker's start-up (tens of milliseconds) costs more than it saves. */
export const WORKER_MIN_FILES = 64;
/** A worker that sends nothing for this long is given up on (it reads a 5 MB file in well under a second). */
const WORKER_SILENCE_MS = 10_000;

export function defaultWorkerScript(): string {
  // Next to the bundle that runs this code (dist/server.js, dist/cli.js).
  return path.join(__dirname, 'index-worker.js');
}

/**
 * The worker thread, started ahead of the job (its start-up takes tens of milliseconds: it boots while the folders
 * are walked). A failure before a reader takes it is kept, not thrown.
 */
export class IndexWorker {
  readonly thread: Worker;
  failure: string | undefined;

  constructor(script = defaultWorkerScript()) {
    // A plain script: none of this process's Node.js options (loaders, profilers) apply to it.
    this.thread = new Worker(script, { execArgv: [] });
    this.thread.on('error', (error) => (this.failure ??= `index worker failed: ${error.message}`));
    this.thread.on('exit', (code) => (this.failure ??= `index worker exited (code ${code}) before it finished`));
  }
}

export class IndexReader {
  private readonly results: (FileRead | undefined)[];
  private readonly claims: Int32Array;
  private worker: Worker | undefined;
  /** The worker finished or failed: every file it claimed has been delivered, or never will be. */
  private workerSettled = true;
  private workerFailed = false;
  /** Where this thread looks for files a failed worker claimed but did not deliver. */
  private gapCursor = 0;
  private wake: (() => void) | undefined;
  /** How many files the worker delivered (for the log and tests). */
  filesFromWorker = 0;
  /** How many files came from the readings cache, on either thread. */
  filesFromCache = 0;
  private silenceTimer: NodeJS.Timeout | undefined;
  private readonly cache: ReadingsCache;
  private readonly racyMarginMs: number | undefined;
  /** What the next readings cache holds: every file read whose reading may be cached, in list order. */
  readonly cacheCandidates: CacheCandidate[] = [];

  constructor(
    private readonly paths: readonly string[],
    private readonly maxSize: number,
    options: IndexReaderOptions = {},
  ) {
    this.racyMarginMs = options.cache?.racyMarginMs;
    this.results = new Array(paths.length);
    const claims = new SharedArrayBuffer(4);
    this.claims = new Int32Array(claims);
    // The cache file's bytes go to the worker before this thread parses them: both threads parse them at once.
    const cacheBytes = options.cache ? ReadingsCache.readBytes(options.cache.file) : undefined;
    this.startWorker(options, claims, cacheBytes && options.cache ? { bytes: cacheBytes.buffer as SharedArrayBuffer, identity: options.cache.identity } : undefined);
    this.cache = cacheBytes && options.cache ? ReadingsCache.fromBytes(cacheBytes, options.cache.identity) : ReadingsCache.empty;
  }

  private startWorker(options: IndexReaderOptions, claims: SharedArrayBuffer, cache: IndexWorkerJob['cache']): void {
    const paths = this.paths;
    if (!(options.useWorker ?? paths.length >= WORKER_MIN_FILES)) {
      void options.worker?.thread.terminate();
      return;
    }
    let worker: IndexWorker;
    try {
      worker = options.worker ?? new IndexWorker(options.workerScript);
    } catch (error) {
      options.onWorkerError?.(`index worker could not start: ${(error as Error).message}`);
      return;
    }
    if (worker.failure) {
      options.onWorkerError?.(worker.failure);
      void worker.thread.terminate();
      return;
    }
    const fail = (message: string) => {
      if (this.workerSettled) return;
      options.onWorkerError?.(message);
      this.workerFailed = true;
      this.settleWorker();
    };
    this.worker = worker.thread;
    this.workerSettled = false;
    this.worker.on('message', (message: IndexWorkerMessage) => {
      if (this.workerSettled) return; // after a failure this thread reads what is missing
      this.armSilenceTimer(fail);
      if (message.type === 'files') {
        for (const file of message.files) this.results[file.index] = fromWorker(file);
        this.filesFromWorker += message.files.length;
      } else this.settleWorker();
      this.wakeUp();
    });
    this.worker.on('error', (error) => fail(`index worker failed: ${error.message}`));
    this.worker.on('exit', (code) => fail(`index worker exited (code ${code}) before it finished`));
    this.armSilenceTimer(fail);
    const job: IndexWorkerJob = { paths: [...paths], maxSize: this.maxSize, claims, cache, racyMarginMs: this.racyMarginMs };
    this.worker.postMessage(job);
  }

  /** Reads one more file on this thread. False when there is none left to take (others may still be on the way). */
  readOne(): boolean {
    let index = Atomics.add(this.claims, 0, 1);
    if (index >= this.paths.length) {
      if (!this.workerFailed) return false;
      // What the failed worker claimed and never delivered.
      while (this.gapCursor < this.paths.length && this.results[this.gapCursor] !== undefined) this.gapCursor++;
      if (this.gapCursor >= this.paths.length) return false;
      index = this.gapCursor;
    }
    this.results[index] = readForIndex(this.paths[index], this.maxSize, this.cache, this.racyMarginMs);
    return true;
  }

  /** The read of file `index` once it is there (handed over once: the reader keeps only what the cache needs). */
  take(index: number): FileRead | undefined {
    const read = this.results[index];
    if (read === undefined || read === TAKEN) return undefined;
    this.results[index] = TAKEN;
    if ('text' in read) {
      if (read.fromCache) this.filesFromCache++;
      const path = this.paths[index];
      const key = read.cacheKey;
      if (key !== undefined && read.fastRead) {
        // A reading from the cache stays there until the next cache is written (a worker's copy of the cache may
        // be a newer file than this thread's: then its JSON is kept).
        if (read.fromCache && this.cache.has(path, key)) this.cacheCandidates.push({ path, key, cached: true });
        else this.cacheCandidates.push(read.wire !== undefined ? { path, key, wire: read.wire } : { path, key, fast: read.fastRead });
      }
    }
    return read;
  }

  /** True when the cache this reader started with holds exactly its candidates (no new cache to write). */
  cacheUnchanged(): boolean {
    return this.cache.sameAs(this.cacheCandidates);
  }

  /** The cache to write after this index, or undefined when the one on disk holds exactly these readings. */
  pendingCache(ref: ReadingsCacheRef): PendingReadingsCache | undefined {
    return this.cacheUnchanged() ? undefined : new PendingReadingsCache(ref.file, ref.identity, this.cache, this.cacheCandidates);
  }

  /** Resolves when the worker delivers more files or settles (at once when it already has). */
  whenWorkerDelivers(): Promise<void> {
    if (this.workerSettled) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  dispose(): void {
    this.workerSettled = true;
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    void this.worker?.terminate();
    this.worker = undefined;
    this.wakeUp();
  }

  private settleWorker(): void {
    this.workerSettled = true;
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    // Done with its files: its thread and heap are freed (a later index starts a new one).
    void this.worker?.terminate();
    this.wakeUp();
  }

  private armSilenceTimer(fail: (message: string) => void): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    if (this.workerSettled) return;
    this.silenceTimer = setTimeout(() => {
      void this.worker?.terminate();
      fail(`index worker sent nothing for ${WORKER_SILENCE_MS / 1000} s; reading its files here`);
    }, WORKER_SILENCE_MS);
    this.silenceTimer.unref();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Marks a read handed over by take(), so it is neither handed over twice nor read again after a worker failure. */
const TAKEN: FileRead = { unreadable: '' };

/** A file's text and its cached reading when the cache holds one for the file's state (both threads). */
export type RawRead = { text: string; cacheKey?: string; cachedWire?: string } | { tooLarge: number } | { unreadable: string };

export function readRaw(fsPath: string, maxSize: number, cache: ReadingsCache, racyMarginMs?: number): RawRead {
  const read = readTextAndStats(fsPath, maxSize);
  if (!read) return { unreadable: '' };
  if ('tooLarge' in read || 'unreadable' in read) return read;
  const cacheKey = cacheKeyOf(read.stats, Date.now(), racyMarginMs);
  if (cacheKey === undefined) return { text: read.text };
  return { text: read.text, cacheKey, cachedWire: cache.get(fsPath, cacheKey) };
}

/** One file read and fast-read (or decoded from the cache) on this thread. */
export function readForIndex(fsPath: string, maxSize: number, cache = ReadingsCache.empty, racyMarginMs?: number): FileRead {
  const raw = readRaw(fsPath, maxSize, cache, racyMarginMs);
  if (!('text' in raw)) return raw;
  if (raw.cachedWire !== undefined) return { text: raw.text, fastRead: decodeFastResult(raw.cachedWire), cacheKey: raw.cacheKey, wire: raw.cachedWire, fromCache: true };
  const fastRead = readSimpleYaml(raw.text) ?? null;
  const cacheKey = cacheableKey(raw.cacheKey, fastRead);
  return cacheKey !== undefined ? { text: raw.text, fastRead, cacheKey } : { text: raw.text, fastRead };
}

/** The key a fresh reading is cached under (both threads): only readings JSON carries whole, and no Secrets. */
export function cacheableKey(key: string | undefined, fastRead: FastResult | null | undefined): string | undefined {
  return key !== undefined && fastRead?.jsonSafe && mayCache(fastRead) ? key : undefined;
}

function fromWorker(file: WorkerFileRead): FileRead {
  if (file.tooLarge !== undefined) return { tooLarge: file.tooLarge };
  if (file.text === undefined) return { unreadable: file.unreadable ?? '' };
  const digest = file.digest !== undefined ? { digest: file.digest } : {};
  if (typeof file.wire === 'string') {
    const read: FileRead = { text: file.text, fastRead: decodeFastResult(file.wire), ...digest };
    if (file.cacheKey !== undefined) Object.assign(read, { cacheKey: file.cacheKey, wire: file.wire }, file.fromCache ? { fromCache: true } : {});
    return read;
  }
  // A file the fast reader took but JSON cannot carry (wire absent) is read again here: fastRead undefined.
  return { text: file.text, fastRead: file.wire === null ? null : undefined, ...digest };
}
