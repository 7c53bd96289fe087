// Shared by the rules about cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
// ClusterNetworkPolicy): which workloads and namespaces their selections reach.
import type { ClusterPodSelection, ClusterPolicy } from '../cluster-policy';
import type { Model, Workload } from '../model';
import { matchesSelector } from '../selectors';

/** The workloads a subject or pod peer selects: never host-network pods (API reference). */
export function selectedWorkloads(model: Model, selection: ClusterPodSelection): Workload[] {
  const namespaces = new Set<string>();
  for (const ns of model.namespaces.values()) if (matchesSelector(selection.namespaceSelector, ns.labels)) namespaces.add(ns.name);
  return model.workloads.filter((w) => !w.hostNetwork && namespaces.has(w.namespace) && (!selection.podSelector || matchesSelector(selection.podSelector, w.podLabels)));
}

/** Whether a selection's namespaces include one declared in .netpol.yaml as living outside the repository (it may hold pods the workspace lacks). */
export function reachesExternalNamespace(model: Model, selection: ClusterPodSelection): boolean {
  for (const ns of model.namespaces.values()) if (ns.external && matchesSelector(selection.namespaceSelector, ns.labels)) return true;
  return false;
}

/** `AdminNetworkPolicy deny-x`. */
export function clusterPolicyName(policy: ClusterPolicy): string {
  return `${policy.kind} ${policy.name || '(unnamed)'}`;
}
