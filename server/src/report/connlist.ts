// Every allowed connection at workload level, with its port sets and the external address ranges involved.
import { calicoNetworkRanges } from '../engine/calico-policy';
import { clusterNetworkRanges } from '../engine/cluster-policy';
import { IPV4_ALL, IPV6_ALL, formatRangeAsCidr, partition, subtractAll, type IpRange } from '../engine/cidr';
import { workloadEndpoint, type Analysis, type Endpoint } from '../engine/evaluate';
import type { PortSet } from '../engine/portset';
import { hasNotAnalysed, uncertaintyBetween } from '../engine/not-analysed';
import { escapeControls } from './escape';

export interface Connection {
  from: string;
  to: string;
  /** `All Connections` or `TCP 80,443,UDP 53`. */
  conn: string;
  /** Set for a side that is an external address range. */
  fromExternal?: boolean;
  toExternal?: boolean;
  /** Policies of kinds netpol does not analyse may change this verdict. */
  uncertain?: boolean;
}

function blocks(analysis: Analysis, direction: 'ingress' | 'egress'): IpRange[] {
  const ranges: IpRange[] = [];
  for (const p of analysis.model.policies) {
    if (!p.valid) continue;
    for (const rule of p[direction]) for (const peer of rule.peers ?? []) if (peer.type === 'ipBlock') ranges.push(...subtractAll(peer.cidr, peer.except));
  }
  if (direction === 'egress') ranges.push(...clusterNetworkRanges(analysis.model.clusterPolicies));
  ranges.push(...calicoNetworkRanges(analysis.model.calico));
  return [...partition(IPV4_ALL, ranges), ...partition(IPV6_ALL, ranges)];
}

/** Adjacent address blocks with the same connections, merged and printed as CIDRs or ranges. */
function mergeExternal(items: { range: IpRange; conn: PortSet }[]): { label: string; conn: string }[] {
  const out: { label: string; conn: string; ranges: IpRange[] }[] = [];
  for (const item of items) {
    if (item.conn.isEmpty()) continue;
    const conn = item.conn.toString();
    const last = out[out.length - 1];
    const lastRange = last?.ranges[last.ranges.length - 1];
    if (last && last.conn === conn && lastRange && lastRange.v6 === item.range.v6 && lastRange.hi + 1n === item.range.lo) {
      last.ranges[last.ranges.length - 1] = { v6: lastRange.v6, lo: lastRange.lo, hi: item.range.hi };
    } else out.push({ label: '', conn, ranges: [item.range] });
  }
  return out.map((o) => ({ label: o.ranges.map(formatRangeAsCidr).join(','), conn: o.conn }));
}

/** Every allowed connection, one at a time (a workspace of thousands of workloads has millions). */
export function* connections(analysis: Analysis): Generator<Connection> {
  if (!hasNotAnalysed(analysis.model)) {
    yield* exactConnections(analysis);
    return;
  }
  const byName = new Map([...analysis.reportedWorkloads()].map((w) => [w.displayName, w]));
  for (const line of exactConnections(analysis)) {
    const a = byName.get(line.from);
    const b = byName.get(line.to);
    if (uncertaintyBetween(analysis.model, (a ?? b)!, a && b ? b : undefined).length > 0) line.uncertain = true;
    yield line;
  }
}

/** The connections as the analysed policies decide them. */
function* exactConnections(analysis: Analysis): Generator<Connection> {
  const workloads = [...analysis.reportedWorkloads()].sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0));
  const ingressBlocks = blocks(analysis, 'ingress');
  const egressBlocks = blocks(analysis, 'egress');
  for (const src of workloads) {
    for (const dst of workloads) {
      if (src === dst && !src.replicated) continue;
      const conn = analysis.allowed(workloadEndpoint(src), workloadEndpoint(dst));
      if (!conn.isEmpty()) yield { from: src.displayName, to: dst.displayName, conn: conn.toString() };
    }
    const out = egressBlocks.map((range) => ({ range, conn: analysis.allowed(workloadEndpoint(src), ipEp(range)) }));
    for (const m of mergeExternal(out)) yield { from: src.displayName, to: m.label, conn: m.conn, toExternal: true };
  }
  for (const dst of workloads) {
    const incoming = ingressBlocks.map((range) => ({ range, conn: analysis.allowed(ipEp(range), workloadEndpoint(dst)) }));
    for (const m of mergeExternal(incoming)) yield { from: m.label, to: dst.displayName, conn: m.conn, fromExternal: true };
  }
}

export function listConnections(analysis: Analysis): Connection[] {
  return [...connections(analysis)];
}

/** Writes the connections as text or JSON (as `JSON.stringify(list, null, 2)` would), in pieces, as they come. */
export function writeConnections(list: Iterable<Connection>, format: 'text' | 'json', write: (text: string) => void): void {
  let buffer = '';
  let count = 0;
  let uncertain = false;
  const flush = (force: boolean) => {
    if (buffer.length >= 1 << 16 || (force && buffer)) {
      write(buffer);
      buffer = '';
    }
  };
  for (const c of list) {
    if (format === 'json') buffer += `${count === 0 ? '[\n' : ',\n'}${JSON.stringify(c, null, 2).replace(/^/gm, '  ')}`;
    else buffer += connectionLine(c);
    if (c.uncertain) uncertain = true;
    count++;
    flush(false);
  }
  if (format === 'json') buffer += count === 0 ? '[]\n' : '\n]\n';
  else if (count === 0) buffer += 'No connections are allowed.\n';
  else if (uncertain) buffer += UNCERTAIN_NOTE;
  flush(true);
}

function ipEp(range: IpRange): Endpoint {
  return { type: 'ip', range, label: formatRangeAsCidr(range) };
}

export function connectionsToText(lines: Connection[]): string {
  if (lines.length === 0) return 'No connections are allowed.\n';
  const text = lines.map(connectionLine).join('');
  return lines.some((l) => l.uncertain) ? `${text}${UNCERTAIN_NOTE}` : text;
}

const UNCERTAIN_NOTE =
  '(uncertain): policies of kinds netpol does not analyse (see the not-analysed findings) may change these verdicts, and may deny or allow other connections of the same pods.\n';

/** One connection as a line of text; names from the workspace with control characters escaped. */
export function connectionLine(l: Connection): string {
  return `${escapeControls(`${l.from}${l.fromExternal ? ' (external)' : ''} => ${l.to}${l.toExternal ? ' (external)' : ''} : ${l.conn}`)}${l.uncertain ? ' (uncertain)' : ''}\n`;
}
