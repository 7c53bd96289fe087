// Laws of the engine's set types against brute force: PortSet (union, intersection, difference, canonical form)
// and CIDR blocks (containment, overlap, subtraction, partition, formatting) on small address spaces where every
// member can be enumerated. Seeded (see arbitraries.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { contains, formatRangeAsCidr, isCidrCanonical, overlaps, parseCidr, partition, subtractAll, type IpRange } from '../../../src/engine/cidr';
import { PortSet } from '../../../src/engine/portset';
import { PROTOCOLS, type Protocol } from '../../../src/engine/types';
import { FUZZ_SEED, fuzzOptions } from './arbitraries';

// Range bounds come from these points, so membership is constant between consecutive points: checking each point
// and its neighbours checks every port.
const CRITICAL = [1, 2, 3, 10, 11, 12, 20, 53, 80, 81, 1000, 65533, 65534, 65535];
const PROBES = [...new Set(CRITICAL.flatMap((p) => [p - 1, p, p + 1]).filter((p) => p >= 1 && p <= 65535))].sort((a, b) => a - b);

const portSetArb: fc.Arbitrary<PortSet> = fc
  .array(fc.tuple(fc.constantFrom<Protocol>(...PROTOCOLS), fc.constantFrom(...CRITICAL), fc.constantFrom(...CRITICAL)), { maxLength: 5 })
  .chain((ranges) => fc.constantFrom(ranges, [...ranges].reverse()))
  .map((ranges) => ranges.reduce((set, [protocol, a, b]) => set.union(PortSet.of(protocol, Math.min(a, b), Math.max(a, b))), PortSet.NONE));
const anyPortSet = fc.oneof({ weight: 8, arbitrary: portSetArb }, { weight: 1, arbitrary: fc.constantFrom(PortSet.ALL, PortSet.NONE) });

function members(set: PortSet): string[] {
  return PROTOCOLS.flatMap((p) => PROBES.filter((port) => set.has(p, port)).map((port) => `${p}/${port}`));
}

describe(`fuzz: PortSet laws (seed ${FUZZ_SEED})`, () => {
  it('union, intersection and difference agree with membership', () => {
    fc.assert(
      fc.property(anyPortSet, anyPortSet, (a, b) => {
        for (const protocol of PROTOCOLS) {
          for (const port of PROBES) {
            const inA = a.has(protocol, port);
            const inB = b.has(protocol, port);
            assert.equal(a.union(b).has(protocol, port), inA || inB);
            assert.equal(a.intersect(b).has(protocol, port), inA && inB);
            assert.equal(a.subtract(b).has(protocol, port), inA && !inB);
          }
        }
      }),
      fuzzOptions(300),
    );
  });

  it('a set with itself, with everything and with nothing (the operations answer these without computing)', () => {
    fc.assert(
      fc.property(anyPortSet, (a) => {
        const text = members(a).join();
        assert.equal(members(a.union(a)).join(), text);
        assert.equal(members(a.intersect(a)).join(), text);
        assert.equal(members(a.intersect(PortSet.ALL)).join(), text);
        assert.equal(members(PortSet.ALL.intersect(a)).join(), text);
        assert.ok(a.intersect(PortSet.NONE).isEmpty() && PortSet.NONE.intersect(a).isEmpty());
        assert.ok(a.union(PortSet.ALL).isAll() && PortSet.ALL.union(a).isAll());
        assert.equal(a.union(PortSet.NONE).toString(), a.toString());
        // The text is made once and kept: asking again, or after operations, gives the same.
        assert.equal(a.toString(), a.union(PortSet.NONE).toString());
      }),
      fuzzOptions(300),
    );
  });

  it('the canonical form: equal membership if and only if equal, isAll and isEmpty by membership', () => {
    fc.assert(
      fc.property(anyPortSet, anyPortSet, (a, b) => {
        assert.equal(a.equals(b), members(a).join() === members(b).join());
        assert.equal(a.isEmpty(), members(a).length === 0);
        assert.equal(a.isAll(), members(a).length === PROBES.length * PROTOCOLS.length);
        for (const p of PROTOCOLS) {
          const ranges = a.ranges(p);
          for (let i = 0; i < ranges.length; i++) {
            assert.ok(ranges[i][0] <= ranges[i][1], 'non-empty ranges');
            if (i > 0) assert.ok(ranges[i][0] > ranges[i - 1][1] + 1, 'sorted, disjoint and not adjacent');
          }
        }
      }),
      fuzzOptions(300),
    );
  });

  it('algebra: commutative, associative, distributive, identities, De Morgan within ALL', () => {
    fc.assert(
      fc.property(anyPortSet, anyPortSet, anyPortSet, (a, b, c) => {
        const eq = (x: PortSet, y: PortSet, law: string) => assert.equal(x.toString(), y.toString(), law);
        eq(a.union(b), b.union(a), 'union commutes');
        eq(a.intersect(b), b.intersect(a), 'intersection commutes');
        eq(a.union(b).union(c), a.union(b.union(c)), 'union associates');
        eq(a.intersect(b).intersect(c), a.intersect(b.intersect(c)), 'intersection associates');
        eq(a.intersect(b.union(c)), a.intersect(b).union(a.intersect(c)), 'intersection distributes over union');
        eq(a.union(b.intersect(c)), a.union(b).intersect(a.union(c)), 'union distributes over intersection');
        eq(a.union(PortSet.NONE), a, 'NONE is the union identity');
        eq(a.intersect(PortSet.ALL), a, 'ALL is the intersection identity');
        eq(a.union(a), a, 'union is idempotent');
        eq(a.intersect(a), a, 'intersection is idempotent');
        assert.ok(a.subtract(a).isEmpty(), 'a - a is empty');
        eq(PortSet.ALL.subtract(a.union(b)), PortSet.ALL.subtract(a).intersect(PortSet.ALL.subtract(b)), 'De Morgan');
        eq(a.subtract(b).union(a.intersect(b)), a, 'a = (a - b) + (a & b)');
      }),
      fuzzOptions(300),
    );
  });
});

// 10.0.0.0/24 and 2001:db8::/120: 256 addresses each, small enough to enumerate.
const V4_BASE = 0x0a000000;
const cidrArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 24, max: 32 })).map(([host, prefix]) => ({ text: `10.0.0.${host}/${prefix}`, host, prefix, v6: false })),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 120, max: 128 })).map(([host, prefix]) => ({ text: `2001:db8::${host.toString(16)}/${prefix}`, host, prefix: prefix - 96, v6: true })),
);
type SmallCidr = { text: string; host: number; prefix: number; v6: boolean };

/** The last-octet members of a small CIDR, computed by masking each candidate address independently. */
function bruteMembers(c: SmallCidr): Set<number> {
  const hostBits = 32 - c.prefix;
  const out = new Set<number>();
  for (let x = 0; x < 256; x++) if (x >>> hostBits === c.host >>> hostBits || hostBits >= 8) out.add(x);
  return out;
}

function parsed(c: SmallCidr): IpRange {
  const r = parseCidr(c.text);
  assert.ok(typeof r !== 'string', `${c.text}: ${r}`);
  return r;
}

function lastOctets(r: IpRange): Set<number> {
  const out = new Set<number>();
  const base = r.v6 ? parseCidr('2001:db8::/120') : { v6: false, lo: BigInt(V4_BASE), hi: BigInt(V4_BASE + 255) };
  assert.ok(typeof base !== 'string');
  for (let x = r.lo; x <= r.hi; x++) out.add(Number(x - base.lo));
  return out;
}

describe(`fuzz: CIDR arithmetic against brute force (seed ${FUZZ_SEED})`, () => {
  it('parsing masks the host bits; canonical exactly when no host bit is set; formatting round-trips', () => {
    fc.assert(
      fc.property(cidrArb, (c) => {
        const r = parsed(c);
        assert.deepEqual([...lastOctets(r)].sort((a, b) => a - b), [...bruteMembers(c)].sort((a, b) => a - b));
        const hostBits = 32 - c.prefix;
        assert.equal(isCidrCanonical(c.text), hostBits === 0 || c.host % 2 ** hostBits === 0);
        const formatted = formatRangeAsCidr(r);
        const again = parseCidr(formatted);
        assert.ok(typeof again !== 'string');
        assert.deepEqual(again, r, `${c.text} -> ${formatted}`);
      }),
      fuzzOptions(300),
    );
  });

  it('contains and overlaps agree with set inclusion and intersection; IPv4 and IPv6 never mix', () => {
    fc.assert(
      fc.property(cidrArb, cidrArb, (a, b) => {
        const ra = parsed(a);
        const rb = parsed(b);
        if (a.v6 !== b.v6) {
          assert.equal(contains(ra, rb), false);
          assert.equal(overlaps(ra, rb), false);
          return;
        }
        const ma = bruteMembers(a);
        const mb = bruteMembers(b);
        assert.equal(contains(ra, rb), [...mb].every((x) => ma.has(x)), `${a.text} contains ${b.text}`);
        assert.equal(overlaps(ra, rb), [...mb].some((x) => ma.has(x)), `${a.text} overlaps ${b.text}`);
      }),
      fuzzOptions(400),
    );
  });

  it('subtractAll and partition agree with enumeration', () => {
    fc.assert(
      fc.property(cidrArb, fc.array(cidrArb, { maxLength: 4 }), (base, holes) => {
        const rb = parsed(base);
        const rh = holes.map(parsed);
        const expected = new Set([...bruteMembers(base)].filter((x) => !holes.some((h) => h.v6 === base.v6 && bruteMembers(h).has(x))));
        const pieces = subtractAll(rb, rh);
        const got = new Set<number>();
        for (const p of pieces) for (const x of lastOctets(p)) got.add(x);
        assert.deepEqual([...got].sort((a, b) => a - b), [...expected].sort((a, b) => a - b));
        for (let i = 1; i < pieces.length; i++) assert.ok(pieces[i].lo > pieces[i - 1].hi, 'sorted and disjoint');
        const blocks = partition(rb, rh);
        const covered: number[] = [];
        for (const block of blocks) {
          covered.push(...lastOctets(block));
          for (const h of rh) {
            if (h.v6 !== rb.v6) continue;
            assert.ok(contains(h, block) || !overlaps(h, block), 'no range cuts a block');
          }
        }
        assert.deepEqual(covered, [...lastOctets(rb)], 'the blocks cover the space in order');
      }),
      fuzzOptions(300),
    );
  });
});
