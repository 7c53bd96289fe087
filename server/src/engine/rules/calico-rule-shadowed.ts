// A rule of a Calico policy that an earlier final rule (Allow or Deny) of the same direction always decides first:
// the earlier rule matches every connection the later one does (it has no protocol, port, selector or net limits,
// or it is the same match), so the later rule never takes effect. Calico evaluates rules in order (_rule.mdx).
import type { CalicoRule } from '../calico-policy';
import { inWorkspace, locate } from './common';
import { calicoPolicyName } from './calico-common';
import type { Rule } from './types';

function matchKey(rule: CalicoRule): string {
  return JSON.stringify([rule.protocol?.text, rule.notProtocol?.text, rule.icmp, rule.ipVersion, entityKey(rule.source), entityKey(rule.destination)]);
}

function entityKey(e: CalicoRule['source']): unknown {
  return [e.nets?.map((n) => n.text), e.notNets?.map((n) => n.text), e.selector?.text, e.notSelector?.text, e.namespaceSelector?.text, e.serviceAccounts, e.services, e.ports, e.notPorts];
}

const EVERYTHING = matchKey({ icmp: false, source: { path: [] }, destination: { path: [] } } as unknown as CalicoRule);

export const calicoRuleShadowed: Rule = {
  id: 'calico-rule-shadowed',
  defaultSeverity: 'warning',
  unit: 'scope',
  description: 'A Calico rule never takes effect: an earlier Allow or Deny rule of the policy matches all it matches.',
  run(context) {
    for (const policy of context.model.calico.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      for (const rules of [policy.ingress, policy.egress]) {
        for (let i = 0; i < rules.length; i++) {
          const later = rules[i];
          const key = matchKey(later);
          const earlier = rules.slice(0, i).find((r) => (r.action === 'allow' || r.action === 'deny') && r.unanalysed.length === 0 && (matchKey(r) === EVERYTHING || matchKey(r) === key));
          if (!earlier) continue;
          context.report({
            message: `${later.direction} rule ${later.index + 1} of ${calicoPolicyName(policy)} never takes effect: rule ${earlier.index + 1} (${earlier.actionText}) matches ${matchKey(earlier) === EVERYTHING ? 'every connection' : 'the same connections'} first.`,
            location: locate(policy.object, later.path),
            tags: ['unnecessary'],
          });
        }
      }
    }
  },
};
