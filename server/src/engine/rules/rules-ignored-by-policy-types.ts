// Rules for a direction that an explicit policyTypes leaves out: the API server keeps them, and they do nothing.
import { isSeq } from 'yaml';
import { appendToSequence } from '../edits';
import { keyRangeAt, nodeAt } from '../parse';
import type { Direction, NetworkPolicy } from '../policy';
import { inWorkspace, locate, podNames, podsOfPolicy } from './common';
import type { QuickFix, Rule, RuleContext } from './types';

const TYPE_NAME: Record<Direction, string> = { ingress: 'Ingress', egress: 'Egress' };

export const rulesIgnoredByPolicyTypes: Rule = {
  id: 'rules-ignored-by-policy-types',
  defaultSeverity: 'warning',
  unit: 'policy',
  description: 'A policy has ingress or egress rules that its policyTypes leaves out.',
  run(context) {
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object) || !policy.policyTypesExplicit) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = policy[direction];
        if (rules.length === 0 || policy.types[direction]) continue;
        const pods = podsOfPolicy(context, policy);
        const listed = (policy.object.value.spec as { policyTypes: unknown[] }).policyTypes.map(String).join(', ');
        const fix = context.wantFixes ? addPolicyTypeFix(context, policy, direction) : undefined;
        context.report({
          message:
            `This policy has ${rules.length} ${direction} rule${rules.length > 1 ? 's' : ''}, but policyTypes [${listed}] leaves out ${TYPE_NAME[direction]}: ` +
            `the rules are ignored and ${direction} ${pods.length ? `of ${podNames(pods)} ` : ''}is not restricted by this policy.`,
          location: locate(policy.object, ['spec', direction], { key: true }),
          tags: ['unnecessary'],
          ...(fix ? { fixes: [fix] } : {}),
        });
      }
    }
  },
};

function addPolicyTypeFix(context: RuleContext, policy: NetworkPolicy, direction: Direction): QuickFix | undefined {
  const file = context.file(policy.object.uri);
  const seq = nodeAt(policy.object.node, ['spec', 'policyTypes']);
  const key = keyRangeAt(policy.object.node, ['spec', 'policyTypes']);
  if (!file || !isSeq(seq) || !key) return undefined;
  const edits = appendToSequence(file.text, seq, TYPE_NAME[direction], key[0]);
  if (!edits) return undefined;
  return {
    title: `Add ${TYPE_NAME[direction]} to policyTypes`,
    edits: edits.map((e) => ({ uri: policy.object.uri, ...e })),
    preferred: true,
  };
}
