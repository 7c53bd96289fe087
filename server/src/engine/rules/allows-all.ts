// Rules that open a direction to everything, for least-privilege reviews: a rule without from/to (every source
// or destination, the outside world included), a peer `namespaceSelector: {}` without a pod restriction (every
// pod of every namespace), and ipBlock 0.0.0.0/0 or ::/0 (every address).
import { isEmptySelector } from '../selectors';
import type { PolicyRule } from '../policy';
import { capitalize, inWorkspace, locate, podNames, podsOfPolicy, ruleLabel } from './common';
import type { Rule } from './types';

function portsText(rule: PolicyRule): string {
  if (!rule.ports) return 'on every port';
  const parts = rule.ports.map((p) => (p.port === undefined ? `every ${p.protocol} port` : `${p.protocol} ${p.port}${p.endPort ? `-${p.endPort}` : ''}`));
  return `on ${parts.join(', ')}`;
}

export const allowsAll: Rule = {
  id: 'allows-all',
  defaultSeverity: 'information',
  unit: 'policy',
  description: 'A rule opens a direction to everything: no from/to, namespaceSelector: {} alone, or 0.0.0.0/0 / ::/0.',
  run(context) {
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      let subjectText: string | undefined;
      const subject = () => {
        if (subjectText === undefined) {
          const pods = podsOfPolicy(context, policy);
          subjectText = pods.length ? podNames(pods) : 'the selected pods';
        }
        return subjectText;
      };
      for (const rule of [...(policy.types.ingress ? policy.ingress : []), ...(policy.types.egress ? policy.egress : [])]) {
        const ingress = rule.direction === 'ingress';
        if (!rule.peers) {
          context.report({
            message: ingress
              ? `${capitalize(ruleLabel(rule))} has no "from": it admits traffic to ${subject()} from every pod of every namespace and from outside the cluster, ${portsText(rule)}.`
              : `${capitalize(ruleLabel(rule))} has no "to": it lets ${subject()} reach every pod of every namespace and every address outside the cluster, ${portsText(rule)}.`,
            location: locate(policy.object, rule.path),
          });
          continue;
        }
        for (const peer of rule.peers) {
          if (peer.type === 'pods') {
            if (peer.namespaceSelector && isEmptySelector(peer.namespaceSelector) && (!peer.podSelector || isEmptySelector(peer.podSelector))) {
              context.report({
                message: `namespaceSelector: {} without a podSelector selects every pod of every namespace: ${ruleLabel(rule)} ${ingress ? `admits all of them to ${subject()}` : `lets ${subject()} reach all of them`}, ${portsText(rule)}.`,
                location: locate(policy.object, [...peer.path, 'namespaceSelector'], { key: true }),
              });
            }
          } else if (peer.cidr.lo === 0n && peer.cidr.hi === (peer.cidr.v6 ? (1n << 128n) - 1n : 0xffffffffn)) {
            const family = peer.cidr.v6 ? 'IPv6' : 'IPv4';
            context.report({
              message: `ipBlock ${peer.cidrText} is every ${family} address${peer.except.length ? ' (but the excepted blocks)' : ''}: ${ruleLabel(rule)} ${ingress ? `admits any of them to ${subject()}` : `lets ${subject()} reach any of them`}, ${portsText(rule)}.`,
              location: locate(policy.object, [...peer.path, 'ipBlock', 'cidr']),
            });
          }
        }
      }
    }
  },
};
