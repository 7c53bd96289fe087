// Connectivity test files (`*.netpol-test.yaml`, `apiVersion: netpol.dev/v1alpha1`, `kind: ConnectivityTest`): what a
// team expects to be reachable, read into plain data with source ranges. Reading never throws; every problem is
// kept with its range so the editor and the CLI can show it (and the affected expectation fails).
import type { Node as YamlNode } from 'yaml';
import { parseCidr, type IpRange } from '../cidr';
import { isPlainObject, keyRangeAt, nodeAt, rangeAt, type K8sObject, type ParsedFile } from '../parse';
import { PortSet } from '../portset';
import { isValidPortName } from '../policy';
import { readSelector, type LabelSelector } from '../selectors';
import type { OffsetRange, Protocol } from '../types';

export const TEST_API_VERSION = 'netpol.dev/v1alpha1';
export const TEST_KIND = 'ConnectivityTest';
export const TEST_FILE_SUFFIX = /\.netpol-test\.ya?ml$/i;

export type ExpectedVerdict = 'allow' | 'deny' | 'allow-only';
export const VERDICTS: readonly ExpectedVerdict[] = ['allow', 'deny', 'allow-only'];
export type Quantifier = 'all' | 'any';
export const QUANTIFIERS: readonly Quantifier[] = ['all', 'any'];
export type ExpectationStatus = 'todo' | 'skip';
export const STATUSES: readonly ExpectationStatus[] = ['todo', 'skip'];

/** One way of naming endpoints inside a group; a group is the union of its selectors. */
export type EndpointSelector =
  | { type: 'workload'; namespace: string; kind?: string; name: string; text: string; range: OffsetRange }
  | {
      type: 'pods';
      /** A namespace by name; absent when namespaceSelector is used. */
      namespace?: string;
      namespaceSelector?: LabelSelector;
      /** Absent: every pod of the namespaces. */
      podSelector?: LabelSelector;
      range: OffsetRange;
    }
  | { type: 'cidr'; cidr: IpRange; text: string; range: OffsetRange };

export interface EndpointGroup {
  name: string;
  /** The group's key in `spec.groups`. */
  nameRange: OffsetRange;
  /** The group's definition (its value). */
  range: OffsetRange;
  selectors: EndpointSelector[];
}

/** A reference to endpoints in `from`/`to`/`except`: a group name, or a workload/CIDR written inline. */
export interface GroupReference {
  text: string;
  range: OffsetRange;
  /** Set when the text names a group of the test. */
  group?: EndpointGroup;
  /** Set when the text is an inline endpoint (`ns/Kind/name`, `ns/name`, a CIDR). */
  inline?: EndpointSelector;
}

export interface Side {
  /** `*`: every workload of the scope (external addresses are named by CIDR groups only). */
  everything: boolean;
  references: GroupReference[];
  except: GroupReference[];
  range: OffsetRange;
  /** As written, for names and messages. */
  text: string;
}

/** A container port name (`http`, `dns/UDP`): it resolves per destination pod, as in a NetworkPolicy. */
export interface NamedPort {
  name: string;
  protocol: Protocol;
  range: OffsetRange;
}

export interface ExpectedPorts {
  /** The ports written as numbers. */
  set: PortSet;
  /** The ports written as names, once each. */
  named: NamedPort[];
  /** As written, for messages: `TCP 5432, UDP 53, TCP http`. */
  text: string;
  range: OffsetRange;
}

export interface Expectation {
  index: number;
  name: string;
  /** Whether the name was written (else it is made from from/to/verdict). */
  named: boolean;
  range: OffsetRange;
  /** Where a failure is shown: the name, else the verdict, else the item. */
  anchor: OffsetRange;
  from: Side;
  to: Side;
  ports?: ExpectedPorts;
  verdict: ExpectedVerdict;
  quantifier: Quantifier;
  tags: string[];
  status?: ExpectationStatus;
  /** Problems that make the expectation unusable: it fails with them. */
  problems: SpecProblem[];
}

export interface SpecProblem {
  message: string;
  range: OffsetRange;
}

export interface ConnectivityTest {
  uri: string;
  name: string;
  /** The object's range, and its `metadata.name` (or `kind`) for lenses. */
  range: OffsetRange;
  headerRange: OffsetRange;
  /** Scope to evaluate in (`spec.scope`); default: the scopes holding the file. */
  scope?: string;
  groups: Map<string, EndpointGroup>;
  expectations: Expectation[];
  /** Problems of the file outside any one expectation (unknown fields, bad groups). */
  problems: SpecProblem[];
  object: K8sObject;
}

export function isConnectivityTestObject(o: K8sObject): boolean {
  return o.kind === TEST_KIND && o.apiVersion === TEST_API_VERSION;
}

export function isConnectivityTestUri(uri: string): boolean {
  return TEST_FILE_SUFFIX.test(uri);
}

/** Every ConnectivityTest of a parsed file, in document order. */
export function readConnectivityTests(file: ParsedFile): ConnectivityTest[] {
  const out: ConnectivityTest[] = [];
  for (const doc of file.documents) {
    for (const o of doc.objects) if (isConnectivityTestObject(o)) out.push(readConnectivityTest(o));
  }
  return out;
}

const SPEC_FIELDS = new Set(['scope', 'groups', 'expectations']);
const GROUP_FIELDS = new Set(['workload', 'workloads', 'namespace', 'labels', 'podSelector', 'namespaceSelector', 'cidr']);
const EXPECTATION_FIELDS = new Set(['name', 'from', 'to', 'ports', 'verdict', 'quantifier', 'tags', 'status']);

export function readConnectivityTest(object: K8sObject): ConnectivityTest {
  const problems: SpecProblem[] = [];
  const node = object.node;
  const whole = object.range;
  const at = (path: (string | number)[]) => rangeAt(node, path) ?? whole;
  const keyAt = (path: (string | number)[]) => keyRangeAt(node, path) ?? whole;
  const test: ConnectivityTest = {
    uri: object.uri,
    name: object.name || '(unnamed test)',
    range: whole,
    headerRange: object.name ? at(['metadata', 'name']) : keyAt(['kind']),
    groups: new Map(),
    expectations: [],
    problems,
    object,
  };
  if (!object.name) problems.push({ message: 'a ConnectivityTest needs metadata.name (it names the test in reports)', range: keyAt(['kind']) });
  const spec = object.value.spec;
  if (!isPlainObject(spec)) {
    problems.push({ message: 'a ConnectivityTest needs a spec with groups and expectations', range: spec === undefined ? keyAt(['kind']) : at(['spec']) });
    return test;
  }
  for (const key of Object.keys(spec)) {
    if (!SPEC_FIELDS.has(key)) problems.push({ message: `unknown field spec.${key} (expected scope, groups, expectations)`, range: keyAt(['spec', key]) });
  }
  if (spec.scope !== undefined) {
    if (typeof spec.scope === 'string' && spec.scope !== '') test.scope = spec.scope;
    else problems.push({ message: 'spec.scope must be the name of a scope of .netpol.yaml', range: at(['spec', 'scope']) });
  }

  const groups = spec.groups;
  if (groups !== undefined && groups !== null) {
    if (!isPlainObject(groups)) problems.push({ message: 'spec.groups must map group names to endpoints', range: at(['spec', 'groups']) });
    else {
      for (const [name, value] of Object.entries(groups)) {
        const path = ['spec', 'groups', name];
        const group: EndpointGroup = { name, nameRange: keyAt(path), range: at(path), selectors: [] };
        if (name === '*') problems.push({ message: '"*" is reserved for every workload; choose another group name', range: group.nameRange });
        const items = Array.isArray(value) ? value.map((v, i) => ({ v, path: [...path, i] })) : [{ v: value, path }];
        for (const item of items) group.selectors.push(...readGroupSelector(item.v, node, item.path, whole, problems));
        test.groups.set(name, group);
      }
    }
  }

  const expectations = spec.expectations;
  if (expectations === undefined || expectations === null) {
    problems.push({ message: 'spec.expectations is missing: a test without expectations checks nothing', range: keyAt(['spec']) });
  } else if (!Array.isArray(expectations)) {
    problems.push({ message: 'spec.expectations must be a list', range: at(['spec', 'expectations']) });
  } else {
    expectations.forEach((raw, index) => test.expectations.push(readExpectation(raw, index, test, node, whole)));
  }
  return test;
}

function readGroupSelector(
  value: unknown,
  root: YamlNode | undefined,
  path: (string | number)[],
  whole: OffsetRange,
  problems: SpecProblem[],
): EndpointSelector[] {
  const range = rangeAt(root, path) ?? whole;
  if (typeof value === 'string') {
    // Shorthand: a group written as one workload or CIDR.
    const inline = readInlineEndpoint(value, range);
    if (inline) return [inline];
    problems.push({ message: `"${value}" is neither a workload (namespace/Kind/name) nor a CIDR`, range });
    return [];
  }
  if (!isPlainObject(value)) {
    problems.push({ message: 'a group is a map with workload, namespace (+ labels), namespaceSelector (+ labels) or cidr, or a list of those', range });
    return [];
  }
  const keyRange = (key: string) => keyRangeAt(root, [...path, key]) ?? range;
  const valueRange = (key: string, ...more: (string | number)[]) => rangeAt(root, [...path, key, ...more]) ?? range;
  for (const key of Object.keys(value)) {
    if (!GROUP_FIELDS.has(key)) problems.push({ message: `unknown group field ${key} (expected ${[...GROUP_FIELDS].join(', ')})`, range: keyRange(key) });
  }
  const out: EndpointSelector[] = [];
  for (const key of ['workload', 'workloads']) {
    const raw = value[key];
    if (raw === undefined) continue;
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((w, i) => {
      const r = Array.isArray(raw) ? valueRange(key, i) : valueRange(key);
      const parsed = typeof w === 'string' ? parseWorkloadReference(w, r) : undefined;
      if (parsed) out.push(parsed);
      else problems.push({ message: `a workload is written namespace/Kind/name or namespace/name (got ${JSON.stringify(w)})`, range: r });
    });
  }
  if (value.cidr !== undefined) {
    const list = Array.isArray(value.cidr) ? value.cidr : [value.cidr];
    list.forEach((c, i) => {
      const r = Array.isArray(value.cidr) ? valueRange('cidr', i) : valueRange('cidr');
      const parsed = typeof c === 'string' ? parseCidr(c) : 'a CIDR must be a string such as 10.0.0.0/8';
      if (typeof parsed === 'string') problems.push({ message: parsed, range: r });
      else out.push({ type: 'cidr', cidr: parsed, text: c as string, range: r });
    });
  }
  const hasNamespace = value.namespace !== undefined;
  const hasNamespaceSelector = value.namespaceSelector !== undefined;
  const hasPods = value.labels !== undefined || value.podSelector !== undefined;
  if (hasNamespace || hasNamespaceSelector || hasPods) {
    const selector: EndpointSelector = { type: 'pods', range };
    if (hasNamespace && hasNamespaceSelector) {
      problems.push({ message: 'use namespace or namespaceSelector, not both', range: keyRange('namespaceSelector') });
    }
    if (hasNamespace) {
      if (typeof value.namespace === 'string' && value.namespace !== '') selector.namespace = value.namespace;
      else problems.push({ message: 'namespace must be a namespace name', range: valueRange('namespace') });
    } else if (hasNamespaceSelector) {
      selector.namespaceSelector = readSelectorProblems(value.namespaceSelector, valueRange('namespaceSelector'), problems);
    } else {
      problems.push({ message: 'labels need a namespace (or a namespaceSelector) to look in', range: keyRange(value.labels !== undefined ? 'labels' : 'podSelector') });
    }
    if (value.labels !== undefined && value.podSelector !== undefined) {
      problems.push({ message: 'use labels (a map) or podSelector (a label selector), not both', range: keyRange('podSelector') });
    }
    if (value.labels !== undefined) {
      selector.podSelector = readSelectorProblems({ matchLabels: value.labels }, valueRange('labels'), problems);
    } else if (value.podSelector !== undefined) {
      selector.podSelector = readSelectorProblems(value.podSelector, valueRange('podSelector'), problems);
    }
    if (selector.namespace !== undefined || selector.namespaceSelector !== undefined) out.push(selector);
  }
  if (out.length === 0 && !problems.some((p) => p.range[0] >= range[0] && p.range[1] <= range[1])) {
    problems.push({ message: 'this group names no endpoint: give a workload, a namespace (+ labels), a namespaceSelector or a cidr', range });
  }
  return out;
}

function readSelectorProblems(value: unknown, range: OffsetRange, problems: SpecProblem[]): LabelSelector {
  const selector = readSelector(value);
  for (const p of selector.problems) problems.push({ message: p.message, range });
  return selector;
}

const WORKLOAD_REFERENCE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/(?:([A-Za-z]+)\/)?([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/** `ns/Kind/name` or `ns/name`. */
export function parseWorkloadReference(text: string, range: OffsetRange): EndpointSelector | undefined {
  const m = WORKLOAD_REFERENCE.exec(text.trim());
  if (!m) return undefined;
  return { type: 'workload', namespace: m[1], kind: m[3], name: m[4], text: text.trim(), range };
}

/** A workload reference or a CIDR written in place of a group name. */
export function readInlineEndpoint(text: string, range: OffsetRange): EndpointSelector | undefined {
  if (text.includes('/') && /^[0-9a-fA-F:.]+\/\d+$/.test(text.trim())) {
    const cidr = parseCidr(text.trim());
    return typeof cidr === 'string' ? undefined : { type: 'cidr', cidr, text: text.trim(), range };
  }
  return parseWorkloadReference(text, range);
}

function readExpectation(raw: unknown, index: number, test: ConnectivityTest, root: YamlNode | undefined, whole: OffsetRange): Expectation {
  const path = ['spec', 'expectations', index];
  const range = rangeAt(root, path) ?? whole;
  const problems: SpecProblem[] = [];
  const emptySide = (): Side => ({ everything: false, references: [], except: [], range, text: '?' });
  const expectation: Expectation = {
    index,
    name: `expectation ${index + 1}`,
    named: false,
    range,
    anchor: range,
    from: emptySide(),
    to: emptySide(),
    verdict: 'allow',
    quantifier: 'all',
    tags: [],
    problems,
  };
  if (!isPlainObject(raw)) {
    problems.push({ message: 'an expectation is a map with from, to, verdict and optionally ports, quantifier, tags, status', range });
    return expectation;
  }
  const valueRange = (...more: (string | number)[]) => rangeAt(root, [...path, ...more]) ?? range;
  const keyRange = (key: string) => keyRangeAt(root, [...path, key]) ?? range;
  for (const key of Object.keys(raw)) {
    if (!EXPECTATION_FIELDS.has(key)) problems.push({ message: `unknown field ${key} (expected ${[...EXPECTATION_FIELDS].join(', ')})`, range: keyRange(key) });
  }

  if (raw.verdict === undefined) problems.push({ message: `verdict is missing: allow, deny or allow-only`, range: firstLine(range) });
  else if (typeof raw.verdict === 'string' && (VERDICTS as readonly string[]).includes(raw.verdict)) expectation.verdict = raw.verdict as ExpectedVerdict;
  else problems.push({ message: `verdict must be allow, deny or allow-only (got ${JSON.stringify(raw.verdict)})`, range: valueRange('verdict') });

  if (raw.quantifier !== undefined) {
    if (typeof raw.quantifier === 'string' && (QUANTIFIERS as readonly string[]).includes(raw.quantifier)) expectation.quantifier = raw.quantifier as Quantifier;
    else problems.push({ message: `quantifier must be all (every pair) or any (at least one pair)`, range: valueRange('quantifier') });
  }
  if (raw.status !== undefined && raw.status !== null) {
    if (typeof raw.status === 'string' && (STATUSES as readonly string[]).includes(raw.status)) expectation.status = raw.status as ExpectationStatus;
    else problems.push({ message: `status must be todo or skip`, range: valueRange('status') });
  }
  if (raw.tags !== undefined) {
    const tags = typeof raw.tags === 'string' ? [raw.tags] : Array.isArray(raw.tags) ? raw.tags : undefined;
    if (!tags || !tags.every((t) => typeof t === 'string')) problems.push({ message: 'tags must be a list of strings', range: valueRange('tags') });
    else expectation.tags = tags as string[];
  }

  for (const sideKey of ['from', 'to'] as const) {
    if (raw[sideKey] === undefined) {
      problems.push({ message: `${sideKey} is missing: a group name, a workload (namespace/Kind/name), a CIDR or "*"`, range: firstLine(range) });
      continue;
    }
    expectation[sideKey] = readSide(raw[sideKey], test, root, [...path, sideKey], problems);
  }

  if (raw.ports !== undefined && raw.ports !== null) {
    expectation.ports = readPorts(raw.ports, valueRange('ports'), root, [...path, 'ports'], problems);
  } else if (expectation.verdict === 'allow-only') {
    problems.push({ message: 'allow-only needs ports: the ports that are allowed (every other port must be denied)', range: valueRange('verdict') });
  }

  if (raw.name !== undefined) {
    if (typeof raw.name === 'string' && raw.name.trim() !== '') {
      expectation.name = raw.name;
      expectation.named = true;
    } else problems.push({ message: 'name must be a string', range: valueRange('name') });
  }
  if (!expectation.named) {
    const ports = expectation.ports ? ` on ${expectation.ports.text}` : '';
    expectation.name = `${expectation.from.text} -> ${expectation.to.text}: ${expectation.verdict}${ports}`;
  }
  expectation.anchor = expectation.named ? valueRange('name') : raw.verdict !== undefined ? valueRange('verdict') : firstLine(range);
  return expectation;
}

function firstLine(range: OffsetRange): OffsetRange {
  return [range[0], range[0] + 1];
}

function readSide(value: unknown, test: ConnectivityTest, root: YamlNode | undefined, path: (string | number)[], problems: SpecProblem[]): Side {
  const range = rangeAt(root, path) ?? test.range;
  const side: Side = { everything: false, references: [], except: [], range, text: '?' };
  const readRefs = (v: unknown, at: (string | number)[]): { refs: GroupReference[]; everything: boolean } => {
    const r = rangeAt(root, at) ?? range;
    const items = Array.isArray(v) ? v.map((x, i) => ({ x, at: [...at, i] })) : [{ x: v, at }];
    const refs: GroupReference[] = [];
    let everything = false;
    for (const item of items) {
      const itemRange = rangeAt(root, item.at) ?? r;
      if (typeof item.x !== 'string' || item.x.trim() === '') {
        problems.push({ message: 'name a group, a workload (namespace/Kind/name), a CIDR or "*"', range: itemRange });
        continue;
      }
      if (item.x === '*') {
        everything = true;
        continue;
      }
      refs.push(resolveReference(item.x, itemRange, test, problems));
    }
    return { refs, everything };
  };
  if (isPlainObject(value)) {
    // `{group: X, except: [...]}`: X is usually "*".
    for (const key of Object.keys(value)) {
      if (key !== 'group' && key !== 'except') problems.push({ message: `unknown field ${key} (expected group and except)`, range: keyRangeAt(root, [...path, key]) ?? range });
    }
    if (value.group === undefined) problems.push({ message: 'group is missing: a group name or "*"', range });
    else {
      const main = readRefs(value.group, [...path, 'group']);
      side.everything = main.everything;
      side.references = main.refs;
    }
    if (value.except !== undefined) side.except = readRefs(value.except, [...path, 'except']).refs;
  } else {
    const main = readRefs(value, path);
    side.everything = main.everything;
    side.references = main.refs;
  }
  const names = [...(side.everything ? ['*'] : []), ...side.references.map((r) => r.text)];
  side.text = (names.length > 1 ? `[${names.join(', ')}]` : names[0] ?? '?') + (side.except.length ? ` except ${side.except.map((r) => r.text).join(', ')}` : '');
  return side;
}

function resolveReference(text: string, range: OffsetRange, test: ConnectivityTest, problems: SpecProblem[]): GroupReference {
  const group = test.groups.get(text);
  if (group) return { text, range, group };
  const inline = readInlineEndpoint(text, range);
  if (inline) return { text, range, inline };
  const known = [...test.groups.keys()];
  problems.push({
    message: `unknown group "${text}"${known.length ? ` (groups: ${known.join(', ')})` : ''}; or write a workload as namespace/Kind/name or a CIDR`,
    range,
  });
  return { text, range };
}

const PORT_TEXT = /^(\d+)(?:-(\d+))?(?:\/(TCP|UDP|SCTP))?$/i;
// Anything shaped like a name, so that an invalid one gets the naming rule rather than the list of forms.
const NAME_TEXT = /^([^/\s]+)(?:\/(TCP|UDP|SCTP))?$/i;
const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];

function readPorts(value: unknown, range: OffsetRange, root: YamlNode | undefined, path: (string | number)[], problems: SpecProblem[]): ExpectedPorts {
  const items = Array.isArray(value) ? value.map((v, i) => ({ v, at: [...path, i] })) : [{ v: value, at: path }];
  let set = PortSet.NONE;
  const named: NamedPort[] = [];
  const texts: string[] = [];
  for (const item of items) {
    const r = rangeAt(root, item.at) ?? range;
    const parsed = readPort(item.v);
    if (typeof parsed === 'string') {
      problems.push({ message: parsed, range: r });
      continue;
    }
    if ('name' in parsed) {
      if (!named.some((n) => n.name === parsed.name && n.protocol === parsed.protocol)) named.push({ ...parsed, range: r });
      texts.push(`${parsed.protocol} ${parsed.name}`);
      continue;
    }
    set = set.union(PortSet.of(parsed.protocol, parsed.lo, parsed.hi));
    texts.push(`${parsed.protocol} ${parsed.lo === parsed.hi ? parsed.lo : `${parsed.lo}-${parsed.hi}`}`);
  }
  if (items.length === 0) problems.push({ message: 'ports is empty: list the ports, or leave ports out to mean any port', range });
  return { set, named, text: texts.join(', ') || '(no ports)', range };
}

type ReadPort = { protocol: Protocol; lo: number; hi: number } | { protocol: Protocol; name: string };

function readPort(value: unknown): ReadPort | string {
  const bad = `a port is written 5432, 5432/TCP, 53/UDP, 8000-8080/TCP, a container port name (http, dns/UDP) or {port, endPort, protocol} (got ${JSON.stringify(value)})`;
  let lo: number | undefined;
  let hi: number | undefined;
  let protocol: string = 'TCP';
  if (typeof value === 'number') lo = hi = value;
  else if (typeof value === 'string') {
    const m = PORT_TEXT.exec(value.trim());
    if (!m) {
      const name = NAME_TEXT.exec(value.trim());
      return name ? readPortName(name[1], name[2]?.toUpperCase() ?? 'TCP') : bad;
    }
    lo = Number(m[1]);
    hi = m[2] !== undefined ? Number(m[2]) : lo;
    protocol = m[3]?.toUpperCase() ?? 'TCP';
  } else if (isPlainObject(value)) {
    if (value.protocol !== undefined) {
      if (typeof value.protocol !== 'string' || !PROTOCOLS.includes(value.protocol)) return `protocol must be TCP, UDP or SCTP`;
      protocol = value.protocol;
    }
    if (typeof value.port === 'string') {
      // As in a NetworkPolicy: a name stands for one port per pod, so it cannot start a range.
      if (value.endPort !== undefined) return `endPort needs a numeric port: the named port ${value.port} is one port on each pod`;
      return readPortName(value.port, protocol);
    }
    if (typeof value.port !== 'number') return bad;
    lo = value.port;
    hi = typeof value.endPort === 'number' ? value.endPort : lo;
  } else return bad;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi) return `port ${lo}${hi !== lo ? `-${hi}` : ''} is out of range: ports are 1-65535, low to high`;
  return { protocol: protocol as Protocol, lo, hi };
}

/** A container port name, validated as Kubernetes validates container port names (IANA_SVC_NAME). */
function readPortName(name: string, protocol: string): ReadPort | string {
  if (!isValidPortName(name)) {
    return `"${name}" is not a valid port name: 1-15 lowercase letters, digits and '-', with at least one letter, no '-' at either end and no '--'`;
  }
  return { protocol: protocol as Protocol, name };
}

/** The YAML node of an expectation, for editor features. */
export function expectationNode(test: ConnectivityTest, index: number): YamlNode | undefined {
  return nodeAt(test.object.node, ['spec', 'expectations', index]);
}
