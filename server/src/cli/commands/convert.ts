import { INPUT_OPTIONS, RENDER_OPTIONS, oneOf } from '../args';
import type { Command } from '../command';
import { displayPath } from '../io';
import { networkPolicyToCilium } from '../../engine/cilium-convert';
import { escapeControls } from '../../report/escape';
import { lineCol, load, parseCommand, singleScope } from './common';

const TARGETS = ['cilium'] as const;

export const convertCommand: Command = {
  name: 'convert',
  summary: 'the NetworkPolicies rewritten as the CiliumNetworkPolicies Cilium enforces the same way',
  arguments: 'PATH...',
  details:
    'Prints one CiliumNetworkPolicy per valid NetworkPolicy of the input, each after a comment naming its source.\n' +
    'A conversion that is not exact says why in a "# not exact:" comment (and on standard error).',
  options: [
    { name: 'to', value: 'KIND', choices: TARGETS, default: 'cilium', description: 'the policy kind to convert to', example: '--to cilium' },
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
  ],
  examples: ['netpol convert --to cilium k8s/ > cilium-policies.yaml'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    oneOf(args.values.get('to')?.[0], TARGETS, 'to', 'cilium');
    const workspace = await load(args, io);
    const scope = singleScope(workspace, args);
    const docs: string[] = [];
    let inexact = 0;
    for (const policy of scope.model.policies) {
      const c = networkPolicyToCilium(policy);
      if (!c) continue;
      const { line, col } = lineCol(workspace, policy.object.uri, policy.object.range[0]);
      const where = `${displayPath(policy.object.uri)}:${line}:${col}`;
      const notes = c.reasons.map((r) => `# not exact: ${r}\n`).join('');
      if (!c.exact) {
        inexact++;
        for (const r of c.reasons) io.stderr(`${escapeControls(`${where}: NetworkPolicy ${policy.namespace}/${policy.name}: not exact: ${r}`)}\n`);
      }
      docs.push(`# from NetworkPolicy ${policy.namespace}/${policy.name} (${where})\n${notes}${c.text}`.split('\n').map((l) => (l.startsWith('#') ? escapeControls(l) : l)).join('\n'));
    }
    io.stdout(docs.length > 0 ? docs.join('---\n') : '');
    io.stderr(`netpol convert: ${docs.length} NetworkPolic${docs.length === 1 ? 'y' : 'ies'} converted${inexact > 0 ? `, ${inexact} not exactly (see the "# not exact" comments)` : ', all exactly'}\n`);
    return 0;
  },
};
