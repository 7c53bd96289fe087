// A selector that matches nothing because of a near-miss: a label key or value close to one that exists ("did
// you mean `app: postgresql`?"), or labels that match a workload's own metadata.labels but not its pod template's
// labels (policies select pods, and a Deployment's labels are not its pods' labels).
import { defineQuery, type Store } from '../store';
import { distance } from 'fastest-levenshtein';
import { isMap, isPair, isScalar, type Node as YamlNode, type Scalar } from 'yaml';
import { replaceScalar } from '../edits';
import type { Workload } from '../model';
import { scalarRangeInText } from '../fast-positions';
import { isPlainObject, nodeAt, type K8sObject } from '../parse';
import type { NetworkPolicy, Path } from '../policy';
import { formatSelector, matchesSelector, type LabelSelector, type SelectorRequirement } from '../selectors';
import type { Labels } from '../types';
import { inWorkspace, listNames, locate, modelIndex, namespaceEvidence, namespacesMatching, NamespacesDerived, peerCandidates, peerSelectsAnyPod, workloadsIn, type NamespaceEvidence } from './common';
import { anyOfListMatches, itemsMatching, itemsOfListMatching, labelIndexOf, nearMissCandidates, type LabelIndex, type LabelWork } from './label-index';
import type { Rule, RuleContext } from './types';

interface Candidate {
  name: string;
  labels: Labels;
}

/** A requirement with the YAML paths of its key and of each of its values. */
interface LocatedRequirement {
  requirement: SelectorRequirement;
  keyPath: Path;
  /** For matchLabels, the key path addresses the pair's key; the value path its value. */
  keyIsMapKey: boolean;
  valuePaths: Path[];
}

function locatedRequirements(raw: unknown, selectorPath: Path): LocatedRequirement[] {
  const out: LocatedRequirement[] = [];
  if (!isPlainObject(raw)) return out;
  if (isPlainObject(raw.matchLabels)) {
    for (const [key, value] of Object.entries(raw.matchLabels)) {
      if (typeof value !== 'string') continue;
      out.push({
        requirement: { key, operator: 'In', values: [value] },
        keyPath: [...selectorPath, 'matchLabels', key],
        keyIsMapKey: true,
        valuePaths: [[...selectorPath, 'matchLabels', key]],
      });
    }
  }
  if (Array.isArray(raw.matchExpressions)) {
    raw.matchExpressions.forEach((e, i) => {
      if (!isPlainObject(e) || typeof e.key !== 'string' || typeof e.operator !== 'string') return;
      const values = Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === 'string') : [];
      out.push({
        requirement: { key: e.key, operator: e.operator as SelectorRequirement['operator'], values },
        keyPath: [...selectorPath, 'matchExpressions', i, 'key'],
        keyIsMapKey: false,
        valuePaths: values.map((_, j) => [...selectorPath, 'matchExpressions', i, 'values', j]),
      });
    });
  }
  return out;
}

function close(work: LabelWork, a: string, b: string): boolean {
  work.labelComparisons++;
  if (a === b) return false;
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const longest = Math.max(a.length, b.length);
  const allowed = longest <= 4 ? 1 : longest <= 12 ? 2 : 3;
  // The edit distance is at least the difference in length: no need to compute it for strings that far apart.
  if (Math.abs(a.length - b.length) > allowed) return false;
  return distance(a, b) <= allowed;
}

interface Suggestion {
  path: Path;
  keyIsMapKey: boolean;
  from: string;
  to: string;
  /** The label as written and as suggested, for messages: `app: postgres`, or just the key. */
  written: string;
  suggested: string;
  matched: Candidate[];
}

// Candidate lists, built once per list (the lists themselves are kept per model).
const CANDIDATE_LISTS = defineQuery<readonly object[], Candidate[]>({
  name: 'label-typo-candidates',
  reads: ['workloads'],
  lifetime: 'model',
  description: 'a list of workloads as near-miss candidates (name and labels)',
});

function candidatesOf<T extends object>(store: Store, list: readonly T[], toCandidate: (item: T) => Candidate): Candidate[] {
  return store.query(CANDIDATE_LISTS).get(list, () => list.map(toCandidate));
}

/**
 * The namespaces as candidates, kept while the namespaces and their labels stay (an edit of a workload or policy
 * keeps them): their index and near-miss vocabulary are then built once, not per model.
 */
const namespaceCandidates = new NamespacesDerived((namespaces): Candidate[] => namespaces.map((n) => ({ name: n.name, labels: n.labels })));

function candidateIndex(store: Store, candidates: Candidate[]): LabelIndex<Candidate> {
  return labelIndexOf(store, candidates, 'labels', (c) => c.labels);
}

const podLabels = (w: Workload) => w.podLabels;
const objectLabels = (w: Workload) => w.objectLabels;

function requirementMatches(work: LabelWork, requirement: SelectorRequirement, labels: Labels): boolean {
  work.selectorTests++;
  return matchesSelector({ requirements: [requirement], matchLabels: {}, problems: [] }, labels);
}

/**
 * Which candidates a one-token change of requirement i could make the selector match: those that fail requirement i
 * and no other (positions in candidate order), plus those that fail none. Each candidate is tested until its second
 * failure, so a selector with 20,000 labels costs one pass over them per candidate, not one per label and change.
 */
function oneChangeAway(work: LabelWork, requirements: readonly LocatedRequirement[], candidates: readonly Candidate[], positions: Iterable<number>): { failingOnly: Map<number, number[]>; failingNone: number[] } {
  const failingOnly = new Map<number, number[]>();
  const failingNone: number[] = [];
  for (const position of positions) {
    const candidate = candidates[position];
    let failed = -1;
    for (let i = 0; i < requirements.length; i++) {
      if (requirementMatches(work, requirements[i].requirement, candidate.labels)) continue;
      if (failed >= 0) {
        failed = -2;
        break;
      }
      failed = i;
    }
    if (failed === -1) failingNone.push(position);
    else if (failed >= 0) {
      const list = failingOnly.get(failed);
      if (list) list.push(position);
      else failingOnly.set(failed, [position]);
    }
  }
  return { failingOnly, failingNone };
}

/** Selectors with at most this many requirements are changed and matched whole through the index, per change. */
const FEW_REQUIREMENTS = 8;

/**
 * Positions of the candidates that can fail at most one requirement: those with the label of one of the two most
 * selective `In`/`Exists` requirements (a candidate cannot fail both), in order; all when there are not two.
 */
function positionsWorthTesting(index: LabelIndex<Candidate>, requirements: readonly LocatedRequirement[]): Iterable<number> {
  const lists: number[][] = [];
  for (const { requirement: r } of requirements) {
    const values = index.byValue.get(r.key);
    if (r.operator === 'In') lists.push(r.values.flatMap((v) => values?.get(v) ?? []));
    else if (r.operator === 'Exists') lists.push(values ? [...values.values()].flat() : []);
  }
  if (lists.length < 2) return index.items.keys();
  lists.sort((a, b) => a.length - b.length);
  return [...new Set([...lists[0], ...lists[1]])].sort((a, b) => a - b);
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++]);
  return out;
}

function selectorWith(requirements: readonly LocatedRequirement[], index: number, replacement: SelectorRequirement): LabelSelector {
  const reqs = requirements.map((r, i) => (i === index ? replacement : r.requirement));
  return { requirements: reqs, matchLabels: {}, problems: [] };
}

/** The first single-token change (a key or one value) that makes the selector match a candidate. */
function findSuggestion(store: Store, requirements: LocatedRequirement[], candidates: Candidate[]): Suggestion | undefined {
  const index = candidateIndex(store, candidates);
  const { keys, valuesByKey, byValue } = index;
  // A few requirements: each change is matched whole through the index. Many (a selector of 20,000 labels): each
  // candidate is tested once against them all, and a change of requirement i is tested only on the candidates that
  // fail requirement i alone; matching each changed selector whole would be quadratic in the requirements.
  const few = requirements.length <= FEW_REQUIREMENTS;
  const { failingOnly, failingNone } = few ? { failingOnly: undefined, failingNone: [] } : oneChangeAway(store.labelWork, requirements, candidates, positionsWorthTesting(index, requirements));
  for (let i = 0; i < requirements.length; i++) {
    const { requirement: r, keyPath, keyIsMapKey, valuePaths } = requirements[i];
    if (r.operator === 'DoesNotExist' || r.operator === 'NotIn') continue;
    // The candidates the selector matches once requirement i is replaced: those failing only i that meet the
    // replacement (the same answer as matching the whole changed selector).
    const reachable = failingOnly ? mergeSorted(failingOnly.get(i) ?? [], failingNone) : undefined;
    if (reachable?.length === 0) continue;
    const matching = (replacement: SelectorRequirement) =>
      reachable
        ? reachable.filter((p) => requirementMatches(store.labelWork, replacement, candidates[p].labels)).map((p) => candidates[p])
        : itemsMatching(index, selectorWith(requirements, i, replacement));
    if (!valuesByKey.has(r.key)) {
      for (const k of nearMissCandidates(store, keys, r.key)) {
        if (!close(store.labelWork, r.key, k)) continue;
        const matched = matching({ ...r, key: k });
        if (matched.length) return { path: keyPath, keyIsMapKey, from: r.key, to: k, written: `a label key ${r.key}`, suggested: k, matched };
      }
      continue;
    }
    if (r.operator !== 'In') continue;
    const existing = valuesByKey.get(r.key)!;
    for (let j = 0; j < r.values.length; j++) {
      if (byValue.get(r.key)!.has(r.values[j])) continue;
      for (const v of nearMissCandidates(store, existing, r.values[j])) {
        if (!close(store.labelWork, r.values[j], v)) continue;
        const values = r.values.map((x, n) => (n === j ? v : x));
        const matched = matching({ ...r, values });
        if (matched.length) {
          return { path: valuePaths[j], keyIsMapKey: false, from: r.values[j], to: v, written: `the label ${r.key}: ${r.values[j]}`, suggested: `${r.key}: ${v}`, matched };
        }
      }
    }
  }
  return undefined;
}

function scalarAt(object: K8sObject, path: Path, mapKey: boolean): Scalar | undefined {
  if (!mapKey) {
    const n = nodeAt(object.node, path);
    return isScalar(n) ? n : undefined;
  }
  const parent = nodeAt(object.node, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  for (const pair of parent.items) if (isPair(pair) && isScalar(pair.key) && pair.key.value === path[path.length - 1]) return pair.key;
  return undefined;
}

export const labelTypo: Rule = {
  id: 'label-typo',
  defaultSeverity: 'warning',
  // Suggestions come from every pod and namespace label the selectors could reach.
  unit: 'policy-reach',
  description: 'A selector matches nothing because of a near-miss label, or matches a workload\'s own labels instead of its pods\'.',
  run(context) {
    if (!modelIndex(context.model).hasOwnWorkloads) return;
    const podCandidates = (workloads: readonly Workload[]) => candidatesOf(context.store, workloads, (w) => ({ name: w.displayName, labels: w.podLabels }));
    for (const policy of context.model.policies) {
      if (!policy.valid || !inWorkspace(context, policy.object)) continue;
      const spec = policy.object.value.spec as Record<string, unknown>;
      const inNamespace = workloadsIn(context.model, policy.namespace);
      if (!anyOfListMatches(context.store, inNamespace, 'pod', podLabels, policy.podSelector)) {
        check(context, policy, spec.podSelector, ['spec', 'podSelector'], policy.podSelector, inNamespace, podCandidates(inNamespace), `pod in namespace ${policy.namespace}`, openEvidence(context, [policy.namespace]));
      }
      for (const rule of [...(policy.types.ingress ? policy.ingress : []), ...(policy.types.egress ? policy.egress : [])]) {
        for (const peer of rule.peers ?? []) {
          if (peer.type !== 'pods') continue;
          const raw = nodeValue(policy.object.value, peer.path);
          if (!isPlainObject(raw)) continue;
          let namespaces = [policy.namespace];
          if (peer.namespaceSelector) {
            const matched = namespacesMatching(context, peer.namespaceSelector);
            if (matched.length === 0) {
              const candidates = namespaceCandidates.get(context);
              check(context, policy, raw.namespaceSelector, [...peer.path, 'namespaceSelector'], peer.namespaceSelector, [], candidates, 'namespace');
              continue;
            }
            namespaces = matched.map((n) => n.name);
          }
          if (!peer.podSelector) continue;
          // Asked of the peer (kept up to date across edits) rather than of an index of every candidate pod.
          if (peerSelectsAnyPod(context, policy, peer)) continue;
          const pods = peerCandidates(context, policy, peer);
          const where = namespaces.length === 1 ? `namespace ${namespaces[0]}` : `namespaces ${listNames(namespaces)}`;
          check(context, policy, raw.podSelector, [...peer.path, 'podSelector'], peer.podSelector, pods, podCandidates(pods), `pod in ${where}`, openEvidence(context, namespaces));
        }
      }
    }
  },
};

/** The first of some namespaces whose pods the files may not all show (a near miss there may be a real label). */
function openEvidence(context: RuleContext, namespaces: readonly string[]): NamespaceEvidence | undefined {
  // By name: the namespaces' order differs between a built and an updated model.
  for (const ns of [...namespaces].sort()) {
    const evidence = namespaceEvidence(context, ns);
    if (!evidence.complete) return evidence;
  }
  return undefined;
}

function nodeValue(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}

function check(
  context: RuleContext,
  policy: NetworkPolicy,
  raw: unknown,
  selectorPath: Path,
  selector: LabelSelector,
  workloads: readonly Workload[],
  candidates: Candidate[],
  noun: string,
  open?: NamespaceEvidence,
): void {
  if (candidates.length === 0 || selector.requirements.length === 0) return;
  // Labels of the controller instead of its pods: say exactly that.
  // Only selectors that require labels can be said to match a controller's labels (NotIn matches an unlabelled one).
  const required = selector.requirements.filter((r) => r.operator === 'In' || r.operator === 'Exists');
  const onObject = required.length
    ? itemsOfListMatching(context.store, workloads, 'object', objectLabels, selector).filter((w) => w.kind !== 'Pod')
    : [];
  if (onObject.length > 0) {
    const w = onObject[0];
    const podLabels = Object.entries(w.podLabels).map(([k, v]) => `${k}=${v}`).join(',') || 'none';
    context.report({
      message: `${formatSelector(selector)} matches the metadata.labels of ${w.kind} ${w.displayName}, but not its pod template's labels (${[...w.templatePath, 'metadata', 'labels'].join('.')}: ${podLabels}). Policies select pods by the pods' own labels.`,
      location: locate(policy.object, selectorPath),
    });
    return;
  }
  const suggestion = findSuggestion(context.store, locatedRequirements(raw, selectorPath), candidates);
  if (!suggestion) return;
  const uri = policy.object.uri;
  // Without a fix to build, the scalar's range comes from the text when the fast reader read the file.
  const fromText = context.wantFixes ? undefined : scalarRangeInText(policy.object, suggestion.path, suggestion.keyIsMapKey);
  const node = fromText === undefined ? scalarAt(policy.object, suggestion.path, suggestion.keyIsMapKey) : undefined;
  const file = context.wantFixes ? context.file(uri) : undefined;
  const edit = file && node ? replaceScalar(file.text, node as YamlNode, suggestion.to) : undefined;
  const range = fromText ?? (node?.range ? ([node.range[0], node.range[1]] as const) : undefined);
  const location = range ? { uri, range } : locate(policy.object, suggestion.path);
  context.report({
    message: `No ${noun} ${open ? 'in the files ' : ''}has ${suggestion.written}; did you mean ${suggestion.suggested} (${listNames(suggestion.matched.map((c) => c.name))})?${open ? ` But ${open.unknown}.` : ''}`,
    ...(open ? { severity: 'hint' as const } : {}),
    location,
    ...(edit ? { fixes: [{ title: `Replace "${suggestion.from}" with "${suggestion.to}"`, edits: [{ uri, ...edit }], ...(open ? {} : { preferred: true }) }] } : {}),
  });
}
