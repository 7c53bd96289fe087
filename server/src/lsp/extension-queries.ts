// The answers of the custom requests behind the VS Code extension's commands (their handlers are in handlers/): a
// workspace summary (quick picks, template pre-fills), explain traffic (with the smallest policy change for a denied
// connection), a least-privilege policy for one workload, the policies the insert commands insert, and the
// reachability graph. Read-only: they never change the workspace.
import { workloadWithPodIp } from '../engine/pod-ips';
import { ErrorCodes, ResponseError, type Location } from 'vscode-languageserver';
import { parseIpEndpoint } from '../engine/cidr';
import { endpointName, ipEndpoint, workloadEndpoint, type Analysis, type DirectionVerdict, type Endpoint } from '../engine/evaluate';
import type { Workload } from '../engine/model';
import { dnsEndpoints } from '../engine/rules/common';
import { matchesSelector } from '../engine/selectors';
import type { OffsetRange } from '../engine/types';
import { scopeIncludes, type Scope, type Workspace } from '../engine/workspace';
import { computeMatrix, declaredPorts, formatPortKey, matrixPlan } from '../report/matrix';
import { explainVerdict, ruleLocation } from '../engine/explain';
import { decisionText, explainText } from '../report/explain';
import type { FeatureContext } from './context';
import { allowConnectionPolicy, dnsEgressRule, policyName, toYaml, type ConnectionPeer } from './policy-yaml';
import { leastPrivilegePolicyFor } from './least-privilege';
import { allowDnsYaml, defaultDenyYaml, templateSnippet } from './templates';
import {
  escapeSnippet,
  TEMPLATE_IDS,
  type PolicyTextParams,
  type PolicyTextResult,
  type DnsInfo,
  type GeneratedCheck,
  type ExplainTrafficParams,
  type ExplainTrafficResult,
  type ExplainedSide,
  type GraphEdge,
  type LeastPrivilegeParams,
  type LeastPrivilegeResult,
  type PolicyChange,
  type ProtocolName,
  type ReachabilityGraph,
  type WorkloadInfo,
  type WorkspaceSummary,
  type WorkspaceSummaryParams,
} from './protocol';
import { compareText } from '../engine/order';
import { checkGenerated, snippetDefaults, toGeneratedCheck } from './generated-check';
import { canonicalUri } from './files';

function location(ctx: FeatureContext, uri: string, range: OffsetRange): Location {
  return { uri, range: ctx.rangeToLsp(uri, range) };
}

/** The named scope, else the first scope holding `uri`, else the first scope. */
function pickScope(workspace: Workspace, name?: string, uri?: string): Scope | undefined {
  const scopes = workspace.scopes();
  if (name) return scopes.find((s) => s.name === name);
  if (uri) {
    const holding = scopes.find((s) => scopeIncludes(s, uri));
    if (holding) return holding;
  }
  return scopes[0];
}

function workloadInfo(ctx: FeatureContext, w: Workload): WorkloadInfo {
  return {
    id: w.displayName,
    name: w.name,
    namespace: w.namespace,
    kind: w.kind,
    podLabels: { ...w.podLabels },
    ports: w.containerPorts.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: p.protocol })),
    location: location(ctx, w.object.uri, w.object.range),
  };
}

function dnsInfo(workspace: Workspace, scope: Scope): DnsInfo {
  const endpoints = dnsEndpoints({ model: scope.model, config: workspace.config, store: scope.store });
  const config = workspace.config.dns;
  return { namespace: config.namespace, podLabels: { ...config.podLabels }, ports: [...endpoints.ports], cidrs: endpoints.cidrs.map((c) => c.text) };
}

/** A policy for the insert commands, filled in from the scope's workloads and DNS settings, with the engine's check. */
export function policyText(ctx: FeatureContext, params: PolicyTextParams): PolicyTextResult {
  const summary = workspaceSummary(ctx, { scope: typeof params?.scope === 'string' && params.scope !== '' ? params.scope : undefined });
  const namespace = typeof params?.namespace === 'string' ? params.namespace : summary.defaultNamespace;
  const target = typeof params?.uri === 'string' && params.uri !== '' ? canonicalUri(params.uri) : undefined;
  const checked = (yaml: string, snippet: string): PolicyTextResult => ({
    snippet,
    check: toGeneratedCheck(checkGenerated(ctx.workspace(), [{ yaml, uri: target }], ctx.settings().rules)),
  });
  switch (params?.policy) {
    case 'default-deny': {
      const direction = params.direction === 'ingress' || params.direction === 'egress' ? params.direction : 'both';
      const yaml = defaultDenyYaml(namespace, direction, summary, params.includeDns === true);
      return checked(yaml, escapeSnippet(yaml));
    }
    case 'allow-dns': {
      const yaml = allowDnsYaml(namespace, summary);
      return checked(yaml, escapeSnippet(yaml));
    }
    case 'template': {
      if (!(TEMPLATE_IDS as readonly unknown[]).includes(params.template)) throw new ResponseError(ErrorCodes.InvalidParams, `unknown template: ${String(params.template)}`);
      const snippet = templateSnippet(params.template, summary, namespace);
      return checked(snippetDefaults(snippet), snippet);
    }
    default:
      throw new ResponseError(ErrorCodes.InvalidParams, `unknown policy: ${String((params as { policy?: unknown } | undefined)?.policy)}`);
  }
}

export function workspaceSummary(ctx: FeatureContext, params: WorkspaceSummaryParams): WorkspaceSummary {
  const workspace = ctx.workspace();
  const scope = pickScope(workspace, params.scope, params.uri);
  const summary: WorkspaceSummary = {
    scope: scope?.name ?? '',
    scopes: workspace.scopes().map((s) => s.name),
    defaultNamespace: scope?.model.defaultNamespace ?? workspace.config.defaultNamespace,
    namespaces: scope ? [...scope.model.namespaces.values()].map((n) => ({ name: n.name, labels: { ...n.labels } })) : [],
    workloads: scope ? scope.analysis.reportedWorkloads().map((w) => workloadInfo(ctx, w)) : [],
    dns: scope ? dnsInfo(workspace, scope) : { ...workspace.config.dns, podLabels: { ...workspace.config.dns.podLabels }, ports: workspace.config.dns.ports.length ? [...workspace.config.dns.ports] : [53] },
  };
  if (params.uri && scope) summary.document = documentInfo(ctx, scope, params);
  return summary;
}

/** The namespace of the object at the position (else of the document's first object) and the workload there. */
function documentInfo(ctx: FeatureContext, scope: Scope, params: WorkspaceSummaryParams): WorkspaceSummary['document'] {
  const uri = params.uri!;
  const file = ctx.workspace().getFile(uri);
  const objects = file ? file.documents.flatMap((d) => d.objects) : [];
  const offset = params.position ? ctx.positionToOffset(uri, params.position) : undefined;
  const at = offset === undefined ? undefined : objects.find((o) => o.range[0] <= offset && offset <= o.range[1]);
  const namespaceOf = (o: (typeof objects)[number]) => {
    if (o.kind === 'Namespace') return o.name;
    const modelled = scope.model.workloads.find((w) => w.object === o) ?? scope.model.policies.find((p) => p.object === o);
    return modelled?.namespace ?? o.namespace;
  };
  const namespace = (at && namespaceOf(at)) ?? objects.map(namespaceOf).find((n) => n !== undefined);
  const workload = offset === undefined ? undefined : workloadAt(scope, uri, offset);
  return { namespace, workloadAt: workload?.displayName };
}

function workloadAt(scope: Scope, uri: string, offset: number): Workload | undefined {
  const direct = scope.model.workloads.find((w) => !w.assumed && w.object.uri === uri && w.object.range[0] <= offset && offset <= w.object.range[1]);
  if (direct) return direct;
  for (const [object, owner] of scope.model.ownedBy) {
    if (object.uri === uri && object.range[0] <= offset && offset <= object.range[1]) return owner;
  }
  return undefined;
}

/** Resolves `ns/name`, `ns/name[Kind]`, `ns/Kind/name` or an IP address/CIDR. */
function resolveEndpoint(scope: Scope, text: string): Endpoint | string {
  const ip = parseIpEndpoint(text.trim());
  if (ip) {
    const pod = workloadWithPodIp(scope.model, ip);
    return pod ? workloadEndpoint(pod) : ipEndpoint(ip);
  }
  const byDisplay = scope.model.workloads.find((w) => w.displayName === text);
  if (byDisplay) return workloadEndpoint(byDisplay);
  const m = /^([^/]+)\/(?:([A-Za-z]+)\/)?([^/[\]]+)(?:\[([A-Za-z]+)\])?$/.exec(text.trim());
  if (!m) return `"${text}" is neither NAMESPACE/NAME nor an IP address or CIDR`;
  const [, namespace, kind1, name, kind2] = m;
  const kind = (kind1 ?? kind2)?.toLowerCase();
  const found = scope.model.workloads.filter((w) => w.namespace === namespace && w.name === name && (!kind || w.kind.toLowerCase() === kind));
  if (found.length === 1) return workloadEndpoint(found[0]);
  if (found.length > 1) return `"${text}" is ambiguous: ${found.map((w) => `${w.namespace}/${w.kind}/${w.name}`).join(', ')}`;
  return `no workload ${text} in scope ${scope.name}`;
}

/**
 * Labels that select this workload's pods and, where the workspace allows, no other workload's in its namespace:
 * the fewest labels that do so, preferring the conventional app labels; all pod labels when no subset is exact.
 */
export function selectingLabels(analysis: Analysis, w: Workload): Record<string, string> {
  const entries = Object.entries(w.podLabels);
  const others = analysis.model.workloads.filter((o) => o !== w && o.namespace === w.namespace);
  const preferred = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/instance', 'component', 'app.kubernetes.io/component', 'tier'];
  const rank = (key: string) => (preferred.includes(key) ? preferred.indexOf(key) : preferred.length);
  entries.sort((a, b) => rank(a[0]) - rank(b[0]) || compareText(a[0], b[0]));
  const exact = (labels: Record<string, string>) => {
    const requirements = Object.entries(labels).map(([key, value]) => ({ key, operator: 'In' as const, values: [value] }));
    const selector = { requirements, matchLabels: labels, problems: [] };
    return !others.some((o) => matchesSelector(selector, o.podLabels));
  };
  for (const size of [1, 2, 3]) {
    for (const combo of combinations(entries, size)) {
      const labels = Object.fromEntries(combo);
      if (exact(labels)) return labels;
    }
  }
  return Object.fromEntries(entries);
}

function* combinations<T>(items: T[], size: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === size) {
    yield prefix;
    return;
  }
  for (let i = start; i < items.length; i++) yield* combinations(items, size, i + 1, [...prefix, items[i]]);
}

export function explainTraffic(ctx: FeatureContext, params: ExplainTrafficParams): ExplainTrafficResult {
  const workspace = ctx.workspace();
  const scope = pickScope(workspace, params.scope);
  if (!scope) return { found: false, message: params.scope ? `no scope named ${params.scope}` : 'the workspace has no manifests' };
  const protocol: ProtocolName = params.protocol ?? 'TCP';
  if (!Number.isInteger(params.port) || params.port < 1 || params.port > 65535) return { found: false, message: `invalid port ${params.port}` };
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) return { found: false, message: `invalid protocol ${protocol}` };
  const source = resolveEndpoint(scope, params.from);
  if (typeof source === 'string') return { found: false, message: source };
  const destination = resolveEndpoint(scope, params.to);
  if (typeof destination === 'string') return { found: false, message: destination };
  if (source.type === 'ip' && destination.type === 'ip') return { found: false, message: 'at least one side must be a workload' };

  const verdict = scope.analysis.verdict(source, destination, protocol, params.port);
  const explained = explainVerdict(verdict, scope.model);
  const explainedDecision = (direction: 'ingress' | 'egress') => (direction === 'egress' ? explained.egress : explained.ingress).decision;
  // A new NetworkPolicy helps only where the NetworkPolicy tier denied (not an Admin-tier Deny).
  const networkPolicyDenied = (d: DirectionVerdict) => d.policies.length > 0 && !d.allowed && d.decision?.action !== 'deny';
  const side = (d: DirectionVerdict, endpoint: Endpoint): ExplainedSide => ({
    direction: d.direction,
    endpoint: endpointName(endpoint),
    isolated: d.isolated,
    allowed: d.allowed,
    policies: d.policies.map((p) => ({ name: `${p.namespace}/${p.name}`, location: location(ctx, p.object.uri, p.object.range) })),
    rules: d.allowingRules.map((c) => {
      const loc = ruleLocation(c.policy, c.rule);
      return { policy: `${c.policy.namespace}/${c.policy.name}`, index: c.rule.index, location: location(ctx, loc.uri, loc.range) };
    }),
    ...(explainedDecision(d.direction)
      ? (() => {
          const e = explainedDecision(d.direction)!;
          return { decision: { text: decisionText(e, d.direction), action: e.action, location: location(ctx, e.location.uri, e.location.range) } };
        })()
      : {}),
  });
  const text = explainText(explained, (loc) => {
    const start = ctx.offsetToPosition(loc.uri, loc.range[0]);
    return `${loc.uri}:${start.line + 1}:${start.character + 1}`;
  });

  let changes: PolicyChange[] = [];
  let check: GeneratedCheck | undefined;
  let refused: string[] | undefined;
  if (!verdict.allowed && !verdict.self) {
    const peerOf = (e: Endpoint): ConnectionPeer =>
      e.type === 'ip' ? { type: 'cidr', cidr: e.label } : { type: 'pods', namespace: e.workload.namespace, podLabels: selectingLabels(scope.analysis, e.workload) };
    const port = { port: params.port, protocol };
    const name = policyName('allow', endpointShortName(source), 'to', endpointShortName(destination), String(params.port), protocol);
    const dns = dnsInfo(workspace, scope);
    const build = (withDns: boolean): PolicyChange[] => {
      const out: PolicyChange[] = [];
      if (networkPolicyDenied(verdict.egress) && source.type === 'workload') {
        const policy = allowConnectionPolicy({ name: `${name}-egress`.slice(0, 63), namespace: source.workload.namespace, subjectLabels: selectingLabels(scope.analysis, source.workload), direction: 'egress', peer: peerOf(destination), port });
        // The new egress policy may select pods that no policy isolated for egress yet: they keep DNS.
        if (withDns) ((policy as { spec: { egress: unknown[] } }).spec.egress).push(dnsEgressRule(dns));
        const suggestedUri = verdict.egress.policies[0]?.object.uri || undefined;
        out.push({ direction: 'egress', namespace: source.workload.namespace, suggestedUri, ...(suggestedUri ? {} : { newFileUri: besideUri(source.workload.object.uri, `${name}-egress`) }), yaml: toYaml(policy) });
      }
      if (networkPolicyDenied(verdict.ingress) && destination.type === 'workload') {
        const suggestedUri = verdict.ingress.policies[0]?.object.uri || undefined;
        out.push({
          direction: 'ingress',
          namespace: destination.workload.namespace,
          suggestedUri,
          ...(suggestedUri ? {} : { newFileUri: besideUri(destination.workload.object.uri, `${name}-ingress`) }),
          yaml: toYaml(allowConnectionPolicy({ name: `${name}-ingress`.slice(0, 63), namespace: destination.workload.namespace, subjectLabels: selectingLabels(scope.analysis, destination.workload), direction: 'ingress', peer: peerOf(source), port })),
        });
      }
      return out;
    };
    const severities = ctx.settings().rules;
    const run = (list: PolicyChange[]) => checkGenerated(workspace, list.map((c) => ({ yaml: c.yaml, uri: c.suggestedUri })), severities);
    changes = build(false);
    let result = changes.length ? run(changes) : undefined;
    if (result && result.newlyIsolated.some((i) => i.direction === 'egress')) {
      changes = build(true);
      result = run(changes);
    }
    if (result && !result.safe) {
      refused = result.newFindings.map((d) => `${d.ruleId}: ${d.message}`);
      changes = [];
    } else if (result) check = toGeneratedCheck(result);
  }

  return {
    found: true,
    from: explained.from,
    to: explained.to,
    port: params.port,
    protocol,
    allowed: verdict.allowed,
    self: verdict.self,
    egress: side(verdict.egress, source),
    ingress: side(verdict.ingress, destination),
    text,
    changes,
    ...(check ? { check } : {}),
    ...(refused ? { refused } : {}),
  };
}

/** A new file's URI in the folder of `uri` (a workload's manifest), named after the policy. */
function besideUri(uri: string, name: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  return `${uri.slice(0, uri.lastIndexOf('/') + 1)}${policyName(name)}.yaml`;
}

function endpointShortName(e: Endpoint): string {
  return e.type === 'workload' ? e.workload.name : e.label.replace(/[./:]/g, '-');
}

export function leastPrivilege(ctx: FeatureContext, params: LeastPrivilegeParams): LeastPrivilegeResult {
  const workspace = ctx.workspace();
  const scope = pickScope(workspace, params.scope, params.uri);
  if (!scope) return { found: false, message: 'the workspace has no manifests' };
  let workload: Workload | undefined;
  if (params.workload) {
    const endpoint = resolveEndpoint(scope, params.workload);
    if (typeof endpoint === 'string') return { found: false, message: endpoint };
    if (endpoint.type !== 'workload') return { found: false, message: `${params.workload} is not a workload` };
    workload = endpoint.workload;
  } else if (params.uri && params.position) {
    workload = workloadAt(scope, params.uri, ctx.positionToOffset(params.uri, params.position));
    if (!workload) return { found: false, message: 'no workload (Deployment, StatefulSet, DaemonSet, Pod, ...) under the cursor' };
  } else {
    return { found: false, message: 'give a workload or a document position' };
  }
  const labels = selectingLabels(scope.analysis, workload);
  if (Object.keys(labels).length === 0) {
    return { found: false, message: `${workload.displayName} has no pod labels, so no policy can select only its pods` };
  }
  const severities = ctx.settings().rules;
  const { policy, sources } = leastPrivilegePolicyFor(workspace, scope.analysis, workload, labels, (w) => selectingLabels(scope.analysis, w), dnsInfo(workspace, scope), severities);
  const yaml = toYaml(policy as Parameters<typeof toYaml>[0]);
  const check = toGeneratedCheck(checkGenerated(workspace, [{ yaml, uri: workload.object.uri }], severities));
  return { found: true, workload: workload.displayName, yaml, check, sources };
}

/**
 * The largest scope the editor's reachability view evaluates: every pair of workloads is evaluated twice (graph and
 * matrix), and the matrix travels to the view as JSON booleans, one per pair and declared port.
 */
export const EDITOR_MAX_WORKLOADS = 500;
export const EDITOR_MAX_MATRIX_CELLS = 2_000_000;

function reachabilityTooLarge(plan: { workloads: readonly Workload[]; portKeys: readonly unknown[] }): string | undefined {
  const n = plan.workloads.length;
  const cells = n * n * Math.max(1, plan.portKeys.length);
  const instead =
    "Narrow it to one scope of .netpol.yaml or a smaller folder, or use the CLI: 'netpol list' streams every allowed connection, 'netpol matrix' writes the matrix.";
  if (n > EDITOR_MAX_WORKLOADS) return `${n} workloads in this scope: more than ${EDITOR_MAX_WORKLOADS} workloads, the most the editor's reachability view evaluates. ${instead}`;
  if (cells > EDITOR_MAX_MATRIX_CELLS) {
    return `${n} workloads × ${n} × ${plan.portKeys.length} ports = ${cells} cells of the reachability matrix, more than ${EDITOR_MAX_MATRIX_CELLS}, the most the editor's view evaluates. ${instead}`;
  }
  return undefined;
}

export function reachabilityGraph(ctx: FeatureContext, scopeName: string | undefined): ReachabilityGraph {
  const workspace = ctx.workspace();
  const scope = pickScope(workspace, scopeName);
  const scopes = workspace.scopes().map((s) => s.name);
  if (!scope) return { scope: scopeName ?? '', scopes, namespaces: [], nodes: [], edges: [], ports: [], matrix: {} };
  const { analysis } = scope;
  // Said before any pair is evaluated, as `netpol matrix` does above its bound.
  const tooLarge = reachabilityTooLarge(matrixPlan(analysis));
  if (tooLarge) {
    const namespaces = [...new Set(analysis.reportedWorkloads().map((w) => w.namespace))].sort();
    return { scope: scope.name, scopes, namespaces, nodes: [], edges: [], ports: [], matrix: {}, tooLarge };
  }
  const matrix = computeMatrix(analysis);
  const byName = new Map(analysis.reportedWorkloads().map((w) => [w.displayName, w]));
  const workloads = matrix.pods.map((name) => byName.get(name)!);
  const nodes = workloads.map((w) => ({
    id: w.displayName,
    name: w.name,
    namespace: w.namespace,
    kind: w.kind,
    isolatedIngress: analysis.isolatingPolicies(w, 'ingress').length > 0,
    isolatedEgress: analysis.isolatingPolicies(w, 'egress').length > 0,
    ports: declaredPorts([w]).map(formatPortKey),
    location: location(ctx, w.object.uri, w.object.range),
  }));
  const edges: GraphEdge[] = [];
  for (const source of workloads) {
    for (const destination of workloads) {
      if (source === destination) continue; // shown in the matrix; a loop adds noise to the graph
      const allowed = analysis.connection(workloadEndpoint(source), workloadEndpoint(destination)).allowed;
      if (allowed.isEmpty()) continue;
      const declared = declaredPorts([destination]);
      const ports = declared.length > 0 ? declared.filter((p) => allowed.has(p.protocol, p.port)).map(formatPortKey) : ['any'];
      if (ports.length > 0) edges.push({ from: source.displayName, to: destination.displayName, ports });
    }
  }
  const namespaces = [...new Set(workloads.map((w) => w.namespace))].sort();
  return { scope: scope.name, scopes, namespaces, nodes, edges, ports: matrix.ports, matrix: matrix.allowed };
}
