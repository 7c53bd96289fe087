// Pods with hostNetwork: true share the node's network namespace. Most CNI plugins (Calico, Cilium, the
// built-in kube-router and others) do not apply NetworkPolicies to them, and their traffic carries the node's
// address, so pod selectors do not match it either. Policies that select such pods mostly do nothing.
import { inWorkspace, listNames, locate, policyName } from './common';
import type { Rule } from './types';

export const hostNetwork: Rule = {
  id: 'host-network',
  defaultSeverity: 'warning',
  unit: 'namespace',
  description: 'A policy selects hostNetwork pods, to which most CNIs do not apply NetworkPolicies.',
  run(context) {
    for (const w of context.model.workloads) {
      if (w.assumed || !w.hostNetwork || !inWorkspace(context, w.object)) continue;
      const policies = context.analysis.selectingPolicies(w);
      if (policies.length === 0) continue;
      context.report({
        message:
          `${w.displayName} runs with hostNetwork: true, and ${listNames(policies.map(policyName))} select${policies.length === 1 ? 's' : ''} it. ` +
          `Most CNIs do not enforce NetworkPolicies on host-network pods, and their traffic uses the node's address, so pod selectors do not match it.`,
        location: locate(w.object, [...w.templatePath, 'spec', 'hostNetwork']),
      });
    }
  },
};
