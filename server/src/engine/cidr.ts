// IP addresses, CIDR blocks and address ranges, IPv4 and IPv6, as bigint intervals.
import ipaddr from 'ipaddr.js';

export interface IpRange {
  readonly v6: boolean;
  readonly lo: bigint;
  readonly hi: bigint;
}

function bytesToBigInt(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigIntToBytes(n: bigint, length: number): number[] {
  const out = new Array<number>(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

/**
 * An IPv4 address as the API server reads it (k8s.io/utils/net ParseIPSloppy, Go's parser before 1.17): four
 * decimal octets, leading zeros allowed and still decimal (`010` is 10, not octal 8 as ipaddr.js and inet_aton read
 * it). Undefined when it is not one.
 */
function parseIpv4Sloppy(text: string): bigint | undefined {
  const m = IPV4_SLOPPY.exec(text);
  if (!m) return undefined;
  let n = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    n = (n << 8n) | BigInt(octet);
  }
  return n;
}
const IPV4_SLOPPY = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/** Whether an IPv4 address or CIDR writes an octet with a leading zero (`010.1.0.0/16`): readers disagree on it. */
export function hasLeadingZeroOctet(text: string): boolean {
  return /^(?:\d+\.){0,3}0\d/.test(text) && /^\d+\.\d+\.\d+\.\d+(?:\/\d+)?$/.test(text);
}

/** A CIDR's address (before masking) and prefix, or an error message for text the API server would reject. */
function parseCidrParts(text: string): { v6: boolean; address: bigint; prefix: number } | string {
  if (typeof text !== 'string' || !text.includes('/')) return `"${text}" is not a CIDR (expected address/prefix, for example 10.0.0.0/8)`;
  const slash = text.indexOf('/');
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!addressText.includes(':')) {
    // IPv4 as netutils.ParseCIDRSloppy reads it (decimal octets and prefix, leading zeros allowed); ipaddr accepts
    // shorthand such as "10/8" and octal or hex parts, which Kubernetes does not.
    const address = parseIpv4Sloppy(addressText);
    if (address === undefined || !/^\d+$/.test(prefixText) || Number(prefixText) > 32) return `"${text}" is not a valid CIDR`;
    return { v6: false, address, prefix: Number(prefixText) };
  }
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return `"${text}" is not a valid CIDR`;
  }
  const [addr, prefix] = parsed;
  return { v6: addr.kind() === 'ipv6', address: bytesToBigInt(addr.toByteArray()), prefix };
}

/** Parses `10.0.0.0/8`, `2001:db8::/32`. Returns an error message for text the API server would reject. */
export function parseCidr(text: string): IpRange | string {
  const parts = parseCidrParts(text);
  if (typeof parts === 'string') return parts;
  const hostBits = BigInt((parts.v6 ? 128 : 32) - parts.prefix);
  const lo = (parts.address >> hostBits) << hostBits;
  const hi = lo | ((1n << hostBits) - 1n);
  return { v6: parts.v6, lo, hi };
}

export function parseIp(text: string): IpRange | undefined {
  if (!text.includes(':')) {
    const n = parseIpv4Sloppy(text);
    return n === undefined ? undefined : { v6: false, lo: n, hi: n };
  }
  if (!ipaddr.isValid(text)) return undefined;
  const addr = ipaddr.parse(text);
  const n = bytesToBigInt(addr.toByteArray());
  return { v6: addr.kind() === 'ipv6', lo: n, hi: n };
}

/** Parses an address, a CIDR or a range `a-b` as an endpoint. */
export function parseIpEndpoint(text: string): IpRange | undefined {
  if (text.includes('/')) {
    const r = parseCidr(text);
    return typeof r === 'string' ? undefined : r;
  }
  const dash = text.indexOf('-');
  if (dash > 0) {
    const a = parseIp(text.slice(0, dash));
    const b = parseIp(text.slice(dash + 1));
    if (a && b && a.v6 === b.v6 && a.lo <= b.lo) return { v6: a.v6, lo: a.lo, hi: b.hi };
    return undefined;
  }
  return parseIp(text);
}

export function isCidrCanonical(text: string): boolean {
  const parts = parseCidrParts(text);
  if (typeof parts === 'string') return false;
  const r = parseCidr(text) as IpRange;
  return parts.address === r.lo && !hasLeadingZeroOctet(text);
}

export function contains(outer: IpRange, inner: IpRange): boolean {
  return outer.v6 === inner.v6 && outer.lo <= inner.lo && inner.hi <= outer.hi;
}

export function overlaps(a: IpRange, b: IpRange): boolean {
  return a.v6 === b.v6 && a.lo <= b.hi && b.lo <= a.hi;
}

export function formatIp(n: bigint, v6: boolean): string {
  const bytes = bigIntToBytes(n, v6 ? 16 : 4);
  return v6 ? ipaddr.fromByteArray(bytes).toString() : bytes.join('.');
}

export function formatRange(r: IpRange): string {
  return `${formatIp(r.lo, r.v6)}-${formatIp(r.hi, r.v6)}`;
}

/** `10.0.0.0/8` when the range is one CIDR block, else `a-b`. */
export function formatRangeAsCidr(r: IpRange): string {
  const size = r.hi - r.lo + 1n;
  if ((size & (size - 1n)) === 0n && r.lo % size === 0n) {
    const bits = r.v6 ? 128 : 32;
    let prefix = bits;
    for (let s = size; s > 1n; s >>= 1n) prefix--;
    return `${formatIp(r.lo, r.v6)}/${prefix}`;
  }
  return r.lo === r.hi ? formatIp(r.lo, r.v6) : formatRange(r);
}

export const IPV4_ALL: IpRange = { v6: false, lo: 0n, hi: 0xffffffffn };
export const IPV6_ALL: IpRange = { v6: true, lo: 0n, hi: (1n << 128n) - 1n };

/** Subtracts ranges from a range, returning sorted disjoint pieces. */
export function subtractAll(base: IpRange, holes: readonly IpRange[]): IpRange[] {
  let pieces: IpRange[] = [base];
  for (const h of holes) {
    if (h.v6 !== base.v6) continue;
    const next: IpRange[] = [];
    for (const p of pieces) {
      if (h.hi < p.lo || h.lo > p.hi) next.push(p);
      else {
        if (p.lo < h.lo) next.push({ v6: p.v6, lo: p.lo, hi: h.lo - 1n });
        if (p.hi > h.hi) next.push({ v6: p.v6, lo: h.hi + 1n, hi: p.hi });
      }
    }
    pieces = next;
  }
  return pieces.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
}

/** Splits `space` at every boundary of `ranges`: a partition into blocks none of the ranges cuts. */
export function partition(space: IpRange, ranges: readonly IpRange[]): IpRange[] {
  const cuts = new Set<bigint>([space.lo, space.hi + 1n]);
  for (const r of ranges) {
    if (r.v6 !== space.v6) continue;
    if (r.lo > space.lo && r.lo <= space.hi) cuts.add(r.lo);
    if (r.hi + 1n > space.lo && r.hi + 1n <= space.hi) cuts.add(r.hi + 1n);
  }
  const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: IpRange[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) out.push({ v6: space.v6, lo: sorted[i], hi: sorted[i + 1] - 1n });
  return out;
}
