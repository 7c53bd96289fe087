// Who may reach a workload and whom it may reach, for the workload hover. Asking Analysis.connection for every
// other workload costs two direction evaluations per pair; on a workspace with thousands of workloads that is
// seconds per hover. Here the same semantics (evaluate.ts: egress of the source ∩ ingress of the destination, each
// "everything" when not isolated) are evaluated from the rules' side: one pass over the policies of the scope and
// the pods their peers match (cached per version in the ScopeIndex). reach.test.ts checks both agree on every pair.
import type { Workload } from '../model';
import type { NetworkPolicy, Peer, PolicyRule } from '../policy';
import { PortSet } from '../portset';
import { matchesSelector } from '../selectors';
import { NAMESPACE_NAME_LABEL } from '../model';
import type { ScopeIndex } from './index';

export interface Reach {
  /** Other workloads whose pods may connect to the workload, with the ports. */
  from: Map<Workload, PortSet>;
  /** Other workloads the workload's pods may connect to, with the ports. */
  to: Map<Workload, PortSet>;
}

/** Whether a pod peer of `policy` matches the workload (ipBlocks never match pods). */
export function peerMatches(index: ScopeIndex, policy: NetworkPolicy, peer: Peer, w: Workload): boolean {
  if (peer.type === 'ipBlock') return false;
  if (peer.namespaceSelector) {
    const labels = index.model.namespaces.get(w.namespace)?.labels ?? { [NAMESPACE_NAME_LABEL]: w.namespace };
    if (!matchesSelector(peer.namespaceSelector, labels)) return false;
  } else if (w.namespace !== policy.namespace) return false;
  return !peer.podSelector || matchesSelector(peer.podSelector, w.podLabels);
}

function ruleAdmits(index: ScopeIndex, policy: NetworkPolicy, rule: PolicyRule, w: Workload): boolean {
  return !rule.peers || rule.peers.some((peer) => peerMatches(index, policy, peer, w));
}

function add(map: Map<Workload, PortSet>, w: Workload, ports: PortSet): void {
  const existing = map.get(w);
  map.set(w, existing ? existing.union(ports) : ports);
}

/** Ports each workload's side allows toward/from `subject`, for the workloads isolated in that direction. */
interface SideAllowance {
  isolated: Set<Workload>;
  allowed: Map<Workload, PortSet>;
}

/**
 * The far side's share for every other workload: with `direction` 'egress', what each source's egress allows toward
 * `subject`; with 'ingress', what each destination's ingress allows from `subject`.
 */
function farSide(index: ScopeIndex, subject: Workload, direction: 'ingress' | 'egress'): SideAllowance {
  const isolated = new Set<Workload>();
  const allowed = new Map<Workload, PortSet>();
  for (const policy of index.model.policies) {
    if (!policy.valid || !policy.types[direction]) continue;
    const selected = index.selectedBy(policy);
    if (selected.length === 0) continue;
    for (const w of selected) isolated.add(w);
    const rules = policy[direction].filter((rule) => ruleAdmits(index, policy, rule, subject));
    if (rules.length === 0) continue;
    for (const w of selected) {
      // Ports resolve against the destination: `subject` for egress toward it, each selected pod for ingress.
      const destination = direction === 'egress' ? subject : w;
      let ports = PortSet.NONE;
      for (const rule of rules) ports = ports.union(index.analysis.rulePorts(rule, { type: 'workload', workload: destination }));
      if (!ports.isEmpty()) add(allowed, w, ports);
    }
  }
  return { isolated, allowed };
}

/** The near side: what the subject's own isolating policies allow, per other workload, for one direction. */
function nearSide(index: ScopeIndex, subject: Workload, direction: 'ingress' | 'egress'): { isolated: boolean; everyone?: PortSet; allowed: Map<Workload, PortSet> } {
  const policies = index.analysis.isolatingPolicies(subject, direction);
  const allowed = new Map<Workload, PortSet>();
  if (policies.length === 0) return { isolated: false, allowed };
  let everyone = PortSet.NONE;
  const everyoneRules: PolicyRule[] = [];
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      if (!rule.peers) {
        if (direction === 'ingress') everyone = everyone.union(index.analysis.rulePorts(rule, { type: 'workload', workload: subject }));
        else everyoneRules.push(rule);
        continue;
      }
      for (const peer of rule.peers) {
        for (const w of index.peerWorkloads(policy, peer)) {
          const destination = direction === 'ingress' ? subject : w;
          const ports = index.analysis.rulePorts(rule, { type: 'workload', workload: destination });
          if (!ports.isEmpty()) add(allowed, w, ports);
        }
      }
    }
  }
  if (everyoneRules.length > 0) {
    // Egress rules without `to` admit every destination, with ports resolved on each.
    for (const w of index.model.workloads) {
      let ports = PortSet.NONE;
      for (const rule of everyoneRules) ports = ports.union(index.analysis.rulePorts(rule, { type: 'workload', workload: w }));
      if (!ports.isEmpty()) add(allowed, w, ports);
    }
  }
  return { isolated: true, everyone: everyone.isEmpty() ? undefined : everyone, allowed };
}

function combine(
  index: ScopeIndex,
  subject: Workload,
  near: ReturnType<typeof nearSide>,
  far: SideAllowance,
): Map<Workload, PortSet> {
  const out = new Map<Workload, PortSet>();
  for (const other of index.model.workloads) {
    if (other === subject) continue;
    let mine = PortSet.ALL;
    if (near.isolated) {
      const specific = near.allowed.get(other);
      mine = near.everyone ? (specific ? specific.union(near.everyone) : near.everyone) : (specific ?? PortSet.NONE);
    }
    if (mine.isEmpty()) continue;
    const theirs = far.isolated.has(other) ? (far.allowed.get(other) ?? PortSet.NONE) : PortSet.ALL;
    const ports = mine.intersect(theirs);
    if (!ports.isEmpty()) out.set(other, ports);
  }
  return out;
}

export function reachOf(index: ScopeIndex, subject: Workload): Reach {
  const from = combine(index, subject, nearSide(index, subject, 'ingress'), farSide(index, subject, 'egress'));
  const to = combine(index, subject, nearSide(index, subject, 'egress'), farSide(index, subject, 'ingress'));
  return { from, to };
}
