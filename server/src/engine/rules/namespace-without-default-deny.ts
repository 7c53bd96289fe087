// A namespace with workloads and no default-deny policy: every pod no policy selects accepts all traffic.
// A default deny is a policy with an empty podSelector that isolates ingress (with or without allow rules).
import { detectEol, looksLikeJson, snippetLines } from '../edits';
import { isEmptySelector } from '../selectors';
import type { SourceLocation } from '../types';
import { inWorkspace, locate, modelIndex, nameRange, podNames } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

export const namespaceWithoutDefaultDeny: Rule = {
  id: 'namespace-without-default-deny',
  defaultSeverity: 'information',
  description: 'A namespace with workloads has no default-deny policy.',
  run(context) {
    for (const [namespace, all] of modelIndex(context.model).workloadsByNamespace) {
      const workloads = all.filter((w) => !w.assumed && inWorkspace(context, w.object));
      if (workloads.length === 0) continue;
      const policies = context.model.policiesByNamespace.get(namespace) ?? [];
      if (policies.some((p) => p.valid && p.types.ingress && isEmptySelector(p.podSelector))) continue;
      // Cluster-wide policies with ingress rules for every pod here (a BaselineAdminNetworkPolicy, say) decide what
      // those pods accept: "from anywhere" would be a claim the workspace does not support.
      if (context.analysis.tiered && workloads.every((w) => context.analysis.clusterRules(w, 'ingress').policies.length > 0)) continue;
      const location = namespaceLocation(context, namespace) ?? workloadNamespaceLocation(workloads[0]);
      context.report({
        message: `Namespace ${namespace} has ${workloads.length} workload${workloads.length > 1 ? 's' : ''} (${podNames(workloads)}) and no default-deny policy: pods that no policy selects accept traffic from anywhere.`,
        location,
        ...(context.wantFixes ? optionalFixes(defaultDenyFixes(context, namespace, location.uri)) : {}),
      });
    }
  },
};

function optionalFixes(fixes: QuickFix[]): { fixes?: QuickFix[] } {
  return fixes.length ? { fixes } : {};
}

function namespaceLocation(context: RuleContext, namespace: string): SourceLocation | undefined {
  const object = context.model.namespaces.get(namespace)?.object;
  return object && inWorkspace(context, object) ? { uri: object.uri, range: nameRange(object) } : undefined;
}

function workloadNamespaceLocation(w: { object: Parameters<typeof locate>[0] }): SourceLocation {
  return w.object.namespace !== undefined ? locate(w.object, ['metadata', 'namespace']) : locate(w.object, ['metadata', 'name']);
}

function defaultDenyFixes(context: RuleContext, namespace: string, uri: string): QuickFix[] {
  const file = context.file(uri);
  // A JSON file holds one object: a second document would break it.
  if (!file || looksLikeJson(file.text)) return [];
  const taken = new Set((context.model.policiesByNamespace.get(namespace) ?? []).map((p) => p.name));
  const fix = (types: string[], base: string, title: string): QuickFix => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    const text = file.text;
    const eol = detectEol(text);
    const lines = snippetLines(
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector: {}, policyTypes: types } },
      text,
    );
    const body = ['---', ...lines].join(eol) + eol;
    const prefix = text.length > 0 && !text.endsWith('\n') ? eol : '';
    return { title, edits: [{ uri, range: [text.length, text.length], newText: prefix + body }] };
  };
  return [
    fix(['Ingress'], 'default-deny-ingress', `Add a default-deny ingress policy for namespace ${namespace}`),
    fix(['Ingress', 'Egress'], 'default-deny', `Add a default-deny ingress and egress policy for namespace ${namespace}`),
  ];
}
