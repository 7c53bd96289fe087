import * as path from 'node:path';
import type { Command } from '../command';
import { computeMatrix, matrixToText } from '../../report/matrix';
import { connectionsToText, listConnections } from '../../report/connlist';
import { load, parseWithCommon } from './common';

/** Where the demo workspace lives relative to the bundle (dist/cli.js) or the sources (server/src/cli/commands). */
function demoDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'test-fixtures', 'demo'), path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'demo')];
  return candidates.find((c) => require('node:fs').existsSync(c)) ?? candidates[0];
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'analyse the bundled demo workspace (test-fixtures/demo) and print findings and the matrix',
  usage: 'netpol demo',
  run(argv, io) {
    const dir = demoDir();
    const args = parseWithCommon([...argv, dir], {});
    io.stdout(`Analysing ${path.relative(process.cwd(), dir) || dir}\n\n`);
    const workspace = load(args, { ...io, stderr: io.stdout });
    for (const scope of workspace.scopes()) {
      io.stdout(`\nAllowed connections:\n${connectionsToText(listConnections(scope.analysis))}\n`);
      io.stdout(matrixToText(computeMatrix(scope.analysis)));
    }
    return 0;
  },
};
