// A label selector the API server rejects: unknown operator, values with Exists/DoesNotExist, no values with
// In/NotIn, label keys or values of invalid syntax, wrong shapes.
import { isScalar } from 'yaml';
import { nodeAt } from '../parse';
import { policyProblemRule } from './common';

export const invalidLabelSelector = policyProblemRule(
  'invalid-label-selector',
  'A label selector has an unknown operator, misplaced or missing values, or invalid label syntax.',
  undefined,
  // Numbers and booleans where a label value belongs are reported (with a fix) by unquoted-label-value; a number in
  // place of the whole selector (podSelector: 7) is not a label value and stays here.
  (_context, policy, problem) => {
    const parent = problem.path[problem.path.length - 2];
    if (parent !== 'matchLabels' && parent !== 'values') return false;
    const node = nodeAt(policy.object.node, problem.path);
    return isScalar(node) && (typeof node.value === 'number' || typeof node.value === 'boolean');
  },
);
