// fast-check generators of Kubernetes-shaped input over a small universe of namespaces, labels and ports, so that
// random selectors actually select things and random policies actually interact. Plus the seed handling shared by
// the fuzz tests: a fixed default seed for reproducible CI runs, NETPOL_FUZZ_SEED to replay or explore.
import fc from 'fast-check';
import { stringify } from 'yaml';

export const NAMESPACES = ['a', 'b', 'c'] as const;
const LABEL_KEYS = ['app', 'tier', 'team'] as const;
const LABEL_VALUES = ['web', 'api', 'db'] as const;
const PORT_NAMES = ['http', 'dns', 'metrics'] as const;
const PORT_NUMBERS = [53, 80, 443, 8080, 8443] as const;
const CIDRS = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.168.0.0/16', '0.0.0.0/0', '2001:db8::/32', '169.254.20.10/32'] as const;
const EXCEPTS = ['10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '192.168.1.0/24'] as const;

/** Fixed unless NETPOL_FUZZ_SEED is set; fast-check prints the seed and path of any counterexample. */
export const FUZZ_SEED = process.env.NETPOL_FUZZ_SEED ? Number(process.env.NETPOL_FUZZ_SEED) : 20261127;

/** Options for fc.assert: seeded, with the run count scaled by NETPOL_FUZZ_SCALE (default 1). */
export function fuzzOptions(numRuns: number): { seed: number; numRuns: number; endOnFailure: boolean } {
  const scale = process.env.NETPOL_FUZZ_SCALE ? Number(process.env.NETPOL_FUZZ_SCALE) : 1;
  return { seed: FUZZ_SEED, numRuns: Math.max(1, Math.round(numRuns * scale)), endOnFailure: false };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const labelKey = fc.constantFrom(...LABEL_KEYS);
const labelValue = fc.constantFrom(...LABEL_VALUES);
export const labels: fc.Arbitrary<Record<string, string>> = fc.dictionary(labelKey, labelValue, { maxKeys: 3 });

const matchExpression: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({ key: labelKey, operator: fc.constantFrom('In', 'NotIn'), values: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: labelKey, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);

export const selector: fc.Arbitrary<JsonObject> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.record({ matchLabels: labels }) },
  { weight: 1, arbitrary: fc.record({ matchLabels: labels, matchExpressions: fc.array(matchExpression, { maxLength: 2 }) }, { requiredKeys: [] }) },
);

const ipBlock: fc.Arbitrary<JsonObject> = fc
  .record({ cidr: fc.constantFrom(...CIDRS), except: fc.uniqueArray(fc.constantFrom(...EXCEPTS), { maxLength: 2 }) }, { requiredKeys: ['cidr'] })
  .map((b) => {
    // Only excepts strictly inside the block, so the policy stays valid (the invalid ones are the wrong-shape tests').
    const inside: Record<string, string[]> = { '10.0.0.0/8': [...EXCEPTS.slice(0, 3)], '10.1.0.0/16': ['10.1.2.0/24', '10.1.2.3/32'], '10.1.2.0/24': ['10.1.2.3/32'], '192.168.0.0/16': ['192.168.1.0/24'] };
    const except = (b.except ?? []).filter((e) => inside[b.cidr]?.includes(e));
    return (except.length ? { cidr: b.cidr, except } : { cidr: b.cidr }) as JsonObject;
  });

const peer: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ podSelector: selector, namespaceSelector: selector }),
  fc.record({ ipBlock }),
);

const port: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP', 'SCTP'), port: fc.constantFrom(...PORT_NUMBERS) }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP'), port: fc.constantFrom(...PORT_NAMES) }, { requiredKeys: ['port'] }),
  fc.record({ protocol: fc.constantFrom('TCP', 'UDP') }),
  fc.tuple(fc.constantFrom(...PORT_NUMBERS), fc.integer({ min: 0, max: 100 })).map(([p, width]) => ({ port: p, endPort: p + width })),
);

function rule(peerKey: 'from' | 'to'): fc.Arbitrary<JsonObject> {
  return fc.record({ [peerKey]: fc.array(peer, { maxLength: 3 }), ports: fc.array(port, { maxLength: 3 }) }, { requiredKeys: [] }) as fc.Arbitrary<JsonObject>;
}

export interface GeneratedPolicy {
  name: string;
  namespace: string;
  object: JsonObject;
}

export function policyArb(name: string): fc.Arbitrary<GeneratedPolicy> {
  return fc
    .record(
      {
        namespace: fc.constantFrom(...NAMESPACES),
        podSelector: selector,
        policyTypes: fc.subarray(['Ingress', 'Egress']),
        ingress: fc.array(rule('from'), { maxLength: 3 }),
        egress: fc.array(rule('to'), { maxLength: 3 }),
      },
      { requiredKeys: ['namespace', 'podSelector'] },
    )
    .map(({ namespace, ...spec }) => ({
      name,
      namespace,
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: spec as JsonObject },
    }));
}

const containerPort: fc.Arbitrary<JsonObject> = fc.record(
  { containerPort: fc.constantFrom(...PORT_NUMBERS), name: fc.constantFrom(...PORT_NAMES), protocol: fc.constantFrom('TCP', 'UDP') },
  { requiredKeys: ['containerPort'] },
);

export function workloadArb(name: string): fc.Arbitrary<JsonObject> {
  return fc
    .record({
      kind: fc.constantFrom('Deployment', 'Pod', 'StatefulSet'),
      namespace: fc.constantFrom(...NAMESPACES),
      labels,
      replicas: fc.constantFrom(1, 2),
      ports: fc.uniqueArray(containerPort, { maxLength: 3, selector: (p) => p.name }),
    })
    .map(({ kind, namespace, labels: podLabels, replicas, ports }) => {
      const podSpec = { containers: [{ name: 'main', ports }] };
      if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata: { name, namespace, labels: podLabels }, spec: podSpec } as JsonObject;
      return <JsonObject>{
        apiVersion: 'apps/v1',
        kind,
        metadata: { name, namespace },
        spec: { replicas, selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec: podSpec } },
      };
    });
}

const namespaceObject: fc.Arbitrary<JsonObject[]> = fc
  .tuple(...NAMESPACES.map(() => fc.option(labels, { nil: undefined })))
  .map((all) =>
    all.flatMap((l, i) => (l === undefined ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACES[i], labels: l } }])),
  );

export interface Cluster {
  namespaces: JsonObject[];
  workloads: JsonObject[];
  policies: GeneratedPolicy[];
}

export const clusterArb: fc.Arbitrary<Cluster> = fc
  .record({
    namespaces: namespaceObject,
    workloads: fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => workloadArb(`w${i}`)))),
    policies: fc.integer({ min: 0, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policyArb(`p${i}`)))),
  })
  .map((c) => ({ namespaces: c.namespaces, workloads: c.workloads, policies: c.policies }));

export function clusterObjects(c: Cluster): JsonObject[] {
  return [...c.namespaces, ...c.workloads, ...c.policies.map((p) => p.object)];
}

/** Objects as one YAML stream. */
export function toYaml(objects: readonly Json[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/** Every path to a value inside a JSON value (the root excluded). */
export function jsonPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...jsonPaths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...jsonPaths(v, [...prefix, k]));
  return out;
}

/** A copy of `value` with the value at `path` replaced. */
export function replaceAt(value: Json, path: readonly (string | number)[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, replacement) : v));
  if (value && typeof value === 'object') return { ...value, [head]: replaceAt((value as JsonObject)[head as string], rest, replacement) };
  return value;
}

/** Values that do not belong where they land: wrong types, out-of-range numbers, odd strings. */
export const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 70000, 1.5, '', '80', 'HTTP', '*', '{{ .Values.x }}', '<img src=x onerror=alert(1)>', [], {}, [null], { '': '' }),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** A cluster in which some values were replaced by wrong ones. */
export const mangledClusterArb: fc.Arbitrary<JsonObject[]> = fc
  .tuple(clusterArb, fc.array(fc.tuple(fc.nat(), fc.nat(), wrongValue), { minLength: 1, maxLength: 4 }))
  .map(([cluster, mutations]) => {
    const objects: Json[] = clusterObjects(cluster);
    for (const [which, where, replacement] of mutations) {
      const i = which % objects.length;
      const paths = jsonPaths(objects[i]);
      if (paths.length === 0) continue;
      objects[i] = replaceAt(objects[i], paths[where % paths.length], replacement);
    }
    return objects as JsonObject[];
  });

/** Characters that matter to YAML's grammar, for text-level mutations. */
const YAML_CHARS = [':', '-', ' ', '  ', '\n', '\r\n', '\t', '[', ']', '{', '}', ',', '#', '&a', '*a', '!', '|', '>', "'", '"', '%', '@', '`', '?', '---', '...', '\uFEFF', '\uFFFD', '\u0085', '\u2028', 'ä', '😀'];

export type TextEdit = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number };

export const textEdits: fc.Arbitrary<TextEdit[]> = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...YAML_CHARS), fc.string({ maxLength: 4 })) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  ),
  { minLength: 1, maxLength: 6 },
);

export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + 1);
    out = e.kind === 'insert' ? out.slice(0, at) + e.text + out.slice(at) : out.slice(0, at) + out.slice(at + e.length);
  }
  return out;
}
