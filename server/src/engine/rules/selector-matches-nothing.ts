// spec.podSelector selects no pod in the policy's namespace: the policy has no effect on anything in the workspace.
import { formatSelector, isEmptySelector } from '../selectors';
import { inWorkspace, locate, modelIndex, namespaceEvidence, namespaceTitle, workloadsIn } from './common';
import { anyOfListMatches } from './label-index';
import type { Rule } from './types';

export const selectorMatchesNothing: Rule = {
  id: 'selector-matches-nothing',
  defaultSeverity: 'warning',
  unit: 'policy',
  description: "spec.podSelector selects no pod in the policy's namespace.",
  run(context) {
    // A workspace without workloads (policies only) says nothing about what exists.
    if (!modelIndex(context.model).hasOwnWorkloads) return;
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      const inNamespace = workloadsIn(context.model, policy.namespace);
      // Indexed by label: testing every workload of the namespace for every policy is quadratic in large namespaces.
      if (anyOfListMatches(context.store, inNamespace, 'pod', (w) => w.podLabels, policy.podSelector)) continue;
      // A namespace declared in .netpol.yaml as living outside the repository may hold pods the workspace lacks.
      if (inNamespace.length === 0 && context.model.namespaces.get(policy.namespace)?.external) continue;
      const what = isEmptySelector(policy.podSelector) ? 'every pod' : `pods with ${formatSelector(policy.podSelector)}`;
      const evidence = namespaceEvidence(context, policy.namespace);
      // Where the files do not show every pod of the namespace, say what is unknown instead of asserting.
      if (!evidence.complete) {
        context.report({
          severity: 'hint',
          message: `spec.podSelector selects ${what}; no pod in the files matches, but ${evidence.unknown}.`,
          location: locate(policy.object, ['spec', 'podSelector']),
        });
        continue;
      }
      context.report({
        message: `spec.podSelector selects ${what}, but no pod in ${namespaceTitle(context, policy.namespace)} has these labels; this policy applies to nothing.`,
        location: locate(policy.object, ['spec', 'podSelector']),
      });
    }
  },
};
