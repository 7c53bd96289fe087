// A NetworkPolicy the API server rejects as an object (no metadata.name).
import { policyProblemRule } from './common';

export const invalidObject = policyProblemRule('invalid-object', 'A NetworkPolicy object lacks what every object needs (metadata.name).');
