// Runs the rules over every scope of a workspace and collects diagnostics per file, applying severity settings
// and suppression comments. A rule that throws is caught: the other rules and files still get their diagnostics.
import type { RuleSetting } from '../config';
import type { Severity } from '../types';
import type { Workspace } from '../workspace';
import { ALL_RULES } from './index';
import type { Diagnostic, Rule, RuleContext } from './types';

export interface RunOptions {
  /** Severity overrides by rule id (settings win over the workspace configuration). */
  severities?: Record<string, RuleSetting>;
  rules?: readonly Rule[];
  /** Called once per rule failure (for the log). */
  onRuleError?: (ruleId: string, error: unknown) => void;
}

/** Diagnostics by file URI. Every file of the workspace has an entry (possibly empty). */
export function runRules(workspace: Workspace, options: RunOptions = {}): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>();
  for (const uri of workspace.fileUris()) byUri.set(uri, []);
  const config = workspace.config;
  // The same finding from several scopes (a base shared by overlays) is reported once. A set, not a scan of the
  // file's list: a file with thousands of findings would make the scan quadratic.
  const seen = new Set<string>();
  const add = (d: Diagnostic) => {
    const key = `${d.location.uri}\u0000${d.ruleId}\u0000${d.location.range[0]}\u0000${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const list = byUri.get(d.location.uri) ?? [];
    list.push(d);
    byUri.set(d.location.uri, list);
  };

  const settingFor = (id: string, fallback: Severity): RuleSetting => options.severities?.[id] ?? config.rules[id] ?? fallback;

  // Findings about the input itself (parse errors, templates) are diagnostics too.
  for (const uri of workspace.fileUris()) {
    for (const f of workspace.getFile(uri)!.findings) {
      const setting = settingFor(f.code, f.severity);
      if (setting !== 'off') add({ ruleId: f.code, severity: setting, message: f.message, location: f.location });
    }
  }
  for (const f of config.findings) add({ ruleId: f.code, severity: f.severity, message: f.message, location: f.location });

  const rules = options.rules ?? ALL_RULES;
  for (const scope of workspace.scopes()) {
    for (const f of scope.model.findings) {
      const setting = settingFor(f.code, f.severity);
      if (setting !== 'off') add({ ruleId: f.code, severity: setting, message: f.message, location: f.location });
    }
    for (const rule of rules) {
      const setting = settingFor(rule.id, rule.defaultSeverity);
      if (setting === 'off') continue;
      const context: RuleContext = {
        scopeName: scope.name,
        model: scope.model,
        analysis: scope.analysis,
        config,
        file: (uri) => workspace.getFile(uri),
        report: (d) => add({ ...d, ruleId: rule.id, severity: d.severity ?? setting }),
      };
      try {
        rule.run(context);
      } catch (error) {
        options.onRuleError?.(rule.id, error);
      }
    }
  }

  for (const [uri, list] of byUri) {
    const file = workspace.getFile(uri);
    if (file) byUri.set(uri, applySuppressions(file.text, list));
  }
  return byUri;
}

/**
 * `# netpol-disable-next-line <id>[, <id>]` silences the next line; `# netpol-disable <id>` silences the rest of the
 * YAML document. Without ids, every rule is silenced.
 */
export function applySuppressions(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  if (!text.includes('netpol-disable') || diagnostics.length === 0) return diagnostics;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  // Where documents start (`---` at the start of a line): a `netpol-disable` comment applies up to the next one.
  // Counting starts by binary search keeps files with thousands of comments linear.
  const documentStarts: number[] = [];
  const marker = /^---/gm;
  for (let m = marker.exec(text); m; m = marker.exec(text)) documentStarts.push(m.index);
  const segmentOf = (offset: number) => {
    let lo = 0;
    let hi = documentStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (documentStarts[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const nextLine = new Map<number, Set<string> | 'all'>();
  /** Per document segment: the first offset from which everything, or a given rule, is silenced. */
  const fromOffset = new Map<number, { all: number; ids: Map<string, number> }>();
  const re = /#\s*netpol-disable(-next-line)?\b([^\n]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const ids = m[2].split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    if (m[1]) {
      nextLine.set(lineOf(m.index) + 1, ids.length ? new Set(ids) : 'all');
      continue;
    }
    const segment = segmentOf(m.index);
    const entry = fromOffset.get(segment) ?? { all: Infinity, ids: new Map<string, number>() };
    fromOffset.set(segment, entry);
    if (ids.length === 0) entry.all = Math.min(entry.all, m.index);
    for (const id of ids) entry.ids.set(id, Math.min(entry.ids.get(id) ?? Infinity, m.index));
  }
  const silenced = (set: Set<string> | 'all' | undefined, id: string) => set === 'all' || (set !== undefined && set.has(id));
  return diagnostics.filter((d) => {
    const start = d.location.range[0];
    if (silenced(nextLine.get(lineOf(start)), d.ruleId)) return false;
    const entry = fromOffset.get(segmentOf(start));
    return !entry || (entry.all > start && (entry.ids.get(d.ruleId) ?? Infinity) > start);
  });
}
