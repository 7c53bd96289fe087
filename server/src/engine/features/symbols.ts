// Document symbols (every object of a multi-document file, policies with their rules, workloads with their
// containers) and a fuzzy workspace symbol search over policies and workloads.
import { isMap, isSeq, type Node as YamlNode } from 'yaml';
import { nodeAt, rangeAt, type K8sObject } from '../parse';
import type { OffsetRange, SourceLocation } from '../types';
import type { Workspace } from '../workspace';
import { describePeer, describePorts } from './describe';
import { featureIndex } from './index';
import { nameRangeInText, policyLocation, workloadLocation } from './markdown';
import type { Workload } from '../model';
import type { NetworkPolicy } from '../policy';

/** What the symbol is; the language server maps these to LSP SymbolKinds. */
export type SymbolCategory = 'policy' | 'workload' | 'namespace' | 'service' | 'object' | 'rule' | 'selector' | 'container';

export interface DocumentSymbol {
  name: string;
  detail: string;
  category: SymbolCategory;
  range: OffsetRange;
  selectionRange: OffsetRange;
  children: DocumentSymbol[];
}

function categoryOf(object: K8sObject, isPolicy: boolean, isWorkload: boolean): SymbolCategory {
  if (isPolicy) return 'policy';
  if (isWorkload) return 'workload';
  if (object.kind === 'Namespace') return 'namespace';
  if (object.kind === 'Service') return 'service';
  return 'object';
}

function nodeRange(node: YamlNode | undefined, fallback: OffsetRange): OffsetRange {
  return node?.range ? [node.range[0], node.range[1]] : fallback;
}

export function documentSymbols(workspace: Workspace, uri: string): DocumentSymbol[] {
  const file = workspace.getFile(uri);
  if (!file) return [];
  const index = featureIndex(workspace).scopeFor(uri);
  const symbols: DocumentSymbol[] = [];
  for (const document of file.documents) {
    for (const object of document.objects) {
      const policy = index?.policyFor(object);
      const workload = index?.workloadFor(object);
      const selectionRange = nameRangeInText(file.text, object) ?? rangeAt(object.node, ['metadata', 'name']) ?? [object.range[0], object.range[0]];
      const namespace = policy?.namespace ?? (workload?.object === object ? workload.namespace : object.namespace);
      const symbol: DocumentSymbol = {
        name: object.name || '(unnamed)',
        detail: namespace ? `${object.kind} · ${namespace}` : object.kind,
        category: categoryOf(object, !!policy, !!workload),
        range: object.range,
        selectionRange,
        children: [],
      };
      if (policy) {
        const selector = rangeAt(object.node, ['spec', 'podSelector']);
        if (selector) symbol.children.push({ name: 'podSelector', detail: '', category: 'selector', range: selector, selectionRange: selector, children: [] });
        for (const rule of [...policy.ingress, ...policy.egress]) {
          const range = rangeAt(object.node, rule.path);
          if (!range) continue;
          const toward = rule.direction === 'ingress' ? 'from' : 'to';
          const peers = rule.peers ? rule.peers.map((p) => describePeer(p, policy.namespace)).join('; ') : 'anywhere';
          symbol.children.push({
            name: `${rule.direction}[${rule.index}]`,
            detail: `${describePorts(rule.ports)} ${toward} ${peers}`,
            category: 'rule',
            range,
            selectionRange: range,
            children: [],
          });
        }
      } else if (workload && workload.object === object) {
        const podSpec = nodeAt(object.node, [...workload.templatePath, 'spec', 'containers']);
        if (isSeq(podSpec)) {
          for (const item of podSpec.items) {
            if (!isMap(item)) continue;
            const name = item.get('name');
            const range = nodeRange(item as YamlNode, object.range);
            symbol.children.push({
              name: typeof name === 'string' ? name : '(container)',
              detail: 'container',
              category: 'container',
              range,
              selectionRange: nodeRange(item.get('name', true) as YamlNode | undefined, range),
              children: [],
            });
          }
        }
      }
      symbols.push(symbol);
    }
  }
  return symbols;
}

export interface WorkspaceSymbol {
  name: string;
  /** `Kind · namespace` */
  containerName: string;
  category: SymbolCategory;
  location: SourceLocation;
}

/**
 * Fuzzy score of `query` in `text`: every query character must appear in order (case-insensitive). Higher is
 * better: consecutive characters, matches at word starts and shorter texts rank first. Undefined: no match.
 */
export function fuzzyScore(query: string, text: string): number | undefined {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  if (q.length === 0) return 0;
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const ch of q) {
    const found = t.indexOf(ch, from);
    if (found < 0) return undefined;
    score += found === previous + 1 ? 3 : 1;
    if (found === 0 || /[-_./ ]/.test(t[found - 1])) score += 2;
    previous = found;
    from = found + 1;
  }
  return score - t.length / 100;
}

export const WORKSPACE_SYMBOL_LIMIT = 200;

interface Candidate {
  object: K8sObject;
  namespace: string;
  category: SymbolCategory;
  assumed: boolean;
  policy?: NetworkPolicy;
  workload?: Workload;
}

export function workspaceSymbols(workspace: Workspace, query: string): WorkspaceSymbol[] {
  const seen = new Set<K8sObject>();
  const scored: { candidate: Candidate; score: number }[] = [];
  for (const index of featureIndex(workspace).scopes()) {
    const candidates: Candidate[] = [
      ...index.model.policies.map((p) => ({ object: p.object, namespace: p.namespace, category: 'policy' as const, assumed: !workspace.hasFile(p.object.uri), policy: p })),
      ...index.model.workloads.map((w) => ({ object: w.object, namespace: w.namespace, category: 'workload' as const, assumed: w.assumed, workload: w })),
    ];
    for (const c of candidates) {
      if (c.assumed || seen.has(c.object)) continue;
      seen.add(c.object);
      // Both `name` and `namespace/name` are searchable.
      const score = Math.max(fuzzyScore(query, c.object.name) ?? -Infinity, (fuzzyScore(query, `${c.namespace}/${c.object.name}`) ?? -Infinity) - 1);
      if (score === -Infinity) continue;
      scored.push({ score, candidate: c });
    }
  }
  const order = (c: Candidate) => `${c.object.name}\u0000${c.object.kind}\u0000${c.namespace}`;
  scored.sort((a, b) => b.score - a.score || (order(a.candidate) < order(b.candidate) ? -1 : order(a.candidate) > order(b.candidate) ? 1 : 0));
  // Locations only for what is returned: reading them costs a text scan per object.
  return scored.slice(0, WORKSPACE_SYMBOL_LIMIT).map(({ candidate: c }) => ({
    name: c.object.name,
    containerName: `${c.object.kind} · ${c.namespace}`,
    category: c.category,
    location: c.policy ? policyLocation(c.policy, workspace) : workloadLocation(c.workload!, workspace),
  }));
}
