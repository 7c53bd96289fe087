// Which connections the NetworkPolicies of a model allow, and why.
// Semantics: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the NetworkPolicy v1
// API reference. A connection is allowed when the source's egress allows it (or the source is not isolated for
// egress) and the destination's ingress allows it (or the destination is not isolated for ingress).
import { contains, formatRangeAsCidr, overlaps, type IpRange } from './cidr';
import type { Model, Workload } from './model';
import type { Direction, NetworkPolicy, Peer, PolicyRule } from './policy';
import { PortSet } from './portset';
import { matchesSelector } from './selectors';
import type { Protocol } from './types';

export type Endpoint =
  | { type: 'workload'; workload: Workload }
  | { type: 'ip'; range: IpRange; label: string };

export function workloadEndpoint(workload: Workload): Endpoint {
  return { type: 'workload', workload };
}

export function ipEndpoint(range: IpRange): Endpoint {
  return { type: 'ip', range, label: formatRangeAsCidr(range) };
}

export function endpointName(e: Endpoint): string {
  return e.type === 'workload' ? e.workload.displayName : e.label;
}

/** One rule's share of a direction's allowance. */
export interface RuleContribution {
  policy: NetworkPolicy;
  rule: PolicyRule;
  ports: PortSet;
}

export interface DirectionResult {
  direction: Direction;
  /** Whether the endpoint on this side is isolated for the direction (false for external addresses). */
  isolated: boolean;
  /** The policies that isolate it for this direction. */
  policies: NetworkPolicy[];
  /** What this direction allows: everything when not isolated, else the union of the contributions. */
  allowed: PortSet;
  contributions: RuleContribution[];
}

export interface ConnectionResult {
  source: Endpoint;
  destination: Endpoint;
  /** A single pod reaching itself: always allowed, policies do not apply. */
  self: boolean;
  egress: DirectionResult;
  ingress: DirectionResult;
  allowed: PortSet;
}

export interface Verdict {
  source: Endpoint;
  destination: Endpoint;
  protocol: Protocol;
  port: number;
  allowed: boolean;
  self: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

export interface DirectionVerdict {
  direction: Direction;
  isolated: boolean;
  allowed: boolean;
  policies: NetworkPolicy[];
  /** Rules that allow this exact port (empty when not isolated or denied). */
  allowingRules: RuleContribution[];
}

const NOT_ISOLATED = (direction: Direction): DirectionResult => ({
  direction,
  isolated: false,
  policies: [],
  allowed: PortSet.ALL,
  contributions: [],
});

export class Analysis {
  private readonly selectingCache = new Map<number, NetworkPolicy[]>();
  private readonly connectionCache = new Map<string, ConnectionResult>();

  constructor(readonly model: Model) {}

  /** Valid policies whose podSelector selects the workload's pods. */
  selectingPolicies(w: Workload): NetworkPolicy[] {
    let cached = this.selectingCache.get(w.id);
    if (!cached) {
      cached = (this.model.policiesByNamespace.get(w.namespace) ?? []).filter(
        (p) => p.valid && matchesSelector(p.podSelector, w.podLabels),
      );
      this.selectingCache.set(w.id, cached);
    }
    return cached;
  }

  /** Policies that isolate the workload for a direction. */
  isolatingPolicies(w: Workload, direction: Direction): NetworkPolicy[] {
    return this.selectingPolicies(w).filter((p) => p.types[direction]);
  }

  namespaceLabels(name: string): Record<string, string> {
    const ns = this.model.namespaces.get(name);
    return ns ? { ...ns.labels } : { 'kubernetes.io/metadata.name': name };
  }

  /** Whether a peer of a policy in `policyNamespace` matches the endpoint. ipBlocks never match pods. */
  peerMatches(peer: Peer, policyNamespace: string, e: Endpoint): boolean {
    if (peer.type === 'ipBlock') {
      if (e.type !== 'ip') return false;
      return contains(peer.cidr, e.range) && !peer.except.some((x) => overlaps(x, e.range));
    }
    if (e.type !== 'workload') return false;
    const w = e.workload;
    if (peer.namespaceSelector) {
      const ns = this.model.namespaces.get(w.namespace);
      if (!matchesSelector(peer.namespaceSelector, ns?.labels ?? { 'kubernetes.io/metadata.name': w.namespace })) return false;
    } else if (w.namespace !== policyNamespace) {
      return false;
    }
    return peer.podSelector ? matchesSelector(peer.podSelector, w.podLabels) : true;
  }

  /** The ports a rule allows toward `destination`: named ports resolve against its container ports. */
  rulePorts(rule: PolicyRule, destination: Endpoint): PortSet {
    if (!rule.ports) return PortSet.ALL;
    let set = PortSet.NONE;
    for (const spec of rule.ports) {
      if (spec.port === undefined) set = set.union(PortSet.of(spec.protocol));
      else if (typeof spec.port === 'number') set = set.union(PortSet.of(spec.protocol, spec.port, spec.endPort ?? spec.port));
      else if (destination.type === 'workload') {
        for (const cp of destination.workload.containerPorts) {
          if (cp.name === spec.port && cp.protocol === spec.protocol) {
            set = set.union(PortSet.of(spec.protocol, cp.containerPort, cp.containerPort));
          }
        }
      }
    }
    return set;
  }

  private direction(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): DirectionResult {
    const policies = this.isolatingPolicies(subject, direction);
    if (policies.length === 0) return NOT_ISOLATED(direction);
    const contributions: RuleContribution[] = [];
    let allowed = PortSet.NONE;
    for (const policy of policies) {
      for (const rule of policy[direction]) {
        if (rule.peers && !rule.peers.some((p) => this.peerMatches(p, policy.namespace, peer))) continue;
        const ports = this.rulePorts(rule, destination);
        if (ports.isEmpty()) continue;
        contributions.push({ policy, rule, ports });
        allowed = allowed.union(ports);
      }
    }
    return { direction, isolated: true, policies, allowed, contributions };
  }

  /** Every connection the policies allow from `source` to `destination`, with the rules behind it. */
  connection(source: Endpoint, destination: Endpoint): ConnectionResult {
    const cacheKey = source.type === 'workload' && destination.type === 'workload' ? `${source.workload.id}>${destination.workload.id}` : undefined;
    if (cacheKey) {
      const hit = this.connectionCache.get(cacheKey);
      if (hit) return hit;
    }
    const self = source.type === 'workload' && destination.type === 'workload' && source.workload === destination.workload && !source.workload.replicated;
    const egress = source.type === 'workload' ? this.direction('egress', source.workload, destination, destination) : NOT_ISOLATED('egress');
    const ingress = destination.type === 'workload' ? this.direction('ingress', destination.workload, source, destination) : NOT_ISOLATED('ingress');
    const allowed = self ? PortSet.ALL : egress.allowed.intersect(ingress.allowed);
    const result: ConnectionResult = { source, destination, self, egress, ingress, allowed };
    if (cacheKey) this.connectionCache.set(cacheKey, result);
    return result;
  }

  verdict(source: Endpoint, destination: Endpoint, protocol: Protocol, port: number): Verdict {
    const c = this.connection(source, destination);
    const dir = (d: DirectionResult): DirectionVerdict => ({
      direction: d.direction,
      isolated: d.isolated,
      allowed: d.allowed.has(protocol, port),
      policies: d.policies,
      allowingRules: d.contributions.filter((x) => x.ports.has(protocol, port)),
    });
    return {
      source,
      destination,
      protocol,
      port,
      allowed: c.allowed.has(protocol, port),
      self: c.self,
      egress: dir(c.egress),
      ingress: dir(c.ingress),
    };
  }

  /** Workloads reported in matrices and lists (not the assumed objects of the configuration). */
  reportedWorkloads(): Workload[] {
    return this.model.workloads.filter((w) => !w.assumed);
  }
}
