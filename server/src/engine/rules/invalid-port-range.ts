// endPort below port, endPort with a named port or without a port: the API server rejects the policy.
// When both are numbers in the wrong order, the fix swaps them.
import { isScalar } from 'yaml';
import { replaceScalar } from '../edits';
import { nodeAt } from '../parse';
import { policyProblemRule } from './common';

export const invalidPortRange = policyProblemRule(
  'invalid-port-range',
  'endPort is below port, or used with a named port or without a port.',
  (context, policy, problem) => {
    const portPath = [...problem.path.slice(0, -1), 'port'];
    const portNode = nodeAt(policy.object.node, portPath);
    const endNode = nodeAt(policy.object.node, problem.path);
    const file = context.file(policy.object.uri);
    if (!file || !isScalar(portNode) || !isScalar(endNode)) return undefined;
    if (typeof portNode.value !== 'number' || typeof endNode.value !== 'number' || endNode.value >= portNode.value) return undefined;
    const a = replaceScalar(file.text, portNode, String(endNode.value), true);
    const b = replaceScalar(file.text, endNode, String(portNode.value), true);
    if (!a || !b) return undefined;
    return [
      {
        title: `Swap port and endPort (port: ${endNode.value}, endPort: ${portNode.value})`,
        edits: [a, b].map((e) => ({ uri: policy.object.uri, ...e })),
        preferred: true,
      },
    ];
  },
);
