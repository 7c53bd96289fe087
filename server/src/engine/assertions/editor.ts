// Editor support for connectivity test files, pure: diagnostics for failing expectations (with the deciding policies
// and rules as related locations), hovers listing what a group matches, a code lens per test with its counts, and
// completion of fields, group names, workloads, namespaces, enum values and ports. The results of a workspace version are
// computed once and shared by every request.
import { defineQuery } from '../store';
import { distance } from 'fastest-levenshtein';
import type { Diagnostic, QuickFix, RelatedLocation } from '../rules/types';
import type { CodeLens } from '../features/lenses';
import type { HoverResult } from '../features/hover';
import { blockValue, textContext, type CompletionItem } from '../features/text-context';
import { cappedList, code, plural, workloadLink } from '../features/markdown';
import { rangeAt, type ParsedFile } from '../parse';
import type { OffsetRange } from '../types';
import type { Workspace } from '../workspace';
import type { Workload } from '../model';
import type { Protocol } from '../types';
import { connectivityTestSteps, finish, ScopeContext, describeMatches, resolveSide, type ExpectationResult, type TestReport } from './check';
import {
  isConnectivityTestObject,
  isConnectivityTestUri,
  QUANTIFIERS,
  STATUSES,
  TEST_API_VERSION,
  TEST_KIND,
  VERDICTS,
  type ConnectivityTest,
  type Expectation,
  type GroupReference,
} from './spec';

export const TEST_FAILED = 'connectivity-test-failed';
export const TEST_INVALID = 'connectivity-test-invalid';

const TEST_KIND_LINE = /^kind:\s*["']?ConnectivityTest["']?\s*(#.*)?$/m;

const testFiles = new WeakMap<ParsedFile, boolean>();

/** Whether a file holds connectivity tests (or is named as one). Asked on every hover and lens: cached per parse. */
export function isConnectivityTestFile(file: ParsedFile): boolean {
  let known = testFiles.get(file);
  if (known === undefined) {
    // The substring first: the line pattern alone scanned every line start of every file (5 MB on the bench's medium).
    known = isConnectivityTestUri(file.uri) || file.documents.some((d) => d.objects.some(isConnectivityTestObject)) || (file.text.includes('ConnectivityTest') && TEST_KIND_LINE.test(file.text));
    testFiles.set(file, known);
  }
  return known;
}

/** Whether the YAML document at `offset` is a connectivity test (read from the text: while typing it may not parse). */
export function inConnectivityTestDocument(file: ParsedFile, offset: number): boolean {
  const text = file.text;
  const before = text.lastIndexOf('\n---', Math.max(0, offset - 1));
  const start = before < 0 ? 0 : before + 4;
  const afterIndex = text.indexOf('\n---', offset);
  const documentText = text.slice(start, afterIndex < 0 ? text.length : afterIndex);
  if (TEST_KIND_LINE.test(documentText)) return true;
  // A test file being started: no kind yet, but the name says what it is.
  return isConnectivityTestUri(file.uri) && !/^kind:/m.test(documentText);
}

/** Whether a file may hold tests, or ConnectivityTest objects under another apiVersion. */
function mayHoldTests(file: ParsedFile | undefined): boolean {
  return file !== undefined && (isConnectivityTestFile(file) || file.documents.some((d) => d.objects.some((o) => o.kind === TEST_KIND)));
}

const TEST_FILE_URIS = defineQuery<Workspace, { version: number; uris: string[] }>({
  name: 'connectivity-test-files',
  reads: ['workspace-version', 'objects'],
  lifetime: 'version',
  description: 'the files that may hold connectivity tests, updated from the files changed since',
});

/**
 * The files that may hold tests, in workspace order. Kept across edits: only the files changed since are looked
 * at, and the whole workspace only when one of them gained or lost tests (each analysis asks, on every edit).
 */
function testFileUris(workspace: Workspace): string[] {
  const candidateFiles = workspace.store.query(TEST_FILE_URIS);
  const known = candidateFiles.peek(workspace);
  if (known && known.version === workspace.version) return known.uris;
  const changed = known ? workspace.changedFilesSince(known.version) : undefined;
  let uris: string[];
  if (known && changed && [...changed].every((uri) => mayHoldTests(workspace.getFile(uri)) === known.uris.includes(uri))) uris = known.uris;
  else uris = workspace.fileUris().filter((uri) => mayHoldTests(workspace.getFile(uri)));
  candidateFiles.set(workspace, { version: workspace.version, uris });
  return uris;
}

const TEST_REPORTS = defineQuery<Workspace, { version: number; reports: TestReport[] }>({
  name: 'connectivity-test-reports',
  reads: ['workspace-version'],
  lifetime: 'version',
  description: "every connectivity test's report at one workspace version",
});

/** Every test of the workspace, run once per workspace version. */
export function testReports(workspace: Workspace): TestReport[] {
  return finish(testReportSteps(workspace));
}

/** The same in small steps, kept for the version once all have run. */
function* testReportSteps(workspace: Workspace): Generator<void, TestReport[]> {
  const cache = workspace.store.query(TEST_REPORTS);
  const hit = cache.peek(workspace);
  if (hit && hit.version === workspace.version) return hit.reports;
  const version = workspace.version;
  const uris = testFileUris(workspace);
  const reports = uris.length === 0 ? [] : yield* connectivityTestSteps(workspace, { uris });
  // A caller that went on stepping after a change ran the tests of two versions: nothing to keep.
  if (workspace.version === version) cache.set(workspace, { version, reports });
  return reports;
}

function reportsOf(workspace: Workspace, uri: string): TestReport[] {
  return testReports(workspace).filter((r) => r.test.uri === uri);
}

function scopeLabel(r: ExpectationResult, report: TestReport): string {
  return new Set(report.results.map((x) => x.scope)).size > 1 ? ` [scope ${r.scope}]` : '';
}

// ---- diagnostics -----------------------------------------------------------------------------------------------

/** ConnectivityTests under another apiVersion: they would silently check nothing. */
export function misversionedTests(workspace: Workspace): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const uri of testFileUris(workspace)) {
    for (const d of workspace.getFile(uri)!.documents) {
      for (const o of d.objects) {
        if (o.kind !== TEST_KIND || o.apiVersion === TEST_API_VERSION) continue;
        out.push({
          ruleId: TEST_INVALID,
          severity: 'error',
          message: `a ConnectivityTest has apiVersion: ${TEST_API_VERSION} (not ${o.apiVersion}); this one is not run`,
          location: { uri, range: rangeAt(o.node, ['apiVersion']) ?? o.range },
        });
      }
    }
  }
  return out;
}

/** Diagnostics of every test file: problems of the file, and one per failing expectation. */
export function connectivityTestDiagnostics(workspace: Workspace): Map<string, Diagnostic[]> {
  return finish(connectivityTestDiagnosticSteps(workspace));
}

/** The same in small steps (the language server runs them between requests and edits). */
export function* connectivityTestDiagnosticSteps(workspace: Workspace): Generator<void, Map<string, Diagnostic[]>> {
  const reports = yield* testReportSteps(workspace);
  const byUri = new Map<string, Diagnostic[]>();
  const add = (uri: string, d: Diagnostic) => {
    const list = byUri.get(uri) ?? [];
    if (!list.some((x) => x.message === d.message && x.location.range[0] === d.location.range[0])) list.push(d);
    byUri.set(uri, list);
  };
  for (const d of misversionedTests(workspace)) add(d.location.uri, d);
  for (const report of reports) {
    const uri = report.test.uri;
    if (!byUri.has(uri)) byUri.set(uri, []);
    for (const p of report.test.problems) add(uri, { ruleId: TEST_INVALID, severity: 'error', message: p.message, location: { uri, range: p.range } });
    for (const r of report.results) {
      if (r.outcome !== 'fail') continue;
      const where = scopeLabel(r, report);
      const references = [r.expectation.from, r.expectation.to].flatMap((side) => [...side.references, ...side.except]);
      for (const p of r.problems) {
        const unknown = references.find((ref) => ref.range === p.range && !ref.group && !ref.inline);
        const suggestion = unknown && closest(unknown.text, [...report.test.groups.keys()]);
        const fixes = suggestion ? [replaceFix(workspace, uri, p.range, suggestion)] : undefined;
        add(uri, { ruleId: TEST_INVALID, severity: 'error', message: p.message, location: { uri, range: p.range }, fixes });
      }
      for (const v of r.vacuous) {
        const ref = references.find((x) => x.range === v.range.range);
        const group = ref?.group;
        add(uri, {
          ruleId: TEST_FAILED,
          severity: 'error',
          message: `${r.expectation.name}${where}: ${v.message}. An expectation that checks nothing fails.`,
          location: v.range,
          related: group ? [{ location: { uri, range: group.range }, message: `group ${group.name} is defined here` }] : undefined,
          fixes: ref ? workloadFixes(workspace, uri, ref, r.scope) : undefined,
        });
      }
      if (r.failures.length === 0) continue;
      const related: RelatedLocation[] = [];
      for (const f of r.failures) {
        for (const c of f.causes) {
          if (!related.some((x) => x.message === c.message && x.location.uri === c.location.uri && x.location.range[0] === c.location.range[0])) {
            related.push({ location: c.location, message: c.message });
          }
        }
      }
      add(uri, { ruleId: TEST_FAILED, severity: 'error', message: `${r.expectation.name}${where} fails: ${r.message}`, location: { uri, range: r.expectation.anchor }, related });
    }
  }
  return byUri;
}

/** The candidate closest to `text`, when it is close enough to be a typo. */
function closest(text: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(text, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance > 0 && bestDistance <= Math.max(2, Math.floor(text.length / 4)) ? best : undefined;
}

/** Replaces a scalar, keeping its quotes. */
function replaceFix(workspace: Workspace, uri: string, range: OffsetRange, value: string): QuickFix {
  const written = workspace.getFile(uri)?.text.slice(range[0], range[1]) ?? '';
  const quote = /^['"]/.test(written) ? written[0] : '';
  return { title: `Change to ${value}`, edits: [{ uri, range, newText: `${quote}${value}${quote}` }], preferred: true };
}

/** For workload references that name no workload: the closest existing one, written in the same form. */
function workloadFixes(workspace: Workspace, uri: string, ref: GroupReference, scopeName: string): QuickFix[] | undefined {
  const scope = workspace.scopes().find((s) => s.name === scopeName);
  if (!scope) return undefined;
  const fixes: QuickFix[] = [];
  for (const selector of ref.group ? ref.group.selectors : ref.inline ? [ref.inline] : []) {
    if (selector.type !== 'workload') continue;
    const names = scope.model.workloads.map((w) => (selector.kind ? `${w.namespace}/${w.kind}/${w.name}` : `${w.namespace}/${w.name}`));
    const suggestion = closest(selector.text, [...new Set(names)]);
    if (suggestion) fixes.push(replaceFix(workspace, uri, selector.range, suggestion));
  }
  return fixes.length ? fixes : undefined;
}

// ---- code lenses -----------------------------------------------------------------------------------------------

export function connectivityTestLenses(workspace: Workspace, uri: string): CodeLens[] {
  return reportsOf(workspace, uri).map((report) => {
    const c = report.counts;
    const parts = [`${c.pass} passed`, `${c.fail} failed`];
    if (c.skip) parts.push(`${c.skip} skipped`);
    if (c.todo) parts.push(`${c.todo} todo`);
    const failing = report.results.filter((r) => r.outcome === 'fail');
    const title = `${c.fail > 0 || report.test.problems.length > 0 ? '✗' : '✓'} ${parts.join(' · ')}`;
    return {
      range: [report.test.range[0], report.test.range[0]] as OffsetRange,
      title,
      locations: failing.map((r) => ({ uri, range: r.expectation.anchor })),
      kind: 'connectivity-test' as const,
    };
  });
}

// ---- hovers ----------------------------------------------------------------------------------------------------

const within = (range: OffsetRange, offset: number) => offset >= range[0] && offset <= range[1];

function matchesMarkdown(workspace: Workspace, test: ConnectivityTest, ref: GroupReference): string {
  const lines: string[] = [];
  const scopes = test.scope ? workspace.scopes().filter((s) => s.name === test.scope) : workspace.scopesOf(test.uri);
  for (const scope of scopes) {
    const context = new ScopeContext(scope);
    const m = describeMatches(ref, context);
    const heading = scopes.length > 1 ? ` in scope ${code(scope.name)}` : '';
    if (m.workloads.length === 0 && m.addresses.length === 0) {
      const reasons = (ref.group?.selectors ?? (ref.inline ? [ref.inline] : [])).map((s) => context.emptyReason(s));
      lines.push(`Matches nothing${heading}: ${reasons.join('; ') || 'it names no endpoint'}. Expectations using it fail.`);
      continue;
    }
    if (m.workloads.length > 0) {
      lines.push(`${plural(m.workloads.length, 'workload')}${heading}:`, '');
      lines.push(...cappedList(m.workloads, (w) => `${workloadLink(workspace, w)} (${w.kind})`));
    }
    if (m.addresses.length > 0) lines.push(...(lines.length ? [''] : []), `Addresses: ${m.addresses.map(code).join(', ')}`);
  }
  return lines.join('\n');
}

function resultMarkdown(report: TestReport, index: number): string {
  const results = report.results.filter((r) => r.expectation.index === index);
  if (results.length === 0) return 'Not run.';
  return results
    .map((r) => {
      const where = scopeLabel(r, report);
      switch (r.outcome) {
        case 'pass':
          return `✓ holds${where} (${plural(r.pairs, 'pair')} checked)`;
        case 'skip':
          return `skipped${where} (status: skip)`;
        case 'todo':
          return `todo${where} (status: todo): not checked yet`;
        case 'fail':
          return `✗ fails${where}: ${r.message}`;
      }
    })
    .join('\n\n');
}

export function connectivityTestHover(workspace: Workspace, uri: string, offset: number): HoverResult | undefined {
  for (const report of reportsOf(workspace, uri)) {
    const test = report.test;
    if (!within(test.range, offset)) continue;
    for (const group of test.groups.values()) {
      if (within(group.nameRange, offset)) {
        return { markdown: `**Group ${code(group.name)}**\n\n${matchesMarkdown(workspace, test, { text: group.name, range: group.nameRange, group })}`, range: group.nameRange };
      }
    }
    for (const e of test.expectations) {
      if (!within(e.range, offset)) continue;
      for (const side of [e.from, e.to]) {
        for (const ref of [...side.references, ...side.except]) {
          if (!within(ref.range, offset) || (!ref.group && !ref.inline)) continue;
          const title = ref.group ? `**Group ${code(ref.group.name)}**` : `**${code(ref.text)}**`;
          return { markdown: `${title}\n\n${matchesMarkdown(workspace, test, ref)}`, range: ref.range };
        }
        if (side.everything && within(side.range, offset) && !side.references.some((r) => within(r.range, offset))) {
          const scopes = test.scope ? workspace.scopes().filter((s) => s.name === test.scope) : workspace.scopesOf(uri);
          const count = scopes.reduce((n, s) => n + s.model.workloads.length, 0);
          return { markdown: `${code('*')}: every workload (${plural(count, 'workload')})${side.except.length ? `, except ${side.except.map((r) => code(r.text)).join(', ')}` : ''}`, range: side.range };
        }
      }
      if (within(e.anchor, offset)) return { markdown: `**${e.name.replace(/[*_`]/g, '\\$&')}**\n\n${resultMarkdown(report, e.index)}`, range: e.anchor };
    }
    if (within(test.headerRange, offset)) {
      const c = report.counts;
      return {
        markdown: `**Connectivity test ${code(test.name)}**: ${c.pass} passed, ${c.fail} failed, ${c.skip} skipped, ${c.todo} todo`,
        range: test.headerRange,
      };
    }
  }
  return undefined;
}

// ---- completion ------------------------------------------------------------------------------------------------

interface Field {
  name: string;
  doc: string;
  scalar?: boolean;
}

const TOP: Field[] = [
  { name: 'apiVersion', doc: TEST_API_VERSION, scalar: true },
  { name: 'kind', doc: TEST_KIND, scalar: true },
  { name: 'metadata', doc: 'the test name' },
  { name: 'spec', doc: 'groups of endpoints and expectations' },
];
const SPEC: Field[] = [
  { name: 'groups', doc: 'named groups of endpoints: workload, namespace + labels, namespaceSelector, cidr' },
  { name: 'expectations', doc: 'what must (not) be reachable: from, to, ports, verdict' },
  { name: 'scope', doc: 'the .netpol.yaml scope to test (default: the scopes holding this file)', scalar: true },
];
const GROUP: Field[] = [
  { name: 'workload', doc: 'a workload: namespace/Kind/name or namespace/name', scalar: true },
  { name: 'namespace', doc: 'every pod of a namespace (narrowed by labels)', scalar: true },
  { name: 'labels', doc: 'pod labels that must all match (with namespace or namespaceSelector)' },
  { name: 'podSelector', doc: 'a label selector for pods (matchLabels, matchExpressions)' },
  { name: 'namespaceSelector', doc: 'a label selector for namespaces' },
  { name: 'cidr', doc: 'an address block outside the cluster, for example 0.0.0.0/0', scalar: true },
];
const EXPECTATION: Field[] = [
  { name: 'name', doc: 'what the expectation means, for reports', scalar: true },
  { name: 'from', doc: 'a group, a workload, a CIDR, a list of them, "*" or {group: "*", except: [...]}', scalar: true },
  { name: 'to', doc: 'a group, a workload, a CIDR, a list of them, "*" or {group: "*", except: [...]}', scalar: true },
  { name: 'ports', doc: 'ports such as [5432, 53/UDP, 8000-8080/TCP, http, dns/UDP] (a name is a container port of the destination); absent: any port', scalar: true },
  { name: 'verdict', doc: 'allow, deny or allow-only', scalar: true },
  { name: 'quantifier', doc: 'all (every pair, default) or any (at least one pair)', scalar: true },
  { name: 'tags', doc: 'tags for netpol test --tags', scalar: true },
  { name: 'status', doc: 'todo or skip: reported, not checked', scalar: true },
];

const ENUM_DOCS: Record<string, { values: readonly string[]; doc: string }> = {
  verdict: { values: VERDICTS, doc: 'allow: every listed port allowed; deny: none allowed; allow-only: exactly the listed ports' },
  quantifier: { values: QUANTIFIERS, doc: 'all: every pair must hold; any: one pair is enough' },
  status: { values: STATUSES, doc: 'todo or skip: reported, not checked' },
};

const rank = (n: number) => String(n).padStart(6, '0');

export function connectivityTestCompletion(workspace: Workspace, uri: string, offset: number): CompletionItem[] {
  const file = workspace.getFile(uri);
  if (!file) return [];
  const ctx = textContext(file.text, offset);
  const range: OffsetRange = [offset - ctx.prefix.length, offset];
  const tokens = ctx.path.map((s) => s.token);
  const container = ctx.path[ctx.path.length - 1];
  const fields = (list: Field[]): CompletionItem[] =>
    list
      .filter((f) => !container || blockValue(ctx, container, f.name) === undefined)
      .map((f, i) => ({ label: f.name, kind: 'field' as const, documentation: f.doc, insertText: f.scalar ? `${f.name}: ` : `${f.name}:`, range, sortText: rank(i) }));
  const values = (list: readonly string[], kind: CompletionItem['kind'], detail?: string): CompletionItem[] =>
    list.map((v, i) => ({ label: v, kind, detail, insertText: v, range, sortText: rank(i) }));
  const scopes = () => {
    const test = reportsOf(workspace, uri).find((r) => within(r.test.range, offset))?.test;
    return test?.scope ? workspace.scopes().filter((s) => s.name === test.scope) : workspace.scopesOf(uri);
  };
  const workloadNames = () => [...new Set(scopes().flatMap((s) => s.model.workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`)))].sort();
  const groupNames = () => {
    // Group keys are read from the text: while typing, the file may not parse.
    const names: string[] = [];
    let inGroups = false;
    let groupIndent = -1;
    for (let l = ctx.documentLines[0]; l <= ctx.documentLines[1]; l++) {
      const text = ctx.lines[l];
      const m = /^(\s*)([^\s#:][^:#]*):/.exec(text);
      if (!m) continue;
      const indent = m[1].length;
      if (m[2] === 'groups') {
        inGroups = true;
        groupIndent = -1;
        continue;
      }
      if (!inGroups) continue;
      if (groupIndent < 0 && indent > 0) groupIndent = indent;
      if (indent < groupIndent || indent === 0) inGroups = false;
      else if (indent === groupIndent) names.push(m[2].trim());
    }
    return names;
  };

  const inExpectation = tokens[0] === 'spec' && tokens[1] === 'expectations';
  const inGroup = tokens[0] === 'spec' && tokens[1] === 'groups' && tokens.length >= 3;
  // `ports: [..]`, `ports: x` and `ports:\n  - x` are read from the text, as from/to are. textContext does not follow
  // flow maps (`- {to: db, ports: [..]}`): there the parsed range of ports places the cursor.
  const portsByText = inExpectation && ((ctx.mode === 'value' && ctx.key === 'ports' && tokens.length === 3) || (ctx.mode === 'item' && tokens.length === 5 && tokens[3] === 'ports'));
  const inFlowMap = inExpectation && ctx.mode === 'value' && ctx.key!.startsWith('{');
  if (portsByText || inFlowMap) {
    const found = expectationAt(workspace, uri, offset);
    const portsRange = found?.expectation.ports?.range;
    if (portsByText || (portsRange !== undefined && within(portsRange, offset))) {
      // Inside `{port: .., protocol: ..}` the name/UDP form is not valid.
      const nested = portsRange !== undefined && /\{[^}]*$/.test(file.text.slice(portsRange[0], offset));
      // No parsed expectation here: the file is half-typed and its destinations unknown.
      return found && !nested ? portItems(workspace, found.test, found.expectation, offset, ctx.prefix, range) : [];
    }
  }
  if (ctx.mode === 'value' || (ctx.mode === 'item' && inExpectation)) {
    const key = ctx.mode === 'value' ? ctx.key! : tokens[tokens.length - 2];
    if (ENUM_DOCS[key] && inExpectation) return values(ENUM_DOCS[key].values, 'enum', ENUM_DOCS[key].doc);
    if (key === 'kind' && tokens.length === 0) return values([TEST_KIND], 'enum');
    if (key === 'apiVersion' && tokens.length === 0) return values([TEST_API_VERSION], 'enum');
    if (inExpectation && ['from', 'to', 'except', 'group'].includes(key)) {
      return [...values(groupNames(), 'value', 'group'), ...values(['*'], 'value', 'every workload'), ...values(workloadNames(), 'value', 'workload')].map((item, i) => ({
        ...item,
        insertText: item.label === '*' ? "'*'" : item.label,
        sortText: rank(i),
      }));
    }
    if (inGroup && (key === 'workload' || key === 'workloads')) return values(workloadNames(), 'value', 'workload');
    if (inGroup && key === 'namespace') {
      const names = [...new Set(scopes().flatMap((s) => [...s.model.namespaces.keys()]))].sort();
      return values(names, 'namespace');
    }
    if (key === 'scope' && tokens.length === 1) return values(workspace.scopes().map((s) => s.name), 'value', 'scope');
    return [];
  }
  if (tokens.length === 0) return fields(TOP);
  if (tokens.length === 1 && tokens[0] === 'spec') return fields(SPEC);
  if (tokens.length === 1 && tokens[0] === 'metadata') return fields([{ name: 'name', doc: 'the test name', scalar: true }]);
  if (inExpectation && tokens.length >= 3 && tokens[2] === '-') {
    if (tokens.length === 3) return fields(EXPECTATION);
    if ((tokens[3] === 'from' || tokens[3] === 'to') && tokens.length === 4) {
      return fields([
        { name: 'group', doc: 'a group name or "*"', scalar: true },
        { name: 'except', doc: 'groups to leave out' },
      ]);
    }
  }
  if (inGroup && (tokens.length === 3 || (tokens.length === 4 && tokens[3] === '-'))) return fields(GROUP);
  return [];
}



// ---- ports of an expectation -----------------------------------------------------------------------------------

/** Numbers offered at most (every distinct container port of `to: '*'` could be thousands). */
const MAX_PORT_NUMBERS = 50;
const PROTOCOL_ORDER: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** The parsed expectation holding the cursor; none while the file does not parse. */
function expectationAt(workspace: Workspace, uri: string, offset: number): { test: ConnectivityTest; expectation: Expectation } | undefined {
  for (const report of reportsOf(workspace, uri)) {
    if (!within(report.test.range, offset)) continue;
    const expectation = report.test.expectations.find((e) => within(e.range, offset));
    if (expectation) return { test: report.test, expectation };
  }
  return undefined;
}

/** `8080` for TCP (the default of a port), else `53/UDP`; the same for names. */
const portText = (port: string | number, protocol: Protocol) => (protocol === 'TCP' ? String(port) : `${port}/${protocol}`);

/**
 * Ports for an expectation's `ports`, from its destinations as the checker resolves `to`: first the container port
 * names that every destination declares (a name some lack fails the expectation), then the declared numbers, most
 * common first. Ports already written are left out, except the one being typed.
 */
function portItems(workspace: Workspace, test: ConnectivityTest, expectation: Expectation, offset: number, prefix: string, range: OffsetRange): CompletionItem[] {
  const scopes = test.scope ? workspace.scopes().filter((s) => s.name === test.scope) : workspace.scopesOf(test.uri);
  // A workload in several scopes is one destination.
  const destinations = new Map<string, Workload>();
  let addresses = false;
  for (const scope of scopes) {
    const to = resolveSide(expectation.to, 'to', test, new ScopeContext(scope));
    for (const w of to.workloads) {
      const key = `${w.namespace}/${w.kind}/${w.name}`;
      if (!destinations.has(key)) destinations.set(key, w);
    }
    addresses ||= to.addresses.length > 0;
  }
  if (destinations.size === 0) return [];

  const names = new Map<string, { name: string; protocol: Protocol; numbers: Set<number>; workloads: number }>();
  const numbers = new Map<string, { port: number; protocol: Protocol; workloads: number }>();
  for (const w of destinations.values()) {
    // Counted once per workload, however many containers repeat a port.
    const seen = new Set<string>();
    for (const cp of w.containerPorts) {
      const numberKey = `${cp.protocol} ${cp.containerPort}`;
      if (!seen.has(numberKey)) {
        seen.add(numberKey);
        const entry = numbers.get(numberKey) ?? { port: cp.containerPort, protocol: cp.protocol, workloads: 0 };
        entry.workloads++;
        numbers.set(numberKey, entry);
      }
      if (!cp.name) continue;
      const nameKey = `${cp.name}/${cp.protocol}`;
      const entry = names.get(nameKey) ?? { name: cp.name, protocol: cp.protocol, numbers: new Set<number>(), workloads: 0 };
      entry.numbers.add(cp.containerPort);
      if (!seen.has(nameKey)) {
        seen.add(nameKey);
        entry.workloads++;
      }
      names.set(nameKey, entry);
    }
  }

  const written = expectation.ports;
  const typing = (text: string) => prefix !== '' && text.toLowerCase() === prefix.toLowerCase();
  const nameWritten = (name: string, protocol: Protocol) => written?.named.some((n) => n.name === name && n.protocol === protocol && !within(n.range, offset)) ?? false;
  const total = destinations.size;
  const protocolRank = (p: Protocol) => PROTOCOL_ORDER.indexOf(p);
  // An address declares no port: with one among the destinations no name can resolve everywhere.
  const common = addresses
    ? []
    : [...names.values()]
        .filter((n) => n.workloads === total && !nameWritten(n.name, n.protocol))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : protocolRank(a.protocol) - protocolRank(b.protocol)));
  const declared = [...numbers.values()]
    .filter((n) => !(written?.set.has(n.protocol, n.port) ?? false) || typing(portText(n.port, n.protocol)))
    .sort((a, b) => b.workloads - a.workloads || protocolRank(a.protocol) - protocolRank(b.protocol) || a.port - b.port)
    .slice(0, MAX_PORT_NUMBERS);
  const items: Omit<CompletionItem, 'range' | 'sortText'>[] = [
    ...common.map((n) => ({
      label: portText(n.name, n.protocol),
      kind: 'port-name' as const,
      detail: `${n.protocol} ${[...n.numbers].sort((a, b) => a - b).join(', ')} on ${plural(total, 'workload')}`,
      documentation: 'a container port name that every destination declares; it resolves per destination pod',
      insertText: portText(n.name, n.protocol),
    })),
    ...declared.map((n) => ({
      label: portText(n.port, n.protocol),
      kind: 'value' as const,
      detail: `${n.protocol} ${n.port} on ${n.workloads === total ? plural(total, 'workload') : `${n.workloads} of ${plural(total, 'workload')}`}`,
      insertText: portText(n.port, n.protocol),
    })),
  ];
  return items.map((item, i) => ({ ...item, range, sortText: rank(i) }));
}
