// Conversions between the engine's offsets and the protocol's line/character positions, and from engine
// diagnostics and quick fixes to their protocol forms. Engine offsets are JS string indices, i.e. UTF-16 code
// units, which is the protocol's default position encoding.
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  type Diagnostic as LspDiagnostic,
  type DiagnosticRelatedInformation,
  type Position,
  type Range,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, QuickFix } from '../engine/rules/types';
import type { OffsetRange, Severity } from '../engine/types';

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export const DIAGNOSTIC_SOURCE = 'netpol';

/** Line/character positions of a text, computed once per text. */
export class TextPositions {
  private readonly document: TextDocument;
  constructor(readonly text: string) {
    this.document = TextDocument.create('netpol:text', 'yaml', 0, text);
  }
  positionAt(offset: number): Position {
    return this.document.positionAt(offset);
  }
  offsetAt(position: Position): number {
    return this.document.offsetAt(position);
  }
  range(range: OffsetRange): Range {
    return { start: this.positionAt(range[0]), end: this.positionAt(Math.max(range[0], range[1])) };
  }
}

/** Finds the positions of any file's current text. */
export type PositionsOf = (uri: string) => TextPositions;

export interface RuleDocs {
  /** Link for a rule's documentation, or undefined when it has none. */
  (ruleId: string): string | undefined;
}

export function toLspDiagnostic(d: Diagnostic, positionsOf: PositionsOf, docs?: RuleDocs): LspDiagnostic {
  const result: LspDiagnostic = {
    range: positionsOf(d.location.uri).range(d.location.range),
    severity: SEVERITIES[d.severity] ?? DiagnosticSeverity.Warning,
    code: d.ruleId,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  const href = docs?.(d.ruleId);
  if (href) result.codeDescription = { href };
  if (d.related && d.related.length > 0) {
    result.relatedInformation = d.related.map(
      (r): DiagnosticRelatedInformation => ({
        location: { uri: r.location.uri, range: positionsOf(r.location.uri).range(r.location.range) },
        message: r.message,
      }),
    );
  }
  if (d.tags && d.tags.length > 0) {
    result.tags = d.tags.map((t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated));
  }
  return result;
}

export function toWorkspaceEdit(fix: QuickFix, positionsOf: PositionsOf): WorkspaceEdit {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const edit of fix.edits) {
    (changes[edit.uri] ??= []).push({ range: positionsOf(edit.uri).range(edit.range), newText: edit.newText });
  }
  return { changes };
}

export function toCodeAction(fix: QuickFix, diagnostic: LspDiagnostic, positionsOf: PositionsOf): CodeAction {
  const action = CodeAction.create(fix.title, toWorkspaceEdit(fix, positionsOf), CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  if (fix.preferred) action.isPreferred = true;
  return action;
}

export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
