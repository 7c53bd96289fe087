// The manifests of a benchmark workspace and the seeded edits and CPU profiles of the in-process benchmarks
// (edit-latency, memory, features-latency, engine-phases, rule-fixes).
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
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

/** One seeded edit of the in-process benchmarks: the file, its text, the edited text and the kind of edit. */
export interface SeededEdit {
  kind: 'pod label' | 'policy matchLabels' | 'port';
  uri: string;
  text: string;
  edited: string;
}

const EDIT_PATTERNS: [SeededEdit['kind'], RegExp, (value: string) => string][] = [
  ['pod label', /^( {8}app: )(\S+)$/m, (v) => `${v}-x`],
  ['policy matchLabels', /^( {6,}app: )(\S+)$/m, (v) => `${v}-y`],
  ['port', /^( +(?:- )?port: )(\d+)$/m, (v) => String((Number(v) % 60000) + 1)],
];

/**
 * `count` edits like `npm run bench`'s, the same for every run on one workspace: a pod template's app label value,
 * a policy's matchLabels value, a port number, in turn (a kind without a fitting file in 200 tries is left out).
 */
export function seededEdits(files: readonly [string, string][], count: number): SeededEdit[] {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const out: SeededEdit[] = [];
  for (let i = 0; i < count; i++) {
    const [kind, re, change] = EDIT_PATTERNS[i % EDIT_PATTERNS.length];
    let pick: readonly [string, string] | undefined;
    for (let tries = 0; tries < 200 && !pick; tries++) {
      const candidate = files[Math.floor(random() * files.length)];
      if (re.test(candidate[1]) && (kind !== 'policy matchLabels' || /kind: NetworkPolicy/.test(candidate[1]))) pick = candidate;
    }
    if (!pick) continue;
    const [uri, text] = pick;
    out.push({ kind, uri, text, edited: text.replace(re, (_all, prefix: string, value: string) => prefix + change(value)) });
  }
  return out;
}

/** Starts a CPU profile of this process when `file` is given; `stop` writes it there. */
export function cpuProfile(file: string | undefined): { stop(): void } {
  if (!file) return { stop: () => undefined };
  const session = new Session();
  // An in-process session answers synchronously.
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  return {
    stop: () =>
      session.post('Profiler.stop', (error, result) => {
        if (error) throw error;
        fs.writeFileSync(file, JSON.stringify(result.profile));
      }),
  };
}
