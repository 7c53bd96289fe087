// The naive lower bound the targets are measured against: read every YAML file of a workspace and parse it with
// the yaml package's parseAllDocuments (default options), keeping the documents as an editor's server would.
// Run as its own process (cold JIT, own peak RSS). Prints one JSON line.
import fs from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { listYamlFiles } from './targets.mjs';

const root = process.argv[2];
const started = performance.now();
const cpu0 = process.cpuUsage();
const kept = [];
let bytes = 0;
let documents = 0;
for (const file of listYamlFiles(root)) {
  const text = fs.readFileSync(file, 'utf8');
  bytes += Buffer.byteLength(text);
  const docs = parseAllDocuments(text);
  documents += Array.isArray(docs) ? docs.length : 1;
  kept.push(docs);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({
  files: kept.length, documents, bytes, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
}));
