// Calico's selector language (projectcalico.org/v3 `selector`, `namespaceSelector`, `serviceAccountSelector`),
// parsed with source offsets so that diagnostics, hovers and completion can point inside the string.
// Reference: Calico docs "Selectors" (_selectors.mdx) and libcalico-go lib/selector (tokenizer.go, parser.go):
//   terms     k == 'v'   k != 'v' (also true when k is absent)   k in {'a','b'}   k not in {…} (true when absent)
//             has(k)   all()   global()   k contains 's'   k starts with 's'   k ends with 's'
//   connectives  !  &&  ||  ( )   precedence: terms, parentheses > ! > && > ||
//   strings   '…' or "…", no escapes; label keys [A-Za-z0-9_./-]; an empty selector is all().
// `global()` matches endpoints that are not in a namespace (GlobalNetworkSets, host endpoints).

/** The label Calico gives every namespaced endpoint: its namespace. Absent on global endpoints. */
export const CALICO_NAMESPACE_LABEL = 'projectcalico.org/namespace';
export const CALICO_ORCHESTRATOR_LABEL = 'projectcalico.org/orchestrator';
export const CALICO_SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';
/** Prefix of namespace labels as a policy's namespaceSelector sees them on endpoints. */
export const CALICO_NAMESPACE_PREFIX = 'pcns.';
/** Prefix of service-account labels. */
export const CALICO_SERVICE_ACCOUNT_PREFIX = 'pcsa.';

export type CalicoSelector =
  | { type: 'all'; start: number; end: number }
  | { type: 'global'; start: number; end: number }
  | { type: 'has'; key: string; start: number; end: number }
  | { type: 'compare'; key: string; op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; value: string; start: number; end: number }
  | { type: 'set'; key: string; op: 'in' | 'not in'; values: string[]; start: number; end: number }
  | { type: 'not'; operand: CalicoSelector; start: number; end: number }
  | { type: 'and' | 'or'; operands: CalicoSelector[]; start: number; end: number };

export interface SelectorError {
  message: string;
  /** Offsets into the selector string. */
  start: number;
  end: number;
}

export type SelectorParse = { ok: true; selector: CalicoSelector } | { ok: false; error: SelectorError };

type TokenKind = 'label' | 'string' | '==' | '!=' | '!' | '&&' | '||' | '(' | ')' | '{' | '}' | ',' | 'has' | 'all' | 'global' | 'in' | 'not in' | 'contains' | 'starts with' | 'ends with' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const LABEL_CHAR = /[A-Za-z0-9_./-]/;
const WORD_OPERATORS: readonly [TokenKind, RegExp][] = [
  ['not in', /^not\s+in(?![A-Za-z0-9_./-])/],
  ['in', /^in(?![A-Za-z0-9_./-])/],
  ['contains', /^contains(?![A-Za-z0-9_./-])/],
  ['starts with', /^starts\s+with(?![A-Za-z0-9_./-])/],
  ['ends with', /^ends\s+with(?![A-Za-z0-9_./-])/],
];

class Failure {
  constructor(readonly error: SelectorError) {}
}

function fail(message: string, start: number, end: number): never {
  throw new Failure({ message, start, end: Math.max(end, start) });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (true) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) {
      tokens.push({ kind: 'eof', text: '', start: n, end: n });
      return tokens;
    }
    const start = i;
    const c = text[i];
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      tokens.push({ kind: two, text: two, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (c === '!' || c === '(' || c === ')' || c === '{' || c === '}' || c === ',') {
      tokens.push({ kind: c, text: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close < 0) fail(`unterminated string: add the closing ${c}`, start, n);
      tokens.push({ kind: 'string', text: text.slice(i + 1, close), start, end: close + 1 });
      i = close + 1;
      continue;
    }
    // The word operators count only right after a label (Calico's tokenizer looks for them there).
    const previous = tokens[tokens.length - 1];
    if (previous?.kind === 'label') {
      const rest = text.slice(i);
      const word = WORD_OPERATORS.find(([, re]) => re.test(rest));
      if (word) {
        const length = rest.match(word[1])![0].length;
        tokens.push({ kind: word[0], text: text.slice(i, i + length), start, end: i + length });
        i += length;
        continue;
      }
    }
    // has(k), all(), global(): a function name directly followed (after spaces) by "(".
    const fn = /^(has|all|global)\s*\(/.exec(text.slice(i));
    if (fn) {
      const name = fn[1] as 'has' | 'all' | 'global';
      let j = i + fn[0].length;
      while (j < n && /\s/.test(text[j])) j++;
      let key = '';
      const keyStart = j;
      if (name === 'has') {
        while (j < n && LABEL_CHAR.test(text[j])) j++;
        key = text.slice(keyStart, j);
        if (!key) fail('has() needs a label key: has(app)', keyStart, keyStart + 1);
        while (j < n && /\s/.test(text[j])) j++;
      }
      if (text[j] !== ')') fail(name === 'has' ? 'expected ")" to close has(' : `${name}() takes no argument`, j, Math.min(j + 1, n));
      tokens.push({ kind: name, text: key, start, end: j + 1 });
      i = j + 1;
      continue;
    }
    if (LABEL_CHAR.test(c)) {
      let j = i;
      while (j < n && LABEL_CHAR.test(text[j])) j++;
      tokens.push({ kind: 'label', text: text.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    if (c === '=') fail('use == to compare a label with a value', start, i + 1);
    if (c === '&' || c === '|') fail(`use ${c}${c}`, start, i + 1);
    fail(`unexpected character ${JSON.stringify(c)}`, start, i + 1);
  }
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    return this.tokens[this.at++];
  }

  private expect(kind: TokenKind, what: string): Token {
    const t = this.next();
    if (t.kind !== kind) fail(`expected ${what}${t.kind === 'eof' ? ' at the end' : `, found ${describe(t)}`}`, t.start, t.end);
    return t;
  }

  parse(): CalicoSelector {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'eof') fail(`unexpected ${describe(t)}: join expressions with && or ||`, t.start, t.end);
    return e;
  }

  private or(): CalicoSelector {
    const first = this.and();
    const operands = [first];
    while (this.peek().kind === '||') {
      this.next();
      operands.push(this.and());
    }
    return operands.length === 1 ? first : { type: 'or', operands, start: first.start, end: operands[operands.length - 1].end };
  }

  private and(): CalicoSelector {
    const first = this.not();
    const operands = [first];
    while (this.peek().kind === '&&') {
      this.next();
      operands.push(this.not());
    }
    return operands.length === 1 ? first : { type: 'and', operands, start: first.start, end: operands[operands.length - 1].end };
  }

  private not(): CalicoSelector {
    const t = this.peek();
    if (t.kind === '!') {
      this.next();
      const operand = this.not();
      return { type: 'not', operand, start: t.start, end: operand.end };
    }
    return this.term();
  }

  private term(): CalicoSelector {
    const t = this.next();
    switch (t.kind) {
      case '(': {
        const inner = this.or();
        const close = this.expect(')', '")"');
        return { ...inner, start: t.start, end: close.end } as CalicoSelector;
      }
      case 'all':
        return { type: 'all', start: t.start, end: t.end };
      case 'global':
        return { type: 'global', start: t.start, end: t.end };
      case 'has':
        return { type: 'has', key: t.text, start: t.start, end: t.end };
      case 'label':
        return this.operation(t);
      default:
        fail(t.kind === 'eof' ? 'the selector ends where an expression is expected' : `expected a label, has(), all() or "(", found ${describe(t)}`, t.start, t.end);
    }
  }

  private operation(label: Token): CalicoSelector {
    const op = this.next();
    switch (op.kind) {
      case '==':
      case '!=':
      case 'contains':
      case 'starts with':
      case 'ends with': {
        const value = this.next();
        if (value.kind !== 'string') fail(`expected a quoted value after ${op.kind}${value.kind === 'label' ? `: write '${value.text}'` : ''}`, value.start, value.end);
        return { type: 'compare', key: label.text, op: op.kind, value: value.text, start: label.start, end: value.end };
      }
      case 'in':
      case 'not in': {
        this.expect('{', `"{" after ${op.kind}`);
        const values: string[] = [];
        if (this.peek().kind === '}') {
          const close = this.next();
          return { type: 'set', key: label.text, op: op.kind, values, start: label.start, end: close.end };
        }
        while (true) {
          const value = this.next();
          if (value.kind !== 'string') fail(`expected a quoted value in the set${value.kind === 'label' ? `: write '${value.text}'` : ''}`, value.start, value.end);
          values.push(value.text);
          const sep = this.next();
          if (sep.kind === '}') return { type: 'set', key: label.text, op: op.kind, values, start: label.start, end: sep.end };
          if (sep.kind !== ',') fail(`expected "," or "}" in the set, found ${describe(sep)}`, sep.start, sep.end);
        }
      }
      default:
        fail(`expected ==, !=, in, not in, contains, starts with or ends with after the label "${label.text}"${op.kind === 'eof' ? '' : `, found ${describe(op)}`} (use has(${label.text}) to test that it exists)`, op.kind === 'eof' ? label.start : op.start, op.kind === 'eof' ? label.end : op.end);
    }
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end';
  if (t.kind === 'string') return `the string ${JSON.stringify(t.text)}`;
  if (t.kind === 'label') return `"${t.text}"`;
  if (t.kind === 'has' || t.kind === 'all' || t.kind === 'global') return `${t.kind}()`;
  return `"${t.text}"`;
}

const parseCache = new Map<string, SelectorParse>();

/** Parses a Calico selector; an empty (or blank) selector is all(). Results are cached by text. */
export function parseCalicoSelector(text: string): SelectorParse {
  const cached = parseCache.get(text);
  if (cached) return cached;
  let result: SelectorParse;
  if (text.trim() === '') result = { ok: true, selector: { type: 'all', start: 0, end: text.length } };
  else {
    try {
      result = { ok: true, selector: new Parser(tokenize(text)).parse() };
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      // Offsets stay inside the text (an error at its end points at the end).
      const start = Math.min(e.error.start, text.length);
      result = { ok: false, error: { message: e.error.message, start, end: Math.min(Math.max(e.error.end, start), text.length) } };
    }
  }
  if (parseCache.size > 10_000) parseCache.clear();
  parseCache.set(text, result);
  return result;
}

/** Whether the labels (an endpoint's, with Calico's implicit labels) satisfy the selector. */
export function matchesCalicoSelector(selector: CalicoSelector, labels: Readonly<Record<string, string>>): boolean {
  switch (selector.type) {
    case 'all':
      return true;
    case 'global':
      return !Object.prototype.hasOwnProperty.call(labels, CALICO_NAMESPACE_LABEL);
    case 'has':
      return Object.prototype.hasOwnProperty.call(labels, selector.key);
    case 'compare': {
      const has = Object.prototype.hasOwnProperty.call(labels, selector.key);
      const v = has ? labels[selector.key] : undefined;
      switch (selector.op) {
        case '==':
          return v === selector.value;
        case '!=':
          return v !== selector.value;
        case 'contains':
          return v !== undefined && v.includes(selector.value);
        case 'starts with':
          return v !== undefined && v.startsWith(selector.value);
        case 'ends with':
          return v !== undefined && v.endsWith(selector.value);
      }
      return false;
    }
    case 'set': {
      const has = Object.prototype.hasOwnProperty.call(labels, selector.key);
      const inSet = has && selector.values.includes(labels[selector.key]);
      return selector.op === 'in' ? inSet : !inSet;
    }
    case 'not':
      return !matchesCalicoSelector(selector.operand, labels);
    case 'and':
      return selector.operands.every((o) => matchesCalicoSelector(o, labels));
    case 'or':
      return selector.operands.some((o) => matchesCalicoSelector(o, labels));
  }
}

/** The selector written back in Calico's syntax (normalized: single quotes, minimal parentheses). */
export function formatCalicoSelector(selector: CalicoSelector): string {
  const quote = (v: string) => (v.includes("'") ? `"${v}"` : `'${v}'`);
  switch (selector.type) {
    case 'all':
      return 'all()';
    case 'global':
      return 'global()';
    case 'has':
      return `has(${selector.key})`;
    case 'compare':
      return `${selector.key} ${selector.op} ${quote(selector.value)}`;
    case 'set':
      return `${selector.key} ${selector.op} {${selector.values.map(quote).join(', ')}}`;
    case 'not': {
      const inner = formatCalicoSelector(selector.operand);
      return selector.operand.type === 'and' || selector.operand.type === 'or' ? `!(${inner})` : `!${inner}`;
    }
    case 'and':
      return selector.operands.map((o) => (o.type === 'or' ? `(${formatCalicoSelector(o)})` : formatCalicoSelector(o))).join(' && ');
    case 'or':
      return selector.operands.map(formatCalicoSelector).join(' || ');
  }
}

/** Label keys a selector tests (for "matches nothing" explanations and completion). */
export function selectorKeys(selector: CalicoSelector, out: Set<string> = new Set()): Set<string> {
  switch (selector.type) {
    case 'has':
    case 'compare':
    case 'set':
      out.add(selector.key);
      break;
    case 'not':
      selectorKeys(selector.operand, out);
      break;
    case 'and':
    case 'or':
      for (const o of selector.operands) selectorKeys(o, out);
      break;
  }
  return out;
}

/**
 * The labels Calico gives a pod's workload endpoint: its own, its namespace, the orchestrator, its service account,
 * the namespace's labels as pcns.* (with pcns.projectcalico.org/name) and the service account's as pcsa.*
 * (libcalico-go conversion.go: NamespaceToProfile, ServiceAccountToProfile, pod → WorkloadEndpoint).
 */
export function calicoEndpointLabels(
  podLabels: Readonly<Record<string, string>>,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>>,
  serviceAccount = 'default',
  serviceAccountLabels: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(namespaceLabels)) out[CALICO_NAMESPACE_PREFIX + k] = namespaceLabels[k];
  out[`${CALICO_NAMESPACE_PREFIX}projectcalico.org/name`] = namespace;
  for (const k of Object.keys(serviceAccountLabels)) out[CALICO_SERVICE_ACCOUNT_PREFIX + k] = serviceAccountLabels[k];
  out[`${CALICO_SERVICE_ACCOUNT_PREFIX}projectcalico.org/name`] = serviceAccount;
  Object.assign(out, podLabels);
  out[CALICO_NAMESPACE_LABEL] = namespace;
  out[CALICO_ORCHESTRATOR_LABEL] = 'k8s';
  out[CALICO_SERVICE_ACCOUNT_LABEL] = serviceAccount;
  return out;
}

/** A namespace's labels as a rule's or a global policy's namespaceSelector sees them (the raw labels plus projectcalico.org/name). */
export function calicoNamespaceLabels(namespace: string, labels: Readonly<Record<string, string>>): Record<string, string> {
  return { ...labels, 'projectcalico.org/name': namespace };
}
