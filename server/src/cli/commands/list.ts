import { INPUT_OPTIONS, RENDER_OPTIONS, oneOf } from '../args';
import type { Command } from '../command';
import { connections, writeConnections } from '../../report/connlist';
import { analyzerConnectionLines, writeAnalyzer } from '../../report/netpol-analyzer';
import { load, parseCommand, singleScope } from './common';

const FORMATS = ['text', 'json', 'netpol-analyzer', 'netpol-analyzer-json'] as const;

export const listCommand: Command = {
  name: 'list',
  summary: 'every allowed connection at workload level, with ports and external address ranges',
  arguments: 'PATH...',
  options: [
    { name: 'format', value: 'FORMAT', choices: FORMATS, default: 'text', description: 'output format (netpol-analyzer: what np-guard/netpol-analyzer list prints)', example: '--format netpol-analyzer' },
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
  ],
  examples: ['netpol list k8s/', 'helm template ./chart | netpol list -'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    const format = oneOf(args.values.get('format')?.[0], FORMATS, 'format', 'text');
    const workspace = await load(args, io);
    const analysis = singleScope(workspace, args).analysis;
    // Streamed: 20,000 workloads have hundreds of millions of connections, never held at once.
    if (format === 'netpol-analyzer') writeAnalyzer(analyzerConnectionLines(analysis), 'text', io.stdout);
    else if (format === 'netpol-analyzer-json') writeAnalyzer(analyzerConnectionLines(analysis), 'json', io.stdout);
    else writeConnections(connections(analysis), format, io.stdout);
    return 0;
  },
};
