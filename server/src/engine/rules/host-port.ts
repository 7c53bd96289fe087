// A container port with hostPort: traffic to the node's address on that port reaches the pod through the CNI's
// port mapping (the portmap plugin's DNAT, or the CNI's own datapath). Whether the pod's ingress policies filter it,
// and which source address they see (the node's, after SNAT), depends on the CNI: on several the policy does not
// protect the host port. Information, because the workspace cannot know the CNI.
import type { Workload } from '../model';
import { isPlainObject } from '../parse';
import { inWorkspace, listNames, locate, policyName } from './common';
import type { Rule } from './types';

interface HostPort {
  hostPort: number;
  containerPort: number | undefined;
  protocol: string;
  path: (string | number)[];
}

/** The container ports of a workload's pod template that set hostPort. */
export function hostPortsOf(w: Workload): HostPort[] {
  let spec: unknown = w.object.value;
  for (const key of [...w.templatePath, 'spec']) spec = isPlainObject(spec) ? spec[key] : undefined;
  const out: HostPort[] = [];
  if (!isPlainObject(spec)) return out;
  for (const listKey of ['containers', 'initContainers']) {
    const containers = spec[listKey];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: unknown, ci) => {
      if (!isPlainObject(c) || !Array.isArray(c.ports)) return;
      c.ports.forEach((p: unknown, pi) => {
        if (!isPlainObject(p)) return;
        const hostPort = typeof p.hostPort === 'number' ? p.hostPort : Number(p.hostPort);
        if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) return;
        out.push({
          hostPort,
          containerPort: typeof p.containerPort === 'number' ? p.containerPort : undefined,
          protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
          path: [...w.templatePath, 'spec', listKey, ci, 'ports', pi, 'hostPort'],
        });
      });
    });
  }
  return out;
}

export const hostPort: Rule = {
  id: 'host-port',
  defaultSeverity: 'information',
  unit: 'namespace',
  description: 'A pod that a policy isolates for ingress exposes a hostPort, which several CNIs do not police.',
  run(context) {
    for (const w of context.model.workloads) {
      // hostNetwork pods are host-network's business: every port of theirs is a host port.
      if (w.assumed || w.hostNetwork || !inWorkspace(context, w.object)) continue;
      const ports = hostPortsOf(w);
      if (ports.length === 0) continue;
      const policies = context.analysis.isolatingPolicies(w, 'ingress');
      if (policies.length === 0) continue;
      for (const p of ports) {
        context.report({
          message:
            `${w.displayName} exposes ${p.protocol} ${p.hostPort} on its node's address (hostPort), and ${listNames(policies.map(policyName))} isolate${policies.length === 1 ? 's' : ''} it for ingress. ` +
            `Whether NetworkPolicies filter host-port traffic, and which source address they see, depends on the CNI: on several they do not, so the policy may not protect this port.`,
          location: locate(w.object, p.path),
        });
      }
    }
  },
};
