// A persistent cache of the rules' findings of a whole workspace, so that a server started on a workspace in the
// state a session left it in publishes its diagnostics without running the rules first (they take about a third of
// a start with the readings cache on the medium bench workspace; bench/NOTES.md, "Seventh session").
//
// The findings are a function of the files' texts under their URIs (in order), the configuration file, the settings
// and the build, so they are stored under a hash of exactly these (workspaceStateKey): any other state, or another
// build, reads nothing. The rules run anyway once the server is idle, to prepare their incremental state for the
// first edit; the server logs it if that run finds anything else. The cache lives beside the readings cache
// (readings-cache.ts), under the same rules: one file per set of workspace folders, written atomically,
// NETPOL_READINGS_CACHE=off turns it off.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { ParsedFile } from '../engine/parse';
import type { Diagnostic } from '../engine/rules/types';
import type { Workspace } from '../engine/workspace';
import { cacheFileOf, writeCacheFile } from './readings-cache';
import { textDigest } from './text-digest';

const MAGIC = 'netpol-findings 1';
/** Findings beyond this size are not cached (a workspace that holds that many gains little from the cache). */
export const MAX_FINDINGS_BYTES = 64 * 2 ** 20;

export function findingsCacheFile(folders: readonly string[], directory: string | null | undefined): string | undefined {
  return cacheFileOf('findings', folders, directory);
}

// Per parsed file (a file's text gets a new one when it changes), the digest of its text. Always the text's: a file's
// state on disk would stand for it only while the file is not racy (readings-cache.ts), so a file written shortly
// before one start and read settled at the next would change the key and miss the cache. After an edit, the next key
// hashes the edited file alone.
const digests = new WeakMap<ParsedFile, string>();

function digestOf(file: ParsedFile): string {
  let digest = digests.get(file);
  if (digest === undefined) digests.set(file, (digest = textDigest(file.text)));
  return digest;
}

/**
 * Records the digest of a parsed file's text computed where the text was read (the index worker), so the main thread
 * does not hash it again: hashing every text there would add ~70 ms to a start on the large bench workspace.
 */
export function recordTextDigest(file: ParsedFile, digest: string): void {
  digests.set(file, digest);
}

/**
 * The state the rules' findings are a function of: every file's URI and text in the workspace's order (the model's
 * objects come in that order, and findings such as a duplicate policy's depend on it), the workspace configuration
 * file's, the settings, the build.
 */
export function workspaceStateKey(workspace: Workspace, settings: unknown, build: string): string {
  const hash = createHash('sha256').update(JSON.stringify([MAGIC, build, settings, workspace.configFileUri ?? null, workspace.configFileText ?? null]));
  for (const uri of workspace.fileUris()) {
    hash.update(`\n${uri}\n${digestOf(workspace.getFile(uri)!)}`);
    // A rendered manifest's findings also depend on its source map and the rendering's own notes.
    const rendering = workspace.renderingOf(uri);
    if (rendering) hash.update(JSON.stringify([rendering, workspace.getFile(uri)!.findings]));
  }
  return hash.digest('hex');
}

/** The findings cached for the state `key`, by file URI; undefined when the file holds another state or is damaged. */
export function readFindings(file: string, key: string): Map<string, Diagnostic[]> | undefined {
  let text: string;
  try {
    // Never larger than a write makes it: anything else is not read at all.
    if (fs.statSync(file).size > MAX_FINDINGS_BYTES + 1024) return undefined;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // none yet, or unreadable
  }
  const header = `${MAGIC} ${key}\n`;
  if (!text.startsWith(header)) return undefined;
  try {
    const entries = JSON.parse(text.slice(header.length)) as unknown;
    if (!Array.isArray(entries) || !entries.every(isEntry)) return undefined;
    return new Map(entries);
  } catch {
    return undefined; // truncated
  }
}

function isEntry(entry: unknown): entry is [string, Diagnostic[]] {
  return Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && Array.isArray(entry[1]) && entry[1].every(isDiagnostic);
}

function isDiagnostic(d: unknown): d is Diagnostic {
  if (d === null || typeof d !== 'object') return false;
  const { ruleId, severity, message, location } = d as Partial<Diagnostic>;
  return typeof ruleId === 'string' && typeof severity === 'string' && typeof message === 'string' && typeof location?.uri === 'string' && Array.isArray(location.range);
}

/**
 * Writes the findings of the state `key` (files without findings are left out). False when they exceed
 * MAX_FINDINGS_BYTES: then no cache is left for these folders. Throws when the file cannot be written.
 */
export function writeFindings(file: string, key: string, findings: ReadonlyMap<string, readonly Diagnostic[]>): boolean {
  const entries: [string, readonly Diagnostic[]][] = [];
  for (const [uri, list] of findings) if (list.length > 0) entries.push([uri, list]);
  const json = JSON.stringify(entries);
  if (json.length > MAX_FINDINGS_BYTES || Buffer.byteLength(json) > MAX_FINDINGS_BYTES) {
    fs.rmSync(file, { force: true });
    return false;
  }
  writeCacheFile(file, `${MAGIC} ${key}\n${json}`, 'findings-');
  return true;
}
