import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { LspTestClient } from '../server/test/lsp/client';
const dir = process.argv[2];
const cacheDir = '/tmp/counts-scratch/cache';
fs.mkdirSync(cacheDir, { recursive: true });
const files = execFileSync('git', ['ls-files'], { cwd: dir }).toString().split('\n').filter((f) => f.endsWith('.yaml'));
const changed = execFileSync('git', ['diff', '--name-only'], { cwd: dir }).toString().split('\n').filter(Boolean);
(async () => {
  for (let round = 0; round < 2; round++) {
    const client = await LspTestClient.start(dir, { transport: 'server-ipc', timeoutMs: 300_000, cacheDir });
    const baseFiles = changed.map((f) => ({ uri: client.uri(f), text: execFileSync('git', ['show', `HEAD:${f}`], { cwd: dir }).toString() }));
    const baseFilesOnDisk = files.filter((f) => !changed.includes(f)).map((f) => client.uri(f));
    for (let i = 0; i < 2; i++) {
      const t = Date.now();
      const r: any = await client.request('netpol/reachabilityDiff', { baseFiles, baseFilesOnDisk, baseLabel: 'HEAD' });
      console.log('round', round, 'diff', Date.now() - t, JSON.stringify(r.counts));
    }
    await new Promise((r) => setTimeout(r, 4000));
    await client.shutdown();
  }
})();
