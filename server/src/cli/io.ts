// Reading manifests for the CLI: files and folders recursively, or standard input for `-`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_FILE_NAME } from '../engine/config';
import { isManifestUri } from '../engine/parse';
import { Workspace } from '../engine/workspace';

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
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      try {
        const target = fs.statSync(full);
        isDirectory = target.isDirectory();
        isFile = target.isFile();
      } catch {
        continue;
      }
    }
    if (isDirectory) {
      if (!SKIPPED_DIRS.has(e.name)) walk(full, out, visited);
    } else if (isFile && (isManifestUri(e.name) || e.name === CONFIG_FILE_NAME)) out.push(full);
  }
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
    workspace.setFile(fileUri(file), fs.readFileSync(file, 'utf8'));
  };
  if (options.configPath) {
    if (!fs.existsSync(options.configPath)) throw new UsageError(`config file not found: ${options.configPath}`);
    // The config's folder is the workspace root for scopes, whatever the file is called.
    workspace.setFile(fileUri(path.join(path.dirname(options.configPath), CONFIG_FILE_NAME)), fs.readFileSync(options.configPath, 'utf8'));
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
      let text: string;
      try {
        text = fs.readFileSync(f, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${f}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      // Files named on the command line are read whatever their extension (process substitution gives /dev/fd/N).
      workspace.setFile(fileUri(f), text, { anyName: !stat.isDirectory() });
      options.onFileRead?.(seenFiles.size);
    }
  }
  return workspace;
}
