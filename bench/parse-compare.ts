// CPU time of the three ways to read a workspace's YAML, in one process, each over every file:
//   naive      the yaml package's parseAllDocuments (the benchmark's lower bound)
//   full       parseFileWithYamlPackage: what parseFile did before the fast reader (parse + toJS + objects)
//   fast       parseFile: the fast reader, yaml documents only on demand
// node --import tsx bench/parse-compare.ts DIR [--passes N]   (pass 1 is cold; later passes show the warm JIT)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { readSimpleYaml } from '../server/src/engine/fast-yaml';
import { parseFile, parseFileWithYamlPackage } from '../server/src/engine/parse';

function yamlFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(e.name)) out.push(full);
    }
  };
  walk(root);
  return out.sort();
}

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--'));
if (!root) throw new Error('usage: parse-compare.ts DIR [--passes N]');
const passes = Number(args[args.indexOf('--passes') + 1] ?? 1) || 1;
const files = yamlFiles(root).map((f) => [pathToFileURL(f).href, fs.readFileSync(f, 'utf8')] as const);
const mb = files.reduce((n, [, t]) => n + Buffer.byteLength(t), 0) / 1e6;
const cpuMs = (run: () => void) => {
  const c0 = process.cpuUsage();
  run();
  const c = process.cpuUsage(c0);
  return Math.round((c.user + c.system) / 1000);
};
const results: Record<string, number[]> = { naive: [], full: [], fast: [] };
for (let pass = 0; pass < passes; pass++) {
  results.naive.push(cpuMs(() => files.forEach(([, text]) => parseAllDocuments(text))));
  results.full.push(cpuMs(() => files.forEach(([uri, text]) => parseFileWithYamlPackage(uri, text))));
  results.fast.push(cpuMs(() => files.forEach(([uri, text]) => parseFile(uri, text))));
}
const accepted = files.filter(([, text]) => readSimpleYaml(text) !== undefined).length;
console.log(JSON.stringify({ files: files.length, mb: +mb.toFixed(1), fastPathFiles: accepted, cpuMs: results, fastMBps: +(mb / (Math.min(...results.fast) / 1000)).toFixed(1) }));
