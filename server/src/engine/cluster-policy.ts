// Cluster-wide policies of the Kubernetes network-policy API (policy.networking.k8s.io), read into one normalized
// form with the problems that make the API server reject them (the CRDs' OpenAPI and CEL validation):
// AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) and ClusterNetworkPolicy (v1alpha2, tier Admin or
// Baseline). References: kubernetes-sigs/network-policy-api apis/v1alpha1/*_types.go and
// apis/v1alpha2/clusternetworkpolicy_types.go. Where they sit in the evaluation order: see tiers.ts.
import { parseCidr, type IpRange } from './cidr';
import { isPlainObject, type K8sObject } from './parse';
import { isValidPortName, type Direction, type Path, type PolicyProblem, type PortSpec } from './policy';
import { EVERYTHING, readSelector, type LabelSelector } from './selectors';
import type { Protocol } from './types';

export const CLUSTER_POLICY_GROUP = 'policy.networking.k8s.io';
export type ClusterPolicyKind = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy';
export const CLUSTER_POLICY_KINDS: readonly ClusterPolicyKind[] = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy'];
export type ClusterTier = 'Admin' | 'Baseline';
/** What a matching rule does: allow (ANP Allow, CNP Accept), deny, or pass to the next tier. */
export type RuleAction = 'allow' | 'deny' | 'pass';

/** Whether an object is one of the cluster-wide policy kinds read here (by kind and API group). */
export function isClusterPolicyObject(o: { kind: string; apiVersion: string }): boolean {
  return (CLUSTER_POLICY_KINDS as readonly string[]).includes(o.kind) && o.apiVersion.startsWith(`${CLUSTER_POLICY_GROUP}/`);
}

/** The pods a subject or a pod peer selects: pods of the namespaces the selector matches (and of those, the podSelector's). */
export interface ClusterPodSelection {
  namespaceSelector: LabelSelector;
  /** Absent (`namespaces:`): every pod of the selected namespaces. */
  podSelector?: LabelSelector;
}

export type ClusterPeer =
  | ({ type: 'pods'; index: number; path: Path } & ClusterPodSelection)
  | { type: 'networks'; index: number; path: Path; networks: { text: string; range: IpRange }[] }
  /** nodes and domainNames: symbolic peers netpol cannot resolve from manifests (reported, never guessed). */
  | { type: 'unanalysed'; field: 'nodes' | 'domainNames'; index: number; path: Path };

export interface ClusterRule {
  direction: Direction;
  index: number;
  path: Path;
  name?: string;
  action: RuleAction;
  /** The action as written (Allow, Accept, Deny, Pass). */
  actionText: string;
  peers: ClusterPeer[];
  /** Absent: every port and protocol. Ports reuse the NetworkPolicy form (named ports resolve on the destination). */
  ports?: PortSpec[];
}

export interface ClusterPolicy {
  kind: ClusterPolicyKind;
  object: K8sObject;
  name: string;
  tier: ClusterTier;
  /** 0-1000, lower first; BaselineAdminNetworkPolicy has none (0). */
  priority: number;
  subject: ClusterPodSelection;
  subjectPath: Path;
  ingress: ClusterRule[];
  egress: ClusterRule[];
  problems: PolicyProblem[];
  /** False when the API server would reject the object: it is then left out of the analysis. */
  valid: boolean;
}

interface Limits {
  rules: number;
  peers: number;
  ports: number;
}
const V1ALPHA1_LIMITS: Limits = { rules: 100, peers: 100, ports: 100 };
const V1ALPHA2_LIMITS: Limits = { rules: 25, peers: 25, ports: 25 };
const MAX_NETWORKS = 25;
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

export function readClusterPolicy(object: K8sObject): ClusterPolicy {
  const kind = object.kind as ClusterPolicyKind;
  const v2 = kind === 'ClusterNetworkPolicy';
  const limits = v2 ? V1ALPHA2_LIMITS : V1ALPHA1_LIMITS;
  const problems: PolicyProblem[] = [];
  const reject = (message: string, path: Path) => problems.push({ code: 'invalid-cluster-policy', severity: 'error', message, path, rejected: true });
  const policy: ClusterPolicy = {
    kind,
    object,
    name: object.name,
    tier: kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : 'Admin',
    priority: 0,
    subject: { namespaceSelector: EVERYTHING },
    subjectPath: ['spec', 'subject'],
    ingress: [],
    egress: [],
    problems,
    valid: true,
  };
  if (!object.name) reject(`a ${kind} needs metadata.name`, ['metadata']);
  // BaselineAdminNetworkPolicy is a singleton: its CRD accepts only the name `default`.
  if (kind === 'BaselineAdminNetworkPolicy' && object.name && object.name !== 'default') {
    reject(`a BaselineAdminNetworkPolicy must be named "default" (it is a singleton), not "${object.name}"`, ['metadata', 'name']);
  }
  const spec = object.value.spec;
  if (!isPlainObject(spec)) {
    reject(`a ${kind} needs a spec with a subject`, spec === undefined ? [] : ['spec']);
    policy.valid = false;
    return policy;
  }
  if (v2) {
    if (spec.tier === 'Admin' || spec.tier === 'Baseline') policy.tier = spec.tier;
    else reject(spec.tier === undefined ? 'spec.tier is required: Admin or Baseline' : `unknown tier ${JSON.stringify(spec.tier)}: use Admin or Baseline`, spec.tier === undefined ? ['spec'] : ['spec', 'tier']);
  }
  if (kind !== 'BaselineAdminNetworkPolicy') {
    const priority = spec.priority;
    if (priority === undefined || priority === null) reject('spec.priority is required (0-1000, lower first)', ['spec']);
    else if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 1000) reject(`priority ${JSON.stringify(priority)} is out of range: use a whole number 0-1000`, ['spec', 'priority']);
    else policy.priority = priority;
  } else if (spec.priority !== undefined) {
    reject('a BaselineAdminNetworkPolicy has no priority', ['spec', 'priority']);
  }
  unknownFields(spec, v2 ? ['tier', 'priority', 'subject', 'ingress', 'egress'] : kind === 'AdminNetworkPolicy' ? ['priority', 'subject', 'ingress', 'egress'] : ['subject', 'ingress', 'egress'], ['spec'], problems, 'spec');
  const subject = readPodSelection(spec.subject, ['spec', 'subject'], problems, 'subject');
  if (subject) policy.subject = subject;
  const allowed: Record<string, RuleAction> = v2 ? { Accept: 'allow', Deny: 'deny', Pass: 'pass' } : kind === 'AdminNetworkPolicy' ? { Allow: 'allow', Deny: 'deny', Pass: 'pass' } : { Allow: 'allow', Deny: 'deny' };
  for (const direction of ['ingress', 'egress'] as const) {
    const raw = spec[direction];
    if (raw === undefined || raw === null) continue;
    const path: Path = ['spec', direction];
    if (!Array.isArray(raw)) {
      reject(`${direction} must be a list of rules`, path);
      continue;
    }
    if (raw.length > limits.rules) reject(`at most ${limits.rules} ${direction} rules are allowed in a ${kind}; this one has ${raw.length}`, path);
    raw.forEach((r, index) => {
      const rule = readRule(r, direction, index, [...path, index], allowed, v2, limits, problems);
      if (rule) policy[direction].push(rule);
    });
  }
  policy.valid = !problems.some((p) => p.rejected);
  return policy;
}

/**
 * Fields the CRD does not know (an older API's `sameLabels`, a misspelling): the API server drops them, or rejects the
 * object under strict field validation. Reported as warnings; the analysis reads the object without them.
 */
function unknownFields(raw: unknown, known: readonly string[], path: Path, problems: PolicyProblem[], what: string): void {
  if (!isPlainObject(raw)) return;
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    problems.push({ code: 'invalid-cluster-policy', severity: 'warning', message: `unknown field "${key}" in ${what} (known: ${known.join(', ')}); the API server drops it, so it is read here as if absent`, path: [...path, key], rejected: false });
  }
}

function readSelectorAt(value: unknown, path: Path, problems: PolicyProblem[]): LabelSelector {
  unknownFields(value, ['matchLabels', 'matchExpressions'], path, problems, 'a label selector');
  const selector = readSelector(value ?? {});
  for (const p of selector.problems) problems.push({ code: 'invalid-cluster-policy', severity: 'error', message: p.message, path: [...path, ...p.path], rejected: true });
  return selector;
}

/** A subject or a pod peer: exactly one of `namespaces` (a selector) or `pods {namespaceSelector, podSelector}`. */
function readPodSelection(raw: unknown, path: Path, problems: PolicyProblem[], what: string, extra: readonly string[] = []): ClusterPodSelection | undefined {
  const reject = (message: string, at: Path = path) => problems.push({ code: 'invalid-cluster-policy', severity: 'error', message, path: at, rejected: true });
  if (!isPlainObject(raw)) {
    reject(`${what} must be a map with exactly one of namespaces or pods`);
    return undefined;
  }
  const set = ['namespaces', 'pods', ...extra].filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (set.length !== 1) {
    reject(`${what} must set exactly one of ${['namespaces', 'pods', ...extra].join(', ')}${set.length ? ` (it sets ${set.join(' and ')})` : ''}`);
    return undefined;
  }
  if (set[0] === 'namespaces') return { namespaceSelector: readSelectorAt(raw.namespaces, [...path, 'namespaces'], problems) };
  if (set[0] !== 'pods') return undefined;
  const pods = raw.pods;
  unknownFields(pods, ['namespaceSelector', 'podSelector'], [...path, 'pods'], problems, 'pods');
  if (!isPlainObject(pods)) {
    reject('pods must be a map with namespaceSelector and podSelector', [...path, 'pods']);
    return undefined;
  }
  // The CRD requires both selectors (`required: [namespaceSelector, podSelector]`): the API server rejects the
  // object without one. (netpol-analyzer reads a missing one as {}.)
  for (const key of ['namespaceSelector', 'podSelector']) {
    if (pods[key] === undefined || pods[key] === null) {
      problems.push({ code: 'invalid-cluster-policy', severity: 'error', message: `pods needs a ${key} (the CRD requires it; write ${key}: {} to select every ${key === 'podSelector' ? 'pod' : 'namespace'})`, path: [...path, 'pods'], rejected: true });
    }
  }
  return {
    namespaceSelector: readSelectorAt(pods.namespaceSelector, [...path, 'pods', 'namespaceSelector'], problems),
    podSelector: readSelectorAt(pods.podSelector, [...path, 'pods', 'podSelector'], problems),
  };
}

function readRule(raw: unknown, direction: Direction, index: number, path: Path, actions: Record<string, RuleAction>, v2: boolean, limits: Limits, problems: PolicyProblem[]): ClusterRule | undefined {
  const reject = (message: string, at: Path = path) => problems.push({ code: 'invalid-cluster-policy', severity: 'error', message, path: at, rejected: true });
  if (!isPlainObject(raw)) {
    reject(`each ${direction} rule must be a map with action and ${direction === 'ingress' ? 'from' : 'to'}`);
    return undefined;
  }
  const actionText = raw.action;
  if (typeof actionText !== 'string' || !(actionText in actions)) {
    reject(actionText === undefined ? 'a rule needs an action' : `unknown action ${JSON.stringify(actionText)}: use ${Object.keys(actions).join(', ')}`, actionText === undefined ? path : [...path, 'action']);
    return undefined;
  }
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.length > 100)) reject('a rule name is a string of at most 100 characters', [...path, 'name']);
  unknownFields(raw, ['name', 'action', direction === 'ingress' ? 'from' : 'to', v2 ? 'protocols' : 'ports'], path, problems, `a ${direction} rule`);
  const rule: ClusterRule = { direction, index, path, action: actions[actionText], actionText, peers: [], ...(typeof raw.name === 'string' ? { name: raw.name } : {}) };
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  const peers = raw[peerKey];
  if (!Array.isArray(peers) || peers.length === 0) {
    reject(`a rule needs ${peerKey} with at least one peer`, peers === undefined ? path : [...path, peerKey]);
  } else {
    if (peers.length > limits.peers) reject(`at most ${limits.peers} peers are allowed in ${peerKey}; this rule has ${peers.length}`, [...path, peerKey]);
    peers.forEach((p, i) => {
      const peer = readPeer(p, direction, i, [...path, peerKey, i], rule.action, problems);
      if (peer) rule.peers.push(peer);
    });
  }
  const portsKey = v2 ? 'protocols' : 'ports';
  const ports = raw[portsKey];
  if (ports !== undefined && ports !== null) {
    if (!Array.isArray(ports) || ports.length === 0) reject(`${portsKey} must be a list with at least one entry`, [...path, portsKey]);
    else {
      if (ports.length > limits.ports) reject(`at most ${limits.ports} entries are allowed in ${portsKey}`, [...path, portsKey]);
      rule.ports = [];
      ports.forEach((p, i) => {
        const spec = v2 ? readProtocol(p, i, [...path, portsKey, i], problems) : readPort(p, i, [...path, portsKey, i], problems);
        if (spec) rule.ports!.push(spec);
      });
      const named = rule.ports.some((p) => typeof p.port === 'string');
      if (named && rule.peers.some((p) => p.type !== 'pods')) reject('a named port cannot be used with networks, nodes or domainNames peers: they have no named ports', [...path, portsKey]);
    }
  }
  return rule;
}

function readPeer(raw: unknown, direction: Direction, index: number, path: Path, action: RuleAction, problems: PolicyProblem[]): ClusterPeer | undefined {
  const reject = (message: string, at: Path = path) => problems.push({ code: 'invalid-cluster-policy', severity: 'error', message, path: at, rejected: true });
  const extra = direction === 'egress' ? ['nodes', 'networks', 'domainNames'] : [];
  if (isPlainObject(raw)) {
    const set = extra.filter((k) => raw[k] !== undefined && raw[k] !== null);
    const selection = set.length === 1 && raw.namespaces == null && raw.pods == null;
    if (selection && set[0] === 'networks') {
      const list = raw.networks;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_NETWORKS) {
        reject(`networks must list 1-${MAX_NETWORKS} CIDRs`, [...path, 'networks']);
        return undefined;
      }
      const networks: { text: string; range: IpRange }[] = [];
      list.forEach((text, i) => {
        const range = typeof text === 'string' ? parseCidr(text) : 'a network must be a CIDR string';
        if (typeof range === 'string') reject(range, [...path, 'networks', i]);
        else networks.push({ text: text as string, range });
      });
      return { type: 'networks', index, path, networks };
    }
    if (selection) {
      const field = set[0] as 'nodes' | 'domainNames';
      if (field === 'nodes') readSelectorAt(raw.nodes, [...path, 'nodes'], problems);
      else if (!Array.isArray(raw.domainNames) || raw.domainNames.length === 0) reject('domainNames must list at least one name', [...path, 'domainNames']);
      if (field === 'domainNames' && action !== 'allow') reject('domainNames peers are allowed only in Allow/Accept rules', [...path, 'domainNames']);
      return { type: 'unanalysed', field, index, path };
    }
  }
  const selection = readPodSelection(raw, path, problems, 'a peer', extra);
  return selection ? { type: 'pods', index, path, ...selection } : undefined;
}

function portNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535 ? value : undefined;
}

function readProtocolName(value: unknown, path: Path, problems: PolicyProblem[]): Protocol | undefined {
  if (value === undefined || value === null) return 'TCP';
  if (typeof value === 'string' && PROTOCOLS.has(value)) return value as Protocol;
  problems.push({ code: 'invalid-cluster-policy', severity: 'error', message: `unknown protocol ${JSON.stringify(value)}: use TCP, UDP or SCTP`, path, rejected: true });
  return undefined;
}

/** v1alpha1 `ports[]`: exactly one of portNumber {protocol, port}, namedPort, portRange {protocol, start, end}. */
function readPort(raw: unknown, index: number, path: Path, problems: PolicyProblem[]): PortSpec | undefined {
  const reject = (message: string, at: Path = path) => problems.push({ code: 'invalid-cluster-policy', severity: 'error', message, path: at, rejected: true });
  const set = isPlainObject(raw) ? ['portNumber', 'namedPort', 'portRange'].filter((k) => raw[k] !== undefined && raw[k] !== null) : [];
  if (!isPlainObject(raw) || set.length !== 1) {
    reject('each port must set exactly one of portNumber, namedPort or portRange');
    return undefined;
  }
  if (set[0] === 'namedPort') {
    if (typeof raw.namedPort !== 'string' || !isValidPortName(raw.namedPort)) {
      reject(`${JSON.stringify(raw.namedPort)} is not a valid port name`, [...path, 'namedPort']);
      return undefined;
    }
    // A named port is looked up with its own protocol on the destination's containers (any protocol).
    return { index, path, protocol: 'TCP', port: raw.namedPort };
  }
  const body = raw[set[0]];
  if (!isPlainObject(body)) {
    reject(`${set[0]} must be a map`, [...path, set[0]]);
    return undefined;
  }
  const protocol = readProtocolName(body.protocol, [...path, set[0], 'protocol'], problems);
  if (!protocol) return undefined;
  if (set[0] === 'portNumber') {
    const port = portNumber(body.port);
    if (port === undefined) {
      reject('port must be a number 1-65535', [...path, 'portNumber', 'port']);
      return undefined;
    }
    return { index, path, protocol, port };
  }
  return readRange(body.start, body.end, protocol, index, path, [...path, 'portRange'], problems);
}

function readRange(start: unknown, end: unknown, protocol: Protocol, index: number, path: Path, at: Path, problems: PolicyProblem[]): PortSpec | undefined {
  const lo = portNumber(start);
  const hi = portNumber(end);
  const reject = (message: string) => problems.push({ code: 'invalid-cluster-policy', severity: 'error', message, path: at, rejected: true });
  if (lo === undefined || hi === undefined) {
    reject('a port range needs start and end, each a number 1-65535');
    return undefined;
  }
  if (lo >= hi) {
    reject(`start ${lo} must be less than end ${hi}`);
    return undefined;
  }
  return { index, path, protocol, port: lo, endPort: hi };
}

/** v1alpha2 `protocols[]`: exactly one of tcp|udp|sctp {destinationPort {number | range}} or destinationNamedPort. */
function readProtocol(raw: unknown, index: number, path: Path, problems: PolicyProblem[]): PortSpec | undefined {
  const reject = (message: string, at: Path = path) => problems.push({ code: 'invalid-cluster-policy', severity: 'error', message, path: at, rejected: true });
  const set = isPlainObject(raw) ? ['tcp', 'udp', 'sctp', 'destinationNamedPort'].filter((k) => raw[k] !== undefined && raw[k] !== null) : [];
  if (!isPlainObject(raw) || set.length !== 1) {
    reject('each protocol entry must set exactly one of tcp, udp, sctp or destinationNamedPort');
    return undefined;
  }
  if (set[0] === 'destinationNamedPort') {
    if (typeof raw.destinationNamedPort !== 'string' || !isValidPortName(raw.destinationNamedPort)) {
      reject(`${JSON.stringify(raw.destinationNamedPort)} is not a valid port name`, [...path, 'destinationNamedPort']);
      return undefined;
    }
    return { index, path, protocol: 'TCP', port: raw.destinationNamedPort };
  }
  const protocol = set[0].toUpperCase() as Protocol;
  const body = raw[set[0]];
  // MinProperties=1: the CRD requires destinationPort.
  if (!isPlainObject(body) || !isPlainObject(body.destinationPort)) {
    reject(`${set[0]} needs a destinationPort with number or range`, [...path, set[0]]);
    return undefined;
  }
  const port = body.destinationPort;
  const which = ['number', 'range'].filter((k) => port[k] !== undefined && port[k] !== null);
  if (which.length !== 1) {
    reject('destinationPort must set exactly one of number or range', [...path, set[0], 'destinationPort']);
    return undefined;
  }
  if (which[0] === 'number') {
    const n = portNumber(port.number);
    if (n === undefined) {
      reject('number must be 1-65535', [...path, set[0], 'destinationPort', 'number']);
      return undefined;
    }
    return { index, path, protocol, port: n };
  }
  const range = port.range;
  return readRange(isPlainObject(range) ? range.start : undefined, isPlainObject(range) ? range.end : undefined, protocol, index, path, [...path, set[0], 'destinationPort', 'range'], problems);
}

/** The CIDRs of the valid policies' `networks` peers: where address ranges must be cut for exact answers. */
export function clusterNetworkRanges(policies: readonly ClusterPolicy[]): IpRange[] {
  const out: IpRange[] = [];
  for (const p of policies) {
    if (!p.valid) continue;
    for (const rule of p.egress) for (const peer of rule.peers) if (peer.type === 'networks') for (const n of peer.networks) out.push(n.range);
  }
  return out;
}
