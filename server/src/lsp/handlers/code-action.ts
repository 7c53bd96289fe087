// textDocument/codeAction: the quick fixes of the findings in the request's context (or range), and the
// refactorings of the policy under the cursor (a Kubernetes NetworkPolicy ⇄ Calico NetworkPolicy, where exact).
import { CodeAction, CodeActionKind } from 'vscode-languageserver';
import { conversionActions } from '../../engine/features/conversions';
import { DIAGNOSTIC_SOURCE, rangesOverlap, toCodeAction, toWorkspaceEdit } from '../convert';
import type { PublishedEntry } from '../diagnostics';
import { canonicalUri } from '../files';
import type { ServerParts } from '../parts';

/** A code action request computes the fixes of at most this many findings (each re-runs its rule, narrowed). */
const MAX_FIXED_FINDINGS_PER_REQUEST = 50;

export function registerCodeAction({ connection, state, logger, diagnostics }: ServerParts): void {
  connection.onCodeAction((params) =>
    logger.guard('code action', [] as CodeAction[], () => {
      const wants = (kind: string) => !params.context.only || params.context.only.some((k) => kind.startsWith(k));
      const quickFixes = wants(CodeActionKind.QuickFix);
      const refactorings = wants(CodeActionKind.RefactorRewrite);
      if (!quickFixes && !refactorings) return [];
      // Editors ask for code actions whenever the cursor moves: the answer must not wait for the connectivity tests,
      // unless they report on this very file.
      state.lastRequestAt = Date.now();
      const uri = canonicalUri(params.textDocument.uri);
      diagnostics.analyseIfNeeded(uri);
      const entries = diagnostics.results.get(uri) ?? [];
      const positionsOf = (u: string) => state.positionsOf(u);
      const ours = params.context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
      const actions: CodeAction[] = [];
      // A selection of a whole large document holds thousands of findings, each of whose fixes re-runs its rule:
      // the fixes of the first few are offered (a menu of thousands helps nobody), and findings are looked up by key.
      let budget = quickFixes ? MAX_FIXED_FINDINGS_PER_REQUEST : 0;
      if (ours.length > 0) {
        const byKey = new Map<string, PublishedEntry>();
        const keyOf = (code: unknown, message: string, r: { start: { line: number; character: number }; end: { line: number; character: number } }) =>
          `${String(code)}\u0000${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}\u0000${message}`;
        for (const e of entries) {
          const key = keyOf(e.lsp.code, e.lsp.message, e.lsp.range);
          if (!byKey.has(key)) byKey.set(key, e);
        }
        for (const d of ours) {
          const entry = byKey.get(keyOf(d.code, d.message, d.range));
          if (!entry || budget-- <= 0) continue;
          for (const fix of diagnostics.fixesOf(entry.engine)) actions.push(toCodeAction(fix, d, positionsOf));
        }
      } else {
        // Clients that send no diagnostics in the context get the fixes of every diagnostic in the range.
        for (const entry of entries) {
          if (!rangesOverlap(entry.lsp.range, params.range)) continue;
          if (budget-- <= 0) break;
          for (const fix of diagnostics.fixesOf(entry.engine)) actions.push(toCodeAction(fix, entry.lsp, positionsOf));
        }
      }
      if (refactorings) {
        const offset = state.positionsOf(uri).offsetAt(params.range.start);
        for (const fix of conversionActions(state.workspace(), uri, offset)) actions.push(CodeAction.create(fix.title, toWorkspaceEdit(fix, positionsOf), CodeActionKind.RefactorRewrite));
      }
      return actions;
    }),
  );
}
