// The Analysis shares results between peers that no policy rule tells apart (bit sets of matching rules, peer
// classes for bulk use, interned port sets). Over seeded random clusters, every connection of a fresh Analysis, of
// one whose caches are warm, and of one in bulk mode (peer classes built) must equal a direct evaluation of the
// NetworkPolicy semantics written here without any sharing
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Analysis, workloadEndpoint, type Endpoint } from '../../src/engine/evaluate';
import type { Workload } from '../../src/engine/model';
import type { Direction } from '../../src/engine/policy';
import { PortSet } from '../../src/engine/portset';
import { Workspace } from '../../src/engine/workspace';
import { clusterArb, clusterObjects, fuzzOptions, toYaml } from './fuzz/arbitraries';

function analysisOf(yamlText: string): Analysis {
  const workspace = new Workspace();
  workspace.setFile('file:///caching/all.yaml', yamlText);
  return workspace.scopes()[0].analysis;
}

/** What one direction allows between a subject and a peer, straight from the policies (no caches). */
function directAllowed(analysis: Analysis, direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): PortSet {
  const policies = analysis.model.policiesByNamespace.get(subject.namespace) ?? [];
  const isolating = policies.filter((p) => p.valid && p.types[direction] && analysis.selectingPolicies(subject).includes(p));
  if (isolating.length === 0) return PortSet.ALL;
  let allowed = PortSet.NONE;
  for (const policy of isolating) {
    for (const rule of policy[direction]) {
      if (rule.peers && !rule.peers.some((p) => analysis.peerMatches(p, policy.namespace, peer))) continue;
      allowed = allowed.union(analysis.rulePorts(rule, destination));
    }
  }
  return allowed;
}

function directConnection(analysis: Analysis, src: Workload, dst: Workload): string {
  if (src === dst && !src.replicated) return PortSet.ALL.toString();
  const s = workloadEndpoint(src);
  const d = workloadEndpoint(dst);
  return directAllowed(analysis, 'egress', src, d, d).intersect(directAllowed(analysis, 'ingress', dst, s, d)).toString();
}

function allPairs(analysis: Analysis): string[] {
  const out: string[] = [];
  for (const src of analysis.model.workloads) {
    for (const dst of analysis.model.workloads) {
      const c = analysis.connection(workloadEndpoint(src), workloadEndpoint(dst));
      out.push(`${src.displayName}>${dst.displayName} ${c.allowed.toString()} | ${c.egress.isolated}/${c.ingress.isolated} ${c.egress.contributions.length}/${c.ingress.contributions.length}`);
    }
  }
  return out;
}

describe('Analysis caching keeps the verdicts of the direct evaluation', () => {
  it('fresh, warm and bulk-mode analyses agree with each other and with the policies read directly', () => {
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const text = toYaml(clusterObjects(cluster));
        const fresh = analysisOf(text);
        const expected = fresh.model.workloads.flatMap((src) => fresh.model.workloads.map((dst) => `${src.displayName}>${dst.displayName} ${directConnection(fresh, src, dst)}`));
        const first = allPairs(fresh);
        assert.deepEqual(first.map((line) => line.split(' | ')[0]), expected);
        assert.deepEqual(allPairs(fresh), first, 'warm caches');
        const bulk = analysisOf(text);
        (bulk as unknown as { buildPeerClasses(): void }).buildPeerClasses();
        assert.deepEqual(allPairs(bulk), first, 'peer classes');
      }),
      fuzzOptions(150),
    );
  });

  it('switches to peer classes by itself on a long run of evaluations, with the same answers', () => {
    let reached = 0;
    fc.assert(
      fc.property(clusterArb, (cluster) => {
        const text = toYaml(clusterObjects(cluster));
        const analysis = analysisOf(text);
        const first = allPairs(analysis);
        const bulk = () => (analysis as unknown as { peerClasses?: Int32Array }).peerClasses !== undefined;
        // Evaluations of isolated directions count toward the threshold (20 per workload + 1000).
        for (let i = 0; i < 400 && !bulk(); i++) allPairs(analysis);
        if (!bulk()) return; // nothing is isolated: there is nothing to share
        reached++;
        assert.deepEqual(allPairs(analysis), first);
      }),
      fuzzOptions(30),
    );
    assert.ok(reached > 0, 'some clusters reached bulk mode');
  });
});
