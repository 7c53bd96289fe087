import { INPUT_OPTIONS, RENDER_OPTIONS, oneOf, parsePort } from '../args';
import type { Command } from '../command';
import { UsageError } from '../io';
import { hasNotAnalysed } from '../../engine/not-analysed';
import { computeCompactMatrix, computeMatrix, matrixPlan, matrixToCsv, matrixToJson, matrixToText, writeMatrixCsv, writeMatrixJson, writeMatrixText, type PortKey } from '../../report/matrix';
import { load, parseCommand, singleScope } from './common';

const FORMATS = ['text', 'json', 'csv'] as const;

export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'the all-pairs reachability matrix between workloads, per port',
  arguments: 'PATH...',
  options: [
    { name: 'format', value: 'FORMAT', choices: FORMATS, default: 'text', description: 'output format', example: '--format csv' },
    { name: 'port', value: 'PORT/PROTO', repeated: true, default: 'every declared containerPort', description: 'a port to show (TCP when no protocol is given)', example: '--port 5432/TCP --port 53/UDP' },
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
  ],
  examples: ['netpol matrix k8s/', 'netpol matrix --port 443/TCP --format csv k8s/ > matrix.csv'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    const format = oneOf(args.values.get('format')?.[0], FORMATS, 'format', 'text');
    const ports: PortKey[] = (args.values.get('port') ?? []).map((p) => parsePort(p, 'port'));
    const workspace = await load(args, io);
    const analysis = singleScope(workspace, args).analysis;
    // Said before any pair is evaluated: a matrix of 20,000 workloads would run for minutes and exhaust memory.
    const plan = matrixPlan(analysis, ports);
    if (plan.tooLarge) throw new UsageError(plan.tooLarge);
    // Policies of kinds netpol does not analyse: the (held) matrix that marks the verdicts they could change.
    if (hasNotAnalysed(analysis.model)) {
      const full = computeMatrix(analysis, plan.portKeys);
      io.stdout(format === 'json' ? matrixToJson(full) : format === 'csv' ? matrixToCsv(full) : matrixToText(full));
      return 0;
    }
    const matrix = computeCompactMatrix(analysis, plan.workloads, plan.portKeys);
    // Written a row at a time: the output is never held whole.
    (format === 'json' ? writeMatrixJson : format === 'csv' ? writeMatrixCsv : writeMatrixText)(matrix, io.stdout);
    return 0;
  },
};
