// Helpers shared by the commands: loading input, picking the scope, printing input findings to stderr.
import type { InputFinding } from '../../engine/types';
import type { Scope, Workspace } from '../../engine/workspace';
import { parseArgs, type ArgSpec, type ParsedArgs } from '../args';
import type { CliIO } from '../command';
import { displayPath, loadWorkspace, UsageError } from '../io';
import { escapeControls } from '../../report/escape';

export const COMMON_VALUES = ['default-namespace', 'config', 'scope'];

export function parseWithCommon(argv: string[], spec: ArgSpec): ParsedArgs {
  return parseArgs(argv, { ...spec, values: [...(spec.values ?? []), ...COMMON_VALUES] });
}

export function load(args: ParsedArgs, io: CliIO): Workspace {
  const workspace = loadWorkspace(args.positionals, {
    defaultNamespace: args.values.get('default-namespace')?.[0],
    configPath: args.values.get('config')?.[0],
    stdin: io.stdin,
  });
  reportInputFindings(workspace, io);
  return workspace;
}

export function lineCol(workspace: Workspace, uri: string, offset: number): { line: number; col: number } {
  const file = workspace.getFile(uri);
  if (!file) return { line: 1, col: 1 };
  const pos = file.lineCounter.linePos(offset);
  return { line: pos.line, col: pos.col };
}

export function formatFinding(workspace: Workspace, f: InputFinding): string {
  const { line, col } = lineCol(workspace, f.location.uri, f.location.range[0]);
  // Paths and messages quote the workspace: one line each, no escape sequences.
  return escapeControls(`${displayPath(f.location.uri)}:${line}:${col} ${f.severity} ${f.code} ${f.message}`);
}

/** Findings about the input go to standard error, so standard output stays parseable. */
export function reportInputFindings(workspace: Workspace, io: CliIO): void {
  for (const uri of workspace.fileUris()) {
    for (const f of workspace.getFile(uri)!.findings) io.stderr(`${formatFinding(workspace, f)}\n`);
  }
  for (const f of workspace.config.findings) io.stderr(`${formatFinding(workspace, f)}\n`);
  for (const scope of workspace.scopes()) for (const f of scope.model.findings) io.stderr(`${formatFinding(workspace, f)}\n`);
}

/** The scope named by --scope, or every scope. */
export function selectedScopes(workspace: Workspace, args: ParsedArgs): Scope[] {
  const name = args.values.get('scope')?.[0];
  const scopes = workspace.scopes();
  if (!name) return scopes;
  const found = scopes.filter((s) => s.name === name);
  if (found.length === 0) throw new UsageError(`no scope named ${name} (scopes: ${scopes.map((s) => s.name).join(', ')})`);
  return found;
}

/** Commands that print one result need one scope: the only one, or the one named by --scope. */
export function singleScope(workspace: Workspace, args: ParsedArgs): Scope {
  const scopes = selectedScopes(workspace, args);
  if (scopes.length > 1) throw new UsageError(`the input has several scopes (${scopes.map((s) => s.name).join(', ')}); choose one with --scope`);
  return scopes[0];
}
