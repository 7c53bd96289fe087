// Pure parts of the insert commands, without VS Code: where a new YAML document goes and how workspace text is
// escaped inside snippets. (The commands themselves are tested in the extension host suite.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planInsertion } from '../../src/insertion';
import { choice } from '../../../server/src/lsp/templates';
import { escapeSnippet } from '../../../server/src/lsp/protocol';

const apply = (text: string, cursor: number, doc = 'NEW\n', eol = '\n') => {
  const plan = planInsertion(text, cursor, eol);
  return text.slice(0, plan.offset) + plan.prefix + doc + plan.suffix + text.slice(plan.offset);
};

describe('planInsertion: a new YAML document at the cursor or at the end', () => {
  it('an empty file gets the document alone', () => {
    assert.equal(apply('', 0), 'NEW\n');
  });

  it('after the last document, with a separator', () => {
    assert.equal(apply('a: 1\n', 0), 'a: 1\n---\nNEW\n');
  });

  it('adds the missing final newline first', () => {
    assert.equal(apply('a: 1', 2), 'a: 1\n---\nNEW\n');
  });

  it('no second separator after a trailing `---`', () => {
    assert.equal(apply('a: 1\n---\n', 0), 'a: 1\n---\nNEW\n');
  });

  it('at a blank line between two documents, with separators on both sides as needed', () => {
    const text = 'a: 1\n---\n\n---\nb: 2\n';
    assert.equal(apply(text, text.indexOf('\n\n') + 1), 'a: 1\n---\nNEW\n\n---\nb: 2\n');
  });

  it('a blank line inside a document is not between documents: the end of the file instead', () => {
    const text = 'a:\n  x: 1\n\n  y: 2\n';
    assert.equal(apply(text, text.indexOf('\n\n') + 1), `${text}---\nNEW\n`);
  });

  it('at a blank first line before a document', () => {
    const text = '\nb: 2\n';
    assert.equal(apply(text, 0), 'NEW\n---\n\nb: 2\n');
  });

  it('keeps CRLF line endings', () => {
    assert.equal(apply('a: 1\r\n', 0, 'NEW\r\n', '\r\n'), 'a: 1\r\n---\r\nNEW\r\n');
  });

  it('a file of comments only still gets a separator (the comment belongs to the document before)', () => {
    assert.equal(apply('# only a comment\n', 0), '# only a comment\n---\nNEW\n');
  });
});

describe('snippet escaping of workspace text', () => {
  it('escapes $, } and backslash in snippet text', () => {
    assert.equal(escapeSnippet('a$b}c\\d'), 'a\\$b\\}c\\\\d');
  });

  it('offers choices, escaping their separators, and falls back to a placeholder', () => {
    assert.equal(choice(1, ['web', 'api', 'web'], 'x'), '${1|web,api|}');
    assert.equal(choice(2, ['a,b', 'c|d'], 'x'), '${2|a\\,b,c\\|d|}');
    assert.equal(choice(3, ['only'], 'x'), '${3:only}');
    assert.equal(choice(4, [], 'fall$back'), '${4:fall\\$back}');
  });
});
