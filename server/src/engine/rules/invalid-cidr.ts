// ipBlock.cidr or an except entry that is not a valid CIDR: the API server rejects the policy. A CIDR with leading
// zeros in its octets is valid (read decimally) but gets a warning, with a fix that writes it in decimal.
import { formatRangeAsCidr, parseCidr } from '../cidr';
import { replaceScalar } from '../edits';
import { nodeAt } from '../parse';
import { policyProblemRule } from './common';

export const invalidCidr = policyProblemRule('invalid-cidr', 'An ipBlock cidr or except entry is not a valid CIDR.', (context, policy, problem) => {
  if (problem.rejected) return undefined;
  const node = nodeAt(policy.object.node, problem.path);
  const file = context.file(policy.object.uri);
  const written = node && 'value' in node ? node.value : undefined;
  if (!file || !node || typeof written !== 'string') return undefined;
  const range = parseCidr(written);
  if (typeof range === 'string') return undefined;
  const decimal = formatRangeAsCidr(range);
  const edit = replaceScalar(file.text, node, decimal);
  return edit ? [{ title: `Write ${decimal}`, edits: [{ uri: policy.object.uri, ...edit }], preferred: true }] : undefined;
});
