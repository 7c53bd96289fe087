// Calico's selector language: parsing with offsets, matching, precedence, implicit labels.
// Reference: Calico docs "Selectors" (_selectors.mdx) and libcalico-go lib/selector/parser (see calico-selector.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  calicoEndpointLabels,
  formatCalicoSelector,
  matchesCalicoSelector,
  parseCalicoSelector,
  type CalicoSelector,
} from '../../../src/engine/calico-selector';

function parse(text: string): CalicoSelector {
  const r = parseCalicoSelector(text);
  if (!r.ok) assert.fail(`${text}: ${r.error.message} at ${r.error.start}`);
  return r.selector;
}

function matches(text: string, labels: Record<string, string>): boolean {
  return matchesCalicoSelector(parse(text), labels);
}

function errorAt(text: string): { start: number; end: number; message: string } {
  const r = parseCalicoSelector(text);
  assert.equal(r.ok, false, `${text} should not parse`);
  return (r as { ok: false; error: { start: number; end: number; message: string } }).error;
}

test('Calico selectors (docs _selectors.mdx): ==, != (true when absent), has(), all(), empty = all()', () => {
  assert.equal(matches("app == 'web'", { app: 'web' }), true);
  assert.equal(matches('app == "web"', { app: 'api' }), false);
  assert.equal(matches("app != 'web'", {}), true);
  assert.equal(matches("app != 'web'", { app: 'web' }), false);
  assert.equal(matches('has(app)', { app: '' }), true);
  assert.equal(matches('has( app )', {}), false);
  assert.equal(matches('all()', {}), true);
  assert.equal(matches('', { x: 'y' }), true);
  assert.equal(matches('   ', {}), true);
});

test('Calico selectors (docs _selectors.mdx): in / not in sets (not in is true when absent), empty sets', () => {
  assert.equal(matches("tier in {'a', 'b'}", { tier: 'b' }), true);
  assert.equal(matches("tier in {'a','b'}", {}), false);
  assert.equal(matches("tier not in {'a','b'}", {}), true);
  assert.equal(matches("tier not in {'a','b'}", { tier: 'a' }), false);
  assert.equal(matches('tier in {}', { tier: 'a' }), false);
  assert.equal(matches('tier not in {}', { tier: 'a' }), true);
  assert.equal(matches("tier not   in {'a'}", { tier: 'c' }), true);
});

test('Calico selectors (docs _selectors.mdx): contains, starts with, ends with (false when absent)', () => {
  assert.equal(matches("app contains 'eb'", { app: 'web' }), true);
  assert.equal(matches("app starts with 'we'", { app: 'web' }), true);
  assert.equal(matches("app ends with 'eb'", { app: 'web' }), true);
  assert.equal(matches("app ends with 'we'", { app: 'web' }), false);
  assert.equal(matches("app contains ''", {}), false);
  // The word operators count only after a label: a label may be called "contains".
  assert.equal(matches("contains == 'x'", { contains: 'x' }), true);
});

test('Calico selectors (libcalico-go parser.go): ! binds tighter than &&, && tighter than ||, parentheses group', () => {
  // a || b && c  ==  a || (b && c)
  assert.equal(matches('has(a) || has(b) && has(c)', { a: '1' }), true);
  assert.equal(matches('(has(a) || has(b)) && has(c)', { a: '1' }), false);
  // !a && b  ==  (!a) && b
  assert.equal(matches('!has(a) && has(b)', { b: '1' }), true);
  assert.equal(matches('!has(a) && has(b)', { a: '1', b: '1' }), false);
  assert.equal(matches('!(has(a) && has(b))', { a: '1' }), true);
  assert.equal(matches('!!has(a)', { a: '1' }), true);
  assert.equal(formatCalicoSelector(parse('has(a) || has(b) && has(c)')), 'has(a) || has(b) && has(c)');
  assert.equal(formatCalicoSelector(parse('(has(a) || has(b)) && has(c)')), '(has(a) || has(b)) && has(c)');
});

test('Calico selectors: global() matches endpoints outside any namespace (GlobalNetworkSets, host endpoints)', () => {
  assert.equal(matches('global()', {}), true);
  assert.equal(matches('global()', { 'projectcalico.org/namespace': 'default' }), false);
});

test('Calico selectors: offsets of terms are the source offsets', () => {
  const s = parse("  app == 'web' && has(x)");
  if (s.type !== 'and') assert.fail(`parsed as ${s.type}`);
  const and = s;
  assert.deepEqual([and.operands[0].start, and.operands[0].end], [2, 14]);
  assert.deepEqual([and.operands[1].start, and.operands[1].end], [18, 24]);
});

test('Calico selectors: invalid selectors give an error at the exact offset inside the string', () => {
  let e = errorAt("app = 'web'");
  assert.deepEqual([e.start, e.end], [4, 5]);
  assert.match(e.message, /==/);
  e = errorAt('app == web');
  assert.deepEqual([e.start, e.end], [7, 10]);
  assert.match(e.message, /quoted/);
  e = errorAt("app == 'web");
  assert.equal(e.start, 7);
  assert.match(e.message, /unterminated/);
  e = errorAt('has(app) has(b)');
  assert.deepEqual([e.start, e.end], [9, 15]);
  e = errorAt('(has(a)');
  assert.equal(e.start, 7);
  e = errorAt('has(a) &');
  assert.equal(e.start, 7);
  e = errorAt("tier in {'a' 'b'}");
  assert.deepEqual([e.start, e.end], [13, 16]);
  e = errorAt('app');
  assert.match(e.message, /has\(app\)/);
  e = errorAt('has()');
  assert.equal(e.start, 4);
  e = errorAt('all(x)');
  assert.equal(e.start, 4);
  e = errorAt('has(a) && ');
  assert.equal(e.start, 10);
  e = errorAt('app == "x" # comment');
  assert.equal(e.start, 11);
});

test('Calico implicit labels (libcalico-go conversion.go): namespace, orchestrator, service account, pcns.*, pcsa.*', () => {
  const labels = calicoEndpointLabels({ app: 'web' }, 'shop', { team: 'a' }, 'web-sa', { role: 'front' });
  assert.equal(matches("projectcalico.org/namespace == 'shop'", labels), true);
  assert.equal(matches("projectcalico.org/orchestrator == 'k8s'", labels), true);
  assert.equal(matches("projectcalico.org/serviceaccount == 'web-sa'", labels), true);
  assert.equal(matches("pcns.team == 'a' && pcns.projectcalico.org/name == 'shop'", labels), true);
  assert.equal(matches("pcsa.role == 'front'", labels), true);
  assert.equal(matches('global()', labels), false);
});

// ---- property tests ----

const keyArb = fc.constantFrom('app', 'tier', 'k8s-app', 'a.b/c', 'x_y');
const valueArb = fc.constantFrom('', 'web', 'api', 'we', 'b"c', "it's");
const labelsArb = fc.dictionary(keyArb, valueArb, { maxKeys: 5 });

const selectorArb: fc.Arbitrary<CalicoSelector> = fc.letrec<{ s: CalicoSelector }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<CalicoSelector>({ type: 'all', start: 0, end: 0 }),
    keyArb.map((key): CalicoSelector => ({ type: 'has', key, start: 0, end: 0 })),
    fc
      .tuple(keyArb, fc.constantFrom('==', '!=', 'contains', 'starts with', 'ends with'), valueArb.filter((v) => !(v.includes("'") && v.includes('"'))))
      .map(([key, op, value]): CalicoSelector => ({ type: 'compare', key, op: op as '==', value, start: 0, end: 0 })),
    fc.tuple(keyArb, fc.constantFrom('in', 'not in'), fc.array(valueArb, { maxLength: 3 })).map(([key, op, values]): CalicoSelector => ({ type: 'set', key, op: op as 'in', values, start: 0, end: 0 })),
    tie('s').map((operand): CalicoSelector => ({ type: 'not', operand, start: 0, end: 0 })),
    fc.tuple(fc.constantFrom('and', 'or'), fc.array(tie('s'), { minLength: 2, maxLength: 3 })).map(([type, operands]): CalicoSelector => ({ type: type as 'and', operands, start: 0, end: 0 })),
  ),
})).s;

test('Calico selectors (property): formatting then parsing keeps the meaning on any labels', () => {
  fc.assert(
    fc.property(selectorArb, labelsArb, (selector, labels) => {
      const text = formatCalicoSelector(selector);
      const reparsed = parseCalicoSelector(text);
      assert.ok(reparsed.ok, `${text} should parse`);
      assert.equal(matchesCalicoSelector(reparsed.selector, labels), matchesCalicoSelector(selector, labels), text);
    }),
    { numRuns: 500 },
  );
});

test('Calico selectors (property): any text parses or fails with an offset inside it, never throws', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '=', '!', '&', '|', '(', ')', "'", '{', '}', ',', 'has(', 'in', 'not in', 'all()'), maxLength: 20 }), (text) => {
      const r = parseCalicoSelector(text);
      if (!r.ok) {
        assert.ok(r.error.start >= 0 && r.error.start <= text.length, `${text}: start ${r.error.start}`);
        assert.ok(r.error.end >= r.error.start && r.error.end <= text.length, `${text}: end ${r.error.end}`);
      }
    }),
    { numRuns: 1000 },
  );
});

test('Calico selectors (property): De Morgan and negation agree with the matcher', () => {
  fc.assert(
    fc.property(selectorArb, selectorArb, labelsArb, (a, b, labels) => {
      const text = `!(${formatCalicoSelector(a)}) && !(${formatCalicoSelector(b)})`;
      const other = `!((${formatCalicoSelector(a)}) || (${formatCalicoSelector(b)}))`;
      assert.equal(matches(text, labels), matches(other, labels));
    }),
    { numRuns: 300 },
  );
});
