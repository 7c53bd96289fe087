// A numeric port in a policy that none of the destination pods declares (among pods that declare their ports).
// A warning where the files know every destination (the namespaces' workloads are all there); a hint where pods
// outside the files may be destinations. A classic mistake gets its own message and fix: using a Service's `port`
// where policies need the pod's port (the Service's `targetPort`).
import { isScalar } from 'yaml';
import { replaceScalar } from '../edits';
import { listsByNamespace, type Service, type Workload } from '../model';
import { nodeAt } from '../parse';
import type { PortSpec } from '../policy';
import { matchesSelector, type LabelSelector } from '../selectors';
import { baseModel, dnsEndpoints, inWorkspace, locate, namespaceEvidence, namespacesNamedBy, podNames, podsOfPeer, type NamespaceEvidence } from './common';
import type { NetworkPolicy, PolicyRule } from '../policy';
import type { RuleContext } from './types';
import { anyDestinationPod, destinationPods, destinationText } from './named-port-not-found';
import type { QuickFix, Rule } from './types';

function declares(w: Workload, spec: PortSpec): boolean {
  const lo = spec.port as number;
  const hi = spec.endPort ?? lo;
  return w.containerPorts.some((c) => c.protocol === spec.protocol && c.containerPort >= lo && c.containerPort <= hi);
}

/** The Service port of that number in front of some of the pods, with its target port resolved to a number. */
function servicePortFor(services: readonly Service[], pods: Workload[], spec: PortSpec): { service: Service; target: number; targetText: string } | undefined {
  for (const service of services) {
    if (!service.selector || Object.keys(service.selector).length === 0) continue;
    const selector: LabelSelector = {
      requirements: Object.entries(service.selector).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
      matchLabels: service.selector,
      problems: [],
    };
    const behind = pods.filter((w) => w.namespace === service.namespace && matchesSelector(selector, w.podLabels));
    if (behind.length === 0) continue;
    for (const sp of service.ports) {
      if (sp.port !== spec.port || sp.protocol !== spec.protocol) continue;
      if (typeof sp.targetPort === 'number') {
        if (sp.targetPort !== sp.port) return { service, target: sp.targetPort, targetText: String(sp.targetPort) };
        continue;
      }
      const named = behind.flatMap((w) => w.containerPorts).find((c) => c.name === sp.targetPort && c.protocol === sp.protocol);
      if (named && named.containerPort !== sp.port) return { service, target: named.containerPort, targetText: `${named.containerPort} (${sp.targetPort})` };
    }
  }
  return undefined;
}

/**
 * What the files know of a rule's destinations: undefined when pods outside the files or the cluster DNS pods may
 * be destinations on the port (a namespaceSelector that namespaces outside the files may match, the DNS pods on a
 * DNS port), else whether the destinations' namespaces are known whole.
 */
function destinationEvidence(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule, spec: PortSpec): NamespaceEvidence | undefined {
  const namespaces = new Set<string>();
  if (rule.direction === 'ingress') namespaces.add(policy.namespace);
  else {
    const dns = dnsEndpoints(context);
    const lo = spec.port as number;
    const hi = spec.endPort ?? lo;
    for (const peer of rule.peers ?? []) {
      if (peer.type !== 'pods') continue;
      if (peer.namespaceSelector) {
        // Only a selector naming its namespaces leaves none outside the files.
        const named = namespacesNamedBy(peer.namespaceSelector);
        if (named.length === 0) {
          if (dns.ports.some((p) => p >= lo && p <= hi) && podsOfPeer(context, policy, peer).some((w) => dns.pods.includes(w))) return undefined;
          return { complete: false, unknown: 'its namespaceSelector may also select namespaces outside the files, whose pods may declare the port' };
        }
        for (const n of named) namespaces.add(n);
      } else namespaces.add(policy.namespace);
      if (dns.ports.some((p) => p >= lo && p <= hi) && podsOfPeer(context, policy, peer).some((w) => dns.pods.includes(w))) return undefined;
    }
  }
  for (const ns of [...namespaces].sort()) {
    const evidence = namespaceEvidence(context, ns);
    if (!evidence.complete) return evidence;
  }
  return { complete: true, unknown: '' };
}

export const portNotExposed: Rule = {
  id: 'port-not-exposed',
  defaultSeverity: 'warning',
  // Reads the Services in front of the destination pods.
  unit: 'policy-services',
  description: 'No destination pod declares the numeric port; a Service port where the targetPort belongs is named.',
  run(context) {
    // The Services of the whole model (a view narrowed to some policies still sees every Service).
    const servicesByNamespace = listsByNamespace(baseModel(context.model)).services;
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of [...(policy.types.ingress ? policy.ingress : []), ...(policy.types.egress ? policy.egress : [])]) {
        const numeric = (rule.ports ?? []).filter((p) => typeof p.port === 'number');
        for (const spec of numeric) {
          // A range over every port (1-65535) opens the protocol, whatever the pods listen on: no port is named.
          if ((spec.port as number) <= 1 && (spec.endPort ?? 0) >= 65535) continue;
          if (anyDestinationPod(context, policy, rule, (w) => declares(w, spec)) !== false) continue;
          // Pods outside the files may be destinations, with ports the files do not show.
          const evidence = destinationEvidence(context, policy, rule, spec);
          if (!evidence) continue;
          // Pods that declare no ports say nothing about what they listen on.
          const pods = destinationPods(context, policy, rule)?.filter((w) => w.containerPorts.length > 0);
          if (!pods || pods.length === 0) continue;
          const services = [...new Set(pods.map((w) => w.namespace))].flatMap((ns) => servicesByNamespace.get(ns) ?? []);
          const wanted = spec.endPort ? `a ${spec.protocol} port in ${spec.port}-${spec.endPort}` : `${spec.protocol} port ${spec.port}`;
          const declared = [...new Set(pods.flatMap((w) => w.containerPorts.map((c) => `${c.protocol} ${c.containerPort}`)))].sort().join(', ');
          const service = spec.endPort ? undefined : servicePortFor(services, pods, spec);
          let message = `${destinationText(rule)} (${podNames(pods)}) declares ${wanted}; they declare ${declared}.`;
          let fixes: QuickFix[] | undefined;
          if (service) {
            message += ` ${spec.port} is the port of Service ${service.service.namespace}/${service.service.name}, which forwards to targetPort ${service.targetText}: policies see the pod's port, so use ${service.target}.`;
          }
          if (service && context.wantFixes) {
            const node = nodeAt(policy.object.node, [...spec.path, 'port']);
            const file = context.file(policy.object.uri);
            const edit = file && isScalar(node) ? replaceScalar(file.text, node, String(service.target), true) : undefined;
            if (edit) fixes = [{ title: `Use the target port ${service.target}`, edits: [{ uri: policy.object.uri, ...edit }], preferred: true }];
          }
          if (!evidence.complete) message += ` These are the pods in the files; ${evidence.unknown}.`;
          context.report({
            message,
            location: locate(policy.object, [...spec.path, 'port']),
            ...(service || evidence.complete ? {} : { severity: 'hint' as const }),
            ...(fixes ? { fixes } : {}),
          });
        }
      }
    }
  },
};
