// Allowed connections for many pairs at once, as Analysis.connection computes them but without building (and
// caching) an explained result per pair: a test over `'*' -> '*'` in a workspace of 2,000 workloads asks for four
// million pairs. Which workloads a rule's peers match is computed once per rule, as a table over workload ids.
// Failures are explained afterwards with Analysis.verdict, so both paths must agree (see bulk.test.ts).
import type { Analysis, Endpoint } from '../evaluate';
import { changesSince, lineageOf, listsByNamespace, type ModelLineage, type Workload } from '../model';
import type { Direction, NetworkPolicy, PolicyRule } from '../policy';
import { PortSet } from '../portset';

/** How peer tables were made, for tests that check the incremental path runs (never for timing). */
export const peerTableCounters = { built: 0, updated: 0 };

/** Per rule (rules are kept per policy object across edits), its peer table and the model lineage it was made in. */
const lastPeerTables = new WeakMap<PolicyRule, { lineage: ModelLineage; table: Uint8Array }>();

interface RuleEntry {
  policy: NetworkPolicy;
  rule: PolicyRule;
}

export class BulkConnections {
  /** Per workload id: the rules of the policies isolating it, per direction (null: not isolated). */
  private readonly isolating: ({ ingress: RuleEntry[] | null; egress: RuleEntry[] | null } | undefined)[] = [];
  /** Per rule: 1 where the rule's peers match the workload with that id, 0 where not; computed on first use. */
  private readonly peerTables = new Map<PolicyRule, Uint8Array>();
  /** Per rule without named ports: its ports (the same for every destination). */
  private readonly fixedPorts = new Map<PolicyRule, PortSet>();

  constructor(private readonly analysis: Analysis) {}

  /** The ports `source` may use to reach `destination` (not for a single pod reaching itself: callers skip those). */
  allowed(source: Endpoint, destination: Endpoint): PortSet {
    const egress = source.type === 'workload' ? this.direction('egress', source.workload, destination, destination) : PortSet.ALL;
    if (egress.isEmpty()) return egress;
    const ingress = destination.type === 'workload' ? this.direction('ingress', destination.workload, source, destination) : PortSet.ALL;
    return egress.intersect(ingress);
  }

  /** Rules of the policies isolating `w` for `direction`; null when none isolates it. */
  private rulesOf(w: Workload, direction: Direction): RuleEntry[] | null {
    let entry = this.isolating[w.id];
    if (!entry) {
      const collect = (d: Direction) => {
        const policies = this.analysis.isolatingPolicies(w, d);
        return policies.length === 0 ? null : policies.flatMap((policy) => policy[d].map((rule) => ({ policy, rule })));
      };
      entry = { ingress: collect('ingress'), egress: collect('egress') };
      this.isolating[w.id] = entry;
    }
    return entry[direction];
  }

  private direction(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): PortSet {
    const rules = this.rulesOf(subject, direction);
    if (!rules) return PortSet.ALL;
    let allowed = PortSet.NONE;
    for (const { policy, rule } of rules) {
      if (rule.peers && !this.peerMatches(policy, rule, peer)) continue;
      allowed = allowed.union(this.ports(rule, destination));
    }
    return allowed;
  }

  private peerMatches(policy: NetworkPolicy, rule: PolicyRule, peer: Endpoint): boolean {
    const peers = rule.peers!;
    if (peer.type === 'ip') return peers.some((p) => this.analysis.peerMatches(p, policy.namespace, peer));
    let table = this.peerTables.get(rule);
    if (!table) {
      const model = this.analysis.model;
      const workloads = model.workloads;
      const matches = (w: Workload) => {
        const endpoint: Endpoint = { type: 'workload', workload: w };
        return peers.some((p) => this.analysis.peerMatches(p, policy.namespace, endpoint));
      };
      // The table of an earlier model still holds where the workloads and namespace labels stayed: only the changed
      // namespaces' workloads are matched again (the editor runs the tests after every edit).
      const last = lastPeerTables.get(rule);
      const since = last && last.table.length === workloads.length ? changesSince(last.lineage, model) : undefined;
      if (last && since?.workloadsKept && since.sameNamespaces) {
        peerTableCounters.updated++;
        table = since.namespaces.size === 0 ? last.table : last.table.slice();
        const lists = listsByNamespace(model).workloads;
        for (const ns of since.namespaces) for (const w of lists.get(ns) ?? []) table[w.id] = matches(w) ? 1 : 0;
      } else {
        peerTableCounters.built++;
        table = new Uint8Array(workloads.length);
        for (const w of workloads) if (matches(w)) table[w.id] = 1;
      }
      this.peerTables.set(rule, table);
      lastPeerTables.set(rule, { lineage: lineageOf(model), table });
    }
    return table[peer.workload.id] === 1;
  }

  private ports(rule: PolicyRule, destination: Endpoint): PortSet {
    const named = rule.ports?.some((p) => typeof p.port === 'string') ?? false;
    if (named) return this.analysis.rulePorts(rule, destination);
    let set = this.fixedPorts.get(rule);
    if (!set) {
      set = this.analysis.rulePorts(rule, destination);
      this.fixedPorts.set(rule, set);
    }
    return set;
  }
}
