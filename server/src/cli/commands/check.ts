// `netpol check`: the language server's diagnostics for CI, as text, JSON or SARIF 2.1.0.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sarifLog, type SarifArtifactLocation, type SarifFix, type SarifLevel, type SarifLog, type SarifRegion, type SarifResult, type SarifRule } from '../../report/sarif';
import { ALL_RULES } from '../../engine/rules/index';
import { runRules } from '../../engine/rules/run';
import type { Diagnostic } from '../../engine/rules/types';
import type { Severity } from '../../engine/types';
import type { Workspace } from '../../engine/workspace';
import { INPUT_OPTIONS, RENDER_OPTIONS, oneOf } from '../args';
import type { Command } from '../command';
import { displayPath, readInputFile, UsageError } from '../io';
import { defaultConfig } from '../../engine/config';
import { version } from '../version';
import { loadInput, parseCommand, render } from './common';
import { compareText } from '../../engine/order';
import { BINARY_FILE, FILE_TOO_LARGE, FILE_UNREADABLE } from '../../engine/workspace';
import { INPUT_FINDINGS } from '../../engine/input-findings';
import { HELM_NOT_RENDERED } from '../../render/helm';
import { escapeControls } from '../../report/escape';
import { findingsToText, shouldColor, summaryLine, wrapText } from '../../report/findings-text';

const SEVERITY_RANK: Record<Severity, number> = { hint: 0, information: 1, warning: 2, error: 3 };
const THRESHOLDS = ['error', 'warning', 'information', 'hint'] as const;

export interface CheckFinding {
  file: string;
  uri: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  rule: string;
  message: string;
  diagnostic: Diagnostic;
}

/** Line start offsets of recent texts: a file with thousands of findings is scanned once, not once per finding. */
const lineTables = new Map<string, number[]>();

function lineStartsOf(text: string): number[] {
  let starts = lineTables.get(text);
  if (!starts) {
    starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    if (lineTables.size >= 64) lineTables.delete(lineTables.keys().next().value as string);
    lineTables.set(text, starts);
  }
  return starts;
}

/** 1-based line and column (in UTF-16 code units, like editors and SARIF's default) of an offset: a binary search. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  const starts = lineStartsOf(text);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= end) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: end - starts[lo] + 1 };
}

/**
 * Every diagnostic of the workspace (optionally only the files of one scope), in file and position order, with their
 * quick fixes when `fixes` is set (the JSON and SARIF reports list them; building them costs yaml parses).
 */
export function collectFindings(workspace: Workspace, textOf: (uri: string) => string, scopeName?: string, fixes = true, onScope?: (done: number) => void): CheckFinding[] {
  const byUri = runRules(workspace, { fixes, onScope });
  let allowed: Set<string> | undefined;
  if (scopeName !== undefined) {
    const scopes = workspace.scopes();
    const scope = scopes.find((s) => s.name === scopeName);
    if (!scope) throw new UsageError(`no scope named ${scopeName} (scopes: ${scopes.map((s) => s.name).join(', ')})`);
    allowed = new Set(scope.uris);
    if (workspace.configFileUri) allowed.add(workspace.configFileUri);
    // A rendered manifest's findings are in its sources.
    for (const uri of scope.uris) {
      const rendering = workspace.renderingOf(uri);
      if (!rendering) continue;
      allowed.add(rendering.anchorUri);
      for (const s of rendering.segments) allowed.add(s.uri);
    }
  }
  const findings: CheckFinding[] = [];
  for (const [uri, list] of byUri) {
    if (allowed && !allowed.has(uri)) continue;
    const text = textOf(uri);
    for (const d of list) {
      const start = lineColumn(text, d.location.range[0]);
      const end = lineColumn(text, d.location.range[1]);
      findings.push({
        file: displayPath(uri),
        uri,
        line: start.line,
        column: start.column,
        endLine: end.line,
        endColumn: end.column,
        severity: d.severity,
        rule: d.ruleId,
        message: d.message,
        diagnostic: d,
      });
    }
  }
  return findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || compareText(a.rule, b.rule)));
}

const SARIF_LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function toSarif(findings: CheckFinding[], textOf: (uri: string) => string, version: string): SarifLog<SarifResult> {
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  // Rules and the input readers' findings (file-unreadable...) are described alike.
  const descriptions = new Map<string, { description: string; defaultSeverity: Severity }>([...ALL_RULES, ...INPUT_FINDINGS].map((r) => [r.id, r]));
  const rules: SarifRule[] = ruleIds.map((id) => {
    const rule = descriptions.get(id);
    const descriptor: SarifRule = { id, name: id };
    if (rule) {
      descriptor.shortDescription = { text: rule.description };
      descriptor.help = { text: `${rule.description} Documentation: docs/rules/${id}.md of netpol.` };
      descriptor.defaultConfiguration = { level: SARIF_LEVEL[rule.defaultSeverity] };
    }
    return descriptor;
  });
  const region = (uri: string, start: number, end: number): SarifRegion => {
    const text = textOf(uri);
    const a = lineColumn(text, start);
    const b = lineColumn(text, end);
    return { startLine: a.line, startColumn: a.column, endLine: b.line, endColumn: b.column };
  };
  const results: SarifResult[] = findings.map((f) => {
    const result: SarifResult = {
      ruleId: f.rule,
      ruleIndex: ruleIds.indexOf(f.rule),
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: sarifArtifact(f.uri),
            region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
          },
        },
      ],
    };
    const related = f.diagnostic.related ?? [];
    if (related.length > 0) {
      result.relatedLocations = related.map((r, id) => ({
        id,
        message: { text: r.message },
        physicalLocation: { artifactLocation: sarifArtifact(r.location.uri), region: region(r.location.uri, r.location.range[0], r.location.range[1]) },
      }));
    }
    const fixes = f.diagnostic.fixes ?? [];
    if (fixes.length > 0) {
      result.fixes = fixes.map((fix) => {
        const byUri = new Map<string, SarifFix['artifactChanges'][number]['replacements']>();
        for (const edit of fix.edits) {
          const list = byUri.get(edit.uri) ?? [];
          list.push({ deletedRegion: region(edit.uri, edit.range[0], edit.range[1]), insertedContent: { text: edit.newText } });
          byUri.set(edit.uri, list);
        }
        return {
          description: { text: fix.title },
          artifactChanges: [...byUri].map(([uri, replacements]) => ({ artifactLocation: sarifArtifact(uri), replacements })),
        };
      });
    }
    return result;
  });
  return sarifLog({
    version,
    rules,
    // Relative artifact paths are relative to the working directory the check ran in.
    originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(`${process.cwd()}/`).href } },
    results,
  });
}

const SRCROOT = '%SRCROOT%';

/** SARIF artifact locations: paths relative to the working directory when possible (what code scanning expects). */
function sarifArtifact(uri: string): SarifArtifactLocation {
  const shown = displayPath(uri);
  if (shown === uri || path.isAbsolute(shown)) return { uri };
  return { uri: shown.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

declare const NETPOL_REPOSITORY: string | undefined;

/** Where a rule's documentation lives: docs/rules/<id>.md of the repository the package names. */
export function ruleDocsUrl(rule: string): string | undefined {
  if (!RULE_IDS.has(rule)) return undefined;
  const repository = typeof NETPOL_REPOSITORY === 'string' && NETPOL_REPOSITORY ? NETPOL_REPOSITORY : 'https://github.com/netpol/netpol';
  return `${repository}/blob/HEAD/docs/rules/${rule}.md`;
}
const RULE_IDS = new Set(ALL_RULES.map((r) => r.id));

/** Input findings that mean part of the input was not analysed (file-unreadable: the reader's finding on a file it
 * could not or would not read, such as a FIFO or a file without permission). */
const NOT_ANALYSED = new Set([FILE_TOO_LARGE, BINARY_FILE, 'template-skipped', FILE_UNREADABLE]);

const FORMATS = ['text', 'compact', 'json', 'sarif'] as const;
const COLOR_MODES = ['auto', 'always', 'never'] as const;

export const checkCommand: Command = {
  name: 'check',
  summary: "run the diagnostic rules (the editor's problems) for CI; exit 1 when a finding reaches --severity",
  arguments: 'PATH...',
  details:
    'PATH: files and folders (every .yaml, .yml and .json below), or - for standard input.\n' +
    'Exit codes: 0 passed; 1 a finding reaches --severity, or input was not analysed (a template, a\n' +
    'file over --max-file-size, a binary or unreadable file) without --allow-skipped; 2 bad arguments,\n' +
    'unreadable input, or no manifest found without --allow-empty.',
  options: [
    {
      name: 'format',
      value: 'FORMAT',
      choices: FORMATS,
      default: 'text',
      description: 'text: grouped by file, for people; compact: one line per finding (file:line:col severity rule message); json; sarif (SARIF 2.1.0 for code scanning)',
      example: '--format sarif',
    },
    { name: 'severity', value: 'LEVEL', choices: THRESHOLDS, default: 'error', description: 'the lowest severity that fails the check (hints are shown only with hint)', example: '--severity warning' },
    { name: 'allow-empty', default: 'off: no manifest found exits 2', description: 'pass when the PATHs hold no manifest, or only blank ones (a job whose folder may be empty)', example: '--allow-empty' },
    { name: 'allow-skipped', default: 'off: input not analysed fails the check', description: 'pass although some input was not analysed (templates, files over --max-file-size, binary or unreadable files)', example: '--allow-skipped' },
    { name: 'color', value: 'WHEN', choices: COLOR_MODES, default: 'auto: on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it', description: 'colour in the text format', example: '--color never' },
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
  ],
  examples: ['netpol check k8s/', 'netpol check --severity warning --format sarif k8s/ > netpol.sarif', 'helm template ./chart | netpol check --allow-skipped -'],
  async run(argv, io) {
    const args = parseCommand(argv, this);
    const format = oneOf(args.values.get('format')?.[0], FORMATS, 'format', 'text');
    const threshold = oneOf(args.values.get('severity')?.[0], THRESHOLDS, 'severity', 'error');
    const colorMode = oneOf(args.values.get('color')?.[0], COLOR_MODES, 'color', 'auto');
    const workspace = loadInput(args, io);
    await render(workspace, args);
    const manifests = workspace.fileUris();
    // Blank input counts as none: `helm template ... | netpol check -` after helm failed must not pass.
    if (manifests.every((uri) => workspace.getFile(uri)!.text.trim() === '') && !args.booleans.has('allow-empty')) {
      io.progress?.clear();
      const what = manifests.length === 0 ? 'no manifest (.yaml, .yml, .json) found' : `the input is empty (${manifests.map(displayPath).join(', ')})`;
      throw new UsageError(`${what} in ${args.positionals.join(' ')}; check the paths, or pass --allow-empty when an empty input is fine`);
    }
    const configUri = workspace.configFileUri;
    const configText = configUri ? readConfigText(args.values.get('config')?.[0], configUri) : '';
    const textOf = (uri: string) => workspace.getFile(uri)?.text ?? (uri === configUri ? configText : '');
    const scopes = workspace.scopes();
    const analysed = (done: number) => `read ${manifests.length} file${manifests.length === 1 ? '' : 's'}; analysed ${done} of ${scopes.length} scope${scopes.length === 1 ? '' : 's'}`;
    io.progress?.update(analysed(0), true);
    const all = collectFindings(workspace, textOf, args.values.get('scope')?.[0], format === 'json' || format === 'sarif', io.progress ? (done) => io.progress!.update(analysed(done), true) : undefined);
    io.progress?.clear();
    // Hints are shown only when asked for; everything from information up is always shown.
    const shownRank = Math.min(SEVERITY_RANK[threshold], SEVERITY_RANK.information);
    const findings = all.filter((f) => SEVERITY_RANK[f.severity] >= shownRank);
    const failing = findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
    // Input that was read but not analysed fails the check unless allowed: a CI gate must not pass on nothing.
    const width = io.columns ?? (Number((io.env ?? process.env).COLUMNS) || Infinity);
    // A chart's templates (or a kustomization's files) read through their rendering were analysed: their raw
    // template-skipped findings are not shown, and do not fail the check.
    // A chart left unrendered (helm-not-rendered, on its Chart.yaml) was not analysed either.
    const notAnalysed = [
      ...manifests.filter((uri) => !workspace.isCovered(uri)).flatMap((uri) => workspace.getFile(uri)!.findings.filter((f) => NOT_ANALYSED.has(f.code))),
      ...all.filter((f) => f.rule === HELM_NOT_RENDERED).map((f) => ({ code: f.rule })),
    ];
    const skippedFails = notAnalysed.length > 0 && !args.booleans.has('allow-skipped');

    if (format === 'json') {
      const rows = findings.map(({ diagnostic, uri, ...row }) => ({
        ...row,
        related: (diagnostic.related ?? []).map((r) => {
          const at = lineColumn(textOf(r.location.uri), r.location.range[0]);
          return { file: displayPath(r.location.uri), line: at.line, column: at.column, message: r.message };
        }),
        fixes: (diagnostic.fixes ?? []).map((fix) => fix.title),
      }));
      io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    } else if (format === 'sarif') {
      io.stdout(`${JSON.stringify(toSarif(findings, textOf, version()), null, 2)}\n`);
    } else {
      const color = shouldColor(colorMode, io.stdoutIsTTY === true, io.env ?? process.env);
      if (format === 'compact') {
        for (const f of findings) io.stdout(`${escapeControls(`${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}`)}\n`);
      } else {
        io.stdout(findingsToText(findings, { width, color, docsUrl: ruleDocsUrl }));
      }
    }
    if (skippedFails) {
      const kinds = [...new Set(notAnalysed.map((f) => f.code))].sort().join(', ');
      const message = `netpol check: ${notAnalysed.length} input${notAnalysed.length === 1 ? '' : 's'} not analysed (${kinds}) fail${notAnalysed.length === 1 ? 's' : ''} the check: render templates first, raise --max-file-size, or pass --allow-skipped.`;
      io.stderr(`${wrapText(message, width)}\n`);
    }
    if (format === 'text' || format === 'compact') {
      const color = shouldColor(colorMode, io.stdoutIsTTY === true, io.env ?? process.env);
      // Files read (a rendered manifest is not one).
      const counts = { files: manifests.filter((u) => !workspace.renderingOf(u)).length, notAnalysed: notAnalysed.length, failing: failing.length, skippedFails, threshold, showHints: shownRank === 0 };
      io.stderr(summaryLine(findings, counts, color));
    }
    return failing.length > 0 || skippedFails ? 1 : 0;
  },
};

function readConfigText(configPath: string | undefined, configUri: string): string {
  // The configuration's text is needed only to place its own findings; read it the way the loader did.
  const read = readInputFile(configPath ?? fileURLToPath(configUri), defaultConfig().maxFileSize);
  return read && 'text' in read ? read.text : '';
}
