// Helpers shared by the commands: loading input, picking the scope, printing input findings to stderr.
import * as path from 'node:path';
import type { InputFinding } from '../../engine/types';
import type { Scope, Workspace } from '../../engine/workspace';
import { escapeControls } from '../../report/escape';
import { parseArgs, parseSize, type OptionSpec, type ParsedArgs } from '../args';
import type { CliIO } from '../command';
import { discoverConfig } from '../config-discovery';
import { displayPath, loadWorkspace, UsageError } from '../io';
import { relocator } from '../../engine/rules/run';
import { renderWorkspace } from '../../render/index';
import { findHelm, findKustomize } from '../../render/tools';

/** Parses `argv` against a command's options (the shared input options included by the command's list). */
export function parseCommand(argv: string[], command: { name: string; options: readonly OptionSpec[] }): ParsedArgs {
  return parseArgs(argv, command.options, command.name);
}

/** The configuration of a run: `--config`, else the `.netpol.yaml` found from the PATHs upwards (said on stderr
 * when other PATHs found another one). */
export function configFor(args: ParsedArgs, io: CliIO): string | undefined {
  const explicit = args.values.get('config')?.[0];
  if (explicit !== undefined) return explicit;
  const found = discoverConfig(args.positionals);
  if (!found) return undefined;
  if (found.ignored.length > 0) {
    io.stderr(`netpol: using ${escapeControls(shown(found.file))}; also found ${found.ignored.map((f) => escapeControls(shown(f))).join(', ')} (one configuration per run: choose with --config)\n`);
  }
  return found.file;
}

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** Reads the input of a command: the PATHs, the configuration, the size limit, with progress on a terminal. */
export function loadInput(args: ParsedArgs, io: CliIO): Workspace {
  const sizeText = args.values.get('max-file-size')?.[0];
  const workspace = loadWorkspace(args.positionals, {
    defaultNamespace: args.values.get('default-namespace')?.[0],
    configPath: configFor(args, io),
    stdin: io.stdin,
    maxFileSize: sizeText === undefined ? undefined : parseSize(sizeText, 'max-file-size'),
    onFileRead: io.progress ? (n) => io.progress!.update(`read ${n} file${n === 1 ? '' : 's'}`) : undefined,
  });
  return workspace;
}

export async function load(args: ParsedArgs, io: CliIO, options: { render?: boolean } = {}): Promise<Workspace> {
  const workspace = loadInput(args, io);
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
  // Paths and messages quote the workspace: one line each, no escape sequences.
  return escapeControls(`${displayPath(f.location.uri)}:${line}:${col} ${f.severity} ${f.code} ${f.message}`);
}

/** Findings about the input go to standard error, so standard output stays parseable. */
export function reportInputFindings(workspace: Workspace, io: CliIO): void {
  io.progress?.clear();
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
