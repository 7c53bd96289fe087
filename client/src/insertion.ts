// Where a new YAML document goes in a manifest file, and the `---` separators it needs there. Pure text logic.

export interface InsertionPlan {
  /** Offset to insert at. */
  offset: number;
  /** Text to put before the new document (newline and/or `---`). */
  prefix: string;
  /** Text to put after it. */
  suffix: string;
}

const SEPARATOR = /^---(\s.*)?$/;

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function lastContentLine(text: string): string | undefined {
  return lines(text).reverse().find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

function firstContentLine(text: string): string | undefined {
  return lines(text).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

/**
 * A new document goes at the cursor when the cursor's line is blank (between documents), else at the end of the
 * file; `---` separators are added only where a neighbouring document would otherwise run into it.
 */
export function planInsertion(text: string, cursor: number, eol = '\n'): InsertionPlan {
  const lineStart = cursor <= 0 ? 0 : text.lastIndexOf('\n', cursor - 1) + 1;
  const nextNewline = text.indexOf('\n', cursor);
  const lineEnd = nextNewline < 0 ? text.length : nextNewline;
  const before = text.slice(0, lineStart);
  const after = text.slice(lineEnd);
  const previous = lastContentLine(before);
  const next = firstContentLine(after);
  // A blank line inside a document is not a place for a new one: only a blank line next to a `---` or the file's
  // start qualifies.
  const betweenDocuments = previous === undefined || SEPARATOR.test(previous) || next === undefined || SEPARATOR.test(next);
  const atEnd = text.slice(lineStart, lineEnd).trim() !== '' || !betweenDocuments || next === undefined;

  if (atEnd) {
    const content = text.trimEnd();
    const needsSeparator = content !== '' && !SEPARATOR.test(lastContentLine(content) ?? '');
    const offset = text.length;
    let prefix = '';
    if (text.length > 0 && !text.endsWith('\n')) prefix += eol;
    if (needsSeparator) prefix += `---${eol}`;
    return { offset, prefix, suffix: '' };
  }
  return {
    offset: lineStart,
    prefix: previous !== undefined && !SEPARATOR.test(previous) ? `---${eol}` : '',
    suffix: next !== undefined && !SEPARATOR.test(next) ? `---${eol}` : '',
  };
}
