// The manifests of a benchmark workspace, for the in-process benchmarks: every .yaml, .yml and .json file below a
// folder (dot-folders and node_modules skipped), in path order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The manifest files below `root`, sorted. */
export function manifestPaths(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(e.name)) out.push(full);
    }
  };
  walk(root);
  return out.sort();
}

/** The manifests below `root` as [file URI, text] pairs, sorted by path. */
export function readManifests(root: string): [string, string][] {
  return manifestPaths(root).map((file) => [pathToFileURL(file).href, fs.readFileSync(file, 'utf8')]);
}
