// The L3/L4 scenarios of Cilium's connectivity test suite (../shared/corpus/cilium-connectivity, from cilium/cilium
// cilium-cli/connectivity/builder): every row of expectations.tsv replayed through the Cilium evaluation. Rows that
// netpol cannot express are counted with their reason; every other row must give the expected verdict, direction and
// drop reason (policy-deny: a deny rule; default-deny: isolated and nothing allowed it).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseCidr, type IpRange } from '../../../src/engine/cidr';
import { CiliumAnalysis, type CiliumEndpoint, type CiliumVerdict } from '../../../src/engine/cilium-evaluate';
import type { Workload } from '../../../src/engine/model';
import { Analysis } from '../../../src/engine/evaluate';
import { Workspace } from '../../../src/engine/workspace';

const CORPUS = join('..', 'shared', 'corpus', 'cilium-connectivity');
if (!existsSync(CORPUS)) throw new Error(`the Cilium connectivity corpus is missing: ${CORPUS} (see HELPERS.md: ../shared)`);

const env = parseYaml(readFileSync(join(CORPUS, 'topology', 'environment.yaml'), 'utf8')) as {
  nodes: { name: string; internalIP: string; cilium: boolean; pods: string[] }[];
};
const range = (text: string): IpRange => {
  const r = parseCidr(text.includes('/') ? text : `${text}/32`);
  if (typeof r === 'string') throw new Error(r);
  return r;
};
// A node without Cilium has no cluster identity: its address is world.
const nodes = env.nodes.filter((n) => n.cilium).map((n) => ({ name: n.name, range: range(n.internalIP) }));
const nodeOfName = new Map<string, string>();
for (const n of env.nodes) for (const p of n.pods) if (!nodeOfName.has(p)) nodeOfName.set(p, n.name);

interface Row {
  scenario: string;
  files: string[];
  from: string;
  to: string;
  proto: string;
  port: string;
  expect: string;
  reason: string;
  line: number;
}
const lines = readFileSync(join(CORPUS, 'expectations.tsv'), 'utf8').split('\n');
const header = lines[0].split('\t');
const col = (name: string): number => header.indexOf(name);
const rows: Row[] = lines.slice(1).filter((l) => l.trim() !== '').map((l, i) => {
  const c = l.split('\t');
  return { scenario: c[col('scenario')], files: c[col('policy_files')].split(';').filter(Boolean), from: c[col('from')], to: c[col('to')], proto: c[col('proto')], port: c[col('port')], expect: c[col('expect')], reason: c[col('drop_reason')], line: i + 2 };
});

const TOPOLOGY = ['cilium-test.yaml', 'kube-system-dns.yaml', 'optional-ccnp.yaml', 'optional-k8s-localhost.yaml', 'optional-node-without-cilium.yaml'];
const analyses = new Map<string, CiliumAnalysis>();
function analysisFor(files: string[]): CiliumAnalysis {
  const key = files.join(';');
  let a = analyses.get(key);
  if (!a) {
    const ws = new Workspace({ defaultNamespace: 'cilium-test' });
    for (const t of TOPOLOGY) ws.setFile(`file:///corpus/topology/${t}`, readFileSync(join(CORPUS, 'topology', t), 'utf8'));
    files.forEach((f, i) => ws.setFile(`file:///corpus/policies/${i}-${f.replace(/\//g, '_')}`, readFileSync(join(CORPUS, f), 'utf8')));
    const model = ws.scopes()[0].model;
    a = new Analysis(model, { cilium: { clusterName: 'default', nodes, nodeOf: (w: Workload) => (w.hostNetwork ? undefined : nodeOfName.get(w.name)) } }).ciliumEvaluator();
    analyses.set(key, a);
  }
  return a;
}

function workload(a: CiliumAnalysis, name: string): Workload {
  const [ns, n] = name.includes('/') ? name.split('/') : ['cilium-test', name];
  const w = a.model.workloads.find((x) => x.namespace === ns && x.name === n && !x.hostNetwork);
  if (!w) throw new Error(`no workload ${name} in the corpus topology`);
  return w;
}

/** The peer Cilium sees, and the port after service or hostPort translation; a string is why it cannot be expressed. */
function peer(a: CiliumAnalysis, name: string, port: number): { endpoint: CiliumEndpoint; port: number } | string {
  if (name.startsWith('svc:default/kubernetes')) return { endpoint: { type: 'kube-apiserver' }, port };
  if (name.startsWith('svc:')) return { endpoint: { type: 'workload', workload: workload(a, name.slice(4)) }, port };
  if (name.startsWith('hostport:')) {
    const node = name.split(':')[1];
    return { endpoint: { type: 'workload', workload: workload(a, node === 'node-1' ? 'echo-same-node' : 'echo-other-node') }, port: 8080 };
  }
  if (name.startsWith('host-netns@') || name.startsWith('node:')) {
    const node = name.startsWith('node:') ? name.slice(5) : name.slice('host-netns@'.length);
    return { endpoint: { type: 'node', name: node, range: nodes.find((n) => n.name === node)?.range }, port };
  }
  if (name === 'outside:host-netns-non-cilium') return { endpoint: { type: 'ip', range: range('172.18.0.4'), label: '172.18.0.4' }, port };
  if (name.startsWith('cidr:')) return { endpoint: { type: 'ip', range: range(name.slice(5)), label: name.slice(5) }, port };
  if (name.startsWith('fqdn:')) return { endpoint: { type: 'fqdn', name: name.slice(5), ips: [range('1.1.1.1'), range('1.0.0.1')] }, port };
  return { endpoint: { type: 'workload', workload: workload(a, name) }, port };
}

/** What the row's probe observes: the verdict, with the DNS lookup first for names. */
function observe(a: CiliumAnalysis, row: Row): { expect: string; reason: string; l7: boolean } | string {
  // The tiered case's ClusterNetworkPolicy omits the namespaceSelector the network-policy-api CRD requires and uses the
  // Cilium key reserved:host: netpol reports it invalid and leaves it out, so its rows cannot be reproduced here.
  if (a.model.clusterPolicies.some((p) => !p.valid)) return 'ClusterNetworkPolicy rejected by the network-policy-api CRD (Cilium-specific selectors)';
  const port = row.proto === 'ICMP' ? 8 : Number(row.port);
  const from = peer(a, row.from, port);
  const to = peer(a, row.to, port);
  if (typeof from === 'string') return from;
  if (typeof to === 'string') return to;
  const proto = row.proto === 'ICMP' ? 'ICMP' : (row.proto as 'TCP' | 'UDP');
  const verdicts: CiliumVerdict[] = [];
  if (to.endpoint.type === 'fqdn') {
    // The probe resolves the name through kube-dns first (UDP 53); toFQDNs learns addresses only through the DNS proxy.
    const dns = a.model.workloads.find((w) => w.namespace === 'kube-system' && w.podLabels['k8s-app'] === 'kube-dns');
    if (!dns) throw new Error('no kube-dns in the topology');
    verdicts.push(a.verdict(from.endpoint, { type: 'workload', workload: dns }, { protocol: 'UDP', port: 53 }));
  }
  verdicts.push(a.verdict(from.endpoint, to.endpoint, { protocol: proto, port: to.port }));
  for (const v of verdicts) {
    if (v.egress.uncertain.length > 0 || v.ingress.uncertain.length > 0) return `not analysed: ${[...v.egress.uncertain, ...v.ingress.uncertain][0]}`;
    if (!v.egress.allowed) return { expect: 'dropped-egress', reason: v.egress.reason!, l7: false };
    if (!v.ingress.allowed) return { expect: 'dropped-ingress', reason: v.ingress.reason!, l7: false };
  }
  const last = verdicts[verdicts.length - 1];
  return { expect: 'allowed', reason: '', l7: last.egress.l7.length > 0 || last.ingress.l7.length > 0 };
}

describe('Cilium connectivity corpus (cilium/cilium cilium-cli/connectivity, expectations.tsv)', () => {
  const unexpressed = new Map<string, number>();
  const mismatches: string[] = [];
  let reproduced = 0;
  for (const row of rows) {
    const a = analysisFor(row.files);
    const got = observe(a, row);
    if (typeof got === 'string') {
      unexpressed.set(got, (unexpressed.get(got) ?? 0) + 1);
      continue;
    }
    // Go asserts no reason for `unspecified` drops; the direction still counts.
    const reasonOk = row.reason === '' || row.reason === 'unspecified' || row.reason === got.reason;
    if (got.expect === row.expect && reasonOk) reproduced++;
    else mismatches.push(`line ${row.line} ${row.scenario}: ${row.from} → ${row.to} ${row.proto}/${row.port}: expected ${row.expect} ${row.reason}, got ${got.expect} ${got.reason}`);
  }
  test(`rows reproduce: ${reproduced} of ${rows.length}; not expressible: ${[...unexpressed].map(([k, n]) => `${n} (${k})`).join(', ') || 'none'}`, () => {
    assert.deepEqual(mismatches, []);
    assert.equal(reproduced + [...unexpressed.values()].reduce((x, y) => x + y, 0), rows.length);
    assert.ok(rows.length >= 381, `the corpus has ${rows.length} rows`);
  });
});
