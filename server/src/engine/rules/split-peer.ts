// A namespaceSelector-only peer next to a podSelector-only peer in one rule. Two list items are ORed: the rule
// admits every pod of the selected namespaces, plus the selected pods of the policy's own namespace. Written as
// one item (no `-` before podSelector) they are ANDed: the selected pods in the selected namespaces, which is
// almost always what was meant. With workloads in the workspace, the finding needs evidence: the pod selector
// matches nothing in the policy's namespace but matches pods in the selected namespaces.
import { isMap, isSeq, type Node as YamlNode } from 'yaml';
import { columnOf } from '../edits';
import { nodeAt } from '../parse';
import type { NetworkPolicy, PodPeer, PolicyRule } from '../policy';
import { formatSelector, isEmptySelector } from '../selectors';
import { inWorkspace, locate, modelIndex, peerSelectsAnyPod, ruleLabel } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

export const splitPeer: Rule = {
  id: 'split-peer',
  defaultSeverity: 'warning',
  unit: 'policy',
  description: 'A namespaceSelector-only peer next to a podSelector-only peer (OR) where one peer (AND) was likely meant.',
  run(context) {
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rule of [...policy.ingress, ...policy.egress]) {
        const peers = rule.peers ?? [];
        for (let i = 0; i + 1 < peers.length; i++) {
          const a = peers[i];
          const b = peers[i + 1];
          if (a.type !== 'pods' || b.type !== 'pods' || b.index !== a.index + 1) continue;
          const nsOnly = (p: PodPeer) => p.namespaceSelector !== undefined && p.podSelector === undefined;
          const podOnly = (p: PodPeer) => p.podSelector !== undefined && p.namespaceSelector === undefined;
          const ns = nsOnly(a) && podOnly(b) ? a : nsOnly(b) && podOnly(a) ? b : undefined;
          if (!ns) continue;
          const pod = ns === a ? b : a;
          // `podSelector: {}` beside a namespaceSelector reads as "my namespace too": the OR is meant.
          if (isEmptySelector(pod.podSelector!)) continue;
          const evidence = modelIndex(context.model).hasOwnWorkloads ? readingEvidence(context, policy, ns, pod) : 'none';
          if (evidence === 'or') continue;
          const nsText = formatSelector(ns.namespaceSelector!);
          const podText = formatSelector(pod.podSelector!);
          // Without evidence the merge is offered, never preferred.
          const fix = context.wantFixes ? mergeFix(context, policy, rule, a.index, evidence === 'and') : undefined;
          context.report({
            ...(evidence === 'and' ? {} : { severity: 'hint' as const }),
            message:
              `These two peers of ${ruleLabel(rule)} are separate list items, so they are ORed: every pod of the namespaces with ${nsText}, ` +
              `or pods with ${podText} in namespace ${policy.namespace}. For pods with ${podText} in namespaces with ${nsText}, write them as one peer.`,
            location: locate(policy.object, b.path),
            ...(fix ? { fixes: [fix] } : {}),
          });
          i++; // a peer belongs to one pair at most
        }
      }
    }
  },
};

/**
 * With workloads to judge by: the OR reading is likely a mistake (`and`) when the pod selector finds nothing in the
 * policy's own namespace, while the AND reading finds pods in the selected namespaces; likely meant (`or`) when the
 * pod selector finds pods and the AND reading none; no evidence (`none`) when both readings find pods, or neither.
 */
function readingEvidence(context: RuleContext, policy: NetworkPolicy, ns: PodPeer, pod: PodPeer): 'and' | 'or' | 'none' {
  const orFinds = peerSelectsAnyPod(context, policy, pod);
  const andFinds = peerSelectsAnyPod(context, policy, { ...ns, podSelector: pod.podSelector });
  if (andFinds && !orFinds) return 'and';
  if (orFinds && !andFinds) return 'or';
  return andFinds ? 'none' : 'or';
}

/** Merges item `index + 1` into item `index` by turning its `-` into a space, when both are aligned block maps. */
function mergeFix(context: RuleContext, policy: NetworkPolicy, rule: PolicyRule, index: number, preferred: boolean): QuickFix | undefined {
  const file = context.file(policy.object.uri);
  const seq = nodeAt(policy.object.node, [...rule.path, rule.direction === 'ingress' ? 'from' : 'to']);
  if (!file || !isSeq(seq) || seq.flow) return undefined;
  const first = seq.items[index] as YamlNode | undefined;
  const second = seq.items[index + 1] as YamlNode | undefined;
  if (!isMap(first) || !isMap(second) || first.flow || second.flow || !first.range || !second.range) return undefined;
  const text = file.text;
  if (columnOf(text, first.range[0]) !== columnOf(text, second.range[0])) return undefined;
  let dash = second.range[0] - 1;
  while (dash >= 0 && text[dash] === ' ') dash--;
  if (text[dash] !== '-') return undefined;
  return {
    title: 'Merge into one peer (namespaceSelector AND podSelector)',
    edits: [{ uri: policy.object.uri, range: [dash, dash + 1], newText: ' ' }],
    ...(preferred ? { preferred: true } : {}),
  };
}
