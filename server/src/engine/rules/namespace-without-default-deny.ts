// A namespace with workloads and no default-deny policy: every pod no policy selects accepts all traffic.
// A default deny is a policy with an empty podSelector that isolates ingress (with or without allow rules).
import { detectEol, looksLikeJson, snippetLines } from '../edits';
import { isEmptySelector } from '../selectors';
import type { SourceLocation } from '../types';
import { dnsRule } from './missing-dns-egress';
import { baseModel, dnsEndpoints, inWorkspace, isInstallBundle, locate, modelIndex, nameRange, namespaceTitle, podNames } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

export const namespaceWithoutDefaultDeny: Rule = {
  id: 'namespace-without-default-deny',
  defaultSeverity: 'information',
  unit: 'namespace',
  description: 'A namespace with workloads has no default-deny policy.',
  run(context) {
    const system = new Set([...SYSTEM_NAMESPACES, ...context.config.systemNamespaces]);
    for (const [namespace, all] of modelIndex(context.model).workloadsByNamespace) {
      // The cluster's own namespaces run components that policies rarely cover, by design.
      if (system.has(namespace)) continue;
      const workloads = all.filter((w) => !w.assumed && inWorkspace(context, w.object));
      if (workloads.length === 0) continue;
      const policies = context.model.policiesByNamespace.get(namespace) ?? [];
      const denies = (direction: 'ingress' | 'egress') => policies.some((p) => p.valid && p.types[direction] && isEmptySelector(p.podSelector));
      if (denies('ingress')) continue;
      // Cluster-wide policies with ingress rules for every pod here (a BaselineAdminNetworkPolicy, say) decide what
      // those pods accept: "from anywhere" would be a claim the workspace does not support.
      if (context.analysis.tiered && workloads.every((w) => context.analysis.clusterRules(w, 'ingress').policies.length > 0)) continue;
      // So do Calico policies (a GlobalNetworkPolicy default deny, say) that select every pod here for ingress.
      const calico = context.analysis.calico;
      if (calico && workloads.every((w) => calico.selectingPolicies(w, 'ingress').length > 0)) continue;
      // And Cilium policies with ingress entries for every pod here.
      const cilium = context.analysis.cilium;
      if (cilium && workloads.every((w) => cilium.hasRules(w, 'ingress'))) continue;
      const egressToo = !denies('egress');
      const location = namespaceLocation(context, namespace) ?? workloadNamespaceLocation(workloads[0]);
      const title = namespaceTitle(context, namespace);
      context.report({
        message:
          `${title[0].toUpperCase()}${title.slice(1)} has ${workloads.length} workload${workloads.length > 1 ? 's' : ''} (${podNames(workloads)}) and no default-deny policy for ingress${egressToo ? ' or egress' : ''}: ` +
          `pods that no policy selects accept traffic from anywhere${egressToo ? ' and may connect anywhere' : ''}.`,
        location,
        ...(context.wantFixes ? optionalFixes(defaultDenyFixes(context, namespace, location.uri)) : {}),
      });
    }
  },
};

/** Namespaces of the cluster itself (more in `systemNamespaces` of .netpol.yaml). */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

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
  // An install bundle's policies carry no namespace: `kubectl apply -n` chooses it.
  const bundle = namespace === baseModel(context.model).defaultNamespace && isInstallBundle(context);
  const target = bundle ? 'the namespace they are applied to' : `namespace ${namespace}`;
  const fix = (types: string[], base: string, title: string, egress?: unknown[]): QuickFix => {
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    const text = file.text;
    const eol = detectEol(text);
    const lines = snippetLines(
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: bundle ? { name } : { name, namespace }, spec: { podSelector: {}, policyTypes: types, ...(egress ? { egress } : {}) } },
      text,
    );
    const body = ['---', ...lines].join(eol) + eol;
    const prefix = text.length > 0 && !text.endsWith('\n') ? eol : '';
    return { title, edits: [{ uri, range: [text.length, text.length], newText: prefix + body }] };
  };
  return [
    fix(['Ingress'], 'default-deny-ingress', `Add a default-deny ingress policy for ${target}`),
    // Egress denied except DNS: a default deny without it breaks every name lookup (missing-dns-egress).
    fix(['Ingress', 'Egress'], 'default-deny', `Add a default-deny ingress and egress policy (DNS still allowed) for ${target}`, [dnsRule(context, dnsEndpoints(context))]),
  ];
}
