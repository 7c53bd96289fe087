// Rendering in the language server: Helm charts (and kustomizations) are rendered with the user's tools only in a
// trusted workspace (the client says so: initializationOptions.workspaceTrusted, later netpol/workspaceTrusted), and
// again after a change of their files, debounced. Renderings run one at a time, off the request path; their
// output goes into the workspace like an edit.
import type { Scheduler } from './scheduler';
import { CONFIG_FILE_NAME } from '../engine/config';
import { renderingCovers } from '../engine/rendered';
import { basenameUri } from '../engine/uri';
import type { Workspace } from '../engine/workspace';
import { isKustomizationFile } from '../render/kustomize';
import type { RenderResult } from '../render/helm';
import { applyRender, dropStaleRenderings, renderJobs, type RenderJob, type RenderSettings } from '../render/index';
import { findHelm, findKustomize } from '../render/tools';

/** Quiet time after a change of a chart's files before it is rendered again (helm takes a process start). */
export const RENDER_DEBOUNCE_MS = 400;

export interface RendererOptions {
  log(message: string): void;
  /** The workspace now (renderings finishing after a rebuild go into the new one). */
  workspace(): Workspace;
  /** Called after renderings went into the workspace. */
  changed(): void;
  /** The server's scheduler: the next rendering pass is its job 'render'. */
  scheduler: Scheduler;
}

export class ServerRenderer {
  private trusted = false;
  private helmPath: string | undefined;
  private kustomizePath: string | undefined;
  /** Folders (charts, kustomizations) to render again; undefined: every one. */
  private dirty: Set<string> | undefined = new Set();
  private changedUris = new Set<string>();
  private running: Promise<void> | undefined;
  /** The last result per rendered URI, to hand to a rebuilt workspace. */
  private readonly results = new Map<string, RenderResult>();
  private disposed = false;
  /** The inputs of the last pass's jobs (which files they read). */
  private inputs: ((uri: string) => boolean)[] = [];
  /** Nothing is rendered before the first index is complete (a half-read chart would render wrong). */
  private started = false;
  /** Resolves when no rendering is due or running (tests, requests that show a rendering). */
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: RendererOptions) {}

  configure(trusted: boolean, helmPath: string | undefined, kustomizePath: string | undefined): void {
    if (trusted === this.trusted && helmPath === this.helmPath && kustomizePath === this.kustomizePath) return;
    this.trusted = trusted;
    this.helmPath = helmPath;
    this.kustomizePath = kustomizePath;
    this.renderAll();
  }

  get isTrusted(): boolean {
    return this.trusted;
  }

  /** After an index: renders everything, and from then on what changes. */
  start(): void {
    this.started = true;
    this.renderAll();
  }

  /**
   * Renders everything now, for the index's first analysis to publish the rendered findings instead of the raw
   * files' (which would flash and go): waits at most `timeoutMs`, then lets the rendering finish in the background.
   */
  async startAndWait(timeoutMs: number): Promise<void> {
    this.started = true;
    this.dirty = undefined;
    this.options.scheduler.cancel('render');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.run(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    if (timer) clearTimeout(timer);
  }

  /** Everything is rendered again (after the index, or a change of trust or settings). */
  renderAll(): void {
    this.dirty = undefined;
    this.schedule(0);
  }

  /** Files changed: the charts and kustomizations they belong to are rendered again, after a quiet time. */
  filesChanged(uris: Iterable<string>): void {
    let any = false;
    for (const uri of uris) {
      if (!this.mayMatter(uri)) continue;
      this.changedUris.add(uri);
      any = true;
    }
    if (any) this.schedule(RENDER_DEBOUNCE_MS);
  }

  /** Whether a changed file may change a rendering: a file of a chart or kustomization, or one that makes one. */
  private mayMatter(uri: string): boolean {
    const name = basenameUri(uri);
    if (name === 'Chart.yaml' || name === CONFIG_FILE_NAME || isKustomizationFile(uri)) return true;
    if (this.inputs.some((inputOf) => inputOf(uri))) return true;
    for (const result of this.results.values()) if (renderingCovers(result.rendering, uri)) return true;
    return false;
  }

  /** Hands the last renderings to a new workspace (settings changed, the workspace was rebuilt). */
  reapply(workspace: Workspace): void {
    for (const result of this.results.values()) applyRender(workspace, result);
  }

  /** The rendered manifest of a chart or kustomization that contains `uri`, when there is one. */
  renderingFor(uri: string): RenderResult | undefined {
    let best: RenderResult | undefined;
    // VS Code writes `netpol-rendered:/path` for `netpol-rendered:///path`.
    const bare = (u: string) => u.replace(/^netpol-rendered:\/*/, '/');
    for (const result of this.results.values()) {
      const root = result.rendering.rootUri;
      if (uri.startsWith('netpol-rendered:') && bare(result.uri) === bare(uri)) return result;
      if ((uri === root || uri.startsWith(`${root}/`)) && (!best || root.length > best.rendering.rootUri.length)) best = result;
    }
    // A base outside the overlay's folder: the rendering that read it.
    if (!best) for (const result of this.results.values()) if (renderingCovers(result.rendering, uri) || result.rendering.segments.some((s) => s.uri === uri)) return result;
    return best;
  }

  whenIdle(): Promise<void> {
    if (!this.options.scheduler.isScheduled('render') && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispose(): void {
    this.disposed = true;
    this.options.scheduler.cancel('render');
  }

  private settings(): RenderSettings {
    const helm = this.trusted ? findHelm(this.helmPath) : undefined;
    return {
      helm: helm
        ? { path: helm }
        : {
            notRenderedBecause: this.trusted
              ? 'helm was not found. Install helm or set netpol.helm.path, and netpol renders the chart with `helm template`.'
              : 'the workspace is not trusted. Trust it (VS Code: Workspace Trust; other editors: initializationOptions.workspaceTrusted) to let netpol render the chart with `helm template`.',
          },
      helmOptions: {},
      kustomize: this.trusted ? findKustomize(this.kustomizePath) : undefined,
    };
  }

  private schedule(delayMs: number): void {
    if (this.disposed || !this.started) return;
    this.options.scheduler.schedule('render', delayMs, () => void this.run());
  }

  private async run(): Promise<void> {
    if (this.running) {
      // The running pass ends by looking at what changed meanwhile.
      return;
    }
    this.running = this.pass();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
    if (this.dirty === undefined || this.changedUris.size > 0) this.schedule(0);
    else if (!this.options.scheduler.isScheduled('render')) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async pass(): Promise<void> {
    const workspace = this.options.workspace();
    const settings = this.settings();
    const jobs = renderJobs(workspace, settings);
    this.inputs = jobs.map((j) => j.inputs);
    const changed = this.changedUris;
    // .netpol.yaml names value files, releases and namespaces: every chart again.
    const all = this.dirty === undefined || [...changed].some((u) => basenameUri(u) === CONFIG_FILE_NAME);
    this.dirty = new Set();
    this.changedUris = new Set();
    const due = all ? jobs : jobs.filter((j) => [...changed].some((u) => j.inputs(u)) || !this.hasResult(j));
    const before = workspace.renderedUris().length;
    dropStaleRenderings(workspace, jobs);
    for (const uri of [...this.results.keys()]) if (!workspace.renderingOf(uri)) this.results.delete(uri);
    let applied = workspace.renderedUris().length !== before;
    for (const job of due) {
      if (this.disposed) return;
      let result: RenderResult;
      try {
        result = await job.run();
      } catch (error) {
        this.options.log(`netpol: rendering ${job.rootUri} failed: ${(error as Error).stack ?? error}`);
        continue;
      }
      if (result.ms > 0) this.options.log(`netpol: rendered ${job.rootUri} with ${job.tool} in ${result.ms} ms`);
      const current = this.options.workspace();
      const previous = this.results.get(result.uri);
      this.results.set(result.uri, result);
      if (previous && previous.text === result.text && sameNotes(previous, result) && current.renderingOf(result.uri)) continue;
      applyRender(current, result);
      applied = true;
    }
    if (applied) this.options.changed();
  }

  private hasResult(job: RenderJob): boolean {
    for (const result of this.results.values()) if (result.rendering.rootUri === job.rootUri && (result.rendering.tool === 'helm') === (job.tool === 'helm')) return true;
    return false;
  }
}

function sameNotes(a: RenderResult, b: RenderResult): boolean {
  return JSON.stringify(a.notes) === JSON.stringify(b.notes) && JSON.stringify(a.rendering) === JSON.stringify(b.rendering);
}
