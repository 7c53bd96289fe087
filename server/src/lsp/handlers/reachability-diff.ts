// The what-if reachability diff request: compares the workspace (unsaved text included) with a base version the
// client sends (for example git HEAD, read through the git extension), with the policy changes that cause each
// difference (report/diff.ts computes it).
import type { Connection, Location } from 'vscode-languageserver';
import { isPlainObject } from '../../engine/parse';
import type { SourceLocation } from '../../engine/types';
import type { Workspace } from '../../engine/workspace';
import { diffReachability, plainChange, type ContributionCause, type WorkloadChange } from '../../report/diff';
import type { FeatureContext } from '../context';
import { TextPositions } from '../convert';
import { canonicalUri } from '../files';
import {
  ReachabilityDiffRequest,
  type ReachabilityDiffCause,
  type ReachabilityDiffParams,
  type ReachabilityDiffResult,
  type ReachabilityDiffWorkload,
} from '../protocol';
import { ServerWorkspace } from '../workspace';

export function registerReachabilityDiffHandler(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(ReachabilityDiffRequest, (params) => {
    try {
      return reachabilityDiff(ctx, params);
    } catch (error) {
      ctx.log(`netpol: reachability diff failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      throw error;
    }
  });
}

/**
 * The base text of a file that is the same at the base as on disk. The workspace's text stands for it when no editor
 * holds other text; with an editor open on it, the disk's text is read. A file the workspace does not hold (the
 * index has not read it yet, or a file event never came) is left out of the base as well: reading it into the base
 * alone would report all of its objects as changed, and compare every pair they reach (seconds on thousands of
 * workloads) for a difference that is not there.
 */
function diskText(ctx: FeatureContext, head: Workspace, rawUri: string, uri: string): string | undefined {
  const indexed = head.getFile(uri);
  const open = ctx.documents.get(rawUri) ?? ctx.documents.get(uri);
  if (open) return ctx.diskText(uri);
  return indexed?.text;
}

function reachabilityDiff(ctx: FeatureContext, params: ReachabilityDiffParams): ReachabilityDiffResult {
  const head = ctx.workspace();
  // The base is read with the same settings as the workspace, so only the files differ.
  const base = new ServerWorkspace(ctx.settings());
  const baseTexts = new Map<string, string>();
  for (const file of Array.isArray(params?.baseFiles) ? params.baseFiles : []) {
    if (!isPlainObject(file) || typeof file.uri !== 'string' || typeof file.text !== 'string') continue;
    const uri = canonicalUri(file.uri);
    baseTexts.set(uri, file.text);
    // Most files are the same at the base: the workspace's parsed file is taken instead of parsing the text again.
    base.setFile(uri, file.text, { parsed: head.getFile(uri) });
  }
  for (const rawUri of Array.isArray(params?.baseFilesOnDisk) ? params.baseFilesOnDisk : []) {
    if (typeof rawUri !== 'string') continue;
    const uri = canonicalUri(rawUri);
    if (baseTexts.has(uri)) continue;
    const text = diskText(ctx, head, rawUri, uri);
    if (text === undefined) continue;
    baseTexts.set(uri, text);
    base.setFile(uri, text, { parsed: head.getFile(uri) });
  }
  const label = typeof params?.baseLabel === 'string' && params.baseLabel !== '' ? params.baseLabel : 'base';
  const diff = diffReachability(base.scopes(), head.scopes(), label);

  const basePositions = new Map<string, TextPositions>();
  const location = (loc: SourceLocation, inBase: boolean): Location => {
    if (!inBase) return { uri: loc.uri, range: ctx.rangeToLsp(loc.uri, loc.range) };
    let positions = basePositions.get(loc.uri);
    if (!positions) basePositions.set(loc.uri, (positions = new TextPositions(baseTexts.get(loc.uri) ?? '')));
    return { uri: loc.uri, range: positions.range(loc.range) };
  };
  const cause = (c: ContributionCause): ReachabilityDiffCause => ({
    policy: c.policy,
    change: c.change,
    direction: c.direction,
    before: c.before,
    after: c.after,
    location: location(c.location, c.inBase),
    inBase: c.inBase,
    decides: c.decides,
  });
  const workload = (w: WorkloadChange, inBase: boolean): ReachabilityDiffWorkload => ({
    scope: w.scope,
    name: w.name,
    kind: w.kind,
    location: location(w.location, inBase),
    inBase,
    connections: w.connections,
  });
  return {
    base: diff.base,
    counts: diff.counts,
    changes: diff.changes.map((c) => plainChange(c, cause)),
    workloadsAdded: diff.appeared.map((w) => workload(w, false)),
    workloadsRemoved: diff.disappeared.map((w) => workload(w, true)),
    policies: diff.policies.map((p) => ({ ...p, location: location(p.location, p.inBase) })),
  };
}
