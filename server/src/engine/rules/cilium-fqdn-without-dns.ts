// toFQDNs learns the addresses of names only through Cilium's DNS proxy, which sees only lookups that an egress rule
// with a `dns` L7 rule sends to it (language.rst "DNS based"; policy-dialects.md B "toFQDNs"). Without one, the
// names never resolve to allowed addresses and the egress is dropped.
import { ciliumPolicies } from '../cilium-evaluate';
import type { Workload } from '../model';
import { inWorkspace, locate } from './common';
import type { Rule } from './types';

export const ciliumFqdnWithoutDns: Rule = {
  id: 'cilium-fqdn-without-dns',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'toFQDNs egress for pods that no egress rule with a DNS L7 rule (the DNS proxy) covers: the names never resolve to allowed addresses.',
  run(context) {
    const policies = ciliumPolicies(context.model);
    if (!policies.some((p) => p.rules.some((r) => r.elements.some((e) => e.peers?.some((x) => x.type === 'fqdn'))))) return;
    const cilium = context.analysis.ciliumEvaluator();
    // The workloads each Cilium rule selects, in one pass over the workloads.
    const selectedBy = new Map<object, Workload[]>();
    for (const w of context.model.workloads) {
      for (const { rule } of cilium.selectingRules(w)) {
        const list = selectedBy.get(rule);
        if (list) list.push(w);
        else selectedBy.set(rule, [w]);
      }
    }
    for (const policy of policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of policy.rules) {
        for (const el of rule.elements) {
          const fqdn = el.peers?.find((x) => x.type === 'fqdn');
          if (!fqdn) continue;
          const selected = selectedBy.get(rule) ?? [];
          const missing = selected.filter((w) => !cilium.selectingRules(w).some((x) => x.rule.elements.some((e) => e.direction === 'egress' && !e.deny && e.toPorts?.some((t) => t.l7.includes('dns')))));
          if (missing.length === 0) continue;
          context.report({
            message: `toFQDNs needs an egress rule with \`rules: {dns: [{matchPattern: "*"}]}\` toward the DNS server for ${missing.map((w) => w.displayName).slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}: Cilium learns the names' addresses only through its DNS proxy`,
            location: locate(policy.object, fqdn.path),
          });
        }
      }
    }
  },
};
