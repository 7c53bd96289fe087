// Workspace text (names, paths, messages) made safe for the outputs that show it: a cloned repository is untrusted,
// and a name must not clear a terminal, forge a `file:line:col error` line, reorder a line with bidi controls, run
// as a spreadsheet formula, end a markdown table or mention someone in a pull-request comment.

/**
 * Characters shown as visible escapes in text output: C0 controls (tab, CR, LF, ESC included), DEL, C1 controls,
 * bidi embeddings/overrides/isolates and marks, and the Unicode line and paragraph separators.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function visible(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Whether `text` holds a character that `escapeControls` rewrites. */
export function hasControls(text: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(text);
  CONTROL.lastIndex = 0;
  return found;
}

/**
 * One line of plain text: every control character as a visible escape (`\n`, `\e`, `\x07`, `\u{202e}`), so that a
 * name stays on its line and cannot drive the terminal. Other text (backslashes included) is unchanged.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * One CSV cell (RFC 4180) that a spreadsheet shows as text: controls escaped, a cell starting with `=`, `+`, `-` or
 * `@` (a formula to Excel, LibreOffice and Google Sheets) prefixed with `'`, and quoted when it holds `"` or `,`.
 */
export function csvCell(text: string): string {
  let cell = escapeControls(text);
  if (/^[=+\-@]/.test(cell)) cell = `'${cell}`;
  return /[",]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** One CSV record from its cells. */
export function csvRow(cells: readonly string[]): string {
  return cells.map(csvCell).join(',');
}

/**
 * Text as a markdown code span for a GitHub table cell or list item: literal (no formatting, HTML, `@mention` or
 * `#123` reference is read inside code), on one line, and with `|` escaped so that it cannot end the cell.
 */
export function markdownCode(text: string): string {
  const body = escapeControls(text).replace(/\|/g, '\\|');
  if (body === '') return '';
  // A fence longer than any run of backticks inside; padding keeps a leading or trailing backtick apart from it.
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * Text for XML 1.0 element content: markup escaped, and the characters XML 1.0 cannot hold at all, even as
 * references (C0 controls but tab/LF/CR, lone surrogates, U+FFFE, U+FFFF), as visible escapes, so that the document
 * is well formed and nothing is silently lost.
 */
export function xmlText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (ch) =>
      ch.length === 1 && ch.charCodeAt(0) <= 0xff ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u{${ch.charCodeAt(0).toString(16)}}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Text for an XML 1.0 attribute value: as `xmlText`, and tab/LF/CR as references (attribute value normalization would turn them into spaces). */
export function xmlAttribute(text: string): string {
  return xmlText(text).replace(/[\t\n\r]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
