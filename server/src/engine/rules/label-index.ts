// An index of a list's labels (key -> value -> positions), built once per list and label accessor, so that rules
// asking "which of these match this selector?" for every policy test only the items that carry a required label
// instead of the whole list (a namespace with thousands of workloads made those rules quadratic).
import { defineQuery, type Store } from '../store';
import { matchesSelector, type LabelSelector } from '../selectors';
import type { Labels } from '../types';

export interface LabelIndex<T> {
  readonly items: readonly T[];
  readonly labelsOf: (item: T) => Labels;
  /** Positions in `items` (ascending) of the items with each key and value. */
  readonly byValue: Map<string, Map<string, number[]>>;
  /** Label keys, sorted. */
  readonly keys: string[];
  /** Per key, its distinct values, sorted. */
  readonly valuesByKey: Map<string, string[]>;
  /** Positions (ascending) of the items with each key, filled when an `Exists` requirement asks. */
  readonly withKey: Map<string, number[]>;
  /** Where the selector tests made through the index are counted (its store's). */
  readonly work: LabelWork;
}

/** Operation counts, for tests that check how work grows with the input (never for timing): `Store.labelWork`. */
export type LabelWork = Store['labelWork'];

/** An index whose sorted keys and values (only near-miss suggestions read them) are sorted on first use. */
class BuiltLabelIndex<T> implements LabelIndex<T> {
  readonly byValue = new Map<string, Map<string, number[]>>();
  readonly withKey = new Map<string, number[]>();
  private sortedKeys: string[] | undefined;
  private sortedValues: Map<string, string[]> | undefined;

  constructor(
    readonly items: readonly T[],
    readonly labelsOf: (item: T) => Labels,
    readonly work: LabelWork,
  ) {
    const byValue = this.byValue;
    for (let position = 0; position < items.length; position++) {
      const labels = labelsOf(items[position]);
      for (const key of Object.keys(labels)) {
        const value = labels[key];
        let values = byValue.get(key);
        if (!values) byValue.set(key, (values = new Map()));
        const positions = values.get(value);
        if (positions) positions.push(position);
        else values.set(value, [position]);
      }
    }
  }

  get keys(): string[] {
    return (this.sortedKeys ??= [...this.byValue.keys()].sort());
  }

  get valuesByKey(): Map<string, string[]> {
    return (this.sortedValues ??= new Map([...this.byValue].map(([key, values]) => [key, [...values.keys()].sort()])));
  }
}

// Indexes of different item types share the query; each is read back under the type it was built with.
const LABEL_INDEXES = defineQuery<readonly object[], Map<string, unknown>>({
  name: 'label-index',
  reads: ['label-index'],
  lifetime: 'model',
  description: "a list's label index (key -> value -> positions), per label accessor",
});

/**
 * The index of a list under a label accessor named `kind` (e.g. "pod" for a workload's pod labels). The list must
 * not change after the first call (the model's lists do not).
 */
export function labelIndexOf<T extends object>(store: Store, items: readonly T[], kind: string, labelsOf: (item: T) => Labels): LabelIndex<T> {
  const byKind = store.query(LABEL_INDEXES).get(items, () => new Map());
  let index = byKind.get(kind) as LabelIndex<T> | undefined;
  if (!index) {
    store.labelWork.indexesBuilt++;
    index = new BuiltLabelIndex(items, labelsOf, store.labelWork);
    byKind.set(kind, index);
  }
  return index;
}

/** Whether the index of a list under `kind` has been built (`labelIndexOf`). */
export function hasLabelIndex(store: Store, items: readonly object[], kind: string): boolean {
  const query = store.query(LABEL_INDEXES);
  return query.has(items) && query.peek(items)!.has(kind);
}

/** Lists shorter than this are tested item by item: their index would cost more to build than it saves. */
const SHORT_LIST = 48;

/** `itemsMatching` on the list's index under `kind`, or on the list itself when it is short (same items, same order). */
export function itemsOfListMatching<T extends object>(store: Store, items: readonly T[], kind: string, labelsOf: (item: T) => Labels, selector: LabelSelector): T[] {
  if (items.length >= SHORT_LIST) return itemsMatching(labelIndexOf(store, items, kind, labelsOf), selector);
  const out: T[] = [];
  for (const item of items) {
    store.labelWork.selectorTests++;
    if (matchesSelector(selector, labelsOf(item))) out.push(item);
  }
  return out;
}

/** `matchesAnyItem` on the list's index under `kind`, or on the list itself when it is short. */
export function anyOfListMatches<T extends object>(store: Store, items: readonly T[], kind: string, labelsOf: (item: T) => Labels, selector: LabelSelector): boolean {
  if (items.length >= SHORT_LIST) return matchesAnyItem(labelIndexOf(store, items, kind, labelsOf), selector);
  for (const item of items) {
    store.labelWork.selectorTests++;
    if (matchesSelector(selector, labelsOf(item))) return true;
  }
  return false;
}

/**
 * Positions of the items that can match a selector: those with the values of its narrowest `In` requirement or
 * the key of its narrowest `Exists` one (every item when it has neither; `NotIn` and `DoesNotExist` match items
 * without the key).
 */
function candidatePositions<T>(index: LabelIndex<T>, selector: LabelSelector): number[] | undefined {
  let best: number[] | undefined;
  for (const r of selector.requirements) {
    let positions: number[];
    const values = index.byValue.get(r.key);
    if (r.operator === 'In') {
      const lists = [...new Set(r.values)].map((v) => values?.get(v)).filter((l): l is number[] => l !== undefined);
      // An item has one value per key, so the lists of distinct values are disjoint: concatenated, sorted, they
      // keep list order.
      positions = lists.length === 1 ? lists[0] : lists.flat().sort((a, b) => a - b);
    } else if (r.operator === 'Exists') {
      let known = index.withKey.get(r.key);
      if (!known) index.withKey.set(r.key, (known = values ? [...values.values()].flat().sort((a, b) => a - b) : []));
      positions = known;
    } else continue;
    if (!best || positions.length < best.length) best = positions;
    if (best.length === 0) break;
  }
  return best;
}

function test<T>(index: LabelIndex<T>, selector: LabelSelector, item: T): boolean {
  index.work.selectorTests++;
  return matchesSelector(selector, index.labelsOf(item));
}

/** The items a selector matches, in list order. */
export function itemsMatching<T>(index: LabelIndex<T>, selector: LabelSelector): T[] {
  const positions = candidatePositions(index, selector);
  if (!positions) return index.items.filter((item) => test(index, selector, item));
  const out: T[] = [];
  for (const p of positions) if (test(index, selector, index.items[p])) out.push(index.items[p]);
  return out;
}

/** Whether a selector matches any item. */
export function matchesAnyItem<T>(index: LabelIndex<T>, selector: LabelSelector): boolean {
  const positions = candidatePositions(index, selector);
  if (!positions) return index.items.some((item) => test(index, selector, item));
  return positions.some((p) => test(index, selector, index.items[p]));
}

/**
 * A sorted list of strings (label keys, or one key's values) indexed for "which of these may be a near miss of
 * q?": strings of at most 12 characters by their variants with one or two characters deleted (two strings within
 * edit distance 2 share such a variant), longer ones by length. Answers are a superset, sorted as the list is.
 */
interface Vocabulary {
  words: readonly string[];
  /** Variant (a short word with up to two characters deleted) -> positions of the words it comes from. */
  byVariant: Map<string, number[]>;
  /** Length -> positions of the words of that length (every word). */
  byLength: Map<number, number[]>;
  /** Lower-cased word -> positions (a case-only difference is a near miss at any length). */
  byLowerCase: Map<string, number[]>;
}

/** Longest word the deletion variants cover: up to it, a near miss is within edit distance 2. */
const SHORT_WORD = 12;
const VOCABULARIES = defineQuery<readonly string[], Vocabulary>({
  name: 'near-miss-vocabulary',
  reads: ['label-index'],
  lifetime: 'model',
  description: 'a sorted list of label keys or values indexed for near misses',
});
/** Queries answered by a scan, per list, before its vocabulary is built. */
const NEAR_MISS_SCANS = defineQuery<readonly string[], number>({
  name: 'near-miss-scans',
  reads: ['label-index'],
  lifetime: 'model',
  description: 'near-miss queries answered by a scan, per list, before its vocabulary is built',
});
const SCANS_BEFORE_INDEX = 8;

function deletionVariants(word: string, out: Set<string>): Set<string> {
  out.add(word);
  for (let i = 0; i < word.length; i++) {
    const once = word.slice(0, i) + word.slice(i + 1);
    out.add(once);
    for (let j = i; j < once.length; j++) out.add(once.slice(0, j) + once.slice(j + 1));
  }
  return out;
}

function push<K>(map: Map<K, number[]>, key: K, position: number): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== position) list.push(position);
  } else map.set(key, [position]);
}

function vocabularyOf(store: Store, words: readonly string[]): Vocabulary {
  const vocabularies = store.query(VOCABULARIES);
  let vocabulary = vocabularies.peek(words);
  if (!vocabulary) {
    vocabulary = { words, byVariant: new Map(), byLength: new Map(), byLowerCase: new Map() };
    words.forEach((word, position) => {
      push(vocabulary!.byLength, word.length, position);
      push(vocabulary!.byLowerCase, word.toLowerCase(), position);
      if (word.length <= SHORT_WORD) for (const variant of deletionVariants(word, new Set())) push(vocabulary!.byVariant, variant, position);
    });
    vocabularies.set(words, vocabulary);
  }
  return vocabulary;
}

/**
 * The words of a sorted list that may be near misses of `query` (equal ignoring case, or within edit distance 1
 * up to 4 characters, 2 up to 12, 3 beyond, counted on the longer of the two): a superset in list order, for the
 * caller's exact test. After the first few queries (a scan each), looks up the query's deletion variants instead
 * of comparing it with every word.
 */
export function nearMissCandidates(store: Store, words: readonly string[], query: string): string[] {
  if (!store.query(VOCABULARIES).has(words)) {
    // The first few queries on a list scan it (a rule run asks about a handful of selectors): the variants of every
    // word cost more than those scans. Every near miss differs in length by at most 3, or only in case.
    const scans = store.query(NEAR_MISS_SCANS);
    const asked = (scans.peek(words) ?? 0) + 1;
    scans.set(words, asked);
    if (asked <= SCANS_BEFORE_INDEX) {
      const lower = query.toLowerCase();
      return words.filter((word) => Math.abs(word.length - query.length) <= 3 || word.toLowerCase() === lower);
    }
  }
  const vocabulary = vocabularyOf(store, words);
  const positions = new Set<number>(vocabulary.byLowerCase.get(query.toLowerCase()) ?? []);
  const addLengths = (from: number, to: number) => {
    for (let length = Math.max(0, from); length <= to; length++) for (const p of vocabulary.byLength.get(length) ?? []) positions.add(p);
  };
  if (query.length <= SHORT_WORD) {
    // Both short: within distance 2, so they share a deletion variant. A longer word may be 3 away.
    for (const variant of deletionVariants(query, new Set())) for (const p of vocabulary.byVariant.get(variant) ?? []) positions.add(p);
    addLengths(SHORT_WORD + 1, query.length + 3);
  } else addLengths(query.length - 3, query.length + 3);
  return [...positions].sort((a, b) => a - b).map((p) => words[p]);
}
