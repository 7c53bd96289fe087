// The one place the language server defers work: every "run later", "run when quiet" and "next slice" of the
// server is a named job here, so what is waiting, and why, is visible in one map (and shutdown stops all of it).
// Scheduling a job that is already waiting replaces it: a job runs at most once per scheduling.

/** The deferred work of the language server, by name. */
export type JobName =
  /** The rules' analysis after changes (debounced; see Diagnostics.scheduleAnalysis). */
  | 'analysis'
  /** The next slice of the other diagnostic sources (connectivity tests). */
  | 'sources'
  /** Writing the findings cache once analyses have stopped. */
  | 'findings-write'
  /** The rules' first run after a start from the findings cache. */
  | 'warm-up'
  /** Encoding and writing the readings cache while idle after an index. */
  | 'readings-write'
  /** Preparing open documents for their first hover while idle (handlers/document-open.ts). */
  | 'warm-documents'
  /** The next pass of rendering charts and kustomizations (render.ts). */
  | 'render';

export interface ScheduleOptions {
  /** Whether the waiting job keeps the process alive (default true); background caches do not. */
  keepAlive?: boolean;
}

interface Waiting {
  handle: NodeJS.Timeout | NodeJS.Immediate;
  immediate: boolean;
}

export class Scheduler {
  private readonly waiting = new Map<JobName, Waiting>();
  private stopped = false;

  /** Runs `run` after `delayMs` (0: after the messages already received), replacing the job's waiting run. */
  schedule(name: JobName, delayMs: number, run: () => void, options: ScheduleOptions = {}): void {
    this.cancel(name);
    if (this.stopped) return;
    const fire = () => {
      this.waiting.delete(name);
      run();
    };
    const handle = setTimeout(fire, delayMs);
    if (options.keepAlive === false) handle.unref();
    this.waiting.set(name, { handle, immediate: false });
  }

  /** Runs `run` once the I/O waiting now has been handled (setImmediate), replacing the job's waiting run. */
  soon(name: JobName, run: () => void): void {
    this.cancel(name);
    if (this.stopped) return;
    const handle = setImmediate(() => {
      this.waiting.delete(name);
      run();
    });
    this.waiting.set(name, { handle, immediate: true });
  }

  /** Drops the job's waiting run, if any. */
  cancel(name: JobName): void {
    const job = this.waiting.get(name);
    if (!job) return;
    if (job.immediate) clearImmediate(job.handle as NodeJS.Immediate);
    else clearTimeout(job.handle as NodeJS.Timeout);
    this.waiting.delete(name);
  }

  /** Whether the job waits to run. */
  isScheduled(name: JobName): boolean {
    return this.waiting.has(name);
  }

  /** Cancels every job and accepts no more (shutdown). */
  stop(): void {
    for (const name of [...this.waiting.keys()]) this.cancel(name);
    this.stopped = true;
  }
}
