// Turns the server's reachability diff into what the editor shows: the tree of the "Reachability changes" view
// (added / removed / changed connections grouped by namespace and workload, each linked to the policies that cause
// it, then workloads that appeared or disappeared) and the per-policy counts of the code lenses. No vscode here.
import type { Location } from 'vscode-languageserver-protocol';
import { NO_CONNECTIONS, type ReachabilityDiffCause, type ReachabilityDiffChange, type ReachabilityDiffResult, type ReachabilityDiffWorkload } from '../../../server/src/lsp/protocol';

/** What an entry reveals when clicked: a place in the working tree, or in the base version (`inBase`). */
export interface DiffTarget {
  location: Location;
  inBase: boolean;
}

export type DiffIcon =
  | 'added'
  | 'removed'
  | 'changed'
  | 'appeared'
  | 'disappeared'
  | 'namespace'
  | 'workload'
  | 'outgoing'
  | 'incoming'
  | 'policy-added'
  | 'policy-deleted'
  | 'policy-modified'
  | 'policy-unchanged';

export interface DiffNode {
  /** Stable across refreshes for the same entry, so the tree keeps what is expanded. */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon: DiffIcon;
  target?: DiffTarget;
  /** For policy entries: the policy (`namespace/name`), to reveal its entries from a code lens. */
  policy?: string;
  parent?: DiffNode;
  children: DiffNode[];
}

/** The code lens of one changed policy in the working tree. */
export interface PolicyLens {
  policy: string;
  location: Location;
  /** Connections the policy's change allows now (added, or changed with ports opened). */
  allowed: number;
  /** Connections it denies now (removed, or changed with ports closed). */
  denied: number;
}


const CATEGORY = {
  added: { label: 'Added connections', icon: 'added' },
  removed: { label: 'Removed connections', icon: 'removed' },
  changed: { label: 'Changed connections', icon: 'changed' },
} as const;

function node(id: string, label: string, icon: DiffIcon, extra: Partial<DiffNode> = {}): DiffNode {
  return { id, label, icon, children: [], ...extra };
}

function adopt(parent: DiffNode, child: DiffNode): DiffNode {
  child.parent = parent;
  parent.children.push(child);
  return child;
}

/** `shop/web` -> `shop`; `shop/web[Deployment]` -> `shop`. */
export function namespaceOf(workload: string): string {
  const slash = workload.indexOf('/');
  return slash > 0 ? workload.slice(0, slash) : workload;
}

/**
 * The workload an entry is listed under: the one whose policies decide the change (the destination for ingress,
 * the source for egress), never an external address block.
 */
function subjectOf(change: ReachabilityDiffChange): 'from' | 'to' {
  if (change.external === 'from') return 'to';
  if (change.external === 'to') return 'from';
  const first = change.causes[0];
  return first?.direction === 'egress' ? 'from' : 'to';
}

function portsText(change: ReachabilityDiffChange): string {
  if (change.kind === 'added') return change.after;
  if (change.kind === 'removed') return change.before;
  const parts: string[] = [];
  if (change.opened !== NO_CONNECTIONS) parts.push(`+${change.opened}`);
  if (change.closed !== NO_CONNECTIONS) parts.push(`−${change.closed}`);
  return parts.join(' ');
}

function causeNode(id: string, cause: ReachabilityDiffCause, base: string): DiffNode {
  const what = cause.change === 'unchanged' ? 'selects other pods' : cause.change;
  return node(id, cause.policy, `policy-${cause.change}` as DiffIcon, {
    description: `${what} · ${cause.direction}`,
    tooltip: `${cause.policy} (${cause.direction})\n${base}: ${cause.before}\nnow: ${cause.after}${cause.inBase ? `\nDeleted: opens the version in ${base}.` : ''}`,
    target: { location: cause.location, inBase: cause.inBase },
    policy: cause.policy,
  });
}

function scopePrefix(result: ReachabilityDiffResult): (scope: string) => string {
  const scopes = new Set([...result.changes.map((c) => c.scope), ...result.workloadsAdded.map((w) => w.scope), ...result.workloadsRemoved.map((w) => w.scope)]);
  const shown = scopes.size > 1 || (scopes.size === 1 && !scopes.has('default'));
  return (scope) => (shown ? `${scope}: ` : '');
}

/** Finds or creates the child with this id. */
function childOf(parent: DiffNode, id: string, make: () => DiffNode): DiffNode {
  return parent.children.find((c) => c.id === id) ?? adopt(parent, make());
}

export function buildTree(result: ReachabilityDiffResult): DiffNode[] {
  const roots: DiffNode[] = [];
  const prefix = scopePrefix(result);
  const base = result.base;
  for (const kind of ['added', 'removed', 'changed'] as const) {
    const changes = result.changes.filter((c) => c.kind === kind);
    if (changes.length === 0) continue;
    const category = node(`c:${kind}`, CATEGORY[kind].label, CATEGORY[kind].icon, { description: String(changes.length) });
    roots.push(category);
    for (const change of changes) {
      const side = subjectOf(change);
      const subject = change[side];
      const peer = side === 'to' ? change.from : change.to;
      const namespace = `${prefix(change.scope)}${namespaceOf(subject)}`;
      const nsId = `${category.id}|${change.scope}|${namespaceOf(subject)}`;
      const nsNode = childOf(category, nsId, () => node(nsId, namespace, 'namespace'));
      const wlId = `${nsNode.id}|${subject}`;
      const wlNode = childOf(nsNode, wlId, () => node(wlId, subject, 'workload'));
      const connId = `${wlId}|${change.from}>${change.to}`;
      const external = change.external ? ' (external)' : '';
      const conn = adopt(
        wlNode,
        node(connId, side === 'to' ? `← ${peer}${external}` : `→ ${peer}${external}`, side === 'to' ? 'incoming' : 'outgoing', {
          description: portsText(change),
          tooltip: `${change.from} → ${change.to}\n${base}: ${change.before}\nnow: ${change.after}`,
          target: change.causes[0] ? { location: change.causes[0].location, inBase: change.causes[0].inBase } : undefined,
        }),
      );
      change.causes.forEach((cause, i) => adopt(conn, causeNode(`${connId}|${i}:${cause.policy}:${cause.direction}`, cause, base)));
    }
    for (const ns of category.children) ns.description = String(ns.children.reduce((n, w) => n + w.children.length, 0));
  }
  const workloads = (kind: 'appeared' | 'disappeared', list: ReachabilityDiffWorkload[]) => {
    if (list.length === 0) return;
    const category = node(`w:${kind}`, kind === 'appeared' ? 'Workloads appeared' : 'Workloads disappeared', kind, { description: String(list.length) });
    roots.push(category);
    for (const w of list) {
      const nsId = `${category.id}|${w.scope}|${namespaceOf(w.name)}`;
      const nsNode = childOf(category, nsId, () => node(nsId, `${prefix(w.scope)}${namespaceOf(w.name)}`, 'namespace'));
      const wlId = `${nsId}|${w.name}|${w.kind}`;
      const wlNode = adopt(
        nsNode,
        node(wlId, w.name, 'workload', {
          description: w.kind,
          tooltip: `${w.kind} ${w.name} ${kind === 'appeared' ? `is new since ${base}` : `was in ${base} and is gone`}; ${w.connections.length} connection${w.connections.length === 1 ? '' : 's'}`,
          target: { location: w.location, inBase: w.inBase },
        }),
      );
      for (const c of w.connections) {
        const outgoing = c.from === w.name;
        adopt(wlNode, node(`${wlId}|${c.from}>${c.to}`, outgoing ? `→ ${c.to}` : `← ${c.from}`, outgoing ? 'outgoing' : 'incoming', { description: c.ports }));
      }
    }
  };
  workloads('appeared', result.workloadsAdded);
  workloads('disappeared', result.workloadsRemoved);
  return roots;
}

/** One lens per changed policy of the working tree (deleted policies have no place in it). */
export function policyLenses(result: ReachabilityDiffResult): PolicyLens[] {
  const lenses = new Map<string, PolicyLens>();
  for (const change of result.changes) {
    const allows = change.kind === 'added' || (change.kind === 'changed' && change.opened !== NO_CONNECTIONS);
    const denies = change.kind === 'removed' || (change.kind === 'changed' && change.closed !== NO_CONNECTIONS);
    const counted = new Set<string>();
    for (const cause of change.causes) {
      if (cause.inBase) continue;
      const key = `${cause.location.uri}#${cause.policy}`;
      if (counted.has(key)) continue; // the same policy for ingress and egress of one pair counts once
      counted.add(key);
      let lens = lenses.get(key);
      if (!lens) lenses.set(key, (lens = { policy: cause.policy, location: cause.location, allowed: 0, denied: 0 }));
      if (allows) lens.allowed++;
      if (denies) lens.denied++;
    }
  }
  return [...lenses.values()];
}

export function lensTitle(lens: PolicyLens, base: string): string {
  return `vs ${base}: +${lens.allowed} allowed, −${lens.denied} denied`;
}

/** The status bar text: counts of connections added, removed and changed. */
export function statusText(result: ReachabilityDiffResult): string {
  const c = result.counts;
  if (c.added + c.removed + c.changed + c.appeared + c.disappeared === 0) return `$(git-compare) vs ${result.base}: no changes`;
  return `$(git-compare) vs ${result.base}: +${c.added} −${c.removed} ~${c.changed}`;
}

export function statusTooltip(result: ReachabilityDiffResult): string {
  const c = result.counts;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `Reachability compared with ${result.base}: ${n(c.added, 'connection')} added, ${c.removed} removed, ${c.changed} changed; ${n(c.appeared, 'workload')} appeared, ${c.disappeared} disappeared. Click to show the changes.`;
}
