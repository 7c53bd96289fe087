// `netpol diff --base REF`: reachability of the working tree against the same paths at a git revision. The base
// version is read from git's object store (ls-tree + cat-file), never checked out. Files keep their working-tree URIs
// on both sides, so a policy is the same file in both versions.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from '../command';
import { INPUT_OPTIONS, oneOf, parseSize } from '../args';
import { displayPath, fileUri, readConfigFile, UsageError } from '../io';
import { CONFIG_FILE_NAME } from '../../engine/config';
import { isManifestUri } from '../../engine/parse';
import { Workspace } from '../../engine/workspace';
import { diffReachability, diffToJson, diffToMarkdown, diffToSarif, diffToText, type ChangeKind, type DiffLocator, type ReachabilityDiff } from '../../report/diff';
import { configFor, load, parseCommand } from './common';

declare const NETPOL_VERSION: string | undefined;

const MAX_GIT_OUTPUT = 512 * 1024 * 1024;
const SKIPPED_DIRS = new Set(['node_modules', '.git']);

function git(cwd: string, args: string[], input?: string): Buffer {
  try {
    return execFileSync('git', args, { cwd, input, maxBuffer: MAX_GIT_OUTPUT, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: Buffer; code?: string; message: string };
    if (e.code === 'ENOENT') throw new UsageError('git is not installed (netpol diff reads the base version with git)');
    const detail = e.stderr?.toString().trim().split('\n')[0] || e.message;
    throw new UsageError(`git ${args[0]} failed: ${detail}`);
  }
}

interface BaseFile {
  /** The file's URI in the working tree (it may not exist there any more). */
  uri: string;
  /** Its path from the repository root, as git names it. */
  gitPath: string;
  /** Its blob's object id at the base revision. */
  oid: string;
}

/** Lists the manifest files under `paths` at `ref` and reads them, with one `git cat-file --batch` for all. */
/** `options.head`: the working tree's workspace, whose parsed files are taken where the base text is the same. */
export function readBaseWorkspace(paths: string[], ref: string, options: { defaultNamespace?: string; configPath?: string; head?: Workspace; maxFileSize?: number }): Workspace {
  const cwd = process.cwd();
  const root = git(cwd, ['rev-parse', '--show-toplevel']).toString().trim();
  const realRoot = fs.realpathSync(root);
  try {
    git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`${ref} is not a commit of the repository ${root} (try a branch, a tag, HEAD~1 or a commit id)`);
  }
  const files: BaseFile[] = [];
  for (const p of paths) {
    if (p === '-') throw new UsageError('netpol diff reads files from git; standard input (-) has no base version');
    const abs = path.resolve(p);
    // The path from the repository root; through the real path so a symlinked checkout still matches git's names.
    const realAbs = realpathOfPossiblyMissing(abs);
    const rel = path.relative(realRoot, realAbs).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`${p} is outside the git repository ${root}`);
    // NUL-separated entries with their object ids: a file name may hold a newline (a repository is untrusted), and
    // only object ids, never names, go into `git cat-file --batch`'s newline-separated exchange.
    const entries = git(root, ['ls-tree', '-r', '-z', ref, '--', rel === '' ? '.' : rel])
      .toString()
      .split('\0')
      .filter(Boolean)
      .map((line) => /^\d+ (\w+) ([0-9a-f]+)\t([^]*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null);
    const isDirectory = !(entries.length === 1 && entries[0][3] === rel);
    for (const [, type, oid, gitPath] of entries) {
      if (type !== 'blob') continue; // a submodule's commit
      const inside = rel === '' ? gitPath : gitPath === rel ? '' : gitPath.slice(rel.length + 1);
      if (inside.split('/').some((segment) => SKIPPED_DIRS.has(segment))) continue;
      const name = path.posix.basename(gitPath);
      // As the working-tree loader does: manifests anywhere, the configuration only at the root of a folder argument.
      if (name === CONFIG_FILE_NAME ? !(isDirectory && inside === CONFIG_FILE_NAME) || options.configPath : !isManifestUri(name)) continue;
      files.push({ uri: fileUri(inside === '' ? abs : path.join(abs, ...inside.split('/'))), gitPath, oid });
    }
  }
  const workspace = new Workspace({ defaultNamespace: options.defaultNamespace, maxFileSize: options.maxFileSize ?? Infinity, maxFileSizeSetting: '--max-file-size' });
  if (options.configPath && fs.existsSync(options.configPath)) {
    workspace.setFile(fileUri(path.join(path.dirname(options.configPath), CONFIG_FILE_NAME)), readConfigFile(options.configPath));
  }
  if (files.length === 0) return workspace;
  const texts = catFiles(root, files.map((f) => f.oid));
  files.forEach((f, i) => {
    const text = texts[i];
    if (text !== undefined) workspace.setFile(f.uri, text, { parsed: options.head?.getFile(f.uri) });
  });
  return workspace;
}

function realpathOfPossiblyMissing(p: string): string {
  // A path deleted from the working tree still has a base version: resolve its nearest existing parent.
  const missing: string[] = [];
  let current = p;
  while (!fs.existsSync(current)) {
    const parent = path.dirname(current);
    if (parent === current) return p;
    missing.unshift(path.basename(current));
    current = parent;
  }
  return path.join(fs.realpathSync(current), ...missing);
}

/** Contents of each blob, in order (undefined for an object that is not a blob), with one `git cat-file --batch`. */
function catFiles(root: string, oids: string[]): (string | undefined)[] {
  const input = oids.map((oid) => `${oid}\n`).join('');
  const out = git(root, ['cat-file', '--batch'], input);
  const texts: (string | undefined)[] = [];
  let offset = 0;
  for (let i = 0; i < oids.length; i++) {
    const headerEnd = out.indexOf(0x0a, offset);
    if (headerEnd < 0) break;
    const header = out.subarray(offset, headerEnd).toString();
    offset = headerEnd + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) {
      texts.push(undefined); // "missing": nothing follows the header
      continue;
    }
    const size = Number(m[2]);
    texts.push(m[1] === 'blob' ? out.subarray(offset, offset + size).toString('utf8') : undefined);
    offset += size + 1; // the content, then a newline
  }
  return texts;
}

const FAIL_ON = ['added', 'removed', 'changed', 'any'] as const;
const FORMATS = ['text', 'json', 'md', 'sarif'] as const;

export function shouldFail(diff: ReachabilityDiff, failOn: readonly (ChangeKind | 'any')[]): boolean {
  return failOn.some((k) => (k === 'any' ? diff.changes.length > 0 : diff.counts[k] > 0));
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'what changes in reachability against a git revision (read from git, nothing checked out)',
  arguments: 'PATH...',
  details: 'Run inside a git repository; PATHs name the manifests in the working tree.\nExit codes: 0 no change of a kind --fail-on names, 1 such a change, 2 bad arguments or git errors.',
  options: [
    { name: 'base', value: 'REF', default: 'required', description: 'the git revision to compare with (a branch, tag, HEAD~1 or commit id)', example: '--base origin/main' },
    { name: 'format', value: 'FORMAT', choices: FORMATS, default: 'text', description: 'output format (md for a pull-request comment, sarif for code scanning)', example: '--format md' },
    { name: 'fail-on', value: 'KIND[,KIND]', repeated: true, default: 'nothing (exit 0 whatever changed)', description: `exit 1 when a change of these kinds exists: ${FAIL_ON.join(', ')}`, example: '--fail-on added,changed' },
    ...INPUT_OPTIONS,
  ],
  examples: ['netpol diff --base origin/main k8s/', 'netpol diff --base HEAD~1 --format md --fail-on added k8s/ > comment.md'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    const format = oneOf(args.values.get('format')?.[0], FORMATS, 'format', 'text');
    const ref = args.values.get('base')?.[0];
    if (!ref) throw new UsageError('--base REF is required (for example --base origin/main or --base HEAD~1)');
    if (ref.startsWith('-')) throw new UsageError(`--base must be a git revision (got ${ref})`);
    const failOn = (args.values.get('fail-on') ?? []).flatMap((v) => v.split(',')).map((v) => oneOf(v.trim(), FAIL_ON, 'fail-on', 'any'));
    if (args.positionals.length === 0) throw new UsageError('no input: give one or more files or folders');
    // The configuration: --config, else the one found upwards from the PATHs. One at the root of a folder PATH is
    // read from git for the base (a change to it is part of the diff); any other applies to both sides.
    const explicit = args.values.get('config')?.[0];
    const configPath = configFor(args, io);
    if (configPath !== undefined) args.values.set('config', [configPath]);
    const atFolderRoot = explicit === undefined && configPath !== undefined && args.positionals.some((p) => path.resolve(p) === path.dirname(path.resolve(configPath)));
    // The base revision is read from git, unrendered: the head is compared unrendered too.
    const headWorkspace = await load(args, io, { render: false });
    const sizeText = args.values.get('max-file-size')?.[0];
    const baseWorkspace = readBaseWorkspace(args.positionals, ref, {
      defaultNamespace: args.values.get('default-namespace')?.[0],
      configPath: atFolderRoot ? undefined : configPath,
      head: headWorkspace,
      maxFileSize: sizeText === undefined ? undefined : parseSize(sizeText, 'max-file-size'),
    });
    const scopeName = args.values.get('scope')?.[0];
    const pick = (w: Workspace) => (scopeName ? w.scopes().filter((s) => s.name === scopeName) : w.scopes());
    if (scopeName && pick(headWorkspace).length === 0 && pick(baseWorkspace).length === 0) throw new UsageError(`no scope named ${scopeName}`);
    const diff = diffReachability(pick(baseWorkspace), pick(headWorkspace), ref);
    const locator: DiffLocator = {
      path: displayPath,
      position: (loc, inBase) => {
        const file = (inBase ? baseWorkspace : headWorkspace).getFile(loc.uri);
        const pos = file?.lineCounter.linePos(loc.range[0]) ?? { line: 1, col: 1 };
        return { line: pos.line, column: pos.col };
      },
    };
    const version = typeof NETPOL_VERSION === 'string' ? NETPOL_VERSION : 'dev';
    io.stdout(
      format === 'json'
        ? diffToJson(diff, locator)
        : format === 'md'
          ? diffToMarkdown(diff, locator)
          : format === 'sarif'
            ? diffToSarif(diff, locator, version)
            : diffToText(diff, locator),
    );
    return shouldFail(diff, failOn) ? 1 : 0;
  },
};
