// `netpol check`: the language server's diagnostics for CI, as text, JSON or SARIF 2.1.0.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sarifLog, type SarifArtifactLocation, type SarifFix, type SarifLevel, type SarifLog, type SarifRegion, type SarifResult, type SarifRule } from '../../engine/sarif';
import { ALL_RULES } from '../../engine/rules/index';
import { runRules } from '../../engine/rules/run';
import type { Diagnostic } from '../../engine/rules/types';
import type { Severity } from '../../engine/types';
import type { Workspace } from '../../engine/workspace';
import { oneOf } from '../args';
import type { Command } from '../command';
import { displayPath, loadWorkspace, UsageError } from '../io';
import { parseWithCommon, render, RENDER_USAGE } from './common';
import { compareText } from '../../engine/order';

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

/** 1-based line and column (in UTF-16 code units, like editors and SARIF's default) of an offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.max(0, Math.min(offset, text.length));
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Every diagnostic of the workspace (optionally only the files of one scope), in file and position order, with their
 * quick fixes when `fixes` is set (the JSON and SARIF reports list them; building them costs yaml parses).
 */
export function collectFindings(workspace: Workspace, textOf: (uri: string) => string, scopeName?: string, fixes = true): CheckFinding[] {
  const byUri = runRules(workspace, { fixes });
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
  const descriptions = new Map(ALL_RULES.map((r) => [r.id, r]));
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

function version(): string {
  return typeof NETPOL_VERSION === 'string' ? NETPOL_VERSION : 'dev';
}
declare const NETPOL_VERSION: string | undefined;

export const checkCommand: Command = {
  name: 'check',
  summary: 'run the diagnostic rules (the editor\'s problems) for CI; exit 1 when a finding reaches --severity',
  usage: `netpol check [--format text|json|sarif] [--severity error|warning|information|hint] [--scope NAME] [--config FILE] [--default-namespace NS] ${RENDER_USAGE} PATH...`,
  async run(argv, io) {
    const args = parseWithCommon(argv, { values: ['format', 'severity'] });
    const format = oneOf(args.values.get('format')?.[0], ['text', 'json', 'sarif'] as const, 'format', 'text');
    const threshold = oneOf(args.values.get('severity')?.[0], THRESHOLDS, 'severity', 'error');
    const workspace = loadWorkspace(args.positionals, {
      defaultNamespace: args.values.get('default-namespace')?.[0],
      configPath: args.values.get('config')?.[0],
      stdin: io.stdin,
    });
    await render(workspace, args);
    const configUri = workspace.configFileUri;
    const configText = configUri ? readConfigText(args.values.get('config')?.[0], configUri) : '';
    const textOf = (uri: string) => workspace.getFile(uri)?.text ?? (uri === configUri ? configText : '');
    const all = collectFindings(workspace, textOf, args.values.get('scope')?.[0], format !== 'text');
    // Hints are shown only when asked for; everything from information up is always shown.
    const shownRank = Math.min(SEVERITY_RANK[threshold], SEVERITY_RANK.information);
    const findings = all.filter((f) => SEVERITY_RANK[f.severity] >= shownRank);
    const failing = findings.filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);

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
      for (const f of findings) io.stdout(`${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}\n`);
      const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
      // Files read (a rendered manifest is not one).
      const files = workspace.fileUris().filter((u) => !workspace.renderingOf(u)).length;
      io.stderr(
        `${count('error')} error(s), ${count('warning')} warning(s), ${count('information')} information` +
          `${shownRank === 0 ? `, ${count('hint')} hint(s)` : ''} in ${files} file(s)\n`,
      );
    }
    return failing.length > 0 ? 1 : 0;
  },
};

function readConfigText(configPath: string | undefined, configUri: string): string {
  // The configuration's text is needed only to place its own findings; read it the way the loader did.
  try {
    return fs.readFileSync(configPath ?? fileURLToPath(configUri), 'utf8');
  } catch {
    return '';
  }
}
