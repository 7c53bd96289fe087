// Converting a Kubernetes NetworkPolicy into the equivalent Calico NetworkPolicy (projectcalico.org/v3), and a Calico
// NetworkPolicy back into a Kubernetes one where that is exact. The mapping is Calico's own for Kubernetes policies
// (libcalico-go lib/backend/k8s/conversion: a Kubernetes NetworkPolicy becomes a Calico policy in tier default at
// order 1000 with Allow rules, one per peer and protocol; label selectors become Calico selectors: matchLabels
// `k == 'v'`, In `k in {…}`, NotIn `k not in {…}` (true without the label, as NotIn), Exists `has(k)`, DoesNotExist
// `!has(k)`, `{}` `all()`; ipBlock `nets` and `notNets`; a port range `"from:to"`; named ports by name).
// Exact means: every connection's verdict is the same before and after (server/test/engine/calico/convert.test.ts
// checks every pair of seeded random clusters). Where it cannot be exact the conversion says why and is not offered.
import type { CalicoEntity, CalicoPolicy, CalicoPort, CalicoRule } from './calico-policy';
import type { CalicoSelector } from './calico-selector';
import { formatRangeAsCidr } from './cidr';
import type { Model } from './model';
import type { NetworkPolicy, Peer, PolicyRule, PortSpec } from './policy';
import type { LabelSelector } from './selectors';

export type Conversion = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

const quote = (v: string) => `'${v}'`;

/** A Kubernetes label selector as a Calico selector (the requirements joined by &&). */
export function calicoSelectorOf(selector: LabelSelector): string {
  const terms = selector.requirements.map((r) => {
    if (r.operator === 'Exists') return `has(${r.key})`;
    if (r.operator === 'DoesNotExist') return `!has(${r.key})`;
    if (r.operator === 'In' && r.values.length === 1) return `${r.key} == ${quote(r.values[0])}`;
    return `${r.key} ${r.operator === 'In' ? 'in' : 'not in'} {${r.values.map(quote).join(', ')}}`;
  });
  return terms.length ? terms.join(' && ') : 'all()';
}

function metadataOf(object: Record<string, unknown>, name: string, namespace: string): Record<string, unknown> {
  const meta = (object.metadata ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { name, namespace };
  for (const key of ['labels', 'annotations']) if (meta[key] && typeof meta[key] === 'object') out[key] = meta[key];
  return out;
}

function calicoEntityOf(peer: Peer | undefined): Record<string, unknown> {
  if (!peer) return {};
  if (peer.type === 'ipBlock') return { nets: [peer.cidrText], ...(peer.except.length ? { notNets: peer.except.map(formatRangeAsCidr) } : {}) };
  const entity: Record<string, unknown> = {};
  if (peer.podSelector) entity.selector = calicoSelectorOf(peer.podSelector);
  if (peer.namespaceSelector) entity.namespaceSelector = calicoSelectorOf(peer.namespaceSelector);
  return entity;
}

/** The ports of a rule by protocol: a protocol with `undefined` allows all of its ports. */
function portsByProtocol(ports: PortSpec[]): Map<string, (number | string)[] | undefined> {
  const out = new Map<string, (number | string)[] | undefined>();
  for (const spec of ports) {
    if (spec.port === undefined) {
      out.set(spec.protocol, undefined);
      continue;
    }
    if (out.has(spec.protocol) && out.get(spec.protocol) === undefined) continue;
    const list = out.get(spec.protocol) ?? [];
    list.push(typeof spec.port === 'number' && spec.endPort !== undefined && spec.endPort !== spec.port ? `${spec.port}:${spec.endPort}` : spec.port);
    out.set(spec.protocol, list);
  }
  return out;
}

function calicoRulesOf(rule: PolicyRule): Record<string, unknown>[] {
  const peers: (Peer | undefined)[] = rule.peers ?? [undefined];
  const groups: [string | undefined, (number | string)[] | undefined][] = rule.ports ? [...portsByProtocol(rule.ports)] : [[undefined, undefined]];
  const out: Record<string, unknown>[] = [];
  for (const peer of peers) {
    for (const [protocol, ports] of groups) {
      const entity = calicoEntityOf(peer);
      const r: Record<string, unknown> = { action: 'Allow' };
      if (protocol) r.protocol = protocol;
      if (rule.direction === 'ingress') {
        if (Object.keys(entity).length) r.source = entity;
        if (ports) r.destination = { ports };
      } else {
        const destination = { ...entity, ...(ports ? { ports } : {}) };
        if (Object.keys(destination).length) r.destination = destination;
      }
      out.push(r);
    }
  }
  return out;
}

/**
 * The Calico NetworkPolicy equivalent to a valid Kubernetes NetworkPolicy. Not exact (and refused) where the
 * workspace holds namespaced NetworkSets: a Calico selector or namespaceSelector also matches their addresses,
 * which a Kubernetes pod peer never does.
 */
export function networkPolicyToCalico(model: Model, policy: NetworkPolicy): Conversion {
  if (!policy.valid) return { ok: false, reason: 'the policy is not valid' };
  if (model.calico.networkSets.some((s) => s.namespace !== undefined)) return { ok: false, reason: 'the workspace has namespaced NetworkSets, which Calico selectors also match' };
  const types: string[] = [];
  if (policy.types.ingress) types.push('Ingress');
  if (policy.types.egress) types.push('Egress');
  const spec: Record<string, unknown> = { order: 1000, selector: calicoSelectorOf(policy.podSelector), types };
  for (const direction of ['ingress', 'egress'] as const) {
    if (!policy.types[direction]) continue;
    const rules = policy[direction].flatMap(calicoRulesOf);
    if (rules.length) spec[direction] = rules;
  }
  return {
    ok: true,
    value: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: metadataOf(policy.object.value, policy.name, policy.namespace), spec },
  };
}

// ---- Calico → Kubernetes, where exact --------------------------------------------------------------------------

type Requirement = { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] };

/** A Calico selector as Kubernetes requirements: a conjunction of ==, !=, in, not in, has, !has, all(). */
function requirementsOf(selector: CalicoSelector): Requirement[] | string {
  switch (selector.type) {
    case 'all':
      return [];
    case 'has':
      return [{ key: selector.key, operator: 'Exists' }];
    case 'compare':
      if (selector.op === '==') return [{ key: selector.key, operator: 'In', values: [selector.value] }];
      if (selector.op === '!=') return [{ key: selector.key, operator: 'NotIn', values: [selector.value] }];
      return `\`${selector.op}\` has no Kubernetes equivalent`;
    case 'set':
      return [{ key: selector.key, operator: selector.op === 'in' ? 'In' : 'NotIn', values: selector.values }];
    case 'not':
      if (selector.operand.type === 'has') return [{ key: selector.operand.key, operator: 'DoesNotExist' }];
      return '`!` of anything but has() has no Kubernetes equivalent';
    case 'and': {
      const out: Requirement[] = [];
      for (const operand of selector.operands) {
        const r = requirementsOf(operand);
        if (typeof r === 'string') return r;
        out.push(...r);
      }
      return out;
    }
    default:
      return `\`${selector.type === 'or' ? '||' : `${selector.type}()`}\` has no Kubernetes equivalent`;
  }
}

/** Requirements as a Kubernetes label selector: matchLabels for single-value In, matchExpressions for the rest. */
function labelSelectorOf(requirements: Requirement[]): Record<string, unknown> {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: Record<string, unknown>[] = [];
  for (const r of requirements) {
    if (r.operator === 'In' && r.values!.length === 1 && !(r.key in matchLabels)) matchLabels[r.key] = r.values![0];
    else matchExpressions.push({ key: r.key, operator: r.operator, ...(r.values ? { values: r.values } : {}) });
  }
  return { ...(Object.keys(matchLabels).length ? { matchLabels } : {}), ...(matchExpressions.length ? { matchExpressions } : {}) };
}

function selectorField(field: { text: string; selector?: CalicoSelector } | undefined, what: string): Record<string, unknown> | string {
  if (!field?.selector) return `the ${what} does not parse`;
  const r = requirementsOf(field.selector);
  return typeof r === 'string' ? `the ${what} ${JSON.stringify(field.text)}: ${r}` : labelSelectorOf(r);
}

/** The Kubernetes peer of a Calico rule's peer side; undefined: every peer. */
function peerOf(entity: CalicoEntity, where: string): Record<string, unknown> | undefined | string {
  if (entity.notSelector || entity.serviceAccounts || entity.services || entity.notPorts) return `the ${where} uses notSelector, serviceAccounts, services or notPorts`;
  if (entity.nets) {
    if (entity.selector || entity.namespaceSelector) return `the ${where} combines nets with selectors`;
    if (entity.nets.length !== 1) return `the ${where} has ${entity.nets.length} nets (an ipBlock holds one CIDR)`;
    return { ipBlock: { cidr: entity.nets[0].text, ...(entity.notNets?.length ? { except: entity.notNets.map((n) => n.text) } : {}) } };
  }
  if (entity.notNets) return `the ${where} has notNets without nets`;
  if (!entity.selector && !entity.namespaceSelector) return undefined;
  const peer: Record<string, unknown> = {};
  if (entity.selector) {
    const s = selectorField(entity.selector, `${where} selector`);
    if (typeof s === 'string') return s;
    peer.podSelector = s;
  }
  if (entity.namespaceSelector) {
    const s = selectorField(entity.namespaceSelector, `${where} namespaceSelector`);
    if (typeof s === 'string') return s;
    peer.namespaceSelector = s;
  }
  return peer;
}

function portsOf(rule: CalicoRule): Record<string, unknown>[] | undefined | string {
  const protocol = rule.protocol?.protocol;
  if (rule.protocol && !protocol) return `protocol ${rule.protocol.text} is not TCP, UDP or SCTP`;
  const ports = rule.destination.ports;
  if (!ports) return protocol ? [{ protocol }] : undefined;
  if (!protocol) return 'ports without a protocol';
  return ports.map((p: CalicoPort) => (p.type === 'named' ? { protocol, port: p.name } : p.from === p.to ? { protocol, port: p.from } : { protocol, port: p.from, endPort: p.to }));
}

/**
 * The Kubernetes NetworkPolicy equivalent to a Calico NetworkPolicy, when there is one: namespaced, enforced, in tier
 * default at order 1000 (where Kubernetes policies sit; or without order when no other Calico policy shares the
 * tier), only Allow rules, selectors that are conjunctions of ==, !=, in, not in, has, !has, and rules whose only
 * conditions are one peer and the destination's protocol and ports.
 */
export function calicoToNetworkPolicy(model: Model, policy: CalicoPolicy): Conversion {
  const no = (reason: string): Conversion => ({ ok: false, reason });
  if (!policy.valid || policy.global || policy.staged || policy.namespace === undefined) return no('only an enforced, valid, namespaced Calico NetworkPolicy has a Kubernetes equivalent');
  if (policy.tier !== 'default') return no(`the policy is in tier ${policy.tier}; Kubernetes policies sit in tier default`);
  const others = model.calico.policies.some((p) => p !== policy && p.valid && !p.staged && p.tier === 'default');
  if (policy.order !== 1000 && (policy.order !== undefined || others)) return no(`the policy has ${policy.order === undefined ? 'no order' : `order ${policy.order}`}; Kubernetes policies run at order 1000`);
  if (policy.unanalysed.length || policy.namespaceSelector || policy.serviceAccountSelector) return no('the policy uses fields Kubernetes policies do not have');
  if (model.calico.networkSets.some((s) => s.namespace !== undefined)) return no('the workspace has namespaced NetworkSets, which Calico selectors also match');
  const podSelector = selectorField(policy.selector, 'selector');
  if (typeof podSelector === 'string') return no(podSelector);
  const spec: Record<string, unknown> = { podSelector };
  const policyTypes: string[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    if (!policy.types[direction]) continue;
    policyTypes.push(direction === 'ingress' ? 'Ingress' : 'Egress');
    const rules: Record<string, unknown>[] = [];
    for (const rule of policy[direction]) {
      const where = `${direction} rule ${rule.index + 1}`;
      if (rule.action !== 'allow') return no(`${where} is ${rule.actionText}; Kubernetes policies only allow`);
      if (rule.notProtocol || rule.icmp || rule.ipVersion !== undefined || rule.unanalysed.length) return no(`${where} uses fields Kubernetes policies do not have`);
      if (rule.source.ports || rule.source.notPorts) return no(`${where} names source ports`);
      const [peerSide, ownSide] = direction === 'ingress' ? [rule.source, rule.destination] : [rule.destination, rule.source];
      if (ownSide.selector || ownSide.notSelector || ownSide.namespaceSelector || ownSide.nets || ownSide.notNets || ownSide.serviceAccounts || ownSide.services) return no(`${where} constrains the policy's own pods`);
      if (rule.destination.notPorts) return no(`${where} uses notPorts`);
      const peer = peerOf(peerSide, `${where}'s ${direction === 'ingress' ? 'source' : 'destination'}`);
      if (typeof peer === 'string') return no(peer);
      const ports = portsOf(rule);
      if (typeof ports === 'string') return no(`${where}: ${ports}`);
      const out: Record<string, unknown> = {};
      if (peer) out[direction === 'ingress' ? 'from' : 'to'] = [peer];
      if (ports) out.ports = ports;
      rules.push(out);
    }
    spec[direction] = rules;
  }
  spec.policyTypes = policyTypes;
  return {
    ok: true,
    value: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadataOf(policy.object.value, policy.name, policy.namespace), spec },
  };
}
