// ipBlock.cidr or an except entry that is not a valid CIDR: the API server rejects the policy.
import { policyProblemRule } from './common';

export const invalidCidr = policyProblemRule('invalid-cidr', 'An ipBlock cidr or except entry is not a valid CIDR.');
