// The contract between the diagnostic rules and their callers (the language server and `netpol check`).
// One rule per file in this folder; `index.ts` lists them all.
import type { WorkspaceConfig } from '../config';
import type { Analysis } from '../evaluate';
import type { Model } from '../model';
import type { ParsedFile } from '../parse';
import type { Store } from '../store';
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
  /** The workspace's store of derived state (store.ts): what rules keep between calls lives there, nowhere else. */
  store: Store;
  file(uri: string): ParsedFile | undefined;
  /**
   * Whether findings should carry their quick fixes. Building a fix needs the file's yaml nodes (a full parse of a
   * file the fast reader read), so analyses leave them out and `quickFixesFor` (fixes.ts) re-runs a rule with this
   * set for the one finding a code action asks about; `netpol check` sets it for every finding.
   */
  wantFixes?: boolean;
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
  /**
   * How the rule's findings split, so that an edit re-runs it on part of a scope (the contract is on `RuleUnit`), or
   * 'scope' for a rule re-run on the whole scope after every change. Every rule of `ALL_RULES` declares it in its own
   * file, with a comment when it reads more than the unit's name says (the registry test requires it); the rules made
   * by `policyProblemRule` are 'policy' (each finding is a problem of one policy).
   */
  unit?: RuleUnit | 'scope';
  /**
   * For `namespace` rules whose findings also read other namespaces (a monitor's targets, the Prometheus pods, RBAC
   * bindings): the namespaces whose findings read one of `changed`, in the context's model, or 'all' when that cannot
   * be narrowed. The runner asks on the models before and after an edit and re-runs those namespaces too. Must be
   * cheap (it runs on every edit) and must not use the context's analysis (it may belong to the other model).
   */
  readersOf?(context: RuleContext, changed: ReadonlySet<string>): ReadonlySet<string> | 'all';
}

/**
 * `policy`: each finding sits inside the NetworkPolicy it is about and depends only on that policy, the pods its
 * selectors select (their labels, ports and names), the pods of its own namespace, the namespaces' labels and the
 * cluster DNS pods; the rule iterates `model.policies`. `policy-services`: the same, plus the Services of the
 * selected pods' namespaces. `policy-reach`: the same as `policy`, but a finding may depend on every pod of the
 * namespaces the policy's selectors reach (suggestions drawn from all their labels). `policy-peers`: the same as
 * `policy`, plus the policies of the namespaces its peers select (the other side of each connection it admits).
 * `namespace`: each finding sits inside an object of one namespace and depends only on that namespace's objects
 * (and the DNS pods); the rule iterates any of the model's lists.
 */
export type RuleUnit = 'policy' | 'policy-services' | 'policy-reach' | 'policy-peers' | 'namespace';
