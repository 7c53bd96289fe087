// Runs a CommonJS bundle (dist/cli.js, dist/server.js) with a V8 code cache, the way Node.js 22's
// `module.enableCompileCache()` does (Node.js 20 has no such switch). Without it, every start compiles the 1.3 MB
// bundle and then, function by function, all the code a start runs: measured on the medium bench workspace, the
// cache takes about 90 ms off the answer to `initialize` and 270 ms of CPU off the whole start (bench/NOTES.md).
//
// The cache holds compiled code only, never data from a workspace. It is written at exit, from everything compiled
// during the run, when there was none, when V8 rejected it (another bundle or Node.js version), or when this run
// compiled notably more. It lives next to the bundle or, where that is not writable, in the user's cache folder.
// NETPOL_CODE_CACHE=off runs the bundle without it.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** A new cache replaces one that V8 accepted only when it is this much larger (it then holds more functions). */
const GROWTH_WORTH_WRITING = 1.1;

interface NodeModuleInternals {
  wrap(source: string): string;
  _nodeModulePaths(dir: string): string[];
}

/** Runs the bundle as a module and returns its exports. */
export function runWithCodeCache(bundle: string): unknown {
  if (process.env.NETPOL_CODE_CACHE === 'off') return require(bundle);
  const source = fs.readFileSync(bundle, 'utf8');
  const cache = cacheFile(bundle);
  // V8 checks only the source's length against a cache: the file starts with the bundle file's identity, so that a
  // rebuilt bundle of the same length never runs another build's code. Writing or copying a file gives it a new
  // change time (ctime, which no tool sets back), and this costs a stat where hashing the source cost 5-13 ms.
  const stat = fs.statSync(bundle, { bigint: true });
  const header = Buffer.from(`netpol-code-cache ${stat.size} ${stat.ino} ${stat.mtimeNs} ${stat.ctimeNs}\n`);
  let cachedData: Buffer | undefined;
  try {
    const file = fs.readFileSync(cache);
    if (file.subarray(0, header.length).equals(header)) cachedData = file.subarray(header.length);
  } catch {
    // none yet (or unreadable): compiled from source, and written at exit
  }
  const internals = Module as unknown as NodeModuleInternals;
  const script = new vm.Script(internals.wrap(source), { filename: bundle, cachedData });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  process.once('exit', () => {
    try {
      const data = script.createCachedData();
      if (accepted && data.length < cachedData!.length * GROWTH_WORTH_WRITING) return;
      writeAtomically(cache, Buffer.concat([header, data]));
    } catch {
      // A cache is an optimisation: never fail the process for it.
    }
  });
  // The bundle runs as Node.js would run it as a module of its own: its own `module`, `require` and paths.
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  bundleModule.paths = internals._nodeModulePaths(path.dirname(bundle));
  const bundleRequire = Object.assign((id: string) => bundleModule.require(id), { resolve: (id: string) => require.resolve(id, { paths: bundleModule.paths }), main: require.main, cache: require.cache });
  const run = script.runInThisContext() as (exports: unknown, require: unknown, module: unknown, filename: string, dirname: string) => void;
  run.call(bundleModule.exports, bundleModule.exports, bundleRequire, bundleModule, bundle, path.dirname(bundle));
  return bundleModule.exports;
}

/** Where the cache of a bundle lives: next to it when that folder is writable, else in the user's cache folder. */
function cacheFile(bundle: string): string {
  const name = `${path.basename(bundle)}.${process.version}-${process.arch}.v8cache`;
  const dir = path.dirname(bundle);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return path.join(dir, name);
  } catch {
    // An installation owned by someone else (a global npm install): the user's own cache folder, where several
    // installations meet, so the bundle's folder is part of the name.
    const userCache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    return path.join(userCache, 'netpol', `${dir.replace(/[^\w.-]+/g, '_').slice(-120)}-${name}`);
  }
}

/** Written to a temporary name and renamed, so that a process starting meanwhile reads a whole file or none. */
function writeAtomically(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, data, { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
