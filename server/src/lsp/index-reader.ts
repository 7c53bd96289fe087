// Reads the files of the index on two threads: this one and a worker (index-worker.ts). Both take the next file from
// one shared counter, read it and run the fast reader on it; the worker sends its files back as text and JSON
// (fast-wire.ts), which this thread turns into values several times faster than reading the YAML. The caller takes
// the files in list order, so the workspace is built in the same order whichever thread read a file.
//
// If the worker cannot start, fails or falls silent, this thread reads the files the worker claimed but never
// delivered: nothing is lost, it is only slower.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { decodeFastResult } from '../engine/fast-wire';
import { readSimpleYaml, type FastResult } from '../engine/fast-yaml';
import { readTextUnder } from './files';

/** A file as read: its text and the fast reader's result (null: gave up, undefined: not tried), or its size. */
export type FileRead = { text: string; fastRead: FastResult | null | undefined } | { tooLarge: number } | { unreadable: true };

/** What the worker is asked to read: `paths[i]` for every index it claims from `claims[0]`. */
export interface IndexWorkerJob {
  paths: string[];
  maxSize: number;
  claims: SharedArrayBuffer;
}

/** One file the worker read: text and wire-encoded fast read (null: the reader gave up; absent: not JSON-safe), or its size. */
export interface WorkerFileRead {
  index: number;
  text?: string;
  wire?: string | null;
  tooLarge?: number;
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
  private silenceTimer: NodeJS.Timeout | undefined;

  /**
   * @param options.worker a worker started ahead (else one is started here when `useWorker`, by default when there
   *   are at least WORKER_MIN_FILES files); it is terminated when not needed.
   */
  constructor(
    private readonly paths: readonly string[],
    private readonly maxSize: number,
    options: { worker?: IndexWorker; workerScript?: string; useWorker?: boolean; onWorkerError?: (message: string) => void } = {},
  ) {
    this.results = new Array(paths.length);
    const claims = new SharedArrayBuffer(4);
    this.claims = new Int32Array(claims);
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
    const job: IndexWorkerJob = { paths: [...paths], maxSize, claims };
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
    this.results[index] = readForIndex(this.paths[index], this.maxSize);
    return true;
  }

  /** The read of file `index` once it is there (handed over once: the reader keeps no reference to it). */
  take(index: number): FileRead | undefined {
    const read = this.results[index];
    if (read !== undefined) this.results[index] = TAKEN;
    return read === TAKEN ? undefined : read;
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
const TAKEN: FileRead = { unreadable: true };

/** One file read and fast-read, the same on either thread (the worker encodes the result for the way back). */
export function readForIndex(fsPath: string, maxSize: number): FileRead {
  const read = readTextUnder(fsPath, maxSize);
  if (!read) return { unreadable: true };
  if ('tooLarge' in read) return read;
  return { text: read.text, fastRead: readSimpleYaml(read.text) ?? null };
}

function fromWorker(file: WorkerFileRead): FileRead {
  if (file.tooLarge !== undefined) return { tooLarge: file.tooLarge };
  if (file.text === undefined) return { unreadable: true };
  // A file the fast reader took but JSON cannot carry (wire null with a fast read) is read again here: undefined.
  return { text: file.text, fastRead: typeof file.wire === 'string' ? decodeFastResult(file.wire) : file.wire === null ? null : undefined };
}
