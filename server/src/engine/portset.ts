// Sets of (protocol, port) pairs as maximal sorted ranges per protocol.
import { PROTOCOLS, type Protocol } from './types';

export type PortRange = readonly [number, number];

const MIN_PORT = 1;
const MAX_PORT = 65535;

function normalize(ranges: PortRange[]): PortRange[] {
  const sorted = ranges.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function intersectRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  let result: PortRange[] = [...a];
  for (const [blo, bhi] of b) {
    const next: PortRange[] = [];
    for (const [lo, hi] of result) {
      if (bhi < lo || blo > hi) next.push([lo, hi]);
      else {
        if (lo < blo) next.push([lo, blo - 1]);
        if (hi > bhi) next.push([bhi + 1, hi]);
      }
    }
    result = next;
  }
  return result;
}

/** An immutable set of connections: for each protocol, the allowed port ranges. */
export class PortSet {
  // Hovers and reports group thousands of results by their text: it is made once per set.
  private text: string | undefined;
  private readonly empty: boolean;

  private constructor(private readonly byProtocol: Readonly<Record<Protocol, readonly PortRange[]>>) {
    this.empty = byProtocol.SCTP.length === 0 && byProtocol.TCP.length === 0 && byProtocol.UDP.length === 0;
  }

  static readonly NONE = new PortSet({ SCTP: [], TCP: [], UDP: [] });
  static readonly ALL = new PortSet({ SCTP: [[MIN_PORT, MAX_PORT]], TCP: [[MIN_PORT, MAX_PORT]], UDP: [[MIN_PORT, MAX_PORT]] });

  static of(protocol: Protocol, lo = MIN_PORT, hi = MAX_PORT): PortSet {
    const byProtocol: Record<Protocol, PortRange[]> = { SCTP: [], TCP: [], UDP: [] };
    byProtocol[protocol] = normalize([[Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)]]);
    return new PortSet(byProtocol);
  }

  ranges(protocol: Protocol): readonly PortRange[] {
    return this.byProtocol[protocol];
  }

  union(other: PortSet): PortSet {
    if (this.empty || other === PortSet.ALL) return other;
    if (other.empty || this === other || this === PortSet.ALL) return this;
    const byProtocol = {} as Record<Protocol, PortRange[]>;
    for (const p of PROTOCOLS) byProtocol[p] = normalize([...this.byProtocol[p], ...other.byProtocol[p]]);
    return new PortSet(byProtocol);
  }

  intersect(other: PortSet): PortSet {
    if (this === PortSet.ALL || other.empty) return other;
    if (other === PortSet.ALL || this === other || this.empty) return this;
    const byProtocol = {} as Record<Protocol, PortRange[]>;
    for (const p of PROTOCOLS) byProtocol[p] = intersectRanges(this.byProtocol[p], other.byProtocol[p]);
    return new PortSet(byProtocol);
  }

  subtract(other: PortSet): PortSet {
    const byProtocol = {} as Record<Protocol, PortRange[]>;
    for (const p of PROTOCOLS) byProtocol[p] = subtractRanges(this.byProtocol[p], other.byProtocol[p]);
    return new PortSet(byProtocol);
  }

  has(protocol: Protocol, port: number): boolean {
    return this.byProtocol[protocol].some(([lo, hi]) => port >= lo && port <= hi);
  }

  isEmpty(): boolean {
    return this.empty;
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => {
      const r = this.byProtocol[p];
      return r.length === 1 && r[0][0] === MIN_PORT && r[0][1] === MAX_PORT;
    });
  }

  equals(other: PortSet): boolean {
    return this.toString() === other.toString();
  }

  /** `All Connections`, `No Connections`, or `TCP 80,8080-8090,UDP 53` (protocols sorted, no spaces after commas). */
  toString(): string {
    this.text ??= this.describe();
    return this.text;
  }

  private describe(): string {
    if (this.isAll()) return 'All Connections';
    if (this.empty) return 'No Connections';
    return PROTOCOLS.filter((p) => this.byProtocol[p].length > 0)
      .map((p) => `${p} ${this.byProtocol[p].map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',')}`)
      .join(',');
  }
}
