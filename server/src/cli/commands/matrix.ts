import { INPUT_OPTIONS, oneOf, parsePort } from '../args';
import type { Command } from '../command';
import { computeMatrix, matrixToCsv, matrixToJson, matrixToText, type PortKey } from '../../report/matrix';
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
  ],
  examples: ['netpol matrix k8s/', 'netpol matrix --port 443/TCP --format csv k8s/ > matrix.csv'],
  run(argv, io) {
    const args = parseCommand(argv, this);
    const format = oneOf(args.values.get('format')?.[0], FORMATS, 'format', 'text');
    const ports: PortKey[] = (args.values.get('port') ?? []).map((p) => parsePort(p, 'port'));
    const workspace = load(args, io);
    const matrix = computeMatrix(singleScope(workspace, args).analysis, ports);
    io.stdout(format === 'json' ? matrixToJson(matrix) : format === 'csv' ? matrixToCsv(matrix) : matrixToText(matrix));
    return 0;
  },
};
