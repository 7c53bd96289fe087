import type { Command } from '../command';
import { oneOf } from '../args';
import { UsageError } from '../io';
import { computeCompactMatrix, matrixPlan, parsePortKey, writeMatrixCsv, writeMatrixJson, writeMatrixText, type PortKey } from '../../report/matrix';
import { load, parseWithCommon, singleScope } from './common';

export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'the all-pairs reachability matrix between workloads, per port',
  usage: 'netpol matrix [--format text|json|csv] [--port PORT/PROTO]... [--scope NAME] PATH...',
  run(argv, io) {
    const args = parseWithCommon(argv, { values: ['format', 'port'], repeated: ['port'] });
    const format = oneOf(args.values.get('format')?.[0], ['text', 'json', 'csv'] as const, 'format', 'text');
    const ports: PortKey[] = (args.values.get('port') ?? []).map((p) => {
      const key = parsePortKey(p);
      if (!key) throw new UsageError(`--port must look like 80/TCP, 53/UDP or 8080 (got ${p})`);
      return key;
    });
    const workspace = load(args, io);
    const analysis = singleScope(workspace, args).analysis;
    // Said before any pair is evaluated: a matrix of 20,000 workloads would run for minutes and exhaust memory.
    const plan = matrixPlan(analysis, ports);
    if (plan.tooLarge) throw new UsageError(plan.tooLarge);
    const matrix = computeCompactMatrix(analysis, plan.workloads, plan.portKeys);
    // Written a row at a time: the output is never held whole.
    (format === 'json' ? writeMatrixJson : format === 'csv' ? writeMatrixCsv : writeMatrixText)(matrix, io.stdout);
    return 0;
  },
};
