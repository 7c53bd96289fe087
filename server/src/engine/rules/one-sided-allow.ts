// A peer of one side's policy that admits a connection the other side's policies deny: an ingress rule admits pods
// whose egress never allows them to send to the selected pods, or an egress rule allows sending to pods whose
// ingress never admits the selected pods. Either half alone does nothing: a connection needs both. Only when every
// pod on both sides is in the files and the other side is isolated (otherwise the other side may allow it).
import { workloadEndpoint, type Analysis } from '../evaluate';
import type { Workload } from '../model';
import type { Direction, NetworkPolicy, PodPeer, PolicyRule } from '../policy';
import { appendDocumentFix, freePolicyName, inWorkspace, listNames, locate, podNames, podsOfPeer, podsOfPolicy, policyName, ruleLabel } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

/**
 * Peers or policies selecting more pods than this are left alone: a broad allowance (a whole namespace, the whole
 * cluster) is not a statement that each of its pods talks to the other side, and checking every pair per edit
 * would cost more than the finding is worth.
 */
const MAX_PODS = 64;
/** Pairs of representatives beyond this are not checked (the finding would need every pair). */
const MAX_PAIRS = 1024;

/** Workloads that every policy sees alike (same namespace, labels and named ports): one stands for all. */
function representatives(list: readonly Workload[]): Workload[] {
  const seen = new Map<string, Workload>();
  for (const w of list) {
    const key = `${w.namespace}\u0000${Object.keys(w.podLabels).sort().map((k) => `${k}=${w.podLabels[k]}`).join(',')}\u0000${w.containerPorts
      .filter((p) => p.name !== undefined)
      .map((p) => `${p.name}/${p.protocol}/${p.containerPort}`)
      .sort()
      .join(',')}\u0000${w.replicated}`;
    if (!seen.has(key)) seen.set(key, w);
  }
  return [...seen.values()];
}

/**
 * Whether no pair (subject, other) gets any port of the rule through the other side's direction. `direction` is
 * the policy's: for ingress the subjects are destinations and the others sources, for egress the reverse.
 */
function deadEverywhere(analysis: Analysis, direction: Direction, rule: PolicyRule, subjects: Workload[], others: Workload[]): boolean {
  for (const s of subjects) {
    for (const o of others) {
      const [source, destination] = direction === 'ingress' ? [o, s] : [s, o];
      if (source === destination && !source.replicated) return false;
      const admitted = analysis.rulePorts(rule, workloadEndpoint(destination));
      const c = analysis.connection(workloadEndpoint(source), workloadEndpoint(destination));
      const otherSide = direction === 'ingress' ? c.egress : c.ingress;
      if (!otherSide.isolated || !otherSide.allowed.intersect(admitted).isEmpty()) return false;
    }
  }
  return true;
}

function checkPeer(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule, peer: PodPeer, subjects: Workload[]): void {
  const others = podsOfPeer(context, policy, peer);
  if (others.length === 0 || others.length > MAX_PODS) return;
  const otherDirection: Direction = rule.direction === 'ingress' ? 'egress' : 'ingress';
  const otherPolicies = new Map<string, NetworkPolicy>();
  for (const o of others) {
    if (o.assumed || !inWorkspace(context, o.object)) return;
    const isolating = context.analysis.isolatingPolicies(o, otherDirection);
    if (isolating.length === 0) return;
    for (const p of isolating) otherPolicies.set(policyName(p), p);
  }
  const subjectReps = representatives(subjects);
  const otherReps = representatives(others);
  if (subjectReps.length * otherReps.length > MAX_PAIRS) return;
  if (!deadEverywhere(context.analysis, rule.direction, rule, subjectReps, otherReps)) return;
  const names = listNames([...otherPolicies.keys()]);
  const message =
    rule.direction === 'ingress'
      ? `${capitalized(ruleLabel(rule))} of ${policyName(policy)} admits ${podNames(others)} to ${podNames(subjects)}, but their egress (${names}) never allows them to send it: the allowance is never used.`
      : `${capitalized(ruleLabel(rule))} of ${policyName(policy)} lets ${podNames(subjects)} send to ${podNames(others)}, but their ingress (${names}) never admits it: the connection is denied.`;
  const fix = context.wantFixes ? otherHalfFix(context, policy, rule, peer, subjects, others) : undefined;
  context.report({
    message,
    ...(fix ? { fixes: [fix] } : {}),
    location: locate(policy.object, peer.path),
    related: [...otherPolicies.values()].map((p) => ({ location: locate(p.object, ['metadata', 'name']), message: `${otherDirection} of ${podNames(others)} isolated by ${policyName(p)}` })),
  });
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined;
  return v;
}

/**
 * The half the other side lacks, as the rule states it: a policy for the peer's pods (one namespace) that allows
 * the same ports toward (or from) this policy's pods. Offered, never preferred: the allowance may be the stale half.
 */
function otherHalfFix(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule, peer: PodPeer, subjects: Workload[], others: readonly Workload[]): QuickFix | undefined {
  const namespaces = new Set(others.map((o) => o.namespace));
  if (namespaces.size !== 1) return undefined;
  const [namespace] = namespaces;
  const podSelector = valueAt(policy.object.value, [...peer.path, 'podSelector']);
  const subjectSelector = valueAt(policy.object.value, ['spec', 'podSelector']);
  if (!podSelector || typeof podSelector !== 'object' || !subjectSelector || typeof subjectSelector !== 'object') return undefined;
  const subjectPeer: Record<string, unknown> = { podSelector: subjectSelector };
  if (namespace !== policy.namespace) subjectPeer.namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': policy.namespace } };
  const ports = valueAt(policy.object.value, [...rule.path, 'ports']);
  const otherDirection: Direction = rule.direction === 'ingress' ? 'egress' : 'ingress';
  const newRule = { [otherDirection === 'egress' ? 'to' : 'from']: [subjectPeer], ...(Array.isArray(ports) && ports.length ? { ports } : {}) };
  const name = freePolicyName(context, namespace, `allow-${otherDirection}-for-${policy.name}`);
  const value = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: { podSelector, policyTypes: [otherDirection === 'egress' ? 'Egress' : 'Ingress'], [otherDirection]: [newRule] },
  };
  const title =
    otherDirection === 'egress'
      ? `Allow the other half: a policy letting ${podNames(others)} send to ${podNames(subjects)}`
      : `Allow the other half: a policy letting ${podNames(others)} admit ${podNames(subjects)}`;
  return appendDocumentFix(context, policy.object.uri, value, title);
}

function capitalized(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

export const oneSidedAllow: Rule = {
  id: 'one-sided-allow',
  defaultSeverity: 'warning',
  // Reads the other side's policies, in the namespaces the peers select.
  unit: 'policy-peers',
  description: "One side's policy admits a connection that the other side's policies deny.",
  run(context) {
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      let subjects: Workload[] | undefined;
      for (const direction of ['ingress', 'egress'] as const) {
        if (!policy.types[direction]) continue;
        for (const rule of policy[direction]) {
          for (const peer of rule.peers ?? []) {
            // Only peers naming pods by their labels: a whole namespace (or all of them) says nothing about which
            // of its pods talk to the other side.
            if (peer.type !== 'pods' || !peer.podSelector || peer.podSelector.requirements.length === 0) continue;
            subjects ??= podsOfPolicy(context, policy).filter((w) => !w.assumed && inWorkspace(context, w.object));
            if (subjects.length === 0 || subjects.length > MAX_PODS) break;
            checkPeer(context, policy, rule, peer, subjects);
          }
        }
      }
    }
  },
};
