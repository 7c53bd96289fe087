// An ipBlock.except entry not strictly inside the block's cidr: the API server rejects the policy. An entry that
// does not even overlap the block excepts nothing the block holds: removing it keeps what the author wrote the
// block for, so that is the fix (an entry that overlaps or covers the block says something only the author can fix).
import { isMap, isSeq } from 'yaml';
import { overlaps, parseCidr } from '../cidr';
import { removeMapEntry, removeSequenceItem } from '../edits';
import { nodeAt } from '../parse';
import { policyProblemRule } from './common';
import type { QuickFix } from './types';

export const exceptOutsideCidr = policyProblemRule(
  'except-outside-cidr',
  "An ipBlock except entry is not strictly inside the block's cidr.",
  (context, policy, problem): QuickFix[] | undefined => {
    const index = problem.path[problem.path.length - 1];
    if (typeof index !== 'number') return undefined;
    const blockPath = problem.path.slice(0, -2);
    const file = context.file(policy.object.uri);
    const block = nodeAt(policy.object.node, blockPath);
    const except = nodeAt(policy.object.node, problem.path.slice(0, -1));
    if (!file || !isMap(block) || !isSeq(except)) return undefined;
    const cidrText = block.get('cidr');
    const entryText = except.items[index] && (except.items[index] as { value?: unknown }).value;
    if (typeof cidrText !== 'string' || typeof entryText !== 'string') return undefined;
    const cidr = parseCidr(cidrText);
    const entry = parseCidr(entryText);
    if (typeof cidr === 'string' || typeof entry === 'string' || overlaps(cidr, entry)) return undefined;
    const edits = except.items.length === 1 ? removeMapEntry(file.text, block, 'except') : removeSequenceItem(file.text, except, index);
    if (!edits) return undefined;
    return [{ title: `Remove except ${entryText}: it lies outside ${cidrText} and excepts nothing`, edits: edits.map((e) => ({ uri: policy.object.uri, ...e })), preferred: true }];
  },
);
