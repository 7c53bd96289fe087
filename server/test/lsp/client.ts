// A small, general LSP test client: starts the real server (`node bin/netpol.js lsp --stdio`) in a child process
// and drives it over the protocol as an editor would. Reusable by every protocol test:
//
//   const client = await LspTestClient.start(workspaceDir);
//   const uri = client.uri('policies/db.yaml');
//   client.open(uri, text);
//   const diags = await client.waitForDiagnostics(uri, (d) => d.length > 0);
//   const hover = await client.request('textDocument/hover', { textDocument: { uri }, position });
//   await client.shutdown();
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  type ClientCapabilities,
  type Diagnostic,
  type FileEvent,
  type InitializeResult,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(REPO_ROOT, 'test-fixtures', 'lsp');

/** How long waits and requests may take: generous, because CI machines run other heavy work alongside (override
 * with NETPOL_LSP_TEST_TIMEOUT_MS). */
export const DEFAULT_TIMEOUT_MS = Number(process.env.NETPOL_LSP_TEST_TIMEOUT_MS) || 20_000;

/** Settings the client answers workspace/configuration with, by section. */
export type ClientSettings = Record<string, unknown>;

export interface StartOptions {
  /** Answered to workspace/configuration requests, by section (`netpol`, `files`). */
  settings?: ClientSettings;
  /** Replaces the default client capabilities (which announce everything the server uses). */
  capabilities?: ClientCapabilities;
  initializationOptions?: unknown;
  /** Further workspace folders after the first (multi-root workspaces). */
  moreFolders?: string[];
  /** Extra arguments after `lsp --stdio`. */
  args?: string[];
  /** Arguments for node itself (for example --cpu-prof). */
  nodeArgs?: string[];
  /**
   * How to reach the server: `cli` runs `bin/netpol.js lsp --stdio` (default), `server-stdio` runs the VS Code
   * bundle `dist/server.js --stdio`, `server-ipc` forks `dist/server.js --node-ipc` as the VS Code client does.
   */
  transport?: 'cli' | 'server-stdio' | 'server-ipc';
  /**
   * The server's readings cache folder (NETPOL_CACHE_DIR). By default a fresh folder per client, removed at shutdown:
   * every start reads its files as a first start does, and no test sees another's cache.
   */
  cacheDir?: string;
  /** Wait for `netpol/indexComplete` before returning (default true when a workspace is given). */
  waitForIndex?: boolean;
  timeoutMs?: number;
}

export interface ReceivedNotification {
  seq: number;
  method: string;
  params: unknown;
}

export interface ReceivedRequest {
  method: string;
  params: unknown;
}

export const DEFAULT_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    workspaceFolders: true,
    applyEdit: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    symbol: { dynamicRegistration: false },
    executeCommand: { dynamicRegistration: false },
    codeLens: { refreshSupport: true },
    diagnostics: { refreshSupport: true },
  },
  window: { workDoneProgress: true, showMessage: {}, showDocument: { support: true } },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      tagSupport: { valueSet: [1, 2] },
      dataSupport: true,
    },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
      isPreferredSupport: true,
      dataSupport: true,
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    definition: { linkSupport: false },
    references: {},
    codeLens: {},
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

let built = false;

/** Bundles dist/ once per test process, unless it is newer than every source file. */
export function ensureBuilt(): void {
  if (built) return;
  const bundles = ['cli.js', 'server.js', 'index-worker.js'].map((name) => path.join(REPO_ROOT, 'dist', name));
  const newestSource = (dir: string): number => {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
    }
    return newest;
  };
  const bundleTime = Math.min(...bundles.map((b) => (fs.existsSync(b) ? fs.statSync(b).mtimeMs : 0)));
  if (bundleTime < newestSource(path.join(REPO_ROOT, 'server', 'src'))) {
    // Several test processes may get here at once: a lock folder keeps them from writing dist/ together.
    const lock = path.join(os.tmpdir(), 'netpol-test-build.lock');
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        fs.mkdirSync(lock);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`build lock ${lock} held for too long`);
        spawnSync(process.execPath, ['-e', 'setTimeout(() => {}, 200)']);
      }
    }
    try {
      const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}\n${result.stderr}`);
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  built = true;
}

/** Copies a fixture workspace (test-fixtures/lsp/NAME) to a fresh temporary folder, for tests that change files. */
export function copyFixture(name: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), `netpol-lsp-${name.replace(/\W+/g, '-')}-`));
  fs.cpSync(path.join(FIXTURES, name), target, { recursive: true });
  return target;
}

/** Applies LSP text edits (non-overlapping, any order) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const offsets = lineOffsets(text);
  const toOffset = (line: number, character: number) =>
    line >= offsets.length ? text.length : Math.min(offsets[line] + character, line + 1 < offsets.length ? offsets[line + 1] : text.length);
  const sorted = edits
    .map((e) => ({ start: toOffset(e.range.start.line, e.range.start.character), end: toOffset(e.range.end.line, e.range.end.character), text: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const e of sorted) result = result.slice(0, e.start) + e.text + result.slice(e.end);
  return result;
}

/** The edits of a workspace edit for one file (from `changes` or `documentChanges`). */
export function editsFor(edit: WorkspaceEdit, uri: string): TextEdit[] {
  const fromChanges = edit.changes?.[uri] ?? [];
  const fromDocumentChanges = (edit.documentChanges ?? []).flatMap((c) => ('textDocument' in c && c.textDocument.uri === uri ? c.edits : []));
  return [...fromChanges, ...(fromDocumentChanges as TextEdit[])];
}

function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) offsets.push(i + 1);
  return offsets;
}

/** The range of the first occurrence of `needle` in `text` (after `from` occurrences), for building requests. */
export function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" not found (occurrence ${occurrence})`);
  }
  const offsets = lineOffsets(text);
  const position = (offset: number) => {
    let line = 0;
    while (line + 1 < offsets.length && offsets[line + 1] <= offset) line++;
    return { line, character: offset - offsets[line] };
  };
  return { start: position(index), end: position(index + needle.length) };
}

export class LspTestClient {
  readonly notifications: ReceivedNotification[] = [];
  readonly serverRequests: ReceivedRequest[] = [];
  readonly registrations: Registration[] = [];
  readonly logs: string[] = [];
  readonly appliedEdits: WorkspaceEdit[] = [];
  /** The latest published diagnostics per URI. */
  readonly diagnostics = new Map<string, PublishDiagnosticsParams & { seq: number }>();
  initializeResult!: InitializeResult;
  settings: ClientSettings;
  stderr = '';
  private seq = 0;
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private readonly waiters = new Set<() => void>();
  private exited = false;

  private constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
    readonly root: string | undefined,
    options: StartOptions,
  ) {
    this.settings = options.settings ?? {};
  }

  /** Starts the server for a workspace folder (or none), initializes it and, by default, waits for the index. */
  static async start(workspaceDir?: string, options: StartOptions = {}): Promise<LspTestClient> {
    ensureBuilt();
    const transport = options.transport ?? 'cli';
    const nodeArgs = options.nodeArgs ?? [];
    const ownCacheDir = options.cacheDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-test-cache-')) : undefined;
    const env = { ...process.env, NETPOL_CACHE_DIR: options.cacheDir ?? ownCacheDir };
    let child: ChildProcess;
    let connection: MessageConnection;
    if (transport === 'server-ipc') {
      child = fork(path.join(REPO_ROOT, 'dist', 'server.js'), ['--node-ipc', ...(options.args ?? [])], { cwd: REPO_ROOT, env, execArgv: nodeArgs, stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
      connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    } else {
      const entry = transport === 'cli' ? [path.join(REPO_ROOT, 'bin', 'netpol.js'), 'lsp', '--stdio'] : [path.join(REPO_ROOT, 'dist', 'server.js'), '--stdio'];
      child = spawn(process.execPath, [...nodeArgs, ...entry, ...(options.args ?? [])], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
      connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    }
    const client = new LspTestClient(child, connection, workspaceDir ? path.resolve(workspaceDir) : undefined, options);
    if (ownCacheDir) child.once('exit', () => fs.rmSync(ownCacheDir, { recursive: true, force: true }));
    client.listen();
    connection.listen();
    const rootUri = client.root ? URI.file(client.root).toString() : null;
    client.initializeResult = await client.withTimeout(
      connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri,
        workspaceFolders: rootUri
          ? [client.root!, ...(options.moreFolders ?? [])].map((folder) => ({ uri: URI.file(path.resolve(folder)).toString(), name: path.basename(folder) }))
          : null,
        capabilities: options.capabilities ?? DEFAULT_CAPABILITIES,
        initializationOptions: options.initializationOptions,
      }) as Promise<InitializeResult>,
      options.timeoutMs ?? 2 * DEFAULT_TIMEOUT_MS,
      'initialize',
    );
    await connection.sendNotification('initialized', {});
    if (options.waitForIndex ?? true) await client.waitForNotification('netpol/indexComplete', undefined, { timeoutMs: options.timeoutMs ?? 3 * DEFAULT_TIMEOUT_MS });
    return client;
  }

  private listen(): void {
    this.process.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.process.on('exit', () => {
      this.exited = true;
      this.wake();
    });
    // Progress arrives as $/progress, which the connection hands to progress handlers only.
    this.connection.onUnhandledProgress((params) => {
      this.notifications.push({ seq: ++this.seq, method: '$/progress', params });
      this.wake();
    });
    this.connection.onNotification((method, params) => {
      const seq = ++this.seq;
      this.notifications.push({ seq, method, params });
      if (method === 'textDocument/publishDiagnostics') {
        const p = params as PublishDiagnosticsParams;
        this.diagnostics.set(p.uri, { ...p, seq });
      } else if (method === 'window/logMessage' || method === 'window/showMessage') {
        this.logs.push((params as { message: string }).message);
      }
      this.wake();
    });
    this.connection.onRequest((method, params) => {
      this.serverRequests.push({ method, params });
      this.wake();
      switch (method) {
        case 'workspace/configuration':
          return ((params as { items: { section?: string }[] }).items ?? []).map((item) => (item.section ? (this.settings[item.section] ?? null) : this.settings));
        case 'client/registerCapability':
          this.registrations.push(...(params as { registrations: Registration[] }).registrations);
          return null;
        case 'workspace/applyEdit':
          this.appliedEdits.push((params as { edit: WorkspaceEdit }).edit);
          return { applied: true };
        default:
          // window/workDoneProgress/create, client/unregisterCapability, the */refresh requests...
          return null;
      }
    });
    this.connection.onError(() => undefined);
    this.connection.onClose(() => this.wake());
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves when `check` returns a value (re-checked on every message from the server). */
  async waitUntil<T>(check: () => T | undefined, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    const immediate = check();
    if (immediate !== undefined) return immediate;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nserver log:\n${this.logs.join('\n')}\nstderr:\n${this.stderr}`));
      }, timeoutMs);
      const waiter = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(error as Error);
          return;
        }
        if (value !== undefined) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(value);
        } else if (this.exited) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          reject(new Error(`server exited while waiting for ${what}\nstderr:\n${this.stderr}`));
        }
      };
      this.waiters.add(waiter);
    });
  }

  private async withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}\nstderr:\n${this.stderr}`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A sequence number: pass it as `since` to wait only for messages that arrive after this point. */
  mark(): number {
    return this.seq;
  }

  /** The URI of a path relative to the workspace folder (or an absolute path), as VS Code writes it. */
  uri(relativePath: string): string {
    const full = path.isAbsolute(relativePath) ? relativePath : path.join(this.root ?? REPO_ROOT, relativePath);
    return URI.file(full).toString();
  }

  /** The text of a file in the workspace folder, as on disk. */
  read(relativePath: string): string {
    return fs.readFileSync(path.join(this.root!, relativePath), 'utf8');
  }

  /** Opens a document (with its text on disk unless given). Returns a mark for waitForDiagnostics. */
  open(uri: string, text?: string, languageId = 'yaml'): number {
    const mark = this.mark();
    const content = text ?? fs.readFileSync(URI.parse(uri).fsPath, 'utf8');
    this.versions.set(uri, 1);
    this.texts.set(uri, content);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: content } });
    return mark;
  }

  /** Replaces the whole text of an open document (sent as one incremental change). Returns a mark. */
  change(uri: string, text: string): number {
    const old = this.texts.get(uri);
    if (old === undefined) throw new Error(`${uri} is not open`);
    const offsets = lineOffsets(old);
    const last = offsets.length - 1;
    const end = { line: last, character: old.length - offsets[last] };
    return this.edit(uri, [{ range: { start: { line: 0, character: 0 }, end }, text }], text);
  }

  /** Sends incremental changes; `resultText` is what the document reads afterwards (computed when omitted). */
  edit(uri: string, changes: { range: Range; text: string }[], resultText?: string): number {
    const mark = this.mark();
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    let text = this.texts.get(uri) ?? '';
    if (resultText === undefined) for (const c of changes) text = applyTextEdits(text, [{ range: c.range, newText: c.text }]);
    else text = resultText;
    this.texts.set(uri, text);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return mark;
  }

  /** Applies text edits to an open document, as an editor applying a code action would. */
  applyEdits(uri: string, edits: readonly TextEdit[]): number {
    const text = applyTextEdits(this.text(uri), edits);
    return this.change(uri, text);
  }

  text(uri: string): string {
    const text = this.texts.get(uri);
    if (text === undefined) throw new Error(`${uri} is not open`);
    return text;
  }

  version(uri: string): number | undefined {
    return this.versions.get(uri);
  }

  close(uri: string): number {
    const mark = this.mark();
    this.texts.delete(uri);
    this.versions.delete(uri);
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    return mark;
  }

  /** Tells the server that files changed on disk (types: 1 created, 2 changed, 3 deleted). */
  filesChanged(changes: FileEvent[]): number {
    const mark = this.mark();
    void this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes });
    return mark;
  }

  /** Changes the settings the client answers with and tells the server (pull model, like VS Code). */
  setSettings(settings: ClientSettings): number {
    const mark = this.mark();
    this.settings = settings;
    void this.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    return mark;
  }

  /**
   * The diagnostics of a URI once a publish satisfies the predicate. By default the latest publish already
   * received counts; with `since` (a mark), only publishes after it.
   */
  waitForDiagnostics(
    uri: string,
    predicate: (diagnostics: Diagnostic[], params: PublishDiagnosticsParams) => boolean = () => true,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<Diagnostic[]> {
    const since = options.since ?? -1;
    return this.waitUntil(
      () => {
        // Every publish after the mark is a candidate, not only the latest (a later one may have moved on).
        for (const n of this.notifications) {
          if (n.seq <= since || n.method !== 'textDocument/publishDiagnostics') continue;
          const p = n.params as PublishDiagnosticsParams;
          if (p.uri !== uri) continue;
          if (since < 0 && this.diagnostics.get(uri)?.seq !== n.seq) continue;
          if (predicate(p.diagnostics, p)) return p.diagnostics;
        }
        return undefined;
      },
      `diagnostics of ${uri}`,
      options.timeoutMs,
    );
  }

  /** The diagnostics published after a mark for an open document's current version. */
  waitForCurrentDiagnostics(uri: string, since: number, timeoutMs?: number): Promise<Diagnostic[]> {
    const version = this.versions.get(uri);
    return this.waitForDiagnostics(uri, (_, p) => version === undefined || p.version === undefined || p.version === version, { since, timeoutMs });
  }

  /** The params of a notification (after a mark, if given) satisfying the predicate. */
  waitForNotification<T = unknown>(method: string, predicate?: (params: T) => boolean, options: { since?: number; timeoutMs?: number } = {}): Promise<T> {
    const since = options.since ?? -1;
    return this.waitUntil(
      () => {
        const found = this.notifications.find((n) => n.seq > since && n.method === method && (!predicate || predicate(n.params as T)));
        return found ? (found.params as T) : undefined;
      },
      `notification ${method}`,
      options.timeoutMs,
    );
  }

  request<R = unknown>(method: string, params?: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<R> {
    return this.withTimeout(this.connection.sendRequest(method, params) as Promise<R>, timeoutMs, `request ${method}`);
  }

  notify(method: string, params?: unknown): void {
    void this.connection.sendNotification(method, params);
  }

  /** Shuts the server down politely and waits for the process to exit (killing it after a while). */
  async shutdown(): Promise<number | null> {
    if (!this.exited) {
      try {
        await this.withTimeout(this.connection.sendRequest('shutdown'), 5000, 'shutdown');
        await this.connection.sendNotification('exit');
      } catch {
        // Fall through to the kill below.
      }
    }
    const code = await new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null || this.process.signalCode !== null) return resolve(this.process.exitCode);
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 5000);
      this.process.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    this.connection.dispose();
    return code;
  }
}

/** A file URI for an absolute path (as VS Code writes it). */
export function fileUri(fsPath: string): string {
  return URI.file(fsPath).toString();
}

