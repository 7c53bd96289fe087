// Quick fixes on demand. Analyses run the rules without fixes (building one needs the file's yaml nodes, a full
// parse of a file the fast reader read, and allocations for every finding on every run); when an editor asks for
// the code actions of one finding, its rule runs again, narrowed to the object the finding sits in (the policy, or
// the objects of its namespace, as the incremental runner narrows it: `Rule.unit`), with fixes on.
import { defineQuery } from '../store';
import { objectNamespace, objectsInNamespace, type Model } from '../model';
import type { K8sObject, ParsedFile } from '../parse';
import type { OffsetRange } from '../types';
import type { Workspace } from '../workspace';
import { modelView } from './common';
import { ALL_RULES } from './index';
import { incrementalUnit } from './run';
import type { Diagnostic, QuickFix, Rule, RuleContext } from './types';

/** What identifies a finding: its rule, where it is and what it says. */
export type FindingKey = Pick<Diagnostic, 'ruleId' | 'message'> & { location: { uri: string; range: OffsetRange } };

export interface QuickFixOptions {
  /** The rules the finding may come from (all built-in rules by default). */
  rules?: readonly Rule[];
  /** Called when the rule throws (for the log); the finding then has no fixes. */
  onRuleError?: (ruleId: string, error: unknown) => void;
}

/**
 * Fixes of the other findings a narrowed run reported (a namespace rule reports every policy of the namespace), by
 * key, while the workspace stays at the same version: asking for the fixes of each of a namespace's n findings then
 * runs the rule once, not n times over n policies. Kept only for workspaces of one scope, where the first scope's
 * finding is that run's.
 */
const SIBLING_FIXES = defineQuery<Workspace, { version: number; fixes: Map<string, QuickFix[]> }>({
  name: 'sibling-fixes',
  reads: ['workspace-version'],
  lifetime: 'version',
  description: "the fixes of the other findings a narrowed run reported, by key, at the workspace's version",
});

function keyOf(ruleId: string, d: Pick<Diagnostic, 'message'> & { location: { uri: string; range: OffsetRange } }): string {
  return `${ruleId}\u0000${d.location.uri}\u0000${d.location.range[0]}:${d.location.range[1]}\u0000${d.message}`;
}

/** Fixes found per finding object, valid while the workspace stays at the same version. */
const FINDING_FIXES = defineQuery<FindingKey, { version: number; fixes: QuickFix[] }>({
  name: 'finding-fixes',
  reads: ['workspace-version'],
  lifetime: 'version',
  description: 'the quick fixes of a finding at the version they were computed at',
});

/**
 * The quick fixes of a finding that a rule reported on `workspace` (as `runRules` with `fixes: true` would give
 * them): the fixes of the first scope's finding with the same rule, range and message. Empty when the finding is no
 * longer reported, or its rule offers no fix.
 */
export function quickFixesFor(workspace: Workspace, finding: FindingKey, options: QuickFixOptions = {}): QuickFix[] {
  const cache = workspace.store.query(FINDING_FIXES);
  const cached = cache.peek(finding);
  if (cached && cached.version === workspace.version) return cached.fixes;
  const sibling = workspace.store.query(SIBLING_FIXES).peek(workspace);
  const fromSibling = sibling && sibling.version === workspace.version && !options.rules ? sibling.fixes.get(keyOf(finding.ruleId, finding)) : undefined;
  const fixes = fromSibling ?? computeFixes(workspace, finding, options);
  cache.set(finding, { version: workspace.version, fixes });
  return fixes;
}

function computeFixes(workspace: Workspace, finding: FindingKey, options: QuickFixOptions): QuickFix[] {
  const rule = (options.rules ?? ALL_RULES).find((r) => r.id === finding.ruleId);
  if (!rule) return [];
  const { uri, range } = finding.location;
  // A finding placed in a template or base from a rendering: the rule's report on the rendered text that was placed
  // there, with its fixes moved to the source where they edit text that is the same in both.
  const placed = workspace.isCovered(uri);
  const object = placed ? undefined : objectAt(workspace.getFile(uri), range[0]);
  const unit = incrementalUnit(rule);
  const scopes = workspace.scopes();
  let others: Map<string, QuickFix[]> | undefined;
  if (scopes.length === 1 && !options.rules) {
    const siblings = workspace.store.query(SIBLING_FIXES);
    let entry = siblings.peek(workspace);
    if (!entry || entry.version !== workspace.version) siblings.set(workspace, (entry = { version: workspace.version, fixes: new Map() }));
    others = entry.fixes;
  }
  for (const scope of scopes) {
    const model = object && unit ? narrowedTo(scope.model, object, unit) : scope.model;
    if (!model) continue;
    let match: Diagnostic | undefined;
    const context: RuleContext = {
      scopeName: scope.name,
      model,
      analysis: scope.analysis,
      config: workspace.config,
      store: scope.store,
      file: (u) => workspace.getFile(u),
      wantFixes: true,
      report: (d) => {
        const at = placed ? workspace.toSource(d.location) : d.location;
        if (others && !placed) {
          const key = keyOf(rule.id, d);
          if (!others.has(key)) others.set(key, d.fixes ?? []);
        }
        const sameMessage = placed ? finding.message.startsWith(`${d.message} (`) : d.message === finding.message;
        if (!match && at.uri === uri && at.range[0] === range[0] && at.range[1] === range[1] && sameMessage) {
          match = { ...d, ruleId: rule.id, severity: d.severity ?? rule.defaultSeverity };
          if (placed) match.fixes = placedFixes(workspace, d.fixes ?? []);
        }
      },
    };
    try {
      rule.run(context);
    } catch (error) {
      options.onRuleError?.(rule.id, error);
      return [];
    }
    if (match) return match.fixes ?? [];
  }
  return [];
}

/** Fixes of a rendered text moved to the sources: kept only where every edit replaces text that is the same there. */
function placedFixes(workspace: Workspace, fixes: readonly QuickFix[]): QuickFix[] {
  const out: QuickFix[] = [];
  for (const fix of fixes) {
    const edits = fix.edits.map((edit) => {
      if (!workspace.renderingOf(edit.uri)) return edit;
      const to = workspace.toSource({ uri: edit.uri, range: edit.range });
      const before = workspace.getFile(edit.uri)?.text.slice(edit.range[0], edit.range[1]);
      const there = workspace.getFile(to.uri)?.text.slice(to.range[0], to.range[1]);
      return before !== undefined && before !== '' && before === there && workspace.isCovered(to.uri) ? { ...edit, uri: to.uri, range: to.range } : undefined;
    });
    if (edits.every((e) => e !== undefined)) out.push({ ...fix, edits: edits as QuickFix['edits'] });
  }
  return out;
}

/**
 * The scope's model narrowed to what a finding in `object` depends on: the policy itself (policy rules), or the
 * objects of its namespace (namespace rules). Undefined when the object is no policy of this scope.
 */
function narrowedTo(model: Model, object: K8sObject, unit: NonNullable<Rule['unit']>): Model | undefined {
  if (unit !== 'namespace') {
    const policies = model.policies.filter((p) => p.object === object);
    return policies.length ? modelView(model, { policies }) : undefined;
  }
  const namespace = objectNamespace(model, object);
  return modelView(model, {
    policies: model.policies.filter((p) => p.namespace === namespace),
    workloads: model.workloads.filter((w) => w.namespace === namespace),
    services: model.services.filter((s) => s.namespace === namespace),
    objects: [...objectsInNamespace(model, namespace)],
  });
}

/** The object a finding at `offset` sits in: the last one starting at or before it, if it reaches that far (as run.ts). */
function objectAt(file: ParsedFile | undefined, offset: number): K8sObject | undefined {
  let found: K8sObject | undefined;
  for (const document of file?.documents ?? []) {
    for (const object of document.objects) if (object.range[0] <= offset && (!found || object.range[0] >= found.range[0])) found = object;
  }
  return found && offset <= found.range[1] ? found : undefined;
}
