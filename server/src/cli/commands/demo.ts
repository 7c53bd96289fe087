// `netpol demo` (what `npm start` runs): analyses the bundled demo workspace and prints, for a human reader, what is
// in it, the findings, the reachability matrix and the allowed connections, then suggests commands to try next.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from '../command';
import { runRules } from '../../engine/rules/run';
import type { Diagnostic } from '../../engine/rules/types';
import { computeMatrix, matrixToText } from '../../report/matrix';
import { connectionsToText, listConnections } from '../../report/connlist';
import { INPUT_OPTIONS, RENDER_OPTIONS } from '../args';
import { escapeControls } from '../../report/escape';
import { displayPath, UsageError } from '../io';
import { lineCol, loadInput, parseCommand, render } from './common';

/** Where the demo workspace lives relative to the bundle (dist/cli.js) or the sources (server/src/cli/commands). */
export function demoDir(): string {
  const candidates = [path.resolve(__dirname, '..', 'test-fixtures', 'demo'), path.resolve(__dirname, '..', '..', '..', '..', 'test-fixtures', 'demo')];
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[0];
}

const SEVERITY_ORDER: Record<Diagnostic['severity'], number> = { error: 0, warning: 1, information: 2, hint: 3 };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'analyse the bundled demo workspace (test-fixtures/demo): findings, reachability matrix, connections',
  arguments: '[PATH]',
  details: 'PATH defaults to the bundled demo workspace (test-fixtures/demo). Helm charts and kustomizations in PATH are rendered as check renders them.',
  options: [...INPUT_OPTIONS, ...RENDER_OPTIONS],
  examples: ['netpol demo', 'netpol demo k8s/'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    const paths = args.positionals.length > 0 ? args.positionals : [demoDir()];
    if (args.positionals.length === 0 && !fs.existsSync(paths[0])) throw new UsageError(`the demo workspace is missing (looked for ${paths[0]})`);
    const workspace = loadInput({ ...args, positionals: paths }, io);
    // Charts and kustomizations as check reads them (the bundled demo has none: its output does not depend on tools).
    await render(workspace, args);
    const shownPaths = paths.map((p) => path.relative(process.cwd(), p) || '.').join(' ');
    const out: string[] = [];
    out.push(`netpol demo: analysing ${shownPaths}`);

    // Findings: everything the rules and the input readers report, most severe first within each file.
    const diagnostics = [...runRules(workspace).values()].flat();
    diagnostics.sort(
      (a, b) =>
        (a.location.uri < b.location.uri ? -1 : a.location.uri > b.location.uri ? 1 : 0) ||
        a.location.range[0] - b.location.range[0] ||
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity],
    );

    for (const scope of workspace.scopes()) {
      const model = scope.model;
      const reported = scope.analysis.reportedWorkloads();
      const header = workspace.scopes().length > 1 ? `Scope ${scope.name}: ` : '';
      out.push(
        `  ${header}${plural(scope.uris.length, 'file')}, ${plural(model.namespaces.size, 'namespace')}, ` +
          `${plural(reported.length, 'workload')}, ${plural(model.services.length, 'Service')}, ` +
          `${plural(model.policies.length, 'NetworkPolicy')}`.replace('NetworkPolicys', 'NetworkPolicies'),
      );
    }
    out.push('');
    const bySeverity = (['error', 'warning', 'information', 'hint'] as const)
      .map((sev) => [sev, diagnostics.filter((d) => d.severity === sev).length] as const)
      .filter(([, n]) => n > 0)
      .map(([sev, n]) => (sev === 'information' ? `${n} information` : plural(n, sev)));
    out.push(diagnostics.length === 0 ? 'Findings: none' : `Findings (${bySeverity.join(', ')}):`);
    for (const d of diagnostics) {
      const { line, col } = lineCol(workspace, d.location.uri, d.location.range[0]);
      out.push(escapeControls(`  ${displayPath(d.location.uri)}:${line}:${col}  ${d.severity}  ${d.ruleId}  ${d.message}`));
    }

    for (const scope of workspace.scopes()) {
      const title = workspace.scopes().length > 1 ? ` (scope ${scope.name})` : '';
      out.push('');
      out.push(`Reachability matrix${title}, on every declared container port.`);
      out.push('The diagonal of a single pod is always allowed (a pod may reach itself); for a replicated workload it');
      out.push('says whether one replica may reach another.');
      out.push('');
      out.push(matrixToText(computeMatrix(scope.analysis)).trimEnd());
      out.push('');
      out.push(`Allowed connections${title} (workload level, with external address ranges):`);
      out.push(
        connectionsToText(listConnections(scope.analysis))
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
      );
    }

    out.push('');
    out.push('Try next:');
    out.push(`  node bin/netpol.js reach --from production/frontend --to production/postgres --port 5432/TCP ${shownPaths}`);
    out.push(`  node bin/netpol.js matrix --format json ${shownPaths}`);
    io.stdout(`${out.join('\n')}\n`);
    return 0;
  },
};
