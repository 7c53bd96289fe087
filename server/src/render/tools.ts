// Finding and running the rendering tools (helm, kubectl or kustomize). Only the edges run programs; the engine
// receives their output.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A binary on PATH (or an explicit path), or undefined when there is none. */
export function findExecutable(nameOrPath: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (nameOrPath.includes('/') || nameOrPath.includes(path.sep)) return isExecutable(nameOrPath) ? path.resolve(nameOrPath) : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, nameOrPath);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface KustomizeTool {
  /** The binary. */
  path: string;
  /** `kubectl kustomize DIR` or `kustomize build DIR`. */
  args: (dir: string) => string[];
}

/** helm: `explicit` (a setting or option), else NETPOL_HELM, else `helm` on PATH. */
export function findHelm(explicit?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable(explicit || env.NETPOL_HELM || 'helm', env);
}

/** kubectl (or kustomize): `explicit`, else NETPOL_KUBECTL, else `kubectl` or `kustomize` on PATH. */
export function findKustomize(explicit?: string, env: NodeJS.ProcessEnv = process.env): KustomizeTool | undefined {
  const named = explicit || env.NETPOL_KUBECTL;
  const candidates = named ? [named] : ['kubectl', 'kustomize'];
  for (const candidate of candidates) {
    const found = findExecutable(candidate, env);
    if (!found) continue;
    const isKustomize = path.basename(found).startsWith('kustomize');
    return { path: found, args: (dir) => (isKustomize ? ['build', dir] : ['kustomize', dir]) };
  }
  return undefined;
}

export interface RunResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Why it failed to start or was stopped (not found, timed out), when it did. */
  error?: string;
  ms: number;
}

/** Runs a program without a shell, bounded in time and output. */
export function runTool(file: string, args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024, env: options.env ?? process.env, encoding: 'utf8', windowsHide: true },
      (error, stdout, stderr) => {
        const ms = Date.now() - started;
        if (!error) return resolve({ ok: true, stdout, stderr, ms });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
        const why = e.killed || e.signal ? `stopped after ${ms} ms (${e.signal ?? 'timeout'})` : typeof e.code === 'string' ? e.code : undefined;
        resolve({ ok: false, stdout, stderr, error: why, ms });
      },
    );
  });
}

/** The first meaningful line of a tool's error output, short. */
export function firstErrorLine(stderr: string, fallback: string): string {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('# Warning') && !/^WARNING|^walk\.go/.test(l));
  const text = line ?? fallback;
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
