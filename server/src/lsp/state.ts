// The language server's state: the settings and file rules in force, the workspace snapshot and the changes not yet
// applied to it (pending; applied on the next access, so a request right after a change sees it), the files left
// out of it (too large, unreadable), the configuration files, and the text positions of each file.
import * as path from 'node:path';
import { TextDocuments, type Connection } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME, defaultConfig } from '../engine/config';
import type { FastResult } from '../engine/fast-yaml';
import { isManifestUri } from '../engine/parse';
import { TextPositions } from './convert';
import { FileFilter, pathFromUri, readTextUnder, uriFromPath, type Folder } from './files';
import { enabledGlobs, GlobSet } from './glob';
import { errorText, type ServerLog } from './log';
import type { ServerRenderer } from './render';
import { defaultSettings, readSettings, type NetpolSettings } from './settings';
import { ServerWorkspace } from './workspace';

/** `.netpol.yaml` is read up to this size (larger ones are ignored by the engine anyway). */
export const CONFIG_READ_LIMIT = defaultConfig().maxFileSize;

/** A change waiting to be applied to the workspace: new text, or null for a removed file. */
interface PendingChange {
  text: string | null;
  /** The fast reader's result for the text, when it was read with it (see IndexReader). */
  fastRead?: FastResult | null;
}

const ACCEPTED_SCHEMES = new Set(['file', 'untitled']);
/** Languages of editors whose text is read as manifests whatever their name. */
const MANIFEST_LANGUAGES = new Set(['yaml', 'json']);

export function schemeOf(uri: string): string {
  const i = uri.indexOf(':');
  return i > 0 ? uri.slice(0, i) : '';
}

/** Whether the server reads documents of this URI's scheme at all. */
export function acceptedScheme(uri: string): boolean {
  return ACCEPTED_SCHEMES.has(schemeOf(uri));
}

export class ServerState {
  readonly documents = new TextDocuments(TextDocument);
  folders: Folder[] = [];
  settings: NetpolSettings = defaultSettings();
  /** Settings pushed with didChangeConfiguration, for clients without workspace/configuration. */
  pushedSettings: unknown;
  filesExclude: string[] = [];
  /** The glob problems of the settings last shown, so that a reload does not show them again. */
  private reportedGlobProblems = '';
  filter = new FileFilter([], new GlobSet([]));
  ws: ServerWorkspace = new ServerWorkspace(defaultSettings());
  readonly pending = new Map<string, PendingChange>();
  /** Texts of the configuration files at the roots of the workspace folders; the first folder's is used. */
  readonly configTexts = new Map<string, string>();
  private activeConfigUri: string | undefined;
  /** Files skipped for their size, with the size in bytes (or characters for open documents). */
  readonly oversized = new Map<string, number>();
  /** Files on disk that cannot be read (a FIFO, a device, no permission), with the reason. */
  readonly unreadable = new Map<string, string>();
  private readonly positionsCache = new Map<string, TextPositions>();
  /** Open documents changed since the last analysis: they get a publish even when nothing changed. */
  readonly touchedDocuments = new Set<string>();
  /** Whether the first index has finished (analyses wait for it). */
  indexed = false;
  /** Resolves indexedPromise (once the first index has published). */
  resolveIndexed!: () => void;
  readonly indexedPromise = new Promise<void>((resolve) => (this.resolveIndexed = resolve));
  lastMaxFileSize: number | undefined;
  clientSupports = { configuration: false, watchedFilesDynamic: false, configurationDynamic: false, workspaceFolders: false };
  shuttingDown = false;
  /** initializationOptions.cacheDirectory: where the readings cache lives (null: no cache; absent: the default). */
  cacheDirectory: string | null | undefined;
  /** initializationOptions.workspaceTrusted, then netpol/workspaceTrusted. */
  workspaceTrusted = false;
  /** When the last editor request came in (Date.now()): background work gives way for a moment. */
  lastRequestAt = 0;
  /** Called when `.netpol.yaml` changed the size limit after the first index (files need another look). */
  onSizeLimitChanged: () => void = () => undefined;

  constructor(
    private readonly connection: Connection,
    private readonly logger: ServerLog,
    private readonly renderer: ServerRenderer,
  ) {}

  /** The workspace with every received change applied. */
  workspace(): ServerWorkspace {
    this.flush();
    return this.ws;
  }

  /** How long until `pauseMs` will have passed since the last editor request (0: it has). */
  untilQuiet(pauseMs: number): number {
    return Math.max(0, pauseMs - (Date.now() - this.lastRequestAt));
  }

  // ---- folders, file rules and settings ---------------------------------------------------------------------------

  folderOf(uri: string): Folder | undefined {
    const fsPath = pathFromUri(uri);
    return fsPath ? { uri: uriFromPath(fsPath), fsPath } : undefined;
  }

  setFolders(folders: Folder[]): void {
    this.folders = folders;
    this.rebuildFilter();
  }

  rebuildFilter(): void {
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
      this.logger.log(`netpol: setting ${problem}`);
      this.connection.window.showWarningMessage(`netpol: setting ${problem}`);
    }
  }

  async loadSettings(): Promise<void> {
    let netpol: unknown;
    let files: unknown;
    if (this.clientSupports.configuration) {
      try {
        [netpol, files] = await this.connection.workspace.getConfiguration([{ section: 'netpol' }, { section: 'files' }]);
      } catch (error) {
        this.logger.log(`netpol: could not read settings: ${errorText(error)}`);
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

  /** A new workspace with the same files (the settings it lays over `.netpol.yaml` changed). */
  rebuildWorkspace(): void {
    const old = this.workspace();
    const next = new ServerWorkspace(this.settings);
    for (const uri of old.fileUris()) if (!old.renderingOf(uri)) next.setFile(uri, old.getFile(uri)!.text, { anyName: schemeOf(uri) === 'untitled' });
    if (this.activeConfigUri) next.setFile(this.activeConfigUri, this.configTexts.get(this.activeConfigUri) ?? '');
    this.renderer.reapply(next);
    this.ws = next;
  }

  // ---- which files, read how ----------------------------------------------------------------------------------------

  maxFileSize(): number {
    return this.workspace().config.maxFileSize;
  }

  /** A file as the index reads it: root configuration files whole, others within the size limit. */
  readFromDisk(uri: string): ReturnType<typeof readTextUnder> {
    const fsPath = pathFromUri(uri);
    return fsPath ? readTextUnder(fsPath, this.isRootConfig(uri) ? CONFIG_READ_LIMIT : this.maxFileSize()) : undefined;
  }

  isRootConfig(uri: string): boolean {
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
  belongsInIndex(uri: string): boolean {
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

  // ---- pending changes ------------------------------------------------------------------------------------------------

  /** Records new text for a file (or its removal); applied to the workspace on the next access. */
  queue(uri: string, text: string | null, fastRead?: FastResult | null): void {
    this.pending.set(uri, fastRead === undefined ? { text } : { text, fastRead });
  }

  flush(): void {
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
  applyConfig(): void {
    const next = this.folders.map((f) => uriFromPath(path.join(f.fsPath, CONFIG_FILE_NAME))).find((u) => this.configTexts.has(u));
    if (this.activeConfigUri && this.activeConfigUri !== next) this.ws.deleteFile(this.activeConfigUri);
    this.activeConfigUri = next;
    if (next) this.ws.setFile(next, this.configTexts.get(next)!);
    const max = this.ws.config.maxFileSize;
    // Files skipped (or kept) under the old limit need another look.
    if (this.lastMaxFileSize !== undefined && max !== this.lastMaxFileSize && this.indexed) this.onSizeLimitChanged();
    this.lastMaxFileSize = max;
  }

  /** A file on disk skipped for its size: out of the workspace, with a notice. */
  markOversized(uri: string, size: number): void {
    this.pending.delete(uri);
    this.ws.deleteFile(uri);
    this.unreadable.delete(uri);
    this.oversized.set(uri, size);
    this.positionsCache.delete(uri);
  }

  /** A file on disk that cannot be read: out of the workspace (the configuration too), with a finding on it. */
  markUnreadable(uri: string, reason: string): void {
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

  // ---- positions ----------------------------------------------------------------------------------------------------

  /** The text the index holds for a file (what diagnostics' offsets refer to), else the open document's. */
  currentText(uri: string): string | undefined {
    this.flush();
    return this.ws.getFile(uri)?.text ?? this.configTexts.get(uri) ?? this.documents.get(uri)?.getText();
  }

  positionsOf(uri: string): TextPositions {
    const text = this.currentText(uri) ?? '';
    let positions = this.positionsCache.get(uri);
    if (!positions || positions.text !== text) {
      positions = new TextPositions(text);
      this.positionsCache.set(uri, positions);
    }
    return positions;
  }
}
