// Reading a file of an untrusted workspace, shared by the language server and the CLI: regular files only, opened
// without blocking, never more than a size limit whatever the file system claims.
import * as fs from 'node:fs';

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

