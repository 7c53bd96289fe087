// The contract between the diagnostic rules and their callers (the language server and `netpol check`).
// One rule per file in this folder; `index.ts` lists them all.
import type { WorkspaceConfig } from '../config';
import type { Analysis } from '../evaluate';
import type { Model } from '../model';
import type { K8sObject, ParsedFile } from '../parse';
import type { OffsetRange, Severity, SourceLocation } from '../types';

/** A minimal text edit on one file: replace [start, end) with `newText`. */
export interface TextEdit {
  uri: string;
  range: OffsetRange;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** The fix most users want; editors may apply it with one key. */
  preferred?: boolean;
}

export interface RelatedLocation {
  location: SourceLocation;
  message: string;
}

export interface Diagnostic {
  /** The rule id, used as the diagnostic's `code`. */
  ruleId: string;
  severity: Severity;
  message: string;
  location: SourceLocation;
  related?: RelatedLocation[];
  fixes?: QuickFix[];
  /** Tags for editors: the code is unnecessary (faded) or deprecated. */
  tags?: ('unnecessary' | 'deprecated')[];
}

/** What a rule sees: one scope's model and analysis, plus the parsed files and the configuration. */
export interface RuleContext {
  scopeName: string;
  model: Model;
  analysis: Analysis;
  config: WorkspaceConfig;
  file(uri: string): ParsedFile | undefined;
  /** Reports a diagnostic; severity defaults to the rule's configured severity. */
  report(diagnostic: Omit<Diagnostic, 'ruleId' | 'severity'> & { severity?: Severity }): void;
}

export interface Rule {
  id: string;
  defaultSeverity: Severity;
  /** One line for listings; the full docs live in docs/rules/<id>.md. */
  description: string;
  /** Runs over a whole scope. Rules that look at single objects iterate `context.model.objects` themselves. */
  run(context: RuleContext): void;
}

export type { K8sObject };
