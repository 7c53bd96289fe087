// Summary of a V8 heap snapshot (v8.writeHeapSnapshot): self size by node type and constructor, plain objects
// grouped by their property names, and retained size (dominator tree) of the largest groups.
// node bench/lib/heap-summary.mjs FILE.heapsnapshot [--top N] [--retained]
import fs from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const top = Number(args[args.indexOf('--top') + 1]) || 30;
const snapshot = JSON.parse(fs.readFileSync(file, 'utf8'));
const meta = snapshot.snapshot.meta;
const nodeFields = meta.node_fields;
const edgeFields = meta.edge_fields;
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const N = nodeFields.length;
const E = edgeFields.length;
const nodes = snapshot.nodes;
const edges = snapshot.edges;
const strings = snapshot.strings;
const nodeCount = nodes.length / N;
const TYPE = nodeFields.indexOf('type');
const NAME = nodeFields.indexOf('name');
const SELF = nodeFields.indexOf('self_size');
const EDGES = nodeFields.indexOf('edge_count');
const ETYPE = edgeFields.indexOf('type');
const ENAME = edgeFields.indexOf('name_or_index');
const ETO = edgeFields.indexOf('to_node');

const firstEdge = new Uint32Array(nodeCount + 1);
for (let i = 0, e = 0; i < nodeCount; i++) {
  firstEdge[i] = e;
  e += nodes[i * N + EDGES] * E;
  firstEdge[i + 1] = e;
}
const typeOf = (i) => nodeTypes[nodes[i * N + TYPE]];
const nameOf = (i) => strings[nodes[i * N + NAME]];
const selfOf = (i) => nodes[i * N + SELF];

/** The group a node is counted in: type and constructor; plain objects by their first property names. */
let groupOf = function (i) {
  const type = typeOf(i);
  if (type === 'object' && nameOf(i) === 'Object') {
    const names = [];
    for (let e = firstEdge[i]; e < firstEdge[i + 1] && names.length < 6; e += E) {
      if (edgeTypes[edges[e + ETYPE]] === 'property') names.push(strings[edges[e + ENAME]]);
    }
    return `{${names.join(',')}}`;
  }
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return `(${type})`;
  if (type === 'array') return `(array ${nameOf(i)})`;
  if (type === 'code' || type === 'hidden') return `(${type})`;
  return `${type}:${nameOf(i)}`;
};

// Internal arrays and strings are counted under their first retainer's group and the edge that holds them.
const owner = new Int32Array(nodeCount).fill(-1);
const ownerEdge = new Int32Array(nodeCount).fill(-1);
for (let i = 0; i < nodeCount; i++) {
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += E) {
    const to = edges[e + ETO] / N;
    if (owner[to] < 0 && edgeTypes[edges[e + ETYPE]] !== 'weak') {
      owner[to] = i;
      ownerEdge[to] = e;
    }
  }
}
const edgeName = (e) => {
  const type = edgeTypes[edges[e + ETYPE]];
  return type === 'element' || type === 'hidden' ? `[${type}]` : String(strings[edges[e + ENAME]]);
};
const baseGroupOf = groupOf;
const byOwner = args.includes('--by-owner');
groupOf = (i) => {
  const g = baseGroupOf(i);
  if (!byOwner || !(g.startsWith('(array') || g.startsWith('(string') || g.startsWith('(sliced') || g.startsWith('(concat') || g === 'object:Array' || g === 'object:Map')) return g;
  const o = owner[i];
  if (o < 0) return g;
  let og = baseGroupOf(o);
  // One more level for arrays and strings held by arrays or maps.
  if ((og.startsWith('(array') || og === 'object:Array' || og === 'object:Map') && owner[o] >= 0) og = `${baseGroupOf(owner[o])}.${edgeName(ownerEdge[o])}>${og}`;
  return `${g} in ${og}.${edgeName(ownerEdge[i])}`;
};
const groups = new Map();
let total = 0;
const groupIndex = new Int32Array(nodeCount);
const groupNames = [];
for (let i = 0; i < nodeCount; i++) {
  const g = groupOf(i);
  let entry = groups.get(g);
  if (!entry) {
    entry = { name: g, id: groupNames.length, count: 0, self: 0, retained: 0 };
    groups.set(g, entry);
    groupNames.push(entry);
  }
  groupIndex[i] = entry.id;
  entry.count++;
  entry.self += selfOf(i);
  total += selfOf(i);
}
const MB = (b) => (b / 2 ** 20).toFixed(1);
console.log(`nodes ${nodeCount}, self size total ${MB(total)} MB`);
console.log('\nby self size:');
for (const g of [...groups.values()].sort((a, b) => b.self - a.self).slice(0, top)) {
  console.log(`${MB(g.self).padStart(8)} MB ${String(g.count).padStart(9)}  ${g.name.slice(0, 140)}`);
}

if (args.includes('--retained')) {
  // Dominators (Cooper, Harvey, Kennedy: iterative over reverse postorder), ignoring weak edges.
  const order = new Int32Array(nodeCount).fill(-1); // postorder number
  const byOrder = new Int32Array(nodeCount);
  const stack = new Int32Array(nodeCount * 2 + 2);
  const visited = new Uint8Array(nodeCount);
  let count = 0;
  let sp = 0;
  stack[sp++] = 0;
  stack[sp++] = firstEdge[0];
  visited[0] = 1;
  const weak = edgeTypes.indexOf('weak');
  while (sp > 0) {
    const node = stack[sp - 2];
    const e = stack[sp - 1];
    if (e < firstEdge[node + 1]) {
      stack[sp - 1] = e + E;
      if (edges[e + ETYPE] === weak) continue;
      const to = edges[e + ETO] / N;
      if (!visited[to]) {
        visited[to] = 1;
        stack[sp++] = to;
        stack[sp++] = firstEdge[to];
      }
    } else {
      sp -= 2;
      order[node] = count;
      byOrder[count++] = node;
    }
  }
  // Predecessors of reachable nodes.
  const predCount = new Uint32Array(nodeCount + 1);
  for (let i = 0; i < nodeCount; i++) {
    if (!visited[i]) continue;
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += E) if (edges[e + ETYPE] !== weak) predCount[edges[e + ETO] / N]++;
  }
  const predStart = new Uint32Array(nodeCount + 1);
  for (let i = 0; i < nodeCount; i++) predStart[i + 1] = predStart[i] + predCount[i];
  const preds = new Int32Array(predStart[nodeCount]);
  const fill = predStart.slice();
  for (let i = 0; i < nodeCount; i++) {
    if (!visited[i]) continue;
    for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += E) if (edges[e + ETYPE] !== weak) preds[fill[edges[e + ETO] / N]++] = i;
  }
  const idom = new Int32Array(count).fill(-1); // by postorder number
  const rootOrder = order[0];
  idom[rootOrder] = rootOrder;
  const intersect = (a, b) => {
    while (a !== b) {
      while (a < b) a = idom[a];
      while (b < a) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let k = count - 1; k >= 0; k--) {
      if (k === rootOrder) continue;
      const node = byOrder[k];
      let best = -1;
      for (let p = predStart[node]; p < predStart[node + 1]; p++) {
        const po = order[preds[p]];
        if (po < 0 || idom[po] < 0) continue;
        best = best < 0 ? po : intersect(po, best);
      }
      if (best >= 0 && idom[k] !== best) {
        idom[k] = best;
        changed = true;
      }
    }
  }
  const retained = new Float64Array(count);
  for (let k = 0; k < count; k++) retained[k] += selfOf(byOrder[k]);
  for (let k = 0; k < count; k++) if (k !== rootOrder) retained[idom[k]] += retained[k];
  // A group's retained size: its members' retained sizes, not counting members dominated by another member.
  for (let k = 0; k < count; k++) {
    const node = byOrder[k];
    const g = groupIndex[node];
    let d = idom[k];
    let nested = false;
    while (d !== rootOrder) {
      if (groupIndex[byOrder[d]] === g) {
        nested = true;
        break;
      }
      const up = idom[d];
      if (up === d) break;
      d = up;
    }
    if (!nested) groupNames[g].retained += retained[k];
  }
  console.log('\nby retained size (dominator tree):');
  for (const g of [...groups.values()].sort((a, b) => b.retained - a.retained).slice(0, top)) {
    console.log(`${MB(g.retained).padStart(8)} MB ${String(g.count).padStart(9)}  ${g.name.slice(0, 140)}`);
  }
}
