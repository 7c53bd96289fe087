// Hovers: what a selector matches, what a policy does, who may reach a workload, what a port resolves to.
// Every answer reads the prepared index (featureIndex) and the Analysis caches.
import { describeUncertainty, uncertaintyBetween } from '../not-analysed';
import { distance } from 'fastest-levenshtein';
import { ipEndpoint, workloadEndpoint, type Endpoint } from '../evaluate';
import type { ContainerPort, Namespace, Service, Workload } from '../model';
import type { Direction, NetworkPolicy, PodPeer, PolicyRule, PortSpec } from '../policy';
import { PortSet } from '../portset';
import { formatSelector, matchesSelector, type LabelSelector, type SelectorRequirement } from '../selectors';
import type { ParsedFile } from '../parse';
import type { Labels, OffsetRange } from '../types';
import type { Workspace } from '../workspace';
import { connectivityTestHover, isConnectivityTestFile } from '../assertions/editor';
import { locate, pathStartsWith, type Cursor } from './cursor';
import { describePeer, describePolicy, describePorts, describeRule } from './describe';
import { featureIndex, type LabelStats, type ScopeIndex } from './index';
import type { ReachSide } from './reach';
import { cappedInline, cappedInlineOf, cappedList, code, escapeInline, LIST_CAP, plural, policyLink, workloadLink } from './markdown';
import { compareText } from '../order';
import type { ClusterPolicy } from '../cluster-policy';
import { selectedWorkloads } from '../rules/cluster-common';
import { comparePolicies } from '../tiers';
import type { CalicoEntity, CalicoPolicy } from '../calico-policy';
import { compareTieredPolicies, type TieredPolicy } from '../calico-evaluate';
import { ciliumHover, ciliumPolicyOf } from './cilium-hover';

export interface HoverResult {
  markdown: string;
  range: OffsetRange;
}

/** What a cursor in a policy points at, as the features see it. */
export type PolicyTarget =
  | { type: 'name' }
  | { type: 'podSelector' }
  | { type: 'peer'; rule: PolicyRule; peer: PodPeer; part: 'podSelector' | 'namespaceSelector' }
  | { type: 'port'; rule: PolicyRule; port: PortSpec }
  | { type: 'rule'; rule: PolicyRule }
  | { type: 'policyTypes' }
  | { type: 'other' };

export function policyTarget(policy: NetworkPolicy, cursor: Cursor): PolicyTarget {
  const path = cursor.path;
  if (pathStartsWith(path, ['metadata', 'name'])) return { type: 'name' };
  if (pathStartsWith(path, ['spec', 'podSelector'])) return { type: 'podSelector' };
  if (pathStartsWith(path, ['spec', 'policyTypes'])) return { type: 'policyTypes' };
  const direction = path[1];
  if (path[0] !== 'spec' || (direction !== 'ingress' && direction !== 'egress') || typeof path[2] !== 'number') return { type: 'other' };
  const rule = policy[direction].find((r) => r.index === path[2]);
  if (!rule) return { type: 'other' };
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  if (path[3] === peerKey && typeof path[4] === 'number' && (path[5] === 'podSelector' || path[5] === 'namespaceSelector')) {
    const peer = rule.peers?.find((p) => p.index === path[4]);
    if (peer?.type === 'pods') return { type: 'peer', rule, peer, part: path[5] };
  }
  // On a peer itself (between its keys): the peer when it selects pods, else its rule (ipBlock addresses).
  if (path.length === 5 && path[3] === peerKey && typeof path[4] === 'number') {
    const peer = rule.peers?.find((p) => p.index === path[4]);
    if (peer?.type === 'pods') return { type: 'peer', rule, peer, part: peer.podSelector ? 'podSelector' : 'namespaceSelector' };
    return { type: 'rule', rule };
  }
  if (path[3] === 'ports' && typeof path[4] === 'number' && (path[5] === 'port' || path[5] === 'endPort' || path[5] === 'protocol')) {
    const port = rule.ports?.find((p) => p.index === path[4]);
    if (port) return { type: 'port', rule, port };
  }
  // The rule itself: its `-`, or its `from`/`to`/`ports` key.
  if (path.length === 3 || (path.length === 4 && cursor.onKey && (path[3] === peerKey || path[3] === 'ports'))) return { type: 'rule', rule };
  return { type: 'other' };
}

/** Whether the cursor is on a workload's identity: its name or the labels of it or its pods. */
export function onWorkloadIdentity(workload: Workload, cursor: Cursor): boolean {
  const path = cursor.path;
  return (
    pathStartsWith(path, ['metadata', 'name']) ||
    pathStartsWith(path, ['metadata', 'labels']) ||
    pathStartsWith(path, [...workload.templatePath, 'metadata', 'labels']) ||
    // The controller's own selector (spec.selector) picks the same pods.
    (workload.templatePath.length > 0 && pathStartsWith(path, [...workload.templatePath.slice(0, -1), 'selector'])) ||
    (path.length === 1 && path[0] === 'kind')
  );
}

export function hover(workspace: Workspace, uri: string, offset: number): HoverResult | undefined {
  const file = workspace.getFile(uri);
  if (!file) return undefined;
  // Connectivity tests (kind: ConnectivityTest) have hovers of their own.
  const testHover = isConnectivityTestFile(file) ? connectivityTestHover(workspace, uri, offset) : undefined;
  if (testHover) return testHover;
  const result = objectHover(workspace, file, offset);
  // With several scopes (clusters) in the workspace, say which one answered.
  const index = featureIndex(workspace);
  const scope = index.scopeFor(uri);
  if (result && scope && index.scopes().length > 1) return { ...result, markdown: `${result.markdown}\n\n_Scope ${code(scope.scope.name)}_` };
  return result;
}

function objectHover(workspace: Workspace, file: ParsedFile, offset: number): HoverResult | undefined {
  const uri = file.uri;
  const cursor = locate(file, offset);
  if (!cursor.object) return undefined;
  const index = featureIndex(workspace).scopeFor(uri);
  if (!index) return undefined;
  // Off any scalar (inside `{}`, say) the innermost node is what the hover is about.
  const range = cursor.range ?? cursor.nodeRange;
  if (!range) return undefined;
  const policy = index.policyFor(cursor.object);
  if (policy) {
    const target = policyTarget(policy, cursor);
    switch (target.type) {
      case 'name':
        return { markdown: policyHover(workspace, index, policy), range };
      case 'podSelector':
        return { markdown: podSelectorHover(workspace, index, policy), range };
      case 'peer':
        return { markdown: peerHover(workspace, index, policy, target.rule, target.peer), range };
      case 'port':
        return { markdown: portHover(workspace, index, policy, target.rule, target.port), range };
      case 'rule':
        return { markdown: ruleHover(workspace, index, policy, target.rule), range };
      case 'policyTypes':
        return { markdown: policyTypesHover(policy), range };
      default:
        return undefined;
    }
  }
  const clusterPolicy = index.model.clusterPolicies.find((p) => p.object === cursor.object);
  if (clusterPolicy && ['metadata', 'spec'].some((k) => pathStartsWith(cursor.path, [k])) && !pathStartsWith(cursor.path, ['spec', 'ingress']) && !pathStartsWith(cursor.path, ['spec', 'egress'])) {
    return { markdown: clusterPolicyHover(workspace, index, clusterPolicy), range };
  }
  const calicoPolicy = index.model.calico.policies.find((p) => p.object === cursor.object);
  if (calicoPolicy) {
    const markdown = calicoHover(workspace, index, calicoPolicy, cursor.path);
    if (markdown) return { markdown, range };
  }
  const ciliumPolicy = ciliumPolicyOf(index, cursor.object);
  if (ciliumPolicy) {
    const markdown = ciliumHover(workspace, index, ciliumPolicy, cursor.path);
    if (markdown) return { markdown, range };
  }
  const kind = cursor.object.kind;
  if (kind === 'Namespace' && pathStartsWith(cursor.path, ['metadata', 'name'])) {
    const namespace = index.model.namespaces.get(cursor.object.name);
    if (namespace) return { markdown: namespaceHover(workspace, index, namespace.name), range };
  }
  if (kind === 'Service' && pathStartsWith(cursor.path, ['spec', 'selector'])) {
    const service = index.model.services.find((svc) => svc.object === cursor.object);
    if (service) return { markdown: serviceSelectorHover(workspace, index, service), range };
  }
  const workload = index.workloadFor(cursor.object);
  if (workload && onWorkloadIdentity(workload, cursor)) {
    return { markdown: workloadHover(workspace, index, workload, cursor.object !== workload.object), range };
  }
  return undefined;
}

// ---- policies -------------------------------------------------------------------------------------------------

function policyHover(workspace: Workspace, index: ScopeIndex, policy: NetworkPolicy): string {
  // Descriptions quote names and labels from the workspace: escaped, so they read as text in the markdown.
  const lines = [`**NetworkPolicy ${escapeInline(`${policy.namespace}/${policy.name}`)}**`, '', escapeInline(describePolicy(policy, index))];
  const selected = index.selectedBy(policy);
  if (selected.length > 0) {
    lines.push('', `Selected pods (${selected.length}):`, ...cappedList(selected, (w) => podEntry(workspace, w)));
  }
  return lines.join('\n');
}

/** A cluster-wide policy: its tier and priority, where it stands in the evaluation order, and the pods it selects. */
function clusterPolicyHover(workspace: Workspace, index: ScopeIndex, policy: ClusterPolicy): string {
  const lines = [`**${policy.kind} ${escapeInline(policy.name)}**`, ''];
  if (!policy.valid) {
    lines.push('Its CRD rejects this object, so in a cluster it does nothing; the analysis leaves it out.');
    return lines.join('\n');
  }
  const priority = policy.kind === 'BaselineAdminNetworkPolicy' ? '' : `, priority ${policy.priority}`;
  const order =
    policy.tier === 'Admin'
      ? 'Evaluated before every NetworkPolicy: its Allow and Deny are final; Pass hands the traffic on to the NetworkPolicies.'
      : 'Evaluated after the NetworkPolicies, only for pods that no NetworkPolicy isolates in that direction; then the default allows.';
  lines.push(`${policy.tier} tier${priority}. ${order}`);
  const sameTier = index.model.clusterPolicies.filter((p) => p.valid && p.tier === policy.tier).sort(comparePolicies);
  if (sameTier.length > 1) {
    lines.push('', `Order in the ${policy.tier} tier (lower priority first):`, ...cappedList(sameTier, (p) => `${p === policy ? '**' : ''}${escapeInline(`${p.kind} ${p.name}`)}${p.kind === 'BaselineAdminNetworkPolicy' ? '' : ` (${p.priority})`}${p === policy ? '**' : ''}`));
  }
  const selected = selectedWorkloads(index.model, policy.subject);
  lines.push('', selected.length > 0 ? `Selected pods (${selected.length}; host-network pods are never subjects):` : 'Selects no pod in this workspace.');
  if (selected.length > 0) lines.push(...cappedList(selected, (w) => podEntry(workspace, w)));
  return lines.join('\n');
}

/**
 * A Calico policy: on a rule's source or destination, the pods and network sets it matches; elsewhere its tier and
 * order, its place in the tier's evaluation order, and the pods it selects.
 */
function calicoHover(workspace: Workspace, index: ScopeIndex, policy: CalicoPolicy, path: readonly (string | number)[]): string | undefined {
  const calico = index.analysis.calico;
  const title = `**${policy.kind} ${escapeInline(`${policy.namespace ? `${policy.namespace}/` : ''}${policy.name}`)}**`;
  if (!policy.valid) return [title, '', 'Calico rejects this object, so in a cluster it does nothing; the analysis leaves it out.'].join('\n');
  if (policy.staged) return [title, '', 'Staged: Calico never enforces it; the analysis leaves it out.'].join('\n');
  if (!calico) return undefined;
  const direction = path[1] === 'ingress' || path[1] === 'egress' ? path[1] : undefined;
  if (direction !== undefined && typeof path[2] === 'number' && (path[3] === 'source' || path[3] === 'destination')) {
    const rule = policy[direction].find((r) => r.index === path[2]);
    if (!rule) return undefined;
    const entity: CalicoEntity = rule[path[3]];
    const pods = index.model.workloads.filter((w) => !w.assumed && calico.entityMatches(entity, policy, workloadEndpoint(w)));
    const sets = index.model.calico.networkSets.filter((s) => s.valid && s.nets.some((n) => calico.entityMatches(entity, policy, ipEndpoint(n.range))));
    const lines = [title, '', `${direction} rule ${rule.index + 1}, ${path[3]}: matches ${pods.length} pod${pods.length === 1 ? '' : 's'}${sets.length ? ` and ${sets.length} network set${sets.length === 1 ? '' : 's'}` : ''}.`];
    if (pods.length) lines.push('', ...cappedList(pods, (w) => podEntry(workspace, w)));
    if (sets.length) lines.push('', ...cappedList(sets, (s) => escapeInline(`${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}: ${s.nets.map((n) => n.text).join(', ')}`)));
    return lines.join('\n');
  }
  if (direction !== undefined) return undefined;
  const tier = calico.tiers.find((t) => t.name === policy.tier);
  const lines = [title, ''];
  lines.push(`Tier ${escapeInline(policy.tier)}${tier?.order === undefined ? '' : ` (order ${tier.order})`}, ending in ${tier?.defaultAction ?? 'Deny'}; policy order ${policy.order ?? 'none (after every ordered policy)'}. Rules run in order: Allow and Deny are final, Log continues, Pass goes to the next tier.`);
  if (tier) {
    const entries: TieredPolicy[] = tier.calicoPolicies.map((p) => ({ type: 'calico', policy: p, name: p.name, order: p.order }));
    if (tier.role === 'default') for (const p of index.model.policies) if (p.valid) entries.push({ type: 'kubernetes', policy: p, name: p.name, order: 1000 });
    entries.sort(compareTieredPolicies);
    if (entries.length > 1) {
      lines.push('', `Order in tier ${escapeInline(tier.name)} (order, then name):`, ...cappedList(entries, (e) => `${e.policy === policy ? '**' : ''}${escapeInline(`${e.type === 'kubernetes' ? 'NetworkPolicy (Kubernetes)' : e.policy.kind} ${e.name}`)} (${e.order ?? 'no order'})${e.policy === policy ? '**' : ''}`));
    }
  }
  const selected = index.model.workloads.filter((w) => !w.assumed && calico.selects(policy, w));
  lines.push('', selected.length > 0 ? `Selected pods (${selected.length}):` : 'Selects no pod in this workspace.');
  if (selected.length > 0) lines.push(...cappedList(selected, (w) => podEntry(workspace, w)));
  return lines.join('\n');
}

function podEntry(workspace: Workspace, w: Workload): string {
  return `${workloadLink(workspace, w)} · ${w.kind}`;
}

/** Selectors are shown up to this many characters: one of 5,000 labels would make a hover of hundreds of KB. */
const SELECTOR_TEXT_CAP = 300;

function cappedSelector(selector: LabelSelector): string {
  const text = formatSelector(selector);
  return text.length <= SELECTOR_TEXT_CAP ? text : `${text.slice(0, SELECTOR_TEXT_CAP)}… (${selector.requirements.length} requirements)`;
}

function selectorText(selector: LabelSelector): string {
  return selector.requirements.length === 0 ? '{} (every pod)' : cappedSelector(selector);
}

function podSelectorHover(workspace: Workspace, index: ScopeIndex, policy: NetworkPolicy): string {
  const selected = index.selectedBy(policy);
  const candidates = index.workloadsIn(policy.namespace);
  const lines = [`**spec.podSelector** ${code(selectorText(policy.podSelector))}`, ''];
  if (policy.supersededBy) lines.push('A later definition of the same namespace/name replaces this policy when the files are applied, so in a cluster it selects nothing.', '');
  else if (!policy.valid) lines.push('The API server rejects this policy, so in a cluster it selects nothing.', '');
  if (selected.length > 0) {
    lines.push(`Selects ${plural(selected.length, 'pod')} in ${code(policy.namespace)}:`, ...cappedList(selected, (w) => podEntry(workspace, w)));
  } else {
    lines.push(...noPodsMatch(workspace, index, policy.podSelector, candidates, policy.namespace, true));
  }
  return lines.join('\n');
}

function peerHover(workspace: Workspace, index: ScopeIndex, policy: NetworkPolicy, rule: PolicyRule, peer: PodPeer): string {
  const toward = rule.direction === 'ingress' ? 'from' : 'to';
  const lines = [`**${rule.direction} rule ${rule.index + 1}, ${toward} peer ${peer.index + 1}**: ${escapeInline(describePeer(peer, policy.namespace))}`, ''];
  const namespaces = index.peerNamespaces(policy, peer);
  if (peer.namespaceSelector) {
    if (namespaces.length === 0) {
      lines.push(...noNamespacesMatch(index, peer.namespaceSelector));
      return lines.join('\n');
    }
    lines.push(`Namespaces (${namespaces.length}): ${cappedInlineOf(namespaces, (ns) => code(ns.name), LIST_CAP)}`, '');
  }
  const matched = index.peerWorkloads(policy, peer);
  if (matched.length > 0) {
    lines.push(`Matches ${plural(matched.length, 'pod')}:`, ...cappedList(matched, (w) => podEntry(workspace, w)));
  } else {
    const candidates = namespaces.flatMap((ns) => index.workloadsIn(ns.name));
    const where = peer.namespaceSelector ? `the selected ${namespaces.length === 1 ? 'namespace' : 'namespaces'}` : policy.namespace;
    lines.push(...noPodsMatch(workspace, index, peer.podSelector ?? { requirements: [], matchLabels: {}, problems: [] }, candidates, where, !peer.namespaceSelector));
  }
  return lines.join('\n');
}

function ruleHover(workspace: Workspace, index: ScopeIndex, policy: NetworkPolicy, rule: PolicyRule): string {
  const lines = [`**${rule.direction} rule ${rule.index + 1}** of ${escapeInline(`${policy.namespace}/${policy.name}`)}`, '', escapeInline(describeRule(rule, policy.namespace, index, policy))];
  if (!policy.types[rule.direction]) {
    lines.push('', `This rule is ignored: policyTypes leaves out ${rule.direction === 'ingress' ? 'Ingress' : 'Egress'}.`);
  }
  const verb = rule.direction === 'ingress' ? 'Admits' : 'Reaches';
  if (!rule.peers) {
    lines.push('', `${verb} every pod of every namespace and every address outside the cluster.`);
    return lines.join('\n');
  }
  const pods = new Set<Workload>();
  for (const peer of rule.peers) for (const w of index.peerWorkloads(policy, peer)) pods.add(w);
  const blocks = rule.peers.filter((peer) => peer.type === 'ipBlock').map((peer) => code(describePeer(peer, policy.namespace)));
  lines.push('', pods.size ? `${verb} ${plural(pods.size, 'pod')}:` : `${verb} no pods.`, ...cappedList([...pods], (w) => podEntry(workspace, w)));
  if (blocks.length) lines.push('', `Addresses: ${cappedInline(blocks)}`);
  return lines.join('\n');
}

function policyTypesHover(policy: NetworkPolicy): string {
  const types = (['ingress', 'egress'] as const).filter((d) => policy.types[d]).map((d) => (d === 'ingress' ? 'Ingress' : 'Egress'));
  const lines = [`**policyTypes**: ${types.join(', ')}`, ''];
  const written = (policy.object.value.spec as { policyTypes?: unknown } | undefined)?.policyTypes;
  if (Array.isArray(written) && written.length === 0) {
    lines.push('An empty list counts as not written: Ingress, plus Egress when the policy has egress rules.', '');
  }
  for (const direction of ['ingress', 'egress'] as const) {
    const type = direction === 'ingress' ? 'Ingress' : 'Egress';
    if (policy.types[direction]) {
      const rules = policy[direction].length;
      lines.push(`- ${type}: the selected pods are isolated for ${direction}; ${rules ? `${plural(rules, 'rule')} of this policy allow${rules === 1 ? 's' : ''} traffic` : 'this policy allows none'}.`);
    } else {
      lines.push(`- ${type}: not isolated by this policy${policy[direction].length ? `; its ${direction} rules are ignored` : ''}.`);
    }
  }
  return lines.join('\n');
}

function namespaceHover(workspace: Workspace, index: ScopeIndex, name: string): string {
  const namespace = index.model.namespaces.get(name)!;
  const workloads = index.workloadsIn(name);
  const policies = index.model.policiesByNamespace.get(name) ?? [];
  const labels = Object.entries(namespace.labels).map(([k, v]) => code(`${k}=${v}`));
  const lines = [`**Namespace ${escapeInline(name)}**`, '', `Labels: ${labels.join(', ')}`, ''];
  lines.push(workloads.length ? `${plural(workloads.length, 'pod')} (workloads):` : 'No pods in the files.', ...cappedList(workloads, (w) => podEntry(workspace, w)));
  lines.push('', policies.length ? `${plural(policies.length, 'policy', 'policies')}:` : 'No policies: every pod accepts and sends any traffic.', ...cappedList(policies, (p) => policyLink(workspace, p)));
  const isolated = workloads.filter((w) => index.analysis.isolatingPolicies(w, 'ingress').length > 0).length;
  if (workloads.length) lines.push('', `Isolated for ingress: ${isolated} of ${plural(workloads.length, 'pod')}.`);
  return lines.join('\n');
}

function serviceSelectorHover(workspace: Workspace, index: ScopeIndex, service: Service): string {
  const header = `**Service ${escapeInline(`${service.namespace}/${service.name}`)}** selector`;
  if (!service.selector || Object.keys(service.selector).length === 0) {
    return `${header}: none (the Service selects no pods; its endpoints are managed by hand).`;
  }
  const selector = service.selector;
  const matched = index.workloadsIn(service.namespace).filter((w) => Object.entries(selector).every(([k, v]) => w.podLabels[k] === v));
  const text = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const lines = [`${header} ${code(text)}`, ''];
  if (matched.length) lines.push(`Selects ${plural(matched.length, 'pod')}:`, ...cappedList(matched, (w) => podEntry(workspace, w)));
  else lines.push(`Selects no pods in ${code(service.namespace)}.`);
  return lines.join('\n');
}

// ---- selectors that match nothing: say so, and show the nearest existing labels -------------------------------

function satisfies(req: SelectorRequirement, labels: Labels): boolean {
  return matchesSelector({ requirements: [req], matchLabels: {}, problems: [] }, labels);
}

function requirementText(req: SelectorRequirement): string {
  return formatSelector({ requirements: [req], matchLabels: {}, problems: [] });
}

/** Up to five existing keys or values closest to `wanted` by edit distance, with how many carry each. */
function nearest(wanted: string, counts: Iterable<[string, number]>, unit: string): string {
  // One distance per key, not one per comparison of the sort.
  const ranked = [...counts]
    .map(([name, count]) => ({ name, count, d: distance(wanted, name) }))
    .sort((a, b) => a.d - b.d || b.count - a.count || compareText(a.name, b.name))
    .map((r): [string, number] => [r.name, r.count]);
  return ranked
    .slice(0, 5)
    .map(([name, count]) => `${code(name)} (${plural(count, unit)})`)
    .join(', ');
}

function valueCounts(stats: LabelStats, key: string): [string, number][] {
  return [...(stats.get(key) ?? new Map<string, number>())];
}

function keyCounts(stats: LabelStats): [string, number][] {
  return [...stats].map(([key, values]) => [key, [...values.values()].reduce((a, b) => a + b, 0)]);
}

/** Why no labelled thing satisfies a selector: the requirement nothing satisfies and the nearest labels that exist. */
/** Requirements explained in a hover, at most: each costs a pass over the existing labels and a line. */
const WHY_CAP = 5;

function whyNothingMatches(selector: LabelSelector, labelSets: readonly Labels[], stats: LabelStats, unit: string): string[] {
  const lines: string[] = [];
  const unsatisfied = selector.requirements.filter((req) => !labelSets.some((labels) => satisfies(req, labels)));
  for (const req of unsatisfied.slice(0, WHY_CAP)) {
    const has = stats.has(req.key);
    if ((req.operator === 'In' || req.operator === 'Exists') && !has) {
      const near = nearest(req.key, keyCounts(stats), unit);
      lines.push(`- no ${unit} has the label key ${code(req.key)}${near ? `; nearest keys: ${near}` : ''}`);
    } else if (req.operator === 'In') {
      lines.push(`- no ${unit} has ${code(requirementText(req))}; values of ${code(req.key)}: ${nearest(req.values[0] ?? '', valueCounts(stats, req.key), unit)}`);
    } else {
      lines.push(`- no ${unit} satisfies ${code(requirementText(req))}`);
    }
  }
  if (unsatisfied.length > WHY_CAP) lines.push(`- … and ${unsatisfied.length - WHY_CAP} more requirements that no ${unit} satisfies`);
  if (unsatisfied.length === 0 && selector.requirements.length > 1) {
    lines.push(`- each requirement matches some ${unit}s, but no ${unit} matches all of them:`);
    for (const req of selector.requirements.slice(0, WHY_CAP)) {
      const count = labelSets.filter((labels) => satisfies(req, labels)).length;
      lines.push(`  - ${code(requirementText(req))}: ${plural(count, unit)}`);
    }
    if (selector.requirements.length > WHY_CAP) lines.push(`  - … and ${selector.requirements.length - WHY_CAP} more requirements`);
  }
  return lines;
}

function noPodsMatch(
  workspace: Workspace,
  index: ScopeIndex,
  selector: LabelSelector,
  candidates: readonly Workload[],
  where: string,
  /** Whether pods in other namespaces are worth pointing at (the selector is bound to one namespace). */
  lookElsewhere: boolean,
): string[] {
  const place = where.startsWith('the ') ? where : code(where);
  if (candidates.length === 0) return [`Matches no pods: there are no pods in ${place} in the files.`];
  const lines = [`Matches no pods in ${place} (${plural(candidates.length, 'pod')} there).`];
  const stats = lookElsewhere && !where.startsWith('the ') ? index.podLabelStats(where) : labelStatsOf(candidates);
  const why = whyNothingMatches(selector, candidates.map((w) => w.podLabels), stats, 'pod');
  if (why.length) lines.push('', 'Nearest existing labels:', ...why);
  if (lookElsewhere) {
    const here = new Set(candidates);
    const elsewhere = index
      .workloadsMatching(selector, index.namespacesWithWorkloads())
      .filter((w) => !here.has(w))
      .sort((a, b) => a.id - b.id);
    if (elsewhere.length > 0) {
      lines.push('', `Pods with these labels in other namespaces (a namespaceSelector would reach them):`, ...cappedList(elsewhere, (w) => podEntry(workspace, w), 5));
    }
  }
  return lines;
}

function labelStatsOf(workloads: readonly Workload[]): LabelStats {
  const stats: LabelStats = new Map();
  for (const w of workloads) {
    for (const [key, value] of Object.entries(w.podLabels)) {
      const values = stats.get(key) ?? new Map<string, number>();
      values.set(value, (values.get(value) ?? 0) + 1);
      stats.set(key, values);
    }
  }
  return stats;
}

function noNamespacesMatch(index: ScopeIndex, selector: LabelSelector): string[] {
  const namespaces: Namespace[] = [...index.model.namespaces.values()];
  const lines = [`Its namespaceSelector ${code(cappedSelector(selector))} matches no namespace (${plural(namespaces.length, 'namespace')} in the files), so the peer matches no pods.`];
  const why = whyNothingMatches(selector, namespaces.map((ns) => ns.labels), index.namespaceLabelStats(), 'namespace');
  if (why.length) lines.push('', 'Nearest existing namespace labels:', ...why);
  return lines;
}

// ---- ports ----------------------------------------------------------------------------------------------------

/** The pods a rule's ports apply to: the selected pods for ingress, the peers' pods for egress. */
export function ruleDestinations(index: ScopeIndex, policy: NetworkPolicy, rule: PolicyRule): Workload[] {
  if (rule.direction === 'ingress') return index.selectedBy(policy);
  if (!rule.peers) return index.model.workloads;
  const seen = new Set<Workload>();
  for (const peer of rule.peers) for (const w of index.peerWorkloads(policy, peer)) seen.add(w);
  return [...seen];
}

function portHover(workspace: Workspace, index: ScopeIndex, policy: NetworkPolicy, rule: PolicyRule, spec: PortSpec): string {
  const destinations = ruleDestinations(index, policy, rule);
  const whose = rule.direction === 'ingress' ? 'the selected pods' : 'the peer pods';
  const none = rule.direction === 'ingress' ? 'No pods to resolve it on: the policy selects no pods.' : "No pods to resolve it on: the rule's peers match no pods.";
  if (typeof spec.port === 'string') {
    const name = spec.port;
    const lines = [`**Named port ${code(name)}** (${spec.protocol}) on ${whose}:`];
    // Entries are rendered (links looked up) only for the pods shown: a rule without peers reaches every pod.
    const resolved: { w: Workload; ports: ContainerPort[] }[] = [];
    const missing: Workload[] = [];
    for (const w of destinations) {
      const ports = w.containerPorts.filter((cp) => cp.name === name && cp.protocol === spec.protocol);
      if (ports.length === 0) missing.push(w);
      else resolved.push({ w, ports });
    }
    if (destinations.length === 0) lines.push('', none);
    if (resolved.length > 0) {
      lines.push('', `Resolves on ${plural(resolved.length, 'pod')}:`, ...cappedList(resolved, ({ w, ports }) => `${workloadLink(workspace, w)}: ${ports.map((cp) => `${cp.protocol} ${cp.containerPort} (container ${code(cp.container)})`).join(', ')}`));
    }
    if (missing.length > 0) {
      lines.push('', `Not declared by ${plural(missing.length, 'pod')} (this port allows nothing there):`, ...cappedList(missing, (w) => podEntry(workspace, w)));
      const elsewhere = otherPortsNamed(index, name, destinations);
      if (elsewhere) lines.push('', elsewhere);
    }
    return lines.join('\n');
  }
  const lo = spec.port ?? 1;
  const hi = spec.endPort ?? spec.port ?? 65535;
  const label = describePorts([spec]);
  const lines = [`**${escapeInline(label)}** on ${whose}:`];
  const declaring: { w: Workload; ports: ContainerPort[] }[] = [];
  const missing: Workload[] = [];
  for (const w of destinations) {
    const ports = w.containerPorts.filter((cp) => cp.protocol === spec.protocol && cp.containerPort >= lo && cp.containerPort <= hi);
    if (ports.length === 0) missing.push(w);
    else declaring.push({ w, ports });
  }
  if (destinations.length === 0) lines.push('', none);
  if (declaring.length > 0) {
    const render = ({ w, ports }: { w: Workload; ports: ContainerPort[] }) =>
      `${workloadLink(workspace, w)}: ${ports.map((cp) => `container ${code(cp.container)}${cp.name ? ` names ${cp.containerPort} ${code(cp.name)}` : ` declares ${cp.containerPort}`}`).join(', ')}`;
    lines.push('', `Declared by ${plural(declaring.length, 'pod')}:`, ...cappedList(declaring, render));
  }
  if (missing.length > 0) {
    lines.push('', `Not declared by ${plural(missing.length, 'pod')} (allowed all the same: policies do not need declared ports):`, ...cappedList(missing, (w) => podEntry(workspace, w)));
  }
  return lines.join('\n');
}

function otherPortsNamed(index: ScopeIndex, name: string, exclude: readonly Workload[]): string | undefined {
  const names = new Set<string>();
  // A Set: the destinations of a rule without peers are every workload of the scope.
  const excluded = new Set(exclude);
  for (const w of index.model.workloads) {
    if (excluded.has(w)) continue;
    for (const cp of w.containerPorts) if (cp.name === name) names.add(w.displayName);
  }
  return names.size ? `Other pods that name a port ${code(name)}: ${cappedInline([...names].map(code))}` : undefined;
}

// ---- workloads ------------------------------------------------------------------------------------------------

function isolationLine(workspace: Workspace, index: ScopeIndex, w: Workload, direction: Direction): string {
  const policies = index.analysis.isolatingPolicies(w, direction);
  const title = direction === 'ingress' ? 'Ingress' : 'Egress';
  if (policies.length === 0) return `${title}: not isolated (no policy with ${title} selects it): all ${direction} is allowed`;
  return `${title}: isolated by ${cappedInlineOf(policies, (p) => policyLink(workspace, p))}`;
}

/** Workloads that get one set of ports: how many, and the first few in model order. */
interface PortGroup {
  ports: string;
  count: number;
  first: Workload[];
}

const NAMES_PER_GROUP = 5;

/**
 * The workloads one side of a reach allows (those the configuration assumes left out), grouped by the ports they
 * get. Workloads sharing the side's base ports are counted, not listed: only the few names shown are looked up.
 */
function groupByPorts(side: ReachSide): { total: number; groups: PortGroup[] } {
  const groups = new Map<string, PortGroup>();
  // Many workloads share one PortSet object: its text is made once.
  const texts = new Map<PortSet, string>();
  const groupOf = (ports: PortSet): PortGroup => {
    let key = texts.get(ports);
    if (key === undefined) texts.set(ports, (key = ports.toString()));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports: key, count: 0, first: [] }));
    return group;
  };
  const byModelOrder = (a: Workload, b: Workload) => a.id - b.id;
  for (const [other, ports] of side.individual()) {
    if (other.assumed) continue;
    const group = groupOf(ports);
    group.count++;
    // Keep the first few by model order (the order workloads are listed in).
    if (group.first.length < NAMES_PER_GROUP || other.id < group.first[group.first.length - 1].id) {
      group.first.push(other);
      group.first.sort(byModelOrder);
      if (group.first.length > NAMES_PER_GROUP) group.first.pop();
    }
  }
  // Workloads whose ports come from rules that admit every pod (counted per group, not one by one).
  for (const shared of side.sharedGroups(NAMES_PER_GROUP, (w) => !w.assumed, (group) => group.reported)) {
    const group = groupOf(shared.ports);
    group.count += shared.count;
    group.first = [...group.first, ...shared.first].sort(byModelOrder).slice(0, NAMES_PER_GROUP);
  }
  if (!side.base.isEmpty() && side.reportedWithBase > 0) {
    const group = groupOf(side.base);
    group.count += side.reportedWithBase;
    group.first = [...group.first, ...side.firstWithBase(NAMES_PER_GROUP, (w) => !w.assumed)].sort(byModelOrder).slice(0, NAMES_PER_GROUP);
  }
  let total = 0;
  for (const group of groups.values()) total += group.count;
  return { total, groups: [...groups.values()] };
}

/** Peers summarised by the ports they get: "TCP 5432: a, b" per distinct port set. */
function summariseByPorts(workspace: Workspace, groups: PortGroup[]): string[] {
  const sorted = [...groups].sort((a, b) => b.count - a.count || compareText(a.ports, b.ports));
  return cappedList(sorted, ({ ports, count, first }) => {
    const names = first.map((w) => workloadLink(workspace, w)).join(', ');
    const more = count > first.length ? ` and ${count - first.length} more` : '';
    return `${ports === 'All Connections' ? 'all ports' : ports}: ${names}${more}`;
  }, 6);
}

const OUTSIDE: Endpoint = ipEndpoint({ v6: false, lo: 0n, hi: 0xffffffffn });

/** Address blocks and "anywhere" that a direction of the workload admits, from its isolating policies' rules. */
function outsidePeers(index: ScopeIndex, w: Workload, direction: Direction): string[] {
  const policies = index.analysis.isolatingPolicies(w, direction);
  if (policies.length === 0) return ['anywhere: all ports'];
  const out: string[] = [];
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      // Toward an address, named ports resolve to nothing: only numbers count.
      const destination = direction === 'ingress' ? workloadEndpoint(w) : OUTSIDE;
      const ports = index.analysis.rulePorts(rule, destination);
      if (ports.isEmpty()) continue;
      const text = ports.isAll() ? 'all ports' : ports.toString();
      if (!rule.peers) out.push(`anywhere: ${text}`);
      else for (const peer of rule.peers) if (peer.type === 'ipBlock') out.push(`${escapeInline(describePeer(peer, policy.namespace))}: ${text}`);
    }
  }
  return [...new Set(out)];
}

function workloadHover(workspace: Workspace, index: ScopeIndex, w: Workload, viaOwnedObject: boolean): string {
  const lines = [`**${w.kind} ${escapeInline(w.displayName)}**`];
  if (viaOwnedObject) lines.push('', `(this object's pods are managed by ${w.kind} ${code(w.name)})`);
  const labels = Object.entries(w.podLabels).map(([k, v]) => code(`${k}=${v}`));
  lines.push('', `Pod labels: ${labels.length ? labels.join(', ') : 'none'}`);
  const selecting = index.analysis.selectingPolicies(w);
  lines.push('', selecting.length ? `Selected by ${plural(selecting.length, 'policy', 'policies')}: ${cappedInlineOf(selecting, (p) => policyLink(workspace, p))}` : 'Selected by no policy.');
  lines.push('', `- ${isolationLine(workspace, index, w, 'ingress')}`, `- ${isolationLine(workspace, index, w, 'egress')}`);

  // Under Cilium: the policies selecting it, and the Cilium rules (with what of them is not analysed).
  const cilium = index.analysis.cilium;
  if (cilium) {
    const rules = cilium.selectingRules(w);
    if (rules.length > 0) lines.push('', `Cilium: selected by ${escapeInline([...new Set(rules.map((r) => `${r.policy.kind} ${r.policy.namespace !== undefined ? `${r.policy.namespace}/` : ''}${r.policy.name}`))].join(', '))}.`);
    const parts = cilium.unanalysedParts(w);
    if (parts.length) lines.push('', `**Uncertain:** ${escapeInline(parts.join(', '))} ${parts.length > 1 ? 'are' : 'is'} not analysed and may change what this workload may reach and be reached from.`);
  }
  const uncertain = uncertaintyBetween(index.model, w);
  if (uncertain.length) lines.push('', `**Uncertain:** ${escapeInline(describeUncertainty(index.model, uncertain))} ${uncertain.length > 1 ? 'are' : 'is'} not analysed and may change what this workload may reach and be reached from.`);
  const reach = index.reachOf(w);
  const from = groupByPorts(reach.from);
  const to = groupByPorts(reach.to);
  const total = index.reportedWorkloadCount() - (w.assumed ? 0 : 1);
  lines.push('', `**May be reached from** ${from.total} of ${plural(total, 'workload')} in the files:`);
  lines.push(...(from.total ? summariseByPorts(workspace, from.groups) : ['- no workload']));
  const outsideIn = outsidePeers(index, w, 'ingress');
  if (outsideIn.length) lines.push(`- outside the cluster: ${cappedInline(outsideIn)}`);
  lines.push('', `**May reach** ${to.total} of ${plural(total, 'workload')} in the files:`);
  lines.push(...(to.total ? summariseByPorts(workspace, to.groups) : ['- no workload']));
  const outsideOut = outsidePeers(index, w, 'egress');
  if (outsideOut.length) lines.push(`- outside the cluster: ${cappedInline(outsideOut)}`);
  return lines.join('\n');
}

