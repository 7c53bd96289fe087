// The fields completion offers, per policy kind the engine reads: NetworkPolicy (policy.ts), the cluster-wide
// AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy (cluster-policy.ts), Calico's policies,
// network sets and tiers (calico-policy.ts) and Cilium's policies (cilium.ts). A field is a map of fields, a list of
// maps, a list of values, or a scalar (with its allowed values where the API fixes them).
import { CILIUM_ENTITIES } from '../cilium';

export interface FieldSchema {
  name: string;
  doc: string;
  /** A scalar: `name: ` is inserted; otherwise `name:` and the value goes on the next lines. */
  scalar?: boolean;
  /** The allowed values of a scalar, or of the items of a list of values. */
  values?: readonly string[];
  /** The fields of the map this field holds (or of each item, for a list). */
  fields?: readonly FieldSchema[];
  /** The value is a list: of maps when `fields` is set, else of scalars. */
  list?: boolean;
  /** A label selector's matchLabels/matchExpressions select these objects' labels. */
  selects?: 'pod' | 'namespace';
}

const f = (name: string, doc: string, rest: Omit<FieldSchema, 'name' | 'doc'> = {}): FieldSchema => ({ name, doc, ...rest });
const scalar = (name: string, doc: string, values?: readonly string[]): FieldSchema => ({ name, doc, scalar: true, ...(values ? { values } : {}) });

const EXPRESSION_FIELDS = [
  scalar('key', 'the label key'),
  scalar('operator', 'In, NotIn, Exists or DoesNotExist', ['In', 'NotIn', 'Exists', 'DoesNotExist']),
  f('values', 'values for In and NotIn (none for Exists and DoesNotExist)', { list: true }),
];

function labelSelector(name: string, doc: string, selects: 'pod' | 'namespace'): FieldSchema {
  return f(name, doc, {
    selects,
    fields: [
      f('matchLabels', 'label key/value pairs that must all match'),
      f('matchExpressions', 'requirements with operators In, NotIn, Exists, DoesNotExist', { list: true, fields: EXPRESSION_FIELDS }),
    ],
  });
}

const METADATA_FIELDS = [
  scalar('name', 'the policy name, unique in its namespace'),
  scalar('namespace', 'the namespace the policy applies to (its podSelector selects pods there)'),
  f('labels', 'labels of the policy object itself'),
  f('annotations', 'annotations of the policy object'),
];
const CLUSTER_METADATA_FIELDS = [
  scalar('name', 'the policy name (cluster-scoped: no namespace)'),
  f('labels', 'labels of the policy object itself'),
  f('annotations', 'annotations of the policy object'),
];

function topFields(apiVersion: string, kind: string, metadata: readonly FieldSchema[], spec: FieldSchema): FieldSchema[] {
  return [
    scalar('apiVersion', apiVersion),
    scalar('kind', kind),
    f('metadata', 'name and namespace of the policy', { fields: metadata }),
    spec,
  ];
}

// ---- NetworkPolicy (networking.k8s.io/v1) ------------------------------------------------------------------------

const NP_PORT_FIELDS = [
  scalar('protocol', 'TCP (default), UDP or SCTP', ['TCP', 'UDP', 'SCTP']),
  scalar('port', 'a port number or a container port name; absent: every port'),
  scalar('endPort', 'with a numeric port: the last port of a range'),
];
const NP_PEER_FIELDS = [
  labelSelector('podSelector', 'pods of the policy namespace (or of the namespaces the namespaceSelector selects)', 'pod'),
  labelSelector('namespaceSelector', 'namespaces whose pods are peers; combined with podSelector in the same peer, both must match', 'namespace'),
  f('ipBlock', 'an address range (cidr, except); cannot be combined with selectors', {
    fields: [scalar('cidr', 'the address range, for example 10.0.0.0/8'), f('except', 'ranges inside cidr to leave out', { list: true })],
  }),
];
const NETWORK_POLICY = topFields(
  'networking.k8s.io/v1',
  'NetworkPolicy',
  METADATA_FIELDS,
  f('spec', 'which pods the policy selects and what it allows', {
    fields: [
      labelSelector('podSelector', 'the pods in this namespace the policy applies to; `{}` selects every pod', 'pod'),
      f('policyTypes', 'Ingress and/or Egress: the directions the policy isolates', { list: true, values: ['Ingress', 'Egress'] }),
      f('ingress', 'rules of allowed incoming traffic (from + ports)', {
        list: true,
        fields: [f('from', 'the peers allowed to connect; absent: any source', { list: true, fields: NP_PEER_FIELDS }), f('ports', 'the ports allowed; absent: every port', { list: true, fields: NP_PORT_FIELDS })],
      }),
      f('egress', 'rules of allowed outgoing traffic (to + ports)', {
        list: true,
        fields: [f('to', 'the peers that may be reached; absent: any destination', { list: true, fields: NP_PEER_FIELDS }), f('ports', 'the ports allowed; absent: every port', { list: true, fields: NP_PORT_FIELDS })],
      }),
    ],
  }),
);

// ---- AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1), ClusterNetworkPolicy (v1alpha2) -------------------

const CLUSTER_PODS = f('pods', 'pods of the namespaces the namespaceSelector selects that the podSelector selects', {
  fields: [
    labelSelector('namespaceSelector', 'the namespaces; `{}` is every namespace', 'namespace'),
    labelSelector('podSelector', 'the pods in those namespaces; `{}` is every pod', 'pod'),
  ],
});
const CLUSTER_NAMESPACES = labelSelector('namespaces', 'every pod of the namespaces this selector selects', 'namespace');
const CLUSTER_SUBJECT = f('subject', 'the pods the policy applies to: namespaces or pods (exactly one)', { fields: [CLUSTER_NAMESPACES, CLUSTER_PODS] });
const V1ALPHA1_PORTS = f('ports', 'the destination ports; absent: every port', {
  list: true,
  fields: [
    f('portNumber', 'one port', { fields: [scalar('protocol', 'TCP, UDP or SCTP', ['TCP', 'UDP', 'SCTP']), scalar('port', 'the port number')] }),
    scalar('namedPort', 'a container port name of the destination pods'),
    f('portRange', 'a range of ports', { fields: [scalar('protocol', 'TCP, UDP or SCTP', ['TCP', 'UDP', 'SCTP']), scalar('start', 'the first port'), scalar('end', 'the last port')] }),
  ],
});
const DESTINATION_PORT = f('destinationPort', 'the destination port: number or range', {
  fields: [scalar('number', 'one port'), f('range', 'a range of ports', { fields: [scalar('start', 'the first port'), scalar('end', 'the last port')] })],
});
const V1ALPHA2_PROTOCOLS = f('protocols', 'the destination protocols and ports; absent: every port', {
  list: true,
  fields: [
    f('tcp', 'TCP', { fields: [DESTINATION_PORT] }),
    f('udp', 'UDP', { fields: [DESTINATION_PORT] }),
    f('sctp', 'SCTP', { fields: [DESTINATION_PORT] }),
    scalar('destinationNamedPort', 'a container port name of the destination pods'),
  ],
});
const EGRESS_EXTRA_PEERS = [
  labelSelector('nodes', 'nodes by their labels (not analysed: manifests do not hold nodes)', 'namespace'),
  f('networks', 'CIDRs outside the cluster', { list: true }),
];

function clusterPolicy(kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy'): FieldSchema[] {
  const v2 = kind === 'ClusterNetworkPolicy';
  const actions = kind === 'AdminNetworkPolicy' ? ['Allow', 'Deny', 'Pass'] : kind === 'BaselineAdminNetworkPolicy' ? ['Allow', 'Deny'] : ['Accept', 'Deny', 'Pass'];
  const ports = v2 ? V1ALPHA2_PROTOCOLS : V1ALPHA1_PORTS;
  const rule = (direction: 'ingress' | 'egress'): FieldSchema[] => [
    scalar('name', 'a name for the rule (shown in explanations)'),
    scalar('action', `what a matching connection gets: ${actions.join(', ')}`, actions),
    direction === 'ingress'
      ? f('from', 'the sources', { list: true, fields: [CLUSTER_NAMESPACES, CLUSTER_PODS] })
      : f('to', 'the destinations', { list: true, fields: [CLUSTER_NAMESPACES, CLUSTER_PODS, ...EGRESS_EXTRA_PEERS, ...(v2 ? [f('domainNames', 'DNS names (Accept rules only; not analysed)', { list: true })] : [])] }),
    ports,
  ];
  const spec: FieldSchema[] = [
    ...(v2 ? [scalar('tier', 'Admin (before NetworkPolicies) or Baseline (after them)', ['Admin', 'Baseline'])] : []),
    ...(kind !== 'BaselineAdminNetworkPolicy' ? [scalar('priority', '0-1000: lower is evaluated first')] : []),
    CLUSTER_SUBJECT,
    f('ingress', 'rules for incoming connections, in order', { list: true, fields: rule('ingress') }),
    f('egress', 'rules for outgoing connections, in order', { list: true, fields: rule('egress') }),
  ];
  return topFields(v2 ? 'policy.networking.k8s.io/v1alpha2' : 'policy.networking.k8s.io/v1alpha1', kind, CLUSTER_METADATA_FIELDS, f('spec', 'the subject and the rules', { fields: spec }));
}

// ---- Calico (projectcalico.org/v3, crd.projectcalico.org/v1) --------------------------------------------------------

const CALICO_PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'SCTP', 'UDPLite'];
const CALICO_ICMP = [scalar('type', 'the ICMP type'), scalar('code', 'the ICMP code')];
const CALICO_ENDPOINT = [
  f('nets', 'CIDRs', { list: true }),
  f('notNets', 'CIDRs that must not match', { list: true }),
  scalar('selector', 'a Calico selector of endpoints, for example `app == "web"`'),
  scalar('notSelector', 'a Calico selector of endpoints that must not match'),
  scalar('namespaceSelector', 'a Calico selector of namespaces (`global()` for non-namespaced endpoints)'),
  f('ports', 'ports, port ranges (`8000:8080`) or named ports', { list: true }),
  f('notPorts', 'ports that must not match', { list: true }),
  f('serviceAccounts', 'service accounts of the endpoints', { fields: [f('names', 'service account names', { list: true }), scalar('selector', 'a selector of service account labels')] }),
  f('services', 'a Kubernetes Service: its endpoints', { fields: [scalar('name', 'the Service name'), scalar('namespace', 'the Service namespace')] }),
];
const CALICO_RULE = [
  scalar('action', 'Allow, Deny, Log or Pass', ['Allow', 'Deny', 'Log', 'Pass']),
  scalar('protocol', 'the protocol (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number)', CALICO_PROTOCOLS),
  scalar('notProtocol', 'a protocol that must not match', CALICO_PROTOCOLS),
  scalar('ipVersion', '4 or 6'),
  f('icmp', 'ICMP type and code', { fields: CALICO_ICMP }),
  f('notICMP', 'ICMP type and code that must not match', { fields: CALICO_ICMP }),
  f('source', 'the source endpoints and ports', { fields: CALICO_ENDPOINT }),
  f('destination', 'the destination endpoints and ports', { fields: CALICO_ENDPOINT }),
  f('http', 'HTTP match (application layer: not analysed)', { fields: [f('methods', 'HTTP methods', { list: true }), f('paths', 'paths (exact or prefix)', { list: true })] }),
  f('metadata', 'annotations of the rule', { fields: [f('annotations', 'annotations')] }),
];

function calicoPolicy(kind: string, global: boolean): FieldSchema[] {
  const spec: FieldSchema[] = [
    scalar('tier', 'the tier of the policy (default: default)'),
    scalar('order', 'lower is evaluated first within the tier'),
    scalar('selector', 'a Calico selector of the endpoints the policy applies to, for example `app == "web"`'),
    ...(global ? [scalar('namespaceSelector', 'a Calico selector of the namespaces whose endpoints it applies to')] : []),
    scalar('serviceAccountSelector', 'a Calico selector of the service accounts whose endpoints it applies to'),
    f('types', 'Ingress and/or Egress: the directions the policy applies to', { list: true, values: ['Ingress', 'Egress'] }),
    f('ingress', 'rules for incoming traffic, in order', { list: true, fields: CALICO_RULE }),
    f('egress', 'rules for outgoing traffic, in order', { list: true, fields: CALICO_RULE }),
    ...(global
      ? [scalar('doNotTrack', 'applied before connection tracking (host endpoints)', ['true', 'false']), scalar('preDNAT', 'applied before DNAT (host endpoints)', ['true', 'false']), scalar('applyOnForward', 'also for forwarded traffic (host endpoints)', ['true', 'false'])]
      : []),
    f('performanceHints', 'hints to the dataplane', { list: true, values: ['AssumeNeededOnEveryNode'] }),
  ];
  return topFields('projectcalico.org/v3', kind, global ? CLUSTER_METADATA_FIELDS : METADATA_FIELDS, f('spec', 'the endpoints the policy applies to and its rules', { fields: spec }));
}
const CALICO_NETWORK_SET = (kind: string, global: boolean) =>
  topFields('projectcalico.org/v3', kind, global ? CLUSTER_METADATA_FIELDS : METADATA_FIELDS, f('spec', 'the addresses of the set', { fields: [f('nets', 'CIDRs', { list: true }), f('allowedEgressDomains', 'domain names', { list: true })] }));
const CALICO_TIER = topFields('projectcalico.org/v3', 'Tier', CLUSTER_METADATA_FIELDS, f('spec', 'the order of the tier and what happens when no policy in it decides', {
  fields: [scalar('order', 'lower is evaluated first'), scalar('defaultAction', 'what traffic no policy of the tier decides gets: Deny (default) or Pass', ['Deny', 'Pass'])],
}));

// ---- Cilium (cilium.io/v2) ------------------------------------------------------------------------------------------

const CILIUM_PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ANY'];
const CILIUM_TO_PORTS = f('toPorts', 'the destination ports (and L7 rules); absent: every port', {
  list: true,
  fields: [
    f('ports', 'ports', { list: true, fields: [scalar('port', 'a port number or a container port name'), scalar('endPort', 'the last port of a range'), scalar('protocol', 'TCP, UDP, SCTP or ANY (default)', CILIUM_PROTOCOLS)] }),
    f('rules', 'L7 rules: http, kafka, dns (filter inside an allowed connection)', { fields: [f('http', 'HTTP rules', { list: true }), f('kafka', 'Kafka rules', { list: true }), f('dns', 'DNS rules', { list: true })] }),
    f('serverNames', 'TLS server names', { list: true }),
  ],
});
const CILIUM_ICMPS = f('icmps', 'ICMP types', { list: true, fields: [f('fields', 'ICMP type and family', { list: true, fields: [scalar('type', 'the ICMP type (number or name)'), scalar('family', 'IPv4 or IPv6', ['IPv4', 'IPv6'])] })] });
const CIDR_SET = (name: string) => f(name, 'CIDRs with exceptions, or CiliumCIDRGroups', { list: true, fields: [scalar('cidr', 'the address range'), f('except', 'ranges to leave out', { list: true }), scalar('cidrGroupRef', 'a CiliumCIDRGroup by name'), labelSelector('cidrGroupSelector', 'CiliumCIDRGroups by label', 'namespace')] });

function ciliumSection(direction: 'ingress' | 'egress', deny: boolean): FieldSchema[] {
  const p = direction === 'ingress' ? 'from' : 'to';
  return [
    labelSelector(`${p}Endpoints`, 'endpoints (pods) by label; `k8s:io.kubernetes.pod.namespace` selects their namespace', 'pod'),
    f(`${p}CIDR`, 'CIDRs', { list: true }),
    CIDR_SET(`${p}CIDRSet`),
    f(`${p}Entities`, 'Cilium entities: world, cluster, host, …', { list: true, values: CILIUM_ENTITIES }),
    f(`${p}Requires`, 'required labels of the peer (not analysed)', { list: true }),
    f(`${p}Nodes`, 'nodes by label (not analysed)', { list: true }),
    f(`${p}Groups`, 'cloud provider groups (not analysed)', { list: true }),
    ...(direction === 'egress'
      ? [
          f('toServices', 'Kubernetes Services', { list: true, fields: [f('k8sService', 'a Service by name', { fields: [scalar('serviceName', 'the Service name'), scalar('namespace', 'the Service namespace')] })] }),
          ...(deny ? [] : [f('toFQDNs', 'DNS names (needs a DNS rule to see the lookups)', { list: true, fields: [scalar('matchName', 'an exact name'), scalar('matchPattern', 'a pattern with *')] })]),
        ]
      : []),
    CILIUM_TO_PORTS,
    CILIUM_ICMPS,
  ];
}
const CILIUM_RULE: FieldSchema[] = [
  labelSelector('endpointSelector', 'the endpoints (pods) the rule applies to', 'pod'),
  labelSelector('nodeSelector', 'the nodes the rule applies to (clusterwide host policies)', 'namespace'),
  f('ingress', 'allowed incoming traffic', { list: true, fields: ciliumSection('ingress', false) }),
  f('ingressDeny', 'denied incoming traffic (deny wins over allow)', { list: true, fields: ciliumSection('ingress', true) }),
  f('egress', 'allowed outgoing traffic', { list: true, fields: ciliumSection('egress', false) }),
  f('egressDeny', 'denied outgoing traffic (deny wins over allow)', { list: true, fields: ciliumSection('egress', true) }),
  f('enableDefaultDeny', 'whether the rule makes its endpoints default-deny (default: true)', { fields: [scalar('ingress', 'default-deny for ingress', ['true', 'false']), scalar('egress', 'default-deny for egress', ['true', 'false'])] }),
  scalar('description', 'a description of the rule'),
  f('labels', 'labels of the rule', { list: true }),
];
function ciliumPolicy(kind: string, clusterwide: boolean): FieldSchema[] {
  return [
    scalar('apiVersion', 'cilium.io/v2'),
    scalar('kind', kind),
    f('metadata', 'name and namespace of the policy', { fields: clusterwide ? CLUSTER_METADATA_FIELDS : METADATA_FIELDS }),
    f('spec', 'one rule', { fields: CILIUM_RULE }),
    f('specs', 'several rules', { list: true, fields: CILIUM_RULE }),
  ];
}

// ---- by kind ------------------------------------------------------------------------------------------------------

/** The top-level fields of a document of `kind` in `apiVersion`'s group, or undefined for kinds the engine does not read. */
export function schemaFor(apiVersion: string | undefined, kind: string | undefined): readonly FieldSchema[] | undefined {
  if (!kind) return undefined;
  // No apiVersion yet: the kind decides (NetworkPolicy is Kubernetes').
  if (apiVersion === undefined) {
    const known = SCHEMA_KINDS.find(([, k]) => k === kind);
    return known ? schemaFor(known[0], kind) : undefined;
  }
  const group = apiVersion?.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  switch (group) {
    case 'networking.k8s.io':
    case '':
      return kind === 'NetworkPolicy' && group !== '' ? NETWORK_POLICY : undefined;
    case 'policy.networking.k8s.io':
      return kind === 'AdminNetworkPolicy' || kind === 'BaselineAdminNetworkPolicy' || kind === 'ClusterNetworkPolicy' ? CLUSTER_SCHEMAS[kind] : undefined;
    case 'projectcalico.org':
    case 'crd.projectcalico.org':
      return CALICO_SCHEMAS[kind];
    case 'cilium.io':
      return kind === 'CiliumNetworkPolicy' ? CILIUM_NP : kind === 'CiliumClusterwideNetworkPolicy' ? CILIUM_CCNP : undefined;
    default:
      return undefined;
  }
}

const CLUSTER_SCHEMAS = {
  AdminNetworkPolicy: clusterPolicy('AdminNetworkPolicy'),
  BaselineAdminNetworkPolicy: clusterPolicy('BaselineAdminNetworkPolicy'),
  ClusterNetworkPolicy: clusterPolicy('ClusterNetworkPolicy'),
};
const CALICO_SCHEMAS: Record<string, readonly FieldSchema[]> = {
  NetworkPolicy: calicoPolicy('NetworkPolicy', false),
  GlobalNetworkPolicy: calicoPolicy('GlobalNetworkPolicy', true),
  StagedNetworkPolicy: calicoPolicy('StagedNetworkPolicy', false),
  StagedGlobalNetworkPolicy: calicoPolicy('StagedGlobalNetworkPolicy', true),
  NetworkSet: CALICO_NETWORK_SET('NetworkSet', false),
  GlobalNetworkSet: CALICO_NETWORK_SET('GlobalNetworkSet', true),
  Tier: CALICO_TIER,
};
const CILIUM_NP = ciliumPolicy('CiliumNetworkPolicy', false);
const CILIUM_CCNP = ciliumPolicy('CiliumClusterwideNetworkPolicy', true);

/** The kinds with a schema, for tests and the README: `apiVersion` → kinds. */
export const SCHEMA_KINDS: readonly [string, string][] = [
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ...(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'] as const).map((k): [string, string] => ['policy.networking.k8s.io/v1alpha1', k]),
  ['policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy'],
  ...Object.keys(CALICO_SCHEMAS).map((k): [string, string] => ['projectcalico.org/v3', k]),
  ['cilium.io/v2', 'CiliumNetworkPolicy'],
  ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy'],
];

/**
 * The field a path of keys and `-` (list items) leads to from the top of a document; undefined when the path leaves
 * the schema. The root is a pseudo-field holding the top-level fields.
 */
export function fieldAt(top: readonly FieldSchema[], tokens: readonly string[]): FieldSchema | undefined {
  let field: FieldSchema = { name: '', doc: '', fields: top };
  let inItem = false;
  for (const token of tokens) {
    if (token === '-') {
      if (!field.list || inItem) return undefined;
      inItem = true;
      continue;
    }
    if (field.list && !inItem) return undefined;
    const next = field.fields?.find((c) => c.name === token);
    if (!next) return undefined;
    field = next;
    inItem = false;
  }
  return inItem ? { ...field, list: false, name: '-' } : field;
}
