// A workspace of manifest files: parses each file once per content, splits the files into scopes (each analysed
// as its own cluster) and keeps one model and analysis per scope, rebuilt lazily after changes.
import { LineCounter } from 'yaml';
import { CONFIG_FILE_NAME, defaultConfig, parseConfig, type WorkspaceConfig } from './config';
import { Analysis } from './evaluate';
import { buildModel, recordSkippedWorkloads, skippedWorkloadsOf, updateModel, WORKLOAD_KINDS, type Model, type ModelOptions, type SkippedWorkload } from './model';
import type { FastResult } from './fast-yaml';
import { BUILT_IN_OPERATOR_KINDS } from './operator-workloads';
import { isManifestUri, isPlainObject, parseFile, withLoneCrAsLf, type K8sObject, type ParsedFile } from './parse';
import { basenameUri, dirnameUri, isUnder, joinUri, relativeUri } from './uri';
import { GlobSet } from './glob';
import { locateInSource, renderedPosition, renderingCovers, type Rendering } from './rendered';
import { defineQuery, Store } from './store';
import type { InputFinding, SourceLocation } from './types';

export const DEFAULT_SCOPE = 'default';

export interface Scope {
  name: string;
  /** Files in the scope, in workspace order. */
  uris: readonly string[];
  model: Model;
  analysis: Analysis;
  /** The workspace's store of derived state (store.ts), which rules and features read through. */
  store: Store;
}

/** A scope's files as a set, for membership tests (made once per list: scopes keep their list until rebuilt). */
const SCOPE_FILES = defineQuery<readonly string[], ReadonlySet<string>>({ name: 'scope-files', reads: ['objects'], lifetime: 'model', description: "a scope's files as a set" });

/** Whether a scope includes a file (without a scan of its thousands of files). */
export function scopeIncludes(scope: Scope, uri: string): boolean {
  return scope.store.query(SCOPE_FILES).get(scope.uris, (uris) => new Set(uris)).has(uri);
}

/** What a scope was built from, so that the next build can re-read only what changed. */
interface ScopeInputs {
  options: ModelOptions;
  files: FileSnapshot;
}

/**
 * The files of a scope as of one build: an update shares its predecessor's entries and records only what changed
 * (copying every entry per edit cost more than the rest of an edit on large workspaces), and folds the changes into
 * a new base once they are many.
 */
class FileSnapshot {
  private static readonly MAX_CHANGES = 256;

  private constructor(
    private readonly base: ReadonlyMap<string, ParsedFile>,
    /** Entries that differ from the base; undefined marks a deleted file. */
    private readonly changes: ReadonlyMap<string, ParsedFile | undefined>,
  ) {}

  static of(files: ReadonlyMap<string, ParsedFile>): FileSnapshot {
    return new FileSnapshot(files, new Map());
  }

  get(uri: string): ParsedFile | undefined {
    return this.changes.has(uri) ? this.changes.get(uri) : this.base.get(uri);
  }

  has(uri: string): boolean {
    return this.changes.has(uri) ? this.changes.get(uri) !== undefined : this.base.has(uri);
  }

  /** A snapshot with some files replaced (a file) or deleted (undefined). */
  with(updates: ReadonlyMap<string, ParsedFile | undefined>): FileSnapshot {
    const changes = new Map(this.changes);
    for (const [uri, file] of updates) changes.set(uri, file);
    if (changes.size <= FileSnapshot.MAX_CHANGES) return new FileSnapshot(this.base, changes);
    const base = new Map(this.base);
    for (const [uri, file] of changes) {
      if (file) base.set(uri, file);
      else base.delete(uri);
    }
    return new FileSnapshot(base, new Map());
  }
}

/** Finding codes of files the workspace keeps without parsing. */
export const FILE_TOO_LARGE = 'file-too-large';
export const BINARY_FILE = 'binary-file';
/** A file on disk that cannot be read (no permission, a FIFO or device): reported on the file, the rest analysed. */
export const FILE_UNREADABLE = 'file-unreadable';
/** Findings of files that were not parsed. */
const SKIPPED = new Set([FILE_TOO_LARGE, BINARY_FILE, FILE_UNREADABLE]);

export function unreadableMessage(reason: string): string {
  return `Skipped: this file cannot be read (${reason}); only regular files are analysed.`;
}

/**
 * Whether a text is a UTF-16 (or UTF-32) file read as UTF-8: its byte order mark (FF FE or FE FF) reads as two
 * replacement characters, and the zero bytes of ASCII characters as NULs.
 */
function isUtf16ReadAsUtf8(text: string): boolean {
  return text.startsWith('\ufffd\ufffd') && text.includes('\u0000');
}

function skippedFile(uri: string, text: string, code: string, message: string, severity: 'information' | 'warning' = 'information'): ParsedFile {
  // Only the first line is ever asked for (the finding sits at offset 0); counting lines of a 100 MB file is waste.
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  return {
    uri,
    text,
    documents: [],
    findings: [{ code, severity, message, location: { uri, range: [0, 0] } }],
    lineCounter,
  };
}

const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** A Helm chart's `Chart.yaml`. */
function isChartUri(uri: string): boolean {
  const name = basenameUri(uri);
  return name === 'Chart.yaml' || name === 'Chart.yml';
}

export function isKustomizationUri(uri: string): boolean {
  return KUSTOMIZATION_NAMES.has(basenameUri(uri));
}

interface Kustomization {
  uri: string;
  namespace?: string;
  /** Files and directories the kustomization includes as resources. */
  resources: string[];
  /** Files the kustomization uses as patches: partial objects, not resources. */
  patches: string[];
}

export class Workspace {
  private readonly files = new Map<string, ParsedFile>();
  /** Files kept without parsing because they exceed the size limit in force when they were set. */
  private readonly skippedForSize = new Set<string>();
  private configUri: string | undefined;
  private configText: string | undefined;
  private cachedConfig: WorkspaceConfig | undefined;
  private cachedScopes: Scope[] | undefined;
  /** The scopes of the last build and their inputs: kept when a change invalidates them, to update them. */
  private lastBuild: { scopes: Scope[]; inputs: ScopeInputs[]; config: WorkspaceConfig } | undefined;
  /** Whether files were added or removed since the last build. */
  private filesAddedOrRemoved = false;
  /** Whether a kustomization file changed since the last build. */
  private kustomizationChanged = false;
  /** Rendered manifests (helm template, kustomize build) by their URI, with their source maps. */
  private readonly renderings = new Map<string, Rendering>();
  /** Whether a rendering was set or removed since the last build. */
  private renderingChanged = false;
  /** Bumped on every change, so callers can tell whether a result is stale. */
  version = 0;
  /** Derived state of this workspace's models (store.ts), invalidated from the change log. */
  readonly store = new Store();
  /** Files set or deleted since the last build of the scopes (what `updateScopes` compares). */
  private touchedSinceBuild = new Set<string>();
  /** Which file changed at which version, for `changedFilesSince`; versions before `changeLogStart` are forgotten. */
  private changeLog: { version: number; uri: string }[] = [];
  private changeLogStart = 0;
  /** Files by position in workspace order (the files map's order changes only when files are added or removed). */
  private fileOrder: Map<string, number> | undefined;

  /**
   * `maxFileSize`: a size limit that overrides the configuration's (the CLI's `--max-file-size`; Infinity reads
   * every file), and `maxFileSizeSetting` names where the user raises it, for the file-too-large message.
   */
  constructor(private readonly options: { defaultNamespace?: string; maxFileSize?: number; maxFileSizeSetting?: string } = {}) {}

  private get sizeLimit(): number {
    return this.options.maxFileSize ?? this.config.maxFileSize;
  }

  /**
   * Adds or replaces a file. Returns the parsed file. Non-manifest files are ignored (undefined).
   * `fastRead`: the fast reader's result for this text, read elsewhere (see parseFile).
   * `parsed`: the file as another workspace parsed it (parsed files never change): taken when its URI and text are
   * these and this workspace would parse the text too (within its size limit; not a file skipped there).
   */
  setFile(uri: string, text: string, options: { anyName?: boolean; fastRead?: FastResult | null; parsed?: ParsedFile } = {}): ParsedFile | undefined {
    if (basenameUri(uri) === CONFIG_FILE_NAME) {
      this.configUri = uri;
      this.configText = text;
      this.invalidate(true);
      this.applySizeLimit();
      return undefined;
    }
    // `anyName`: a file named explicitly (the CLI's `netpol list <(kustomize build)`) is read whatever its name.
    if (!options.anyName && !isManifestUri(uri)) return undefined;
    const existing = this.files.get(uri);
    if (existing && (existing.text === text || (text.includes('\r') && existing.text === withLoneCrAsLf(text)))) return existing;
    const parsed = this.read(uri, text, options.fastRead, options.parsed);
    if (!existing) this.filesAddedOrRemoved = true;
    if (isKustomizationUri(uri)) this.kustomizationChanged = true;
    this.files.set(uri, parsed);
    this.invalidate(false);
    this.recordChange(uri, !existing);
    if (!existing && isChartUri(uri)) this.rereadChartTemplates(uri);
    return parsed;
  }

  /** Records a file that could not be read (the CLI's input): a finding on it, nothing parsed. */
  setUnreadableFile(uri: string, reason: string): void {
    const existing = this.files.get(uri);
    if (!existing) this.filesAddedOrRemoved = true;
    this.skippedForSize.delete(uri);
    this.files.set(uri, skippedFile(uri, '', FILE_UNREADABLE, unreadableMessage(reason), 'warning'));
    this.invalidate(false);
    this.recordChange(uri, !existing);
  }

  /** Records a file that was not read for its size (more than `bytes` bytes; the CLI's input). */
  setTooLargeFile(uri: string, bytes: number): void {
    const existing = this.files.get(uri);
    if (!existing) this.filesAddedOrRemoved = true;
    this.skippedForSize.delete(uri);
    const limit = this.config.maxFileSize;
    this.files.set(uri, skippedFile(uri, '', FILE_TOO_LARGE, `Skipped: the file has ${bytes} bytes or more, more than maxFileSize (${limit}); raise netpol.maxFileSize (or maxFileSize in ${CONFIG_FILE_NAME}) to analyse it.`));
    this.invalidate(false);
    this.recordChange(uri, !existing);
  }

  /**
   * Adds or replaces a rendered manifest (made at the edges: `helm template`, `kustomize build`): its objects are
   * analysed in place of the files the rendering covers, and its findings are moved to their sources (rendered.ts).
   * `notes`: findings about the rendering itself (a missing dependency, the tool's error), placed in source files.
   */
  setRendered(uri: string, text: string, rendering: Rendering, notes: readonly InputFinding[] = []): ParsedFile {
    const existing = this.files.get(uri);
    const parsed = parseFile(uri, text);
    parsed.findings.push(...notes);
    parsed.rendering = rendering.tool;
    if (!existing) this.filesAddedOrRemoved = true;
    this.renderingChanged = true;
    this.coverage = undefined;
    this.renderings.set(uri, rendering);
    this.files.set(uri, parsed);
    this.invalidate(false);
    this.recordChange(uri, !existing);
    return parsed;
  }

  /** The rendering a file holds, when it is a rendered manifest. */
  renderingOf(uri: string): Rendering | undefined {
    return this.renderings.get(uri);
  }

  hasRenderings(): boolean {
    return this.renderings.size > 0;
  }

  /** The URIs of the rendered manifests. */
  renderedUris(): string[] {
    return [...this.renderings.keys()];
  }

  /** Whether a rendering stands for this source file: its own documents are not analysed and its reading's findings are not reported. */
  isCovered(uri: string): boolean {
    if (this.renderings.size === 0 || this.renderings.has(uri)) return false;
    // Asked for every file on every run: the covered files as a set, the covered folders as a list (few charts).
    if (!this.coverage) {
      const files = new Set<string>();
      const folders: Rendering[] = [];
      for (const r of this.renderings.values()) {
        for (const u of r.coveredUris) files.add(u);
        if (r.coversFolder) folders.push(r);
      }
      this.coverage = { files, folders };
    }
    return this.coverage.files.has(uri) || this.coverage.folders.some((r) => renderingCovers(r, uri));
  }
  private coverage: { files: Set<string>; folders: Rendering[] } | undefined;

  /**
   * For editor features on a file a rendering stands for (a template, a base): the same place in the rendered
   * manifest, where the objects the analysis knows are. Undefined for other files.
   */
  toRendered(uri: string, offset: number): { uri: string; offset: number } | undefined {
    const source = this.files.get(uri);
    if (!source || !this.isCovered(uri)) return undefined;
    const renderings = [...this.renderings].map(([u, rendering]) => ({ uri: u, text: this.files.get(u)!.text, rendering }));
    return renderedPosition(uri, source.text, offset, renderings);
  }

  /** A location in a rendered manifest moved to its source (other locations as they are). */
  toSource(location: SourceLocation): SourceLocation {
    const rendering = this.renderings.get(location.uri);
    if (!rendering) return location;
    return locateInSource(this.files.get(location.uri)!.text, rendering, location.range, (u) => this.files.get(u)?.text);
  }

  deleteFile(uri: string): void {
    if (this.renderings.delete(uri)) {
      this.renderingChanged = true;
      this.coverage = undefined;
    }
    if (uri === this.configUri) {
      this.configUri = undefined;
      this.configText = undefined;
      this.invalidate(true);
      this.applySizeLimit();
      return;
    }
    this.skippedForSize.delete(uri);
    if (this.files.delete(uri)) {
      this.filesAddedOrRemoved = true;
      if (isChartUri(uri)) this.rereadChartTemplates(uri);
      if (isKustomizationUri(uri)) this.kustomizationChanged = true;
      this.invalidate(false);
      this.recordChange(uri, true);
    }
  }

  /**
   * Parses a file, or skips it with a finding when it is larger than `maxFileSize` (parsing costs time and memory
   * in proportion to the size, and a 100 MB file would stall every caller) or binary.
   */
  private read(uri: string, text: string, fastRead?: FastResult | null, parsedElsewhere?: ParsedFile): ParsedFile {
    const limit = this.sizeLimit;
    if (text.length > limit) {
      this.skippedForSize.add(uri);
      const setting = this.options.maxFileSizeSetting ?? `netpol.maxFileSize (or maxFileSize in ${CONFIG_FILE_NAME})`;
      return skippedFile(uri, text, FILE_TOO_LARGE, `Skipped: the file has ${text.length} characters, more than maxFileSize (${limit}); raise ${setting} to analyse it.`);
    }
    this.skippedForSize.delete(uri);
    // YAML forbids NUL characters and text files practically never hold them; binary files (images, archives) do.
    if (isUtf16ReadAsUtf8(text)) {
      return skippedFile(uri, text, BINARY_FILE, 'Skipped: this file is encoded as UTF-16 (it starts with a UTF-16 byte order mark), which netpol does not read; save it as UTF-8.');
    }
    if (text.includes('\u0000')) {
      return skippedFile(uri, text, BINARY_FILE, 'Skipped: this looks like a binary file (it contains NUL characters), not a YAML or JSON manifest.');
    }
    if (parsedElsewhere && parsedElsewhere.uri === uri && parsedElsewhere.text === text && !parsedElsewhere.findings.some((f) => SKIPPED.has(f.code))) {
      return parsedElsewhere;
    }
    return parseFile(uri, text, fastRead, { chartTemplate: this.isChartTemplate(uri) });
  }

  /** Whether a file lies in the `templates/` folder of a Helm chart (a folder with a `Chart.yaml`) of the workspace. */
  private isChartTemplate(uri: string): boolean {
    for (let at = uri.indexOf('/templates/'); at >= 0; at = uri.indexOf('/templates/', at + 1)) {
      const chart = uri.slice(0, at);
      if (this.files.has(`${chart}/Chart.yaml`) || this.files.has(`${chart}/Chart.yml`)) return true;
    }
    return false;
  }

  /** After a chart's `Chart.yaml` came or went: its templates are read again (they are templates, or no longer). */
  private rereadChartTemplates(chartUri: string): void {
    const prefix = `${dirnameUri(chartUri)}/templates/`;
    for (const [uri, file] of this.files) {
      if (!uri.startsWith(prefix) || !file.text.includes('{{')) continue;
      this.files.set(uri, this.read(uri, file.text));
      this.recordChange(uri, false);
    }
  }

  /** After the size limit may have changed: parses files that now fit and skips files that no longer do. */
  private applySizeLimit(): void {
    const limit = this.sizeLimit;
    for (const [uri, file] of this.files) {
      if (this.skippedForSize.has(uri) ? file.text.length <= limit : file.text.length > limit) {
        this.files.set(uri, this.read(uri, file.text));
      }
    }
  }

  hasFile(uri: string): boolean {
    return this.files.has(uri);
  }

  getFile(uri: string): ParsedFile | undefined {
    return this.files.get(uri);
  }

  fileUris(): string[] {
    return [...this.files.keys()];
  }

  get config(): WorkspaceConfig {
    if (!this.cachedConfig) {
      this.cachedConfig = this.configUri && this.configText !== undefined ? parseConfig(this.configUri, this.configText) : defaultConfig();
      if (this.options.defaultNamespace && !(this.configText ?? '').match(/^defaultNamespace:/m)) {
        this.cachedConfig.defaultNamespace = this.options.defaultNamespace;
      }
    }
    return this.cachedConfig;
  }

  get configFileUri(): string | undefined {
    return this.configUri;
  }

  /** The text of the workspace configuration file (`.netpol.yaml`), if there is one. */
  get configFileText(): string | undefined {
    return this.configText;
  }

  private recordChange(uri: string, addedOrRemoved: boolean): void {
    this.touchedSinceBuild.add(uri);
    if (addedOrRemoved) this.fileOrder = undefined;
    // A long log (the first indexing, or no reader for a while) is dropped: readers then compare every file.
    if (this.changeLog.length > 4096 + this.files.size) {
      this.changeLog = [];
      this.changeLogStart = this.version;
    }
    this.changeLog.push({ version: this.version, uri });
  }

  /**
   * The files set (with a new text) or deleted after `version`, or undefined when that is no longer known (compare
   * every file then). The configuration file is not among them: a configuration change shows in `config`.
   */
  changedFilesSince(version: number): Set<string> | undefined {
    if (version < this.changeLogStart) return undefined;
    const out = new Set<string>();
    for (let i = this.changeLog.length - 1; i >= 0 && this.changeLog[i].version > version; i--) out.add(this.changeLog[i].uri);
    return out;
  }

  private invalidate(config: boolean): void {
    this.version++;
    this.cachedScopes = undefined;
    if (config) {
      this.cachedConfig = undefined;
      this.lastBuild = undefined;
      // Every query reads the configuration (the DNS namespace and labels at least).
      this.store.clear();
    }
  }

  /**
   * An independent copy for what-if analyses (a quick fix or a generated policy checked before it is offered): it
   * shares the parsed files (never changed) and the last build's scopes, so an edit to the copy updates its models
   * incrementally, and nothing done to the copy reaches this workspace.
   */
  fork(): Workspace {
    this.scopes();
    const copy = this.emptyCopy();
    for (const [uri, file] of this.files) copy.files.set(uri, file);
    for (const uri of this.skippedForSize) copy.skippedForSize.add(uri);
    for (const [uri, rendering] of this.renderings) copy.renderings.set(uri, rendering);
    copy.configUri = this.configUri;
    copy.configText = this.configText;
    copy.cachedConfig = this.cachedConfig;
    copy.cachedScopes = this.cachedScopes;
    copy.lastBuild = this.lastBuild;
    copy.version = this.version;
    copy.changeLogStart = this.version;
    return copy;
  }

  /** A workspace with this one's options and nothing in it (subclasses that carry settings give theirs). */
  protected emptyCopy(): Workspace {
    return new Workspace(this.options);
  }

  /** The scopes of the workspace with their models (built on first use after a change). */
  scopes(): Scope[] {
    if (!this.cachedScopes) this.cachedScopes = this.updateScopes() ?? this.buildScopes();
    this.filesAddedOrRemoved = false;
    this.kustomizationChanged = false;
    this.renderingChanged = false;
    return this.cachedScopes;
  }

  /** Scopes that include a file. */
  scopesOf(uri: string): Scope[] {
    return this.scopes().filter((s) => scopeIncludes(s, uri));
  }

  /**
   * The last build's scopes updated for the files that changed since, when the scopes' membership cannot have
   * changed: the same configuration, no kustomization among the changed files, and files added or removed only
   * where nothing but their presence decides membership. Undefined when a full build is needed.
   */
  private updateScopes(): Scope[] | undefined {
    const last = this.lastBuild;
    const config = this.config;
    if (!last || last.config !== config) return undefined;
    // Files added or removed: only where every file belongs to the one default scope.
    const plain = this.filesAddedOrRemoved;
    if (plain && (config.scopes.length > 0 || config.exclude.length > 0 || last.scopes.length !== 1 || this.hasKustomizations() || this.renderings.size > 0)) return undefined;
    // A rendering decides which files are analysed and where its objects live.
    if (this.renderingChanged) return undefined;
    // Only files touched since the last build can differ from its inputs.
    const changed = new Set<string>();
    for (const uri of this.touchedSinceBuild) {
      const file = this.files.get(uri);
      if (last.inputs.some((input) => input.files.has(uri) && input.files.get(uri) !== file) || (plain && file && !last.inputs[0].files.has(uri))) changed.add(uri);
    }
    // A changed kustomization may change every scope's members and namespaces.
    if (this.kustomizationChanged) return undefined;

    if (!this.fileOrder) {
      let position = 0;
      this.fileOrder = new Map();
      for (const uri of this.files.keys()) this.fileOrder.set(uri, position++);
    }
    const order = this.fileOrder;
    const scopes: Scope[] = [];
    const inputs: ScopeInputs[] = [];
    last.scopes.forEach((scope, i) => {
      const input = last.inputs[i];
      const touched = [...changed].filter((u) => input.files.has(u) || plain);
      if (touched.length === 0) {
        scopes.push(scope);
        inputs.push(input);
        return;
      }
      const removed: K8sObject[] = [];
      const added: K8sObject[] = [];
      const updates = new Map<string, ParsedFile | undefined>();
      for (const uri of touched) {
        const before = input.files.get(uri);
        if (before) for (const d of before.documents) removed.push(...d.objects);
        const after = this.files.get(uri);
        if (after) for (const d of after.documents) added.push(...d.objects);
        updates.set(uri, after);
      }
      const files = input.files.with(updates);
      const uris = plain ? [...this.files.keys()] : scope.uris;
      const objects = objectsOfFiles(uris, files);
      const { model } = updateModel(scope.model, {
        objects,
        removed,
        added,
        order: inputOrder(order),
      }, input.options);
      // Skipped documents change only with the files that hold them.
      const skippedChanged = touched.some((u) => skippedOfFile(input.files.get(u), model.defaultNamespace).length > 0 || skippedOfFile(files.get(u), model.defaultNamespace).length > 0);
      recordSkippedWorkloads(model, skippedChanged ? skippedOfFiles(uris, files, model.defaultNamespace) : skippedWorkloadsOf(scope.model));
      scopes.push({ name: scope.name, uris, model, analysis: new Analysis(model), store: this.store });
      inputs.push({ options: input.options, files });
    });
    this.lastBuild = { scopes, inputs, config };
    this.touchedSinceBuild = new Set();
    return scopes;
  }

  private hasKustomizations(): boolean {
    for (const uri of this.files.keys()) if (isKustomizationUri(uri)) return true;
    return false;
  }

  private buildScopes(): Scope[] {
    const config = this.config;
    const root = this.configUri ? dirnameUri(this.configUri) : undefined;
    const excluded = new GlobSet(config.exclude);
    // A rendered manifest belongs where its chart or kustomization is; the files it covers are not analysed.
    const placeOf = (u: string) => this.renderings.get(u)?.anchorUri ?? u;
    const uris = [...this.files.keys()].filter((u) => (!root || !excluded.matches(relativeUri(root, placeOf(u)))) && !this.isCovered(u));

    const kustomizations = new Map<string, Kustomization>();
    for (const u of uris) {
      if (!isKustomizationUri(u)) continue;
      const k = readKustomization(this.files.get(u)!);
      if (k) kustomizations.set(dirnameUri(u), k);
    }
    const patchFiles = new Set<string>();
    for (const k of kustomizations.values()) for (const p of k.patches) patchFiles.add(p);
    const manifestUris = uris.filter((u) => !isKustomizationUri(u) && !patchFiles.has(u));

    const groups: { name: string; uris: string[]; kustomizationDirs?: string[] }[] = [];
    if (config.scopes.length > 0 && root) {
      const assigned = new Set<string>();
      for (const scope of config.scopes) {
        const matchers = new GlobSet(scope.paths);
        const direct = manifestUris.filter((u) => matchers.matches(relativeUri(root, placeOf(u))));
        const members = new Set(direct);
        // Kustomizations inside the scope pull in their resources (bases elsewhere in the repository).
        const kustomizationDirs: string[] = [];
        for (const [dir, k] of kustomizations) {
          if (!scope.paths.some((p) => isUnder(dir, joinUri(root, p.replace(/\/$/, ''))))) continue;
          kustomizationDirs.push(dir);
          for (const u of expandResources(k, kustomizations, manifestUris)) members.add(u);
        }
        for (const u of members) assigned.add(u);
        groups.push({ name: scope.name, uris: manifestUris.filter((u) => members.has(u)), kustomizationDirs });
      }
      const rest = manifestUris.filter((u) => !assigned.has(u));
      if (rest.length > 0) groups.push({ name: DEFAULT_SCOPE, uris: rest });
    } else {
      groups.push({ name: DEFAULT_SCOPE, uris: manifestUris });
    }

    const inputs: ScopeInputs[] = [];
    const scopes = groups.map((g) => {
      const overrides = namespaceOverrides(g.uris, g.kustomizationDirs, kustomizations, manifestUris);
      const objects: K8sObject[] = [];
      const files = new Map<string, ParsedFile>();
      for (const u of g.uris) {
        const file = this.files.get(u)!;
        files.set(u, file);
        for (const d of file.documents) objects.push(...d.objects);
      }
      const fileDefaultNamespaces = new Map<string, string>();
      for (const [u, r] of this.renderings) if (r.defaultNamespace && files.has(u)) fileDefaultNamespaces.set(u, r.defaultNamespace);
      const options: ModelOptions = {
        defaultNamespace: config.defaultNamespace,
        namespaceOverrides: overrides,
        assumedObjects: config.objects,
        cni: config.cni,
        operatorKinds: config.operatorKinds,
        ...(fileDefaultNamespaces.size ? { fileDefaultNamespaces } : {}),
      };
      const model = buildModel(objects, options);
      recordSkippedWorkloads(model, skippedOfFiles(g.uris, files, model.defaultNamespace));
      inputs.push({ options, files: FileSnapshot.of(files) });
      return { name: g.name, uris: g.uris, model, analysis: new Analysis(model), store: this.store };
    });
    this.lastBuild = { scopes, inputs, config };
    this.touchedSinceBuild = new Set();
    return scopes;
  }
}

/**
 * The objects of files in order, on demand. Made outside updateScopes (like inputOrder): a closure there shares
 * its context, which holds the last build, and each model (whose lazy `objects` keeps this function) would keep
 * every model before it alive.
 */
function objectsOfFiles(uris: readonly string[], files: FileSnapshot): () => K8sObject[] {
  return () => {
    const out: K8sObject[] = [];
    for (const u of uris) for (const d of files.get(u)!.documents) for (const o of d.objects) out.push(o);
    return out;
  };
}

const skippedByFile = new WeakMap<ParsedFile, { defaultNamespace: string; list: SkippedWorkload[] }>();
const WORKLOAD_KIND_NAMES = new Set<string>([...WORKLOAD_KINDS, ...BUILT_IN_OPERATOR_KINDS.map((k) => k.kind)]);

/** The skipped documents of a file that look like workloads, with the namespace they name (read from the text). */
function skippedOfFile(file: ParsedFile | undefined, defaultNamespace: string): SkippedWorkload[] {
  if (!file) return [];
  const known = skippedByFile.get(file);
  if (known && known.defaultNamespace === defaultNamespace) return known.list;
  const list: SkippedWorkload[] = [];
  for (const doc of file.documents) {
    if (!doc.skipped) continue;
    const text = file.text.slice(doc.range[0], doc.range[1]);
    const kind = /^kind:[ \t]*["']?([A-Za-z]+)/m.exec(text)?.[1];
    if (!kind || !WORKLOAD_KIND_NAMES.has(kind)) continue;
    const named = /^[ \t]+namespace:[ \t]*(\S.*?)[ \t]*$/m.exec(text)?.[1];
    const namespace = named === undefined ? defaultNamespace : /^[\w.-]+$/.test(named) ? named : '*';
    list.push({ uri: file.uri, kind, namespace });
  }
  skippedByFile.set(file, { defaultNamespace, list });
  return list;
}

function skippedOfFiles(uris: readonly string[], files: { get(uri: string): ParsedFile | undefined }, defaultNamespace: string): SkippedWorkload[] {
  const out: SkippedWorkload[] = [];
  for (const u of uris) for (const s of skippedOfFile(files.get(u), defaultNamespace)) out.push(s);
  return out;
}

/** Files in workspace order; objects of a file by offset (ranges never exceed 2^32 characters). */
function inputOrder(order: ReadonlyMap<string, number>): (o: K8sObject) => number {
  return (o) => (order.get(o.uri) ?? 0) * 2 ** 32 + o.range[0];
}

function readKustomization(file: ParsedFile): Kustomization | undefined {
  const doc = file.documents[0]?.yaml;
  if (!doc) return undefined;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const dir = dirnameUri(file.uri);
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const resources = [...list(value.resources), ...list(value.bases)].map((r) => joinUri(dir, r));
  const patches = [...list(value.patchesStrategicMerge), ...list(value.patchesJson6902)];
  if (Array.isArray(value.patches)) {
    for (const p of value.patches) {
      if (typeof p === 'string') patches.push(p);
      else if (isPlainObject(p) && typeof p.path === 'string') patches.push(p.path);
    }
  }
  return {
    uri: file.uri,
    namespace: typeof value.namespace === 'string' ? value.namespace : undefined,
    resources,
    patches: patches.map((p) => joinUri(dir, p)),
  };
}

/** Files a kustomization includes, following directories with kustomizations of their own. */
function expandResources(k: Kustomization, all: Map<string, Kustomization>, manifestUris: string[], seen = new Set<string>()): string[] {
  if (seen.has(k.uri)) return [];
  seen.add(k.uri);
  const out: string[] = [];
  for (const r of k.resources) {
    const nested = all.get(r);
    if (nested) out.push(...expandResources(nested, all, manifestUris, seen));
    else if (manifestUris.includes(r)) out.push(r);
    else out.push(...manifestUris.filter((u) => isUnder(u, r)));
  }
  return out;
}

/** For each file reached from a kustomization with `namespace:`, that namespace (the outermost kustomization wins). */
function namespaceOverrides(
  scopeUris: string[],
  /** Kustomizations that belong to the scope; all of them when undefined. */
  scopeKustomizationDirs: string[] | undefined,
  kustomizations: Map<string, Kustomization>, manifestUris: string[]): Map<string, string> {
  const inScope = new Set(scopeUris);
  const referenced = new Set<string>();
  for (const k of kustomizations.values()) for (const r of k.resources) if (kustomizations.has(r)) referenced.add(r);
  const overrides = new Map<string, string>();
  const visit = (k: Kustomization, inherited: string | undefined, seen: Set<string>) => {
    if (seen.has(k.uri)) return;
    seen.add(k.uri);
    const ns = inherited ?? k.namespace;
    for (const r of k.resources) {
      const nested = kustomizations.get(r);
      if (nested) visit(nested, ns, seen);
      else if (ns) {
        for (const u of manifestUris.includes(r) ? [r] : manifestUris.filter((m) => isUnder(m, r))) {
          if (inScope.has(u) && !overrides.has(u)) overrides.set(u, ns);
        }
      }
    }
  };
  // From the roots: the kustomizations of the scope that no other kustomization of the scope includes.
  const candidates = scopeKustomizationDirs ?? [...kustomizations.keys()];
  for (const dir of candidates) {
    const k = kustomizations.get(dir)!;
    if (referenced.has(dir) && candidates.some((c) => kustomizations.get(c)!.resources.includes(dir))) continue;
    visit(k, undefined, new Set());
  }
  return overrides;
}
