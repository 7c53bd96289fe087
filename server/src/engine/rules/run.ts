// Runs the rules over every scope of a workspace and collects diagnostics per file, applying severity settings
// and suppression comments. A rule that throws is caught: the other rules and files still get their diagnostics.
import { defineQuery, type Store } from '../store';
import type { RuleSetting, WorkspaceConfig } from '../config';
import { changesSince, lineageOf, listsByNamespace, namespacesChangedSince, sameLabels, sameNamespaceEntry, objectNamespace, objectsInNamespace, type Model, type ModelLineage, type Namespace, type Service, type Workload } from '../model';
import type { K8sObject, ParsedFile } from '../parse';
import type { NetworkPolicy, PodPeer } from '../policy';
import { matchesSelector } from '../selectors';
import type { Severity } from '../types';
import type { Scope, Workspace } from '../workspace';
import { modelIndex, modelView, peerSelectsAnyPod } from './common';
import { ALL_RULES } from './index';
import { relocateDiagnostic, type Rendering } from '../rendered';
import type { Diagnostic, Rule, RuleContext, RuleUnit } from './types';

export interface RunOptions {
  /** Severity overrides by rule id (settings win over the workspace configuration). */
  severities?: Record<string, RuleSetting>;
  rules?: readonly Rule[];
  /** Called once per rule failure (for the log). */
  onRuleError?: (ruleId: string, error: unknown) => void;
  /** Whether findings carry their quick fixes (`RuleContext.wantFixes`); off by default. */
  fixes?: boolean;
  /** Called before each scope after the first, with the number of scopes done (progress). */
  onScope?: (done: number) => void;
}

/** Diagnostics by file URI. Every file of the workspace has an entry (possibly empty). */
export function runRules(workspace: Workspace, options: RunOptions = {}): Map<string, Diagnostic[]> {
  const byUri = new Map<string, Diagnostic[]>();
  for (const uri of workspace.fileUris()) if (!workspace.renderingOf(uri)) byUri.set(uri, []);
  const config = workspace.config;
  const relocate = relocator(workspace);
  // The same finding from several scopes (a base shared by overlays) is reported once. A set, not a scan of the
  // file's list: a file with thousands of findings would make the scan quadratic.
  const seen = new Set<string>();
  const add = (found: Diagnostic) => {
    const d = relocate(found);
    const key = `${d.location.uri}\u0000${d.ruleId}\u0000${d.location.range[0]}\u0000${d.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    const list = byUri.get(d.location.uri) ?? [];
    list.push(d);
    byUri.set(d.location.uri, list);
  };

  const settingFor = (id: string, fallback: Severity): RuleSetting => options.severities?.[id] ?? config.rules[id] ?? fallback;

  // Findings about the input itself (parse errors, templates) are diagnostics too, except those of files a
  // rendering stands for (a chart's templates).
  for (const uri of workspace.fileUris()) {
    if (workspace.isCovered(uri)) continue;
    for (const f of workspace.getFile(uri)!.findings) {
      const setting = settingFor(f.code, f.severity);
      if (setting !== 'off') add({ ruleId: f.code, severity: setting, message: f.message, location: f.location });
    }
  }
  for (const f of config.findings) add({ ruleId: f.code, severity: f.severity, message: f.message, location: f.location });

  const rules = options.rules ?? ALL_RULES;
  let scopesDone = 0;
  for (const scope of workspace.scopes()) {
    // Progress for the CLI: the scopes done so far, before each next one.
    if (scopesDone > 0) options.onScope?.(scopesDone);
    scopesDone++;
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
        store: scope.store,
        file: (uri) => workspace.getFile(uri),
        wantFixes: options.fixes === true,
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
 * Moves diagnostics of rendered manifests to their sources (rendered.ts). The moved diagnostic is kept per
 * diagnostic while the source text it was placed in is unchanged (the incremental runner keeps its diagnostics).
 */
export function relocator(workspace: Workspace): (d: Diagnostic) => Diagnostic {
  const renderingOf = (uri: string): { text: string; rendering: Rendering } | undefined => {
    const rendering = workspace.renderingOf(uri);
    return rendering ? { text: workspace.getFile(uri)!.text, rendering } : undefined;
  };
  const sourceText = (uri: string) => workspace.getFile(uri)?.text;
  return (d) => {
    if (!workspace.hasRenderings()) return d;
    const relocated = workspace.store.query(RELOCATED);
    const known = relocated.peek(d);
    if (known && sourceText(known.diagnostic.location.uri) === known.text) return known.diagnostic;
    const diagnostic = relocateDiagnostic(d, renderingOf, sourceText);
    if (diagnostic !== d) relocated.set(d, { diagnostic, text: sourceText(diagnostic.location.uri) });
    return diagnostic;
  };
}
const RELOCATED = defineQuery<Diagnostic, { diagnostic: Diagnostic; text: string | undefined }>({
  name: 'relocated-findings',
  reads: ['objects'],
  lifetime: 'lineage',
  description: "a rendered manifest's finding moved to its source, with the source text it was placed in",
});

/** The files a rendered manifest's diagnostics may be moved to. */
function renderTargets(rendering: Rendering | undefined): string[] {
  return rendering ? [rendering.anchorUri, ...rendering.segments.map((s) => s.uri)] : [];
}

/** The unit a rule's findings split by for incremental runs, undefined for rules re-run on the whole scope. */
export function incrementalUnit(rule: Rule): RuleUnit | undefined {
  return rule.unit === 'scope' ? undefined : rule.unit;
}

/** A rule's finding with the object it sits in and that object's namespace (undefined outside every object). */
interface Entry {
  diagnostic: Diagnostic;
  object: K8sObject | undefined;
  namespace: string | undefined;
}

/** One rule's findings in one scope, by the unit they belong to (an object, a namespace) and by file. */
class RuleFindings {
  private readonly byKey = new Map<unknown, Entry[]>();
  readonly byUri = new Map<string, Set<Entry>>();
  constructor(private readonly unit: RuleUnit | undefined) {}

  private keyOf(e: Entry): unknown {
    return this.unit === 'namespace' ? e.namespace : this.unit ? e.object : undefined;
  }

  add(e: Entry, dirty: Set<string>): void {
    const key = this.keyOf(e);
    const list = this.byKey.get(key);
    if (list) list.push(e);
    else this.byKey.set(key, [e]);
    const uri = e.diagnostic.location.uri;
    const set = this.byUri.get(uri);
    if (set) set.add(e);
    else this.byUri.set(uri, new Set([e]));
    dirty.add(uri);
  }

  /** Drops the findings of a unit (an object or a namespace). */
  drop(key: unknown, dirty: Set<string>): void {
    const list = this.byKey.get(key);
    if (!list) return;
    this.byKey.delete(key);
    for (const e of list) {
      const uri = e.diagnostic.location.uri;
      const set = this.byUri.get(uri)!;
      set.delete(e);
      if (set.size === 0) this.byUri.delete(uri);
      dirty.add(uri);
    }
  }

  /** Drops the findings located in a file. */
  dropUri(uri: string, dirty: Set<string>): void {
    const set = this.byUri.get(uri);
    if (!set) return;
    this.byUri.delete(uri);
    dirty.add(uri);
    for (const e of set) {
      const key = this.keyOf(e);
      const list = this.byKey.get(key)!.filter((x) => x !== e);
      if (list.length) this.byKey.set(key, list);
      else this.byKey.delete(key);
    }
  }
}

interface ScopeState {
  model: Model;
  modelFindings: Diagnostic[];
  /** Findings by rule id. */
  byRule: Map<string, RuleFindings>;
}

interface RunnerState {
  workspace: Workspace;
  /** The workspace's version the state was computed for. */
  version: number;
  config: WorkspaceConfig;
  files: Map<string, ParsedFile>;
  fileFindings: Map<string, Diagnostic[]>;
  scopes: Map<string, ScopeState>;
  output: Map<string, Diagnostic[]>;
  /** The rendered manifests' renderings, to know where their diagnostics went after they change. */
  renderings: Map<string, Rendering>;
}

/**
 * `runRules` for a workspace that changes a little at a time (the language server): keeps each rule's findings
 * per scope and, after a change, re-runs a rule only on what the change can affect. The changed namespaces come
 * from the model updates (`namespacesChangedSince`); policy rules re-run for the policies of those namespaces and
 * the policies whose namespaceSelectors reach them (all such policies when a namespace appeared, went or changed
 * its labels); namespace rules for those namespaces. Anything else (a new configuration, a rebuilt model, the DNS
 * namespace, a rule without a unit or one that reports outside every object) re-runs whole. The result equals
 * `runRules` on the same workspace (up to the order of each file's diagnostics).
 */
export class IncrementalRuleRunner {
  private state: RunnerState | undefined;
  /** Rules seen reporting a finding outside every object: re-run whole from then on. */
  private readonly unitless = new Set<string>();
  /** Files whose diagnostics the last run recomputed (all of them after a full run). */
  changedUris: Set<string> = new Set();
  /** Whether the last run re-ran every rule on everything (for tests and logs). */
  lastRunFull = true;
  /** Milliseconds per phase and rule of the last run, and counts of re-run units under `#` keys (benchmark, logs). */
  timings: Record<string, number> = {};

  /** Per scope, which peers select each namespace (see `peersSelecting`). */
  private readonly peerIndexes = new Map<string, PeerIndex>();

  constructor(private readonly options: RunOptions = {}) {}

  /**
   * The changed namespaces and the namespaces whose findings read one of them (`Rule.readersOf`), in the model
   * before the edit or after it; 'all' when the rule cannot narrow them.
   */
  private readersOf(rule: Rule, before: Model, context: RuleContext, changed: Set<string>): Set<string> | 'all' {
    const out = new Set(changed);
    for (const model of [before, context.model]) {
      const readers = rule.readersOf!(model === context.model ? context : { ...context, model }, changed);
      if (readers === 'all') return 'all';
      for (const ns of readers) out.add(ns);
    }
    return out;
  }

  private peerIndexOf(scopeName: string): PeerIndex {
    let index = this.peerIndexes.get(scopeName);
    if (!index) this.peerIndexes.set(scopeName, (index = new Map()));
    return index;
  }

  /**
   * Diagnostics by file URI, every file of the workspace with an entry. The map is the runner's own, valid until the
   * next run (copying 10,000 entries per edit costs more than the edit): read it, copy it to change it.
   */
  run(workspace: Workspace): Map<string, Diagnostic[]> {
    this.timings = {};
    let mark = performance.now();
    const lap = (what: string) => {
      const now = performance.now();
      this.timings[what] = (this.timings[what] ?? 0) + now - mark;
      mark = now;
    };
    const config = workspace.config;
    const previous = this.state?.workspace === workspace && this.state.config === config ? this.state : undefined;
    const settingFor = (id: string, fallback: Severity): RuleSetting => this.options.severities?.[id] ?? config.rules[id] ?? fallback;

    // Files whose parse changed (added, edited, deleted) since the last run: from the workspace's log of changes when
    // it still knows them (the maps are then updated in place: the previous state is not used again), else by
    // comparing every file.
    const journal = previous ? workspace.changedFilesSince(previous.version) : undefined;
    const files = journal && previous ? previous.files : new Map<string, ParsedFile>();
    const fileFindings = journal && previous ? previous.fileFindings : new Map<string, Diagnostic[]>();
    const changed = new Set<string>();
    if (journal) {
      for (const uri of journal) {
        const file = workspace.getFile(uri);
        if (file ? files.get(uri) === file : !files.has(uri)) continue;
        changed.add(uri);
        if (file) files.set(uri, file);
        else {
          files.delete(uri);
          fileFindings.delete(uri);
        }
      }
    } else {
      for (const uri of workspace.fileUris()) {
        const file = workspace.getFile(uri)!;
        files.set(uri, file);
        if (previous?.files.get(uri) !== file) changed.add(uri);
      }
      if (previous) for (const uri of previous.files.keys()) if (!files.has(uri)) changed.add(uri);
    }
    const readFindings = (file: ParsedFile): Diagnostic[] => {
      const list: Diagnostic[] = [];
      for (const f of file.findings) {
        const setting = settingFor(f.code, f.severity);
        if (setting !== 'off') list.push({ ruleId: f.code, severity: setting, message: f.message, location: f.location });
      }
      return list;
    };
    if (journal) {
      for (const uri of changed) if (files.has(uri)) fileFindings.set(uri, readFindings(files.get(uri)!));
    } else {
      for (const [uri, file] of files) {
        const kept = previous && !changed.has(uri) ? previous.fileFindings.get(uri) : undefined;
        fileFindings.set(uri, kept ?? readFindings(file));
      }
    }

    const dirty = new Set<string>(changed);
    const renderings = new Map<string, Rendering>();
    for (const uri of workspace.renderedUris()) renderings.set(uri, workspace.renderingOf(uri)!);
    // A new rendering changes which files are analysed and where findings land: everything is gathered again.
    let full = !previous || [...changed].some((u) => renderings.has(u) || previous.renderings.has(u));
    lap('files');
    const allScopes = workspace.scopes();
    lap('models');
    const scopes = new Map<string, ScopeState>();
    const rules = this.options.rules ?? ALL_RULES;
    for (const scope of allScopes) {
      const before = previous?.scopes.get(scope.name);
      scopes.set(scope.name, this.runScope(scope, before, changed, dirty, rules, settingFor, files, config, lap));
      full ||= !before;
    }
    if (previous) {
      // A scope that went away takes its findings with it.
      for (const [name, state] of previous.scopes) if (!scopes.has(name)) for (const findings of state.byRule.values()) for (const uri of findings.byUri.keys()) dirty.add(uri);
    }

    // A rendered manifest's findings live in its sources.
    for (const uri of [...dirty]) {
      if (!renderings.has(uri)) continue;
      for (const target of renderTargets(renderings.get(uri))) dirty.add(target);
      for (const target of renderTargets(previous?.renderings.get(uri))) dirty.add(target);
    }
    const relocate = relocator(workspace);
    // Only the files whose findings may have changed are gathered again (all of them after a full run).
    const incremental = previous !== undefined && !full;
    // Updated in place: the map handed out last time is the caller's only until the next run (see `run`).
    const output = incremental ? previous.output : new Map<string, Diagnostic[]>();
    const gathered = new Map<string, Diagnostic[]>();
    for (const uri of incremental ? dirty : files.keys()) if (!renderings.has(uri)) gathered.set(uri, []);
    const collect = (found: Diagnostic) => {
      const d = relocate(found);
      let list = gathered.get(d.location.uri);
      // A finding about a file outside the workspace (the configuration file) still gets an entry, as in runRules.
      if (!list && !incremental) gathered.set(d.location.uri, (list = []));
      list?.push(d);
    };
    for (const uri of [...gathered.keys(), ...renderings.keys()]) {
      if (workspace.isCovered(uri)) continue;
      for (const d of fileFindings.get(uri) ?? []) collect(d);
    }
    for (const f of config.findings) collect({ ruleId: f.code, severity: f.severity, message: f.message, location: f.location });
    for (const state of scopes.values()) {
      for (const d of state.modelFindings) collect(d);
      for (const findings of state.byRule.values()) {
        if (incremental) {
          for (const uri of new Set([...dirty, ...renderings.keys()])) for (const e of findings.byUri.get(uri) ?? []) collect(e.diagnostic);
        } else for (const set of findings.byUri.values()) for (const e of set) collect(e.diagnostic);
      }
    }
    for (const [uri, list] of gathered) {
      // Most files have no finding, or one: nothing to compare.
      let unique = list;
      if (list.length > 1) {
        const seen = new Set<string>();
        unique = list.filter((d) => {
          const key = `${d.ruleId}\u0000${d.location.range[0]}\u0000${d.message}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
      }
      const file = files.get(uri);
      if (file) output.set(uri, applySuppressions(file.text, unique));
      else if (unique.length > 0) output.set(uri, unique);
      else output.delete(uri);
    }
    const recompute = new Set(gathered.keys());
    lap('output');
    this.state = { workspace, version: workspace.version, config, files, fileFindings, scopes, output, renderings };
    this.changedUris = recompute;
    this.lastRunFull = full;
    return output;
  }

  private runScope(
    scope: Scope,
    before: ScopeState | undefined,
    changed: Set<string>,
    dirty: Set<string>,
    rules: readonly Rule[],
    settingFor: (id: string, fallback: Severity) => RuleSetting,
    files: Map<string, ParsedFile>,
    config: WorkspaceConfig,
    lap: (what: string) => void,
  ): ScopeState {
    const model = scope.model;
    const modelFindings: Diagnostic[] = [];
    for (const f of model.findings) {
      const setting = settingFor(f.code, f.severity);
      if (setting !== 'off') modelFindings.push({ ruleId: f.code, severity: setting, message: f.message, location: f.location });
    }
    if (before) for (const d of [...before.modelFindings, ...modelFindings]) dirty.add(d.location.uri);
    if (before && before.model === model) return { model, modelFindings, byRule: before.byRule };

    // What the change can affect: undefined means everything.
    let namespaces = before ? namespacesChangedSince(before.model, model) : undefined;
    if (namespaces && (namespaces.has(config.dns.namespace) || modelIndex(before!.model).hasOwnWorkloads !== modelIndex(model).hasOwnWorkloads)) {
      namespaces = undefined;
    }
    const baseContext: RuleContext = {
      scopeName: scope.name,
      model,
      analysis: scope.analysis,
      config,
      store: scope.store,
      file: (uri) => files.get(uri),
      wantFixes: this.options.fixes === true,
      report: () => undefined,
    };
    const affected =
      namespaces && before
        ? affectedPolicies(scope.store, before.model, model, namespaces, (policy, peer) => peerSelectsAnyPod(baseContext, policy, peer), this.peerIndexOf(scope.name))
        : undefined;
    lap('affected');
    if (affected && namespaces) {
      // Counts, not times (`#` marks them), for the benchmark's breakdown.
      this.timings['#selected'] = affected.selected[0].length;
      this.timings['#reach'] = affected.reach[0].length;
      this.timings['#services'] = affected.services[0].length;
      this.timings['#namespaces'] = namespaces.size;
    }

    const byRule = new Map<string, RuleFindings>();
    let narrowedToNamespaces: Model | undefined;
    const namespaceView = (whole: Model, names: Set<string>) => (narrowedToNamespaces ??= namespaceViewOf(whole, names));
    const attribute = (d: Diagnostic): Entry => {
      const object = objectAt(scope.store, files.get(d.location.uri), d.location.range[0]);
      return { diagnostic: d, object, namespace: object ? objectNamespace(model, object) : undefined };
    };
    const runOn = (rule: Rule, view: Model, setting: RuleSetting): { entries: Entry[]; failed: boolean } => {
      const entries: Entry[] = [];
      const context: RuleContext = {
        scopeName: scope.name,
        model: view,
        analysis: scope.analysis,
        config,
        store: scope.store,
        file: (uri) => files.get(uri),
        wantFixes: this.options.fixes === true,
        report: (d) => entries.push(attribute({ ...d, ruleId: rule.id, severity: d.severity ?? (setting as Severity) })),
      };
      try {
        rule.run(context);
        return { entries, failed: false };
      } catch (error) {
        this.options.onRuleError?.(rule.id, error);
        return { entries, failed: true };
      }
    };

    for (const rule of rules) {
      const setting = settingFor(rule.id, rule.defaultSeverity);
      if (setting === 'off') continue;
      const old = before?.byRule.get(rule.id);
      const unit = this.unitless.has(rule.id) ? undefined : incrementalUnit(rule);
      let findings: RuleFindings | undefined;
      // The namespaces whose findings read a changed namespace (rules that read across namespaces).
      const readers = old && namespaces && unit === 'namespace' && rule.readersOf ? this.readersOf(rule, before!.model, baseContext, namespaces) : undefined;
      if (old && namespaces && affected && unit && readers !== 'all') {
        const policyUnit = unit !== 'namespace';
        const [policies, policyObjects] =
          unit === 'policy' ? affected.selected : unit === 'policy-services' ? affected.services : unit === 'policy-peers' ? affected.peers() : affected.reach;
        const redo = readers && readers.size > namespaces.size ? readers : namespaces;
        const view =
          policyUnit
            ? modelView(model, { policies })
            : redo === namespaces
              ? namespaceView(model, namespaces)
              : namespaceViewOf(model, redo);
        const redone = (e: Entry) => (policyUnit ? e.object !== undefined && policyObjects.has(e.object) : e.namespace !== undefined && redo.has(e.namespace));
        const result = runOn(rule, view, setting);
        if (!result.failed && result.entries.every((e) => e.object !== undefined)) {
          // The kept findings are updated in place: the previous state is not used again.
          for (const uri of changed) old.dropUri(uri, dirty);
          if (policyUnit) for (const o of policyObjects) old.drop(o, dirty);
          else for (const ns of redo) old.drop(ns, dirty);
          for (const e of result.entries) if (redone(e)) old.add(e, dirty);
          findings = old;
        } else if (!result.failed) this.unitless.add(rule.id);
      }
      if (!findings) {
        const entries = runOn(rule, model, setting).entries;
        const whole = entries.some((e) => e.object === undefined);
        if (whole) this.unitless.add(rule.id);
        findings = new RuleFindings(whole || this.unitless.has(rule.id) ? undefined : unit);
        for (const uri of old?.byUri.keys() ?? []) dirty.add(uri);
        for (const e of entries) findings.add(e, dirty);
      }
      byRule.set(rule.id, findings);
      lap(rule.id);
    }
    return { model, modelFindings, byRule };
  }
}

/** A model narrowed to some namespaces, from its per-namespace lists (filtering the whole lists would cost more than
 * the rules' work). */
function namespaceViewOf(whole: Model, names: Set<string>): Model {
  const lists = listsByNamespace(whole);
  const pick = <T>(byNamespace: ReadonlyMap<string, readonly T[]>) => [...names].flatMap((ns) => byNamespace.get(ns) ?? []);
  return modelView(whole, {
    policies: pick(whole.policiesByNamespace),
    workloads: pick(lists.workloads),
    services: pick(lists.services),
    objects: [...names].flatMap((ns) => objectsInNamespace(whole, ns)),
  });
}

/** A list of policies and the set of their objects. */
type PolicySet = [NetworkPolicy[], Set<K8sObject>];

/** Policies to re-run after a change, for each kind of policy rule (`policy`, `policy-services`, `policy-reach`). */
interface AffectedPolicies {
  /** For rules that read what a policy's selectors select: its namespace changed, or a selected pod changed. */
  selected: PolicySet;
  /** For rules that also read the Services in front of the selected pods: also where such a Service changed, or a
   * pod behind a Service changed its labels. */
  services: PolicySet;
  /**
   * For rules that read everything in the namespaces a policy's selectors reach (label-typo's suggestions): also
   * the policies with a peer that selects nothing and reaches a namespace where a workload changed.
   */
  reach: PolicySet;
  /**
   * For rules that read the other side's policies (one-sided-allow): `selected`, plus every policy with a peer
   * whose namespaceSelector selects a changed namespace (whatever changed there: its policies, its pods' labels).
   */
  peers(): PolicySet;
}

/**
 * The policies whose findings a change in some namespaces can alter: those of the namespaces, and those whose
 * namespaceSelectors select one of them (every policy with a namespaceSelector when a namespace appeared, went or
 * changed its labels, as a selector may then match other namespaces or none). For rules that read only the pods
 * a peer selects, a policy reached through a namespaceSelector counts only when the peer's podSelector matches a
 * changed workload (its old or its new labels; a peer without podSelector selects every pod of the namespace, so a
 * change of labels alone leaves it alone); rules that also read Services, when a changed Service (or a pod behind
 * one that changed its labels) stands in front of pods the peer selects. Workloads and Services are compared by
 * what the policy rules read of them, so the unchanged objects of an edited file count as unchanged.
 */
function affectedPolicies(
  store: Store,
  before: Model,
  after: Model,
  namespaces: Set<string>,
  selectsAnyPod: (policy: NetworkPolicy, peer: PodPeer) => boolean,
  peerIndex: PeerIndex = new Map(),
): AffectedPolicies {
  let namespaceSetChanged = false;
  for (const name of namespaces) if (!sameNamespaceEntry(before.namespaces.get(name), after.namespaces.get(name))) namespaceSetChanged = true;
  const reached = [...namespaces].map((n) => after.namespaces.get(n)).filter((n): n is Namespace => n !== undefined);

  // Per changed namespace: what differs for a peer (both versions of each workload), and the pods behind a
  // changed Service (both versions, each with the pods of its model).
  const changes = new Map<string, NamespaceChange>();
  for (const ns of namespaces) changes.set(ns, namespaceChange(before, after, ns));

  const selected: NetworkPolicy[] = [];
  const services: NetworkPolicy[] = [];
  const reach: NetworkPolicy[] = [];
  const policySet = (list: NetworkPolicy[]): PolicySet => [list, new Set(list.map((p) => p.object))];
  // The `selected` policies and those with a peer whose namespaceSelector reaches a changed namespace and selects a
  // pod there (before or after the change): the other side of what it admits may have changed.
  const withPeersInto = (list: NetworkPolicy[], set: PolicySet): PolicySet => {
    const extra: NetworkPolicy[] = [];
    const seen = new Set(set[1]);
    for (const ns of reached) {
      const pods = [...(modelIndex(before).workloadsByNamespace.get(ns.name) ?? []), ...(modelIndex(after).workloadsByNamespace.get(ns.name) ?? [])];
      if (pods.length === 0) continue;
      for (const [p, peer] of peersSelecting(store, ns, after, peerIndex)) {
        if (seen.has(p.object)) continue;
        const podSelector = peer.podSelector;
        if (podSelector && !pods.some((w) => matchesSelector(podSelector, w.podLabels))) continue;
        seen.add(p.object);
        extra.push(p);
      }
    }
    return extra.length === 0 ? set : [[...list, ...extra], seen];
  };
  if (!namespaceSetChanged && ![...changes.values()].some((c) => c.any)) {
    // Nothing a peer elsewhere can see changed (a policy edit): the changed namespaces' own policies are all.
    for (const ns of namespaces) for (const p of after.policiesByNamespace.get(ns) ?? []) selected.push(p);
    const set = policySet(selected);
    return { selected: set, services: set, reach: set, peers: lazily(() => withPeersInto(selected, set)) };
  }
  const everywhere = (p: NetworkPolicy) => {
    selected.push(p);
    services.push(p);
    reach.push(p);
  };
  if (namespaceSetChanged) {
    // A selector may now match other namespaces, or none: every policy with a namespaceSelector.
    for (const p of after.policies) if (namespaces.has(p.namespace) || namespaceSelectorPeers(store, p).length > 0) everywhere(p);
    const all = policySet(selected);
    return { selected: all, services: policySet(services), reach: policySet(reach), peers: () => all };
  }
  for (const ns of namespaces) for (const p of after.policiesByNamespace.get(ns) ?? []) everywhere(p);
  // The peers elsewhere whose namespaceSelector selects a changed namespace where something changed, by policy,
  // with that namespace's change.
  const peersByPolicy = new Map<NetworkPolicy, [PodPeer, NamespaceChange][]>();
  for (const ns of reached) {
    const change = changes.get(ns.name)!;
    if (!change.any) continue;
    for (const [p, peer] of peersSelecting(store, ns, after, peerIndex)) {
      if (namespaces.has(p.namespace)) continue;
      const list = peersByPolicy.get(p);
      if (list) list.push([peer, change]);
      else peersByPolicy.set(p, [[peer, change]]);
    }
  }
  for (const [p, seen] of peersByPolicy) {
    let reaches = false;
    let selects = false;
    let selectsServices = false;
    for (const [peer, change] of seen) {
      const podSelector = peer.podSelector;
      if (!selects) {
        if (!podSelector) selects = change.membersOrPorts;
        else selects = change.workloads.some((w) => matchesSelector(podSelector, w.podLabels));
      }
      if (!selectsServices) {
        if (!podSelector) selectsServices = change.frontedLabels || change.servicePods.length > 0;
        else selectsServices = change.servicePods.some((w) => matchesSelector(podSelector, w.podLabels));
      }
      // Suggestions for a peer that selects nothing come from every pod it could reach.
      if (!reaches && podSelector && change.workloads.length > 0 && !selectsAnyPod(p, peer)) reaches = true;
    }
    if (reaches || selects) reach.push(p);
    if (selects) selected.push(p);
    if (selects || selectsServices) services.push(p);
  }
  const selectedSet = policySet(selected);
  return { selected: selectedSet, services: policySet(services), reach: policySet(reach), peers: lazily(() => withPeersInto(selected, selectedSet)) };
}

/** A value made on first use (only the rules of one unit need it). */
function lazily<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** Per namespace name: the pod peers whose namespaceSelector selects it, and the model lineage they were found in. */
type PeerIndex = Map<string, { lineage: ModelLineage; namespace: Namespace; pairs: [NetworkPolicy, PodPeer][] }>;

/**
 * The policies' pod peers whose namespaceSelector selects a namespace. Kept per namespace across edits: a later
 * model updates them from the policies of the namespaces changed since, instead of scanning every policy again.
 */
function peersSelecting(store: Store, ns: Namespace, model: Model, index: PeerIndex): [NetworkPolicy, PodPeer][] {
  const known = index.get(ns.name);
  const since = known && sameNamespaceEntry(known.namespace, ns) ? changesSince(known.lineage, model) : undefined;
  let pairs: [NetworkPolicy, PodPeer][];
  const add = (p: NetworkPolicy) => {
    for (const peer of namespaceSelectorPeers(store, p)) if (matchesSelector(peer.namespaceSelector!, ns.labels)) pairs.push([p, peer]);
  };
  if (known && since && since.sameNamespaces) {
    if (since.namespaces.size === 0) return known.pairs;
    pairs = known.pairs.filter(([p]) => !since.namespaces.has(p.namespace));
    for (const name of since.namespaces) for (const p of model.policiesByNamespace.get(name) ?? []) add(p);
  } else {
    pairs = [];
    for (const p of model.policies) add(p);
  }
  index.set(ns.name, { lineage: lineageOf(model), namespace: ns, pairs });
  return pairs;
}

/** Per policy (readings are kept per object across edits), its pod peers with a namespaceSelector. */
const NAMESPACE_SELECTOR_PEERS = defineQuery<NetworkPolicy, PodPeer[]>({
  name: 'namespace-selector-peers',
  reads: ['policies'],
  lifetime: 'lineage',
  description: 'the pod peers of a policy with a namespaceSelector',
});

function namespaceSelectorPeers(store: Store, policy: NetworkPolicy): PodPeer[] {
  return store.query(NAMESPACE_SELECTOR_PEERS).get(policy, () => {
    const peers: PodPeer[] = [];
    for (const rule of [...policy.ingress, ...policy.egress]) for (const peer of rule.peers ?? []) if (peer.type === 'pods' && peer.namespaceSelector) peers.push(peer);
    return peers;
  });
}

interface NamespaceChange {
  /** Whether anything a peer reads differs. */
  any: boolean;
  /** Workloads that differ (both versions; one for an added or removed workload). */
  workloads: Workload[];
  /** Whether a workload appeared, went, or changed anything but its labels (which a peer without podSelector ignores). */
  membersOrPorts: boolean;
  /** Whether a workload that only changed its labels has a Service in front of it (before or after). */
  frontedLabels: boolean;
  /** Pods behind a changed Service, old Service with the old pods and new with the new. */
  servicePods: Workload[];
}

function namespaceChange(before: Model, after: Model, ns: string): NamespaceChange {
  const olds = modelIndex(before).workloadsByNamespace.get(ns) ?? [];
  const news = modelIndex(after).workloadsByNamespace.get(ns) ?? [];
  const workloads: Workload[] = [];
  let membersOrPorts = false;
  // Pairs the two readings of each workload by kind and name; a key held twice (duplicate objects) pairs nothing.
  const byKey = new Map<string, { old: Workload[]; new: Workload[] }>();
  const entry = (w: Workload) => {
    const key = `${w.kind}/${w.name}`;
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { old: [], new: [] }));
    return e;
  };
  for (const w of olds) entry(w).old.push(w);
  for (const w of news) entry(w).new.push(w);
  for (const e of byKey.values()) {
    if (e.old.length === 1 && e.new.length === 1) {
      const [a, b] = [e.old[0], e.new[0]];
      if (a === b || sameForPeers(a, b)) continue;
      workloads.push(a, b);
      if (!samePortsAndShape(a, b)) membersOrPorts = true;
      continue;
    }
    membersOrPorts = true;
    workloads.push(...e.old, ...e.new);
  }

  const servicePods: Workload[] = [];
  const oldServices = listsByNamespace(before).services.get(ns) ?? [];
  const newServices = listsByNamespace(after).services.get(ns) ?? [];
  const behind = (service: Service, pods: readonly Workload[]) =>
    service.selector && Object.keys(service.selector).length > 0 ? pods.filter((w) => labelsInclude(w.podLabels, service.selector!)) : [];
  // Rules take the first Service that fits, so the list is compared in order; any other difference counts whole.
  const paired = oldServices.length === newServices.length && oldServices.every((x, i) => x.name === newServices[i].name);
  oldServices.forEach((old, i) => {
    if (!paired || !sameService(old, newServices[i])) servicePods.push(...behind(old, olds));
  });
  newServices.forEach((service, i) => {
    if (!paired || !sameService(oldServices[i], service)) servicePods.push(...behind(service, news));
  });
  // A peer without podSelector keeps its pods when labels change, but the Services in front of them may not.
  const fronted = (w: Workload) => newServices.some((x) => behind(x, [w]).length > 0) || oldServices.some((x) => behind(x, [w]).length > 0);
  const frontedLabels = !membersOrPorts && workloads.some(fronted);
  return { any: workloads.length > 0 || servicePods.length > 0, workloads, membersOrPorts, frontedLabels, servicePods };
}

/** Whether two readings of a workload look alike to every policy rule (which read no positions inside workloads). */
function sameForPeers(a: Workload, b: Workload): boolean {
  return sameLabels(a.podLabels, b.podLabels) && samePortsAndShape(a, b);
}

function samePortsAndShape(a: Workload, b: Workload): boolean {
  if (a.displayName !== b.displayName || a.assumed !== b.assumed || a.replicated !== b.replicated || a.hostNetwork !== b.hostNetwork) return false;
  if (!sameLabels(a.objectLabels, b.objectLabels) || a.containerPorts.length !== b.containerPorts.length) return false;
  return a.containerPorts.every((p, i) => {
    const q = b.containerPorts[i];
    return p.name === q.name && p.containerPort === q.containerPort && p.protocol === q.protocol && p.container === q.container;
  });
}

function sameService(a: Service, b: Service): boolean {
  if ((a.selector === undefined) !== (b.selector === undefined) || (a.selector && !sameLabels(a.selector, b.selector!))) return false;
  return (
    a.ports.length === b.ports.length &&
    a.ports.every((p, i) => {
      const q = b.ports[i];
      return p.name === q.name && p.port === q.port && p.targetPort === q.targetPort && p.protocol === q.protocol;
    })
  );
}

function labelsInclude(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  for (const key in wanted) if (labels[key] !== wanted[key]) return false;
  return true;
}

/** Per file, its objects by start offset, to find the object a finding sits in. */
const FILE_OBJECTS = defineQuery<ParsedFile, K8sObject[]>({
  name: 'file-objects-by-offset',
  reads: ['objects'],
  lifetime: 'lineage',
  description: "a file's objects by start offset, to find the object a finding sits in",
});

function objectAt(store: Store, file: ParsedFile | undefined, offset: number): K8sObject | undefined {
  if (!file) return undefined;
  const objects = store.query(FILE_OBJECTS).get(file, () => file.documents.flatMap((d) => d.objects).sort((a, b) => a.range[0] - b.range[0]));
  let lo = 0;
  let hi = objects.length - 1;
  let found: K8sObject | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (objects[mid].range[0] <= offset) {
      found = objects[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && offset <= found.range[1] ? found : undefined;
}

/**
 * `# netpol-disable-next-line <id>[, <id>]` silences the next line; `# netpol-disable <id>` silences the rest of the
 * YAML document. Without ids, every rule is silenced.
 */
export function applySuppressions(text: string, diagnostics: Diagnostic[]): Diagnostic[] {
  if (diagnostics.length === 0 || !text.includes('netpol-disable')) return diagnostics;
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
