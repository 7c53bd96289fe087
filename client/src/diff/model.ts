// Turns the server's reachability diff into what the editor shows: the tree of the "Reachability changes" view
// (added / removed / changed connections grouped by namespace and workload, each linked to the policies that cause
// it, then workloads that appeared or disappeared) and the per-policy counts of the code lenses. No vscode here.
import type { Location } from 'vscode-languageserver-protocol';
import type { ReachabilityDiffCause, ReachabilityDiffChange, ReachabilityDiffPolicy, ReachabilityDiffResult, ReachabilityDiffWorkload } from '../../../server/src/lsp/protocol';

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

/**
 * The code lens of one changed policy in the working tree: the connections its change decides, by kind (the server
 * computes them once, for the lens, the tree's policy entries and the totals alike).
 */
export type PolicyLens = ReachabilityDiffPolicy;


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

/** Added and removed rows name the ports; changed rows say what is allowed now, in plain words. */
function portsText(change: ReachabilityDiffChange): string {
  if (change.kind === 'added') return change.after;
  if (change.kind === 'removed') return change.before;
  return change.summary;
}

/**
 * The causes an entry lists: the policies whose change decides it. When none does alone or necessarily (only their
 * changes together make it), all of them, marked so.
 */
function shownCauses(change: ReachabilityDiffChange): { cause: ReachabilityDiffCause; together: boolean }[] {
  const deciding = change.causes.filter((c) => c.decides);
  return deciding.length > 0 ? deciding.map((cause) => ({ cause, together: false })) : change.causes.map((cause) => ({ cause, together: true }));
}

function causeNode(id: string, cause: ReachabilityDiffCause, base: string, together: boolean): DiffNode {
  const what = cause.change === 'unchanged' ? 'selects other pods' : cause.change;
  return node(id, cause.policy, `policy-${cause.change}` as DiffIcon, {
    description: `${what} · ${cause.direction}${together ? ' · together with the others' : ''}`,
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
      const causes = shownCauses(change);
      const conn = adopt(
        wlNode,
        node(connId, side === 'to' ? `← ${peer}${external}` : `→ ${peer}${external}`, side === 'to' ? 'incoming' : 'outgoing', {
          description: portsText(change),
          tooltip: `${change.from} → ${change.to}: ${change.summary}\n${base}: ${change.before}\nnow: ${change.after}`,
          target: causes[0] ? { location: causes[0].cause.location, inBase: causes[0].cause.inBase } : undefined,
        }),
      );
      causes.forEach(({ cause, together }, i) => adopt(conn, causeNode(`${connId}|${i}:${cause.policy}:${cause.direction}`, cause, base, together)));
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
  // Each changed policy with the connections its change decides: the numbers of its code lens.
  const policies = result.policies.filter((p) => p.added + p.removed + p.changed > 0);
  if (policies.length > 0) {
    const category = node('p:policies', 'Changed policies', 'changed', { description: String(policies.length) });
    roots.push(category);
    for (const p of policies) {
      adopt(
        category,
        node(`p:${p.location.uri}#${p.policy}`, p.policy, `policy-${p.change}` as DiffIcon, {
          description: `${p.change === 'unchanged' ? 'selects other pods' : p.change} · ${countsText(p)}`,
          tooltip: `The connections that the change of ${p.policy} decides, compared with ${base}: ${countsText(p)}.`,
          target: { location: p.location, inBase: p.inBase },
          policy: p.policy,
        }),
      );
    }
  }
  return roots;
}

/** `+1 added, −0 removed, ~2 changed`: the words of the lens, the status bar and the tree's policy entries. */
export function countsText(c: { added: number; removed: number; changed: number }): string {
  return `+${c.added} added, −${c.removed} removed, ~${c.changed} changed`;
}

/** One lens per changed policy of the working tree that decides a change (deleted policies have no place in it). */
export function policyLenses(result: ReachabilityDiffResult): PolicyLens[] {
  return result.policies.filter((p) => !p.inBase && p.added + p.removed + p.changed > 0);
}

export function lensTitle(lens: PolicyLens, base: string): string {
  return `vs ${base}: ${countsText(lens)}`;
}

/** The status bar text: counts of connections added, removed and changed, in the words of the lenses. */
export function statusText(result: ReachabilityDiffResult): string {
  const c = result.counts;
  if (c.added + c.removed + c.changed + c.appeared + c.disappeared === 0) return `$(git-compare) vs ${result.base}: no changes`;
  return `$(git-compare) vs ${result.base}: ${countsText(c)}`;
}

export function statusTooltip(result: ReachabilityDiffResult): string {
  const c = result.counts;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `Reachability compared with ${result.base}: ${n(c.added, 'connection')} added, ${c.removed} removed, ${c.changed} changed; ${n(c.appeared, 'workload')} appeared, ${c.disappeared} disappeared. Click to show the changes.`;
}
