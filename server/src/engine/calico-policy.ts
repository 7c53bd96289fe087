// Calico's policy objects read into one normalized form, with the problems Calico's validator rejects them for:
// projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy, their Staged* variants, NetworkSet, GlobalNetworkSet and
// Tier, and the same specs under crd.projectcalico.org/v1 (`kubectl get -o yaml` of a Calico cluster, where older
// data names default-tier policies `default.<name>`: the prefix is stripped as Calico's determinePolicyName does).
// References: Calico docs reference/resources (networkpolicy, globalnetworkpolicy, tier, networkset, _rule.mdx,
// _entityrule.mdx, _ports.mdx) and libcalico-go lib/validator/v3/validator.go; ../shared/policy-dialects.md §A.
import { parseCidr, parseIp, type IpRange } from './cidr';
import { parseCalicoSelector, type CalicoSelector } from './calico-selector';
import { isPlainObject, type K8sObject } from './parse';
import type { Direction, Path, PolicyProblem } from './policy';
import type { Protocol } from './types';

export const CALICO_GROUPS = ['projectcalico.org', 'crd.projectcalico.org'] as const;
export type CalicoPolicyKind = 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy' | 'StagedKubernetesNetworkPolicy';
const POLICY_KINDS = new Set<string>(['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy']);
export type CalicoObjectKind = CalicoPolicyKind | 'NetworkSet' | 'GlobalNetworkSet' | 'Tier';
/** Calico kinds netpol reads (the others, such as HostEndpoint or Profile, stay unanalysed). */
export const CALICO_ANALYSED_KINDS: readonly CalicoObjectKind[] = [...(POLICY_KINDS as Set<CalicoPolicyKind>), 'NetworkSet', 'GlobalNetworkSet', 'Tier'];

export type CalicoAction = 'allow' | 'deny' | 'log' | 'pass';

/** Whether an object is a Calico object read here (by kind and API group). */
export function isCalicoObject(o: { kind: string; apiVersion: string }): boolean {
  const group = o.apiVersion.split('/')[0];
  return (group === 'projectcalico.org' || group === 'crd.projectcalico.org') && (CALICO_ANALYSED_KINDS as readonly string[]).includes(o.kind);
}

export function isCalicoPolicyObject(o: { kind: string; apiVersion: string }): boolean {
  return isCalicoObject(o) && POLICY_KINDS.has(o.kind);
}

/** A selector as written, with its parse (absent when invalid: the problem says where). */
export interface CalicoSelectorField {
  text: string;
  selector?: CalicoSelector;
  path: Path;
}

/** A port of a rule: a number or range, or a named port (resolved on the destination, or the source for source ports). */
export type CalicoPort = { type: 'range'; from: number; to: number; text: string } | { type: 'named'; name: string };

/** A protocol as Calico names it: the verdict space holds TCP, UDP and SCTP; the others (ICMP, numbers…) never match it. */
export interface CalicoProtocol {
  text: string;
  /** The protocol in netpol's verdict space, absent for ICMP, ICMPv6, UDPLite and other numbers. */
  protocol?: Protocol;
}

export interface CalicoEntity {
  path: Path;
  nets?: { text: string; range: IpRange }[];
  notNets?: { text: string; range: IpRange }[];
  selector?: CalicoSelectorField;
  notSelector?: CalicoSelectorField;
  namespaceSelector?: CalicoSelectorField;
  serviceAccounts?: { names?: string[]; selector?: CalicoSelectorField };
  /** `services`: a Kubernetes Service's endpoints (matched through its pod selector). */
  services?: { name: string; namespace?: string };
  ports?: CalicoPort[];
  notPorts?: CalicoPort[];
}

export interface CalicoRule {
  direction: Direction;
  index: number;
  path: Path;
  action: CalicoAction;
  actionText: string;
  protocol?: CalicoProtocol;
  notProtocol?: CalicoProtocol;
  /** icmp / notICMP set: the rule concerns ICMP only, outside the verdict space. */
  icmp: boolean;
  ipVersion?: 4 | 6;
  source: CalicoEntity;
  destination: CalicoEntity;
  /** Fields netpol does not analyse on this rule (http): verdicts it decides are uncertain. */
  unanalysed: string[];
}

export interface CalicoPolicy {
  kind: CalicoPolicyKind;
  object: K8sObject;
  /** The name without the `default.` (or `<tier>.`) prefix of older data. */
  name: string;
  /** Namespaced kinds: the namespace; global kinds: undefined. */
  namespace?: string;
  global: boolean;
  staged: boolean;
  tier: string;
  /** Absent: after every policy with an order (+∞). */
  order?: number;
  selector: CalicoSelectorField;
  namespaceSelector?: CalicoSelectorField;
  serviceAccountSelector?: CalicoSelectorField;
  types: { ingress: boolean; egress: boolean };
  typesExplicit: boolean;
  ingress: CalicoRule[];
  egress: CalicoRule[];
  /** Spec fields netpol does not analyse (doNotTrack, preDNAT, applyOnForward, performanceHints). */
  unanalysed: string[];
  problems: CalicoProblem[];
  valid: boolean;
}

export interface CalicoProblem extends PolicyProblem {
  /** For selector errors: offsets inside the selector string. */
  inner?: { start: number; end: number };
}

export interface CalicoNetworkSet {
  kind: 'NetworkSet' | 'GlobalNetworkSet';
  object: K8sObject;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  nets: { text: string; range: IpRange }[];
  problems: CalicoProblem[];
  valid: boolean;
}

export interface CalicoTier {
  object?: K8sObject;
  name: string;
  /** Absent: after every tier with an order. */
  order?: number;
  defaultAction: 'Deny' | 'Pass';
  problems: CalicoProblem[];
  valid: boolean;
}

const PROTOCOL_NAMES: Record<string, Protocol | undefined> = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP', ICMP: undefined, ICMPV6: undefined, UDPLITE: undefined };
const PROTOCOL_NUMBERS: Record<number, Protocol> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };
const ACTIONS: Record<string, CalicoAction> = { Allow: 'allow', Deny: 'deny', Log: 'log', Pass: 'pass' };
const NAME_PORT = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

function stringLabels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(value)) return out;
  for (const k of Object.keys(value)) if (value[k] !== null && typeof value[k] !== 'object') out[k] = String(value[k]);
  return out;
}

/**
 * Calico's name of a policy: CRD data names default-tier policies `default.x` (resources.go determinePolicyName),
 * and before calico#11232 a policy of another tier had to be named `<tier>.x`; both prefixes are dropped.
 */
export function stripTierPrefix(name: string, tier: string, group: string): string {
  if ((group === 'crd.projectcalico.org' || tier !== 'default') && name.startsWith(`${tier}.`)) return name.slice(tier.length + 1);
  return name;
}

class Reader {
  readonly problems: CalicoProblem[] = [];
  reject(message: string, path: Path, inner?: { start: number; end: number }): void {
    this.problems.push({ code: 'invalid-calico-policy', severity: 'error', message, path, rejected: true, ...(inner ? { inner } : {}) });
  }
  warn(message: string, path: Path): void {
    this.problems.push({ code: 'invalid-calico-policy', severity: 'warning', message, path, rejected: false });
  }

  selector(value: unknown, path: Path): CalicoSelectorField | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.reject('a selector is a string such as "app == \'web\'"', path);
      return undefined;
    }
    const parsed = parseCalicoSelector(value);
    if (!parsed.ok) {
      this.reject(`invalid selector: ${parsed.error.message}`, path, { start: parsed.error.start, end: parsed.error.end });
      return { text: value, path };
    }
    return { text: value, selector: parsed.selector, path };
  }

  nets(value: unknown, path: Path): { text: string; range: IpRange }[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.reject('nets is a list of CIDRs', path);
      return undefined;
    }
    const out: { text: string; range: IpRange }[] = [];
    value.forEach((v, i) => {
      const text = typeof v === 'string' ? v : String(v);
      const range = text.includes('/') ? parseCidr(text) : (parseIp(text) ?? `"${text}" is not an IP address or CIDR`);
      if (typeof range === 'string') this.reject(range, [...path, i]);
      else out.push({ text, range });
    });
    return out;
  }

  ports(value: unknown, path: Path): CalicoPort[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.reject('ports is a list of numbers, "from:to" ranges or port names', path);
      return undefined;
    }
    const out: CalicoPort[] = [];
    value.forEach((v, i) => {
      const p = [...path, i];
      if (typeof v === 'number') {
        if (!Number.isInteger(v) || v < 0 || v > 65535) this.reject(`port ${v} is out of range 0-65535`, p);
        else out.push({ type: 'range', from: v, to: v, text: String(v) });
        return;
      }
      if (typeof v !== 'string') return this.reject('a port is a number, a "from:to" range or a name', p);
      const range = /^(\d+):(\d+)$/.exec(v);
      if (range) {
        const from = Number(range[1]);
        const to = Number(range[2]);
        if (from > 65535 || to > 65535 || from > to) this.reject(`port range "${v}" must run from a lower to a higher port within 0-65535`, p);
        else out.push({ type: 'range', from, to, text: v });
      } else if (/^\d+$/.test(v)) {
        const n = Number(v);
        if (n > 65535) this.reject(`port ${v} is out of range 0-65535`, p);
        else out.push({ type: 'range', from: n, to: n, text: v });
      } else if (NAME_PORT.test(v) && v.length <= 128) out.push({ type: 'named', name: v });
      else this.reject(`"${v}" is not a port, a "from:to" range or a port name`, p);
    });
    return out;
  }

  protocol(value: unknown, path: Path): CalicoProtocol | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < 1 || value > 255) {
        this.reject(`protocol number ${value} is out of range 1-255`, path);
        return undefined;
      }
      return { text: String(value), protocol: PROTOCOL_NUMBERS[value] };
    }
    if (typeof value === 'string') {
      const upper = value.toUpperCase();
      if (upper in PROTOCOL_NAMES && (value === upper || value === 'ICMPv6' || value === 'UDPLite')) return { text: value, protocol: PROTOCOL_NAMES[upper] };
      if (/^\d+$/.test(value)) return this.protocol(Number(value), path);
    }
    this.reject(`unknown protocol ${JSON.stringify(value)}: use TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255`, path);
    return undefined;
  }

  entity(value: unknown, path: Path, direction: Direction, side: 'source' | 'destination'): CalicoEntity {
    const entity: CalicoEntity = { path };
    if (value === undefined || value === null) return entity;
    if (!isPlainObject(value)) {
      this.reject(`${side} is an object (nets, selector, ports…)`, path);
      return entity;
    }
    const known = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'serviceAccounts', 'services', 'ports', 'notPorts'];
    for (const k of Object.keys(value)) if (!known.includes(k)) this.reject(`unknown field "${k}" in ${side}`, [...path, k]);
    entity.nets = this.nets(value.nets, [...path, 'nets']);
    entity.notNets = this.nets(value.notNets, [...path, 'notNets']);
    entity.selector = this.selector(value.selector, [...path, 'selector']);
    entity.notSelector = this.selector(value.notSelector, [...path, 'notSelector']);
    entity.namespaceSelector = this.selector(value.namespaceSelector, [...path, 'namespaceSelector']);
    entity.ports = this.ports(value.ports, [...path, 'ports']);
    entity.notPorts = this.ports(value.notPorts, [...path, 'notPorts']);
    const sa = value.serviceAccounts;
    if (isPlainObject(sa)) {
      const names = Array.isArray(sa.names) ? sa.names.map(String) : undefined;
      entity.serviceAccounts = { names, selector: this.selector(sa.selector, [...path, 'serviceAccounts', 'selector']) };
    } else if (sa !== undefined && sa !== null) this.reject('serviceAccounts is an object with names and/or selector', [...path, 'serviceAccounts']);
    const services = value.services;
    if (isPlainObject(services)) {
      if (typeof services.name !== 'string' || !services.name) this.reject('services needs a name', [...path, 'services']);
      else entity.services = { name: services.name, namespace: typeof services.namespace === 'string' ? services.namespace : undefined };
      // Validator: a services match excludes the other matches on that side (egress destination: all; ingress source: all but ports).
      const others = Object.keys(value).filter((k) => k !== 'services' && !(direction === 'ingress' && side === 'source' && (k === 'ports' || k === 'notPorts')));
      if (others.length > 0) this.reject(`a ${side} with services cannot also set ${others.join(', ')}`, [...path, 'services']);
    }
    return entity;
  }

  rule(value: unknown, direction: Direction, index: number, path: Path): CalicoRule | undefined {
    if (!isPlainObject(value)) {
      this.reject(`${direction} rule ${index + 1} is not an object`, path);
      return undefined;
    }
    const actionText = value.action;
    const action = typeof actionText === 'string' ? ACTIONS[actionText] : undefined;
    if (!action) this.reject(actionText === undefined ? 'a rule needs an action: Allow, Deny, Log or Pass' : `unknown action ${JSON.stringify(actionText)}: use Allow, Deny, Log or Pass`, actionText === undefined ? path : [...path, 'action']);
    const known = ['action', 'protocol', 'notProtocol', 'icmp', 'notICMP', 'ipVersion', 'source', 'destination', 'http', 'metadata'];
    for (const k of Object.keys(value)) if (!known.includes(k)) this.reject(`unknown field "${k}" in a rule`, [...path, k]);
    const protocol = this.protocol(value.protocol, [...path, 'protocol']);
    const notProtocol = this.protocol(value.notProtocol, [...path, 'notProtocol']);
    const icmp = value.icmp !== undefined || value.notICMP !== undefined;
    if (value.icmp !== undefined && !(protocol?.text === 'ICMP' || protocol?.text === 'ICMPv6' || protocol?.text === '1' || protocol?.text === '58')) {
      this.reject('icmp needs protocol ICMP or ICMPv6', [...path, 'icmp']);
    }
    let ipVersion: 4 | 6 | undefined;
    if (value.ipVersion !== undefined) {
      if (value.ipVersion === 4 || value.ipVersion === 6) ipVersion = value.ipVersion;
      else this.reject('ipVersion is 4 or 6', [...path, 'ipVersion']);
    }
    const source = this.entity(value.source, [...path, 'source'], direction, 'source');
    const destination = this.entity(value.destination, [...path, 'destination'], direction, 'destination');
    // Validator (validator.go validateRule): numeric ports need a protocol that has ports.
    for (const [side, entity] of [['source', source], ['destination', destination]] as const) {
      const numeric = [...(entity.ports ?? []), ...(entity.notPorts ?? [])].some((p) => p.type === 'range');
      if (numeric && !(protocol && ['TCP', 'UDP', 'SCTP', 'UDPLite', '6', '17', '132', '136'].includes(protocol.text))) {
        this.reject(`${side} ports need protocol TCP, UDP or SCTP`, [...entity.path, entity.ports ? 'ports' : 'notPorts']);
      }
    }
    const unanalysed = value.http !== undefined ? ['http'] : [];
    return { direction, index, path, action: action ?? 'deny', actionText: String(actionText), protocol, notProtocol, icmp, ipVersion, source, destination, unanalysed };
  }
}

export function readCalicoPolicy(object: K8sObject, namespace: string): CalicoPolicy {
  const kind = object.kind as CalicoPolicyKind;
  const group = object.apiVersion.split('/')[0];
  const global = kind === 'GlobalNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
  const r = new Reader();
  const spec = isPlainObject(object.value.spec) ? object.value.spec : {};
  if (!isPlainObject(object.value.spec) && object.value.spec !== undefined) r.reject('spec is an object', ['spec']);
  const tier = typeof spec.tier === 'string' && spec.tier ? spec.tier : 'default';
  const policy: CalicoPolicy = {
    kind,
    object,
    name: stripTierPrefix(object.name, tier, group),
    namespace: global ? undefined : namespace,
    global,
    staged: kind.startsWith('Staged'),
    tier,
    selector: { text: 'all()', selector: { type: 'all', start: 0, end: 0 }, path: ['spec'] },
    types: { ingress: true, egress: false },
    typesExplicit: false,
    ingress: [],
    egress: [],
    unanalysed: [],
    problems: r.problems,
    valid: true,
  };
  if (!object.name) r.reject(`a ${kind} needs metadata.name`, ['metadata']);
  if (kind === 'StagedKubernetesNetworkPolicy') {
    // A staged Kubernetes NetworkPolicy carries a networking.k8s.io spec; staged policies are never enforced anyway.
    policy.valid = r.problems.every((p) => !p.rejected);
    return policy;
  }
  if (spec.order !== undefined && spec.order !== null) {
    if (typeof spec.order === 'number' && Number.isFinite(spec.order)) policy.order = spec.order;
    else r.reject('order is a number (lower first)', ['spec', 'order']);
  }
  if (spec.selector !== undefined) policy.selector = r.selector(spec.selector, ['spec', 'selector']) ?? policy.selector;
  if (global) policy.namespaceSelector = r.selector(spec.namespaceSelector, ['spec', 'namespaceSelector']);
  else if (spec.namespaceSelector !== undefined) r.reject('namespaceSelector is a GlobalNetworkPolicy field; a NetworkPolicy applies in its own namespace', ['spec', 'namespaceSelector']);
  policy.serviceAccountSelector = r.selector(spec.serviceAccountSelector, ['spec', 'serviceAccountSelector']);
  const rules = (direction: Direction): CalicoRule[] => {
    const list = spec[direction];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) {
      r.reject(`${direction} is a list of rules`, ['spec', direction]);
      return [];
    }
    return list.map((v, i) => r.rule(v, direction, i, ['spec', direction, i])).filter((x): x is CalicoRule => x !== undefined);
  };
  policy.ingress = rules('ingress');
  policy.egress = rules('egress');
  if (spec.types !== undefined && spec.types !== null) {
    if (!Array.isArray(spec.types) || spec.types.some((t) => t !== 'Ingress' && t !== 'Egress')) r.reject('types is a list of Ingress and/or Egress', ['spec', 'types']);
    else {
      policy.typesExplicit = true;
      policy.types = { ingress: spec.types.includes('Ingress'), egress: spec.types.includes('Egress') };
      for (const direction of ['ingress', 'egress'] as const) {
        if (!policy.types[direction] && policy[direction].length > 0) r.warn(`${direction} rules are ignored: types does not list ${direction === 'ingress' ? 'Ingress' : 'Egress'}`, ['spec', direction]);
      }
    }
  } else {
    // Docs (networkpolicy.mdx, types): no egress rules → [Ingress]; egress rules only → [Egress]; both → both.
    const hasIngress = policy.ingress.length > 0;
    const hasEgress = policy.egress.length > 0;
    policy.types = { ingress: hasIngress || !hasEgress, egress: hasEgress };
  }
  for (const field of ['doNotTrack', 'preDNAT', 'applyOnForward', 'performanceHints'] as const) {
    if (spec[field] !== undefined && spec[field] !== false && !(Array.isArray(spec[field]) && spec[field].length === 0)) policy.unanalysed.push(field);
  }
  if (!global && (spec.doNotTrack || spec.preDNAT || spec.applyOnForward)) r.reject('doNotTrack, preDNAT and applyOnForward are GlobalNetworkPolicy fields', ['spec']);
  const known = ['tier', 'order', 'selector', 'namespaceSelector', 'serviceAccountSelector', 'types', 'ingress', 'egress', 'doNotTrack', 'preDNAT', 'applyOnForward', 'performanceHints', 'stagedAction'];
  for (const k of Object.keys(spec)) if (!known.includes(k)) r.reject(`unknown field "${k}" in spec`, ['spec', k]);
  policy.valid = r.problems.every((p) => !p.rejected);
  return policy;
}

export function readCalicoNetworkSet(object: K8sObject, namespace: string): CalicoNetworkSet {
  const r = new Reader();
  const kind = object.kind as 'NetworkSet' | 'GlobalNetworkSet';
  const spec = isPlainObject(object.value.spec) ? object.value.spec : {};
  const meta = isPlainObject(object.value.metadata) ? object.value.metadata : {};
  const nets = r.nets(spec.nets, ['spec', 'nets']) ?? [];
  if (!object.name) r.reject(`a ${kind} needs metadata.name`, ['metadata']);
  return {
    kind,
    object,
    name: object.name,
    namespace: kind === 'NetworkSet' ? namespace : undefined,
    labels: stringLabels(meta.labels),
    nets,
    problems: r.problems,
    valid: r.problems.every((p) => !p.rejected),
  };
}

export function readCalicoTier(object: K8sObject): CalicoTier {
  const r = new Reader();
  const spec = isPlainObject(object.value.spec) ? object.value.spec : {};
  const tier: CalicoTier = { object, name: object.name, defaultAction: 'Deny', problems: r.problems, valid: true };
  if (spec.order !== undefined && spec.order !== null) {
    if (typeof spec.order === 'number' && Number.isFinite(spec.order)) tier.order = spec.order;
    else r.reject('order is a number (lower first)', ['spec', 'order']);
  }
  if (spec.defaultAction !== undefined) {
    if (spec.defaultAction === 'Deny' || spec.defaultAction === 'Pass') tier.defaultAction = spec.defaultAction;
    else r.reject('defaultAction is Deny or Pass', ['spec', 'defaultAction']);
  }
  if (!object.name) r.reject('a Tier needs metadata.name', ['metadata']);
  tier.valid = r.problems.every((p) => !p.rejected);
  return tier;
}

/** Every address range Calico's rules and network sets name: lists and diffs cut the address space at them. */
export function calicoNetworkRanges(objects: { policies: readonly CalicoPolicy[]; networkSets: readonly CalicoNetworkSet[] }): IpRange[] {
  const out: IpRange[] = [];
  for (const p of objects.policies) {
    if (!p.valid || p.staged) continue;
    for (const rule of [...p.ingress, ...p.egress]) {
      for (const e of [rule.source, rule.destination]) for (const n of [...(e.nets ?? []), ...(e.notNets ?? [])]) out.push(n.range);
    }
  }
  for (const s of objects.networkSets) if (s.valid) for (const n of s.nets) out.push(n.range);
  return out;
}
