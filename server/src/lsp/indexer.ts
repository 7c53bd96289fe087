// The index: walks the workspace folders (files.ts), reads every manifest on this thread and a worker
// (index-reader.ts, index-worker.ts), from the readings cache when it can (readings-cache.ts), and hands the files
// to the state; then the first analysis publishes. The readings cache is written while idle afterwards.
import { CancellationToken, type Connection, type WorkDoneProgressServerReporter } from 'vscode-languageserver';
import { recordTextDigest } from './findings-cache';
import { readTextUnder } from './files';
import { IndexReader, IndexWorker, WORKER_MIN_FILES, type FileRead } from './index-reader';
import { errorText, type ServerLog } from './log';
import { IndexCompleteNotification, type IndexCounts } from './protocol';
import { MAX_CACHE_BYTES, readerIdentity, readingsCacheFile, type PendingReadingsCache } from './readings-cache';
import type { ServerRenderer } from './render';
import type { Diagnostics } from './diagnostics';
import type { Scheduler } from './scheduler';
import { CONFIG_READ_LIMIT, type ServerState } from './state';

/** How long the index waits for the first rendering of charts and kustomizations before it publishes. */
const FIRST_RENDER_WAIT_MS = 5_000;
/** How long indexing reads files before it lets requests and notifications in. */
export const INDEX_SLICE_MS = 10;
/** The readings cache is written this long after an index, when the start's work is done. */
const CACHE_WRITE_DELAY_MS = 2_000;

const nullProgress: WorkDoneProgressServerReporter = {
  token: CancellationToken.None,
  begin: () => undefined,
  report: () => undefined,
  done: () => undefined,
};

export class Indexer {
  /** Bumped by each index (and at shutdown): an index that is no longer the latest stops. */
  private indexGeneration = 0;
  /** Readings of the last index that the cache on disk does not hold yet (written while idle or at shutdown). */
  private unwrittenCache: { pending: PendingReadingsCache; generation: number } | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly state: ServerState,
    private readonly diagnostics: Diagnostics,
    private readonly renderer: ServerRenderer,
    private readonly scheduler: Scheduler,
    private readonly logger: ServerLog,
  ) {}

  /** At shutdown: writes the readings cache if it waits to be, and stops any index in progress. */
  shutdown(): void {
    this.writeReadingsCache(Infinity);
    this.indexGeneration++;
  }

  /** Reads every file of the workspace folders into the index, reporting progress, then publishes diagnostics. */
  async index(): Promise<void> {
    const generation = ++this.indexGeneration;
    const started = Date.now();
    const progress: WorkDoneProgressServerReporter = await this.connection.window.createWorkDoneProgress().catch(() => nullProgress);
    progress.begin('netpol: indexing manifests', 0, 'looking for files', false);
    // Started as soon as the walk has found enough files for it to pay, so that it boots while the walk goes on;
    // the reader below takes it or terminates it.
    let worker: IndexWorker | undefined;
    let workerStarted = false;
    const startWorker = (filesSoFar: number) => {
      if (workerStarted || filesSoFar < WORKER_MIN_FILES) return;
      workerStarted = true;
      try {
        worker = new IndexWorker();
      } catch (error) {
        this.logger.log(`netpol: index worker could not start: ${errorText(error)}`);
      }
    };
    try {
      const files = await this.state.filter.listFiles((message) => this.logger.log(`netpol: ${message}`), INDEX_SLICE_MS, startWorker);
      const found = new Set(files.map((f) => f.uri));
      // Configuration files (listed first) are read before the rest: they decide the size limit for the others.
      let configs = 0;
      while (configs < files.length && this.state.filter.isRootConfig(files[configs].fsPath)) {
        const file = files[configs++];
        const read = readTextUnder(file.fsPath, CONFIG_READ_LIMIT);
        if (this.state.documents.get(file.uri)) continue;
        if (read && 'text' in read) this.state.queue(file.uri, read.text);
        else if (read) this.state.markUnreadable(file.uri, 'tooLarge' in read ? `more than ${CONFIG_READ_LIMIT} bytes` : read.unreadable);
      }
      this.state.flush();
      const manifests = files.slice(configs);
      // Files are read and parsed synchronously on this thread and a worker (IndexReader), a few milliseconds'
      // worth at a time, with requests and notifications let in between: a local manifest reads in microseconds,
      // while the asynchronous API costs several thread-pool round trips per file (NOTES.md). They enter the
      // workspace in list order, whichever thread read them.
      const cacheFile = readingsCacheFile(this.state.folders.map((f) => f.fsPath), this.state.cacheDirectory);
      const cache = cacheFile ? { file: cacheFile, identity: readerIdentity() } : undefined;
      const reader = new IndexReader(manifests.map((f) => f.fsPath), this.state.maxFileSize(), { worker, cache, onWorkerError: (message) => this.logger.log(`netpol: ${message}`) });
      worker = undefined;
      try {
        let lastReport = Date.now();
        let applied = 0;
        while (applied < manifests.length) {
          if (generation !== this.indexGeneration || this.state.shuttingDown) return;
          const sliceStart = Date.now();
          let waiting = false;
          do {
            for (let read; applied < manifests.length && (read = reader.take(applied)) !== undefined; ) this.applyIndexRead(manifests[applied++], read);
            if (applied === manifests.length) break;
            if (!reader.readOne()) waiting = true;
          } while (!waiting && Date.now() - sliceStart < INDEX_SLICE_MS);
          if (Date.now() - lastReport > 100 || applied === manifests.length) {
            lastReport = Date.now();
            progress.report(Math.round(((configs + applied) * 100) / files.length), `${configs + applied}/${files.length} files`);
          }
          // Let requests and notifications in between slices; with nothing left to read here, wait for the worker.
          if (waiting) await Promise.race([reader.whenWorkerDelivers(), new Promise<void>((resolve) => setTimeout(resolve, 50))]);
          else await new Promise<void>((resolve) => setImmediate(resolve));
        }
        this.logger.log(`netpol: read ${files.length} files in ${Date.now() - started} ms (${reader.filesFromWorker} of them on a worker thread, ${reader.filesFromCache} from the readings cache)`);
        // This index's readings replace an earlier index's that were not written yet.
        const pending = cache && reader.pendingCache(cache);
        this.unwrittenCache = pending ? { pending, generation } : undefined;
        if (pending) this.scheduler.schedule('readings-write', CACHE_WRITE_DELAY_MS, () => this.writeReadingsCacheWhileIdle(generation), { keepAlive: false });
      } finally {
        reader.dispose();
      }
      // Files that are gone from disk (or now excluded) leave the index, unless open in the editor.
      this.state.flush();
      for (const uri of this.state.ws.fileUris()) if (!found.has(uri) && !this.state.documents.get(uri) && !this.state.ws.renderingOf(uri)) this.state.queue(uri, null);
      for (const uri of [...this.state.oversized.keys()]) if (!found.has(uri) && !this.state.documents.get(uri)) this.state.oversized.delete(uri);
      for (const uri of [...this.state.unreadable.keys()]) if (!found.has(uri) && !this.state.documents.get(uri)) this.state.unreadable.delete(uri);
      for (const uri of [...this.state.configTexts.keys()]) if (!found.has(uri) && !this.state.documents.get(uri)) this.state.queue(uri, null);
    } finally {
      // Still here when the walk failed or a newer index took over before the reader took the worker.
      void worker?.thread.terminate();
      progress.done();
    }
    if (generation !== this.indexGeneration) return;
    // Charts and kustomizations are rendered before the first analysis publishes (a few seconds at most).
    await this.renderer.startAndWait(FIRST_RENDER_WAIT_MS);
    if (generation !== this.indexGeneration) return;
    this.state.indexed = true;
    this.state.lastMaxFileSize = this.state.maxFileSize();
    this.diagnostics.analyse();
    this.state.resolveIndexed();
    await this.connection.sendNotification(IndexCompleteNotification, { ...this.counts(), durationMs: Date.now() - started });
  }

  /** Encodes the last index's readings a slice at a time, between requests, then writes the cache. */
  private writeReadingsCacheWhileIdle(generation: number): void {
    if (this.unwrittenCache?.generation !== generation || this.state.shuttingDown) return;
    if (this.writeReadingsCache(INDEX_SLICE_MS)) return;
    this.scheduler.soon('readings-write', () => this.writeReadingsCacheWhileIdle(generation));
  }

  /**
   * Prepares the pending readings cache for up to `budgetMs`; once it is ready, writes it. True when done (or there
   * is nothing to write). A failure to write is logged: the cache only saves time.
   */
  writeReadingsCache(budgetMs: number): boolean {
    const unwritten = this.unwrittenCache;
    if (!unwritten) return true;
    if (!unwritten.pending.prepare(budgetMs)) return false;
    this.unwrittenCache = undefined;
    try {
      if (!unwritten.pending.write()) this.logger.log(`netpol: the readings of this workspace exceed ${MAX_CACHE_BYTES / 2 ** 20} MB: not cached`);
    } catch (error) {
      this.logger.log(`netpol: could not write the readings cache ${unwritten.pending.file}: ${errorText(error)}`);
    }
    return true;
  }

  /** A file on disk skipped for its size: out of the workspace, with a notice. */
  /** One file of the index as IndexReader read it: into the workspace, unless the editor has it open. */
  private applyIndexRead(file: { uri: string }, read: FileRead): void {
    // The editor's text of an open document wins over the disk.
    if (!this.state.documents.get(file.uri)) {
      if ('tooLarge' in read) {
        this.state.pending.delete(file.uri);
        this.state.ws.deleteFile(file.uri);
        this.state.oversized.set(file.uri, read.tooLarge);
        this.state.unreadable.delete(file.uri);
        return;
      }
      if ('unreadable' in read) {
        // Gone since the walk: nothing to say. Otherwise a finding on the file, as the CLI reports it.
        if (read.unreadable !== '') this.state.markUnreadable(file.uri, read.unreadable);
        return;
      }
      this.state.queue(file.uri, read.text, read.fastRead);
    }
    // Parsed at once, within the slice: parsing everything at the end would hold requests back for seconds.
    this.state.flush();
    // When the workspace holds the text the worker read (an open document's too), the worker's digest of it stands
    // in the findings cache's key, so this thread does not hash it again.
    if (!('text' in read) || read.digest === undefined) return;
    const parsed = this.state.ws.getFile(file.uri);
    if (parsed?.text === read.text) recordTextDigest(parsed, read.digest);
  }

  counts(): IndexCounts {
    const ws = this.state.workspace();
    const policies = new Set<unknown>();
    const workloads = new Set<unknown>();
    for (const scope of ws.scopes()) {
      for (const p of scope.model.policies) policies.add(p.object);
      for (const w of scope.model.workloads) if (!w.assumed) workloads.add(w.object);
    }
    const findings = this.diagnostics.findingCount();
    return { files: ws.fileUris().length - ws.renderedUris().length + this.state.oversized.size + this.state.unreadable.size, policies: policies.size, workloads: workloads.size, findings, skippedForSize: this.state.oversized.size };
  }
}
