// Finding `.netpol.yaml` the way linters find their configuration: from each PATH (and the current folder) upwards,
// stopping at the repository root (the folder holding `.git`), so `netpol check manifests/` run from the root uses
// the root's file. `--config` overrides. The engine never looks at the file system; this is the CLI's edge.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME } from '../engine/config';

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The nearest `.netpol.yaml` from `start` (a folder) upwards to its repository root; outside a repository, only
 * `start` itself is looked at (a stray file in /tmp or the home folder must not apply to everything below). */
export function findConfigUpwards(start: string): string | undefined {
  let dir = path.resolve(start);
  const folders: string[] = [];
  for (;;) {
    folders.push(dir);
    if (exists(path.join(dir, '.git'))) break;
    const parent = path.dirname(dir);
    if (parent === dir) return isFile(path.join(folders[0], CONFIG_FILE_NAME)) ? path.join(folders[0], CONFIG_FILE_NAME) : undefined;
    dir = parent;
  }
  for (const folder of folders) {
    const candidate = path.join(folder, CONFIG_FILE_NAME);
    if (isFile(candidate)) return candidate;
  }
  return undefined;
}

export interface DiscoveredConfig {
  /** The configuration used. */
  file: string;
  /** Other configurations found from other PATHs, not used (the run has one configuration). */
  ignored: string[];
}

/** The configuration for a run over `paths`: the one found from the first PATH that has one, else from the current
 * folder. `-` (standard input) is looked up from the current folder. */
export function discoverConfig(paths: readonly string[], cwd = process.cwd()): DiscoveredConfig | undefined {
  const found: string[] = [];
  for (const p of paths) {
    if (p === '-') continue;
    const abs = path.resolve(cwd, p);
    let start = abs;
    try {
      if (!fs.statSync(abs).isDirectory()) start = path.dirname(abs);
    } catch {
      continue; // a missing path is reported by the loader
    }
    const file = findConfigUpwards(start);
    if (file && !found.includes(file)) found.push(file);
  }
  if (found.length === 0) {
    const fromCwd = findConfigUpwards(cwd);
    if (fromCwd) found.push(fromCwd);
  }
  return found.length > 0 ? { file: found[0], ignored: found.slice(1) } : undefined;
}
