import type { Command } from '../command';
import { oneOf } from '../args';
import { connectionsToText, listConnections } from '../../report/connlist';
import { analyzerConnections, formatAnalyzerJson, formatAnalyzerText } from '../../report/netpol-analyzer';
import { load, parseWithCommon, singleScope, RENDER_USAGE } from './common';

export const listCommand: Command = {
  name: 'list',
  summary: 'every allowed connection at workload level, with ports and external address ranges',
  usage: `netpol list [--format text|json|netpol-analyzer|netpol-analyzer-json] [--scope NAME] ${RENDER_USAGE} PATH...`,
  async run(argv, io) {
    const args = parseWithCommon(argv, { values: ['format'] });
    const format = oneOf(args.values.get('format')?.[0], ['text', 'json', 'netpol-analyzer', 'netpol-analyzer-json'] as const, 'format', 'text');
    const workspace = await load(args, io);
    const analysis = singleScope(workspace, args).analysis;
    if (format === 'netpol-analyzer') io.stdout(formatAnalyzerText(analyzerConnections(analysis)));
    else if (format === 'netpol-analyzer-json') io.stdout(formatAnalyzerJson(analyzerConnections(analysis)));
    else {
      const lines = listConnections(analysis);
      io.stdout(format === 'json' ? `${JSON.stringify(lines, null, 2)}\n` : connectionsToText(lines));
    }
    return 0;
  },
};
