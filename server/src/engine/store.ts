// The store of derived state: every answer the engine keeps between calls (the pods a peer selects, the namespaces
// a selector matches, the DNS endpoints, the editors' feature index, ...) lives in the store of the workspace it was
// computed for, in a named query that says what it reads and how it is invalidated. Rules and features reach it
// through their context (`RuleContext.store`, `Scope.store`); nothing in the engine keeps derived state in a
// module-level table (server/test/architecture/store.test.ts lists the few pure memo tables that may).
//
// Invalidation follows the workspace's change log. A change to a file makes the workspace update the models of its
// scopes (model.ts `updateModel`, which records in the model's lineage which namespaces changed):
// - `model` queries are keyed by a model (or by a list of it): the updated model is a new key, and the old entries
//   go with the old model;
// - `lineage` queries are kept across models and, when asked about a later model, reuse what `changesSince` (the
//   change log as namespaces) says is unchanged and recompute the rest;
// - `version` queries are keyed by the workspace and remember the version they were made at;
// - a configuration change (`.netpol.yaml`) empties the whole store: every query reads the configuration.

/** What a query's answers are a function of (documentation for rule authors; the invalidation is by `lifetime`). */
export type StoreRead =
  | 'namespaces'
  | 'workloads'
  | 'policies'
  | 'services'
  | 'objects'
  | 'skipped-workloads'
  | 'config.dns'
  | 'selector'
  | 'peer'
  | 'workspace-version'
  | 'label-index';

export interface QueryDefinition {
  /** Unique within the engine; the key of `Store.stats()`. */
  readonly name: string;
  readonly reads: readonly StoreRead[];
  readonly lifetime: 'model' | 'lineage' | 'version';
  /** One line: what the answers are. */
  readonly description: string;
}

/** Defines a query (a constant of the module that computes it; the store holds its answers). */
export function defineQuery<K extends object, V>(definition: QueryDefinition): QueryHandle<K, V> {
  return definition as QueryHandle<K, V>;
}

/** A query definition that also carries its key and value types. */
export interface QueryHandle<K extends object, V> extends QueryDefinition {
  /** Phantom: never set. */
  readonly __types?: [K, V];
}

/** One query's answers in one store, keyed by object identity (entries go with their keys), with its counts. */
export class Query<K extends object, V> {
  hits = 0;
  misses = 0;
  private entries = new WeakMap<K, V>();

  constructor(readonly definition: QueryDefinition) {}

  /** The answer for a key, computing and keeping it on a miss. */
  get(key: K, compute: (key: K) => V): V {
    const known = this.entries.get(key);
    if (known !== undefined || this.entries.has(key)) {
      this.hits++;
      return known as V;
    }
    this.misses++;
    const value = compute(key);
    this.entries.set(key, value);
    return value;
  }

  /** The kept answer, if any, counted as a hit or a miss (for queries that update their answers themselves). */
  peek(key: K): V | undefined {
    const known = this.entries.get(key);
    if (known !== undefined) this.hits++;
    else this.misses++;
    return known;
  }

  /** Whether an answer is kept, without counting. */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries = new WeakMap();
  }
}

export interface QueryStats {
  name: string;
  lifetime: QueryDefinition['lifetime'];
  reads: readonly StoreRead[];
  hits: number;
  misses: number;
}

export class Store {
  private readonly queries = new Map<string, Query<object, unknown>>();

  /** How the pods of wide peers were searched (rules/common.ts `podsInNamespaces`): through the label index or by scanning. */
  readonly podSearches = { byIndex: 0, byScan: 0 };

  /** Label work of the rules (rules/label-index.ts, label-typo): operation counts for tests that check how work grows. */
  readonly labelWork = { selectorTests: 0, indexesBuilt: 0, labelComparisons: 0 };

  /** How the bulk evaluator (assertions/bulk.ts) got its peer tables: carried over from an earlier model, or built. */
  readonly peerTables = { built: 0, updated: 0 };

  /** Settings of the searches; the bench and tests may change them. */
  readonly tuning = {
    /**
     * Wide searches of a model's pods made by scanning before its label index is built. An edit asks about the few
     * peers of the policies it changed (every model of an edit is new, and so would its index be): building the
     * index for them made the p95 of edits on the large bench workspace 10 ms slower. A whole run asks about hundreds.
     */
    wideScansBeforeIndex: 4,
  };

  /** The answers of a query in this store (made on first use). */
  query<K extends object, V>(definition: QueryHandle<K, V>): Query<K, V> {
    let query = this.queries.get(definition.name);
    if (!query) {
      query = new Query(definition);
      this.queries.set(definition.name, query);
    } else if (query.definition !== definition) throw new Error(`two store queries are named ${definition.name}`);
    return query as unknown as Query<K, V>;
  }

  /** Every query used so far, with its counts. */
  stats(): QueryStats[] {
    return [...this.queries.values()].map((q) => ({ name: q.definition.name, lifetime: q.definition.lifetime, reads: q.definition.reads, hits: q.hits, misses: q.misses }));
  }

  /** Forgets the answers of one query, or of all (the counts stay). */
  clear(definition?: QueryDefinition): void {
    if (definition) this.queries.get(definition.name)?.clear();
    else for (const query of this.queries.values()) query.clear();
  }
}
