// Architecture invariant (ARCHITECTURE.md, "The store of derived state"): the engine keeps derived state only in
// the workspace's store (engine/store.ts). A module-level table (a Map, WeakMap, WeakSet or a Set the module adds
// to) or a module-level `let` is allowed only where ALLOWED names it with its reason: pure memo tables of immutable
// inputs, bounded and holding nothing of a workspace, and scratch buffers. The check reads every engine file with
// the TypeScript parser; the last case shows it failing on a new cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ENGINE = path.resolve(__dirname, '..', '..', 'src', 'engine');

/** `file:name` (file relative to server/src/engine) -> why it may stay module-level. Keep ARCHITECTURE.md's list the same. */
const ALLOWED: Record<string, string> = {
  // Readings of one immutable object, shared by every workspace that holds the object (the language server's git
  // base version reuses the working tree's parsed files): entries go with their key.
  'model.ts:workloadReadings': 'reading of one immutable K8sObject',
  'model.ts:policyReadings': 'reading of one immutable K8sObject',
  'model.ts:clusterPolicyReadings': 'reading of one immutable K8sObject',
  'model.ts:serviceReadings': 'reading of one immutable K8sObject',
  'model.ts:calicoReadings': 'reading of one immutable K8sObject',
  'cilium-evaluate.ts:readings': 'reading of one immutable object (a Cilium policy)',
  'model.ts:findingNamespaces': 'the namespace of one immutable finding, recorded when it is made',
  'workspace.ts:skippedByFile': 'skipped workloads of one immutable ParsedFile',
  'assertions/check.ts:testsByFile': 'connectivity tests read from one immutable ParsedFile',
  'assertions/editor.ts:testFiles': 'whether one immutable ParsedFile holds connectivity tests',
  'rules/metrics-scrape-blocked.ts:objectFacts': 'what the rule reads of one immutable workload object',
  'rules/metrics-scrape-blocked.ts:scrapedServices': 'what the rule reads of one immutable Service object',
  'selectors.ts:keys': 'the text key of one immutable LabelSelector',
  // Attributes of a model, written once when the workspace builds or updates it and read-only after: kept beside the
  // model so that models stay plain data that tests compare.
  'model.ts:namespaceResolvers': 'model attribute: how the model resolves an object\'s namespace',
  'model.ts:objectsByNamespace': 'model attribute: objects by namespace, carried over by updateModel',
  'model.ts:lineages': 'model attribute: the lineage updateModel records (the change log as namespaces)',
  'model.ts:namespaceLists': 'model attribute: workloads and Services by namespace, carried over by updateModel',
  'model.ts:skippedWorkloads': 'model attribute: the skipped workload documents the workspace records',
  // Pure memo tables keyed by strings, bounded in size.
  'calico-selector.ts:parseCache': 'parsed Calico selector per selector text, bounded',
  'policy.ts:cidrsByText': 'parsed CIDR per text, bounded',
  'rendered.ts:sourceLines': 'line table per source text, bounded',
  'edits.ts:styleCache': 'indentation style per text, bounded',
  'edits.ts:eolMemo': 'the line ending of the last text asked (one entry)',
  'fast-yaml.ts:RESOLVED': 'resolved plain scalars per text, bounded',
  // Not migrated yet: their callers (report/matrix.ts, report/connlist.ts, explain.ts, hovers) hold a model without
  // a store. The cross-model `last` is workspace state and should become a lineage query of the store.
  'not-analysed.ts:cache': 'NOT MIGRATED YET: not-analysed objects per model',
  'not-analysed.ts:last': 'NOT MIGRATED YET: the last model\'s not-analysed objects, updated per edit',
  // Not migrated yet: landed on main (edit-check.ts) while the store was made; keyed by workspace and fix.
  'edit-check.ts:sandboxes': 'NOT MIGRATED YET: the check sandbox (a copy of the workspace) per workspace',
  'edit-check.ts:fixChecks': 'NOT MIGRATED YET: the check of a quick fix at a workspace version',
  // Not migrated yet: landed with the Cilium, tiered-hover and real-world branches while the store was made.
  'cilium-evaluate.ts:lastPolicyList': 'NOT MIGRATED YET: the Cilium policies of the last model',
  'cilium-evaluate.ts:identityCache': 'NOT MIGRATED YET: Cilium identity labels per workload',
  'cilium-evaluate.ts:selectingCache': 'NOT MIGRATED YET: the Cilium rules selecting a workload',
  'evaluate.ts:namedPortsKeys': 'NOT MIGRATED YET: a key per set of named ports (tiered hover classes)',
  'features/reach.ts:canonicalPorts': 'NOT MIGRATED YET: canonical port sets of the tiered hover classes',
  'features/reach.ts:canonicalOf': 'NOT MIGRATED YET: canonical port sets of the tiered hover classes',
  'rules/common.ts:openShiftDnsCache': 'NOT MIGRATED YET: whether a model shows OpenShift DNS',
  // Scratch state of the fast reader: reused buffers and flags of the reading in progress, reset by each reading.
  'fast-yaml.ts:tableStarts': 'scratch buffer of the fast reader',
  'fast-yaml.ts:tableEnds': 'scratch buffer of the fast reader',
  'fast-yaml.ts:tableIndents': 'scratch buffer of the fast reader',
  'fast-yaml.ts:quotedEnd': 'scratch state of the fast reader',
  'fast-yaml.ts:nonJsonNumberRead': 'scratch flag of the fast reader',
};

const TABLES = new Set(['Map', 'WeakMap', 'WeakSet', 'Set']);

/** Module-level state of one engine file: `name` of each table or `let`, in the file's order. */
function moduleState(relative: string, text: string): string[] {
  const source = ts.createSourceFile(relative, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const mutable = !(statement.declarationList.flags & ts.NodeFlags.Const);
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name)) continue;
      const name = declaration.name.text;
      let init = declaration.initializer;
      while (init && (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
      if (init && ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.name.text === 'freeze') {
        // Object.freeze(x): a constant, unless x is a table.
        init = init.arguments[0];
        while (init && ts.isAsExpression(init)) init = init.expression;
      }
      const table = init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && TABLES.has(init.expression.text) ? init.expression.text : undefined;
      // A Set the module never adds to is a constant lookup set.
      const grows = table !== 'Set' || new RegExp(`\\b${name}\\.(add|delete|clear)\\(`).test(text);
      if (mutable || (table && grows)) out.push(name);
    }
  }
  return out;
}

function engineFiles(dir = ENGINE): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...engineFiles(full));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out.sort();
}

/** Module-level state not in ALLOWED, as `file:name`, and ALLOWED entries that name nothing. */
function unlisted(extra: Record<string, string> = {}): { found: string[]; stale: string[] } {
  const texts = new Map<string, string>();
  for (const file of engineFiles()) texts.set(path.relative(ENGINE, file).split(path.sep).join('/'), fs.readFileSync(file, 'utf8'));
  for (const [relative, text] of Object.entries(extra)) texts.set(relative, text);
  const all = new Set<string>();
  for (const [relative, text] of texts) for (const name of moduleState(relative, text)) all.add(`${relative}:${name}`);
  return { found: [...all].filter((k) => !(k in ALLOWED)), stale: Object.keys(ALLOWED).filter((k) => !all.has(k)) };
}

test('the engine keeps derived state in the store: module-level tables only where the allowlist says why', () => {
  const { found, stale } = unlisted();
  assert.deepEqual(found, [], 'module-level state outside the store (move it into a store query, or list it with its reason)');
  assert.deepEqual(stale, [], 'allowlist entries that name nothing any more');
});

test('a new module-level cache in the engine fails the check', () => {
  const leak = [
    "import type { Model } from './model';",
    'const answers = new WeakMap<Model, number>();',
    'let lastModel: Model | undefined;',
    "const KINDS = new Set(['Pod']);",
    "const seen = new Set<string>();",
    "export function remember(m: Model): void { answers.set(m, 1); lastModel = m; seen.add(m.defaultNamespace); }",
  ].join('\n');
  assert.deepEqual(unlisted({ 'leak.ts': leak }).found.filter((k) => k.startsWith('leak.ts:')), ['leak.ts:answers', 'leak.ts:lastModel', 'leak.ts:seen']);
});
