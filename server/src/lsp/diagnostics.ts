// Diagnostics: the rules' runs after changes (debounced by the scheduler), the other diagnostic sources
// (connectivity tests) run in slices after them, publishing only what changed, and the findings cache.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connection, Diagnostic as LspDiagnostic, Disposable } from 'vscode-languageserver';
import { compareText } from '../engine/order';
import { quickFixesFor } from '../engine/rules/fixes';
import { offerableFixes } from '../engine/edit-check';
import { IncrementalRuleRunner } from '../engine/rules/run';
import type { Diagnostic, QuickFix } from '../engine/rules/types';
import { FILE_TOO_LARGE, FILE_UNREADABLE, unreadableMessage, type Workspace } from '../engine/workspace';
import type { DiagnosticSource } from './context';
import { toLspDiagnostic } from './convert';
import { uriFromPath } from './files';
import { findingsCacheFile, MAX_FINDINGS_BYTES, readFindings, workspaceStateKey, writeFindings } from './findings-cache';
import { errorText, type ServerLog } from './log';
import { readerIdentity } from './readings-cache';
import type { Scheduler } from './scheduler';
import type { ServerState } from './state';
import type { ServerWorkspace } from './workspace';

/** The findings cache is written when analyses have stopped for this long. */
const FINDINGS_WRITE_DELAY_MS = 2_000;
/**
 * After a start from the findings cache, the rules run this long after the analysis that published the cached
 * findings (their messages are on their way by then) and after the last editor request (see warmUpRules).
 */
const WARM_UP_AFTER_REQUEST_MS = 100;

/** An analysis this quick runs right after a lone change, without waiting for more. */
const QUICK_ANALYSIS_MS = 100;
/** The other diagnostic sources (connectivity tests) run this long after the analysis that published the rules'. */
const SOURCES_DELAY_MS = 20;
/** How long one slice of their run may hold the event loop, and how long after an editor request none starts. */
const SOURCES_SLICE_MS = 5;
const SOURCES_AFTER_REQUEST_MS = 50;
const SOURCES_MAX_WAIT_MS = 1000;

export interface AnalysisOptions {
  /** Quiet time after an edit before the rules run again (grows with the analysis time on large workspaces). */
  debounceMs?: number;
  /** Longest an analysis may be postponed while edits keep coming (also grows with the analysis time). */
  maxDelayMs?: number;
}

/** A published diagnostic with the engine's finding it came from (code actions look the finding up). */
export interface PublishedEntry {
  engine: Diagnostic;
  lsp: LspDiagnostic;
}

/** Link to a rule's documentation shipped next to the bundle (docs/rules/<id>.md), when present. */
function ruleDocsLocator(): (ruleId: string) => string | undefined {
  const candidates = [path.resolve(__dirname, '..', 'docs', 'rules'), path.resolve(__dirname, '..', '..', '..', 'docs', 'rules')];
  const dir = candidates.find((c) => {
    try {
      return fs.statSync(c).isDirectory();
    } catch {
      return false;
    }
  });
  const cache = new Map<string, string | undefined>();
  return (ruleId) => {
    if (!dir || !/^[a-z0-9-]+$/.test(ruleId)) return undefined;
    if (!cache.has(ruleId)) {
      const file = path.join(dir, `${ruleId}.md`);
      cache.set(ruleId, fs.existsSync(file) ? uriFromPath(file) : undefined);
    }
    return cache.get(ruleId);
  };
}

/** The last rule run and what it depended on, so an analysis with unchanged inputs only republishes. */
interface LastRun {
  ws: ServerWorkspace;
  version: number;
  rules: string;
  sources: number;
  /** The rule runner's diagnostics by file (its own map: valid until its next run). */
  byRules: ReadonlyMap<string, Diagnostic[]>;
  /** Diagnostics of the other sources (connectivity tests) by file. */
  extra: Map<string, Diagnostic[]>;
  /** The text each file of `extra` had when the sources ran (their offsets hold for that text only). */
  extraTexts: Map<string, string | undefined>;
  /** Whether the other sources still have to run on this version (runSources). */
  sourcesPending: boolean;
  /** Whether `byRules` came from the findings cache: the rule runner has not run on this workspace yet. */
  rulesFromCache?: boolean;
}

export class Diagnostics {
  /** What was last published per file (serialized), so only changes are sent. */
  private readonly published = new Map<string, string>();
  /** The published diagnostics of each file, with their findings (code actions and counts read them). */
  readonly results = new Map<string, PublishedEntry[]>();
  private firstUnanalysedChangeAt: number | undefined;
  /** Whether a change waits for an analysis. */
  analysisNeeded = false;
  private readonly diagnosticSources = new Set<DiagnosticSource>();
  private readonly changeListeners = new Set<(workspace: Workspace) => void>();
  private readonly loggedRuleErrors = new Set<string>();
  private readonly ruleDocs = ruleDocsLocator();
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  /** How long the last analysis took: on large workspaces, analysing after every keystroke would starve requests. */
  private lastAnalysisMs = 0;
  private changesSinceAnalysis = 0;
  /** The last rule run and what it depended on, so an analysis with unchanged inputs only republishes. */
  private lastRun: LastRun | undefined;
  /** Files whose publication waits for the other diagnostic sources (their text changed since those last ran). */
  private readonly awaitingSources = new Set<string>();
  /** Since when the sources' next slice has waited for a pause (Date.now()). */
  private sourcesWaitingSince: number | undefined;
  /** The sources' run in progress (runSources), on the version of `run`. */
  private sourcesJob: { run: LastRun; steps: Generator<void, Map<string, Diagnostic[]>> } | undefined;
  /** Files that had the oversized notice at the last publication. */
  private oversizedPublished = new Set<string>();
  /** Bumped when diagnostic sources are added or removed or ask for a refresh (their inputs are not tracked). */
  private sourcesVersion = 0;
  /** How many times the rules have run (the status request reports it). */
  ruleRuns = 0;
  /** Keeps the rules' findings between runs so that an edit re-runs them only where it can matter. */
  private ruleRunner: { runner: IncrementalRuleRunner; ws: ServerWorkspace; rules: string } | undefined;
  /** The engine's list each file's published diagnostics came from: an identical list needs no conversion. */
  private readonly publishedFrom = new Map<string, Diagnostic[]>();
  /** The workspace state whose findings the findings cache holds, as far as this server knows (read or written). */
  private cachedFindingsKey: string | undefined;
  private findingsWriteFailed = false;

  constructor(
    private readonly connection: Connection,
    private readonly state: ServerState,
    private readonly scheduler: Scheduler,
    private readonly logger: ServerLog,
    options: AnalysisOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 15;
    this.maxDelayMs = options.maxDelayMs ?? 300;
  }

  /** Adds diagnostics to the rules' (connectivity tests); they are refreshed on every analysis. */
  addSource(source: DiagnosticSource): Disposable {
    this.diagnosticSources.add(source);
    this.sourcesVersion++;
    this.scheduleAnalysis();
    return {
      dispose: () => {
        this.diagnosticSources.delete(source);
        this.sourcesVersion++;
        this.scheduleAnalysis();
      },
    };
  }

  /** Recomputes every source's diagnostics (their inputs are not tracked). */
  refresh(): void {
    this.sourcesVersion++;
    this.scheduleAnalysis(true);
  }

  /** Called after each analysis that recomputed diagnostics. */
  onDidChangeWorkspace(listener: (workspace: Workspace) => void): Disposable {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** A finding's quick fixes: its own (diagnostic sources attach theirs), else its rule's, computed on request. */
  fixesOf(diagnostic: Diagnostic): QuickFix[] {
    const workspace = this.state.workspace();
    const fixes = diagnostic.fixes ?? quickFixesFor(workspace, diagnostic, { onRuleError: (ruleId, error) => this.logger.log(`netpol: fixes of ${ruleId} failed: ${errorText(error)}`) });
    // Each fix is applied to a copy of the workspace first: offered only when it adds no warning (edit-check.ts).
    return fixes.length === 0 ? fixes : offerableFixes(workspace, fixes, { severities: this.state.settings.rules });
  }

  /** How many findings are published. */
  findingCount(): number {
    let findings = 0;
    for (const entries of this.results.values()) findings += entries.length;
    return findings;
  }

  /** At shutdown: the findings cache is written if it was waiting to be. */
  shutdown(): void {
    if (this.scheduler.isScheduled('findings-write')) this.writeFindingsCache();
  }



  /**
   * Runs the rules soon: after a short quiet time, but never postponed for longer than a maximum delay. When changes
   * pile up, both grow with the time an analysis takes, so that someone typing in a large workspace keeps the server
   * analysing at most about a third of the time, free for hovers and completions in between.
   */
  scheduleAnalysis(immediate = false): void {
    this.analysisNeeded = true;
    if (!this.state.indexed || this.state.shuttingDown) return; // indexing publishes everything when it finishes
    const now = Date.now();
    this.firstUnanalysedChangeAt ??= now;
    this.changesSinceAnalysis++;
    // A lone change is analysed at once when analyses are quick (after the messages already received), else after
    // the quiet time; changes that pile up before the analysis ran (typing, or keystrokes that arrived while the last
    // analysis held the event loop) wait for the typing to settle.
    const piling = this.changesSinceAnalysis > 1;
    const quiet = piling ? Math.max(this.debounceMs, Math.min(this.lastAnalysisMs, 500)) : this.lastAnalysisMs <= QUICK_ANALYSIS_MS ? 0 : this.debounceMs;
    const maxDelay = Math.max(this.maxDelayMs, Math.min(3 * this.lastAnalysisMs, 2000));
    const waited = now - this.firstUnanalysedChangeAt;
    const delay = immediate ? 0 : Math.max(0, Math.min(quiet, maxDelay - waited));
    this.scheduler.schedule('analysis', delay, () => this.analyse());
  }

  /**
   * Brings diagnostics up to date now when changes are waiting (before answering requests that use them): those of
   * one file, or of every file. The other sources' pending run is finished only for a file they report on (or had
   * to publish again): another file's diagnostics are complete without them.
   */
  analyseIfNeeded(uri?: string): void {
    if (this.analysisNeeded && this.state.indexed) this.analyse();
    const run = this.lastRun;
    if (run?.sourcesPending && (uri === undefined || run.extra.has(uri) || this.awaitingSources.has(uri))) this.runSources(true);
  }

  analyse(): void {
    this.scheduler.cancel('analysis');
    this.firstUnanalysedChangeAt = undefined;
    this.changesSinceAnalysis = 0;
    this.analysisNeeded = false;
    if (this.state.shuttingDown) return;
    const started = Date.now();
    let recomputed = false;
    this.logger.guard('analysis', undefined, () => {
      const ws = this.state.workspace();
      const rulesKey = JSON.stringify(this.state.settings.rules);
      const cached = this.lastRun;
      // Files whose diagnostics may differ from what was published (undefined: any file).
      let candidates: Set<string> | undefined;
      let run: LastRun;
      if (cached && cached.ws === ws && cached.version === ws.version && cached.rules === rulesKey && cached.sources === this.sourcesVersion) {
        // Nothing the rules read changed (a document opened with the text on disk, a no-op save): publish only.
        run = cached;
        candidates = new Set();
      } else {
        recomputed = true;
        let fromCache: Map<string, Diagnostic[]> | undefined;
        if (!this.ruleRunner || this.ruleRunner.ws !== ws || this.ruleRunner.rules !== rulesKey) {
          const runner = new IncrementalRuleRunner({
            severities: this.state.settings.rules,
            onRuleError: (ruleId, error) => {
              if (this.loggedRuleErrors.has(ruleId)) return;
              this.loggedRuleErrors.add(ruleId);
              this.logger.log(`netpol: rule ${ruleId} failed (logged once): ${errorText(error)}`);
            },
          });
          this.ruleRunner = { runner, ws, rules: rulesKey };
          // A new runner has no state to update: the whole run's findings may be in the findings cache.
          fromCache = this.cachedFindings(ws);
        }
        const runner = this.ruleRunner.runner;
        // The runner's own map, valid until its next run (copying 10,000 entries per edit costs more than the edit).
        const rules = fromCache ?? runner.run(ws);
        if (!fromCache) this.ruleRuns++;
        const fresh = !cached || cached.ws !== ws || cached.rules !== rulesKey || cached.sources !== this.sourcesVersion;
        // The other sources (connectivity tests, which can take a second on a large workspace) run after this
        // analysis has published the rules' findings (runSources). Until then a file keeps what they found, as long
        // as its text is the one they read; a file whose text changed waits for them to publish it whole.
        const extra = new Map<string, Diagnostic[]>();
        const extraTexts = new Map<string, string | undefined>();
        if (cached && fresh) for (const uri of cached.extra.keys()) this.awaitingSources.add(uri);
        else if (cached) {
          for (const [uri, list] of cached.extra) {
            const text = cached.extraTexts.get(uri);
            if (ws.getFile(uri)?.text === text) {
              extra.set(uri, list);
              extraTexts.set(uri, text);
            } else this.awaitingSources.add(uri);
          }
        }
        if (!fresh && !runner.lastRunFull) {
          candidates = new Set(runner.changedUris);
          for (const uri of cached.extra.keys()) candidates.add(uri);
        }
        run = { ws, version: ws.version, rules: rulesKey, sources: this.sourcesVersion, byRules: rules, extra, extraTexts, sourcesPending: this.diagnosticSources.size > 0, rulesFromCache: fromCache !== undefined };
        this.lastRun = run;
        if (fromCache) this.scheduleWarmUp(WARM_UP_AFTER_REQUEST_MS);
        else this.scheduleFindingsWrite();
      }
      if (candidates) {
        // Oversized files come and go without a rule run; what was published for them is compared like the rest.
        for (const uri of this.state.oversized.keys()) candidates.add(uri);
        for (const uri of this.state.unreadable.keys()) candidates.add(uri);
        for (const uri of this.oversizedPublished) candidates.add(uri);
      }
      this.oversizedPublished = new Set([...this.state.oversized.keys(), ...this.state.unreadable.keys()]);
      this.publish(
        (uri) => this.diagnosticsOf(run, uri),
        candidates ?? new Set([...run.byRules.keys(), ...run.extra.keys(), ...this.state.oversized.keys(), ...this.state.unreadable.keys(), ...this.published.keys()]),
        run.sourcesPending ? this.awaitingSources : undefined,
      );
      if (run.sourcesPending) this.scheduleSources();
    });
    if (!recomputed) return;
    this.lastAnalysisMs = Date.now() - started;
    for (const listener of this.changeListeners) {
      try {
        listener(this.state.ws);
      } catch (error) {
        this.logger.log(`netpol: a workspace change listener failed: ${errorText(error)}`);
      }
    }
  }

  // ---- the findings cache ------------------------------------------------------------------------------------------

  private findingsFile(): string | undefined {
    return findingsCacheFile(this.state.folders.map((f) => f.fsPath), this.state.cacheDirectory);
  }

  /** The rules' findings of this workspace state from the findings cache, if it holds them. */
  private cachedFindings(ws: ServerWorkspace): Map<string, Diagnostic[]> | undefined {
    const file = this.findingsFile();
    if (!file) return undefined;
    const key = workspaceStateKey(ws, this.state.settings, readerIdentity());
    const findings = readFindings(file, key);
    if (findings) {
      this.cachedFindingsKey = key;
      this.logger.log(`netpol: the findings of ${findings.size} files from the findings cache; the rules run when the server is idle`);
    }
    return findings;
  }

  /**
   * After a start from the findings cache, the rules run once the editor has been quiet for a moment: their
   * incremental state must be ready for the first edit (which otherwise runs them whole). Their findings replace
   * the cached ones; a difference, which would mean the cache missed an input, is logged.
   */
  private scheduleWarmUp(delayMs: number): void {
    this.scheduler.schedule('warm-up', delayMs, () => this.warmUpRules(), { keepAlive: false });
  }

  private warmUpRules(): void {
    const run = this.lastRun;
    const runner = this.ruleRunner;
    if (!run?.rulesFromCache || !runner || this.state.shuttingDown) return;
    // A change is waiting: its analysis runs the rules.
    if (this.analysisNeeded || run.ws !== this.state.ws || run.version !== run.ws.version || runner.ws !== run.ws) return;
    const wait = this.state.untilQuiet(WARM_UP_AFTER_REQUEST_MS);
    if (wait > 0) return this.scheduleWarmUp(wait);
    this.logger.guard('rules after a start from the findings cache', undefined, () => {
      const cachedFindings = run.byRules;
      const rules = runner.runner.run(run.ws);
      this.ruleRuns++;
      run.byRules = rules;
      run.rulesFromCache = false;
      // A file's findings as a set: an incremental run may order them otherwise than a whole one.
      const asSet = (list: readonly Diagnostic[] | undefined) => (list ?? []).map((d) => JSON.stringify(d)).sort().join('\n');
      const differing = [...new Set([...cachedFindings.keys(), ...rules.keys()])].filter((uri) => asSet(cachedFindings.get(uri)) !== asSet(rules.get(uri)));
      if (differing.length > 0) this.logger.log(`netpol: the findings cache differed from the rules on ${differing.length} files (first: ${differing[0]}); published the rules'`);
      this.publish((uri) => this.diagnosticsOf(run, uri), new Set(differing), run.sourcesPending ? this.awaitingSources : undefined);
    });
  }

  /** Writes the findings cache once analyses have stopped for a while (and at shutdown). */
  private scheduleFindingsWrite(): void {
    this.scheduler.schedule('findings-write', FINDINGS_WRITE_DELAY_MS, () => this.writeFindingsCache(), { keepAlive: false });
  }

  private writeFindingsCache(): void {
    this.scheduler.cancel('findings-write');
    const run = this.lastRun;
    if (!run || run.rulesFromCache || run.ws !== this.state.ws || run.version !== run.ws.version || this.analysisNeeded) return;
    const file = this.findingsFile();
    if (!file) return;
    this.logger.guard('findings cache', undefined, () => {
      const key = workspaceStateKey(run.ws, this.state.settings, readerIdentity());
      if (key === this.cachedFindingsKey) return;
      try {
        if (!writeFindings(file, key, run.byRules)) this.logger.log(`netpol: the findings of this workspace exceed ${MAX_FINDINGS_BYTES / 2 ** 20} MB: not cached`);
        this.cachedFindingsKey = key;
      } catch (error) {
        if (!this.findingsWriteFailed) this.logger.log(`netpol: could not write the findings cache ${file}: ${errorText(error)}`);
        this.findingsWriteFailed = true;
      }
    });
  }

  /** The diagnostics of a file in a run: the rules', the other sources', or the notice of a skipped file. */
  private diagnosticsOf(run: LastRun, uri: string): Diagnostic[] | undefined {
    const reason = this.state.unreadable.get(uri);
    if (reason !== undefined) {
      return [{ ruleId: FILE_UNREADABLE, severity: 'warning', message: unreadableMessage(reason), location: { uri, range: [0, 0] } }];
    }
    const size = this.state.oversized.get(uri);
    if (size !== undefined) {
      return [
        {
          ruleId: FILE_TOO_LARGE,
          severity: 'information',
          message: `Not analysed: the file has ${size} bytes, more than netpol.maxFileSize (${run.ws.config.maxFileSize}); raise netpol.maxFileSize (or maxFileSize in .netpol.yaml) to analyse it.`,
          location: { uri, range: [0, 0] },
        },
      ];
    }
    const own = run.byRules.get(uri);
    const extra = run.extra.get(uri);
    return extra ? [...(own ?? []), ...extra] : own;
  }

  /** Runs the other diagnostic sources soon, unless a newer analysis comes first (it schedules them again). */
  private scheduleSources(): void {
    this.scheduler.schedule('sources', SOURCES_DELAY_MS, () => this.runSources(false));
  }

  /**
   * The other sources' diagnostics of the last analysed version, published with what the rules found. They run in
   * slices of SOURCES_SLICE_MS, so that requests and edits are answered in between; a change drops the run (the
   * next analysis starts another). `untilDone`: to the end now, for a request that reads the diagnostics.
   */
  private runSources(untilDone: boolean): void {
    this.scheduler.cancel('sources');
    const run = this.lastRun;
    if (!run?.sourcesPending || this.state.shuttingDown) return;
    // A change is waiting: its analysis will run the sources on the newer version.
    if (this.analysisNeeded || run.ws !== this.state.ws || run.version !== run.ws.version) {
      this.sourcesJob = undefined;
      if (!untilDone) return;
    }
    // Requests come in bursts (hovers, completions as one types): the sources wait until one has passed, though not
    // for longer than a second in all (a client that never pauses still gets them).
    const wait = this.state.untilQuiet(SOURCES_AFTER_REQUEST_MS);
    this.sourcesWaitingSince ??= Date.now();
    if (!untilDone && wait > 0 && Date.now() - this.sourcesWaitingSince < SOURCES_MAX_WAIT_MS) {
      this.scheduler.schedule('sources', wait, () => this.runSources(false));
      return;
    }
    if (this.sourcesJob?.run !== run) this.sourcesJob = { run, steps: this.sourceSteps(run.ws) };
    this.sourcesWaitingSince = undefined;
    const job = this.sourcesJob;
    const started = Date.now();
    this.logger.guard('diagnostic sources', undefined, () => {
      for (;;) {
        const next = job.steps.next();
        if (next.done) {
          this.sourcesJob = undefined;
          run.sourcesPending = false;
          this.publishSources(run, next.value);
          return;
        }
        if (!untilDone && Date.now() - started >= SOURCES_SLICE_MS) {
          this.scheduler.schedule('sources', 0, () => this.runSources(false));
          return;
        }
      }
    });
  }

  /** Every source's diagnostics, in steps; a source that fails is logged and left out. */
  private *sourceSteps(ws: ServerWorkspace): Generator<void, Map<string, Diagnostic[]>> {
    const extra = new Map<string, Diagnostic[]>();
    for (const source of [...this.diagnosticSources]) {
      try {
        for (const [uri, list] of yield* source(ws)) extra.set(uri, [...(extra.get(uri) ?? []), ...list]);
      } catch (error) {
        this.logger.log(`netpol: a diagnostic source failed: ${errorText(error)}`);
      }
    }
    return extra;
  }

  private publishSources(run: LastRun, extra: Map<string, Diagnostic[]>): void {
    const candidates = new Set([...run.extra.keys(), ...extra.keys(), ...this.awaitingSources]);
    this.awaitingSources.clear();
    run.extra = extra;
    run.extraTexts = new Map([...extra.keys()].map((uri) => [uri, run.ws.getFile(uri)?.text]));
    this.publish((uri) => this.diagnosticsOf(run, uri), candidates);
  }

  /**
   * Publishes the diagnostics of the candidates (and of documents touched since the last publish) that changed.
   * Files in `deferred` are left for a later publish (their diagnostics are not complete yet).
   */
  publish(diagnosticsOf: (uri: string) => Diagnostic[] | undefined, candidates: Set<string>, deferred?: ReadonlySet<string>): void {
    const positionsOf = (uri: string) => this.state.positionsOf(uri);
    for (const uri of this.state.touchedDocuments) candidates.add(uri);
    for (const uri of candidates) {
      if (deferred?.has(uri)) continue;
      const source = diagnosticsOf(uri);
      // The same list as last time (the incremental rule run kept it): nothing to convert or send.
      if (source !== undefined && this.publishedFrom.get(uri) === source && !this.state.touchedDocuments.has(uri)) continue;
      if (source) this.publishedFrom.set(uri, source);
      else this.publishedFrom.delete(uri);
      const list = [...(source ?? [])].sort(
        (a, b) => a.location.range[0] - b.location.range[0] || a.location.range[1] - b.location.range[1] || compareText(a.ruleId, b.ruleId),
      );
      const entries = list.map((engine) => ({ engine, lsp: toLspDiagnostic(engine, positionsOf, this.ruleDocs) }));
      const diagnostics = entries.map((e) => e.lsp);
      const key = JSON.stringify(diagnostics);
      const document = this.state.documents.get(uri);
      if ((this.published.get(uri) ?? '[]') !== key || this.state.touchedDocuments.has(uri)) {
        void this.connection.sendDiagnostics({ uri, version: document?.version, diagnostics }).catch(() => undefined);
      }
      if (entries.length > 0) {
        this.published.set(uri, key);
        this.results.set(uri, entries);
      } else {
        this.published.delete(uri);
        this.results.delete(uri);
      }
    }
    if (deferred) for (const uri of this.state.touchedDocuments) if (!deferred.has(uri)) this.state.touchedDocuments.delete(uri);
    else this.state.touchedDocuments.clear();
  }
}
