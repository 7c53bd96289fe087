// Calico's evaluation of one direction at one workload endpoint, on the tiered model (tiers.ts).
// References: felix rules/endpoints.go and calc/policy_sorter.go, Calico docs reference/resources/tier.mdx,
// _rule.mdx, _entityrule.mdx; libcalico-go backend/syncersv1/updateprocessors/rules.go (scoping of selectors);
// ../shared/policy-dialects.md §A.
//   - Tiers by order (missing = last), then name. Only tiers holding a non-staged policy that selects the endpoint
//     with the direction in its types take part.
//   - Within a tier, policies by order (missing = last), then name; rules in order: Allow and Deny are final, Log
//     continues, Pass skips to the next tier. The tier's end applies its defaultAction (Deny, or Pass).
//   - Kubernetes NetworkPolicies sit in tier `default` at order 1000 (allow rules only); AdminNetworkPolicy /
//     ClusterNetworkPolicy tier Admin in the admin tier (order 1000, end: Pass), BaselineAdminNetworkPolicy /
//     ClusterNetworkPolicy tier Baseline in the baseline tier (order 10 000 000, end: Pass).
//   - What no tier decides falls to the namespace's profile (kns.<ns>): allowed.
// Tier layout: Calico ≥ 3.30 names the built-in tiers kube-admin / default / kube-baseline (ClusterNetworkPolicy);
// 3.29 had adminnetworkpolicy / default / baselineadminnetworkpolicy (AdminNetworkPolicy, BANP). Both put the admin
// tier at 1000 and the baseline tier after default, so verdicts agree; the names follow the kinds present (ANP or
// BANP objects → the 3.29 names, else the current ones; `new Analysis(model, { calicoTierLayout })` overrides).
import { contains, overlaps, type IpRange } from './cidr';
import {
  CALICO_NAMESPACE_LABEL,
  calicoEndpointLabels,
  calicoNamespaceLabels,
  matchesCalicoSelector,
  type CalicoSelector,
} from './calico-selector';
import type { CalicoEntity, CalicoNetworkSet, CalicoPolicy, CalicoPort, CalicoRule, CalicoTier } from './calico-policy';
import type { ClusterPeer, ClusterPolicy, ClusterRule } from './cluster-policy';
import type { Endpoint } from './evaluate';
import type { Model, Workload } from './model';
import type { Direction, NetworkPolicy } from './policy';
import { PortSet } from './portset';
import type { Protocol } from './types';

export const DEFAULT_TIER_ORDER = 1_000_000;
export const KUBERNETES_POLICY_ORDER = 1000;
export const ADMIN_TIER_ORDER = 1000;
export const BASELINE_TIER_ORDER = 10_000_000;

export type TierLayout = 'current' | 'pre-3.30';

/** One policy of a tier, whatever its kind. */
export type TieredPolicy =
  | { type: 'calico'; policy: CalicoPolicy; name: string; order?: number }
  | { type: 'kubernetes'; policy: NetworkPolicy; name: string; order: number }
  | { type: 'cluster'; policy: ClusterPolicy; name: string; order: number };

export interface EvaluationTier {
  name: string;
  order?: number;
  defaultAction: 'Deny' | 'Pass';
  /** Built-in tiers: where the Kubernetes kinds go. */
  role: 'admin' | 'default' | 'baseline' | 'calico';
  calicoPolicies: CalicoPolicy[];
  tier?: CalicoTier;
}

/** What decided some ports of one direction: a tier, a policy, a rule (or the tier's end, or the profile). */
export interface CalicoDecision {
  tier: string;
  /** Absent for a tier's default action and the profile. */
  policy?: TieredPolicy;
  /** Rule index within the policy's direction; absent for a Kubernetes NetworkPolicy's allow (any of its rules). */
  ruleIndex?: number;
  action: 'allow' | 'deny' | 'pass' | 'tier-default-deny' | 'profile-allow';
  ports: PortSet;
}

export interface CalicoDirectionResult {
  allowed: PortSet;
  /** Whether some tier applied (a policy selected the endpoint for this direction). */
  isolated: boolean;
  decisions: CalicoDecision[];
  /** Whether a rule that matched carries a field netpol does not analyse (source ports, http, ipVersion on pods). */
  uncertain: boolean;
}

/** The tier names of a layout. */
export function tierNames(layout: TierLayout): { admin: string; baseline: string } {
  return layout === 'current' ? { admin: 'kube-admin', baseline: 'kube-baseline' } : { admin: 'adminnetworkpolicy', baseline: 'baselineadminnetworkpolicy' };
}

/** The layout the workspace's objects suggest: ANP/BANP objects mean Calico 3.29's tiers, else the current ones. */
export function detectTierLayout(model: Model, configured?: TierLayout): TierLayout {
  if (configured) return configured;
  return model.clusterPolicies.some((p) => p.kind !== 'ClusterNetworkPolicy') ? 'pre-3.30' : 'current';
}

function compareOrder(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Calico's policy sort key within a tier (PolKVLess): order (missing last), then `name/namespace/kind`. */
export function policySortName(p: TieredPolicy): string {
  if (p.type === 'calico') return `${p.policy.name}/${p.policy.namespace ?? ''}/${p.policy.global ? 'GlobalNetworkPolicy' : 'NetworkPolicy'}`;
  if (p.type === 'kubernetes') return `${p.policy.name}/${p.policy.namespace}/KubernetesNetworkPolicy`;
  return `${p.policy.name}//${p.policy.kind}`;
}

export function compareTieredPolicies(a: TieredPolicy, b: TieredPolicy): number {
  return compareOrder(a.order, b.order) || compareNames(policySortName(a), policySortName(b));
}

/** The tiers in evaluation order: the built-in ones and those of Tier objects and policies' `tier` fields. */
export function evaluationTiers(model: Model, layout: TierLayout): EvaluationTier[] {
  const names = tierNames(layout);
  const byName = new Map<string, EvaluationTier>();
  byName.set(names.admin, { name: names.admin, order: ADMIN_TIER_ORDER, defaultAction: 'Pass', role: 'admin', calicoPolicies: [] });
  byName.set('default', { name: 'default', order: DEFAULT_TIER_ORDER, defaultAction: 'Deny', role: 'default', calicoPolicies: [] });
  byName.set(names.baseline, { name: names.baseline, order: BASELINE_TIER_ORDER, defaultAction: 'Pass', role: 'baseline', calicoPolicies: [] });
  for (const t of model.calico.tiers) {
    if (!t.valid) continue;
    const known = byName.get(t.name);
    if (known) {
      known.order = t.order;
      known.defaultAction = t.defaultAction;
      known.tier = t;
    } else byName.set(t.name, { name: t.name, order: t.order, defaultAction: t.defaultAction, role: 'calico', calicoPolicies: [], tier: t });
  }
  for (const p of model.calico.policies) {
    if (!p.valid || p.staged) continue;
    let tier = byName.get(p.tier);
    // A tier the workspace does not declare: Calico would refuse the policy without it; read as a Deny tier, last.
    if (!tier) byName.set(p.tier, (tier = { name: p.tier, defaultAction: 'Deny', role: 'calico', calicoPolicies: [] }));
    tier.calicoPolicies.push(p);
  }
  return [...byName.values()].sort((a, b) => compareOrder(a.order, b.order) || compareNames(a.name, b.name));
}

function isWholeSpace(range: IpRange): boolean {
  return range.lo === 0n && (range.v6 ? range.hi === (1n << 128n) - 1n : range.hi === 0xffffffffn);
}

/** A workload's service account: the pod template's serviceAccountName (or the older serviceAccount), else "default". */
export function serviceAccountOf(w: Workload): string {
  let node: unknown = w.object.value;
  for (const k of [...w.templatePath, 'spec']) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
  const spec = node && typeof node === 'object' ? (node as Record<string, unknown>) : {};
  const name = spec.serviceAccountName ?? spec.serviceAccount;
  return typeof name === 'string' && name ? name : 'default';
}

/**
 * Evaluates Calico semantics for a model. `kubernetes(direction, w, peer, destination)` gives the Kubernetes
 * NetworkPolicies' result (isolating policies and each rule's allowed ports); cluster-wide policies come through
 * `clusterRules` and their matchers.
 */
export class CalicoEvaluator {
  readonly tiers: EvaluationTier[];
  readonly layout: TierLayout;
  private readonly labels = new Map<Workload, Record<string, string>>();
  private readonly namespaceLabelCache = new Map<string, Record<string, string>>();
  private readonly serviceAccountLabels = new Map<string, Record<string, string>>();
  private readonly selecting = { ingress: new Map<Workload, CalicoPolicy[]>(), egress: new Map<Workload, CalicoPolicy[]>() };
  private readonly networkSets: CalicoNetworkSet[];
  /**
   * Whether a Calico policy of the default tier has order 1000, the Kubernetes NetworkPolicies' order: it then sorts
   * among them by name, so the NetworkPolicies do not decide as one block.
   */
  readonly networkPoliciesInterleaved: boolean;

  constructor(
    readonly model: Model,
    private readonly hooks: {
      kubernetes(direction: Direction, w: Workload, peer: Endpoint, destination: Endpoint): { policies: NetworkPolicy[]; contributions: { policy: NetworkPolicy; ports: PortSet }[] };
      clusterRules(w: Workload, direction: Direction): { policies: ClusterPolicy[]; rules: { policy: ClusterPolicy; rule: ClusterRule }[] };
      clusterPeerMatches(peer: ClusterPeer, e: Endpoint): boolean;
      clusterRulePorts(rule: ClusterRule, destination: Endpoint): PortSet;
    },
    layout?: TierLayout,
  ) {
    this.layout = detectTierLayout(model, layout);
    this.tiers = evaluationTiers(model, this.layout);
    this.networkSets = model.calico.networkSets.filter((s) => s.valid);
    this.networkPoliciesInterleaved = this.tiers.some((t) => t.role === 'default' && t.calicoPolicies.some((p) => p.order === KUBERNETES_POLICY_ORDER));
    for (const o of model.objects) {
      if (o.kind !== 'ServiceAccount' || !o.name) continue;
      const meta = o.value.metadata as Record<string, unknown> | undefined;
      const labels = meta && typeof meta.labels === 'object' && meta.labels ? (meta.labels as Record<string, string>) : {};
      this.serviceAccountLabels.set(`${o.namespace ?? model.defaultNamespace}/${o.name}`, labels);
    }
  }

  /** Whether Calico semantics apply: the model holds a valid, enforced Calico policy. */
  static applies(model: Model): boolean {
    return model.calico.policies.some((p) => p.valid && !p.staged);
  }

  namespaceLabels(namespace: string): Record<string, string> {
    let labels = this.namespaceLabelCache.get(namespace);
    if (!labels) {
      const ns = this.model.namespaces.get(namespace);
      labels = calicoNamespaceLabels(namespace, ns?.labels ?? { 'kubernetes.io/metadata.name': namespace });
      this.namespaceLabelCache.set(namespace, labels);
    }
    return labels;
  }

  /** The labels Calico gives the workload's endpoints (its pod labels and the implicit ones). */
  endpointLabels(w: Workload): Record<string, string> {
    let labels = this.labels.get(w);
    if (!labels) {
      const sa = serviceAccountOf(w);
      const ns = this.model.namespaces.get(w.namespace);
      labels = calicoEndpointLabels(w.podLabels, w.namespace, ns?.labels ?? { 'kubernetes.io/metadata.name': w.namespace }, sa, this.serviceAccountLabels.get(`${w.namespace}/${sa}`) ?? {});
      this.labels.set(w, labels);
    }
    return labels;
  }

  private networkSetLabels(set: CalicoNetworkSet): Record<string, string> {
    if (!set.namespace) return set.labels;
    const out: Record<string, string> = {};
    const nsLabels = this.namespaceLabels(set.namespace);
    for (const k of Object.keys(nsLabels)) out[`pcns.${k}`] = nsLabels[k];
    Object.assign(out, set.labels);
    out[CALICO_NAMESPACE_LABEL] = set.namespace;
    return out;
  }

  /** Whether a policy selects the workload's endpoint (selector, namespace, service account; host-network pods never). */
  selects(policy: CalicoPolicy, w: Workload): boolean {
    if (w.hostNetwork || !policy.selector.selector) return false;
    if (policy.namespace !== undefined && policy.namespace !== w.namespace) return false;
    const labels = this.endpointLabels(w);
    if (!matchesCalicoSelector(policy.selector.selector, labels)) return false;
    if (policy.namespaceSelector?.selector && !matchesCalicoSelector(policy.namespaceSelector.selector, this.namespaceLabels(w.namespace))) return false;
    if (policy.serviceAccountSelector?.selector && !matchesCalicoSelector(policy.serviceAccountSelector.selector, this.serviceAccountSelectorLabels(w))) return false;
    return true;
  }

  private serviceAccountSelectorLabels(w: Workload): Record<string, string> {
    const sa = serviceAccountOf(w);
    return { ...(this.serviceAccountLabels.get(`${w.namespace}/${sa}`) ?? {}), 'projectcalico.org/name': sa };
  }

  /** The enforced Calico policies that select the workload with the direction in their types. */
  selectingPolicies(w: Workload, direction: Direction): CalicoPolicy[] {
    let list = this.selecting[direction].get(w);
    if (!list) {
      // doNotTrack and preDNAT policies apply to host endpoints only (Calico docs: globalnetworkpolicy.mdx).
      list = this.model.calico.policies.filter((p) => p.valid && !p.staged && p.types[direction] && !p.unanalysed.includes('doNotTrack') && !p.unanalysed.includes('preDNAT') && this.selects(p, w));
      this.selecting[direction].set(w, list);
    }
    return list;
  }

  /** Whether a selector (with the entity's scoping) matches a known endpoint's labels. */
  private entityMatchesLabels(entity: CalicoEntity, policy: CalicoPolicy, labels: Record<string, string>, namespace: string | undefined): boolean {
    const scoped = entity.selector !== undefined || entity.notSelector !== undefined || entity.serviceAccounts !== undefined || entity.namespaceSelector !== undefined;
    if (!scoped) return true;
    if (entity.namespaceSelector) {
      const sel = entity.namespaceSelector.selector;
      if (!sel) return false;
      // global() alone selects endpoints outside namespaces (GlobalNetworkSets); namespaced ones by their namespace's labels.
      if (namespace === undefined) {
        if (sel.type !== 'global' && !matchesCalicoSelector(sel, {})) return false;
      } else if (sel.type === 'global' || !matchesCalicoSelector(sel, this.namespaceLabels(namespace))) return false;
    } else if (policy.namespace !== undefined && namespace !== policy.namespace) return false;
    if (entity.selector && (!entity.selector.selector || !matchesCalicoSelector(entity.selector.selector, labels))) return false;
    if (entity.notSelector?.selector && matchesCalicoSelector(entity.notSelector.selector, labels)) return false;
    return true;
  }

  /** Whether an entity (source or destination of a rule) matches an endpoint. */
  entityMatches(entity: CalicoEntity, policy: CalicoPolicy, e: Endpoint): boolean {
    const selectorSet = entity.selector !== undefined || entity.serviceAccounts !== undefined || entity.namespaceSelector !== undefined || (entity.notSelector !== undefined && policy.namespace !== undefined);
    if (e.type === 'workload') {
      const w = e.workload;
      // Nets match pods by their IPs: 0.0.0.0/0 holds every pod; a narrower net the pods whose known IP
      // (status.podIP) it holds; pods without a known IP are assumed outside it (the verdict is marked uncertain).
      const holds = (n: { range: IpRange }) => isWholeSpace(n.range) || w.podIps.some((ip) => contains(n.range, ip));
      if (entity.nets && !entity.nets.some(holds)) return false;
      if (entity.notNets?.some(holds)) return false;
      if (entity.services) {
        const service = this.model.services.find((s) => s.name === entity.services!.name && s.namespace === (entity.services!.namespace ?? policy.namespace ?? this.model.defaultNamespace));
        if (!service?.selector || w.namespace !== service.namespace) return false;
        for (const k of Object.keys(service.selector)) if (w.podLabels[k] !== service.selector[k]) return false;
      }
      if (entity.serviceAccounts) {
        const sa = serviceAccountOf(w);
        if (entity.serviceAccounts.names && !entity.serviceAccounts.names.includes(sa)) return false;
        const sel = entity.serviceAccounts.selector;
        if (sel && (!sel.selector || !matchesCalicoSelector(sel.selector, this.serviceAccountSelectorLabels(w)))) return false;
      }
      return this.entityMatchesLabels(entity, policy, this.endpointLabels(w), w.namespace);
    }
    // An address range: inside the nets, outside the notNets; selectors match it through the network sets holding it.
    const range = e.range;
    if (entity.nets && !entity.nets.some((n) => contains(n.range, range))) return false;
    if (entity.notNets?.some((n) => overlaps(n.range, range))) return false;
    if (entity.services || entity.serviceAccounts) return false;
    const sets = this.networkSets.filter((s) => s.nets.some((n) => contains(n.range, range)));
    if (!selectorSet && !(entity.notSelector && sets.length > 0)) return true;
    if (!selectorSet) {
      // Only a notSelector (global policy): every address except those of network sets it matches.
      return !sets.some((s) => entity.notSelector!.selector && matchesCalicoSelector(entity.notSelector!.selector, this.networkSetLabels(s)));
    }
    return sets.some((s) => this.entityMatchesLabels(entity, policy, this.networkSetLabels(s), s.namespace));
  }

  /** The ports of the verdict space a rule covers toward `destination` (named ports resolved there). */
  rulePorts(rule: CalicoRule, destination: Endpoint): PortSet {
    if (rule.icmp) return PortSet.NONE;
    let set = PortSet.ALL;
    if (rule.protocol) set = rule.protocol.protocol ? PortSet.of(rule.protocol.protocol) : PortSet.NONE;
    if (rule.notProtocol?.protocol) set = set.subtract(PortSet.of(rule.notProtocol.protocol));
    const ports = rule.destination.ports;
    const protocols: Protocol[] = rule.protocol?.protocol ? [rule.protocol.protocol] : ['TCP', 'UDP', 'SCTP'];
    const portSet = (list: CalicoPort[]): PortSet => {
      let out = PortSet.NONE;
      for (const p of list) {
        if (p.type === 'range') {
          const lo = Math.max(1, p.from);
          if (p.to >= lo) for (const protocol of protocols) out = out.union(PortSet.of(protocol, lo, p.to));
        } else if (destination.type === 'workload') {
          for (const cp of destination.workload.containerPorts) if (cp.name === p.name && protocols.includes(cp.protocol)) out = out.union(PortSet.of(cp.protocol, cp.containerPort, cp.containerPort));
        }
      }
      return out;
    };
    if (ports) set = set.intersect(portSet(ports));
    if (rule.destination.notPorts) set = set.subtract(portSet(rule.destination.notPorts));
    return set;
  }

  /** Whether a rule's source and destination match the connection; `subject` is the workload whose policy it is. */
  ruleMatches(rule: CalicoRule, policy: CalicoPolicy, direction: Direction, subject: Workload, peer: Endpoint): { matches: boolean; uncertain: boolean } {
    const self: Endpoint = { type: 'workload', workload: subject };
    const source = direction === 'ingress' ? peer : self;
    const destination = direction === 'ingress' ? self : peer;
    let uncertain = rule.unanalysed.length > 0;
    // Source ports are not part of the verdict space: such a rule matches only some connections.
    if (rule.source.ports || rule.source.notPorts) return { matches: false, uncertain: true };
    if (rule.ipVersion !== undefined) {
      const v6 = rule.ipVersion === 6;
      for (const e of [source, destination]) {
        if (e.type === 'ip' && e.range.v6 !== v6) return { matches: false, uncertain };
        if (e.type === 'workload') uncertain = true;
      }
      if (v6 && (source.type === 'workload' || destination.type === 'workload')) return { matches: false, uncertain: true };
    }
    const matches = this.entityMatches(rule.source, policy, source) && this.entityMatches(rule.destination, policy, destination);
    // Nets narrower than everything match pods by their IPs, which manifests do not give: assumed outside, uncertain.
    for (const [entity, e] of [[rule.source, source], [rule.destination, destination]] as const) {
      if (e.type === 'workload' && e.workload.podIps.length === 0 && [...(entity.nets ?? []), ...(entity.notNets ?? [])].some((n) => !isWholeSpace(n.range))) uncertain = true;
    }
    return { matches, uncertain };
  }

  /** One direction at workload `subject` toward or from `peer` (`destination` is the side named ports resolve on). */
  direction(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): CalicoDirectionResult {
    // Peers that every rule of the subject treats alike share one result: the key is which rules' peer sides match
    // the peer, the Kubernetes NetworkPolicies' result, and (toward it) the peer's named ports.
    if (peer.type !== 'workload' || this.model.workloads[peer.workload.id] !== peer.workload || this.model.workloads[subject.id] !== subject) {
      return this.evaluate(direction, subject, peer, destination);
    }
    const kubernetes = this.hooks.kubernetes(direction, subject, peer, destination);
    let kubernetesId = this.resultIds.get(kubernetes);
    if (kubernetesId === undefined) this.resultIds.set(kubernetes, (kubernetesId = this.nextId++));
    let key = `${kubernetesId}:`;
    for (const policy of this.selectingPolicies(subject, direction)) {
      for (const rule of policy[direction]) key += this.peerSideMatches(rule, policy, direction, peer.workload) ? '1' : '0';
    }
    if (!subject.hostNetwork) {
      for (const { rule } of this.hooks.clusterRules(subject, direction).rules) key += rule.peers.some((spec) => this.hooks.clusterPeerMatches(spec, peer)) ? '1' : '0';
    }
    if (direction === 'egress') key += `:${this.namedPortsKey(peer.workload)}`;
    const cache = this.results[direction];
    let bySubject = cache.get(subject);
    if (!bySubject) cache.set(subject, (bySubject = new Map()));
    let result = bySubject.get(key);
    if (!result) bySubject.set(key, (result = this.evaluate(direction, subject, peer, destination)));
    return result;
  }

  private readonly namedPortKeys = new Map<Workload, string>();

  private namedPortsKey(w: Workload): string {
    let key = this.namedPortKeys.get(w);
    if (key === undefined) this.namedPortKeys.set(w, (key = w.containerPorts.filter((p) => p.name).map((p) => `${p.name}/${p.protocol}/${p.containerPort}`).join(',')));
    return key;
  }

  private readonly results = { ingress: new Map<Workload, Map<string, CalicoDirectionResult>>(), egress: new Map<Workload, Map<string, CalicoDirectionResult>>() };
  private readonly resultIds = new WeakMap<object, number>();
  private nextId = 0;
  /** Whether a rule's peer-side entity matches each workload, by workload id (1 yes, 2 no, 0 not known yet). */
  private readonly peerSideTable = new Map<CalicoRule, Uint8Array>();

  /** Whether the side of a rule that is the peer (ingress: source, egress: destination) matches `w`, one of the model's workloads. */
  peerSideMatches(rule: CalicoRule, policy: CalicoPolicy, direction: Direction, w: Workload): boolean {
    let table = this.peerSideTable.get(rule);
    if (!table) this.peerSideTable.set(rule, (table = new Uint8Array(this.model.workloads.length)));
    if (table[w.id] === 0) table[w.id] = this.entityMatches(direction === 'ingress' ? rule.source : rule.destination, policy, { type: 'workload', workload: w }) ? 1 : 2;
    return table[w.id] === 1;
  }

  /** Whether the side of a rule that is the subject's own endpoint (ingress: destination, egress: source) matches `w`. */
  ownSideMatches(rule: CalicoRule, policy: CalicoPolicy, direction: Direction, w: Workload): boolean {
    let table = this.ownSideTable.get(rule);
    if (!table) this.ownSideTable.set(rule, (table = new Uint8Array(this.model.workloads.length)));
    if (this.model.workloads[w.id] !== w) return this.entityMatches(direction === 'ingress' ? rule.destination : rule.source, policy, { type: 'workload', workload: w });
    if (table[w.id] === 0) table[w.id] = this.entityMatches(direction === 'ingress' ? rule.destination : rule.source, policy, { type: 'workload', workload: w }) ? 1 : 2;
    return table[w.id] === 1;
  }

  private readonly ownSideTable = new Map<CalicoRule, Uint8Array>();

  private evaluate(direction: Direction, subject: Workload, peer: Endpoint, destination: Endpoint): CalicoDirectionResult {
    const decisions: CalicoDecision[] = [];
    let undecided = PortSet.ALL;
    let allowed = PortSet.NONE;
    let isolated = false;
    let uncertain = false;
    const calicoSelecting = new Set(this.selectingPolicies(subject, direction));
    const kubernetes = this.hooks.kubernetes(direction, subject, peer, destination);
    const cluster = subject.hostNetwork ? { policies: [], rules: [] } : this.hooks.clusterRules(subject, direction);
    for (const tier of this.tiers) {
      if (undecided.isEmpty()) break;
      const policies: TieredPolicy[] = [];
      for (const p of tier.calicoPolicies) if (calicoSelecting.has(p)) policies.push({ type: 'calico', policy: p, name: p.name, order: p.order });
      if (tier.role === 'default') for (const p of kubernetes.policies) policies.push({ type: 'kubernetes', policy: p, name: p.name, order: KUBERNETES_POLICY_ORDER });
      if (tier.role === 'admin' || tier.role === 'baseline') {
        const wanted = tier.role === 'admin' ? 'Admin' : 'Baseline';
        for (const p of cluster.policies) if (p.tier === wanted) policies.push({ type: 'cluster', policy: p, name: p.name, order: p.priority });
      }
      if (policies.length === 0) continue;
      isolated = true;
      policies.sort(compareTieredPolicies);
      let passed = PortSet.NONE;
      const decide = (policy: TieredPolicy, ruleIndex: number | undefined, action: 'allow' | 'deny' | 'pass', ports: PortSet) => {
        ports = ports.intersect(undecided);
        if (ports.isEmpty()) return;
        decisions.push({ tier: tier.name, policy, ruleIndex, action, ports });
        if (action === 'allow') allowed = allowed.union(ports);
        else if (action === 'pass') passed = passed.union(ports);
        undecided = undecided.subtract(ports);
      };
      for (const tp of policies) {
        if (undecided.isEmpty()) break;
        if (tp.type === 'calico') {
          for (const rule of tp.policy[direction]) {
            if (rule.action === 'log') continue;
            const m = this.ruleMatches(rule, tp.policy, direction, subject, peer);
            if (m.uncertain) uncertain = true;
            if (!m.matches) continue;
            decide(tp, rule.index, rule.action, this.rulePorts(rule, destination));
            if (undecided.isEmpty()) break;
          }
        } else if (tp.type === 'kubernetes') {
          let ports = PortSet.NONE;
          for (const c of kubernetes.contributions) if (c.policy === tp.policy) ports = ports.union(c.ports);
          decide(tp, undefined, 'allow', ports);
        } else {
          for (const { policy, rule } of cluster.rules) {
            if (policy !== tp.policy || !rule.peers.some((spec) => this.hooks.clusterPeerMatches(spec, peer))) continue;
            decide(tp, rule.index, rule.action, this.hooks.clusterRulePorts(rule, destination));
            if (undecided.isEmpty()) break;
          }
        }
      }
      // The tier's end: its default action for what no rule decided; passed ports go on to the next tier.
      if (tier.defaultAction === 'Deny' && !undecided.isEmpty()) {
        decisions.push({ tier: tier.name, action: 'tier-default-deny', ports: undecided });
        undecided = PortSet.NONE;
      }
      undecided = undecided.union(passed);
    }
    if (!undecided.isEmpty()) {
      decisions.push({ tier: 'profile', action: 'profile-allow', ports: undecided });
      allowed = allowed.union(undecided);
    }
    return { allowed, isolated, decisions, uncertain };
  }
}

/** `GlobalNetworkPolicy default-deny (tier default, order 100), ingress rule 2: Deny` and the like. */
export function describeCalicoDecision(d: CalicoDecision, direction: Direction): string {
  if (d.action === 'tier-default-deny') return `end of tier ${d.tier}: no rule matched, the tier's default action denies`;
  if (d.action === 'profile-allow') return 'no tier decided: the namespace profile allows';
  const p = d.policy!;
  const kind = p.type === 'calico' ? `Calico ${p.policy.kind}` : p.type === 'kubernetes' ? 'NetworkPolicy (Kubernetes)' : p.policy.kind;
  const ns = p.type === 'calico' ? (p.policy.namespace ? `${p.policy.namespace}/` : '') : p.type === 'kubernetes' ? `${p.policy.namespace}/` : '';
  const order = p.order === undefined ? 'no order' : `order ${p.order}`;
  const rule = d.ruleIndex === undefined ? 'a rule' : `${direction} rule ${d.ruleIndex + 1}`;
  const action = d.action === 'allow' ? 'Allow' : d.action === 'deny' ? 'Deny' : 'Pass';
  return `tier ${d.tier} → ${kind} ${ns}${p.name} (${order}) → ${rule}: ${action}`;
}

export type { CalicoSelector };
