import type { Command } from '../command';
import { oneOf } from '../args';
import { connections, writeConnections } from '../../report/connlist';
import { analyzerConnections, formatAnalyzerJson, formatAnalyzerText } from '../../report/netpol-analyzer';
import { load, parseWithCommon, singleScope } from './common';

export const listCommand: Command = {
  name: 'list',
  summary: 'every allowed connection at workload level, with ports and external address ranges',
  usage: 'netpol list [--format text|json|netpol-analyzer|netpol-analyzer-json] [--scope NAME] PATH...',
  run(argv, io) {
    const args = parseWithCommon(argv, { values: ['format'] });
    const format = oneOf(args.values.get('format')?.[0], ['text', 'json', 'netpol-analyzer', 'netpol-analyzer-json'] as const, 'format', 'text');
    const workspace = load(args, io);
    const analysis = singleScope(workspace, args).analysis;
    if (format === 'netpol-analyzer') io.stdout(formatAnalyzerText(analyzerConnections(analysis)));
    else if (format === 'netpol-analyzer-json') io.stdout(formatAnalyzerJson(analyzerConnections(analysis)));
    // Streamed: 20,000 workloads have hundreds of millions of connections, never held at once.
    else writeConnections(connections(analysis), format, io.stdout);
    return 0;
  },
};
