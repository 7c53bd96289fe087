// The minimal-edit helpers behind the quick fixes: style detection, insertion into block and flow collections,
// scalar replacement and quoting, YAML 1.1 scalar types. Property tests check that an append keeps every other
// byte and reads back as the old value plus the new item.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMap, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import {
  addMapEntry,
  appendToSequence,
  applyEdits,
  contentEnd,
  detectEol,
  indentUnit,
  isPlainSafe,
  quoteScalar,
  replaceScalar,
  removeSequenceItem,
  replaceValueWithBlock,
  usesCompactSequences,
  yaml11Type,
} from '../../../src/engine/edits';

function seqAt(text: string, ...path: string[]) {
  const doc = parseDocument(text);
  const node = doc.getIn(path, true) as YamlNode;
  assert.ok(isSeq(node));
  return node;
}

function keyOffset(text: string, key: string): number {
  const i = text.indexOf(`${key}:`);
  assert.ok(i >= 0);
  return i;
}

function append(text: string, path: string[], item: unknown): string {
  const edits = appendToSequence(text, seqAt(text, ...path), item, keyOffset(text, path[path.length - 1]));
  assert.ok(edits, 'an edit is produced');
  return applyEdits(text, edits);
}

describe('edits: style detection', () => {
  it('line endings', () => {
    assert.equal(detectEol('a: 1\r\nb: 2\r\n'), '\r\n');
    assert.equal(detectEol('a: 1\nb: 2\n'), '\n');
  });
  it('indentation unit', () => {
    assert.equal(indentUnit('a:\n    b: 1\n'), 4);
    assert.equal(indentUnit('a:\n  b:\n    c: 1\n'), 2);
    assert.equal(indentUnit('a: 1\n'), 2);
  });
  it('compact (non-indented) sequences', () => {
    assert.equal(usesCompactSequences('spec:\n  egress:\n  - to: []\n'), true);
    assert.equal(usesCompactSequences('spec:\n  egress:\n    - to: []\n'), false);
  });
  it('content end ignores trailing comments', () => {
    const text = 'a:\n  - 1\n  - 2\n  # trailing\nb: 3\n';
    const seq = seqAt(text, 'a');
    assert.equal(text.slice(0, contentEnd(seq)), 'a:\n  - 1\n  - 2');
  });
});

describe('edits: appending to sequences', () => {
  it('block sequence: a map item at the items\' indentation, after trailing comments stay put', () => {
    const text = 'spec:\n  egress:\n    - to: []\n    # keep me\n  policyTypes: [Egress]\n';
    assert.equal(append(text, ['spec', 'egress'], { ports: [{ port: 53 }] }), 'spec:\n  egress:\n    - to: []\n    - ports:\n        - port: 53\n    # keep me\n  policyTypes: [Egress]\n');
  });
  it('compact block sequence keeps its style', () => {
    const text = 'spec:\n  egress:\n  - to: []\n';
    assert.equal(append(text, ['spec', 'egress'], { ports: [{ port: 53 }] }), 'spec:\n  egress:\n  - to: []\n  - ports:\n    - port: 53\n');
  });
  it('flow sequence of scalars keeps quoting of the first item', () => {
    assert.equal(append('t: ["Ingress"]\n', ['t'], 'Egress'), 't: ["Ingress", "Egress"]\n');
    assert.equal(append("t: ['Ingress']\n", ['t'], 'Egress'), "t: ['Ingress', 'Egress']\n");
    assert.equal(append('t: [Ingress]\n', ['t'], 'Egress'), 't: [Ingress, Egress]\n');
    assert.equal(append('t: []\n', ['t'], 'Egress'), 't: [Egress]\n');
  });
  it('block sequence of scalars', () => {
    assert.equal(append('t:\n  - Ingress # why\n', ['t'], 'Egress'), 't:\n  - Ingress # why\n  - Egress\n');
  });
  it('empty flow list gaining a map becomes a block list, keeping the comment on the key line', () => {
    const text = 'spec:\n  egress: [] # none\n  podSelector: {}\n';
    assert.equal(append(text, ['spec', 'egress'], { to: [] }), 'spec:\n  egress: # none\n    - to: []\n  podSelector: {}\n');
  });
  it('a value-less key keeps the space before its comment when the block goes below it', () => {
    const text = 'spec:\n  egress: # later\n  x: 1\n';
    const edits = replaceValueWithBlock(text, text.indexOf('egress'), text.indexOf('#'), ['- to: []'], 4);
    assert.equal(applyEdits(text, edits), 'spec:\n  egress: # later\n    - to: []\n  x: 1\n');
    const tilde = 'spec:\n  egress: ~ # later\n';
    assert.equal(applyEdits(tilde, replaceValueWithBlock(tilde, tilde.indexOf('egress'), tilde.indexOf('~') + 1, ['- to: []'], 4)), 'spec:\n  egress: # later\n    - to: []\n');
  });
  it('CRLF text gets CRLF lines; a last line without line break gets one before the insertion', () => {
    assert.equal(append('a:\r\n  - 1\r\n', ['a'], 2), 'a:\r\n  - 1\r\n  - 2\r\n');
    assert.equal(append('a:\n  - 1', ['a'], 2), 'a:\n  - 1\n  - 2');
  });
  it('a string that YAML 1.1 reads as a boolean is quoted', () => {
    assert.equal(append('a:\n  - x\n', ['a'], 'yes'), 'a:\n  - x\n  - "yes"\n');
  });

  it('property: the append changes nothing else and reads back as the old list plus the item', () => {
    const scalar = fc.oneof(fc.integer({ min: 0, max: 99999 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/));
    const item = fc.oneof(scalar, fc.record({ port: fc.integer({ min: 1, max: 65535 }), name: fc.stringMatching(/^[a-z]{1,6}$/) }));
    fc.assert(
      fc.property(
        fc.array(scalar, { minLength: 1, maxLength: 4 }),
        item,
        fc.constantFrom('  ', '    '),
        fc.boolean(),
        fc.boolean(),
        (items, extra, indent, compact, crlf) => {
          const eol = crlf ? '\r\n' : '\n';
          const dash = compact ? indent : indent + indent;
          const lines = ['kind: X', 'spec:', `${indent}list:`, ...items.map((v) => `${dash}- ${JSON.stringify(v)}`), `${indent}other: 1 # keep`, ''];
          const text = lines.join(eol);
          const out = append(text, ['spec', 'list'], extra);
          const doc = parseDocument(out);
          assert.deepEqual(doc.errors, []);
          assert.deepEqual((doc.toJS() as { spec: { list: unknown[] } }).spec.list, JSON.parse(JSON.stringify([...items, extra])));
          assert.ok(out.includes(`${indent}other: 1 # keep`));
          if (crlf) assert.ok(!/[^\r]\n/.test(out), 'CRLF kept');
          // Only an insertion: removing the inserted text gives back the original.
          let prefix = 0;
          while (prefix < text.length && text[prefix] === out[prefix]) prefix++;
          assert.equal(out.slice(0, prefix) + out.slice(prefix + out.length - text.length), text);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('edits: maps and scalars', () => {
  it('adds an entry to a block map at its keys\' column', () => {
    const text = 'metadata:\n    name: web # n\nspec: {}\n';
    const map = parseDocument(text).get('metadata', true) as YamlNode;
    assert.ok(isMap(map));
    assert.equal(applyEdits(text, addMapEntry(text, map, 'namespace', 'shop')!), 'metadata:\n    name: web # n\n    namespace: shop\nspec: {}\n');
  });
  it('adds an entry to a flow map', () => {
    const text = 'metadata: {name: web}\n';
    const map = parseDocument(text).get('metadata', true) as YamlNode;
    assert.ok(isMap(map));
    assert.equal(applyEdits(text, addMapEntry(text, map, 'namespace', 'shop')!), 'metadata: {name: web, namespace: shop}\n');
  });
  it('replaces a scalar keeping its quotes; quotes a plain replacement that would change type', () => {
    const text = 'a: "postgres"\nb: \'x\'\nc: web\n';
    const doc = parseDocument(text);
    const at = (k: string) => doc.get(k, true) as YamlNode;
    assert.equal(applyEdits(text, [replaceScalar(text, at('a'), 'postgresql')!]), 'a: "postgresql"\nb: \'x\'\nc: web\n');
    assert.equal(applyEdits(text, [replaceScalar(text, at('b'), "it's")!]), "a: \"postgres\"\nb: 'it''s'\nc: web\n");
    assert.equal(applyEdits(text, [replaceScalar(text, at('c'), 'on')!]), 'a: "postgres"\nb: \'x\'\nc: "on"\n');
    assert.equal(applyEdits(text, [replaceScalar(text, at('c'), '8080', true)!]), 'a: "postgres"\nb: \'x\'\nc: 8080\n');
  });
  it('quotes a plain scalar as written (1.10 stays 1.10)', () => {
    const text = 'v: 1.10\n';
    assert.equal(applyEdits(text, [quoteScalar(text, parseDocument(text).get('v', true) as YamlNode)!]), 'v: "1.10"\n');
    assert.equal(quoteScalar('v: "x"\n', parseDocument('v: "x"\n').get('v', true) as YamlNode), undefined);
  });
  it('refuses overlapping edits', () => {
    assert.throws(() => applyEdits('abcdef', [{ range: [0, 3], newText: 'x' }, { range: [2, 4], newText: 'y' }]));
  });
});

describe('edits: YAML 1.1 scalar types (https://yaml.org/type/bool.html, int.html, float.html)', () => {
  it('booleans', () => {
    for (const v of ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF']) {
      assert.equal(yaml11Type(v), 'boolean', v);
    }
  });
  it('numbers', () => {
    for (const v of ['8080', '0777', '0x1F', '0b101', '1_000', '1:30', '1.10', '-1.5', '.5', '1e+3', '.inf', '.NaN', '+12']) assert.equal(yaml11Type(v), 'number', v);
  });
  it('strings', () => {
    for (const v of ['web', 'yess', 'v1', '1.2.3', 'on-call', 'nope', '1a', 'true-ish', '']) assert.equal(yaml11Type(v), undefined, v);
  });
  it('plain-safe strings', () => {
    for (const v of ['web', 'kube-system', 'kubernetes.io/metadata.name']) assert.ok(isPlainSafe(v), v);
    for (const v of ['yes', '8080', '', '-x', 'a: b', '#c', ' x', '{a}']) assert.ok(!isPlainSafe(v), v);
  });
});

describe('edits: removing a sequence item', () => {
  const text = 'except:\n  - 10.0.1.0/24\n  - 192.168.0.0/24\n  - 10.0.2.0/24 # kept\nnext: 1\n';
  const seq = () => {
    const node = parseDocument(text).get('except', true);
    assert.ok(isSeq(node));
    return node;
  };
  it('removes the lines of one block item and nothing else', () => {
    const edits = removeSequenceItem(text, seq(), 1);
    assert.ok(edits);
    assert.equal(applyEdits(text, edits), 'except:\n  - 10.0.1.0/24\n  - 10.0.2.0/24 # kept\nnext: 1\n');
  });
  it('refuses an item whose line holds a comment (the edit would lose it), and flow sequences', () => {
    assert.equal(removeSequenceItem(text, seq(), 2), undefined);
    const flow = 'except: [10.0.1.0/24, 192.168.0.0/24]\n';
    const node = parseDocument(flow).get('except', true);
    assert.ok(isSeq(node));
    assert.equal(removeSequenceItem(flow, node, 1), undefined);
  });
});
