// NetworkPolicy documents the VS Code commands insert or open: default-deny, allow-DNS and allow-one-connection
// policies (least privilege: least-privilege.ts), as plain objects and as YAML text. Shared by the server's
// extension requests and the client's insert commands, so both write the same shapes. Pure: no editor or file system
// access.
import { stringify } from 'yaml';
import type { DnsInfo, ProtocolName } from './protocol';

export type PolicyDirection = 'ingress' | 'egress' | 'both';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A DNS name for a generated policy: lowercase alphanumerics and '-', at most 63 characters. */
export function policyName(...parts: string[]): string {
  const name = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return (name.slice(0, 63).replace(/-$/, '') || 'policy');
}

function metadata(name: string, namespace: string): Json {
  return { name, namespace };
}

/** The egress rule that lets pods resolve names: UDP and TCP on the DNS ports to the DNS pods (and DNS blocks). */
export function dnsEgressRule(dns: DnsInfo): Json {
  const to: Json[] = [
    {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: dns.namespace } },
      podSelector: { matchLabels: { ...dns.podLabels } },
    },
  ];
  for (const cidr of dns.cidrs) to.push({ ipBlock: { cidr } });
  const ports = dns.ports.length > 0 ? dns.ports : [53];
  return { to, ports: ports.flatMap((port) => [{ protocol: 'UDP', port }, { protocol: 'TCP', port }]) };
}

export function defaultDenyPolicy(namespace: string, direction: PolicyDirection, dns?: DnsInfo): Json {
  const types = direction === 'both' ? ['Ingress', 'Egress'] : direction === 'ingress' ? ['Ingress'] : ['Egress'];
  const name = direction === 'both' ? 'default-deny-all' : `default-deny-${direction}`;
  const spec: Record<string, Json> = { podSelector: {}, policyTypes: types };
  // A default-deny egress that still allows DNS: without it every pod of the namespace loses name resolution.
  if (dns && direction !== 'ingress') spec.egress = [dnsEgressRule(dns)];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: metadata(name, namespace), spec };
}

export function allowDnsPolicy(namespace: string, dns: DnsInfo): Json {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata('allow-dns-egress', namespace),
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [dnsEgressRule(dns)] },
  };
}

export interface PortRef {
  port: number;
  protocol: ProtocolName;
}

/** A peer that selects exactly the pods with `podLabels` in `namespace`, or one address block. */
export type ConnectionPeer =
  | { type: 'pods'; namespace: string; podLabels: Record<string, string> }
  | { type: 'cidr'; cidr: string };

function peerJson(peer: ConnectionPeer, policyNamespace: string): Json {
  if (peer.type === 'cidr') return { ipBlock: { cidr: peer.cidr } };
  const podSelector = { matchLabels: { ...peer.podLabels } };
  // Same namespace: a podSelector alone; else both selectors in one peer (AND), never two peers (OR).
  if (peer.namespace === policyNamespace) return { podSelector };
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: peer.namespace } }, podSelector };
}

/**
 * One direction of one connection: a policy that selects `subject` and allows exactly `peer` on one port. Added to
 * pods already isolated for that direction, it widens nothing else.
 */
export function allowConnectionPolicy(options: {
  name: string;
  namespace: string;
  subjectLabels: Record<string, string>;
  direction: 'ingress' | 'egress';
  peer: ConnectionPeer;
  port: PortRef;
}): Json {
  const { name, namespace, subjectLabels, direction, peer, port } = options;
  const rule: Json =
    direction === 'ingress'
      ? { from: [peerJson(peer, namespace)], ports: [{ protocol: port.protocol, port: port.port }] }
      : { to: [peerJson(peer, namespace)], ports: [{ protocol: port.protocol, port: port.port }] };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(name, namespace),
    spec: {
      podSelector: { matchLabels: { ...subjectLabels } },
      policyTypes: [direction === 'ingress' ? 'Ingress' : 'Egress'],
      [direction]: [rule],
    },
  };
}

/**
 * YAML as kubectl users write it: two-space indent, sequences indented under their key, no line folding. Written
 * for YAML 1.1 (what kubectl reads), so values such as `yes`, `on` or `8080` in labels come out quoted.
 */
export function toYaml(value: Json): string {
  return stringify(value, { indent: 2, indentSeq: true, lineWidth: 0, version: '1.1' });
}
