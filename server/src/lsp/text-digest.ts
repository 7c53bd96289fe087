// What stands for a file's text in the findings cache's key (findings-cache.ts). Computed by the index worker for
// the files it reads, off the main thread, and on the main thread only for texts it did not see (edits, Secrets).
import { createHash } from 'node:crypto';

export function textDigest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}
