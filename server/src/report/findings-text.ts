// `netpol check`'s text report for people: findings grouped by file, errors and warnings before information, each
// with a short first line (position, severity, rule id) and its message indented and wrapped under it, then the
// documentation of the rules that were reported. Pure: the caller says the width, whether to colour, and where the
// docs live. Workspace text (paths, messages) is escaped, so a name cannot drive the terminal or forge a line.
import wrapAnsi from 'wrap-ansi';
import type { Severity } from '../engine/types';
import { escapeControls } from './escape';

export interface TextFinding {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  rule: string;
  message: string;
}

export interface TextReportOptions {
  /** Columns to wrap at; Infinity leaves lines whole. */
  width: number;
  color: boolean;
  /** The documentation URL of a rule, when it has one. */
  docsUrl: (rule: string) => string | undefined;
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, information: 1, hint: 0 };

const SGR = {
  bold: ['\x1b[1m', '\x1b[22m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  underline: ['\x1b[4m', '\x1b[24m'],
  red: ['\x1b[31m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  blue: ['\x1b[34m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
} as const;

export type Style = keyof typeof SGR;

export function paint(text: string, color: boolean, ...styles: Style[]): string {
  if (!color || text === '') return text;
  return styles.reduce((t, s) => `${SGR[s][0]}${t}${SGR[s][1]}`, text);
}

/** A terminal hyperlink (OSC 8): the text stays as it is where terminals do not support it. */
function link(text: string, url: string | undefined, color: boolean): string {
  if (!color || !url) return text;
  return `\x1b]8;;${url}\x1b\\${text}\x1b]8;;\x1b\\`;
}

const SEVERITY_STYLE: Record<Severity, Style[]> = { error: ['red', 'bold'], warning: ['yellow', 'bold'], information: ['blue'], hint: ['dim'] };

function plural(n: number, word: string): string {
  return word === 'information' ? `${n} information` : `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Wraps a message of netpol's own (no escape sequences in it) to `width` columns. */
export function wrapText(text: string, width: number): string {
  return Number.isFinite(width) ? wrapAnsi(text, Math.max(20, width), { hard: false, trim: true }) : text;
}

/** A longer message (a parse error quoting a whole document) is cut, with a note: --format json has it whole. */
const MAX_MESSAGE_CHARS = 500;

/** Wraps text (no escape sequences in it) to `width` columns, each line indented by `indent`. */
function wrapIndented(text: string, width: number, indent: string): string[] {
  const room = Number.isFinite(width) ? Math.max(20, width - indent.length) : Infinity;
  const shown = text.length > MAX_MESSAGE_CHARS ? text.slice(0, MAX_MESSAGE_CHARS) : text;
  const lines = room === Infinity ? [shown] : wrapAnsi(shown, room, { hard: true, trim: true }).split('\n');
  if (shown.length < text.length) lines.push(`… (${text.length} characters; --format json has all)`);
  return lines.map((l) => `${indent}${l}`);
}

/** The findings grouped by file: errors and warnings first (by file, then line), then information and hints. */
export function findingsToText(findings: readonly TextFinding[], options: TextReportOptions): string {
  const { color } = options;
  const serious = findings.filter((f) => RANK[f.severity] >= RANK.warning);
  const minor = findings.filter((f) => RANK[f.severity] < RANK.warning);
  const out: string[] = [];
  const section = (title: string, list: readonly TextFinding[]) => {
    if (list.length === 0) return;
    if (serious.length > 0 && minor.length > 0) out.push(paint(title, color, 'bold'), '');
    const byFile = new Map<string, TextFinding[]>();
    for (const f of list) {
      const group = byFile.get(f.file) ?? [];
      group.push(f);
      byFile.set(f.file, group);
    }
    for (const [file, group] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out.push(paint(escapeControls(file), color, 'underline'));
      group.sort((a, b) => a.line - b.line || a.column - b.column || RANK[b.severity] - RANK[a.severity]);
      const positionWidth = Math.max(...group.map((f) => `${f.line}:${f.column}`.length));
      for (const f of group) {
        const position = `${f.line}:${f.column}`.padEnd(positionWidth);
        const severity = paint(f.severity, color, ...SEVERITY_STYLE[f.severity]);
        const rule = link(paint(escapeControls(f.rule), color, 'dim'), options.docsUrl(f.rule), color);
        out.push(`  ${position}  ${severity}  ${rule}`);
        out.push(...wrapIndented(escapeControls(f.message), options.width, '      '));
      }
      out.push('');
    }
  };
  section('Errors and warnings', serious);
  section('Information', minor);
  const documented = [...new Set(findings.map((f) => f.rule))].sort().flatMap((rule) => {
    const url = options.docsUrl(rule);
    return url ? [[rule, url] as const] : [];
  });
  if (documented.length > 0) {
    out.push(paint('Rules', color, 'bold'));
    const ruleWidth = Math.max(...documented.map(([rule]) => rule.length));
    const oneLine = documented.every(([, url]) => 2 + ruleWidth + 2 + url.length <= options.width);
    for (const [rule, url] of documented) {
      if (oneLine) out.push(`  ${escapeControls(rule).padEnd(ruleWidth)}  ${link(url, url, color)}`);
      else out.push(`  ${escapeControls(rule)}`, `    ${link(url, url, color)}`);
    }
    out.push('');
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

export interface SummaryCounts {
  files: number;
  /** Files and documents that were read but not analysed (templates, too large, binary). */
  notAnalysed: number;
  /** Findings at or above the threshold. */
  failing: number;
  /** Whether the input not analysed fails the check (no --allow-skipped). */
  skippedFails: boolean;
  threshold: Severity;
  showHints: boolean;
}

/** The one-line summary: counts by severity, files, what was not analysed, and whether the check fails. */
export function summaryLine(findings: readonly TextFinding[], counts: SummaryCounts, color: boolean): string {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const parts = [
    paint(plural(count('error'), 'error'), color && count('error') > 0, 'red', 'bold'),
    paint(plural(count('warning'), 'warning'), color && count('warning') > 0, 'yellow', 'bold'),
    plural(count('information'), 'information'),
  ];
  if (counts.showHints) parts.push(plural(count('hint'), 'hint'));
  let line = `${parts.join(', ')} in ${plural(counts.files, 'file')}`;
  if (counts.notAnalysed > 0) line += `, ${counts.notAnalysed} not analysed`;
  const failed = counts.failing > 0 || counts.skippedFails;
  const verdict = `${failed ? paint('failed', color, 'red', 'bold') : paint('passed', color, 'green')} at --severity ${counts.threshold}`;
  return `${line}: ${verdict}\n`;
}

/** Whether to colour: --color always/never, else FORCE_COLOR (0 or false: off), NO_COLOR, TERM=dumb, a terminal. */
export function shouldColor(mode: 'auto' | 'always' | 'never', isTTY: boolean, env: Record<string, string | undefined>): boolean {
  if (mode !== 'auto') return mode === 'always';
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}
