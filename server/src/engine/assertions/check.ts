// Checks the expectations of connectivity tests against a scope's analysis. Every pair of endpoints an expectation
// names is evaluated with the engine's own verdicts; a failure carries the verdict that contradicts it, with the
// policies and rules that decide it. An expectation whose endpoints match nothing fails (non-vacuity): a test that
// silently checks no pair would pass forever after a rename. Likewise a named port must resolve on every destination.
import { calicoNetworkRanges } from '../calico-policy';
import { clusterNetworkRanges } from '../cluster-policy';
import { describeDecision } from '../tiers';
import { formatRangeAsCidr, partition, subtractAll, type IpRange } from '../cidr';
import { ipEndpoint, workloadEndpoint, type Analysis, type Endpoint, type Verdict } from '../evaluate';
import { listsByNamespace, type Workload } from '../model';
import { rangeAt, type ParsedFile } from '../parse';
import { BulkConnections, WorkloadPairs } from './bulk';
import { PortSet } from '../portset';
import { formatSelector, matchesSelector } from '../selectors';
import type { Protocol, SourceLocation } from '../types';
import type { Scope, Workspace } from '../workspace';
import { ciliumDecisionLocation, explainVerdict, policyName, ruleLocation, type ExplainedVerdict } from '../explain';
import { ciliumNetworkRanges, describeCiliumDecision } from '../cilium-evaluate';
import {
  readConnectivityTests,
  type ConnectivityTest,
  type EndpointSelector,
  type ExpectedPorts,
  type Expectation,
  type GroupReference,
  type NamedPort,
  type Side,
  type SpecProblem,
} from './spec';

export type Outcome = 'pass' | 'fail' | 'skip' | 'todo';

/** A policy or rule that decides a failing verdict, or the absence of any (a side that no policy isolates). */
export interface DecidingCause {
  direction: 'ingress' | 'egress';
  /** `allows`: the rule lets the connection through; `isolates`: the policy isolates and none of its rules allow it;
   *  `not-isolated`: no policy isolates this side, so it allows everything. */
  role: 'allows' | 'isolates' | 'not-isolated' | 'decides';
  /** `namespace/name` of the policy, or of the workload for `not-isolated`. */
  subject: string;
  /** Index of the rule within the direction (`allows` only). */
  ruleIndex?: number;
  location: SourceLocation;
  /** One line for related information: "shop/db-ingress ingress rule 2 allows TCP 5432". */
  message: string;
}

export interface PairFailure {
  source: Endpoint;
  destination: Endpoint;
  /** Everything the policies allow from source to destination. */
  allowed: PortSet;
  /** Whether the witness port is wrongly denied (expected allowed) or wrongly allowed (expected denied). */
  wrongly: 'denied' | 'allowed';
  /** The ports that contradict the expectation. */
  wrongPorts: PortSet;
  /** One contradicting port, explained. */
  verdict: Verdict;
  explanation: ExplainedVerdict;
  causes: DecidingCause[];
  /** One sentence: what was expected and what the policies do, and why. */
  message: string;
}

/** A reference (or a whole side) that names no endpoint. */
export interface VacuousReference {
  side: 'from' | 'to';
  text: string;
  range: SourceLocation;
  message: string;
}

export interface ExpectationResult {
  test: ConnectivityTest;
  expectation: Expectation;
  scope: string;
  outcome: Outcome;
  /** Source/destination pairs evaluated. */
  pairs: number;
  failingPairs: number;
  /** Failing pairs, at most MAX_REPORTED_FAILURES of them. */
  failures: PairFailure[];
  vacuous: VacuousReference[];
  problems: SpecProblem[];
  /** One line summary of a failure (empty for a pass). */
  message: string;
}

export interface TestReport {
  test: ConnectivityTest;
  results: ExpectationResult[];
  counts: Record<Outcome, number>;
}

export interface TestRunOptions {
  /** Run only expectations with at least one of these tags. */
  tags?: readonly string[];
  /** Only test files with these URIs (default: every file of the workspace). */
  uris?: readonly string[];
  /** Only in this scope: tests of other scopes are left out. */
  scope?: string;
}

export const MAX_REPORTED_FAILURES = 5;

/** Every connectivity test of the workspace, run. */
export function runConnectivityTests(workspace: Workspace, options: TestRunOptions = {}): TestReport[] {
  return finish(connectivityTestSteps(workspace, options));
}

/** Runs a computation made of steps to its end. */
export function finish<T>(steps: Generator<void, T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * The same run in small steps (an expectation, or a part of one over many pairs): a caller with other work (the
 * language server between edits) can stop between two steps and drop the run.
 */
export function* connectivityTestSteps(workspace: Workspace, options: TestRunOptions = {}): Generator<void, TestReport[]> {
  const reports: TestReport[] = [];
  const contexts = new Map<Scope, ScopeContext>();
  const contextOf = (scope: Scope) => {
    let c = contexts.get(scope);
    if (!c) contexts.set(scope, (c = new ScopeContext(scope)));
    return c;
  };
  for (const uri of options.uris ?? workspace.fileUris()) {
    const file = workspace.getFile(uri);
    if (!file) continue;
    for (const test of testsOf(file)) {
      let scopes = test.scope ? workspace.scopes().filter((s) => s.name === test.scope) : workspace.scopesOf(uri);
      if (options.scope !== undefined) {
        scopes = scopes.filter((s) => s.name === options.scope);
        if (scopes.length === 0) continue;
      }
      reports.push(yield* runTest(test, scopes.map(contextOf), options, test.scope ? workspace.scopes().map((s) => s.name) : undefined));
    }
  }
  return reports;
}

const testsByFile = new WeakMap<ParsedFile, ConnectivityTest[]>();

/** The tests of a file, read once per parse (the editor re-runs the tests after every edit of any file). */
function testsOf(file: ParsedFile): ConnectivityTest[] {
  let tests = testsByFile.get(file);
  if (!tests) testsByFile.set(file, (tests = readConnectivityTests(file)));
  return tests;
}

function emptyCounts(): Record<Outcome, number> {
  return { pass: 0, fail: 0, skip: 0, todo: 0 };
}

function* runTest(test: ConnectivityTest, scopes: ScopeContext[], options: TestRunOptions, knownScopes?: string[]): Generator<void, TestReport> {
  const results: ExpectationResult[] = [];
  const scopeProblem: SpecProblem | undefined =
    scopes.length > 0
      ? undefined
      : {
          message: test.scope
            ? `no scope named ${test.scope} (scopes: ${(knownScopes ?? []).join(', ') || 'none'})`
            : 'this file belongs to no scope (is it excluded in .netpol.yaml?); set spec.scope',
          range: test.headerRange,
        };
  for (const expectation of test.expectations) {
    if (options.tags && options.tags.length > 0 && !expectation.tags.some((t) => options.tags!.includes(t))) continue;
    if (scopeProblem) {
      results.push(baseResult(test, expectation, '', 'fail', { problems: [scopeProblem], message: scopeProblem.message }));
      continue;
    }
    for (const scope of scopes) {
      results.push(yield* checkExpectation(test, expectation, scope));
      yield;
    }
  }
  const counts = emptyCounts();
  for (const r of results) counts[r.outcome]++;
  return { test, results, counts };
}

function baseResult(test: ConnectivityTest, expectation: Expectation, scope: string, outcome: Outcome, more: Partial<ExpectationResult> = {}): ExpectationResult {
  return { test, expectation, scope, outcome, pairs: 0, failingPairs: 0, failures: [], vacuous: [], problems: [], message: '', ...more };
}

/** The endpoints a scope offers to tests: its workloads, and external addresses cut at every ipBlock boundary. */
export class ScopeContext {
  private readonly blockBoundaries: IpRange[];
  /** Allowed ports of many pairs, without an explained result per pair. */
  readonly bulk: BulkConnections;

  constructor(readonly scope: Scope) {
    const ranges: IpRange[] = [];
    for (const p of scope.model.policies) {
      if (!p.valid) continue;
      for (const rule of [...p.ingress, ...p.egress]) {
        for (const peer of rule.peers ?? []) if (peer.type === 'ipBlock') ranges.push(...subtractAll(peer.cidr, peer.except));
      }
    }
    ranges.push(...clusterNetworkRanges(scope.model.clusterPolicies));
    ranges.push(...calicoNetworkRanges(scope.model.calico));
    ranges.push(...ciliumNetworkRanges(scope.model));
    this.blockBoundaries = ranges;
    this.bulk = new BulkConnections(scope.analysis, scope.store);
  }

  get analysis(): Analysis {
    return this.scope.analysis;
  }

  get name(): string {
    return this.scope.name;
  }

  /** Workloads a selector names. */
  workloadsOf(selector: EndpointSelector): Workload[] {
    const model = this.scope.model;
    switch (selector.type) {
      case 'cidr':
        return [];
      case 'workload':
        return (listsByNamespace(model).workloads.get(selector.namespace) ?? []).filter(
          (w) => w.name === selector.name && (!selector.kind || w.kind.toLowerCase() === selector.kind.toLowerCase()),
        );
      case 'pods':
        // A namespace of its own: only that namespace's workloads are looked at.
        return (selector.namespace !== undefined ? (listsByNamespace(model).workloads.get(selector.namespace) ?? []) : model.workloads).filter((w) => {
          if (selector.namespaceSelector && !matchesSelector(selector.namespaceSelector, this.analysis.namespaceLabels(w.namespace))) return false;
          return !selector.podSelector || matchesSelector(selector.podSelector, w.podLabels);
        });
    }
  }

  /** Address blocks within `ranges` that no policy's ipBlock cuts: each is allowed or denied as a whole. */
  addressBlocks(ranges: readonly IpRange[]): IpRange[] {
    const out: IpRange[] = [];
    for (const r of ranges) {
      for (const piece of partition(r, this.blockBoundaries)) out.push(piece);
    }
    return out;
  }

  /** Why a selector matches nothing, for the message. */
  emptyReason(selector: EndpointSelector): string {
    switch (selector.type) {
      case 'workload':
        return `no workload ${selector.text} in scope ${this.name}`;
      case 'pods': {
        const where = selector.namespace !== undefined ? `namespace ${selector.namespace}` : `namespaces matching ${formatSelector(selector.namespaceSelector!)}`;
        return selector.podSelector ? `no workload in ${where} has labels ${formatSelector(selector.podSelector)}` : `no workload in ${where}`;
      }
      case 'cidr':
        return `the block ${selector.text} is empty`;
    }
  }
}

/** The endpoints of one side of an expectation in a scope, and its references that name none. */
export interface ResolvedSide {
  workloads: readonly Workload[];
  addresses: IpRange[];
  vacuous: VacuousReference[];
}

function selectorsOf(ref: GroupReference): EndpointSelector[] {
  return ref.group ? ref.group.selectors : ref.inline ? [ref.inline] : [];
}

/** The workloads and address ranges a reference names. */
export function resolveReference(ref: GroupReference, context: ScopeContext): { workloads: Workload[]; addresses: IpRange[] } {
  const workloads = new Set<Workload>();
  const addresses: IpRange[] = [];
  for (const s of selectorsOf(ref)) {
    if (s.type === 'cidr') addresses.push(s.cidr);
    else for (const w of context.workloadsOf(s)) workloads.add(w);
  }
  return { workloads: [...workloads].sort((a, b) => a.id - b.id), addresses };
}

/** A side as the checker sees it: its references' endpoints, less the exceptions (the editor completes ports from `to`). */
export function resolveSide(side: Side, sideName: 'from' | 'to', test: ConnectivityTest, context: ScopeContext): ResolvedSide {
  const workloads = new Set<Workload>();
  let addresses: IpRange[] = [];
  const vacuous: VacuousReference[] = [];
  // `'*'` alone, the most common side, is one list for every expectation.
  const everythingAlone = side.everything && side.references.length === 0 && side.except.length === 0;
  if (side.everything && !everythingAlone) for (const w of context.scope.model.workloads) workloads.add(w);
  for (const ref of side.references) {
    if (!ref.group && !ref.inline) continue; // unknown group: already a problem of the expectation
    const r = resolveReference(ref, context);
    if (r.workloads.length === 0 && r.addresses.length === 0) {
      const reasons = selectorsOf(ref).map((s) => context.emptyReason(s));
      vacuous.push({
        side: sideName,
        text: ref.text,
        range: { uri: test.uri, range: ref.range },
        message: `${ref.group ? `group ${ref.text}` : ref.text} matches no endpoint: ${reasons.join('; ') || 'it names nothing'}`,
      });
    }
    for (const w of r.workloads) workloads.add(w);
    addresses.push(...r.addresses);
  }
  for (const ref of side.except) {
    const r = resolveReference(ref, context);
    for (const w of r.workloads) workloads.delete(w);
    if (r.addresses.length) addresses = addresses.flatMap((a) => subtractAll(a, r.addresses));
  }
  // A model's workloads are in id order (ids are their indices).
  const sorted = everythingAlone ? context.scope.model.workloads : [...workloads].sort((a, b) => a.id - b.id);
  const resolved = { workloads: sorted, addresses: context.addressBlocks(addresses), vacuous };
  if (vacuous.length === 0 && resolved.workloads.length === 0 && resolved.addresses.length === 0 && (side.everything || side.references.length > 0)) {
    vacuous.push({
      side: sideName,
      text: side.text,
      range: { uri: test.uri, range: side.range },
      message: `${sideName} ${side.text} matches no endpoint in scope ${context.name}${side.except.length ? ' once the exceptions are removed' : ''}`,
    });
  }
  return resolved;
}

/** One expectation in one scope, in steps of a millisecond or so (an expectation over `'*'` has millions of pairs). */
function* checkExpectation(test: ConnectivityTest, expectation: Expectation, context: ScopeContext): Generator<void, ExpectationResult> {
  if (expectation.status) return baseResult(test, expectation, context.name, expectation.status);
  if (expectation.problems.length > 0) {
    return baseResult(test, expectation, context.name, 'fail', { problems: expectation.problems, message: expectation.problems[0].message });
  }
  const from = resolveSide(expectation.from, 'from', test, context);
  const to = resolveSide(expectation.to, 'to', test, context);
  const vacuous = [...from.vacuous, ...to.vacuous];
  if (vacuous.length === 0 && expectation.ports && expectation.ports.named.length > 0) vacuous.push(...unresolvedNamedPorts(expectation.ports, expectation.to, to, test));
  if (vacuous.length > 0) return baseResult(test, expectation, context.name, 'fail', { vacuous, message: vacuous[0].message });

  // Endpoints by index: workloads first, then address blocks (made when asked: `'*'` names thousands).
  const endpointOf = (side: ResolvedSide, i: number): Endpoint =>
    i < side.workloads.length ? workloadEndpoint(side.workloads[i]) : ipEndpoint(side.addresses[i - side.workloads.length]);
  const sourceCount = from.workloads.length + from.addresses.length;
  const destinations: Endpoint[] = Array.from({ length: to.workloads.length + to.addresses.length }, (_, j) => endpointOf(to, j));
  // Named ports resolve per destination, once, not once per pair.
  const expectedPorts = destinations.map((d) => expectedPortsToward(expectation.ports, d));
  const sourceWorkloads = from.workloads.length;
  const destinationWorkloads = to.workloads.length;
  let pairs = 0;
  let failingPairs = 0;
  let passes = false;

  // Between workloads: per destination, per class of sources that get one answer (bulk.ts), whether it fails.
  const workloadPairs = sourceWorkloads > 0 && destinationWorkloads > 0 ? yield* WorkloadPairs.of(context.bulk, from.workloads, to.workloads) : undefined;
  if (sourceWorkloads * destinationWorkloads > PAIRS_PER_STEP) yield;
  const classFails: Uint8Array[] = [];
  let work = 0;
  for (let j = 0; workloadPairs && j < destinationWorkloads; j++) {
    const classes = workloadPairs.classesToward(j);
    work += classes.length;
    if (work > CLASSES_PER_STEP) {
      work = 0;
      yield;
    }
    const fails = new Uint8Array(classes.length);
    const verdicts = new Map<PortSet, boolean>();
    classes.forEach(({ ports, count }, k) => {
      let fail = verdicts.get(ports);
      if (fail === undefined) verdicts.set(ports, (fail = contradiction(expectation, expectedPorts[j], ports) !== undefined));
      fails[k] = fail ? 1 : 0;
      if (count === 0) return;
      pairs += count;
      if (fail) failingPairs += count;
      else passes = true;
    });
    classFails.push(fails);
  }
  // Policies govern pods: address-to-address traffic is not theirs, and a workload does not connect to itself.
  const isPair = (i: number, j: number) =>
    i < sourceWorkloads ? j >= destinationWorkloads || !workloadPairs!.isSelf(i, j) : j < destinationWorkloads;
  const allowedAt = (i: number, j: number) =>
    i < sourceWorkloads && j < destinationWorkloads ? workloadPairs!.allowed(i, j) : context.bulk.allowed(endpointOf(from, i), destinations[j]);
  const fails = (i: number, j: number): boolean =>
    i < sourceWorkloads && j < destinationWorkloads
      ? classFails[j][workloadPairs!.classOf(i, j)] === 1
      : contradiction(expectation, expectedPorts[j], allowedAt(i, j)) !== undefined;
  // Pairs with an address block (a workload and a block, either way round) are few: one by one.
  for (let i = 0; i < sourceCount; i++) {
    if (i % SOURCES_PER_STEP === SOURCES_PER_STEP - 1 && destinations.length > destinationWorkloads) yield;
    const workloadSource = i < sourceWorkloads;
    for (let j = workloadSource ? destinationWorkloads : 0; j < (workloadSource ? destinations.length : destinationWorkloads); j++) {
      pairs++;
      if (fails(i, j)) failingPairs++;
      else passes = true;
    }
  }

  // In order, source by source: the first pair that meets an `any` expectation passes it, with the pairs counted up
  // to it; of the failing pairs, only the first few are explained (an expectation may fail millions of times).
  if (expectation.quantifier === 'any' && passes) {
    let counted = 0;
    for (let i = 0; i < sourceCount; i++) {
      if (i % SOURCES_PER_STEP === SOURCES_PER_STEP - 1) yield;
      for (let j = 0; j < destinations.length; j++) {
        if (!isPair(i, j)) continue;
        counted++;
        if (!fails(i, j)) return baseResult(test, expectation, context.name, 'pass', { pairs: counted });
      }
    }
  }
  const failures: PairFailure[] = [];
  scan: for (let i = 0; failingPairs > 0 && i < sourceCount; i++) {
    if (i % SOURCES_PER_STEP === SOURCES_PER_STEP - 1) yield;
    for (let j = 0; j < destinations.length; j++) {
      if (!isPair(i, j) || !fails(i, j)) continue;
      const allowed = allowedAt(i, j);
      const found = contradiction(expectation, expectedPorts[j], allowed)!;
      failures.push(explainFailure(expectation, expectedPorts[j], endpointOf(from, i), destinations[j], context.analysis, allowed, found.wrongly, found.wrongPorts));
      if (failures.length >= MAX_REPORTED_FAILURES) break scan;
    }
  }
  if (pairs === 0) {
    const message = `no pair to check: from ${expectation.from.text} and to ${expectation.to.text} name the same single workload, or only addresses`;
    return baseResult(test, expectation, context.name, 'fail', {
      vacuous: [{ side: 'to', text: expectation.to.text, range: { uri: test.uri, range: expectation.to.range }, message }],
      message,
    });
  }
  if (failingPairs === 0) return baseResult(test, expectation, context.name, 'pass', { pairs });
  const first = failures[0];
  const message =
    expectation.quantifier === 'any'
      ? `none of the ${pairs} pairs satisfies the expectation; for example ${first.message}`
      : failingPairs > 1
        ? `${failingPairs} of ${pairs} pairs fail; first: ${first.message}`
        : first.message;
  return baseResult(test, expectation, context.name, 'fail', { pairs, failingPairs, failures, message });
}

// Sizes of the steps of checkExpectation: each about a millisecond on the large bench workspace.
const PAIRS_PER_STEP = 100_000;
const CLASSES_PER_STEP = 2_000;
const SOURCES_PER_STEP = 2_000;

const WITNESS_PROTOCOL_ORDER: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

const PREFERRED_PORTS: readonly { protocol: Protocol; port: number }[] = [
  { protocol: 'TCP', port: 80 },
  { protocol: 'TCP', port: 443 },
];

/** One port of `set`, preferring the destination's declared ports, so the explanation shows a port that matters. */
function pickPort(set: PortSet, destination: Endpoint): { protocol: Protocol; port: number } {
  const declared = destination.type === 'workload' ? destination.workload.containerPorts.map((c) => ({ protocol: c.protocol, port: c.containerPort })) : [];
  for (const p of [...declared, ...PREFERRED_PORTS]) if (set.has(p.protocol, p.port)) return p;
  for (const protocol of WITNESS_PROTOCOL_ORDER) {
    const ranges = set.ranges(protocol);
    if (ranges.length > 0) return { protocol, port: ranges[0][0] };
  }
  return { protocol: 'TCP', port: 80 };
}

/** The ports an expectation states toward one destination, named ports resolved. */
export interface PortsTowardDestination {
  set: PortSet;
  /** For messages: how each name resolved, `http = TCP 8080` (empty without named ports). */
  resolution: string;
}

/** The expected ports toward a destination: the numeric ports, and the container ports matching each name and
 *  protocol (an address declares none). Undefined when the expectation states no ports. */
export function expectedPortsToward(ports: ExpectedPorts | undefined, destination: Endpoint): PortsTowardDestination | undefined {
  if (!ports) return undefined;
  if (ports.named.length === 0) return { set: ports.set, resolution: '' };
  let set = ports.set;
  const resolutions: string[] = [];
  for (const named of ports.named) {
    const resolved = destination.type === 'workload' ? declaredPorts(named, destination.workload) : PortSet.NONE;
    set = set.union(resolved);
    resolutions.push(`${named.name} = ${resolved.isEmpty() ? 'nothing' : resolved.toString()}`);
  }
  return { set, resolution: resolutions.join(', ') };
}

/** The container ports of a workload with the name and protocol. */
function declaredPorts(named: NamedPort, workload: Workload): PortSet {
  let set = PortSet.NONE;
  for (const port of workload.containerPorts) {
    if (port.name === named.name && port.protocol === named.protocol) set = set.union(PortSet.of(port.protocol, port.containerPort, port.containerPort));
  }
  return set;
}

const MAX_NAMED_DESTINATIONS = 3;

/** A named port that some destination does not declare checks nothing there: one failure per such name, and one for addresses. */
function unresolvedNamedPorts(ports: ExpectedPorts, side: Side, to: ResolvedSide, test: ConnectivityTest): VacuousReference[] {
  const out: VacuousReference[] = [];
  for (const named of ports.named) {
    const lacking = to.workloads.filter((w) => declaredPorts(named, w).isEmpty()).map((w) => `${w.namespace}/${w.kind}/${w.name}`);
    if (lacking.length === 0) continue;
    out.push({
      side: 'to',
      text: named.name,
      range: { uri: test.uri, range: named.range },
      message: `${listSome(lacking)} ${lacking.length > 1 ? 'declare' : 'declares'} no ${named.protocol} port named ${named.name}`,
    });
  }
  if (to.addresses.length > 0) {
    const blocks = [...new Set(side.references.flatMap((r) => selectorsOf(r)).filter((s) => s.type === 'cidr').map((s) => s.text))];
    const names = ports.named.map((n) => `${n.protocol} ${n.name}`);
    out.push({
      side: 'to',
      text: side.text,
      range: { uri: test.uri, range: ports.range },
      message: `${listSome(blocks)} ${blocks.length > 1 ? 'are address blocks' : 'is an address block'}: a named port (${names.join(', ')}) needs a destination pod that declares it`,
    });
  }
  return out;
}

/** The first few names, and how many more. */
function listSome(names: string[]): string {
  if (names.length <= MAX_NAMED_DESTINATIONS) return listNames(names);
  return `${names.slice(0, MAX_NAMED_DESTINATIONS).join(', ')} and ${names.length - MAX_NAMED_DESTINATIONS} more`;
}

/** How a pair contradicts an expectation, given the ports it states toward the destination: undefined when it meets it. Cheap: no explanation is built. */
export function contradiction(
  expectation: Expectation,
  ports: PortsTowardDestination | undefined,
  allowed: PortSet,
): { wrongly: 'denied' | 'allowed'; wrongPorts: PortSet } | undefined {
  const expected = ports?.set;
  switch (expectation.verdict) {
    case 'allow':
      // Without ports: some connection must be possible.
      if (!expected) return allowed.isEmpty() ? { wrongly: 'denied', wrongPorts: PortSet.ALL } : undefined;
      if (expected.subtract(allowed).isEmpty()) return undefined;
      return { wrongly: 'denied', wrongPorts: expected.subtract(allowed) };
    case 'deny': {
      const wrong = expected ? expected.intersect(allowed) : allowed;
      return wrong.isEmpty() ? undefined : { wrongly: 'allowed', wrongPorts: wrong };
    }
    case 'allow-only': {
      const listed = expected ?? PortSet.NONE;
      const missing = listed.subtract(allowed);
      if (!missing.isEmpty()) return { wrongly: 'denied', wrongPorts: missing };
      const extra = allowed.subtract(listed);
      return extra.isEmpty() ? undefined : { wrongly: 'allowed', wrongPorts: extra };
    }
  }
}

/** Undefined when the pair meets the expectation; else the failure, explained. A name the destination does not
 *  declare adds no port here: runConnectivityTests fails such an expectation before checking any pair. */
export function checkPair(
  expectation: Expectation,
  source: Endpoint,
  destination: Endpoint,
  analysis: Analysis,
  allowed: PortSet = analysis.connection(source, destination).allowed,
): PairFailure | undefined {
  const expected = expectedPortsToward(expectation.ports, destination);
  const found = contradiction(expectation, expected, allowed);
  return found && explainFailure(expectation, expected, source, destination, analysis, allowed, found.wrongly, found.wrongPorts);
}

function explainFailure(
  expectation: Expectation,
  ports: PortsTowardDestination | undefined,
  source: Endpoint,
  destination: Endpoint,
  analysis: Analysis,
  allowed: PortSet,
  wrongly: 'denied' | 'allowed',
  wrongPorts: PortSet,
): PairFailure {
  const expected = ports?.set;
  const witness = pickPort(wrongPorts, destination);
  const verdict = analysis.verdict(source, destination, witness.protocol, witness.port);
  const explanation = explainVerdict(verdict, analysis.model);
  const causes = decidingCauses(verdict);
  const pair = `${nameOf(source)} -> ${nameOf(destination)}`;
  const portsText = expectation.ports ? `${expectation.ports.text}${ports?.resolution ? ` (${ports.resolution})` : ''}` : undefined;
  const expectedText =
    expectation.verdict === 'allow'
      ? `allow ${portsText ?? 'a connection'}`
      : expectation.verdict === 'deny'
        ? `deny ${portsText ?? 'every port'}`
        : `allow only ${portsText ?? '(no ports)'}`;
  const actual =
    wrongly === 'denied'
      ? expected || expectation.verdict === 'allow-only'
        ? `${wrongPorts.toString()} ${plural(wrongPorts)} denied`
        : 'every port is denied'
      : expectation.verdict === 'allow-only'
        ? `${wrongPorts.toString()} ${plural(wrongPorts)} allowed too`
        : `${wrongPorts.toString()} ${plural(wrongPorts)} allowed`;
  const why = explainCauses(verdict);
  return {
    source,
    destination,
    allowed,
    wrongly,
    wrongPorts,
    verdict,
    explanation,
    causes,
    message: `expected ${pair} to ${expectedText}, but ${actual}${why ? `: ${why}` : ''}`,
  };
}

function plural(set: PortSet): string {
  return set.isAll() ? 'are' : /[,-]/.test(set.toString()) ? 'are' : 'is';
}

function nameOf(e: Endpoint): string {
  return e.type === 'workload' ? e.workload.displayName : formatRangeAsCidr(e.range);
}

function listNames(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The policies and rules that make the verdict what it is, one entry per policy or rule (for related locations). */
export function decidingCauses(v: Verdict): DecidingCause[] {
  const causes: DecidingCause[] = [];
  const portText = `${v.protocol} ${v.port}`;
  if (v.self) return causes;
  for (const d of [v.egress, v.ingress]) {
    const subject = d.direction === 'egress' ? v.source : v.destination;
    const peer = d.direction === 'egress' ? v.destination : v.source;
    const toward = `${d.direction === 'egress' ? 'to' : 'from'} ${nameOf(peer)}`;
    const cilium = d.ciliumDecision;
    if (cilium && cilium.by !== 'default' && (v.allowed || !d.allowed)) {
      // Under Cilium: the entry, NetworkPolicy rule, cluster-wide rule or default deny that decided this port.
      const where = ciliumDecisionLocation(cilium);
      const policy = cilium.by === 'cilium-deny' || cilium.by === 'cilium-allow' ? cilium.policy : cilium.by === 'network-policy-allow' ? cilium.policy : cilium.by === 'cluster-rule' ? cilium.decision.policy : undefined;
      causes.push({
        direction: d.direction,
        role: d.allowed ? 'allows' : 'decides',
        subject: cilium.by === 'default-deny' ? cilium.enabledBy.join(', ') : policy ? `${policy.object.kind} ${policy.name}` : '',
        ...(cilium.by === 'cilium-deny' || cilium.by === 'cilium-allow' ? { ruleIndex: cilium.element.index } : cilium.by === 'network-policy-allow' ? { ruleIndex: cilium.rule.index } : cilium.by === 'cluster-rule' ? { ruleIndex: cilium.decision.rule.index } : {}),
        location: where ?? (subject.type === 'workload' ? { uri: subject.workload.object.uri, range: subject.workload.object.range } : { uri: '', range: [0, 0] }),
        message: `${d.direction} of ${nameOf(subject)} ${toward} on ${portText}: ${describeCiliumDecision(cilium, d.direction)}`,
      });
      continue;
    }
    const decision = d.decision;
    if (decision && decision.action !== 'pass' && (v.allowed || !d.allowed)) {
      // A cluster-wide rule (Admin or Baseline tier) decided this port for this side.
      causes.push({
        direction: d.direction,
        role: 'decides',
        subject: `${decision.kind} ${decision.policy.name}`,
        ruleIndex: decision.rule.index,
        location: { uri: decision.policy.object.uri, range: rangeAt(decision.policy.object.node, decision.rule.path) ?? decision.policy.object.range },
        message: `${describeDecision(decision, d.direction)} ${decision.action === 'allow' ? 'allows' : 'denies'} ${portText} ${toward}`,
      });
      continue;
    }
    if (v.allowed) {
      if (!d.isolated) {
        if (subject.type === 'workload') {
          causes.push({
            direction: d.direction,
            role: 'not-isolated',
            subject: subject.workload.displayName,
            location: { uri: subject.workload.object.uri, range: subject.workload.object.range },
            message: `${d.direction} of ${subject.workload.displayName} is not isolated: no policy with ${d.direction === 'egress' ? 'Egress' : 'Ingress'} selects it`,
          });
        }
        continue;
      }
      for (const c of d.allowingRules) {
        causes.push({
          direction: d.direction,
          role: 'allows',
          subject: policyName(c.policy),
          ruleIndex: c.rule.index,
          location: ruleLocation(c.policy, c.rule),
          message: `${policyName(c.policy)} ${d.direction} rule ${c.rule.index + 1} allows ${portText} ${toward}`,
        });
      }
    } else if (!d.allowed) {
      for (const p of d.policies) {
        causes.push({
          direction: d.direction,
          role: 'isolates',
          subject: policyName(p),
          location: { uri: p.object.uri, range: rangeAt(p.object.node, ['metadata', 'name']) ?? p.object.range },
          message: `${policyName(p)} isolates ${d.direction} of ${nameOf(subject)} and none of its rules allows ${portText} ${toward}`,
        });
      }
    }
  }
  return causes;
}

/** Why the verdict is what it is, in one clause per deciding direction. */
export function explainCauses(v: Verdict): string {
  if (v.self) return 'a pod may always reach itself';
  const clauses: string[] = [];
  const portText = `${v.protocol} ${v.port}`;
  for (const d of [v.egress, v.ingress]) {
    const subject = nameOf(d.direction === 'egress' ? v.source : v.destination);
    const peer = nameOf(d.direction === 'egress' ? v.destination : v.source);
    const toward = `${d.direction === 'egress' ? 'to' : 'from'} ${peer}`;
    if (d.ciliumDecision && d.ciliumDecision.by !== 'default' && (v.allowed || !d.allowed)) {
      clauses.push(`${d.direction} ${toward}: ${describeCiliumDecision(d.ciliumDecision, d.direction)}`);
      continue;
    }
    if (d.decision && d.decision.action !== 'pass' && (v.allowed || !d.allowed)) {
      clauses.push(`${describeDecision(d.decision, d.direction)} ${d.decision.action === 'allow' ? 'allows' : 'denies'} it ${toward}`);
      continue;
    }
    if (v.allowed) {
      if (!d.isolated) {
        if ((d.direction === 'egress' ? v.source : v.destination).type === 'workload') clauses.push(`${d.direction} of ${subject} is not isolated`);
      } else {
        const rules = d.allowingRules.map((c) => `${policyName(c.policy)} ${d.direction} rule ${c.rule.index + 1}`);
        clauses.push(`${listNames(rules)} ${rules.length > 1 ? 'allow' : 'allows'} it ${toward}`);
      }
    } else if (!d.allowed) {
      const names = d.policies.map(policyName);
      clauses.push(`${d.direction} of ${subject} is isolated by ${listNames(names)} and none of ${names.length > 1 ? 'their' : 'its'} rules allows ${portText} ${toward}`);
    }
  }
  return clauses.join('; ');
}

/** Matched endpoints of a reference, as names (workloads by display name, addresses as CIDRs), for hovers. */
export function describeMatches(ref: GroupReference, context: ScopeContext): { workloads: Workload[]; addresses: string[] } {
  const r = resolveReference(ref, context);
  return { workloads: r.workloads, addresses: r.addresses.map(formatRangeAsCidr) };
}
