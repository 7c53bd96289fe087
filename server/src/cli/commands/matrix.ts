import type { Command } from '../command';
import { oneOf } from '../args';
import { UsageError } from '../io';
import { computeMatrix, matrixToCsv, matrixToJson, matrixToText, parsePortKey, type PortKey } from '../../report/matrix';
import { load, parseWithCommon, singleScope, RENDER_USAGE } from './common';

export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'the all-pairs reachability matrix between workloads, per port',
  usage: `netpol matrix [--format text|json|csv] [--port PORT/PROTO]... [--scope NAME] ${RENDER_USAGE} PATH...`,
  async run(argv, io) {
    const args = parseWithCommon(argv, { values: ['format', 'port'], repeated: ['port'] });
    const format = oneOf(args.values.get('format')?.[0], ['text', 'json', 'csv'] as const, 'format', 'text');
    const ports: PortKey[] = (args.values.get('port') ?? []).map((p) => {
      const key = parsePortKey(p);
      if (!key) throw new UsageError(`--port must look like 80/TCP, 53/UDP or 8080 (got ${p})`);
      return key;
    });
    const workspace = await load(args, io);
    const matrix = computeMatrix(singleScope(workspace, args).analysis, ports);
    io.stdout(format === 'json' ? matrixToJson(matrix) : format === 'csv' ? matrixToCsv(matrix) : matrixToText(matrix));
    return 0;
  },
};
