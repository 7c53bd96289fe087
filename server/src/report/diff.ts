// What-if reachability diff: the connections allowed between workloads in a base version of the manifests compared
// with the current ones. Workloads are matched by namespace, kind and name; a pair whose allowed port set differs is
// added (nothing was allowed), removed (nothing is allowed now) or changed (ports differ). Each change names the
// policies whose contribution to that pair differs (a policy added, deleted or edited, or a policy that now selects
// other pods because labels changed). Workloads present on one side only are listed apart. Connections between a
// workload and addresses outside the cluster are compared too.
import { calicoNetworkRanges } from '../engine/calico-policy';
import { ciliumNetworkRanges, ciliumPolicies, policyLabel } from '../engine/cilium-evaluate';
import { clusterNetworkRanges } from '../engine/cluster-policy';
import { IPV4_ALL, IPV6_ALL, formatRangeAsCidr, partition, subtractAll, type IpRange } from '../engine/cidr';
import { ipEndpoint, workloadEndpoint, type Analysis, type ConnectionResult, type DirectionResult } from '../engine/evaluate';
import type { Workload } from '../engine/model';
import { rangeAt, type K8sObject } from '../engine/parse';
import type { NetworkPolicy } from '../engine/policy';
import { PortSet } from '../engine/portset';
import { sarifLog, type SarifLocation, type SarifResult } from './sarif';
import { PROTOCOLS, type SourceLocation } from '../engine/types';
import { BulkConnections } from '../engine/assertions/bulk';
import type { Scope } from '../engine/workspace';
import { escapeControls, markdownCode } from './escape';

export type ChangeKind = 'added' | 'removed' | 'changed';
export type PolicyChange = 'added' | 'deleted' | 'modified' | 'unchanged';

export interface ContributionCause {
  /** `namespace/name`. */
  policy: string;
  change: PolicyChange;
  direction: 'ingress' | 'egress';
  /** What the policy did for this pair before and after, in words. */
  before: string;
  after: string;
  /** Where the policy is now; for a deleted policy, where it was in the base version. */
  location: SourceLocation;
  /** True when `location` refers to the base version. */
  inBase: boolean;
  /**
   * Whether this policy's change makes part of the connection's change, by itself (the base with only this policy as
   * it is now) or necessarily (the current version with only this policy as in the base): see policyDecides. A
   * policy whose share changed while another policy still decides the ports (a new allow that another policy
   * blocks) has `decides: false` and is not counted for the connection.
   */
  decides: boolean;
}

/** What one policy's change does: the connections it adds, removes or changes, by the kind of change (decides). */
export interface PolicyEffect {
  /** `namespace/name`. */
  policy: string;
  change: PolicyChange;
  location: SourceLocation;
  inBase: boolean;
  added: number;
  removed: number;
  changed: number;
}

export interface ConnectionChange {
  kind: ChangeKind;
  scope: string;
  from: string;
  to: string;
  before: PortSet;
  after: PortSet;
  /** Ports allowed now and not before, and the reverse. */
  opened: PortSet;
  closed: PortSet;
  causes: ContributionCause[];
  /** Set when one side is a set of addresses outside the cluster. */
  external?: 'from' | 'to';
}

export interface WorkloadChange {
  scope: string;
  name: string;
  kind: string;
  location: SourceLocation;
  /** Connections to and from other workloads that the workload has (appeared) or had (disappeared). */
  connections: { from: string; to: string; ports: string }[];
}

export interface ReachabilityDiff {
  base: string;
  changes: ConnectionChange[];
  appeared: WorkloadChange[];
  disappeared: WorkloadChange[];
  counts: { added: number; removed: number; changed: number; appeared: number; disappeared: number };
  /** Per policy, the connections its change decides (code lenses and the editor's view read these). */
  policies: PolicyEffect[];
}

function workloadKey(w: Workload): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

function policyKey(p: NetworkPolicy): string {
  return `${p.namespace}/${p.name}`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The policy's share of one direction for one pair: undefined when it does not select the subject for it. */
function contributionOf(result: DirectionResult, policy: string): PortSet | undefined {
  if (!result.policies.some((p) => policyKey(p) === policy)) return undefined;
  let set = PortSet.NONE;
  for (const c of result.contributions) if (policyKey(c.policy) === policy) set = set.union(c.ports);
  return set;
}

function describeContribution(set: PortSet | undefined, subject: string, direction: 'ingress' | 'egress', peer: string): string {
  if (!set) return `does not select ${subject} for ${direction}`;
  const toward = direction === 'ingress' ? `from ${peer}` : `to ${peer}`;
  return set.isEmpty() ? `isolates ${subject} and allows nothing ${toward}` : `allows ${set.toString()} ${toward}`;
}

function samePolicy(a: NetworkPolicy, b: NetworkPolicy): boolean {
  return JSON.stringify(a.object.value) === JSON.stringify(b.object.value) && a.namespace === b.namespace;
}

function policyLocation(p: NetworkPolicy): SourceLocation {
  return { uri: p.object.uri, range: rangeAt(p.object.node, ['metadata', 'name']) ?? p.object.range };
}

/**
 * Compares the reachability of scopes with the same name. `baseLabel` names the base version (a git revision).
 * `compareEveryPair`: also compare pairs in namespaces where nothing changed (tests check that it changes nothing).
 */
export function diffReachability(baseScopes: readonly Scope[], headScopes: readonly Scope[], baseLabel: string, options: { compareEveryPair?: boolean } = {}): ReachabilityDiff {
  const changes: ConnectionChange[] = [];
  const appeared: WorkloadChange[] = [];
  const disappeared: WorkloadChange[] = [];
  const names = [...new Set([...headScopes.map((s) => s.name), ...baseScopes.map((s) => s.name)])];
  for (const name of names) {
    const base = baseScopes.find((s) => s.name === name);
    const head = headScopes.find((s) => s.name === name);
    diffScope(name, base, head, changes, appeared, disappeared, !options.compareEveryPair);
  }
  const counts = {
    added: changes.filter((c) => c.kind === 'added').length,
    removed: changes.filter((c) => c.kind === 'removed').length,
    changed: changes.filter((c) => c.kind === 'changed').length,
    appeared: appeared.length,
    disappeared: disappeared.length,
  };
  return { base: baseLabel, changes, appeared, disappeared, counts, policies: policyEffects(changes) };
}

/** Each policy's count of the connections it decides, by kind, in the order the policies first appear. */
export function policyEffects(changes: readonly ConnectionChange[]): PolicyEffect[] {
  const effects = new Map<string, PolicyEffect>();
  for (const c of changes) {
    const counted = new Set<string>();
    for (const cause of c.causes) {
      if (!cause.decides) continue;
      const key = `${cause.location.uri}#${cause.policy}`;
      if (counted.has(key)) continue; // the same policy for egress and ingress of one pair counts once
      counted.add(key);
      let effect = effects.get(key);
      if (!effect) effects.set(key, (effect = { policy: cause.policy, change: cause.change, location: cause.location, inBase: cause.inBase, added: 0, removed: 0, changed: 0 }));
      effect[c.kind]++;
    }
  }
  return [...effects.values()];
}

/** The causes to show for a change: those that decide it, or all when only their changes together make it. */
export function shownCauses(c: ConnectionChange): ContributionCause[] {
  const deciding = c.causes.filter((x) => x.decides);
  return deciding.length > 0 ? deciding : c.causes;
}

function sortedWorkloads(scope: Scope | undefined): Workload[] {
  if (!scope) return [];
  return [...scope.analysis.reportedWorkloads()].sort((a, b) => compare(a.displayName, b.displayName) || compare(a.kind, b.kind));
}

/** The connections of a workload that appeared or disappeared, by the bulk evaluator (thousands of them may). */
function connectionsOf(bulk: BulkConnections, w: Workload, others: readonly Workload[]): { from: string; to: string; ports: string }[] {
  const out: { from: string; to: string; ports: string }[] = [];
  const self = workloadEndpoint(w);
  for (const o of others) {
    if (o === w) continue;
    const other = workloadEndpoint(o);
    const outbound = bulk.allowed(self, other);
    if (!outbound.isEmpty()) out.push({ from: w.displayName, to: o.displayName, ports: outbound.toString() });
    const inbound = bulk.allowed(other, self);
    if (!inbound.isEmpty()) out.push({ from: o.displayName, to: w.displayName, ports: inbound.toString() });
  }
  return out;
}

function diffScope(
  scopeName: string,
  base: Scope | undefined,
  head: Scope | undefined,
  changes: ConnectionChange[],
  appeared: WorkloadChange[],
  disappeared: WorkloadChange[],
  prune: boolean,
): void {
  const baseWorkloads = sortedWorkloads(base);
  const headWorkloads = sortedWorkloads(head);
  const baseByKey = new Map(baseWorkloads.map((w) => [workloadKey(w), w]));
  const headByKey = new Map(headWorkloads.map((w) => [workloadKey(w), w]));
  // Every pair is compared with the bulk evaluator; only pairs that changed get the explained connection.
  const bulk = { base: base && new BulkConnections(base.analysis, base.store), head: head && new BulkConnections(head.analysis, head.store) };
  for (const w of headWorkloads) {
    if (!baseByKey.has(workloadKey(w))) {
      appeared.push({ scope: scopeName, name: w.displayName, kind: w.kind, location: { uri: w.object.uri, range: w.object.range }, connections: connectionsOf(bulk.head!, w, headWorkloads) });
    }
  }
  for (const w of baseWorkloads) {
    if (!headByKey.has(workloadKey(w))) {
      disappeared.push({ scope: scopeName, name: w.displayName, kind: w.kind, location: { uri: w.object.uri, range: w.object.range }, connections: connectionsOf(bulk.base!, w, baseWorkloads) });
    }
  }
  if (!base || !head || !bulk.base || !bulk.head) return;
  // Pairs of workloads present on both sides, in head order.
  const common = headWorkloads.filter((w) => baseByKey.has(workloadKey(w))).map((h) => ({ head: h, base: baseByKey.get(workloadKey(h))! }));
  // A connection reads its two workloads, their namespaces' labels and the policies of their namespaces: a pair of
  // workloads in namespaces where none of that changed keeps its connections, and is not compared.
  // Cluster-wide policies reach every namespace: when they differ, every pair is compared.
  const changed = prune && sameClusterPolicies(base, head) ? changedNamespaces(base, head) : undefined;
  const touched = (w: { head: Workload }) => !changed || changed.has(w.head.namespace);
  const policies = { base: new Map(base.model.policies.map((p) => [policyKey(p), p])), head: new Map(head.model.policies.map((p) => [policyKey(p), p])) };
  const analyses = { base: base.analysis, head: head.analysis };
  const ciliumObjects = (scope: Scope) => new Map(ciliumPolicies(scope.model).map((p) => [policyLabel(p), p.object]));
  const cilium = base.analysis.cilium || head.analysis.cilium ? { base: ciliumObjects(base), head: ciliumObjects(head) } : undefined;
  const shares = sharedShareChanges(policies, analyses, cilium);
  const endpoints = common.map((w) => ({ base: workloadEndpoint(w.base), head: workloadEndpoint(w.head) }));
  // From an untouched workload only the touched ones are compared (in the same order as all of them would be).
  const everyIndex = common.map((_, i) => i);
  const touchedIndices = everyIndex.filter((i) => touched(common[i]));
  for (let i = 0; i < common.length; i++) {
    const src = common[i];
    for (const j of touched(src) ? everyIndex : touchedIndices) {
      const dst = common[j];
      if (i === j) continue;
      if (samePorts(bulk.base.allowed(endpoints[i].base, endpoints[j].base), bulk.head.allowed(endpoints[i].head, endpoints[j].head))) continue;
      const before = base.analysis.connection(endpoints[i].base, endpoints[j].base);
      const after = head.analysis.connection(endpoints[i].head, endpoints[j].head);
      changes.push(connectionChange(scopeName, src.head.displayName, dst.head.displayName, before.allowed, after.allowed, shares(before, after)));
    }
  }
  // Addresses outside the cluster, cut at every ipBlock boundary of either version; blocks that changed the same way
  // for a workload are reported together.
  const ranges = [...ipBlockRanges(base), ...ipBlockRanges(head)];
  const blocks = [...partition(IPV4_ALL, ranges), ...partition(IPV6_ALL, ranges)];
  for (const w of common) {
    if (!touched(w)) continue;
    for (const direction of ['egress', 'ingress'] as const) {
      const groups = new Map<string, { ranges: IpRange[]; before: PortSet; after: PortSet; shares: ShareChange[] }>();
      for (const block of blocks) {
        const address = ipEndpoint(block);
        const pair = (wl: Workload) => (direction === 'egress' ? ([workloadEndpoint(wl), address] as const) : ([address, workloadEndpoint(wl)] as const));
        if (samePorts(bulk.base.allowed(...pair(w.base)), bulk.head.allowed(...pair(w.head)))) continue;
        const before = base.analysis.connection(...pair(w.base));
        const after = head.analysis.connection(...pair(w.head));
        const blockShares = shares(before, after);
        const key = `${before.allowed}|${after.allowed}|${blockShares.map(shareKey).join(';')}`;
        const group = groups.get(key);
        if (group) group.ranges.push(block);
        else groups.set(key, { ranges: [block], before: before.allowed, after: after.allowed, shares: blockShares });
      }
      for (const g of groups.values()) {
        const label = mergeAdjacent(g.ranges).map(formatRangeAsCidr).join(', ');
        const [from, to] = direction === 'egress' ? [w.head.displayName, label] : [label, w.head.displayName];
        changes.push({ ...connectionChange(scopeName, from, to, g.before, g.after, g.shares), external: direction === 'egress' ? 'to' : 'from' });
      }
    }
  }
}

/**
 * Namespaces where something a connection reads differs between the versions: the Namespace (labels, whether it is
 * declared or external), a workload (its whole object: labels, ports, namespace) or a policy (its whole object).
 * Versions that share parsed files (Workspace.setFile `parsed`) share those objects: a namespace whose objects are
 * the same ones on both sides is unchanged without comparing their contents.
 */
function changedNamespaces(base: Scope, head: Scope): Set<string> {
  const before = namespaceContents(base);
  const after = namespaceContents(head);
  const changed = new Set<string>();
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name);
    const b = after.get(name);
    if (!a || !b || a.summary !== b.summary) changed.add(name);
    else if (!sameObjects(a.objects, b.objects) && contentText(a.objects) !== contentText(b.objects)) changed.add(name);
  }
  return changed;
}

interface NamespaceContents {
  /** The Namespace's labels and flags, and the names and roles of its workloads and policies (sorted). */
  summary: string;
  /** Its workloads' and policies' objects, by place in the files. */
  objects: K8sObject[];
}

function namespaceContents(scope: Scope): Map<string, NamespaceContents> {
  const parts = new Map<string, { summary: string[]; objects: K8sObject[] }>();
  const entry = (namespace: string) => {
    let found = parts.get(namespace);
    if (!found) parts.set(namespace, (found = { summary: [], objects: [] }));
    return found;
  };
  for (const ns of scope.model.namespaces.values()) entry(ns.name).summary.push(`N${JSON.stringify([ns.labels, ns.implicit, ns.external])}`);
  for (const w of scope.model.workloads) {
    const e = entry(w.namespace);
    e.summary.push(`W${JSON.stringify([workloadKey(w), w.assumed])}`);
    e.objects.push(w.object);
  }
  for (const p of scope.model.policies) {
    const e = entry(p.namespace);
    e.summary.push(`P${JSON.stringify(policyKey(p))}`);
    e.objects.push(p.object);
  }
  // A CiliumNetworkPolicy selects pods of its own namespace only (CiliumClusterwideNetworkPolicies: sameClusterPolicies).
  for (const p of ciliumPolicies(scope.model)) {
    if (p.namespace === undefined) continue;
    const e = entry(p.namespace);
    e.summary.push(`C${JSON.stringify(policyLabel(p))}`);
    e.objects.push(p.object);
  }
  const out = new Map<string, NamespaceContents>();
  for (const [namespace, e] of parts) out.set(namespace, { summary: e.summary.sort().join('\n'), objects: e.objects.sort(byPlace) });
  return out;
}

const byPlace = (a: K8sObject, b: K8sObject) => compare(a.uri, b.uri) || a.range[0] - b.range[0];

function sameObjects(a: readonly K8sObject[], b: readonly K8sObject[]): boolean {
  return a.length === b.length && a.every((o, i) => o === b[i]);
}

/** The objects' contents, for namespaces whose objects are not the very same ones on both sides. */
function contentText(objects: readonly K8sObject[]): string {
  return objects.map((o) => JSON.stringify(o.value)).sort().join('\n');
}

function samePorts(a: PortSet, b: PortSet): boolean {
  if (a === b) return true;
  return PROTOCOLS.every((p) => {
    const x = a.ranges(p);
    const y = b.ranges(p);
    return x.length === y.length && x.every((r, i) => r[0] === y[i][0] && r[1] === y[i][1]);
  });
}

/** A policy whose share of one direction of a connection differs between the versions. */
interface ShareChange {
  policy: string;
  change: PolicyChange;
  direction: 'ingress' | 'egress';
  was: PortSet | undefined;
  now: PortSet | undefined;
  /** For policies that deny as well as allow (Cilium's): what it decided, instead of `was` and `now` (null: nothing). */
  cilium?: { was: CiliumShare | null; now: CiliumShare | null };
  location: SourceLocation;
  inBase: boolean;
  /** Whether the policy's change alone makes part of the connection's change (ContributionCause.decides). */
  decides: boolean;
}

function shareKey(s: ShareChange): string {
  const c = s.cilium ? `${shareText(s.cilium.was)}/${shareText(s.cilium.now)}` : `${s.was ?? '-'}/${s.now ?? '-'}`;
  return `${s.policy}/${s.direction}/${s.change}/${c}/${s.decides}`;
}

/** One version's evaluation of a connection, with the analysis that made it. */
interface Evaluated {
  result: ConnectionResult;
  analysis: Analysis;
}

/**
 * The connection as `into` evaluates it with one policy taken from `from`, every other policy as in `into`: per
 * direction, `into`'s NetworkPolicy answer with that policy's selection and rules replaced by `from`'s, through
 * `into`'s cluster-wide tiers. Undefined where that cannot be computed exactly (Calico models).
 */
function withPolicyFrom(policy: string, into: Evaluated, from: Evaluated): PortSet | undefined {
  if (into.result.self) return into.result.allowed;
  const mine = (p: NetworkPolicy) => policyKey(p) === policy;
  const sides: PortSet[] = [];
  for (const direction of ['egress', 'ingress'] as const) {
    if (!into.result[direction].policies.some(mine) && !from.result[direction].policies.some(mine)) {
      sides.push(into.result[direction].allowed);
      continue;
    }
    const kept = into.analysis.networkPolicyAnswer(direction, into.result.source, into.result.destination);
    const taken = from.analysis.networkPolicyAnswer(direction, from.result.source, from.result.destination);
    const selecting = [...kept.policies.filter((p) => !mine(p)), ...taken.policies.filter(mine)];
    const contributions = [...kept.contributions.filter((c) => !mine(c.policy)), ...taken.contributions.filter((c) => mine(c.policy))];
    const isolated = selecting.length > 0;
    let allowed = isolated ? PortSet.NONE : PortSet.ALL;
    if (isolated) for (const c of contributions) allowed = allowed.union(c.ports);
    const np: DirectionResult = { direction, isolated, policies: selecting, allowed, contributions };
    const decided = into.analysis.directionWith(direction, into.result.source, into.result.destination, np);
    if (!decided) return undefined;
    sides.push(decided.allowed);
  }
  return sides[0].intersect(sides[1]);
}

/**
 * Whether a policy's change makes part of a connection's change: by itself (the base with only this policy as it is
 * now opens some of the opened ports or closes some of the closed ones), or necessarily (the current version with
 * only this policy as in the base lacks some of them). A policy whose share changed while another policy still
 * decides the ports (a new allow that another policy blocks) is neither. Undefined without an exact answer.
 */
function policyDecides(policy: string, before: Evaluated, after: Evaluated): boolean | undefined {
  const b = before.result.allowed;
  const a = after.result.allowed;
  const opened = a.subtract(b);
  const closed = b.subtract(a);
  const alone = withPolicyFrom(policy, before, after);
  const without = withPolicyFrom(policy, after, before);
  if (!alone || !without) return undefined;
  const part = (ports: PortSet, of: PortSet) => !ports.intersect(of).isEmpty();
  return part(alone.subtract(b), opened) || part(b.subtract(alone), closed) || part(a.subtract(without), opened) || part(without.subtract(a), closed);
}

/**
 * shareChanges, once per combination of direction results: the analyses share one result among the pairs of a class
 * (same policies, same matching rules, same ports), and what the shares and their deciding policies are is a function
 * of the four results (a tiered result stands for one NetworkPolicy answer: its cache key holds it).
 */
function sharedShareChanges(
  policies: { base: Map<string, NetworkPolicy>; head: Map<string, NetworkPolicy> },
  analyses: { base: Analysis; head: Analysis },
  cilium?: { base: Map<string, K8sObject>; head: Map<string, K8sObject> },
) {
  const ids = new Map<DirectionResult, number>();
  const id = (r: DirectionResult) => {
    let known = ids.get(r);
    if (known === undefined) ids.set(r, (known = ids.size));
    return known;
  };
  const known = new Map<string, ShareChange[]>();
  return (before: ConnectionResult, after: ConnectionResult): ShareChange[] => {
    if (before.self || after.self) return shareChanges(before, after, policies, analyses, cilium);
    const key = `${id(before.egress)}:${id(before.ingress)}:${id(after.egress)}:${id(after.ingress)}`;
    let shares = known.get(key);
    if (!shares) known.set(key, (shares = shareChanges(before, after, policies, analyses, cilium)));
    return shares;
  };
}

interface CiliumShare {
  allows: PortSet;
  denies: PortSet;
}

function shareText(s: CiliumShare | null): string {
  return s ? `${s.allows}+${s.denies}` : '-';
}

/** What each Cilium policy decided for a pair in one direction: the ports its allow and its deny entries decided. */
function ciliumShares(result: DirectionResult): Map<string, CiliumShare> {
  const out = new Map<string, CiliumShare>();
  for (const d of result.ciliumDecisions ?? []) {
    if (d.by !== 'cilium-allow' && d.by !== 'cilium-deny') continue;
    const key = policyLabel(d.policy);
    const share = out.get(key) ?? { allows: PortSet.NONE, denies: PortSet.NONE };
    if (d.by === 'cilium-allow') share.allows = share.allows.union(d.ports);
    else share.denies = share.denies.union(d.ports);
    out.set(key, share);
  }
  return out;
}

function describeCiliumShare(share: CiliumShare | null, direction: 'ingress' | 'egress', peer: string): string {
  const toward = direction === 'ingress' ? `from ${peer}` : `to ${peer}`;
  if (!share) return `decides nothing ${toward}`;
  const parts = [...(share.allows.isEmpty() ? [] : [`allows ${share.allows}`]), ...(share.denies.isEmpty() ? [] : [`denies ${share.denies}`])];
  return `${parts.join(' and ')} ${toward}`;
}

function shareChanges(
  before: ConnectionResult,
  after: ConnectionResult,
  policies: { base: Map<string, NetworkPolicy>; head: Map<string, NetworkPolicy> },
  analyses: { base: Analysis; head: Analysis },
  cilium?: { base: Map<string, K8sObject>; head: Map<string, K8sObject> },
): ShareChange[] {
  const out: ShareChange[] = [];
  const decision = new Map<string, boolean>();
  const decides = (policy: string): boolean => {
    let known = decision.get(policy);
    if (known === undefined) {
      // Without an exact answer (Calico models) every policy whose share changed counts.
      known = policyDecides(policy, { result: before, analysis: analyses.base }, { result: after, analysis: analyses.head }) ?? true;
      decision.set(policy, known);
    }
    return known;
  };
  for (const direction of ['egress', 'ingress'] as const) {
    const b = before[direction];
    const a = after[direction];
    if (cilium && (b.ciliumDecisions || a.ciliumDecisions)) {
      const was = ciliumShares(b);
      const now = ciliumShares(a);
      for (const key of [...new Set([...was.keys(), ...now.keys()])].sort(compare)) {
        const share = { was: was.get(key) ?? null, now: now.get(key) ?? null };
        if (shareText(share.was) === shareText(share.now)) continue;
        const inBase = cilium.base.get(key);
        const inHead = cilium.head.get(key);
        const change: PolicyChange = !inBase ? 'added' : !inHead ? 'deleted' : JSON.stringify(inBase.value) === JSON.stringify(inHead.value) ? 'unchanged' : 'modified';
        const object = (inHead ?? inBase)!;
        // What a Cilium policy's change alone does is not computed (its layer reads every policy): it counts.
        out.push({ policy: key, change, direction, was: undefined, now: undefined, cilium: share, location: { uri: object.uri, range: rangeAt(object.node, ['metadata', 'name']) ?? object.range }, inBase: !inHead, decides: true });
      }
    }
    const involved = [...new Set([...b.policies.map(policyKey), ...a.policies.map(policyKey)])].sort(compare);
    for (const key of involved) {
      const was = contributionOf(b, key);
      const now = contributionOf(a, key);
      if (was === now || (was && now && was.equals(now))) continue;
      const inBase = policies.base.get(key);
      const inHead = policies.head.get(key);
      const change: PolicyChange = !inBase ? 'added' : !inHead ? 'deleted' : samePolicy(inBase, inHead) ? 'unchanged' : 'modified';
      out.push({ policy: key, change, direction, was, now, location: policyLocation(inHead ?? inBase!), inBase: !inHead, decides: decides(key) });
    }
  }
  return out;
}

function connectionChange(scope: string, from: string, to: string, before: PortSet, after: PortSet, shares: ShareChange[]): ConnectionChange {
  const causes = shares.map((s): ContributionCause => {
    const subject = s.direction === 'egress' ? from : to;
    const peer = s.direction === 'egress' ? to : from;
    return {
      policy: s.policy,
      change: s.change,
      direction: s.direction,
      before: s.cilium ? describeCiliumShare(s.cilium.was, s.direction, peer) : describeContribution(s.was, subject, s.direction, peer),
      after: s.cilium ? describeCiliumShare(s.cilium.now, s.direction, peer) : describeContribution(s.now, subject, s.direction, peer),
      location: s.location,
      inBase: s.inBase,
      decides: s.decides,
    };
  });
  const kind: ChangeKind = before.isEmpty() ? 'added' : after.isEmpty() ? 'removed' : 'changed';
  return { kind, scope, from, to, before, after, opened: after.subtract(before), closed: before.subtract(after), causes };
}

function ipBlockRanges(scope: Scope): IpRange[] {
  const out: IpRange[] = [];
  for (const p of scope.model.policies) {
    if (!p.valid) continue;
    for (const rule of [...p.ingress, ...p.egress]) for (const peer of rule.peers ?? []) if (peer.type === 'ipBlock') out.push(...subtractAll(peer.cidr, peer.except));
  }
  out.push(...clusterNetworkRanges(scope.model.clusterPolicies));
  out.push(...calicoNetworkRanges(scope.model.calico));
  out.push(...ciliumNetworkRanges(scope.model));
  return out;
}

/** Sorted ranges with touching neighbours joined. */
function mergeAdjacent(ranges: IpRange[]): IpRange[] {
  const out: IpRange[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && last.v6 === r.v6 && last.hi + 1n === r.lo) out[out.length - 1] = { v6: r.v6, lo: last.lo, hi: r.hi };
    else out.push(r);
  }
  return out;
}

/** Protocols in the order people name them. */
const PLAIN_ORDER = ['TCP', 'UDP', 'SCTP'] as const;

/**
 * Ports in plain words: `all ports`, `TCP/UDP 53`, `TCP 80, 443, 8000–8080`, `all TCP`, `nothing`. Protocols with the
 * same ports are named together.
 */
export function portsInWords(set: PortSet): string {
  if (set.isEmpty()) return 'nothing';
  if (set.isAll()) return 'all ports';
  const groups = new Map<string, string[]>();
  for (const protocol of PLAIN_ORDER) {
    const ranges = set.ranges(protocol);
    if (ranges.length === 0) continue;
    const text = ranges.length === 1 && ranges[0][0] === 1 && ranges[0][1] === 65535 ? '' : ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}–${hi}`)).join(', ');
    groups.set(text, [...(groups.get(text) ?? []), protocol]);
  }
  return [...groups].map(([text, protocols]) => (text === '' ? `all ${protocols.join('/')}` : `${protocols.join('/')} ${text}`)).join('; ');
}

/** How many ranges words for the set name: the smaller of two descriptions is the one said. */
function wordCount(set: PortSet): number {
  return PLAIN_ORDER.reduce((n, p) => n + set.ranges(p).length, 0);
}

/**
 * What a connection allows now compared with before, in plain words, never as the complement of port ranges:
 * `now TCP 80` (added), `now nothing (was TCP 80)` (removed), `now only TCP/UDP 53`, `no longer TCP 8443`,
 * `now also TCP 80`, `now all ports (was only TCP 80)`, `now TCP 443 (was TCP 80)`.
 */
export function changeInWords(before: PortSet, after: PortSet): string {
  if (before.isEmpty()) return `now ${portsInWords(after)}`;
  if (after.isEmpty()) return `now nothing (was ${portsInWords(before)})`;
  const opened = after.subtract(before);
  const closed = before.subtract(after);
  if (opened.isEmpty() && closed.isEmpty()) return `unchanged: ${portsInWords(after)}`;
  if (opened.isEmpty()) return wordCount(after) <= wordCount(closed) ? `now only ${portsInWords(after)}` : `no longer ${portsInWords(closed)}`;
  if (closed.isEmpty()) return wordCount(opened) <= wordCount(after) && !after.isAll() ? `now also ${portsInWords(opened)}` : `now ${portsInWords(after)} (was only ${portsInWords(before)})`;
  return `now ${portsInWords(after)} (was ${portsInWords(before)})`;
}

export interface DiffLocator {
  path(uri: string): string;
  position(loc: SourceLocation, inBase: boolean): { line: number; column: number };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

const SIGN: Record<ChangeKind, string> = { added: '+', removed: '-', changed: '~' };

/** `a -> b`, marking the side that is outside the cluster. */
function pairText(c: ConnectionChange): string {
  return `${c.from}${c.external === 'from' ? ' (external)' : ''} -> ${c.to}${c.external === 'to' ? ' (external)' : ''}`;
}

function changeSummary(c: ConnectionChange): string {
  switch (c.kind) {
    case 'added':
      return `now allowed: ${c.after.toString()} (was denied)`;
    case 'removed':
      return `now denied (was ${c.before.toString()})`;
    case 'changed': {
      const parts: string[] = [];
      if (!c.opened.isEmpty()) parts.push(`+${c.opened.toString()}`);
      if (!c.closed.isEmpty()) parts.push(`-${c.closed.toString()}`);
      return `${c.before.toString()} -> ${c.after.toString()} (${parts.join(', ')})`;
    }
  }
}

function causeText(c: ContributionCause): string {
  return `${c.policy} (${c.change === 'unchanged' ? 'unchanged; it selects other pods now' : c.change}), ${c.direction}: ${c.before} -> ${c.after}`;
}

function locationText(loc: SourceLocation, inBase: boolean, base: string, locator: DiffLocator): string {
  const p = locator.position(loc, inBase);
  return `${locator.path(loc.uri)}:${p.line}:${p.column}${inBase ? ` at ${base}` : ''}`;
}

function showScope(diff: ReachabilityDiff): boolean {
  const scopes = new Set([...diff.changes.map((c) => c.scope), ...diff.appeared.map((w) => w.scope), ...diff.disappeared.map((w) => w.scope)]);
  return scopes.size > 1 || (scopes.size === 1 && !scopes.has('default'));
}

export function diffToText(diff: ReachabilityDiff, locator: DiffLocator): string {
  const out: string[] = [`Reachability changes against ${diff.base}:`];
  const scoped = showScope(diff);
  if (diff.changes.length === 0) out.push('  no connection between existing workloads changed');
  for (const c of diff.changes) {
    out.push(`  ${SIGN[c.kind]} ${scoped ? `[${c.scope}] ` : ''}${pairText(c)}: ${changeSummary(c)}`);
    // The policies whose change decides the connection; JSON lists the others too (`decides: false`).
    for (const cause of shownCauses(c)) out.push(`      ${causeText(cause)} (${locationText(cause.location, cause.inBase, diff.base, locator)})`);
  }
  for (const [title, list] of [
    ['Workloads added', diff.appeared],
    ['Workloads removed', diff.disappeared],
  ] as const) {
    if (list.length === 0) continue;
    out.push(`${title}:`);
    for (const w of list) {
      out.push(`  ${scoped ? `[${w.scope}] ` : ''}${w.name} (${w.kind})`);
      for (const c of w.connections) out.push(`      ${c.from} -> ${c.to}: ${c.ports}`);
    }
  }
  const n = diff.counts;
  out.push('');
  out.push(`${n.added} added, ${n.removed} removed, ${n.changed} changed; ${plural(n.appeared, 'workload')} added, ${n.disappeared} removed`);
  // Names and paths come from the repository: a newline or escape sequence in one must not forge or hide a line.
  return `${out.map(escapeControls).join('\n')}\n`;
}

function jsonLocation(loc: SourceLocation, inBase: boolean, locator: DiffLocator): { file: string; line: number; column: number; base?: true } {
  const p = locator.position(loc, inBase);
  return { file: locator.path(loc.uri), line: p.line, column: p.column, ...(inBase ? { base: true as const } : {}) };
}

/** A change as plain data; callers render its causes (file:line for JSON, LSP ranges for the editor). */
export function plainChange<C>(c: ConnectionChange, cause: (x: ContributionCause) => C) {
  return {
    kind: c.kind,
    scope: c.scope,
    from: c.from,
    to: c.to,
    ...(c.external ? { external: c.external } : {}),
    before: c.before.toString(),
    after: c.after.toString(),
    opened: c.opened.toString(),
    closed: c.closed.toString(),
    summary: changeInWords(c.before, c.after),
    causes: c.causes.map(cause),
  };
}

export function diffToJson(diff: ReachabilityDiff, locator: DiffLocator): string {
  const data = {
    base: diff.base,
    counts: diff.counts,
    changes: diff.changes.map((c) =>
      plainChange(c, (x) => ({
        policy: x.policy,
        change: x.change,
        direction: x.direction,
        before: x.before,
        after: x.after,
        decides: x.decides,
        location: jsonLocation(x.location, x.inBase, locator),
      })),
    ),
    workloadsAdded: diff.appeared.map((w) => ({ scope: w.scope, name: w.name, kind: w.kind, location: jsonLocation(w.location, false, locator), connections: w.connections })),
    workloadsRemoved: diff.disappeared.map((w) => ({ scope: w.scope, name: w.name, kind: w.kind, location: jsonLocation(w.location, true, locator), connections: w.connections })),
    policies: diff.policies.map((p) => ({ policy: p.policy, change: p.change, added: p.added, removed: p.removed, changed: p.changed, location: jsonLocation(p.location, p.inBase, locator) })),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Escapes what GitHub markdown would read as formatting or HTML inside a table cell. */
function md(text: string): string {
  return escapeControls(text).replace(/([\\`*_|<[\]])/g, '\\$1');
}

/** Rows per table in markdown: a pull-request comment has a size limit (65,536 characters on GitHub). */
export const MARKDOWN_ROWS = 50;

/** Markdown for a pull-request comment: a summary line, then one table per kind of change. */
export function diffToMarkdown(diff: ReachabilityDiff, locator: DiffLocator): string {
  const n = diff.counts;
  const out: string[] = ['### NetworkPolicy reachability changes', ''];
  out.push(
    `Compared with ${markdownCode(diff.base)}: **${n.added}** added, **${n.removed}** removed, **${n.changed}** changed connections; ${plural(n.appeared, 'workload')} added, ${n.disappeared} removed.`,
  );
  const scoped = showScope(diff);
  const sections: { kind: ChangeKind; title: string }[] = [
    { kind: 'added', title: 'Newly allowed' },
    { kind: 'removed', title: 'Newly denied' },
    { kind: 'changed', title: 'Ports changed' },
  ];
  for (const s of sections) {
    const list = diff.changes.filter((c) => c.kind === s.kind);
    if (list.length === 0) continue;
    out.push('', `#### ${s.title} (${list.length})`, '');
    // Names and paths from the repository go into code spans: literal, one line, no `@mention` or `#123` link.
    out.push(`| ${scoped ? 'Scope | ' : ''}From | To | Ports | Caused by |`);
    out.push(`|${scoped ? ' --- |' : ''} --- | --- | --- | --- |`);
    for (const c of list.slice(0, MARKDOWN_ROWS)) {
      const ports = s.kind === 'added' ? c.after.toString() : s.kind === 'removed' ? c.before.toString() : changeSummary(c);
      const causes = shownCauses(c)
        .map((x) => `${markdownCode(x.policy)} (${x.change === 'unchanged' ? 'selects other pods' : x.change}, ${x.direction}) at ${markdownCode(locationText(x.location, x.inBase, diff.base, locator))}`)
        .join('<br>');
      const side = (name: string, external: boolean) => `${markdownCode(name)}${external ? ' (external)' : ''}`;
      out.push(`| ${scoped ? `${markdownCode(c.scope)} | ` : ''}${side(c.from, c.external === 'from')} | ${side(c.to, c.external === 'to')} | ${md(ports)} | ${causes} |`);
    }
    if (list.length > MARKDOWN_ROWS) out.push('', `… and ${list.length - MARKDOWN_ROWS} more (\`netpol diff\` lists them all).`);
  }
  for (const [title, list] of [
    ['Workloads added', diff.appeared],
    ['Workloads removed', diff.disappeared],
  ] as const) {
    if (list.length === 0) continue;
    out.push('', `#### ${title} (${list.length})`, '');
    for (const w of list) out.push(`- ${markdownCode(w.name)} (${md(w.kind)})${w.connections.length ? `: ${w.connections.length} connections` : ': no connections'}`);
  }
  if (diff.changes.length === 0 && diff.appeared.length === 0 && diff.disappeared.length === 0) out.push('', 'No reachability change.');
  return `${out.join('\n')}\n`;
}

export const DIFF_RULE_IDS: Record<ChangeKind, string> = {
  added: 'reachability-added',
  removed: 'reachability-removed',
  changed: 'reachability-changed',
};

/** SARIF 2.1.0: one result per connection change, at the policies that cause it (in the working tree). */
export function diffToSarif(diff: ReachabilityDiff, locator: DiffLocator, version: string): string {
  const results = diff.changes.map((c): SarifResult => {
    const here = c.causes.filter((x) => !x.inBase);
    const locations = here.map((x): SarifLocation => {
      const start = locator.position(x.location, false);
      const end = locator.position({ uri: x.location.uri, range: [x.location.range[1], x.location.range[1]] }, false);
      return {
        physicalLocation: {
          artifactLocation: { uri: locator.path(x.location.uri) },
          region: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
        },
        message: { text: causeText(x) },
      };
    });
    return {
      ruleId: DIFF_RULE_IDS[c.kind],
      level: c.kind === 'added' ? 'warning' : 'note',
      message: {
        text: `${pairText(c)}: ${changeSummary(c)}; caused by ${c.causes.map(causeText).join('; ')}`,
      },
      ...(locations.length ? { locations } : {}),
    };
  });
  const log = sarifLog({
    version,
    rules: [
      { id: DIFF_RULE_IDS.added, shortDescription: { text: 'A connection between workloads is newly allowed' } },
      { id: DIFF_RULE_IDS.removed, shortDescription: { text: 'A connection between workloads is newly denied' } },
      { id: DIFF_RULE_IDS.changed, shortDescription: { text: 'The allowed ports between two workloads changed' } },
    ],
    results,
  });
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** Whether two versions hold the same cluster-wide policies (AdminNetworkPolicy and kin), by their content. */
function sameClusterPolicies(base: Scope, head: Scope): boolean {
  // Calico's policies, network sets and tiers cross namespaces too.
  const calico = (scope: Scope) => [...scope.model.calico.policies, ...scope.model.calico.networkSets, ...scope.model.calico.tiers];
  // So do Cilium's cluster-wide policies and CIDR groups.
  const cilium = (scope: Scope) => scope.model.objects.filter((o) => o.apiVersion.startsWith('cilium.io/') && (o.kind === 'CiliumClusterwideNetworkPolicy' || o.kind === 'CiliumCIDRGroup')).map((object) => ({ object }));
  const text = (scope: Scope) => [...scope.model.clusterPolicies, ...calico(scope), ...cilium(scope)].map((p) => `${p.object?.kind}\u0000${JSON.stringify(p.object?.value)}`).join('\u0001');
  return text(base) === text(head);
}
