// The shared escaping of workspace text for text, CSV, markdown and XML outputs (issue 19, items 3, 4 and 7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvRow, escapeControls, hasControls, markdownCode, xmlAttribute, xmlText } from '../../../src/report/escape';

const HOSTILE = 'web\x1b]0;owned\x07\x1b[2J\r\nmain.yaml:1:1: error forged\u202egnp.exe\u0085\u2028\x7f';

test('escapeControls: no control, bidi or line-breaking character survives, and every one is shown visibly', () => {
  const out = escapeControls(HOSTILE);
  assert.equal(hasControls(out), false);
  assert.doesNotMatch(out, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  assert.equal(out, 'web\\e]0;owned\\x07\\e[2J\\r\\nmain.yaml:1:1: error forged\\u{202e}gnp.exe\\x85\\u{2028}\\x7f');
  assert.equal(escapeControls('plain-name_1.ns\\path ü 日本'), 'plain-name_1.ns\\path ü 日本');
  assert.equal(hasControls(HOSTILE), true);
  assert.equal(hasControls(HOSTILE), true, 'the global regex keeps no state between calls');
});

/** A small RFC 4180 reader, to parse the cells back. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') (cell += '"'), (i += 2);
        else if (line[i] === '"') { i++; break; }
        else cell += line[i++];
      }
      cells.push(cell);
      i++;
    } else {
      const end = line.indexOf(',', i);
      cells.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return cells;
}

test('csvCell: formulas are neutralised with a leading quote (OWASP CSV injection), cells parse back one per column', () => {
  const cells = ['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1)', 'a,b', 'say "hi"', HOSTILE, 'plain'];
  const line = csvRow(cells);
  assert.doesNotMatch(line, /[\r\n\x1b]/);
  const back = parseCsvLine(line);
  assert.equal(back.length, cells.length);
  assert.deepEqual(back.slice(0, 4), [`'=HYPERLINK("http://x","y")`, "'+1", "'-2+3", "'@SUM(A1)"]);
  assert.deepEqual(back.slice(4, 6), ['a,b', 'say "hi"']);
  assert.equal(back[6], escapeControls(HOSTILE));
  assert.equal(csvCell('plain'), 'plain');
});

test('markdownCode: one literal code span that cannot end a table cell, start a heading or mention anyone', () => {
  const cell = markdownCode('x\n\n### Nothing to review | @octocat #123 `tick`');
  assert.doesNotMatch(cell, /\n/);
  assert.doesNotMatch(cell.replace(/\\\|/g, ''), /\|/, 'every pipe is escaped');
  assert.match(cell, /^``[^`]/);
  assert.match(cell, /[^`]``$/);
  assert.equal(markdownCode('`a`'), '`` `a` ``');
  assert.equal(markdownCode(''), '');
});

test('xmlText: characters XML 1.0 cannot hold (U+FFFE, U+FFFF, lone surrogates, C0) become visible escapes; markup escaped', () => {
  const out = xmlAttribute('a\ufffeb\uffffc\ud800d\udc00e\x01<&>"\n\t😀');
  assert.equal(out, 'a\\u{fffe}b\\u{ffff}c\\u{d800}d\\u{dc00}e\\x01&lt;&amp;&gt;&quot;&#10;&#9;😀');
  assert.equal(xmlText('line 1\nline 2 \uffff'), 'line 1\nline 2 \\u{ffff}', 'element content keeps its line breaks');
  // Every remaining character is an XML 1.0 Char.
  for (const ch of out) {
    const c = ch.codePointAt(0)!;
    assert.ok(c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000, `U+${c.toString(16)}`);
  }
});
