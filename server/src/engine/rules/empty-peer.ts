// A peer without podSelector, namespaceSelector or ipBlock (or ipBlock mixed with selectors): the API server
// rejects the policy.
import { policyProblemRule } from './common';

export const emptyPeer = policyProblemRule(
  'empty-peer',
  'A from/to peer has no podSelector, namespaceSelector or ipBlock, or mixes ipBlock with selectors.',
);
