// A GlobalNetworkPolicy that applies to egress and leaves pods it selects unable to reach the cluster DNS: a global
// default deny that forgot DNS breaks name resolution for every selected pod (the usual zero-trust first step is a
// GNP that denies all but DNS). Checked on the final verdict, so an allow in another policy or tier counts.
import { workloadEndpoint } from '../evaluate';
import { dnsEndpoints, inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import type { Rule } from './types';

export const calicoGlobalDenyWithoutDns: Rule = {
  id: 'calico-global-deny-without-dns',
  defaultSeverity: 'warning',
  description: 'A GlobalNetworkPolicy applies to egress and the pods it selects cannot reach the cluster DNS.',
  run(context) {
    const calico = context.analysis.calico;
    if (!calico) return;
    const dns = dnsEndpoints(context);
    const dnsPort = dns.ports[0] ?? 53;
    for (const policy of context.model.calico.policies) {
      if (!policy.valid || policy.staged || !policy.global || !policy.types.egress || !inWorkspace(context, policy.object)) continue;
      const selected = context.model.workloads.filter((w) => !w.assumed && calico.selects(policy, w) && !dns.pods.includes(w));
      const cut = selected.filter((w) => !dns.pods.some((d) => context.analysis.egressAllowed(workloadEndpoint(w), workloadEndpoint(d)).has('UDP', dnsPort)));
      if (cut.length === 0) continue;
      const names = cut.slice(0, 3).map((w) => w.displayName).join(', ') + (cut.length > 3 ? `, and ${cut.length - 3} more` : '');
      context.report({
        message: `${calicoPolicyName(policy)} applies to egress and ${cut.length} pod${cut.length > 1 ? 's' : ''} it selects (${names}) cannot reach ${dns.description} on UDP ${dnsPort}: name resolution fails. Allow egress to the DNS pods on UDP and TCP ${dnsPort} (a rule in this policy before the deny, or in an earlier tier).`,
        location: locate(policy.object, ['metadata', 'name']),
      });
    }
  },
};
