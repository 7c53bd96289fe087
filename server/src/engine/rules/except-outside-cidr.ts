// An ipBlock.except entry not strictly inside the block's cidr: the API server rejects the policy.
import { policyProblemRule } from './common';

export const exceptOutsideCidr = policyProblemRule(
  'except-outside-cidr',
  "An ipBlock except entry is not strictly inside the block's cidr.",
);
