// np-guard/netpol-analyzer's `list` text format. Its conventions live here, not in the engine: pods are named by
// their direct controller owner, replicas are one peer (self lines omitted), and the outside world is split into
// IPv4 ranges at every ipBlock boundary (ingress and egress sides apart). See ../shared/corpus/netpol-analyzer/FORMAT.md.
import { IPV4_ALL, formatRange, partition, subtractAll, type IpRange } from '../engine/cidr';
import { ciliumNetworkRanges } from '../engine/cilium-evaluate';
import type { Analysis, Endpoint } from '../engine/evaluate';
import { controllerReference, readWorkload, WORKLOAD_KINDS, type Workload } from '../engine/model';
import { PortSet } from '../engine/portset';
import { escapeControls } from './escape';

export interface ConnLine {
  src: string;
  dst: string;
  conn: string;
}

interface Peer {
  name: string;
  endpoints: Endpoint[];
  external: boolean;
}

const WORKLOAD_KIND_SET = new Set<string>(WORKLOAD_KINDS);

function analyzerPeers(analysis: Analysis): Peer[] {
  const model = analysis.model;
  const byName = new Map<string, Peer>();
  let nextId = 1_000_000; // ids apart from the model's own workloads (the analysis caches by id)
  const workloadOf = new Map(model.workloads.map((w) => [w.object, w] as const));
  for (const o of model.objects) {
    if (!WORKLOAD_KIND_SET.has(o.kind) || !o.name) continue;
    const own = workloadOf.get(o);
    if (own?.assumed) continue;
    if (o.kind === 'Pod' && o.name.startsWith('virt-launcher-')) continue;
    const namespace = own?.namespace ?? model.ownedBy.get(o)?.namespace ?? o.namespace ?? model.defaultNamespace;
    const w = readWorkload(o, namespace, nextId++, false);
    if (!w) continue;
    let display = `${namespace}/${o.name}[${o.kind}]`;
    if (o.kind === 'Pod') {
      const owner = controllerReference(o);
      if (owner && owner.kind !== 'Node') display = `${namespace}/${owner.name}[${owner.kind || 'Pod'}]`;
    }
    const peer = byName.get(display) ?? { name: display, endpoints: [], external: false };
    peer.endpoints.push({ type: 'workload', workload: w });
    byName.set(display, peer);
  }
  return [...byName.values()];
}

function ipBlockRanges(analysis: Analysis, direction: 'ingress' | 'egress'): IpRange[] {
  const ranges: IpRange[] = [];
  for (const policy of analysis.model.policies) {
    if (!policy.valid) continue;
    for (const rule of policy[direction]) {
      for (const peer of rule.peers ?? []) {
        if (peer.type !== 'ipBlock' || peer.cidr.v6) continue;
        ranges.push(...subtractAll(peer.cidr, peer.except));
      }
    }
  }
  // Cluster-wide egress `networks` cut the destination side too (FORMAT.md §6); IPv6 ones are skipped, as there.
  for (const policy of analysis.model.clusterPolicies) {
    if (!policy.valid) continue;
    for (const rule of policy[direction]) {
      for (const peer of rule.peers) if (peer.type === 'networks') for (const n of peer.networks) if (!n.range.v6) ranges.push(n.range);
    }
  }
  // Cilium's CIDR peers and CIDR groups cut the outside world too (both directions; IPv6 skipped as above).
  for (const r of ciliumNetworkRanges(analysis.model)) if (!r.v6) ranges.push(r);
  return ranges;
}

function externalPeers(analysis: Analysis, direction: 'ingress' | 'egress'): Peer[] {
  return partition(IPV4_ALL, ipBlockRanges(analysis, direction)).map((range) => ({
    name: `${formatRange(range)}[External]`,
    endpoints: [{ type: 'ip', range, label: formatRange(range) }],
    external: true,
  }));
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The analyzer's lines, computed one at a time in its order (source, then destination, by code units): peers sorted
 * by name make the pairs come out sorted, so no list of lines is ever held (20,000 pods make hundreds of millions).
 */
export function* analyzerConnectionLines(analysis: Analysis): Generator<ConnLine> {
  const workloads = analyzerPeers(analysis);
  const byName = (a: Peer, b: Peer) => byCodeUnits(a.name, b.name);
  const sources = [...externalPeers(analysis, 'ingress'), ...workloads].sort(byName);
  const destinations = [...workloads, ...externalPeers(analysis, 'egress')].sort(byName);
  for (const src of sources) {
    for (const dst of destinations) {
      if (src.name === dst.name || (src.external && dst.external)) continue;
      let conn = PortSet.NONE;
      for (const s of src.endpoints) for (const d of dst.endpoints) conn = conn.union(analysis.connection(s, d).allowed);
      if (!conn.isEmpty()) yield { src: src.name, dst: dst.name, conn: conn.toString() };
    }
  }
}

export function analyzerConnections(analysis: Analysis): ConnLine[] {
  return [...analyzerConnectionLines(analysis)];
}

function analyzerTextLine(l: ConnLine): string {
  return `${escapeControls(`${l.src} => ${l.dst} : ${l.conn}`)}\n`;
}

/** The analyzer's JSON element, as JSON.stringify(lines, null, 2) prints it inside the array. */
function analyzerJsonElement(l: ConnLine): string {
  return JSON.stringify({ src: l.src, dst: l.dst, conn: l.conn }, null, 2).replace(/^/gm, '  ');
}

export function formatAnalyzerText(lines: ConnLine[]): string {
  return lines.map(analyzerTextLine).join('');
}

/** The analyzer's JSON format: the same lines as a pretty-printed array of `{src, dst, conn}` (FORMAT.md §1). */
export function formatAnalyzerJson(lines: ConnLine[]): string {
  return `${JSON.stringify(lines.map((l) => ({ src: l.src, dst: l.dst, conn: l.conn })), null, 2)}\n`;
}

/** Writes the lines in either format as they come, in pieces of about 64 KB: the same text as the format* functions. */
export function writeAnalyzer(lines: Iterable<ConnLine>, format: 'text' | 'json', write: (text: string) => void): void {
  let buffer = '';
  let count = 0;
  for (const l of lines) {
    buffer += format === 'json' ? `${count === 0 ? '[\n' : ',\n'}${analyzerJsonElement(l)}` : analyzerTextLine(l);
    count++;
    if (buffer.length >= 1 << 16) {
      write(buffer);
      buffer = '';
    }
  }
  if (format === 'json') buffer += count === 0 ? '[]\n' : '\n]\n';
  if (buffer) write(buffer);
}

export type { Workload };
