// The netpol language server: keeps an index of every manifest in the workspace folders current (open documents
// with the editor's text, other files from disk), runs the diagnostic rules after each change and publishes the
// diagnostics of every file whose diagnostics changed, and answers code actions with the rules' quick fixes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CancellationToken,
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocuments,
  TextDocumentSyncKind,
  WatchKind,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type Disposable,
  type FileEvent,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  type WorkDoneProgressServerReporter,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME, defaultConfig } from '../engine/config';
import type { FastResult } from '../engine/fast-yaml';
import { isManifestUri } from '../engine/parse';
import { IncrementalRuleRunner } from '../engine/rules/run';
import { quickFixesFor } from '../engine/rules/fixes';
import type { Diagnostic, QuickFix } from '../engine/rules/types';
import { FILE_TOO_LARGE, FILE_UNREADABLE, unreadableMessage, type Workspace } from '../engine/workspace';
import { registerAssertionHandlers } from './assertions';
import { registerReachabilityDiffHandler } from './reachability-diff';
import { registerWorkspaceFilesHandlers } from './workspace-files';
import type { DiagnosticSource, FeatureContext } from './context';
import { DIAGNOSTIC_SOURCE, rangesOverlap, TextPositions, toCodeAction, toLspDiagnostic } from './convert';
import { registerExtensionRequests } from './extension-requests';
import { registerFeatureHandlers } from './features';
import { canonicalUri, FileFilter, pathFromUri, readTextUnder, uriFromPath, type Folder } from './files';
import { IndexReader, IndexWorker, WORKER_MIN_FILES, type FileRead } from './index-reader';
import { enabledGlobs, GlobSet } from './glob';
import { IndexCompleteNotification, ReindexRequest, RenderedManifestRequest, StatusRequest, WorkspaceTrustedNotification, type IndexCounts } from './protocol';
import { ServerRenderer } from './render';
import { findingsCacheFile, MAX_FINDINGS_BYTES, readFindings, recordDiskState, workspaceStateKey, writeFindings } from './findings-cache';
import { MAX_CACHE_BYTES, readerIdentity, readingsCacheFile, type PendingReadingsCache } from './readings-cache';
import { defaultSettings, readSettings, type NetpolSettings } from './settings';
import { ServerWorkspace } from './workspace';
import { compareText } from '../engine/order';

/** How long the index waits for the first rendering of charts and kustomizations before it publishes. */
const FIRST_RENDER_WAIT_MS = 5_000;

/** How long indexing reads files before it lets requests and notifications in. */
const INDEX_SLICE_MS = 10;
/** A code action request computes the fixes of at most this many findings (each re-runs its rule, narrowed). */
const MAX_FIXED_FINDINGS_PER_REQUEST = 50;
/** `.netpol.yaml` is read up to this size (larger ones are ignored by the engine anyway). */
const CONFIG_READ_LIMIT = defaultConfig().maxFileSize;

/** The readings cache is written this long after an index, when the start's work is done. */
const CACHE_WRITE_DELAY_MS = 2_000;
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

export interface ServerOptions {
  /** Quiet time after an edit before the rules run again (grows with the analysis time on large workspaces). */
  debounceMs?: number;
  /** Longest an analysis may be postponed while edits keep coming (also grows with the analysis time). */
  maxDelayMs?: number;
}


interface PublishedEntry {
  engine: Diagnostic;
  lsp: LspDiagnostic;
}

/** A change waiting to be applied to the workspace: new text, or null for a removed file. */
interface PendingChange {
  text: string | null;
  /** The fast reader's result for the text, when it was read with it (see IndexReader). */
  fastRead?: FastResult | null;
}

const ACCEPTED_SCHEMES = new Set(['file', 'untitled']);
/** Languages of editors whose text is read as manifests whatever their name. */
const MANIFEST_LANGUAGES = new Set(['yaml', 'json']);

function schemeOf(uri: string): string {
  const i = uri.indexOf(':');
  return i > 0 ? uri.slice(0, i) : '';
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
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

export class NetpolServer {
  readonly documents = new TextDocuments(TextDocument);
  private folders: Folder[] = [];
  private settings: NetpolSettings = defaultSettings();
  /** Settings pushed with didChangeConfiguration, for clients without workspace/configuration. */
  private pushedSettings: unknown;
  private filesExclude: string[] = [];
  /** The glob problems of the settings last shown, so that a reload does not show them again. */
  private reportedGlobProblems = '';
  private filter = new FileFilter([], new GlobSet([]));
  private ws: ServerWorkspace = new ServerWorkspace(defaultSettings());
  private readonly pending = new Map<string, PendingChange>();
  /** Texts of the configuration files at the roots of the workspace folders; the first folder's is used. */
  private readonly configTexts = new Map<string, string>();
  private activeConfigUri: string | undefined;
  /** Files skipped for their size, with the size in bytes (or characters for open documents). */
  private readonly oversized = new Map<string, number>();
  /** Files on disk that cannot be read (a FIFO, a device, no permission), with the reason. */
  private readonly unreadable = new Map<string, string>();
  private readonly positionsCache = new Map<string, TextPositions>();
  /** What was last published per file (serialized), so only changes are sent. */
  private readonly published = new Map<string, string>();
  private readonly results = new Map<string, PublishedEntry[]>();
  /** Open documents changed since the last analysis: they get a publish even when nothing changed. */
  private readonly touchedDocuments = new Set<string>();
  private analysisTimer: NodeJS.Timeout | undefined;
  private firstUnanalysedChangeAt: number | undefined;
  private analysisNeeded = false;
  private indexed = false;
  private indexGeneration = 0;
  private resolveIndexed!: () => void;
  private readonly indexedPromise = new Promise<void>((resolve) => (this.resolveIndexed = resolve));
  private readonly diagnosticSources = new Set<DiagnosticSource>();
  private readonly changeListeners = new Set<(workspace: Workspace) => void>();
  private readonly loggedRuleErrors = new Set<string>();
  private readonly ruleDocs = ruleDocsLocator();
  private lastMaxFileSize: number | undefined;
  private clientSupports = { configuration: false, watchedFilesDynamic: false, configurationDynamic: false, workspaceFolders: false };
  private readonly debounceMs: number;
  private readonly maxDelayMs: number;
  /** How long the last analysis took: on large workspaces, analysing after every keystroke would starve requests. */
  private lastAnalysisMs = 0;
  private changesSinceAnalysis = 0;
  private shuttingDown = false;
  /** initializationOptions.cacheDirectory: where the readings cache lives (null: no cache; absent: the default). */
  private cacheDirectory: string | null | undefined;
  /** Readings of the last index that the cache on disk does not hold yet (written while idle or at shutdown). */
  private unwrittenCache: { pending: PendingReadingsCache; generation: number } | undefined;
  private diskWork: Promise<void> = Promise.resolve();
  /** The last rule run and what it depended on, so an analysis with unchanged inputs only republishes. */
  private lastRun: LastRun | undefined;
  /** Files whose publication waits for the other diagnostic sources (their text changed since those last ran). */
  private readonly awaitingSources = new Set<string>();
  private sourcesTimer: NodeJS.Timeout | undefined;
  /** When the last editor request came in, and since when the sources' next slice has waited for a pause (Date.now()). */
  private lastRequestAt = 0;
  private sourcesWaitingSince: number | undefined;
  /** The sources' run in progress (runSources), on the version of `run`. */
  private sourcesJob: { run: LastRun; steps: Generator<void, Map<string, Diagnostic[]>> } | undefined;
  /** Files that had the oversized notice at the last publication. */
  private oversizedPublished = new Set<string>();
  /** Bumped when diagnostic sources are added or removed or ask for a refresh (their inputs are not tracked). */
  private sourcesVersion = 0;
  private ruleRuns = 0;
  /** Keeps the rules' findings between runs so that an edit re-runs them only where it can matter. */
  private ruleRunner: { runner: IncrementalRuleRunner; ws: ServerWorkspace; rules: string } | undefined;
  /** The engine's list each file's published diagnostics came from: an identical list needs no conversion. */
  private readonly publishedFrom = new Map<string, Diagnostic[]>();
  /** The workspace state whose findings the findings cache holds, as far as this server knows (read or written). */
  private cachedFindingsKey: string | undefined;
  private findingsTimer: NodeJS.Timeout | undefined;
  private findingsWriteFailed = false;

  readonly capabilities: ServerCapabilities = {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    hoverProvider: true,
    codeLensProvider: { resolveProvider: false },
    definitionProvider: true,
    referencesProvider: true,
    completionProvider: { triggerCharacters: [':', ' ', '"', "'", '/', '-'], resolveProvider: false },
    documentSymbolProvider: true,
    workspaceSymbolProvider: true,
    workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
  };

  readonly context: FeatureContext;
  /** Renders Helm charts and kustomizations in trusted workspaces (render.ts). */
  private readonly renderer = new ServerRenderer({
    log: (message) => this.log(message),
    workspace: () => this.workspace(),
    changed: () => this.scheduleAnalysis(true),
  });
  /** initializationOptions.workspaceTrusted, then netpol/workspaceTrusted. */
  private workspaceTrusted = false;

  constructor(
    readonly connection: Connection,
    options: ServerOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 15;
    this.maxDelayMs = options.maxDelayMs ?? 300;
    this.context = this.makeContext();
    this.registerHandlers();
    // Editor features and assertions attach their handlers; a failure there must not take the server down.
    for (const [name, register] of [
      ['editor features', registerFeatureHandlers],
      ['connectivity assertions', registerAssertionHandlers],
      ['reachability diff', registerReachabilityDiffHandler],
      ['workspace files', registerWorkspaceFilesHandlers],
      ['extension requests', registerExtensionRequests],
    ] as const) {
      try {
        register(connection, this.context);
      } catch (error) {
        this.log(`netpol: could not register ${name}: ${errorText(error)}`);
      }
    }
    this.documents.listen(connection);
  }

  // ---- context for editor features -------------------------------------------------------------------------------

  private makeContext(): FeatureContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const server = this;
    return {
      workspace: () => server.workspace(),
      documents: server.documents,
      requestStarted: () => {
        server.lastRequestAt = Date.now();
      },
      text: (uri) => server.currentText(canonicalUri(uri)),
      diskText: (uri) => {
        const read = server.readFromDisk(canonicalUri(uri));
        return read && 'text' in read ? read.text : undefined;
      },
      offsetToPosition: (uri, offset) => server.positionsOf(canonicalUri(uri)).positionAt(offset),
      positionToOffset: (uri, position) => server.positionsOf(canonicalUri(uri)).offsetAt(position),
      rangeToLsp: (uri, range) => server.positionsOf(canonicalUri(uri)).range(range),
      settings: () => server.settings,
      fileFilter: () => server.filter,
      maxFileSize: () => server.maxFileSize(),
      whenIndexed: () => server.indexedPromise,
      onDidChangeWorkspace: (listener) => {
        server.changeListeners.add(listener);
        return { dispose: () => server.changeListeners.delete(listener) };
      },
      addDiagnosticSource: (source): Disposable => {
        server.diagnosticSources.add(source);
        server.sourcesVersion++;
        server.scheduleAnalysis();
        return {
          dispose: () => {
            server.diagnosticSources.delete(source);
            server.sourcesVersion++;
            server.scheduleAnalysis();
          },
        };
      },
      refreshDiagnostics: () => {
        server.sourcesVersion++;
        server.scheduleAnalysis(true);
      },
      log: (message) => server.log(message),
      capabilities: server.capabilities,
    };
  }

  /** The workspace with every received change applied. */
  workspace(): ServerWorkspace {
    this.flush();
    return this.ws;
  }

  private log(message: string): void {
    try {
      this.connection.console.log(message);
    } catch {
      // The connection is gone; nothing to log to.
    }
  }

  /** Runs a handler, logging instead of crashing on errors. */
  private guard<T>(name: string, fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.log(`netpol: ${name} failed: ${errorText(error)}`);
      return fallback;
    }
  }

  private async guardAsync<T>(name: string, fallback: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.log(`netpol: ${name} failed: ${errorText(error)}`);
      return fallback;
    }
  }

  /**
   * Disk reads after events, and settings reloads, run one after the other, so a later event's text never loses to
   * an earlier one's.
   */
  private serially(name: string, fn: () => Promise<void>): void {
    this.diskWork = this.diskWork.then(() => this.guardAsync(name, undefined, fn));
  }

  // ---- protocol handlers -----------------------------------------------------------------------------------------

  private registerHandlers(): void {
    const c = this.connection;
    c.onInitialize((params) => this.guard('initialize', { capabilities: this.capabilities }, () => this.initialize(params)));
    c.onInitialized(() => {
      void this.guardAsync('initialized', undefined, () => this.initialized());
    });
    c.onDidChangeConfiguration((params) => {
      if (params.settings && typeof params.settings === 'object') this.pushedSettings = params.settings;
      // VS Code may announce one change twice (synchronized section and registration): handle them in turn.
      this.serially('configuration change', () => this.reloadSettings());
    });
    c.onDidChangeWatchedFiles((params) => {
      this.serially('watched files', () => this.onWatchedFiles(params.changes));
    });
    this.documents.onDidChangeContent((event) => this.guard('document change', undefined, () => this.onDocumentText(event.document)));
    this.documents.onDidClose((event) => {
      this.serially('document close', () => this.onDocumentClosed(event.document.uri));
    });
    c.onCodeAction((params) =>
      this.guard('code action', [] as CodeAction[], () => {
        if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
        // Editors ask for code actions whenever the cursor moves: the answer must not wait for the connectivity tests,
        // unless they report on this very file.
        this.lastRequestAt = Date.now();
        const uri = canonicalUri(params.textDocument.uri);
        this.analyseIfNeeded(uri);
        const entries = this.results.get(uri) ?? [];
        const positionsOf = (u: string) => this.positionsOf(u);
        const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
        const actions: CodeAction[] = [];
        // A selection of a whole large document holds thousands of findings, each of whose fixes re-runs its rule:
        // the fixes of the first few are offered (a menu of thousands helps nobody), and findings are looked up by key.
        let budget = MAX_FIXED_FINDINGS_PER_REQUEST;
        if (ours.length > 0) {
          const byKey = new Map<string, PublishedEntry>();
          const keyOf = (code: unknown, message: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
            `${String(code)}\u0000${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}\u0000${message}`;
          for (const e of entries) {
            const key = keyOf(e.lsp.code, e.lsp.message, e.lsp.range);
            if (!byKey.has(key)) byKey.set(key, e);
          }
          for (const d of ours) {
            const entry = byKey.get(keyOf(d.code, d.message, d.range));
            if (!entry || budget-- <= 0) continue;
            for (const fix of this.fixesOf(entry.engine)) actions.push(toCodeAction(fix, d, positionsOf));
          }
        } else {
          // Clients that send no diagnostics in the context get the fixes of every diagnostic in the range.
          for (const entry of entries) {
            if (!rangesOverlap(entry.lsp.range, params.range)) continue;
            if (budget-- <= 0) break;
            for (const fix of this.fixesOf(entry.engine)) actions.push(toCodeAction(fix, entry.lsp, positionsOf));
          }
        }
        return actions;
      }),
    );
    c.onRequest(StatusRequest, () =>
      this.guard('status', { files: 0, policies: 0, workloads: 0, findings: 0, indexed: false, scopes: [], analyses: this.ruleRuns }, () => {
        this.analyseIfNeeded();
        return { ...this.counts(), indexed: this.indexed, scopes: this.ws.scopes().map((s) => s.name), analyses: this.ruleRuns };
      }),
    );
    c.onNotification(WorkspaceTrustedNotification, (params) =>
      this.guard('workspace trust', undefined, () => {
        this.workspaceTrusted = params?.trusted === true;
        this.renderer.configure(this.workspaceTrusted, this.settings.helmPath, this.settings.kustomizePath);
      }),
    );
    c.onRequest(RenderedManifestRequest, (params) =>
      this.guardAsync('rendered manifest', null, async () => {
        await this.indexedPromise;
        await this.renderer.whenIdle();
        const found = this.renderer.renderingFor(canonicalUri(params.uri));
        return found ? { uri: found.uri, rootUri: found.rendering.rootUri, tool: found.rendering.tool, text: found.text } : null;
      }),
    );
    c.onRequest(ReindexRequest, () =>
      this.guardAsync('reindex', this.counts(), async () => {
        await this.index();
        return this.counts();
      }),
    );
    c.onShutdown(() => {
      this.shuttingDown = true;
      this.renderer.dispose();
      this.writeReadingsCache(Infinity);
      if (this.findingsTimer) this.writeFindingsCache();
      if (this.analysisTimer) clearTimeout(this.analysisTimer);
      this.indexGeneration++;
    });
  }

  /** A finding's quick fixes: its own (diagnostic sources attach theirs), else its rule's, computed on request. */
  private fixesOf(diagnostic: Diagnostic): QuickFix[] {
    return diagnostic.fixes ?? quickFixesFor(this.workspace(), diagnostic, { onRuleError: (ruleId, error) => this.log(`netpol: fixes of ${ruleId} failed: ${errorText(error)}`) });
  }

  private initialize(params: InitializeParams): InitializeResult {
    const caps = params.capabilities;
    this.clientSupports = {
      configuration: caps.workspace?.configuration === true,
      watchedFilesDynamic: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      configurationDynamic: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      workspaceFolders: caps.workspace?.workspaceFolders === true,
    };
    const folderUris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : params.rootPath ? [uriFromPath(params.rootPath)] : []);
    this.setFolders(folderUris.map((u) => this.folderOf(u)).filter((f): f is Folder => !!f));
    this.pushedSettings = params.initializationOptions?.settings;
    const cacheDirectory: unknown = params.initializationOptions?.cacheDirectory;
    if (cacheDirectory === null || typeof cacheDirectory === 'string') this.cacheDirectory = cacheDirectory;
    this.workspaceTrusted = params.initializationOptions?.workspaceTrusted === true;
    return { capabilities: this.capabilities, serverInfo: { name: 'netpol', version: serverVersion() } };
  }

  private folderOf(uri: string): Folder | undefined {
    const fsPath = pathFromUri(uri);
    return fsPath ? { uri: uriFromPath(fsPath), fsPath } : undefined;
  }

  private setFolders(folders: Folder[]): void {
    this.folders = folders;
    this.rebuildFilter();
  }

  private rebuildFilter(): void {
    const globs = new GlobSet([...this.filesExclude, ...this.settings.exclude]);
    this.filter = new FileFilter(this.folders, globs);
    // A pattern netpol cannot use is left out (the rest still apply) and named once, where the user sees it.
    const problems = globs.rejected.map(
      (r) => `${r.index < this.filesExclude.length ? 'files.exclude' : 'netpol.exclude'}: ${JSON.stringify(r.pattern)} is ignored: ${r.message}`,
    );
    const key = problems.join('\n');
    if (key === this.reportedGlobProblems) return;
    this.reportedGlobProblems = key;
    for (const problem of problems) {
      this.log(`netpol: setting ${problem}`);
      this.connection.window.showWarningMessage(`netpol: setting ${problem}`);
    }
  }

  private async initialized(): Promise<void> {
    if (this.clientSupports.workspaceFolders) {
      // Available only after initialize, and only when the client announced workspace folder support.
      this.connection.workspace.onDidChangeWorkspaceFolders((event) => {
        void this.guardAsync('workspace folders', undefined, async () => {
          const removed = new Set(event.removed.map((f) => canonicalUri(f.uri)));
          const kept = this.folders.filter((f) => !removed.has(f.uri));
          this.setFolders([...kept, ...event.added.map((f) => this.folderOf(f.uri)).filter((f): f is Folder => !!f)]);
          await this.index();
        });
      });
    }
    if (this.clientSupports.watchedFilesDynamic) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/*.{yaml,yml,json}' },
          { globPattern: `**/${CONFIG_FILE_NAME}` },
          // Deleting a folder removes the manifests inside it.
          { globPattern: '**/*', kind: WatchKind.Delete },
        ],
      });
    }
    if (this.clientSupports.configurationDynamic) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: ['netpol', 'files'] });
    }
    await this.loadSettings();
    this.rebuildFilter();
    // Keeps documents opened (and flushed by an early request) while the settings loaded.
    this.rebuildWorkspace();
    await this.index();
  }

  // ---- settings ---------------------------------------------------------------------------------------------------

  private async loadSettings(): Promise<void> {
    let netpol: unknown;
    let files: unknown;
    if (this.clientSupports.configuration) {
      try {
        [netpol, files] = await this.connection.workspace.getConfiguration([{ section: 'netpol' }, { section: 'files' }]);
      } catch (error) {
        this.log(`netpol: could not read settings: ${errorText(error)}`);
      }
    } else if (this.pushedSettings && typeof this.pushedSettings === 'object') {
      const pushed = this.pushedSettings as Record<string, unknown>;
      netpol = pushed.netpol;
      files = pushed.files;
    }
    this.settings = readSettings(netpol);
    this.renderer.configure(this.workspaceTrusted, this.settings.helmPath, this.settings.kustomizePath);
    this.filesExclude = enabledGlobs((files as Record<string, unknown> | undefined)?.exclude);
  }

  private async reloadSettings(): Promise<void> {
    const before = this.settings;
    const beforeExclude = this.filesExclude;
    await this.loadSettings();
    const after = this.settings;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (!same(before.defaultNamespace, after.defaultNamespace) || !same(before.dns, after.dns) || !same(before.maxFileSize, after.maxFileSize)) {
      this.rebuildWorkspace();
    }
    const indexChanged = !same(before.exclude, after.exclude) || !same(beforeExclude, this.filesExclude) || !same(before.maxFileSize, after.maxFileSize);
    if (indexChanged) {
      this.rebuildFilter();
      if (this.indexed) await this.index();
      return;
    }
    this.scheduleAnalysis(true);
  }

  /** A new workspace with the same files (the settings it lays over `.netpol.yaml` changed). */
  private rebuildWorkspace(): void {
    const old = this.workspace();
    const next = new ServerWorkspace(this.settings);
    for (const uri of old.fileUris()) if (!old.renderingOf(uri)) next.setFile(uri, old.getFile(uri)!.text, { anyName: schemeOf(uri) === 'untitled' });
    if (this.activeConfigUri) next.setFile(this.activeConfigUri, this.configTexts.get(this.activeConfigUri) ?? '');
    this.renderer.reapply(next);
    this.ws = next;
  }

  // ---- the index --------------------------------------------------------------------------------------------------

  private maxFileSize(): number {
    return this.workspace().config.maxFileSize;
  }

  /** A file as the index reads it: root configuration files whole, others within the size limit. */
  private readFromDisk(uri: string): ReturnType<typeof readTextUnder> {
    const fsPath = pathFromUri(uri);
    return fsPath ? readTextUnder(fsPath, this.isRootConfig(uri) ? CONFIG_READ_LIMIT : this.maxFileSize()) : undefined;
  }

  private isRootConfig(uri: string): boolean {
    // Asked for every file indexed or changed: the name rules out nearly all of them without parsing the URI.
    if (!uri.endsWith(`/${CONFIG_FILE_NAME}`)) return false;
    const fsPath = pathFromUri(uri);
    return !!fsPath && this.filter.isRootConfig(fsPath);
  }

  /**
   * Whether a URI names a file the index holds (manifest or root configuration, not excluded). An untitled editor
   * counts when its name or its language says YAML or JSON: a policy drafted before it is saved is analysed with
   * the workspace.
   */
  private belongsInIndex(uri: string): boolean {
    const scheme = schemeOf(uri);
    if (!ACCEPTED_SCHEMES.has(scheme)) return false;
    if (scheme !== 'file') return (isManifestUri(uri) && !uri.endsWith(`/${CONFIG_FILE_NAME}`)) || this.isManifestEditor(uri);
    const fsPath = pathFromUri(uri);
    return !!fsPath && this.filter.accepts(fsPath);
  }

  /** An untitled editor in a manifest language (its name need not say so). */
  private isManifestEditor(uri: string): boolean {
    return schemeOf(uri) === 'untitled' && MANIFEST_LANGUAGES.has(this.documents.get(uri)?.languageId ?? '');
  }

  /** Records new text for a file (or its removal); applied to the workspace on the next access. */
  private queue(uri: string, text: string | null, fastRead?: FastResult | null): void {
    this.pending.set(uri, fastRead === undefined ? { text } : { text, fastRead });
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const changes = [...this.pending];
    this.pending.clear();
    let configChanged = false;
    this.renderer.filesChanged(changes.map(([uri]) => uri));
    for (const [uri, change] of changes) {
      this.positionsCache.delete(uri);
      this.unreadable.delete(uri);
      if (this.isRootConfig(uri)) {
        if (change.text === null) this.configTexts.delete(uri);
        else this.configTexts.set(uri, change.text);
        configChanged = true;
        continue;
      }
      if (change.text === null) {
        this.oversized.delete(uri);
        this.ws.deleteFile(uri);
        continue;
      }
      // The size limit of `.netpol.yaml` may be changing in this same batch; the check below uses the one in force.
      if (change.text.length > this.ws.config.maxFileSize) {
        this.oversized.set(uri, change.text.length);
        this.ws.deleteFile(uri);
        continue;
      }
      this.oversized.delete(uri);
      this.ws.setFile(uri, change.text, { anyName: schemeOf(uri) === 'untitled', fastRead: change.fastRead });
    }
    if (configChanged) this.applyConfig();
  }

  /** Gives the workspace the configuration of the first workspace folder that has one. */
  private applyConfig(): void {
    const next = this.folders.map((f) => uriFromPath(path.join(f.fsPath, CONFIG_FILE_NAME))).find((u) => this.configTexts.has(u));
    if (this.activeConfigUri && this.activeConfigUri !== next) this.ws.deleteFile(this.activeConfigUri);
    this.activeConfigUri = next;
    if (next) this.ws.setFile(next, this.configTexts.get(next)!);
    const max = this.ws.config.maxFileSize;
    if (this.lastMaxFileSize !== undefined && max !== this.lastMaxFileSize && this.indexed) {
      // Files skipped (or kept) under the old limit need another look.
      void this.guardAsync('reindex after size limit change', undefined, () => this.index());
    }
    this.lastMaxFileSize = max;
  }

  /** Reads every file of the workspace folders into the index, reporting progress, then publishes diagnostics. */
  private async index(): Promise<void> {
    const generation = ++this.indexGeneration;
    const started = Date.now();
    const progress: WorkDoneProgressServerReporter = await this.connection.window.createWorkDoneProgress().catch(() => nullProgress);
    progress.begin('netpol: indexing manifests', 0, 'looking for files', false);
    // Started as soon as the walk has found enough files for it to pay, so that it boots while the walk goes on;
    // the reader below takes it or terminates it.
    let worker: IndexWorker | undefined;
    let workerStarted = false;
    const startWorker = (filesSoFar: number) => {
      if (workerStarted || filesSoFar < WORKER_MIN_FILES) return;
      workerStarted = true;
      try {
        worker = new IndexWorker();
      } catch (error) {
        this.log(`netpol: index worker could not start: ${errorText(error)}`);
      }
    };
    try {
      const files = await this.filter.listFiles((message) => this.log(`netpol: ${message}`), INDEX_SLICE_MS, startWorker);
      const found = new Set(files.map((f) => f.uri));
      // Configuration files (listed first) are read before the rest: they decide the size limit for the others.
      let configs = 0;
      while (configs < files.length && this.filter.isRootConfig(files[configs].fsPath)) {
        const file = files[configs++];
        const read = readTextUnder(file.fsPath, CONFIG_READ_LIMIT);
        if (this.documents.get(file.uri)) continue;
        if (read && 'text' in read) this.queue(file.uri, read.text);
        else if (read) this.markUnreadable(file.uri, 'tooLarge' in read ? `more than ${CONFIG_READ_LIMIT} bytes` : read.unreadable);
      }
      this.flush();
      const manifests = files.slice(configs);
      // Files are read and parsed synchronously on this thread and a worker (IndexReader), a few milliseconds'
      // worth at a time, with requests and notifications let in between: a local manifest reads in microseconds,
      // while the asynchronous API costs several thread-pool round trips per file (NOTES.md). They enter the
      // workspace in list order, whichever thread read them.
      const cacheFile = readingsCacheFile(this.folders.map((f) => f.fsPath), this.cacheDirectory);
      const cache = cacheFile ? { file: cacheFile, identity: readerIdentity() } : undefined;
      const reader = new IndexReader(manifests.map((f) => f.fsPath), this.maxFileSize(), { worker, cache, onWorkerError: (message) => this.log(`netpol: ${message}`) });
      worker = undefined;
      try {
        let lastReport = Date.now();
        let applied = 0;
        while (applied < manifests.length) {
          if (generation !== this.indexGeneration || this.shuttingDown) return;
          const sliceStart = Date.now();
          let waiting = false;
          do {
            for (let read; applied < manifests.length && (read = reader.take(applied)) !== undefined; ) this.applyIndexRead(manifests[applied++], read);
            if (applied === manifests.length) break;
            if (!reader.readOne()) waiting = true;
          } while (!waiting && Date.now() - sliceStart < INDEX_SLICE_MS);
          if (Date.now() - lastReport > 100 || applied === manifests.length) {
            lastReport = Date.now();
            progress.report(Math.round(((configs + applied) * 100) / files.length), `${configs + applied}/${files.length} files`);
          }
          // Let requests and notifications in between slices; with nothing left to read here, wait for the worker.
          if (waiting) await Promise.race([reader.whenWorkerDelivers(), new Promise<void>((resolve) => setTimeout(resolve, 50))]);
          else await new Promise<void>((resolve) => setImmediate(resolve));
        }
        this.log(`netpol: read ${files.length} files in ${Date.now() - started} ms (${reader.filesFromWorker} of them on a worker thread, ${reader.filesFromCache} from the readings cache)`);
        // This index's readings replace an earlier index's that were not written yet.
        const pending = cache && reader.pendingCache(cache);
        this.unwrittenCache = pending ? { pending, generation } : undefined;
        if (pending) setTimeout(() => this.writeReadingsCacheWhileIdle(generation), CACHE_WRITE_DELAY_MS).unref();
      } finally {
        reader.dispose();
      }
      // Files that are gone from disk (or now excluded) leave the index, unless open in the editor.
      this.flush();
      for (const uri of this.ws.fileUris()) if (!found.has(uri) && !this.documents.get(uri) && !this.ws.renderingOf(uri)) this.queue(uri, null);
      for (const uri of [...this.oversized.keys()]) if (!found.has(uri) && !this.documents.get(uri)) this.oversized.delete(uri);
      for (const uri of [...this.unreadable.keys()]) if (!found.has(uri) && !this.documents.get(uri)) this.unreadable.delete(uri);
      for (const uri of [...this.configTexts.keys()]) if (!found.has(uri) && !this.documents.get(uri)) this.queue(uri, null);
    } finally {
      // Still here when the walk failed or a newer index took over before the reader took the worker.
      void worker?.thread.terminate();
      progress.done();
    }
    if (generation !== this.indexGeneration) return;
    // Charts and kustomizations are rendered before the first analysis publishes (a few seconds at most).
    await this.renderer.startAndWait(FIRST_RENDER_WAIT_MS);
    if (generation !== this.indexGeneration) return;
    this.indexed = true;
    this.lastMaxFileSize = this.maxFileSize();
    this.analyse();
    this.resolveIndexed();
    await this.connection.sendNotification(IndexCompleteNotification, { ...this.counts(), durationMs: Date.now() - started });
  }

  /** Encodes the last index's readings a slice at a time, between requests, then writes the cache. */
  private writeReadingsCacheWhileIdle(generation: number): void {
    if (this.unwrittenCache?.generation !== generation || this.shuttingDown) return;
    if (this.writeReadingsCache(INDEX_SLICE_MS)) return;
    setImmediate(() => this.writeReadingsCacheWhileIdle(generation));
  }

  /**
   * Prepares the pending readings cache for up to `budgetMs`; once it is ready, writes it. True when done (or there
   * is nothing to write). A failure to write is logged: the cache only saves time.
   */
  private writeReadingsCache(budgetMs: number): boolean {
    const unwritten = this.unwrittenCache;
    if (!unwritten) return true;
    if (!unwritten.pending.prepare(budgetMs)) return false;
    this.unwrittenCache = undefined;
    try {
      if (!unwritten.pending.write()) this.log(`netpol: the readings of this workspace exceed ${MAX_CACHE_BYTES / 2 ** 20} MB: not cached`);
    } catch (error) {
      this.log(`netpol: could not write the readings cache ${unwritten.pending.file}: ${errorText(error)}`);
    }
    return true;
  }

  /** A file on disk skipped for its size: out of the workspace, with a notice. */
  private markOversized(uri: string, size: number): void {
    this.pending.delete(uri);
    this.ws.deleteFile(uri);
    this.unreadable.delete(uri);
    this.oversized.set(uri, size);
    this.positionsCache.delete(uri);
  }

  /** A file on disk that cannot be read: out of the workspace (the configuration too), with a finding on it. */
  private markUnreadable(uri: string, reason: string): void {
    if (reason === '') {
      this.queue(uri, null);
      return;
    }
    this.flush();
    if (this.isRootConfig(uri)) {
      if (this.configTexts.delete(uri)) this.applyConfig();
    } else this.ws.deleteFile(uri);
    this.oversized.delete(uri);
    this.unreadable.set(uri, reason);
    this.positionsCache.delete(uri);
  }

  /** One file of the index as IndexReader read it: into the workspace, unless the editor has it open. */
  private applyIndexRead(file: { uri: string }, read: FileRead): void {
    // The editor's text of an open document wins over the disk.
    if (!this.documents.get(file.uri)) {
      if ('tooLarge' in read) {
        this.pending.delete(file.uri);
        this.ws.deleteFile(file.uri);
        this.oversized.set(file.uri, read.tooLarge);
        this.unreadable.delete(file.uri);
        return;
      }
      if ('unreadable' in read) {
        // Gone since the walk: nothing to say. Otherwise a finding on the file, as the CLI reports it.
        if (read.unreadable !== '') this.markUnreadable(file.uri, read.unreadable);
        return;
      }
      this.queue(file.uri, read.text, read.fastRead);
    }
    // Parsed at once, within the slice: parsing everything at the end would hold requests back for seconds.
    this.flush();
    // When the workspace holds the disk's text (an open document's too), the file's state on disk stands for it in
    // the findings cache's key, whether or not an editor had the file open.
    if (!('text' in read) || read.cacheKey === undefined) return;
    const parsed = this.ws.getFile(file.uri);
    if (parsed?.text === read.text) recordDiskState(parsed, read.cacheKey);
  }

  private counts(): IndexCounts {
    const ws = this.workspace();
    const policies = new Set<unknown>();
    const workloads = new Set<unknown>();
    for (const scope of ws.scopes()) {
      for (const p of scope.model.policies) policies.add(p.object);
      for (const w of scope.model.workloads) if (!w.assumed) workloads.add(w.object);
    }
    let findings = 0;
    for (const entries of this.results.values()) findings += entries.length;
    return { files: ws.fileUris().length - ws.renderedUris().length + this.oversized.size + this.unreadable.size, policies: policies.size, workloads: workloads.size, findings, skippedForSize: this.oversized.size };
  }

  // ---- documents and files ------------------------------------------------------------------------------------------

  private onDocumentText(document: TextDocument): void {
    const uri = canonicalUri(document.uri);
    if (!ACCEPTED_SCHEMES.has(schemeOf(uri))) return;
    this.touchedDocuments.add(uri);
    if (this.belongsInIndex(uri)) this.queue(uri, document.getText());
    this.scheduleAnalysis();
  }

  private async onDocumentClosed(rawUri: string): Promise<void> {
    const uri = canonicalUri(rawUri);
    // A closed untitled editor is no longer open, so its language is gone: whether it was indexed tells.
    const indexedEditor = schemeOf(uri) === 'untitled' && (this.ws.hasFile(uri) || this.pending.has(uri));
    if (!this.belongsInIndex(uri) && !indexedEditor) return;
    const fsPath = pathFromUri(uri);
    // Unsaved text is discarded: go back to the file on disk, or forget a file that is not there.
    // Read like the index reads (regular files only, capped, never blocking): the path may be a FIFO.
    const read = fsPath && this.filter.locate(fsPath) ? this.readFromDisk(uri) : undefined;
    if (this.documents.get(rawUri)) return; // reopened meanwhile
    if (read && 'tooLarge' in read) this.markOversized(uri, read.tooLarge);
    else if (read && 'unreadable' in read) this.markUnreadable(uri, read.unreadable);
    else this.queue(uri, read?.text ?? null);
    this.scheduleAnalysis();
  }

  private async onWatchedFiles(changes: FileEvent[]): Promise<void> {
    // A branch switch reports thousands of files at once: they are read synchronously (a thread-pool round trip per
    // file cost more than the read), a slice at a time with requests let in between, like indexing.
    let sliceStart = Date.now();
    for (const change of changes) {
      if (Date.now() - sliceStart >= INDEX_SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = Date.now();
      }
      const uri = canonicalUri(change.uri);
      const fsPath = pathFromUri(uri);
      if (!fsPath || this.documents.get(uri) || this.documents.get(change.uri)) continue;
      // A deletion reported for a path that exists again (events arrive late, or lie) is read like a change.
      if (change.type === FileChangeType.Deleted && !fs.existsSync(fsPath)) {
        if (this.ws.hasFile(uri) || this.oversized.has(uri) || this.unreadable.has(uri) || this.configTexts.has(uri) || this.pending.has(uri)) {
          this.queue(uri, null);
          continue;
        }
        // Not a file of the index: maybe a deleted folder, which takes every indexed file below it along.
        const prefix = uri.endsWith('/') ? uri : `${uri}/`;
        for (const u of [...this.ws.fileUris(), ...this.oversized.keys(), ...this.unreadable.keys(), ...this.configTexts.keys(), ...this.pending.keys()]) {
          if (u.startsWith(prefix) && !this.documents.get(u)) this.queue(u, null);
        }
        continue;
      }
      if (!this.filter.accepts(fsPath)) continue;
      const read = this.readFromDisk(uri);
      if (!read) {
        this.queue(uri, null);
        continue;
      }
      if ('tooLarge' in read) {
        this.markOversized(uri, read.tooLarge);
        continue;
      }
      if ('unreadable' in read) {
        this.markUnreadable(uri, read.unreadable);
        continue;
      }
      this.queue(uri, read.text);
    }
    this.scheduleAnalysis(true);
  }

  // ---- positions ----------------------------------------------------------------------------------------------------

  /** The text the index holds for a file (what diagnostics' offsets refer to), else the open document's. */
  private currentText(uri: string): string | undefined {
    this.flush();
    return this.ws.getFile(uri)?.text ?? this.configTexts.get(uri) ?? this.documents.get(uri)?.getText();
  }

  private positionsOf(uri: string): TextPositions {
    const text = this.currentText(uri) ?? '';
    let positions = this.positionsCache.get(uri);
    if (!positions || positions.text !== text) {
      positions = new TextPositions(text);
      this.positionsCache.set(uri, positions);
    }
    return positions;
  }

  // ---- analysis and publishing --------------------------------------------------------------------------------------

  /**
   * Runs the rules soon: after a short quiet time, but never postponed for longer than a maximum delay. When changes
   * pile up, both grow with the time an analysis takes, so that someone typing in a large workspace keeps the server
   * analysing at most about a third of the time, free for hovers and completions in between.
   */
  private scheduleAnalysis(immediate = false): void {
    this.analysisNeeded = true;
    if (!this.indexed || this.shuttingDown) return; // indexing publishes everything when it finishes
    const now = Date.now();
    this.firstUnanalysedChangeAt ??= now;
    this.changesSinceAnalysis++;
    if (this.analysisTimer) clearTimeout(this.analysisTimer);
    // A lone change is analysed at once when analyses are quick (after the messages already received), else after
    // the quiet time; changes that pile up before the analysis ran (typing, or keystrokes that arrived while the last
    // analysis held the event loop) wait for the typing to settle.
    const piling = this.changesSinceAnalysis > 1;
    const quiet = piling ? Math.max(this.debounceMs, Math.min(this.lastAnalysisMs, 500)) : this.lastAnalysisMs <= QUICK_ANALYSIS_MS ? 0 : this.debounceMs;
    const maxDelay = Math.max(this.maxDelayMs, Math.min(3 * this.lastAnalysisMs, 2000));
    const waited = now - this.firstUnanalysedChangeAt;
    const delay = immediate ? 0 : Math.max(0, Math.min(quiet, maxDelay - waited));
    this.analysisTimer = setTimeout(() => this.analyse(), delay);
  }

  /**
   * Brings diagnostics up to date now when changes are waiting (before answering requests that use them): those of
   * one file, or of every file. The other sources' pending run is finished only for a file they report on (or had
   * to publish again): another file's diagnostics are complete without them.
   */
  private analyseIfNeeded(uri?: string): void {
    if (this.analysisNeeded && this.indexed) this.analyse();
    const run = this.lastRun;
    if (run?.sourcesPending && (uri === undefined || run.extra.has(uri) || this.awaitingSources.has(uri))) this.runSources(true);
  }

  private analyse(): void {
    if (this.analysisTimer) clearTimeout(this.analysisTimer);
    this.analysisTimer = undefined;
    this.firstUnanalysedChangeAt = undefined;
    this.changesSinceAnalysis = 0;
    this.analysisNeeded = false;
    if (this.shuttingDown) return;
    const started = Date.now();
    let recomputed = false;
    this.guard('analysis', undefined, () => {
      const ws = this.workspace();
      const rulesKey = JSON.stringify(this.settings.rules);
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
            severities: this.settings.rules,
            onRuleError: (ruleId, error) => {
              if (this.loggedRuleErrors.has(ruleId)) return;
              this.loggedRuleErrors.add(ruleId);
              this.log(`netpol: rule ${ruleId} failed (logged once): ${errorText(error)}`);
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
        for (const uri of this.oversized.keys()) candidates.add(uri);
        for (const uri of this.unreadable.keys()) candidates.add(uri);
        for (const uri of this.oversizedPublished) candidates.add(uri);
      }
      this.oversizedPublished = new Set([...this.oversized.keys(), ...this.unreadable.keys()]);
      this.publish(
        (uri) => this.diagnosticsOf(run, uri),
        candidates ?? new Set([...run.byRules.keys(), ...run.extra.keys(), ...this.oversized.keys(), ...this.unreadable.keys(), ...this.published.keys()]),
        run.sourcesPending ? this.awaitingSources : undefined,
      );
      if (run.sourcesPending) this.scheduleSources();
    });
    if (!recomputed) return;
    this.lastAnalysisMs = Date.now() - started;
    for (const listener of this.changeListeners) {
      try {
        listener(this.ws);
      } catch (error) {
        this.log(`netpol: a workspace change listener failed: ${errorText(error)}`);
      }
    }
  }

  // ---- the findings cache ------------------------------------------------------------------------------------------

  private findingsFile(): string | undefined {
    return findingsCacheFile(this.folders.map((f) => f.fsPath), this.cacheDirectory);
  }

  /** The rules' findings of this workspace state from the findings cache, if it holds them. */
  private cachedFindings(ws: ServerWorkspace): Map<string, Diagnostic[]> | undefined {
    const file = this.findingsFile();
    if (!file) return undefined;
    const key = workspaceStateKey(ws, this.settings, readerIdentity());
    const findings = readFindings(file, key);
    if (findings) {
      this.cachedFindingsKey = key;
      this.log(`netpol: the findings of ${findings.size} files from the findings cache; the rules run when the server is idle`);
    }
    return findings;
  }

  /**
   * After a start from the findings cache, the rules run once the editor has been quiet for a moment: their
   * incremental state must be ready for the first edit (which otherwise runs them whole). Their findings replace
   * the cached ones; a difference, which would mean the cache missed an input, is logged.
   */
  private scheduleWarmUp(delayMs: number): void {
    setTimeout(() => this.warmUpRules(), delayMs).unref();
  }

  private warmUpRules(): void {
    const run = this.lastRun;
    const runner = this.ruleRunner;
    if (!run?.rulesFromCache || !runner || this.shuttingDown) return;
    // A change is waiting: its analysis runs the rules.
    if (this.analysisNeeded || run.ws !== this.ws || run.version !== run.ws.version || runner.ws !== run.ws) return;
    const wait = this.untilQuiet(WARM_UP_AFTER_REQUEST_MS);
    if (wait > 0) return this.scheduleWarmUp(wait);
    this.guard('rules after a start from the findings cache', undefined, () => {
      const cachedFindings = run.byRules;
      const rules = runner.runner.run(run.ws);
      this.ruleRuns++;
      run.byRules = rules;
      run.rulesFromCache = false;
      // A file's findings as a set: an incremental run may order them otherwise than a whole one.
      const asSet = (list: readonly Diagnostic[] | undefined) => (list ?? []).map((d) => JSON.stringify(d)).sort().join('\n');
      const differing = [...new Set([...cachedFindings.keys(), ...rules.keys()])].filter((uri) => asSet(cachedFindings.get(uri)) !== asSet(rules.get(uri)));
      if (differing.length > 0) this.log(`netpol: the findings cache differed from the rules on ${differing.length} files (first: ${differing[0]}); published the rules'`);
      this.publish((uri) => this.diagnosticsOf(run, uri), new Set(differing), run.sourcesPending ? this.awaitingSources : undefined);
    });
  }

  /** Writes the findings cache once analyses have stopped for a while (and at shutdown). */
  private scheduleFindingsWrite(): void {
    if (this.findingsTimer) clearTimeout(this.findingsTimer);
    this.findingsTimer = setTimeout(() => this.writeFindingsCache(), FINDINGS_WRITE_DELAY_MS).unref();
  }

  private writeFindingsCache(): void {
    if (this.findingsTimer) clearTimeout(this.findingsTimer);
    this.findingsTimer = undefined;
    const run = this.lastRun;
    if (!run || run.rulesFromCache || run.ws !== this.ws || run.version !== run.ws.version || this.analysisNeeded) return;
    const file = this.findingsFile();
    if (!file) return;
    this.guard('findings cache', undefined, () => {
      const key = workspaceStateKey(run.ws, this.settings, readerIdentity());
      if (key === this.cachedFindingsKey) return;
      try {
        if (!writeFindings(file, key, run.byRules)) this.log(`netpol: the findings of this workspace exceed ${MAX_FINDINGS_BYTES / 2 ** 20} MB: not cached`);
        this.cachedFindingsKey = key;
      } catch (error) {
        if (!this.findingsWriteFailed) this.log(`netpol: could not write the findings cache ${file}: ${errorText(error)}`);
        this.findingsWriteFailed = true;
      }
    });
  }

  /** The diagnostics of a file in a run: the rules', the other sources', or the notice of a skipped file. */
  private diagnosticsOf(run: LastRun, uri: string): Diagnostic[] | undefined {
    const reason = this.unreadable.get(uri);
    if (reason !== undefined) {
      return [{ ruleId: FILE_UNREADABLE, severity: 'warning', message: unreadableMessage(reason), location: { uri, range: [0, 0] } }];
    }
    const size = this.oversized.get(uri);
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

  /** How long until `pauseMs` will have passed since the last editor request (0: it has). */
  private untilQuiet(pauseMs: number): number {
    return Math.max(0, pauseMs - (Date.now() - this.lastRequestAt));
  }

  /** Runs the other diagnostic sources soon, unless a newer analysis comes first (it schedules them again). */
  private scheduleSources(): void {
    if (this.sourcesTimer) clearTimeout(this.sourcesTimer);
    this.sourcesTimer = setTimeout(() => this.runSources(false), SOURCES_DELAY_MS);
  }

  /**
   * The other sources' diagnostics of the last analysed version, published with what the rules found. They run in
   * slices of SOURCES_SLICE_MS, so that requests and edits are answered in between; a change drops the run (the
   * next analysis starts another). `untilDone`: to the end now, for a request that reads the diagnostics.
   */
  private runSources(untilDone: boolean): void {
    if (this.sourcesTimer) clearTimeout(this.sourcesTimer);
    this.sourcesTimer = undefined;
    const run = this.lastRun;
    if (!run?.sourcesPending || this.shuttingDown) return;
    // A change is waiting: its analysis will run the sources on the newer version.
    if (this.analysisNeeded || run.ws !== this.ws || run.version !== run.ws.version) {
      this.sourcesJob = undefined;
      if (!untilDone) return;
    }
    // Requests come in bursts (hovers, completions as one types): the sources wait until one has passed, though not
    // for longer than a second in all (a client that never pauses still gets them).
    const wait = this.untilQuiet(SOURCES_AFTER_REQUEST_MS);
    this.sourcesWaitingSince ??= Date.now();
    if (!untilDone && wait > 0 && Date.now() - this.sourcesWaitingSince < SOURCES_MAX_WAIT_MS) {
      this.sourcesTimer = setTimeout(() => this.runSources(false), wait);
      return;
    }
    if (this.sourcesJob?.run !== run) this.sourcesJob = { run, steps: this.sourceSteps(run.ws) };
    this.sourcesWaitingSince = undefined;
    const job = this.sourcesJob;
    const started = Date.now();
    this.guard('diagnostic sources', undefined, () => {
      for (;;) {
        const next = job.steps.next();
        if (next.done) {
          this.sourcesJob = undefined;
          run.sourcesPending = false;
          this.publishSources(run, next.value);
          return;
        }
        if (!untilDone && Date.now() - started >= SOURCES_SLICE_MS) {
          this.sourcesTimer = setTimeout(() => this.runSources(false), 0);
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
        this.log(`netpol: a diagnostic source failed: ${errorText(error)}`);
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
  private publish(diagnosticsOf: (uri: string) => Diagnostic[] | undefined, candidates: Set<string>, deferred?: ReadonlySet<string>): void {
    const positionsOf = (uri: string) => this.positionsOf(uri);
    for (const uri of this.touchedDocuments) candidates.add(uri);
    for (const uri of candidates) {
      if (deferred?.has(uri)) continue;
      const source = diagnosticsOf(uri);
      // The same list as last time (the incremental rule run kept it): nothing to convert or send.
      if (source !== undefined && this.publishedFrom.get(uri) === source && !this.touchedDocuments.has(uri)) continue;
      if (source) this.publishedFrom.set(uri, source);
      else this.publishedFrom.delete(uri);
      const list = [...(source ?? [])].sort(
        (a, b) => a.location.range[0] - b.location.range[0] || a.location.range[1] - b.location.range[1] || compareText(a.ruleId, b.ruleId),
      );
      const entries = list.map((engine) => ({ engine, lsp: toLspDiagnostic(engine, positionsOf, this.ruleDocs) }));
      const diagnostics = entries.map((e) => e.lsp);
      const key = JSON.stringify(diagnostics);
      const document = this.documents.get(uri);
      if ((this.published.get(uri) ?? '[]') !== key || this.touchedDocuments.has(uri)) {
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
    if (deferred) for (const uri of this.touchedDocuments) if (!deferred.has(uri)) this.touchedDocuments.delete(uri);
    else this.touchedDocuments.clear();
  }
}

const nullProgress: WorkDoneProgressServerReporter = {
  token: CancellationToken.None,
  begin: () => undefined,
  report: () => undefined,
  done: () => undefined,
};

function serverVersion(): string {
  return typeof NETPOL_VERSION === 'string' ? NETPOL_VERSION : 'dev';
}
declare const NETPOL_VERSION: string | undefined;

/** Starts the server on a connection; resolves when the connection closes. */
export function startServer(connection: Connection, options?: ServerOptions): Promise<void> {
  const closed = new Promise<void>((resolve) => connection.onExit(() => resolve()));
  new NetpolServer(connection, options);
  // A stray error must not take the editor's analysis down with it: log it and carry on.
  const report = (what: string) => (error: unknown) => {
    try {
      connection.console.error(`netpol: ${what}: ${errorText(error)}`);
    } catch {
      // Nothing left to report to.
    }
  };
  process.on('uncaughtException', report('uncaught error'));
  process.on('unhandledRejection', report('unhandled rejection'));
  connection.listen();
  return closed;
}
