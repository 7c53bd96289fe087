// Metamorphic properties of the engine's verdicts over random clusters (NetworkPolicy semantics,
// https://kubernetes.io/docs/concepts/services-networking/network-policies/): policies are additive allow-lists,
// a pod no policy isolates accepts whatever its peers send, and the answer does not depend on how the manifests
// are ordered or split into files. Seeded (see arbitraries.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCidr } from '../../../src/engine/cidr';
import { ipEndpoint, workloadEndpoint, type Analysis, type Endpoint } from '../../../src/engine/evaluate';
import { PortSet } from '../../../src/engine/portset';
import { PROTOCOLS } from '../../../src/engine/types';
import { Workspace } from '../../../src/engine/workspace';
import { clusterArb, clusterObjects, FUZZ_SEED, fuzzOptions, policyArb, toYaml, type Json } from './arbitraries';

const ROOT = 'file:///fuzz';

function analysisOf(files: Record<string, string>): Analysis {
  const workspace = new Workspace();
  for (const [uri, text] of Object.entries(files)) workspace.setFile(uri, text);
  const scopes = workspace.scopes();
  assert.equal(scopes.length, 1);
  return scopes[0].analysis;
}

function analysisOfObjects(objects: readonly Json[]): Analysis {
  return analysisOf({ [`${ROOT}/all.yaml`]: toYaml(objects) });
}

/** Addresses inside and outside the generated ipBlocks. */
const ADDRESSES = ['10.1.2.3/32', '10.1.2.0/24', '10.9.9.9/32', '192.168.1.1/32', '8.8.8.8/32', '2001:db8::1/128'].map((text) => {
  const r = parseCidr(text);
  assert.ok(typeof r !== 'string');
  return ipEndpoint(r);
});

function endpoints(analysis: Analysis): Endpoint[] {
  return [...analysis.model.workloads.map(workloadEndpoint), ...ADDRESSES];
}

function key(e: Endpoint): string {
  return e.type === 'workload' ? e.workload.displayName : e.label;
}

/** Every connection between the endpoints, by `source -> destination`. */
function matrix(analysis: Analysis): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of endpoints(analysis)) {
    for (const b of endpoints(analysis)) {
      if (a.type === 'ip' && b.type === 'ip') continue;
      out.set(`${key(a)} -> ${key(b)}`, analysis.connection(a, b).allowed.toString());
    }
  }
  return out;
}

const PORTS_TO_PROBE = [1, 52, 53, 54, 80, 443, 8080, 8081, 8143, 8443, 8543, 65535];

describe(`fuzz: verdicts (seed ${FUZZ_SEED})`, () => {
  it('adding a policy only removes connections, or adds what its own rules allow', () => {
    fc.assert(
      fc.property(clusterArb, policyArb('added'), (cluster, added) => {
        const before = analysisOfObjects(clusterObjects(cluster));
        const after = analysisOfObjects([...clusterObjects(cluster), added.object]);
        const policy = after.model.policies.find((p) => p.name === 'added');
        assert.ok(policy?.valid);
        const endpointsBefore = new Map(endpoints(before).map((e) => [key(e), e]));
        for (const a of endpoints(after)) {
          for (const b of endpoints(after)) {
            if (a.type === 'ip' && b.type === 'ip') continue;
            const now = after.connection(a, b);
            const then = before.connection(endpointsBefore.get(key(a))!, endpointsBefore.get(key(b))!);
            let own = PortSet.NONE;
            for (const c of [...now.ingress.contributions, ...now.egress.contributions]) if (c.policy === policy) own = own.union(c.ports);
            const gained = now.allowed.subtract(then.allowed.union(own));
            assert.ok(gained.isEmpty(), `${key(a)} -> ${key(b)} gained ${gained} (before ${then.allowed}, after ${now.allowed}, own ${own})`);
            const touched =
              (a.type === 'workload' && after.isolatingPolicies(a.workload, 'egress').includes(policy)) ||
              (b.type === 'workload' && after.isolatingPolicies(b.workload, 'ingress').includes(policy));
            if (!touched) assert.equal(now.allowed.toString(), then.allowed.toString(), `${key(a)} -> ${key(b)} changed though the policy isolates neither side`);
          }
        }
      }),
      fuzzOptions(70),
    );
  });

  it('a pod no policy isolates for ingress is reachable on every port its peer\'s egress allows', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const analysis = analysisOfObjects(clusterObjects(cluster));
        for (const b of analysis.model.workloads) {
          if (analysis.isolatingPolicies(b, 'ingress').length > 0) continue;
          for (const a of endpoints(analysis)) {
            const c = analysis.connection(a, workloadEndpoint(b));
            const expected = c.self ? PortSet.ALL : c.egress.allowed;
            assert.equal(c.allowed.toString(), expected.toString(), `${key(a)} -> ${b.displayName}`);
            if (a.type === 'ip' || analysis.isolatingPolicies(a.workload, 'egress').length === 0) assert.ok(c.allowed.isAll());
          }
        }
      }),
      fuzzOptions(80),
    );
  });

  it('a connection is allowed exactly when both directions allow it (or it is a single pod reaching itself)', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const analysis = analysisOfObjects(clusterObjects(cluster));
        for (const a of endpoints(analysis)) {
          for (const b of endpoints(analysis)) {
            if (a.type === 'ip' && b.type === 'ip') continue;
            const c = analysis.connection(a, b);
            for (const protocol of PROTOCOLS) {
              for (const port of PORTS_TO_PROBE) {
                const v = analysis.verdict(a, b, protocol, port);
                assert.equal(v.allowed, c.allowed.has(protocol, port), `verdict vs connection ${key(a)} -> ${key(b)} ${protocol}/${port}`);
                assert.equal(v.allowed, v.self || (v.egress.allowed && v.ingress.allowed));
                if (v.ingress.isolated && v.ingress.allowed) assert.ok(v.ingress.allowingRules.length > 0, 'an allowed isolated direction names its rules');
                if (v.egress.isolated && v.egress.allowed) assert.ok(v.egress.allowingRules.length > 0);
                if (!v.ingress.isolated) assert.equal(v.ingress.allowed, true);
              }
            }
          }
        }
      }),
      fuzzOptions(50),
    );
  });

  it('the verdicts do not depend on the order of the manifests or on how they are split into files', () => {
    fc.assert(
      fc.property(
        clusterArb.chain((cluster) => fc.tuple(fc.constant(cluster), fc.shuffledSubarray(clusterObjects(cluster), { minLength: clusterObjects(cluster).length }))),
        ([cluster, shuffled]) => {
          const reference = matrix(analysisOfObjects(clusterObjects(cluster)));
          assert.deepEqual(matrix(analysisOfObjects(shuffled)), reference, 'shuffled');
          const split = Object.fromEntries(shuffled.map((o, i) => [`${ROOT}/dir${i % 3}/o${i}.yaml`, toYaml([o])]));
          assert.deepEqual(matrix(analysisOf(split)), reference, 'one file per object');
        },
      ),
      fuzzOptions(50),
    );
  });

  it('matchLabels and the equivalent In expressions select the same pods (label selector semantics)', () => {
    // {k: v} in matchLabels is the requirement `k In (v)`: rewriting every policy selector leaves every verdict.
    const rewrite = (value: Json): Json => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (!value || typeof value !== 'object') return value;
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(value)) if (k !== 'matchLabels') out[k] = rewrite(v);
      const labels = value.matchLabels;
      if (labels && typeof labels === 'object' && !Array.isArray(labels) && Object.keys(labels).length > 0) {
        const expressions = Object.entries(labels).map(([key, v]) => ({ key, operator: 'In', values: [v] }));
        out.matchExpressions = [...((out.matchExpressions as Json[] | undefined) ?? []), ...expressions];
      }
      return out;
    };
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const objects = clusterObjects(cluster);
        const rewritten = objects.map((o) => (o.kind === 'NetworkPolicy' ? { ...o, spec: rewrite(o.spec) } : o));
        assert.deepEqual(matrix(analysisOfObjects(rewritten)), matrix(analysisOfObjects(objects)));
      }),
      fuzzOptions(50),
    );
  });

  it('a default-deny policy for every namespace leaves only single pods reaching themselves', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const denies = ['a', 'b', 'c'].map((ns) => ({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'deny-all', namespace: ns },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
        }));
        const analysis = analysisOfObjects([...clusterObjects(cluster), ...denies]);
        for (const a of endpoints(analysis)) {
          for (const b of endpoints(analysis)) {
            if (a.type === 'ip' && b.type === 'ip') continue;
            const c = analysis.connection(a, b);
            if (c.self) assert.ok(c.allowed.isAll());
            else {
              // Other policies may still allow some: never more than every direction's own rules.
              const own = c.egress.contributions.concat(c.ingress.contributions).reduce((s, x) => s.union(x.ports), PortSet.NONE);
              assert.ok(c.allowed.subtract(own).isEmpty());
              assert.ok(c.egress.isolated || a.type === 'ip');
              assert.ok(c.ingress.isolated || b.type === 'ip');
            }
          }
        }
      }),
      fuzzOptions(50),
    );
  });
});
