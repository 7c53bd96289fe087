// Cilium policies (cilium.io/v2 CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy) read into one normalized form,
// with the problems that make Cilium reject a rule. References: Cilium docs security/policy/language.rst, intro.rst,
// deny.rst; pkg/policy/api/rule_validation.go; pkg/k8s/apis/cilium.io/utils/utils.go (namespace added to selectors).
// Notes: ../shared/policy-dialects.md section B. Evaluation: cilium-evaluate.ts.
import { parseCidr, type IpRange } from './cidr';
import { isPlainObject, type K8sObject } from './parse';
import type { Direction, Path, PolicyProblem } from './policy';
import { EVERYTHING, readSelector, type LabelSelector } from './selectors';

export const CILIUM_GROUP = 'cilium.io';
export type CiliumKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';
export const CILIUM_KINDS: readonly CiliumKind[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** Cilium's entities (language.rst "Entities Based"). */
export const CILIUM_ENTITIES = ['host', 'remote-node', 'kube-apiserver', 'ingress', 'cluster', 'init', 'health', 'unmanaged', 'world', 'world-ipv4', 'world-ipv6', 'all'] as const;
export type CiliumEntity = (typeof CILIUM_ENTITIES)[number];
const ENTITY_SET = new Set<string>(CILIUM_ENTITIES);

export const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';

export function isCiliumPolicyObject(o: { kind: string; apiVersion: string }): boolean {
  return (CILIUM_KINDS as readonly string[]).includes(o.kind) && o.apiVersion.startsWith(`${CILIUM_GROUP}/`);
}

/** Which namespace an endpoint selector is limited to: one namespace, any namespace (managed pods only), or as the selector says. */
export type NamespaceScope = { type: 'namespace'; name: string } | { type: 'any-managed' } | { type: 'selector' };

export type CiliumPeer =
  | { type: 'endpoints'; selector: LabelSelector; scope: NamespaceScope; path: Path }
  | { type: 'entity'; entity: CiliumEntity; path: Path }
  | { type: 'cidr'; text: string; range: IpRange; except: IpRange[]; path: Path }
  /** CiliumCIDRGroups by name (cidrGroupRef) or by labels (cidrGroupSelector), resolved against the workspace. */
  | { type: 'cidr-group'; ref?: string; selector?: LabelSelector; except: IpRange[]; path: Path }
  | { type: 'fqdn'; matchName?: string; matchPattern?: string; path: Path }
  | { type: 'service'; serviceName?: string; namespace?: string; path: Path }
  /** fromRequires/toRequires, from/toNodes, from/toGroups: not analysed; verdicts they could change are uncertain. */
  | { type: 'unanalysed'; field: string; path: Path };

export type CiliumProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ANY';

export interface CiliumPort {
  protocol: CiliumProtocol;
  /** Absent or 0: every port. A string is a named port, resolved on the destination pod. */
  port?: number | string;
  endPort?: number;
}

export interface CiliumPortRule {
  ports: CiliumPort[];
  icmps: { family: 'IPv4' | 'IPv6'; type: number | string }[];
  /** The L7 kinds of `rules` (http, kafka, dns, l7proto) and `serverNames`: filter inside an allowed connection. */
  l7: string[];
  path: Path;
}

export interface CiliumElement {
  direction: Direction;
  deny: boolean;
  /** Section name as written: ingress, ingressDeny, egress, egressDeny. */
  section: string;
  index: number;
  path: Path;
  /** Absent: no L3 field (a wildcard when toPorts is set; nothing at all for `{}`). Empty: an explicit empty list, nothing. */
  peers?: CiliumPeer[];
  /** Absent: every port and protocol. */
  toPorts?: CiliumPortRule[];
}

export interface CiliumRule {
  index: number;
  /** Path to the rule: ['spec'] or ['specs', i]. */
  path: Path;
  endpointSelector: LabelSelector;
  /** nodeSelector rules (host firewall) are read but not analysed. */
  nodeSelector: boolean;
  enableDefaultDeny: { ingress?: boolean; egress?: boolean };
  elements: CiliumElement[];
}

export interface CiliumPolicy {
  kind: CiliumKind;
  object: K8sObject;
  name: string;
  /** The CNP's namespace; undefined for CCNP. */
  namespace?: string;
  rules: CiliumRule[];
  problems: PolicyProblem[];
  /** False when Cilium rejects every rule (or the object): left out of the analysis. */
  valid: boolean;
}

const SECTIONS: readonly [string, Direction, boolean][] = [
  ['ingress', 'ingress', false],
  ['ingressDeny', 'ingress', true],
  ['egress', 'egress', false],
  ['egressDeny', 'egress', true],
];

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP', 'ANY']);
const L7_KINDS = ['http', 'kafka', 'dns', 'l7proto', 'l7'];

/** A Cilium selector with its source prefixes (`k8s:`, `any:`) stripped; `reserved:` keys are returned apart. */
function readCiliumSelector(value: unknown): { selector: LabelSelector; reserved: string[] } {
  if (!isPlainObject(value)) return { selector: readSelector(value), reserved: [] };
  const reserved: string[] = [];
  const strip = (key: string): string => key.replace(/^(k8s|any):/, '');
  const copy: Record<string, unknown> = {};
  if (isPlainObject(value.matchLabels)) {
    const ml: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value.matchLabels)) {
      if (k.startsWith('reserved:')) reserved.push(k.slice('reserved:'.length));
      else ml[strip(k)] = v;
    }
    copy.matchLabels = ml;
  } else if (value.matchLabels !== undefined) copy.matchLabels = value.matchLabels;
  if (Array.isArray(value.matchExpressions)) {
    copy.matchExpressions = value.matchExpressions.map((e) => (isPlainObject(e) && typeof e.key === 'string' ? { ...e, key: strip(e.key) } : e));
  } else if (value.matchExpressions !== undefined) copy.matchExpressions = value.matchExpressions;
  return { selector: readSelector(copy), reserved };
}

function namesNamespace(selector: LabelSelector): boolean {
  return selector.requirements.some((r) => r.key === NAMESPACE_LABEL || r.key.startsWith(NAMESPACE_LABELS_PREFIX));
}

export interface CidrGroup {
  name: string;
  labels: Record<string, string>;
  cidrs: IpRange[];
}

/** A CiliumCIDRGroup (cilium.io/v2alpha1 or v2): a named, labelled list of external CIDRs. */
export function readCidrGroup(object: K8sObject): CidrGroup {
  const spec = isPlainObject(object.value.spec) ? object.value.spec : {};
  const meta = isPlainObject(object.value.metadata) ? object.value.metadata : {};
  const labels: Record<string, string> = {};
  if (isPlainObject(meta.labels)) for (const [k, v] of Object.entries(meta.labels)) if (typeof v === 'string') labels[k] = v;
  const cidrs: IpRange[] = [];
  if (Array.isArray(spec.externalCIDRs)) for (const c of spec.externalCIDRs) if (typeof c === 'string') {
    const r = parseCidr(c);
    if (typeof r !== 'string') cidrs.push(r);
  }
  return { name: object.name, labels, cidrs };
}

export function readCiliumPolicy(object: K8sObject): CiliumPolicy {
  const kind = object.kind as CiliumKind;
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  const namespace = clusterwide ? undefined : (object.namespace ?? undefined);
  const problems: PolicyProblem[] = [];
  const problem = (path: Path, message: string, rejects = true, code = 'invalid-cilium-policy'): void => {
    problems.push({ code, severity: rejects ? 'error' : 'information', message, path, rejected: rejects });
  };
  const rules: CiliumRule[] = [];
  const v = object.value;
  const rawRules: [unknown, Path][] = [];
  if (v.spec !== undefined && v.spec !== null) rawRules.push([v.spec, ['spec']]);
  if (v.specs !== undefined && v.specs !== null) {
    if (Array.isArray(v.specs)) v.specs.forEach((s, i) => rawRules.push([s, ['specs', i]]));
    else problem(['specs'], 'specs must be a list of rules');
  }
  if (rawRules.length === 0) problem([], `a ${kind} needs spec or specs`);
  let validRules = 0;
  rawRules.forEach(([raw, path], index) => {
    const before = problems.filter((p) => p.rejected).length;
    const rule = readRule(raw, path, index, namespace, clusterwide, problem);
    if (rule && problems.filter((p) => p.rejected).length === before) {
      rules.push(rule);
      validRules++;
    }
  });
  return { kind, object, name: object.name, namespace, rules, problems, valid: validRules > 0 && rawRules.length === validRules };
}

type Report = (path: Path, message: string, rejects?: boolean, code?: string) => void;

function readRule(raw: unknown, path: Path, index: number, namespace: string | undefined, clusterwide: boolean, problem: Report): CiliumRule | undefined {
  if (!isPlainObject(raw)) {
    problem(path, 'a rule must be a map');
    return undefined;
  }
  let endpointSelector = EVERYTHING;
  let nodeSelector = false;
  if (raw.endpointSelector !== undefined && raw.nodeSelector !== undefined) problem(path, 'a rule takes endpointSelector or nodeSelector, not both');
  if (raw.nodeSelector !== undefined) {
    nodeSelector = true;
    if (!clusterwide) problem([...path, 'nodeSelector'], 'nodeSelector is only allowed in a CiliumClusterwideNetworkPolicy');
    problem([...path, 'nodeSelector'], 'host firewall rules (nodeSelector) are not analysed', false, 'cilium-not-analysed');
  } else if (raw.endpointSelector === undefined) {
    problem(path, 'a rule needs an endpointSelector (or, cluster-wide, a nodeSelector)');
  } else {
    const { selector, reserved } = readCiliumSelector(raw.endpointSelector);
    for (const p of selector.problems) problem([...path, 'endpointSelector', ...p.path], p.message);
    if (reserved.length > 0) problem([...path, 'endpointSelector'], `endpointSelector with reserved:${reserved[0]} selects a non-pod identity: not analysed`, false, 'cilium-not-analysed');
    endpointSelector = selector;
  }
  const dd = raw.enableDefaultDeny;
  const enableDefaultDeny: CiliumRule['enableDefaultDeny'] = {};
  if (isPlainObject(dd)) {
    if (typeof dd.ingress === 'boolean') enableDefaultDeny.ingress = dd.ingress;
    if (typeof dd.egress === 'boolean') enableDefaultDeny.egress = dd.egress;
  }
  const elements: CiliumElement[] = [];
  let sections = 0;
  for (const [section, direction, deny] of SECTIONS) {
    const list = raw[section];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problem([...path, section], `${section} must be a list`);
      continue;
    }
    if (list.length > 0) sections++;
    list.forEach((el, i) => {
      const e = readElement(el, [...path, section, i], direction, deny, section, i, namespace, clusterwide, problem);
      if (e) elements.push(e);
    });
  }
  // rule_validation.go: "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny" (an empty list counts
  // as none: `ingress: []` alone is rejected and enforces nothing).
  if (sections === 0) problem(path, 'Cilium rejects this rule: it needs at least one of ingress, ingressDeny, egress, egressDeny with an entry (`ingress: []` alone enforces nothing; write `ingress: [{}]` for a default deny)');
  return { index, path, endpointSelector, nodeSelector, enableDefaultDeny, elements };
}

function readElement(raw: unknown, path: Path, direction: Direction, deny: boolean, section: string, index: number, namespace: string | undefined, clusterwide: boolean, problem: Report): CiliumElement | undefined {
  if (!isPlainObject(raw)) {
    problem(path, `an ${section} entry must be a map`);
    return undefined;
  }
  const from = direction === 'ingress' ? 'from' : 'to';
  let peers: CiliumPeer[] | undefined;
  const add = (p: CiliumPeer): void => void (peers ??= []).push(p);
  const list = (field: string): unknown[] | undefined => {
    const value = raw[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      problem([...path, field], `${field} must be a list`);
      return undefined;
    }
    peers ??= [];
    return value;
  };
  list(`${from}Endpoints`)?.forEach((s, i) => {
    const p: Path = [...path, `${from}Endpoints`, i];
    const { selector, reserved } = readCiliumSelector(s);
    for (const x of selector.problems) problem([...p, ...x.path], x.message);
    if (reserved.length > 0) {
      for (const r of reserved) if (ENTITY_SET.has(r)) add({ type: 'entity', entity: r as CiliumEntity, path: p });
      return;
    }
    const scope: NamespaceScope = namesNamespace(selector) ? { type: 'selector' } : namespace !== undefined ? { type: 'namespace', name: namespace } : { type: 'any-managed' };
    add({ type: 'endpoints', selector, scope, path: p });
  });
  list(`${from}Entities`)?.forEach((e, i) => {
    const p: Path = [...path, `${from}Entities`, i];
    if (typeof e !== 'string' || !ENTITY_SET.has(e)) problem(p, `unknown entity ${JSON.stringify(e)}: one of ${CILIUM_ENTITIES.join(', ')}`);
    else add({ type: 'entity', entity: e as CiliumEntity, path: p });
  });
  list(`${from}CIDR`)?.forEach((c, i) => {
    const p: Path = [...path, `${from}CIDR`, i];
    const range = typeof c === 'string' ? parseCidr(c.includes('/') ? c : c.includes(':') ? `${c}/128` : `${c}/32`) : 'not a string';
    if (typeof range === 'string') problem(p, `invalid CIDR ${JSON.stringify(c)}: ${range}`);
    else add({ type: 'cidr', text: String(c), range, except: [], path: p });
  });
  list(`${from}CIDRSet`)?.forEach((c, i) => {
    const p: Path = [...path, `${from}CIDRSet`, i];
    if (!isPlainObject(c)) return problem(p, 'a CIDR set entry must be a map with cidr and except');
    const except: IpRange[] = [];
    if (Array.isArray(c.except)) {
      c.except.forEach((x, j) => {
        const r = typeof x === 'string' ? parseCidr(x) : 'not a string';
        if (typeof r === 'string') problem([...p, 'except', j], `invalid except CIDR: ${r}`);
        else except.push(r);
      });
    }
    if (typeof c.cidrGroupRef === 'string') return add({ type: 'cidr-group', ref: c.cidrGroupRef, except, path: p });
    if (c.cidrGroupSelector !== undefined) {
      const { selector } = readCiliumSelector(c.cidrGroupSelector);
      for (const x of selector.problems) problem([...p, 'cidrGroupSelector', ...x.path], x.message);
      return add({ type: 'cidr-group', selector, except, path: p });
    }
    const range = typeof c.cidr === 'string' ? parseCidr(c.cidr) : 'cidr is missing';
    if (typeof range === 'string') return problem(p, `invalid CIDR: ${range}`);
    add({ type: 'cidr', text: String(c.cidr), range, except, path: p });
  });
  if (direction === 'egress') {
    list('toFQDNs')?.forEach((f, i) => {
      const p: Path = [...path, 'toFQDNs', i];
      if (!isPlainObject(f) || (typeof f.matchName !== 'string' && typeof f.matchPattern !== 'string')) return problem(p, 'a toFQDNs entry needs matchName or matchPattern');
      if (deny) return problem(p, 'toFQDNs is not allowed in egressDeny (deny.rst)');
      add({ type: 'fqdn', ...(typeof f.matchName === 'string' ? { matchName: f.matchName.toLowerCase().replace(/\.$/, '') } : {}), ...(typeof f.matchPattern === 'string' ? { matchPattern: f.matchPattern.toLowerCase().replace(/\.$/, '') } : {}), path: p });
    });
    list('toServices')?.forEach((s, i) => {
      const k = isPlainObject(s) && isPlainObject(s.k8sService) ? s.k8sService : undefined;
      add({ type: 'service', ...(k && typeof k.serviceName === 'string' ? { serviceName: k.serviceName } : {}), ...(k && typeof k.namespace === 'string' ? { namespace: k.namespace } : {}), path: [...path, 'toServices', i] });
    });
  }
  for (const field of [`${from}Requires`, `${from}Nodes`, `${from}Groups`]) {
    if (raw[field] !== undefined) add({ type: 'unanalysed', field, path: [...path, field] });
  }
  let toPorts: CiliumPortRule[] | undefined;
  if (raw.toPorts !== undefined && raw.toPorts !== null) {
    if (!Array.isArray(raw.toPorts)) problem([...path, 'toPorts'], 'toPorts must be a list');
    else {
      toPorts = [];
      raw.toPorts.forEach((tp, i) => {
        const p: Path = [...path, 'toPorts', i];
        if (!isPlainObject(tp)) return problem(p, 'a toPorts entry must be a map');
        const ports: CiliumPort[] = [];
        if (Array.isArray(tp.ports)) {
          tp.ports.forEach((pp, j) => {
            const q: Path = [...p, 'ports', j];
            if (!isPlainObject(pp)) return problem(q, 'a port must be a map with port and protocol');
            const protocol = pp.protocol === undefined ? 'ANY' : String(pp.protocol).toUpperCase();
            if (!PROTOCOLS.has(protocol)) return problem([...q, 'protocol'], `protocol ${JSON.stringify(pp.protocol)}: one of TCP, UDP, SCTP, ANY`);
            let port: number | string | undefined;
            if (pp.port !== undefined && pp.port !== null) {
              const text = String(pp.port);
              if (/^\d+$/.test(text)) {
                const n = Number(text);
                if (n > 65535) return problem([...q, 'port'], `port ${n} is out of range 0-65535`);
                port = n === 0 ? undefined : n;
              } else port = text;
            }
            const endPort = typeof pp.endPort === 'number' && pp.endPort > 0 ? pp.endPort : undefined;
            if (endPort !== undefined && typeof port === 'number' && endPort < port) return problem([...q, 'endPort'], `endPort ${endPort} is below port ${port}`);
            ports.push({ protocol: protocol as CiliumProtocol, ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}) });
          });
        }
        const icmps: CiliumPortRule['icmps'] = [];
        if (Array.isArray(tp.icmps)) {
          for (const ic of tp.icmps) {
            if (!isPlainObject(ic) || !Array.isArray(ic.fields)) continue;
            for (const f of ic.fields) {
              if (!isPlainObject(f)) continue;
              const family = f.family === 'IPv6' ? 'IPv6' : 'IPv4';
              if (typeof f.type === 'number' || typeof f.type === 'string') icmps.push({ family, type: f.type });
            }
          }
        }
        const l7: string[] = [];
        if (isPlainObject(tp.rules)) for (const k of L7_KINDS) if (tp.rules[k] !== undefined) l7.push(k);
        if (tp.serverNames !== undefined) l7.push('serverNames');
        if (deny && l7.length > 0) problem([...p, 'rules'], 'deny rules cannot carry L7 rules (deny.rst)');
        toPorts!.push({ ports, icmps, l7, path: p });
      });
    }
  }
  const hasFqdn = peers?.some((x) => x.type === 'fqdn') ?? false;
  if (hasFqdn && peers!.some((x) => x.type !== 'fqdn')) problem([...path, 'toFQDNs'], 'toFQDNs cannot be combined with other L3 selectors in one rule');
  if (peers?.some((x) => x.type === 'service') && toPorts) problem([...path, 'toServices'], 'toServices cannot be combined with toPorts');
  return { direction, deny, section, index, path, ...(peers !== undefined ? { peers } : {}), ...(toPorts !== undefined ? { toPorts } : {}) };
}
