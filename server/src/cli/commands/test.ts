// `netpol test`: runs the connectivity tests (kind: ConnectivityTest) found in the input against its policies.
import type { Command } from '../command';
import { INPUT_OPTIONS, RENDER_OPTIONS, oneOf } from '../args';
import { displayPath, UsageError } from '../io';
import { runConnectivityTests } from '../../engine/assertions/check';
import { formatJson, formatJunit, formatSarif, formatText, totals, type Locator } from '../../report/connectivity-tests';
import type { Workspace } from '../../engine/workspace';
import { misversionedTests } from '../../engine/assertions/editor';
import { formatFinding, lineCol, load, parseCommand } from './common';

declare const NETPOL_VERSION: string | undefined;

export function workspaceLocator(workspace: Workspace): Locator {
  return {
    path: displayPath,
    position: (uri, offset) => {
      const { line, col } = lineCol(workspace, uri, offset);
      return { line, column: col };
    },
  };
}

const FORMATS = ['text', 'json', 'junit', 'sarif'] as const;

export const testCommand: Command = {
  name: 'test',
  summary: 'run the connectivity tests (*.netpol-test.yaml) against the policies; exit 1 on any failure',
  arguments: 'PATH...',
  details: 'Exit codes: 0 every expectation holds, 1 one fails (or no test or expectation was found), 2 bad arguments.',
  options: [
    { name: 'format', value: 'FORMAT', choices: FORMATS, default: 'text', description: 'output format (junit for CI test reports, sarif for code scanning)', example: '--format junit' },
    { name: 'tags', value: 'TAG[,TAG]', repeated: true, default: 'every expectation', description: 'run only the expectations with one of these tags', example: '--tags smoke,pci' },
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
  ],
  examples: ['netpol test k8s/', 'netpol test --format junit k8s/ > netpol-junit.xml'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    const format = oneOf(args.values.get('format')?.[0], FORMATS, 'format', 'text');
    const tags = (args.values.get('tags') ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    const workspace = await load(args, io);
    const scope = args.values.get('scope')?.[0];
    if (scope !== undefined && !workspace.scopes().some((s) => s.name === scope)) {
      throw new UsageError(`no scope named ${scope} (scopes: ${workspace.scopes().map((s) => s.name).join(', ')})`);
    }
    // A test under another apiVersion would silently check nothing: say so.
    for (const d of misversionedTests(workspace)) io.stderr(`${formatFinding(workspace, { code: d.ruleId, severity: d.severity, message: d.message, location: d.location })}\n`);
    const reports = runConnectivityTests(workspace, { tags, scope });
    const locator = workspaceLocator(workspace);
    const version = typeof NETPOL_VERSION === 'string' ? NETPOL_VERSION : 'dev';
    const output =
      format === 'json'
        ? formatJson(reports, locator)
        : format === 'junit'
          ? formatJunit(reports, locator)
          : format === 'sarif'
            ? formatSarif(reports, locator, version)
            : formatText(reports, locator);
    io.stdout(output);
    const t = totals(reports);
    // Like a group that matches nothing, a run that checks nothing must not look green.
    if (t.pass + t.fail + t.skip + t.todo === 0) {
      const why = reports.length === 0 ? 'no connectivity test found in the input' : tags.length ? `no expectation has the tags ${tags.join(', ')}` : 'the connectivity tests have no expectations';
      io.stderr(`netpol test: ${why}\n`);
      return 1;
    }
    // File-level problems (a missing name, an unknown field) fail the run too: a broken test file must not look green.
    const fileProblems = reports.reduce((n, r) => n + r.test.problems.length, 0);
    return t.fail > 0 || fileProblems > 0 ? 1 : 0;
  },
};
