// NetworkPolicy (networking.k8s.io/v1) read into a normalized form, with the problems that make the API server
// reject it. Reference: https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
import { contains, formatRangeAsCidr, hasLeadingZeroOctet, parseCidr, type IpRange } from './cidr';
import { dnsSubdomainProblem, hasNonStringLabel, metadataProblems, namespaceProblem } from './names';
import { isPlainObject, type K8sObject } from './parse';
import { EVERYTHING, readSelector, type LabelSelector } from './selectors';
import type { Protocol, Severity } from './types';

export type Direction = 'ingress' | 'egress';
export type Path = readonly (string | number)[];

export interface PodPeer {
  type: 'pods';
  index: number;
  path: Path;
  /** Absent: the policy's own namespace. */
  namespaceSelector?: LabelSelector;
  /** Absent: every pod of the selected namespaces. */
  podSelector?: LabelSelector;
}

export interface IpBlockPeer {
  type: 'ipBlock';
  index: number;
  path: Path;
  cidrText: string;
  cidr: IpRange;
  except: IpRange[];
}

export type Peer = PodPeer | IpBlockPeer;

export interface PortSpec {
  index: number;
  path: Path;
  protocol: Protocol;
  /** Absent: every port of the protocol. */
  port?: number | string;
  endPort?: number;
}

export interface PolicyRule {
  direction: Direction;
  index: number;
  path: Path;
  /** Absent (or empty in the manifest): every peer, the outside world included. */
  peers?: Peer[];
  /** Absent (or empty in the manifest): every port and protocol. */
  ports?: PortSpec[];
}

export interface PolicyProblem {
  code: string;
  severity: Severity;
  message: string;
  /** Path below the policy object's node. */
  path: Path;
  /** Whether the API server rejects the policy for this problem. */
  rejected: boolean;
}

export interface NetworkPolicy {
  object: K8sObject;
  name: string;
  namespace: string;
  podSelector: LabelSelector;
  /** Effective policy types: omitted policyTypes means Ingress, plus Egress when spec.egress has rules. */
  types: { ingress: boolean; egress: boolean };
  policyTypesExplicit: boolean;
  ingress: PolicyRule[];
  egress: PolicyRule[];
  problems: PolicyProblem[];
  /**
   * False when the policy has no effect in the cluster: the API server rejects it, or a later definition of the
   * same namespace/name replaces it (`supersededBy`). It is then left out of the analysis.
   */
  valid: boolean;
  /** The later definition of the same namespace/name that replaces this one when the files are applied. */
  supersededBy?: NetworkPolicy;
}

const PROTOCOL_NAMES = new Set(['TCP', 'UDP', 'SCTP']);
// IANA_SVC_NAME: at most 15 characters, lowercase alphanumerics and '-', a letter somewhere, no '--', no edge '-'.
const SERVICE_PORT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * CIDRs read so far, by text: policies repeat a few blocks (0.0.0.0/0, the private ranges), and parsing one costs
 * tens of microseconds on a cold start. Ranges are immutable, so policies may share them.
 */
const cidrsByText = new Map<string, IpRange | string>();
const MAX_CACHED_CIDRS = 4096;

function cachedCidr(text: string): IpRange | string {
  let range = cidrsByText.get(text);
  if (range === undefined) {
    if (cidrsByText.size >= MAX_CACHED_CIDRS) cidrsByText.clear();
    range = parseCidr(text);
    cidrsByText.set(text, range);
  }
  return range;
}

export function isValidPortName(name: string): boolean {
  return SERVICE_PORT_NAME.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

export function readNetworkPolicy(object: K8sObject, namespace: string): NetworkPolicy {
  const problems: PolicyProblem[] = [];
  const reject = (code: string, message: string, path: Path) =>
    problems.push({ code, severity: 'error', message, path, rejected: true });
  const value = object.value;
  const spec = value.spec;
  const policy: NetworkPolicy = {
    object,
    name: object.name,
    namespace,
    podSelector: EVERYTHING,
    types: { ingress: true, egress: false },
    policyTypesExplicit: false,
    ingress: [],
    egress: [],
    problems,
    valid: true,
  };
  if (!object.name) reject('invalid-object', 'a NetworkPolicy needs metadata.name', ['metadata']);
  // ValidateNetworkPolicy: ValidateObjectMeta with ValidateNetworkPolicyName (a DNS subdomain).
  for (const problem of metadataProblems(value, dnsSubdomainProblem)) reject('invalid-object', problem.message, problem.path);
  const badNamespace = namespaceProblem(namespace);
  if (badNamespace) reject('invalid-object', badNamespace, ['metadata', 'namespace']);
  // Reported by the unquoted-label-value rule (with its quick fix); the API server rejects the object all the same.
  if (hasNonStringLabel(value.metadata)) reject('unquoted-label-value', 'a label value is not a string', ['metadata', 'labels']);
  if (spec === undefined || spec === null) {
    reject('unknown-field', 'a NetworkPolicy needs a spec (with at least podSelector: {})', spec === null ? ['spec'] : []);
    policy.valid = false;
    return policy;
  }
  if (!isPlainObject(spec)) {
    reject('unknown-field', 'spec must be a map', ['spec']);
    policy.valid = false;
    return policy;
  }

  const podSelector = spec.podSelector;
  if (podSelector !== undefined && podSelector !== null) {
    policy.podSelector = readSelectorWithProblems(podSelector, ['spec', 'podSelector'], problems);
  }

  const ingress = readRules('ingress', spec.ingress, problems);
  const egress = readRules('egress', spec.egress, problems);
  policy.ingress = ingress;
  policy.egress = egress;

  const policyTypes = spec.policyTypes;
  if (policyTypes === undefined || policyTypes === null) {
    policy.types = { ingress: true, egress: egress.length > 0 };
  } else if (!Array.isArray(policyTypes)) {
    reject('unknown-field', 'policyTypes must be a list of Ingress and/or Egress', ['spec', 'policyTypes']);
    policy.types = { ingress: true, egress: egress.length > 0 };
  } else if (policyTypes.length > 2) {
    // ValidateNetworkPolicySpec: "may not specify more than two policyTypes" (even [Ingress, Egress, Ingress]).
    reject('unknown-field', `policyTypes lists ${policyTypes.length} entries; the API server accepts at most two (Ingress and Egress)`, ['spec', 'policyTypes']);
    policy.policyTypesExplicit = true;
  } else {
    policy.policyTypesExplicit = true;
    const types = { ingress: false, egress: false };
    policyTypes.forEach((t, i) => {
      if (t === 'Ingress') types.ingress = true;
      else if (t === 'Egress') types.egress = true;
      else reject('unknown-field', `unknown policy type ${JSON.stringify(t)}: use Ingress or Egress`, ['spec', 'policyTypes', i]);
    });
    // An explicitly empty list is defaulted by the API server as if omitted.
    policy.types = policyTypes.length === 0 ? { ingress: true, egress: egress.length > 0 } : types;
  }
  policy.valid = !problems.some((p) => p.rejected);
  return policy;
}

function readSelectorWithProblems(value: unknown, path: Path, problems: PolicyProblem[]): LabelSelector {
  const selector = readSelector(value);
  for (const p of selector.problems) {
    problems.push({ code: 'invalid-label-selector', severity: 'error', message: p.message, path: [...path, ...p.path], rejected: true });
  }
  return selector;
}

function readRules(direction: Direction, value: unknown, problems: PolicyProblem[]): PolicyRule[] {
  if (value === undefined || value === null) return [];
  const path: Path = ['spec', direction];
  if (!Array.isArray(value)) {
    problems.push({ code: 'unknown-field', severity: 'error', message: `${direction} must be a list of rules`, path, rejected: true });
    return [];
  }
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  return value.map((raw, index): PolicyRule => {
    const rulePath = [...path, index];
    const rule: PolicyRule = { direction, index, path: rulePath };
    if (raw === null || raw === undefined) return rule; // `- {}` written as `-`: allows everything
    if (!isPlainObject(raw)) {
      problems.push({ code: 'unknown-field', severity: 'error', message: `each ${direction} rule must be a map`, path: rulePath, rejected: true });
      rule.peers = [];
      return rule;
    }
    const peers = raw[peerKey];
    if (peers !== undefined && peers !== null) {
      if (!Array.isArray(peers)) {
        problems.push({ code: 'unknown-field', severity: 'error', message: `${peerKey} must be a list of peers`, path: [...rulePath, peerKey], rejected: true });
        rule.peers = [];
      } else if (peers.length > 0) {
        rule.peers = [];
        for (let i = 0; i < peers.length; i++) {
          const peer = readPeer(peers[i], i, [...rulePath, peerKey, i], problems);
          if (peer) rule.peers.push(peer);
        }
      }
    }
    const ports = raw.ports;
    if (ports !== undefined && ports !== null) {
      if (!Array.isArray(ports)) {
        problems.push({ code: 'unknown-field', severity: 'error', message: 'ports must be a list of {protocol, port, endPort}', path: [...rulePath, 'ports'], rejected: true });
        rule.ports = [];
      } else if (ports.length > 0) {
        rule.ports = [];
        for (let i = 0; i < ports.length; i++) {
          const port = readPort(ports[i], i, [...rulePath, 'ports', i], problems);
          if (port) rule.ports.push(port);
        }
      }
    }
    return rule;
  });
}

/** The peer, or undefined when the API server rejects it (the problem is recorded). */
function readPeer(raw: unknown, index: number, path: Path, problems: PolicyProblem[]): Peer | undefined {
  const reject = (code: string, message: string, at: Path = path) =>
    problems.push({ code, severity: 'error', message, path: at, rejected: true });
  if (!isPlainObject(raw)) {
    reject('empty-peer', 'a peer must be a map with podSelector, namespaceSelector or ipBlock');
    return undefined;
  }
  const hasPod = raw.podSelector !== undefined && raw.podSelector !== null;
  const hasNs = raw.namespaceSelector !== undefined && raw.namespaceSelector !== null;
  const hasIp = raw.ipBlock !== undefined && raw.ipBlock !== null;
  if (!hasPod && !hasNs && !hasIp) {
    reject('empty-peer', 'this peer has no podSelector, namespaceSelector or ipBlock; the API server rejects it (to allow every pod in the namespace, write podSelector: {})');
    return undefined;
  }
  if (hasIp) {
    if (hasPod || hasNs) {
      reject('empty-peer', 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer; write them as separate peers');
      return undefined;
    }
    const block = raw.ipBlock;
    if (!isPlainObject(block) || typeof block.cidr !== 'string') {
      reject('invalid-cidr', 'ipBlock needs a cidr, for example cidr: 10.0.0.0/8', [...path, 'ipBlock']);
      return undefined;
    }
    const cidr = cachedCidr(block.cidr);
    if (typeof cidr === 'string') {
      reject('invalid-cidr', cidr, [...path, 'ipBlock', 'cidr']);
      return undefined;
    }
    warnLeadingZeros(block.cidr, cidr, [...path, 'ipBlock', 'cidr'], problems);
    const except: IpRange[] = [];
    const exceptRaw = block.except;
    if (exceptRaw !== undefined && exceptRaw !== null) {
      if (!Array.isArray(exceptRaw)) reject('invalid-cidr', 'except must be a list of CIDRs', [...path, 'ipBlock', 'except']);
      else
        exceptRaw.forEach((e, i) => {
          const at = [...path, 'ipBlock', 'except', i];
          const r = typeof e === 'string' ? cachedCidr(e) : `except entries must be CIDR strings`;
          if (typeof r === 'string') {
            reject('invalid-cidr', r, at);
            return;
          }
          warnLeadingZeros(e as string, r, at, problems);
          if (!contains(cidr, r) || (r.lo === cidr.lo && r.hi === cidr.hi)) {
            reject('except-outside-cidr', `except ${e} is not strictly inside ${block.cidr}; the API server rejects it`, at);
          } else except.push(r);
        });
    }
    return { type: 'ipBlock', index, path, cidrText: block.cidr, cidr, except };
  }
  const peer: PodPeer = { type: 'pods', index, path };
  if (hasPod) peer.podSelector = readSelectorWithProblems(raw.podSelector, [...path, 'podSelector'], problems);
  if (hasNs) peer.namespaceSelector = readSelectorWithProblems(raw.namespaceSelector, [...path, 'namespaceSelector'], problems);
  return peer;
}

/**
 * A warning for an IPv4 CIDR with leading zeros (`010.1.0.0/16`): the API server reads the octets as decimal
 * (netutils.ParseCIDRSloppy), and so does the analysis, but inet_aton, ipaddr.js and some CNIs' tools read them as
 * octal.
 */
function warnLeadingZeros(text: string, range: IpRange, path: Path, problems: PolicyProblem[]): void {
  if (!hasLeadingZeroOctet(text)) return;
  const decimal = formatRangeAsCidr(range);
  problems.push({
    code: 'invalid-cidr',
    severity: 'warning',
    message: `${text} has octets with leading zeros: the API server reads them as decimal (${decimal}), other tools as octal; write ${decimal}`,
    path,
    rejected: false,
  });
}

/** The port, or undefined when the API server rejects it (the problem is recorded). */
function readPort(raw: unknown, index: number, path: Path, problems: PolicyProblem[]): PortSpec | undefined {
  const reject = (code: string, message: string, at: Path = path) =>
    problems.push({ code, severity: 'error', message, path: at, rejected: true });
  if (!isPlainObject(raw)) {
    reject('unknown-field', 'each port must be a map with protocol, port and optionally endPort');
    return undefined;
  }
  let protocol: Protocol = 'TCP';
  if (raw.protocol !== undefined && raw.protocol !== null) {
    if (typeof raw.protocol !== 'string' || !PROTOCOL_NAMES.has(raw.protocol)) {
      reject('invalid-port', `unknown protocol ${JSON.stringify(raw.protocol)}: use TCP, UDP or SCTP`, [...path, 'protocol']);
      return undefined;
    }
    protocol = raw.protocol as Protocol;
  }
  const spec: PortSpec = { index, path, protocol };
  const port = raw.port;
  if (port !== undefined && port !== null) {
    if (typeof port === 'number') {
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        reject('invalid-port', `port ${port} is out of range: ports are 1-65535`, [...path, 'port']);
        return undefined;
      }
      spec.port = port;
    } else if (typeof port === 'string') {
      if (/^\d+$/.test(port)) {
        reject('invalid-port', `port "${port}" is a string; write it as a number (without quotes) or use a container port name`, [...path, 'port']);
        return undefined;
      }
      if (!isValidPortName(port)) {
        reject('invalid-port', `"${port}" is not a valid port name (at most 15 lowercase letters, digits and '-', with at least one letter)`, [...path, 'port']);
        return undefined;
      }
      spec.port = port;
    } else {
      reject('invalid-port', 'port must be a number or a container port name', [...path, 'port']);
      return undefined;
    }
  }
  const endPort = raw.endPort;
  if (endPort !== undefined && endPort !== null) {
    if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort < 1 || endPort > 65535) {
      reject('invalid-port-range', `endPort must be a port number 1-65535`, [...path, 'endPort']);
      return undefined;
    }
    if (spec.port === undefined) {
      reject('invalid-port-range', 'endPort needs a numeric port as the start of the range', [...path, 'endPort']);
      return undefined;
    }
    if (typeof spec.port === 'string') {
      reject('invalid-port-range', `endPort cannot be used with the named port "${spec.port}"`, [...path, 'endPort']);
      return undefined;
    }
    if (endPort < spec.port) {
      reject('invalid-port-range', `endPort ${endPort} is below port ${spec.port}`, [...path, 'endPort']);
      return undefined;
    }
    spec.endPort = endPort;
  }
  return spec;
}
