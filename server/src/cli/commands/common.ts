// Helpers shared by the commands: loading input, picking the scope, printing input findings to stderr.
import type { InputFinding } from '../../engine/types';
import type { Scope, Workspace } from '../../engine/workspace';
import { parseArgs, type ArgSpec, type ParsedArgs } from '../args';
import type { CliIO } from '../command';
import { displayPath, loadWorkspace, UsageError } from '../io';
import { relocator } from '../../engine/rules/run';
import { renderWorkspace } from '../../render/index';
import { findHelm, findKustomize } from '../../render/tools';

export const COMMON_VALUES = ['default-namespace', 'config', 'scope'];
/** Options of the commands that render Helm charts and kustomizations before the analysis. */
export const RENDER_VALUES = ['helm-values', 'helm-release', 'helm-namespace'];
export const RENDER_BOOLEANS = ['helm', 'no-helm', 'kustomize', 'no-kustomize'];
export const RENDER_USAGE = '[--helm|--no-helm] [--helm-values FILE]... [--helm-release NAME] [--helm-namespace NS] [--kustomize|--no-kustomize]';

export function parseWithCommon(argv: string[], spec: ArgSpec): ParsedArgs {
  return parseArgs(argv, {
    ...spec,
    values: [...(spec.values ?? []), ...COMMON_VALUES, ...RENDER_VALUES],
    repeated: [...(spec.repeated ?? []), 'helm-values'],
    booleans: [...(spec.booleans ?? []), ...RENDER_BOOLEANS],
  });
}

export async function load(args: ParsedArgs, io: CliIO, options: { render?: boolean } = {}): Promise<Workspace> {
  const workspace = loadWorkspace(args.positionals, {
    defaultNamespace: args.values.get('default-namespace')?.[0],
    configPath: args.values.get('config')?.[0],
    stdin: io.stdin,
  });
  if (options.render !== false) await render(workspace, args);
  reportInputFindings(workspace, io);
  return workspace;
}

/**
 * Renders the workspace's Helm charts (`helm template`) and kustomizations (`kubectl kustomize`) with the tools
 * found (NETPOL_HELM, NETPOL_KUBECTL, else PATH). `--helm`/`--kustomize` require the tool; `--no-helm` leaves
 * charts unrendered (each says so); `--no-kustomize` reads kustomizations without the tool.
 */
export async function render(workspace: Workspace, args: ParsedArgs): Promise<void> {
  for (const [on, off] of [['helm', 'no-helm'], ['kustomize', 'no-kustomize']]) {
    if (args.booleans.has(on) && args.booleans.has(off)) throw new UsageError(`--${on} and --${off} exclude each other`);
  }
  const helm = args.booleans.has('no-helm') ? undefined : findHelm();
  if (args.booleans.has('helm') && !helm) throw new UsageError('--helm: helm not found (put it on PATH or name it in NETPOL_HELM)');
  const kustomize = args.booleans.has('no-kustomize') ? undefined : findKustomize();
  if (args.booleans.has('kustomize') && !kustomize) throw new UsageError('--kustomize: neither kubectl nor kustomize found (put one on PATH or name it in NETPOL_KUBECTL)');
  await renderWorkspace(workspace, {
    helm: helm
      ? { path: helm }
      : { notRenderedBecause: args.booleans.has('no-helm') ? 'rendering is off (--no-helm).' : 'helm was not found; put it on PATH or name it in NETPOL_HELM to render the chart with `helm template`.' },
    helmOptions: {
      release: args.values.get('helm-release')?.[0],
      namespace: args.values.get('helm-namespace')?.[0],
      values: args.values.get('helm-values'),
    },
    kustomize,
  });
}

export function lineCol(workspace: Workspace, uri: string, offset: number): { line: number; col: number } {
  const file = workspace.getFile(uri);
  if (!file) return { line: 1, col: 1 };
  const pos = file.lineCounter.linePos(offset);
  return { line: pos.line, col: pos.col };
}

export function formatFinding(workspace: Workspace, f: InputFinding): string {
  const { line, col } = lineCol(workspace, f.location.uri, f.location.range[0]);
  return `${displayPath(f.location.uri)}:${line}:${col} ${f.severity} ${f.code} ${f.message}`;
}

/** Findings about the input go to standard error, so standard output stays parseable. */
export function reportInputFindings(workspace: Workspace, io: CliIO): void {
  const relocate = relocator(workspace);
  for (const uri of workspace.fileUris()) {
    // A chart's templates are read through their rendering; the rendering's findings are placed in its sources.
    if (workspace.isCovered(uri)) continue;
    for (const f of workspace.getFile(uri)!.findings) {
      const location = relocate({ ruleId: f.code, severity: f.severity, message: f.message, location: f.location }).location;
      io.stderr(`${formatFinding(workspace, { ...f, location })}\n`);
    }
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
