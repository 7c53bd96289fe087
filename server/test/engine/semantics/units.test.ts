// Unit tables for the pieces under the semantics: label selectors, reading NetworkPolicies (defaulting and what the
// API server rejects), port sets and address ranges. Each table row names its source.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { contains, parseCidr, parseIpEndpoint, formatRangeAsCidr, subtractAll, partition, IPV4_ALL } from '../../../src/engine/cidr';
import { parseFile } from '../../../src/engine/parse';
import { readNetworkPolicy } from '../../../src/engine/policy';
import { PortSet } from '../../../src/engine/portset';
import { matchesSelector, readSelector, formatSelector, selectorKey } from '../../../src/engine/selectors';

describe('label selectors (API reference: LabelSelector, LabelSelectorRequirement)', () => {
  const rows: [string, string, Record<string, string>, boolean][] = [
    ['empty selector selects everything', '{}', {}, true],
    ['empty selector selects everything', '{}', { app: 'x' }, true],
    ['matchLabels needs the exact value', '{matchLabels: {app: web}}', { app: 'web' }, true],
    ['matchLabels needs the exact value', '{matchLabels: {app: web}}', { app: 'web2' }, false],
    ['matchLabels needs the key', '{matchLabels: {app: web}}', {}, false],
    ['matchLabels entries are ANDed', '{matchLabels: {app: web, tier: fe}}', { app: 'web' }, false],
    ['In: value in the set', '{matchExpressions: [{key: app, operator: In, values: [a, b]}]}', { app: 'b' }, true],
    ['In: a missing key does not match', '{matchExpressions: [{key: app, operator: In, values: [a, b]}]}', {}, false],
    ['NotIn: a value outside the set matches', '{matchExpressions: [{key: app, operator: NotIn, values: [a]}]}', { app: 'b' }, true],
    ['NotIn: a value in the set does not match', '{matchExpressions: [{key: app, operator: NotIn, values: [a]}]}', { app: 'a' }, false],
    ['NotIn: a missing key matches', '{matchExpressions: [{key: app, operator: NotIn, values: [a]}]}', { other: 'a' }, true],
    ['Exists: any value', '{matchExpressions: [{key: app, operator: Exists}]}', { app: '' }, true],
    ['Exists: missing key', '{matchExpressions: [{key: app, operator: Exists}]}', {}, false],
    ['DoesNotExist: missing key matches', '{matchExpressions: [{key: app, operator: DoesNotExist}]}', { tier: 'x' }, true],
    ['DoesNotExist: present key (even empty) does not', '{matchExpressions: [{key: app, operator: DoesNotExist}]}', { app: '' }, false],
    ['matchLabels and matchExpressions are ANDed', '{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}', { app: 'web', tier: 'db' }, false],
    ['matchLabels and matchExpressions are ANDed', '{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: NotIn, values: [db]}]}', { app: 'web' }, true],
  ];
  for (const [why, yaml, labels, expected] of rows) {
    test(`${why}: ${yaml} vs ${JSON.stringify(labels)} -> ${expected}`, () => {
      const selector = readSelector(parse(yaml));
      assert.deepEqual(selector.problems, []);
      assert.equal(matchesSelector(selector, labels), expected);
    });
  }

  const invalid: [string, string][] = [
    ['unknown operator', '{matchExpressions: [{key: app, operator: Equals, values: [a]}]}'],
    ['In without values', '{matchExpressions: [{key: app, operator: In}]}'],
    ['NotIn with an empty values list', '{matchExpressions: [{key: app, operator: NotIn, values: []}]}'],
    ['Exists with values', '{matchExpressions: [{key: app, operator: Exists, values: [a]}]}'],
    ['a number as a matchLabels value', '{matchLabels: {version: 2}}'],
    ['a label value with a space', '{matchLabels: {app: "my app"}}'],
    ['a key with two slashes', '{matchLabels: {"a/b/c": x}}'],
  ];
  for (const [why, yaml] of invalid) {
    test(`the API server rejects ${why}: ${yaml}`, () => {
      assert.ok(readSelector(parse(yaml)).problems.length > 0);
    });
  }

  test('formatSelector prints selectors the way kubectl does', () => {
    assert.equal(formatSelector(readSelector(parse('{matchLabels: {app: web}, matchExpressions: [{key: t, operator: In, values: [a, b]}, {key: c, operator: DoesNotExist}]}'))), 'app=web,t in (a,b),!c');
    assert.equal(formatSelector(readSelector({})), '(all)');
  });

  test('selectorKey: selectors that require the same are one key; any difference, even in quoting, is another', () => {
    const key = (yaml: string) => selectorKey(readSelector(parse(yaml)));
    // matchLabels is an `In` with one value (the API reference's definition): the two spellings select the same.
    assert.equal(key('{matchLabels: {app: web}}'), key('{matchExpressions: [{key: app, operator: In, values: [web]}]}'));
    assert.equal(key('{}'), key('{matchLabels: {}}'));
    const different = [
      '{}',
      '{matchLabels: {app: web}}',
      '{matchLabels: {app: db}}',
      '{matchLabels: {tier: web}}',
      '{matchExpressions: [{key: app, operator: NotIn, values: [web]}]}',
      '{matchExpressions: [{key: app, operator: In, values: [web, db]}]}',
      '{matchExpressions: [{key: app, operator: In, values: ["web,db"]}]}',
      '{matchExpressions: [{key: app, operator: Exists}]}',
      '{matchExpressions: [{key: app, operator: DoesNotExist}]}',
      '{matchLabels: {app: web, tier: db}}',
    ];
    assert.equal(new Set(different.map(key)).size, different.length);
  });
});

function policy(spec: string) {
  const file = parseFile('file:///p.yaml', `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: n}\nspec:\n${spec.replace(/^/gm, '  ')}\n`);
  return readNetworkPolicy(file.documents[0].objects[0], 'n');
}

describe('reading NetworkPolicies (API reference: NetworkPolicySpec)', () => {
  const typeRows: [string, string, { ingress: boolean; egress: boolean }][] = [
    ['policyTypes omitted, no egress: Ingress', 'podSelector: {}', { ingress: true, egress: false }],
    ['policyTypes omitted, egress rules: Ingress and Egress', 'podSelector: {}\negress: [{}]', { ingress: true, egress: true }],
    ['policyTypes omitted, egress: []: Ingress only', 'podSelector: {}\negress: []', { ingress: true, egress: false }],
    ['policyTypes omitted, ingress rules only: Ingress', 'podSelector: {}\ningress: [{}]', { ingress: true, egress: false }],
    ['policyTypes [Egress]: Egress only, even with ingress rules', 'podSelector: {}\npolicyTypes: [Egress]\ningress: [{}]', { ingress: false, egress: true }],
    ['policyTypes [Ingress]: Ingress only, even with egress rules', 'podSelector: {}\npolicyTypes: [Ingress]\negress: [{}]', { ingress: true, egress: false }],
    ['policyTypes [Ingress, Egress]', 'podSelector: {}\npolicyTypes: [Ingress, Egress]', { ingress: true, egress: true }],
    ['policyTypes [] is defaulted like omitted', 'podSelector: {}\npolicyTypes: []\negress: [{}]', { ingress: true, egress: true }],
  ];
  for (const [why, spec, types] of typeRows) {
    test(`effective policyTypes: ${why}`, () => {
      const p = policy(spec);
      assert.equal(p.valid, true, JSON.stringify(p.problems));
      assert.deepEqual(p.types, types);
    });
  }

  test('a missing or empty from/ports reads as "all" (undefined), listed peers and ports are kept in order', () => {
    const p = policy('podSelector: {}\ningress:\n  - from: []\n    ports: []\n  - {}\n  - from: [{podSelector: {}}, {ipBlock: {cidr: 10.0.0.0/8}}]\n    ports: [{port: 80}, {protocol: UDP}]');
    assert.equal(p.ingress[0].peers, undefined);
    assert.equal(p.ingress[0].ports, undefined);
    assert.equal(p.ingress[1].peers, undefined);
    assert.deepEqual(p.ingress[2].peers!.map((x) => x.type), ['pods', 'ipBlock']);
    assert.deepEqual(p.ingress[2].ports!.map((x) => [x.protocol, x.port]), [['TCP', 80], ['UDP', undefined]]);
  });

  const rejected: [string, string][] = [
    ['a peer with no selector and no ipBlock', 'podSelector: {}\ningress: [{from: [{}]}]'],
    ['ipBlock together with podSelector in one peer', 'podSelector: {}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]'],
    ['an except outside the cidr', 'podSelector: {}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}]}]'],
    ['an except equal to the cidr', 'podSelector: {}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]'],
    ['an invalid cidr', 'podSelector: {}\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]'],
    ['an unknown protocol', 'podSelector: {}\ningress: [{ports: [{protocol: ICMP, port: 80}]}]'],
    ['a port out of range', 'podSelector: {}\ningress: [{ports: [{port: 70000}]}]'],
    ['a numeric port written as a string', 'podSelector: {}\ningress: [{ports: [{port: "80"}]}]'],
    ['endPort below port', 'podSelector: {}\ningress: [{ports: [{port: 90, endPort: 80}]}]'],
    ['endPort with a named port', 'podSelector: {}\ningress: [{ports: [{port: http, endPort: 90}]}]'],
    ['endPort without port', 'podSelector: {}\ningress: [{ports: [{endPort: 90}]}]'],
    ['an unknown policy type', 'podSelector: {}\npolicyTypes: [Inbound]'],
    ['an invalid podSelector', 'podSelector: {matchExpressions: [{key: a, operator: In}]}'],
  ];
  for (const [why, spec] of rejected) {
    test(`the API server rejects ${why}, so the policy is left out of the analysis`, () => {
      assert.equal(policy(spec).valid, false);
    });
  }
});

describe('port sets (connection strings as netpol-analyzer prints them)', () => {
  test('union merges adjacent ranges and sorts protocols', () => {
    const s = PortSet.of('UDP', 53, 53).union(PortSet.of('TCP', 8082, 8082)).union(PortSet.of('TCP', 8081, 8081)).union(PortSet.of('SCTP', 9000, 9001));
    assert.equal(s.toString(), 'SCTP 9000-9001,TCP 8081-8082,UDP 53');
  });
  test('intersection and subtraction', () => {
    assert.equal(PortSet.of('TCP', 1, 100).intersect(PortSet.of('TCP', 50, 200)).toString(), 'TCP 50-100');
    assert.equal(PortSet.of('TCP').subtract(PortSet.of('TCP', 80, 80)).toString(), 'TCP 1-79,81-65535');
    assert.equal(PortSet.ALL.toString(), 'All Connections');
    assert.equal(PortSet.NONE.toString(), 'No Connections');
    assert.equal(PortSet.of('TCP').union(PortSet.of('UDP')).union(PortSet.of('SCTP')).isAll(), true);
  });
  test('endPort ranges are inclusive at both ends', () => {
    const s = PortSet.of('TCP', 32000, 32768);
    assert.deepEqual([31999, 32000, 32768, 32769].map((p) => s.has('TCP', p)), [false, true, true, false]);
  });
});

describe('addresses (API reference: IPBlock)', () => {
  test('IPv4 and IPv6 CIDRs, host bits masked', () => {
    const v4 = parseCidr('10.1.2.3/8');
    assert.ok(typeof v4 !== 'string');
    assert.equal(formatRangeAsCidr(v4), '10.0.0.0/8');
    const v6 = parseCidr('2001:db8::/32');
    assert.ok(typeof v6 !== 'string');
    assert.equal(formatRangeAsCidr(v6), '2001:db8::/32');
  });
  test('an IPv4 block never contains an IPv6 address', () => {
    const v4 = parseCidr('0.0.0.0/0') as Exclude<ReturnType<typeof parseCidr>, string>;
    assert.equal(contains(v4, parseIpEndpoint('::1')!), false);
    assert.equal(contains(v4, parseIpEndpoint('192.0.2.1')!), true);
  });
  test('shorthand the API server rejects is rejected', () => {
    assert.equal(typeof parseCidr('10/8'), 'string');
    assert.equal(typeof parseCidr('10.0.0.0'), 'string');
  });
  test('except carves holes; the partition covers the space', () => {
    const block = parseCidr('10.0.0.0/8') as Exclude<ReturnType<typeof parseCidr>, string>;
    const hole = parseCidr('10.1.0.0/16') as Exclude<ReturnType<typeof parseCidr>, string>;
    const pieces = subtractAll(block, [hole]);
    assert.deepEqual(pieces.map(formatRangeAsCidr), ['10.0.0.0/16', '10.2.0.0-10.255.255.255']);
    assert.deepEqual(partition(IPV4_ALL, pieces).map(formatRangeAsCidr), ['0.0.0.0-9.255.255.255', '10.0.0.0/16', '10.1.0.0/16', '10.2.0.0-10.255.255.255', '11.0.0.0-255.255.255.255']);
  });
});
