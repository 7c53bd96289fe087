// The index's worker thread (see index-reader.ts): takes files from the shared counter until none are left, reads
// each and runs the fast reader on it (or takes its reading from the readings cache), and sends the files back in
// small batches as text and JSON.
import { parentPort } from 'node:worker_threads';
import { encodeFastResult } from '../engine/fast-wire';
import { readSimpleYaml } from '../engine/fast-yaml';
import { cacheableKey, readRaw, type IndexWorkerJob, type IndexWorkerMessage, type WorkerFileRead } from './index-reader';
import { ReadingsCache } from './readings-cache';
import { textDigest } from './text-digest';

/** A batch goes out after this long, so the main thread can build the workspace while this one reads on. */
const BATCH_MS = 4;

function run(job: IndexWorkerJob): void {
  const claims = new Int32Array(job.claims);
  const cache = job.cache ? ReadingsCache.fromBytes(Buffer.from(job.cache.bytes), job.cache.identity) : ReadingsCache.empty;
  const post = (message: IndexWorkerMessage) => parentPort!.postMessage(message);
  let batch: WorkerFileRead[] = [];
  let batchStart = Date.now();
  for (;;) {
    const index = Atomics.add(claims, 0, 1);
    if (index >= job.paths.length) break;
    const read = readRaw(job.paths[index], job.maxSize, cache, job.racyMarginMs);
    if ('unreadable' in read) batch.push({ index, unreadable: read.unreadable });
    else if ('tooLarge' in read) batch.push({ index, tooLarge: read.tooLarge });
    else if (read.cachedWire !== undefined) batch.push({ index, text: read.text, wire: read.cachedWire, cacheKey: read.cacheKey, fromCache: true, digest: textDigest(read.text) });
    else {
      // null: the fast reader gave up; absent: it read the file, but JSON cannot carry a number of it.
      const file: WorkerFileRead = { index, text: read.text, digest: textDigest(read.text) };
      const fastRead = readSimpleYaml(read.text);
      const wire = fastRead ? encodeFastResult(fastRead) : null;
      if (wire !== undefined) file.wire = wire;
      const cacheKey = cacheableKey(read.cacheKey, fastRead);
      if (cacheKey !== undefined) file.cacheKey = cacheKey;
      batch.push(file);
    }
    if (Date.now() - batchStart >= BATCH_MS) {
      post({ type: 'files', files: batch });
      batch = [];
      batchStart = Date.now();
    }
  }
  if (batch.length > 0) post({ type: 'files', files: batch });
  post({ type: 'done' });
}

// Started ahead of its job (while the folders are walked), which comes as the first message. The listener keeps the
// thread alive until the main thread terminates it, so every message is delivered before the thread exits.
let started = false;
parentPort?.on('message', (job: IndexWorkerJob) => {
  if (started) return;
  started = true;
  run(job);
});
