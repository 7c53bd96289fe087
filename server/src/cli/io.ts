// Reading manifests for the CLI: files and folders recursively, or standard input for `-`.
import * as buffer from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_FILE_NAME, defaultConfig } from '../engine/config';
import { isManifestUri } from '../engine/parse';
import { Workspace } from '../engine/workspace';
import { readTextUnder, type ReadResult } from '../io/read-file';

export class UsageError extends Error {}

const SKIPPED_DIRS = new Set(['node_modules', '.git']);

/** Collects manifest files below `dir`. Symbolic links are followed (charts often link shared files), each real
 * folder once, so a link cycle ends; a dangling link is skipped. */
function walk(dir: string, out: string[], visited = new Set<string>()): void {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    real = dir;
  }
  if (visited.has(real)) return;
  visited.add(real);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new UsageError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    let isDirectory = e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        isDirectory = fs.statSync(full).isDirectory();
      } catch {
        continue;
      }
    }
    // Entries that are not regular files (a FIFO, a device) are kept: reading refuses them with a finding.
    if (isDirectory) {
      if (!SKIPPED_DIRS.has(e.name)) walk(full, out, visited);
    } else if (isManifestUri(e.name) || e.name === CONFIG_FILE_NAME) out.push(full);
  }
}

/** Process substitution (`netpol list <(kustomize build)`) names a pipe the user made: read it as it comes. */
const USER_PIPE = /^\/(?:dev\/fd|proc\/self\/fd)\/\d+$|^\/dev\/stdin$/;

/**
 * A file of the input, read as the language server reads it: regular files only (a FIFO in a cloned repository
 * would block the run forever), at most `maxSize` bytes whatever `stat` says, and pipes only when the path is the
 * user's own process substitution.
 */
export function readInputFile(file: string, maxSize: number): ReadResult {
  if (USER_PIPE.test(file)) {
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const chunks: Buffer[] = [];
        let total = 0;
        const chunk = Buffer.allocUnsafe(1 << 16);
        for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) {
          total += n;
          if (total > maxSize) return { tooLarge: total };
          chunks.push(Buffer.from(chunk.subarray(0, n)));
        }
        return { text: Buffer.concat(chunks).toString('utf8') };
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      return { unreadable: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
    }
  }
  return readTextUnder(file, maxSize);
}

/** The text of the configuration file named by `--config`, or a usage error that says what is wrong with it. */
export function readConfigFile(configPath: string): string {
  const read = readInputFile(configPath, defaultConfig().maxFileSize);
  if (read === undefined) throw new UsageError(`config file not found: ${configPath}`);
  if ('text' in read) return read.text;
  if ('tooLarge' in read) throw new UsageError(`config file ${configPath} is larger than ${defaultConfig().maxFileSize} bytes`);
  if (read.unreadable === 'a folder') throw new UsageError(`--config ${configPath} is a folder: give the configuration file itself (for example ${path.join(configPath, CONFIG_FILE_NAME)})`);
  throw new UsageError(`cannot read config file ${configPath}: ${read.unreadable}`);
}

export function fileUri(p: string): string {
  return pathToFileURL(path.resolve(p)).href;
}

/** Shows a URI as a path relative to the working directory, for messages. */
export function displayPath(uri: string): string {
  if (!uri.startsWith('file://')) return uri;
  const abs = decodeURIComponent(new URL(uri).pathname);
  const rel = path.relative(process.cwd(), abs);
  return rel.startsWith('..') ? abs : rel;
}

export interface LoadOptions {
  defaultNamespace?: string;
  configPath?: string;
  stdin?: () => string;
  /** Files larger than this are kept unparsed with a file-too-large finding (`--max-file-size`); default: no limit. */
  maxFileSize?: number;
  /** Called after each file read, with the number read so far (progress). */
  onFileRead?: (count: number) => void;
}

/** Loads every manifest under the given paths into a workspace. Throws UsageError for unreadable input. */
export function loadWorkspace(paths: string[], options: LoadOptions = {}): Workspace {
  if (paths.length === 0) throw new UsageError('no input: give one or more files or folders, or - for standard input');
  const workspace = new Workspace({ defaultNamespace: options.defaultNamespace, maxFileSize: options.maxFileSize ?? Infinity, maxFileSizeSetting: '--max-file-size' });
  // A file reached twice (named twice, or through a link) is read once, so its objects are not counted twice.
  const seenFiles = new Set<string>();
  let configFound = false;
  const addConfig = (file: string) => {
    if (configFound) return;
    configFound = true;
    const read = readInputFile(file, defaultConfig().maxFileSize);
    if (read && 'text' in read) workspace.setFile(fileUri(file), read.text);
    // A `.netpol.yaml` that is a folder, a FIFO or unreadable: a finding on it, and the defaults apply.
    else if (read) workspace.setUnreadableFile(fileUri(file), 'tooLarge' in read ? `more than ${defaultConfig().maxFileSize} bytes` : read.unreadable);
  };
  if (options.configPath) {
    const text = readConfigFile(options.configPath);
    // The config's folder is the workspace root for scopes, whatever the file is called.
    workspace.setFile(fileUri(path.join(path.dirname(options.configPath), CONFIG_FILE_NAME)), text);
    configFound = true;
  }
  for (const p of paths) {
    if (p === '-') {
      const text = options.stdin ? options.stdin() : fs.readFileSync(0, 'utf8');
      workspace.setFile('stdin:///input.yaml', text);
      options.onFileRead?.(seenFiles.size + 1);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new UsageError(`no such file or folder: ${p}`);
    }
    const files: string[] = [];
    if (stat.isDirectory()) {
      const rootConfig = path.join(p, CONFIG_FILE_NAME);
      if (fs.existsSync(rootConfig)) addConfig(rootConfig);
      walk(p, files);
    } else files.push(p);
    for (const f of files) {
      if (path.basename(f) === CONFIG_FILE_NAME) continue;
      let real: string;
      try {
        real = fs.realpathSync(f);
      } catch {
        real = path.resolve(f);
      }
      if (seenFiles.has(real)) continue;
      seenFiles.add(real);
      const read = readInputFile(f, options.maxFileSize ?? buffer.constants.MAX_STRING_LENGTH);
      // An unreadable file is a finding on it and the rest is analysed, as in the language server.
      if (read === undefined) workspace.setUnreadableFile(fileUri(f), 'no such file');
      else if ('unreadable' in read) workspace.setUnreadableFile(fileUri(f), read.unreadable);
      else if ('tooLarge' in read) workspace.setTooLargeFile(fileUri(f), read.tooLarge);
      // Files named on the command line are read whatever their extension (process substitution gives /dev/fd/N).
      else workspace.setFile(fileUri(f), read.text, { anyName: !stat.isDirectory() });
      options.onFileRead?.(seenFiles.size);
    }
  }
  return workspace;
}
