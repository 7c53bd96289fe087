// The YAML context at a position, read from the text (half-typed YAML is often not valid YAML): the keys of the
// lines above with smaller indentation. Shared by completion in policies and in connectivity-test files.
import type { OffsetRange } from '../types';

export type CompletionKind = 'field' | 'enum' | 'label-key' | 'label-value' | 'namespace' | 'port-name' | 'value' | 'snippet';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** Replaces `range`; snippet syntax for the kind `snippet`, plain text otherwise. */
  insertText: string;
  range: OffsetRange;
  /** Orders items (most used first for labels). */
  sortText: string;
}

// ---- the YAML context at a position, from the text -------------------------------------------------------------

/** One step of the path to the cursor: a map key, or `-` for a sequence item. */
export interface ContextStep {
  token: string;
  line: number;
  column: number;
}

export interface TextContext {
  /** Lines of the whole text. */
  lines: string[];
  /** Line index of the cursor. */
  line: number;
  /** First and last line of the YAML document holding the cursor. */
  documentLines: [number, number];
  /** Ancestors of the cursor position, outermost first. */
  path: ContextStep[];
  /** Where the cursor is: typing a key, a value of `key`, or a bare sequence item. */
  mode: 'key' | 'value' | 'item';
  /** For mode `value`: the key whose value is being typed. */
  key?: string;
  /** What has been typed of the current word; it is replaced by the completion. */
  prefix: string;
  /** Whether the value sits in a flow sequence (`[a, b`). */
  inFlowSequence: boolean;
}

interface LineTokens {
  tokens: { token: string; column: number }[];
  /** Text after the last `key:` (empty for `key:` lines that open a block). */
  rest: string;
}

const KEY_PATTERN = /^((?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*?)):(?:\s+|$)/;

function unquote(key: string): string {
  const trimmed = key.trim();
  if ((trimmed.startsWith('"') && trimmed.endsWith('"')) || (trimmed.startsWith("'") && trimmed.endsWith("'"))) return trimmed.slice(1, -1);
  return trimmed;
}

/** The `-` markers and keys that open a line, with their columns: `    - from:` -> `-`@4, `from`@6. */
function lineTokens(text: string): LineTokens {
  const tokens: { token: string; column: number }[] = [];
  let column = text.length - text.trimStart().length;
  let rest = text.slice(column);
  for (;;) {
    if (rest.startsWith('- ') || rest === '-') {
      tokens.push({ token: '-', column });
      const after = rest.slice(1);
      const spaces = after.length - after.trimStart().length;
      column += 1 + spaces;
      rest = after.trimStart();
      continue;
    }
    const key = KEY_PATTERN.exec(rest);
    if (key) {
      tokens.push({ token: unquote(key[1]), column });
      const consumed = key[0].length;
      column += consumed;
      rest = rest.slice(consumed);
      // `key: value` ends the line's structure; `key: - x` is not YAML.
      if (rest.trim() !== '' && !rest.trimStart().startsWith('#')) break;
      rest = '';
    }
    break;
  }
  return { tokens, rest };
}

function isBlank(text: string): boolean {
  const t = text.trim();
  return t === '' || t.startsWith('#');
}

function isDocumentMarker(text: string): boolean {
  return /^(---|\.\.\.)(\s|$)/.test(text);
}

export function textContext(text: string, offset: number): TextContext {
  const lines = text.split('\n');
  let line = 0;
  let lineStart = 0;
  while (line < lines.length - 1 && lineStart + lines[line].length + 1 <= offset) {
    lineStart += lines[line].length + 1;
    line++;
  }
  let first = line;
  while (first > 0 && !isDocumentMarker(lines[first - 1])) first--;
  let last = line;
  while (last < lines.length - 1 && !isDocumentMarker(lines[last + 1])) last++;

  const before = lines[line].slice(0, offset - lineStart).replace(/\r$/, '');
  const current = lineTokens(before);
  const steps: ContextStep[] = current.tokens.map((t) => ({ ...t, line }));
  const indent = before.length - before.trimStart().length;
  // The column of the line's first token decides which lines above are ancestors.
  let column = steps.length > 0 ? steps[0].column : indent;
  let columnIsDash = steps.length > 0 && steps[0].token === '-';
  let mode: TextContext['mode'];
  let key: string | undefined;
  let prefix: string;
  let inFlowSequence = false;
  const lastStep = steps[steps.length - 1];
  if (lastStep && lastStep.token !== '-') {
    // `key: <cursor>`: typing the value of `key`.
    mode = 'value';
    key = steps.pop()!.token;
    const value = current.rest;
    const flow = value.lastIndexOf('[');
    if (flow >= 0) {
      inFlowSequence = true;
      prefix = /[^\s,[]*$/.exec(value)![0];
    } else prefix = value.trimStart();
    prefix = prefix.replace(/^["']/, '');
  } else {
    // Typing a key, or a bare item after `- `: the word typed so far.
    prefix = /\S*$/.exec(current.rest)![0];
    mode = lastStep ? 'item' : 'key';
  }

  const ancestors: ContextStep[] = [];
  for (let l = line - 1; l >= first && (column > 0 || columnIsDash); l--) {
    const text = lines[l].replace(/\r$/, '');
    if (isBlank(text)) continue;
    const { tokens, rest } = lineTokens(text);
    // Continuation lines (multi-line scalars, flow collections) hold no keys.
    if (tokens.length === 0) continue;
    const opensBlock = rest.trim() === '' || rest.trimStart().startsWith('#');
    const lastToken = tokens[tokens.length - 1];
    // Left of the column: containers. A key at the same column may hold a sequence written without indentation.
    const candidates = tokens.filter(
      (t) => t.column < column || (columnIsDash && t === lastToken && t.token !== '-' && t.column === column && opensBlock),
    );
    if (candidates.length === 0) continue;
    // A key with an inline value cannot hold lines below it.
    if (candidates[candidates.length - 1] === lastToken && lastToken.token !== '-' && !opensBlock) candidates.pop();
    if (candidates.length === 0) {
      column = lastToken.column;
      columnIsDash = false;
      continue;
    }
    ancestors.unshift(...candidates.map((t) => ({ ...t, line: l })));
    column = candidates[0].column;
    columnIsDash = candidates[0].token === '-';
  }
  return {
    lines,
    line,
    documentLines: [first, last],
    path: [...ancestors, ...steps],
    mode,
    key,
    prefix,
    inFlowSequence,
  };
}

/** The value of `key:` among the keys of the block that `step` opens (a sibling of what the cursor is in). */
export function blockValue(ctx: TextContext, step: ContextStep, key: string): string | undefined {
  const [, last] = ctx.documentLines;
  for (let l = step.line; l <= last; l++) {
    const text = ctx.lines[l].replace(/\r$/, '');
    if (isBlank(text)) continue;
    const { tokens } = lineTokens(text);
    if (l > step.line && (tokens.length === 0 || tokens[0].column <= step.column)) break;
    for (const t of tokens) {
      if (t.token === key && t.column > step.column) {
        const after = text.slice(t.column + key.length).replace(/^["']?\s*:\s*/, '').replace(/\s+#.*$/, '').trim();
        return unquote(after);
      }
    }
  }
  return undefined;
}

/** Whether the block that `step` opens has `key` directly inside it. */
