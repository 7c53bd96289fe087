// Code lenses: above every NetworkPolicy what it selects and admits, above every workload whether it is isolated.
import { namespaceEvidence } from '../rules/common';
import type { Workload } from '../model';
import type { CalicoPolicy } from '../calico-policy';
import type { ClusterPolicy } from '../cluster-policy';
import type { Direction, NetworkPolicy } from '../policy';
import type { OffsetRange, SourceLocation } from '../types';
import type { Workspace } from '../workspace';
import { connectivityTestLenses, isConnectivityTestFile } from '../assertions/editor';
import { featureIndex, type ScopeIndex } from './index';
import { plural, policyLocation, workloadLocation } from './markdown';

export interface CodeLens {
  /** Where the lens sits: the start of the object. */
  range: OffsetRange;
  title: string;
  /** What clicking shows: the listed pods or policies (may be empty: the lens is then informational). */
  locations: SourceLocation[];
  kind: 'policy' | 'workload' | 'connectivity-test';
}

/** "ingress from 3 pods", "ingress from anywhere", "ingress from 2 pods + 1 CIDR", "ingress from none". */
function directionSummary(index: ScopeIndex, policy: NetworkPolicy, direction: Direction): string {
  const toward = direction === 'ingress' ? 'ingress from' : 'egress to';
  const rules = policy[direction];
  if (rules.length === 0) return `${toward} none`;
  if (rules.some((r) => !r.peers)) return `${toward} anywhere`;
  const pods = new Set<Workload>();
  const blocks = new Set<string>();
  for (const rule of rules) {
    for (const peer of rule.peers ?? []) {
      if (peer.type === 'ipBlock') blocks.add(peer.cidrText);
      else for (const w of index.peerWorkloads(policy, peer)) pods.add(w);
    }
  }
  const parts = pods.size > 0 || blocks.size === 0 ? [plural(pods.size, 'pod')] : [];
  if (blocks.size > 0) parts.push(plural(blocks.size, 'CIDR'));
  return `${toward} ${parts.join(' + ')}`;
}

export function policyLensTitle(index: ScopeIndex, policy: NetworkPolicy): string {
  // Where the files do not show every pod of the namespace, the count is of the pods in the files.
  const open = !namespaceEvidence(index, policy.namespace).complete;
  const parts = [`selects ${plural(index.selectedBy(policy).length, 'pod')}${open ? ' in the files' : ''}`];
  for (const direction of ['ingress', 'egress'] as const) {
    if (policy.types[direction]) parts.push(directionSummary(index, policy, direction));
  }
  if (policy.supersededBy) parts.unshift('replaced by a later definition of the same name (no effect)');
  else if (!policy.valid) parts.unshift('rejected by the API server (no effect)');
  return parts.join(' · ');
}

/** The workloads a cluster-wide policy's subject selects (for a direction it has rules for). */
function clusterSelected(index: ScopeIndex, policy: ClusterPolicy): Workload[] {
  return index.model.workloads.filter((w) => (['ingress', 'egress'] as const).some((d) => index.analysis.clusterRules(w, d).policies.includes(policy)));
}

function ruleCounts(ingress: number, egress: number): string[] {
  const out: string[] = [];
  if (ingress) out.push(`ingress ${plural(ingress, 'rule')}`);
  if (egress) out.push(`egress ${plural(egress, 'rule')}`);
  return out;
}

/** "Admin tier · priority 10 · selects 4 pods · ingress 2 rules": where the policy sits in the tiers and what it selects. */
export function clusterPolicyLensTitle(index: ScopeIndex, policy: ClusterPolicy): string {
  if (!policy.valid) return 'rejected by the API server (no effect)';
  const parts = [policy.kind === 'BaselineAdminNetworkPolicy' ? 'Baseline tier (after the NetworkPolicies)' : `${policy.tier} tier${policy.tier === 'Admin' ? ' (before the NetworkPolicies)' : ' (after the NetworkPolicies)'} · priority ${policy.priority}`];
  parts.push(`selects ${plural(clusterSelected(index, policy).length, 'pod')} in the files`, ...ruleCounts(policy.ingress.length, policy.egress.length));
  return parts.join(' · ');
}

/** "tier platform (order 100) · order 10 · selects 4 pods · egress 3 rules" for a Calico policy. */
export function calicoPolicyLensTitle(index: ScopeIndex, policy: CalicoPolicy): string {
  if (!policy.valid) return 'rejected by Calico (no effect)';
  const calico = index.analysis.calico;
  const tier = calico?.tiers.find((t) => t.name === policy.tier);
  const parts = [`tier ${policy.tier}${tier?.order !== undefined ? ` (order ${tier.order})` : ''}`, policy.order === undefined ? 'no order (after the ordered policies)' : `order ${policy.order}`];
  if (policy.staged) parts.unshift('staged: never enforced');
  else if (calico) parts.push(`selects ${plural(index.model.workloads.filter((w) => calico.selects(policy, w)).length, 'pod')} in the files`);
  parts.push(...ruleCounts(policy.types.ingress ? policy.ingress.length : 0, policy.types.egress ? policy.egress.length : 0));
  return parts.join(' · ');
}

export function workloadLensTitle(index: ScopeIndex, w: Workload): string {
  const selecting = index.analysis.selectingPolicies(w);
  const isolated = (['ingress', 'egress'] as const).filter((d) => selecting.some((p) => p.types[d]));
  if (isolated.length === 0) return selecting.length ? `not isolated · ${plural(selecting.length, 'policy', 'policies')}` : 'not isolated';
  return `isolated: ${isolated.join(', ')} · ${plural(selecting.length, 'policy', 'policies')}`;
}

export function codeLenses(workspace: Workspace, uri: string): CodeLens[] {
  const file = workspace.getFile(uri);
  if (!file) return [];
  const index = featureIndex(workspace).scopeFor(uri);
  if (!index) return [];
  const lenses: CodeLens[] = [];
  for (const document of file.documents) {
    for (const object of document.objects) {
      const at: OffsetRange = [object.range[0], object.range[0]];
      const policy = index.policyFor(object);
      if (policy) {
        lenses.push({ range: at, title: policyLensTitle(index, policy), locations: index.selectedBy(policy).map((w) => workloadLocation(w, workspace)), kind: 'policy' });
        continue;
      }
      const cluster = index.model.clusterPolicies.find((p) => p.object === object);
      if (cluster) {
        lenses.push({ range: at, title: clusterPolicyLensTitle(index, cluster), locations: cluster.valid ? clusterSelected(index, cluster).map((w) => workloadLocation(w, workspace)) : [], kind: 'policy' });
        continue;
      }
      const calicoPolicy = index.model.calico.policies.find((p) => p.object === object);
      if (calicoPolicy) {
        const calico = index.analysis.calico;
        const selected = calico && calicoPolicy.valid && !calicoPolicy.staged ? index.model.workloads.filter((w) => calico.selects(calicoPolicy, w)) : [];
        lenses.push({ range: at, title: calicoPolicyLensTitle(index, calicoPolicy), locations: selected.map((w) => workloadLocation(w, workspace)), kind: 'policy' });
        continue;
      }
      const workload = index.workloadFor(object);
      // Pods owned by a controller of the input are summarised on the controller.
      if (workload && workload.object === object) {
        lenses.push({
          range: at,
          title: workloadLensTitle(index, workload),
          locations: index.analysis.selectingPolicies(workload).map((p) => policyLocation(p, workspace)),
          kind: 'workload',
        });
      }
    }
  }
  // One lens per connectivity test (kind: ConnectivityTest) with its pass/fail counts.
  if (isConnectivityTestFile(file)) lenses.push(...connectivityTestLenses(workspace, uri));
  return lenses;
}
