// Differential test of the incremental index: after a seeded random session of opens, edits, saves, closes, and
// files created and deleted on disk, the diagnostics the server last published for every file must equal what a
// fresh `netpol check` of the files on disk finds. Any missed invalidation or lost event shows up as a difference.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { copyFixture, LspTestClient } from './client';
import { checkFindings, publishedFindings } from './findings';

/** Small deterministic PRNG (mulberry32), so a failing session can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LABELS = ['api', 'db', 'ghost', 'web'];

/** Edits that keep a manifest mostly valid, so the rules have something to say, plus some that break it. */
function mutate(text: string, next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  switch (Math.floor(next() * 6)) {
    case 0:
    case 1: {
      const values = [...text.matchAll(/app: ([a-z0-9-]+)/g)];
      if (values.length === 0) return text;
      const m = pick(values);
      return text.slice(0, m.index) + `app: ${pick(LABELS)}` + text.slice(m.index! + m[0].length);
    }
    case 2:
      return text.replace(/- (Ingress|Egress)$/m, (_, t: string) => `- ${t === 'Ingress' ? 'Egress' : 'Ingress'}`);
    case 3: {
      const lines = text.split('\n');
      lines.splice(Math.floor(next() * lines.length), 1);
      return lines.join('\n');
    }
    case 4:
      return text.replace(/namespace: ([a-z]+)/, `namespace: ${pick(['shop', 'other'])}`);
    default:
      return `${text}\n  stray: [unclosed\n`;
  }
}

for (const seed of [1, 2, 3]) {
  test(`after a random editing session (seed ${seed}) the published diagnostics equal a fresh netpol check`, { timeout: 120_000 }, async () => {
    const next = random(seed);
    const dir = copyFixture('multi-file');
    const client = await LspTestClient.start(dir);
    const open = new Set<string>();
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
    const manifests = () =>
      fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('.github')).sort();
    try {
      for (let step = 0; step < 80; step++) {
        const files = manifests();
        const file = pick(files);
        const uri = client.uri(file);
        const action = next();
        if (action < 0.15 && !open.has(file)) {
          client.open(uri);
          open.add(file);
        } else if (action < 0.45 && open.size > 0) {
          const target = pick([...open].sort());
          client.change(client.uri(target), mutate(client.text(client.uri(target)), next));
        } else if (action < 0.52 && open.size > 0) {
          // Save: the disk catches up with the editor; editors report their own saves as file changes too.
          const target = pick([...open].sort());
          fs.writeFileSync(path.join(dir, target), client.text(client.uri(target)));
          client.filesChanged([{ uri: client.uri(target), type: 2 }]);
        } else if (action < 0.6 && open.size > 0) {
          const target = pick([...open].sort());
          client.close(client.uri(target));
          open.delete(target);
        } else if (action < 0.68) {
          const created = path.join('policies', `created-${step}.yaml`);
          fs.writeFileSync(path.join(dir, created), mutate(fs.readFileSync(path.join(dir, file), 'utf8').replace(/name: [a-z-]+/, `name: created-${step}`), next));
          client.filesChanged([{ uri: client.uri(created), type: 1 }]);
        } else if (action < 0.74 && !open.has(file) && files.length > 3) {
          fs.rmSync(path.join(dir, file));
          client.filesChanged([{ uri, type: 3 }]);
        } else if (!open.has(file)) {
          // Changed on disk by another program (a git checkout).
          fs.writeFileSync(path.join(dir, file), mutate(fs.readFileSync(path.join(dir, file), 'utf8'), next));
          client.filesChanged([{ uri, type: 2 }]);
        }
        // Sometimes let the server catch up, sometimes pile the next event on top.
        if (next() < 0.3) await new Promise((resolve) => setTimeout(resolve, 30));
      }
      // Editors keep unsaved text until closed: save every open document, then close them all.
      for (const file of [...open].sort()) {
        fs.writeFileSync(path.join(dir, file), client.text(client.uri(file)));
        client.filesChanged([{ uri: client.uri(file), type: 2 }]);
        client.close(client.uri(file));
      }
      // Quiet: no publish for 500 ms, then a status request (which brings analysis up to date) and quiet again.
      const quiet = async () => {
        let last = -1;
        while (last !== client.mark()) {
          last = client.mark();
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      };
      await quiet();
      await client.request('netpol/status');
      await quiet();
      assert.deepEqual(Object.fromEntries(publishedFindings(client, dir)), Object.fromEntries(await checkFindings(dir)));
    } finally {
      await client.shutdown();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
