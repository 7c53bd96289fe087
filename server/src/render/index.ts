// Rendering at the edges, shared by the CLI and the language server: which charts and kustomizations a workspace
// has, rendering them with the user's tools, and handing the output to the workspace (the engine never runs a
// program).
import { pathToFileURL } from 'node:url';
import type { Workspace } from '../engine/workspace';
import { dirnameUri, isUnder, relativeUri } from '../engine/uri';
import { GlobSet } from '../engine/glob';
import { chartSettings, findCharts, notRendered, renderChart, type HelmOptions, type RenderResult } from './helm';
import { filesOfKustomization, kustomizationsOf, notBuilt, renderKustomization, rootKustomizations } from './kustomize';
import { needsBuiltinBuild, renderKustomizationBuiltin } from './kustomize-builtin';
import type { KustomizeTool } from './tools';

export interface RenderSettings {
  /** The helm binary, or why charts are not rendered (shown in each chart's information finding). */
  helm: { path: string } | { notRenderedBecause: string };
  helmOptions: HelmOptions;
  /** The kustomize tool, or undefined: the built-in subset then builds kustomizations (kustomize-builtin.ts). */
  kustomize: KustomizeTool | undefined;
}

/** One rendering to make: a chart or a root kustomization. */
export interface RenderJob {
  /** The chart's or kustomization's folder. */
  rootUri: string;
  tool: 'helm' | 'kustomize';
  /** The files whose change makes the job's output stale. */
  inputs: (uri: string) => boolean;
  run(): Promise<RenderResult>;
}

/** The renderings a workspace needs, from its files (Chart.yaml and kustomization files are among them). */
export function renderJobs(workspace: Workspace, settings: RenderSettings): RenderJob[] {
  // Files excluded in .netpol.yaml are not rendered either.
  const root = workspace.configFileUri ? dirnameUri(workspace.configFileUri) : undefined;
  const excluded = new GlobSet(root ? workspace.config.exclude : []);
  const uris = workspace.fileUris().filter((u) => !workspace.renderingOf(u) && !(root && excluded.matches(relativeUri(root, u))));
  const hasFile = (uri: string) => workspace.hasFile(uri) && !workspace.renderingOf(uri);
  const textOf = (uri: string) => workspace.getFile(uri)?.text;
  const jobs: RenderJob[] = [];
  // A library chart renders nothing on its own (helm refuses to); it is rendered as a dependency of others.
  const charts = findCharts(uris).filter((c) => !/^type:\s*["']?library\b/m.test(textOf(`${c}/Chart.yaml`) ?? ''));
  for (const chart of charts) {
    const helm = settings.helm;
    const chartOptions = chartSettings(chart, workspace.config, workspace.configFileUri, settings.helmOptions);
    // Value files elsewhere (named in .netpol.yaml) are inputs too.
    const valueFiles = new Set(chartOptions.values.map((v) => pathToFileURL(v).href));
    jobs.push({
      rootUri: chart,
      tool: 'helm',
      inputs: (uri) => isUnder(uri, chart) || valueFiles.has(uri),
      run: async () => {
        if (!('path' in helm)) return notRendered(chart, helm.notRenderedBecause);
        return renderChart(helm.path, chart, chartOptions, hasFile, textOf);
      },
    });
  }
  const tool = settings.kustomize;
  const all = kustomizationsOf(uris, textOf);
  const inputs = (uri: string) => [...all.values()].some((k) => isUnder(uri, k.dir));
  // Overlays of one base in one scope are alternatives (staging, prod): the first is built, as the engine reads a
  // shared base once; the others say so. Separate scopes in .netpol.yaml analyse each.
  const built = new Map<string, { uri: string; files: Set<string> }[]>();
  const scopeOf = (uri: string) => {
    const scopes = workspace.config.scopes;
    if (!root || scopes.length === 0) return '';
    const path = relativeUri(root, uri);
    return scopes.find((s) => new GlobSet(s.paths).matches(path))?.name ?? '';
  };
  for (const root of rootKustomizations(all)) {
    // A kustomization inside a chart belongs to the chart.
    if (charts.some((c) => isUnder(root.dir, c))) continue;
    const files = filesOfKustomization(root, all);
    const scope = scopeOf(root.uri);
    const earlier = built.get(scope)?.find((b) => [...files].some((f) => b.files.has(f)));
    if (earlier) {
      jobs.push({ rootUri: root.dir, tool: 'kustomize', inputs, run: async () => notBuilt(root, `it shares files with ${pathBetween(root.dir, earlier.uri)}, which is built in the same scope (overlays of one base are alternatives). Give each overlay its own scope in .netpol.yaml to analyse both.`) });
      continue;
    }
    // Without the tool, the built-in subset builds what changes more than namespaces (the engine applies those).
    if (!tool && !needsBuiltinBuild(root, all)) continue;
    if (!built.has(scope)) built.set(scope, []);
    built.get(scope)!.push({ uri: root.uri, files });
    jobs.push({
      rootUri: root.dir,
      tool: 'kustomize',
      inputs,
      run: async () => {
        if (!tool) return renderKustomizationBuiltin(root, all, workspace);
        const built = await renderKustomization(tool, root, all, hasFile);
        if (built.notes.length === 0 || !needsBuiltinBuild(root, all)) return built;
        // kustomize failed (a remote base offline, a generator's missing file): the built-in subset, with the reason.
        return { ...renderKustomizationBuiltin(root, all, workspace), notes: built.notes, ms: built.ms };
      },
    });
  }
  return jobs;
}

/** The relative path from a folder to a file (both file URIs), for messages. */
function pathBetween(fromDir: string, to: string): string {
  const a = fromDir.split('/');
  const b = to.split('/');
  let common = 0;
  while (common < a.length && common < b.length - 1 && a[common] === b[common]) common++;
  return decodeURIComponent([...a.slice(common).map(() => '..'), ...b.slice(common)].join('/'));
}

/** Hands a rendering to the workspace. */
export function applyRender(workspace: Workspace, result: RenderResult): void {
  workspace.setRendered(result.uri, result.text, result.rendering, result.notes);
}

/** Removes renderings whose chart or kustomization is gone (or no longer a root). */
export function dropStaleRenderings(workspace: Workspace, jobs: readonly RenderJob[]): void {
  for (const uri of workspace.renderedUris()) {
    const rendering = workspace.renderingOf(uri)!;
    if (!jobs.some((j) => j.rootUri === rendering.rootUri && (j.tool === 'helm') === (rendering.tool === 'helm'))) workspace.deleteFile(uri);
  }
}

/** Renders everything a workspace needs (the CLI: once, all of it). Returns what ran, for logs. */
export async function renderWorkspace(workspace: Workspace, settings: RenderSettings): Promise<RenderResult[]> {
  const jobs = renderJobs(workspace, settings);
  dropStaleRenderings(workspace, jobs);
  const results: RenderResult[] = [];
  // One at a time: each tool is a process of its own, and machines running CI have few cores.
  for (const job of jobs) results.push(await job.run());
  for (const result of results) applyRender(workspace, result);
  return results;
}
