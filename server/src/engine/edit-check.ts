// What an edit would do, found before it is offered: every quick fix and every generated policy (insert commands,
// Explain Traffic's change, least privilege) is applied to a copy of the workspace and analysed again. An edit is
// offered only when it adds no warning or error; what it newly isolates is said in its title or confirmation.
import { applyEdits } from './edits';
import { ipEndpoint, workloadEndpoint, type Analysis, type Endpoint } from './evaluate';
import { namespacesChangedSince, type Workload } from './model';
import { compareText } from './order';
import { IncrementalRuleRunner, type RunOptions } from './rules/run';
import type { Diagnostic, QuickFix, TextEdit } from './rules/types';
import type { Direction } from './policy';
import type { Workspace } from './workspace';
import { parseCidr } from './cidr';

/** A whole new file the edit creates (a generated policy opened as a new document). */
export interface NewFile {
  uri: string;
  text: string;
}

export interface LostConnection {
  /** `ns/name` of a workload, or `outside the cluster`. */
  peer: string;
  /** The ports that were allowed before and are not after (`8080/TCP`), or `any` for a peer that declares none. */
  ports: string[];
}

export interface NewIsolation {
  /** The workload's display name (`ns/name`). */
  workload: string;
  direction: Direction;
  /** What it could reach (egress) or be reached by (ingress) before and no longer can, most useful first. */
  loses: LostConnection[];
}

export interface EditCheck {
  /** Warnings and errors that the edited workspace reports and the current one does not. */
  newFindings: Diagnostic[];
  /** Workloads that the edit makes isolated for a direction they were not isolated for. */
  newlyIsolated: NewIsolation[];
  /** No new warning or error: the edit may be offered. */
  safe: boolean;
}

export interface EditCheckOptions {
  /** Severity settings of the caller, so that "new warning" means what the user sees. */
  severities?: RunOptions['severities'];
  /** New files the edit creates (a URI the workspace does not hold yet). */
  newFiles?: readonly NewFile[];
  /** Limit of workloads listed in `loses` per isolation (the count is what matters beyond). */
  maxLost?: number;
}

const BLOCKING = new Set(['error', 'warning']);

function blocking(byUri: ReadonlyMap<string, readonly Diagnostic[]>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const list of byUri.values()) for (const d of list) if (BLOCKING.has(d.severity)) out.push(d);
  return out;
}

/**
 * Where checks run: one copy of a workspace (`Workspace.fork`) with an incremental rule runner, kept per workspace
 * and settings. A check applies its edit to the copy, runs the rules (only where the edit can matter, as after an
 * edit in the editor), compares, and puts the files back; a later check first brings the copy up to the
 * workspace's version the same way. So a check costs about what an edit costs, not a full analysis.
 */
class CheckSandbox {
  readonly copy: Workspace;
  private readonly runner: IncrementalRuleRunner;
  private synced: number;
  private baseline: Diagnostic[] | undefined;
  private readonly config: unknown;
  private readonly renderings: string;

  constructor(
    readonly base: Workspace,
    readonly severities: RunOptions['severities'],
  ) {
    this.copy = base.fork();
    this.runner = new IncrementalRuleRunner({ severities });
    this.synced = base.version;
    this.config = base.config;
    this.renderings = base.renderedUris().join('\n');
  }

  /** Whether the copy can follow the workspace by its journal of changed files (same settings, same renderings). */
  canFollow(): boolean {
    if (this.base.config !== this.config || this.base.renderedUris().join('\n') !== this.renderings) return false;
    const changed = this.base.changedFilesSince(this.synced);
    return changed !== undefined && ![...changed].some((uri) => this.base.renderingOf(uri));
  }

  /** The warnings and errors of the workspace as it is (the copy without edits). */
  before(): Diagnostic[] {
    if (this.synced !== this.base.version) {
      for (const uri of this.base.changedFilesSince(this.synced)!) this.restore(uri);
      this.synced = this.base.version;
      this.baseline = undefined;
    }
    this.baseline ??= blocking(this.runner.run(this.copy));
    return this.baseline;
  }

  /** The warnings and errors with the edits applied, and the copy with them for `inspect`; then the files go back. */
  after<T>(texts: ReadonlyMap<string, string>, inspect: (copy: Workspace) => T): { findings: Diagnostic[]; inspected: T } {
    for (const [uri, text] of texts) this.copy.setFile(uri, text, { anyName: true, parsed: this.base.getFile(uri) });
    try {
      const findings = blocking(this.runner.run(this.copy));
      return { findings, inspected: inspect(this.copy) };
    } finally {
      for (const uri of texts.keys()) this.restore(uri);
    }
  }

  /** Puts a file of the copy back to the workspace's (the same parsed file: nothing is read again). */
  private restore(uri: string): void {
    const file = this.base.getFile(uri);
    if (file) this.copy.setFile(uri, file.text, { anyName: true, parsed: file });
    else this.copy.deleteFile(uri);
  }
}

const sandboxes = new WeakMap<Workspace, CheckSandbox>();

function sandboxOf(workspace: Workspace, severities: RunOptions['severities']): CheckSandbox {
  const known = sandboxes.get(workspace);
  if (known && known.severities === severities && known.canFollow()) return known;
  const sandbox = new CheckSandbox(workspace, severities);
  sandboxes.set(workspace, sandbox);
  return sandbox;
}

/** Where an offset of the text before the edits is after them; undefined inside a replaced range. */
function mapOffset(edits: readonly TextEdit[] | undefined, offset: number): number | undefined {
  let shift = 0;
  for (const e of edits ?? []) {
    if (e.range[1] <= offset && !(e.range[0] === e.range[1] && e.range[0] === offset)) shift += e.newText.length - (e.range[1] - e.range[0]);
    else if (e.range[0] < offset && offset < e.range[1]) return undefined;
  }
  return offset + shift;
}

/**
 * A finding after the edit is the same claim as one before when it has the same rule and file and either the same
 * message (its range moved) or the same range moved through the edits (its wording changed: a count, a note).
 */
function matcher(before: readonly Diagnostic[], edits: readonly TextEdit[]): (d: Diagnostic) => boolean {
  const byUri = new Map<string, TextEdit[]>();
  for (const e of edits) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
  const messages = new Map<string, number>();
  const ranges = new Map<string, number>();
  const take = (map: Map<string, number>, key: string) => {
    const n = map.get(key) ?? 0;
    if (n > 0) map.set(key, n - 1);
    return n > 0;
  };
  for (const d of before) {
    const m = `${d.ruleId}\u0000${d.location.uri}\u0000${d.message}`;
    messages.set(m, (messages.get(m) ?? 0) + 1);
    const start = mapOffset(byUri.get(d.location.uri), d.location.range[0]);
    const end = mapOffset(byUri.get(d.location.uri), d.location.range[1]);
    if (start === undefined || end === undefined) continue;
    const r = `${d.ruleId}\u0000${d.location.uri}\u0000${start}:${end}`;
    ranges.set(r, (ranges.get(r) ?? 0) + 1);
  }
  return (d) => take(messages, `${d.ruleId}\u0000${d.location.uri}\u0000${d.message}`) || take(ranges, `${d.ruleId}\u0000${d.location.uri}\u0000${d.location.range[0]}:${d.location.range[1]}`);
}

/** The texts of the files an edit changes or creates, after it. */
export function editedTexts(workspace: Workspace, edits: readonly TextEdit[], newFiles: readonly NewFile[] = []): Map<string, string> {
  const texts = new Map<string, string>();
  for (const f of newFiles) texts.set(f.uri, f.text);
  const byUri = new Map<string, TextEdit[]>();
  for (const e of edits) byUri.set(e.uri, [...(byUri.get(e.uri) ?? []), e]);
  for (const [uri, list] of byUri) {
    const before = texts.get(uri) ?? workspace.getFile(uri)?.text ?? '';
    texts.set(uri, applyEdits(before, list));
  }
  return texts;
}

/**
 * Applies `edits` (and `newFiles`) to a copy of the workspace, analyses it and compares: which warnings and errors
 * are new, and which workloads become isolated for a direction, with the connections they lose.
 */
export function checkEdit(workspace: Workspace, edits: readonly TextEdit[], options: EditCheckOptions = {}): EditCheck {
  const sandbox = sandboxOf(workspace, options.severities);
  const before = sandbox.before();
  const texts = editedTexts(workspace, edits, options.newFiles);
  const { findings, inspected: newlyIsolated } = sandbox.after(texts, (copy) => isolationChanges(workspace, copy, options.maxLost ?? 5));
  const known = matcher(before, edits);
  const newFindings = findings.filter((d) => !known(d));
  return { newFindings, newlyIsolated, safe: newFindings.length === 0 };
}

/** Workloads isolated for a direction in `after` and not in `before` (matched by scope and display name). */
export function isolationChanges(before: Workspace, after: Workspace, maxLost = 5): NewIsolation[] {
  const out: NewIsolation[] = [];
  const beforeScopes = new Map(before.scopes().map((s) => [s.name, s]));
  for (const scope of after.scopes()) {
    const old = beforeScopes.get(scope.name);
    if (!old) continue;
    // A NetworkPolicy selects pods of its own namespace: only the namespaces the edit touched can change.
    const touched = old.model === scope.model ? new Set<string>() : namespacesChangedSince(old.model, scope.model);
    const inTouched = (w: Workload) => !touched || touched.has(w.namespace);
    const oldByName = new Map(old.analysis.reportedWorkloads().filter(inTouched).map((w) => [w.displayName, w]));
    for (const w of scope.analysis.reportedWorkloads()) {
      if (!inTouched(w)) continue;
      const was = oldByName.get(w.displayName);
      if (!was) continue;
      for (const direction of ['ingress', 'egress'] as const) {
        if (old.analysis.isolatingPolicies(was, direction).length > 0 || scope.analysis.isolatingPolicies(w, direction).length === 0) continue;
        out.push({ workload: w.displayName, direction, loses: lostConnections(old.analysis, was, scope.analysis, w, direction, maxLost) });
      }
    }
  }
  return out.sort((a, b) => compareText(a.workload, b.workload) || compareText(a.direction, b.direction));
}

const OUTSIDE = (() => {
  const range = parseCidr('0.0.0.0/0');
  return typeof range === 'string' ? undefined : ipEndpoint(range);
})();

/** The connections of a newly isolated workload that were allowed before and are not after, on the declared ports. */
function lostConnections(old: Analysis, was: Workload, now: Analysis, w: Workload, direction: Direction, max: number): LostConnection[] {
  const lost: LostConnection[] = [];
  const nowByName = new Map(now.reportedWorkloads().map((o) => [o.displayName, o]));
  const pair = (self: Endpoint, peer: Endpoint) => (direction === 'egress' ? [self, peer] as const : [peer, self] as const);
  const compare = (peerBefore: Endpoint, peerAfter: Endpoint, destination: Workload | undefined, name: string) => {
    const [s0, d0] = pair(workloadEndpoint(was), peerBefore);
    const [s1, d1] = pair(workloadEndpoint(w), peerAfter);
    const allowedBefore = old.connection(s0, d0).allowed;
    const allowedAfter = now.connection(s1, d1).allowed;
    const declared = destination?.containerPorts ?? [];
    if (declared.length > 0) {
      const ports = [...new Set(declared.filter((p) => allowedBefore.has(p.protocol, p.containerPort) && !allowedAfter.has(p.protocol, p.containerPort)).map((p) => `${p.containerPort}/${p.protocol}`))];
      if (ports.length > 0) lost.push({ peer: name, ports });
    } else if (!allowedBefore.isEmpty() && allowedAfter.isEmpty()) {
      lost.push({ peer: name, ports: ['any'] });
    }
  };
  for (const peer of old.reportedWorkloads()) {
    if (peer === was || lost.length >= max) continue;
    const after = nowByName.get(peer.displayName);
    if (!after) continue;
    // The destination's declared ports: the peer's for egress, the workload's own for ingress.
    compare(workloadEndpoint(peer), workloadEndpoint(after), direction === 'egress' ? peer : was, peer.displayName);
  }
  if (OUTSIDE && lost.length < max) compare(OUTSIDE, OUTSIDE, direction === 'egress' ? undefined : was, 'outside the cluster');
  return lost;
}

/** "ns/a for egress, losing ns/b 8080/TCP, outside the cluster; ns/c for ingress", for titles and confirmations. */
export function isolationText(isolations: readonly NewIsolation[], max = 3): string {
  const parts = isolations.slice(0, max).map((i) => {
    const loses = i.loses.map((l) => (l.ports.includes('any') ? l.peer : `${l.peer} ${l.ports.join(', ')}`));
    return `${i.workload} for ${i.direction}${loses.length ? `, losing ${loses.join(', ')}` : ''}`;
  });
  if (isolations.length > max) parts.push(`${isolations.length - max} more`);
  return parts.join('; ');
}

/**
 * The quick fixes that may be offered: each applied to a copy of the workspace first, and kept only when it adds no
 * warning or error; a fix that isolates a workload for a direction it was not isolated for says so in its title.
 */
export function offerableFixes(workspace: Workspace, fixes: readonly QuickFix[], options: EditCheckOptions = {}): QuickFix[] {
  const out: QuickFix[] = [];
  for (const fix of fixes) {
    const check = checkedFix(workspace, fix, options);
    if (!check.safe) continue;
    out.push(check.newlyIsolated.length > 0 ? { ...fix, title: `${fix.title}: isolates ${isolationText(check.newlyIsolated)}` } : fix);
  }
  return out;
}

/** Checks per fix object and workspace version: editors ask for the same code actions whenever the cursor moves. */
const fixChecks = new WeakMap<QuickFix, { workspace: Workspace; version: number; severities: unknown; check: EditCheck }>();

export function checkedFix(workspace: Workspace, fix: QuickFix, options: EditCheckOptions = {}): EditCheck {
  const known = fixChecks.get(fix);
  if (known && known.workspace === workspace && known.version === workspace.version && known.severities === options.severities) return known.check;
  const check = checkEdit(workspace, fix.edits, options);
  fixChecks.set(fix, { workspace, version: workspace.version, severities: options.severities, check });
  return check;
}
