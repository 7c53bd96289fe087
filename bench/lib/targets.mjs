// Where the benchmark edits, hovers and completes: positions found with the yaml package in a seeded sample of the
// workspace's files, so every run of one workspace uses the same places.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';

const WORKLOAD_TEMPLATE_PATHS = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** mulberry32 over a string hash: deterministic choices from a seed. */
export function seededRandom(seed) {
  let h = 2166136261;
  for (const c of String(seed)) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function listYamlFiles(root) {
  const out = [];
  (function walk(dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/i.test(entry.name)) out.push(full);
    }
  })(root);
  return out.sort();
}

export function positionAt(text, offset) {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return { line, character: offset - lineStart };
}

function nodeAt(node, keys) {
  let current = node;
  for (const key of keys) {
    if (isMap(current)) current = current.get(key, true);
    else if (isSeq(current) && typeof key === 'number') current = current.items[key];
    else return undefined;
  }
  return current;
}

function plainPairs(map) {
  if (!isMap(map)) return [];
  return map.items.filter((p) => isScalar(p.key) && isScalar(p.value) && p.value.type === 'PLAIN' && p.key.range && p.value.range);
}

/** Peers' podSelectors of every rule of a policy. */
function peerSelectors(policy) {
  const out = [];
  for (const direction of ['ingress', 'egress']) {
    const rules = nodeAt(policy, ['spec', direction]);
    if (!isSeq(rules)) continue;
    for (const rule of rules.items) {
      const peers = nodeAt(rule, [direction === 'ingress' ? 'from' : 'to']);
      if (!isSeq(peers)) continue;
      for (const peer of peers.items) {
        const selector = nodeAt(peer, ['podSelector', 'matchLabels']);
        if (isMap(selector)) out.push(selector);
      }
    }
  }
  return out;
}

function rulePorts(policy) {
  const out = [];
  for (const direction of ['ingress', 'egress']) {
    const rules = nodeAt(policy, ['spec', direction]);
    if (!isSeq(rules)) continue;
    for (const rule of rules.items) {
      const ports = nodeAt(rule, ['ports']);
      if (!isSeq(ports)) continue;
      for (const p of ports.items) {
        const port = nodeAt(p, ['port']);
        if (isScalar(port) && typeof port.value === 'number' && port.value < 65535 && port.range && !nodeAt(p, ['endPort'])) out.push(port);
      }
    }
  }
  return out;
}

/**
 * Samples up to `filesToScan` files and collects targets:
 *   edits: { kind: 'label'|'selector'|'port', file, offset, insert|replace }  — each applied, then reverted
 *   hovers: { kind: 'selector'|'workload', file, offset }, lenses: files, completions: { file, offset }
 */
export function findTargets(root, { seed = 1, filesToScan = 400 } = {}) {
  const random = seededRandom(seed);
  const files = listYamlFiles(root);
  const order = files.map((f) => [random(), f]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  const edits = { label: [], selector: [], port: [] };
  const hovers = { selector: [], workload: [] };
  const completions = [];
  const lensFiles = new Set();
  for (const file of order.slice(0, filesToScan)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length || !isMap(doc.contents)) continue;
      const kind = doc.get('kind');
      if (kind === 'NetworkPolicy') {
        lensFiles.add(file);
        const own = nodeAt(doc.contents, ['spec', 'podSelector', 'matchLabels']);
        const selectors = [own, ...peerSelectors(doc.contents)].filter(Boolean);
        for (const selector of selectors) {
          for (const pair of plainPairs(selector)) {
            edits.selector.push({ kind: 'selector', file, offset: pair.value.range[1], insert: 'x' });
            hovers.selector.push({ kind: 'selector', file, offset: pair.key.range[0] + 1 });
            completions.push({ file, offset: pair.value.range[0] });
          }
        }
        for (const port of rulePorts(doc.contents)) {
          edits.port.push({ kind: 'port', file, offset: port.range[0], replace: text.slice(port.range[0], port.range[1]), with: String(port.value + 1) });
        }
      } else if (Object.prototype.hasOwnProperty.call(WORKLOAD_TEMPLATE_PATHS, kind)) {
        lensFiles.add(file);
        const name = nodeAt(doc.contents, ['metadata', 'name']);
        if (isScalar(name) && name.range) hovers.workload.push({ kind: 'workload', file, offset: name.range[0] + 1 });
        const labels = nodeAt(doc.contents, [...WORKLOAD_TEMPLATE_PATHS[kind], 'metadata', 'labels']);
        for (const pair of plainPairs(labels)) {
          if (pair.key.value === 'app' || pair.key.value === 'tier') edits.label.push({ kind: 'label', file, offset: pair.value.range[1], insert: 'x' });
        }
      }
    }
  }
  return { files, edits, hovers, completions, lensFiles: [...lensFiles] };
}

/** Picks n items spread over a list with a seeded generator (repeats when the list is shorter). */
export function pick(list, n, random) {
  if (list.length === 0) return [];
  const out = [];
  const shuffled = list.map((x) => [random(), x]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  for (let i = 0; i < n; i++) out.push(shuffled[i % shuffled.length]);
  return out;
}

export const uriOf = (file) => pathToFileURL(file).href;
