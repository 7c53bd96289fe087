// A port entry the API server rejects: unknown protocol, port out of 1-65535, a numeric string, a bad port name.
// Two of them have an unambiguous fix: a protocol in the wrong case (`tcp`) and a number written as a string.
import { isScalar } from 'yaml';
import { replaceScalar } from '../edits';
import { nodeAt } from '../parse';
import { PROTOCOLS } from '../types';
import { policyProblemRule } from './common';

export const invalidPort = policyProblemRule(
  'invalid-port',
  'A port entry has an unknown protocol, a port outside 1-65535, a quoted number or an invalid port name.',
  (context, policy, problem) => {
    const file = context.file(policy.object.uri);
    const node = nodeAt(policy.object.node, problem.path);
    if (!file || !isScalar(node) || typeof node.value !== 'string') return undefined;
    const uri = policy.object.uri;
    const field = problem.path[problem.path.length - 1];
    if (field === 'protocol') {
      const protocol = PROTOCOLS.find((p) => p === (node.value as string).toUpperCase());
      const edit = protocol && replaceScalar(file.text, node, protocol);
      return edit ? [{ title: `Replace "${node.value}" with "${protocol}"`, edits: [{ uri, ...edit }], preferred: true }] : undefined;
    }
    if (field === 'port' && /^\d+$/.test(node.value)) {
      const port = Number(node.value);
      if (port < 1 || port > 65535 || !node.range) return undefined;
      // The quotes go: the number is written plain.
      return [{ title: `Write ${port} as a number`, edits: [{ uri, range: [node.range[0], node.range[1]], newText: String(port) }], preferred: true }];
    }
    return undefined;
  },
);
