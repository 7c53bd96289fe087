// Helm charts: a folder with Chart.yaml is rendered with `helm template` (offline: no repository update, missing
// dependencies reported), and the output's `# Source:` comments map each document back to its template.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HelmChartConfig, type WorkspaceConfig } from '../engine/config';
import { renderedUri, type Rendering, type RenderedSegment } from '../engine/rendered';
import type { InputFinding } from '../engine/types';
import { basenameUri, dirnameUri, isUnder, joinUri } from '../engine/uri';
import { firstErrorLine, runTool } from './tools';

export const HELM_NOT_RENDERED = 'helm-not-rendered';
export const HELM_RENDER_FAILED = 'helm-render-failed';
export const HELM_DEPENDENCY_MISSING = 'helm-dependency-missing';

export interface RenderResult {
  uri: string;
  text: string;
  rendering: Rendering;
  notes: InputFinding[];
  /** How long the tool ran (milliseconds), for logs. */
  ms: number;
}

/** Chart folders among the files: a Chart.yaml's folder, unless it lies inside another chart (a subchart). */
export function findCharts(uris: readonly string[]): string[] {
  const dirs = uris.filter((u) => basenameUri(u) === 'Chart.yaml' && u.startsWith('file://')).map(dirnameUri).sort();
  return dirs.filter((d) => !dirs.some((outer) => outer !== d && isUnder(d, outer)));
}

/** The settings of one chart: the configuration's entry for its folder over the configuration's defaults over the options'. */
export interface HelmOptions {
  release?: string;
  namespace?: string;
  /** Value files (paths), after the chart's own values.yaml. */
  values?: string[];
}

export function chartSettings(chartUri: string, config: WorkspaceConfig, configUri: string | undefined, cli: HelmOptions): { release: string; namespace?: string; values: string[] } {
  const root = configUri ? dirnameUri(configUri) : undefined;
  const entry: HelmChartConfig | undefined = root ? config.helm.charts.find((c) => joinUri(root, c.path.replace(/\/$/, '')) === chartUri) : undefined;
  const fromConfig = (files: string[] | undefined) => (files && root ? files.map((f) => fileURLToPath(joinUri(root, f))) : []);
  return {
    release: cli.release ?? entry?.release ?? config.helm.release ?? basenameUri(chartUri),
    namespace: cli.namespace ?? entry?.namespace ?? config.helm.namespace,
    values: [...fromConfig(config.helm.values), ...fromConfig(entry?.values), ...(cli.values ?? []).map((v) => path.resolve(v))],
  };
}

/** The rendering of a chart that is not rendered (no helm, or not trusted): one information finding says why. */
export function notRendered(chartUri: string, why: string): RenderResult {
  const anchorUri = `${chartUri}/Chart.yaml`;
  return {
    uri: renderedUri(chartUri, 'helm-template.yaml'),
    text: '',
    rendering: { tool: 'helm', rootUri: chartUri, anchorUri, segments: [], coveredUris: [], coversFolder: true },
    notes: [{ code: HELM_NOT_RENDERED, severity: 'information', message: `This Helm chart is not analysed: ${why}`, location: { uri: anchorUri, range: [0, 0] } }],
    ms: 0,
  };
}

/**
 * Renders a chart with `helm template`. `hasFile`: whether a file is in the workspace (segments point only at files
 * the workspace holds, the others at Chart.yaml); `textOf`: a workspace file's text, to place findings on lines.
 */
export async function renderChart(
  helm: string,
  chartUri: string,
  settings: { release: string; namespace?: string; values: string[] },
  hasFile: (uri: string) => boolean,
  textOf: (uri: string) => string | undefined,
): Promise<RenderResult> {
  const chartDir = fileURLToPath(chartUri);
  const anchorUri = `${chartUri}/Chart.yaml`;
  const args = ['template', settings.release, chartDir, '--skip-tests'];
  if (settings.namespace) args.push('--namespace', settings.namespace);
  for (const v of settings.values) args.push('--values', v);
  // No --dependency-update: rendering never fetches anything.
  const result = await runTool(helm, args, { cwd: chartDir, timeoutMs: 60_000 });
  const base: Omit<RenderResult, 'text' | 'notes'> = {
    uri: renderedUri(chartUri, 'helm-template.yaml'),
    rendering: { tool: 'helm', rootUri: chartUri, anchorUri, segments: [], coveredUris: [], coversFolder: true, defaultNamespace: settings.namespace },
    ms: result.ms,
  };
  if (!result.ok) return { ...base, text: '', notes: [helmError(result.stderr, result.error, chartUri, textOf)] };
  const text = result.stdout;
  base.rendering.segments = sourceSegments(text, chartUri, hasFile);
  return { ...base, text, notes: [] };
}

/** `# Source: <chart>/templates/x.yaml` starts each document of helm's output. */
function sourceSegments(text: string, chartUri: string, hasFile: (uri: string) => boolean): RenderedSegment[] {
  const segments: RenderedSegment[] = [];
  const re = /^# Source: (.+)$/gm;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text))) {
    const relative = match[1].trim().split('/').slice(1).join('/');
    const uri = joinUri(chartUri, relative.split('/').map(encodeURIComponent).join('/'));
    const end = text.indexOf('\n---', match.index);
    segments.push({ start: match.index, end: end < 0 ? text.length : end, uri: hasFile(uri) ? uri : `${chartUri}/Chart.yaml` });
  }
  return segments;
}

/** helm's error as a finding: at the template line it names, at a missing dependency in Chart.yaml, else at Chart.yaml. */
function helmError(stderr: string, failure: string | undefined, chartUri: string, textOf: (uri: string) => string | undefined): InputFinding {
  const anchorUri = `${chartUri}/Chart.yaml`;
  const message = firstErrorLine(stderr, failure ?? 'helm template failed').replace(/^Error:\s*/, '');
  const missing = /missing in charts\/ directory: (.+)$/m.exec(stderr);
  if (missing) {
    const names = missing[1].split(',').map((n) => n.trim());
    const chartText = textOf(anchorUri) ?? '';
    const at = names.map((n) => new RegExp(`name:\\s*["']?${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*$`, 'm').exec(chartText)).find((m) => m);
    return {
      code: HELM_DEPENDENCY_MISSING,
      severity: 'information',
      message: `The chart is not analysed: its dependencies ${names.join(', ')} are missing in charts/ (netpol renders offline; run \`helm dependency build\` to fetch them).`,
      location: { uri: anchorUri, range: at ? [at.index, at.index + at[0].length] : [0, 0] },
    };
  }
  // "Error: chart/templates/deployment.yaml:9:22" or "template: chart/templates/x.yaml:12:3: executing ..."
  const place = /([\w.-]+(?:\/[\w.-]+)*\/templates\/[^\s:]+):(\d+)(?::(\d+))?/.exec(stderr);
  if (place) {
    const uri = joinUri(chartUri, place[1].split('/').slice(1).join('/'));
    const text = textOf(uri);
    if (text !== undefined) {
      const lineStart = offsetOfLine(text, Number(place[2]));
      const lineEnd = text.indexOf('\n', lineStart);
      const detail = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Error:')).slice(0, 2).join(' ');
      return {
        code: HELM_RENDER_FAILED,
        severity: 'information',
        message: `helm template failed here, so the chart is not analysed: ${detail || message}`,
        location: { uri, range: [lineStart, lineEnd < 0 ? text.length : lineEnd] },
      };
    }
  }
  return { code: HELM_RENDER_FAILED, severity: 'information', message: `helm template failed, so the chart is not analysed: ${message}`, location: { uri: anchorUri, range: [0, 0] } };
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 1; i < line; i++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return offset;
    offset = next + 1;
  }
  return offset;
}
