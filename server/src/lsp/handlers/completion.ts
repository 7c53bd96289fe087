// textDocument/completion: fields, labels, namespaces, ports and (where a document may start) the policy snippets,
// capped for large workspaces.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type CompletionList, type Connection, type Range } from 'vscode-languageserver';
import { completion, type CompletionKind } from '../../engine/features/completion';
import type { OffsetRange } from '../../engine/types';
import type { FeatureContext } from '../context';
import { canonicalUri } from '../files';
import { guarded } from './feature-support';

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  field: CompletionItemKind.Field,
  enum: CompletionItemKind.EnumMember,
  'label-key': CompletionItemKind.Property,
  'label-value': CompletionItemKind.Value,
  namespace: CompletionItemKind.Module,
  'port-name': CompletionItemKind.Constant,
  value: CompletionItemKind.Value,
  snippet: CompletionItemKind.Snippet,
};

export function registerCompletion(connection: Connection, ctx: FeatureContext): void {
  connection.onCompletion(
    guarded(ctx, 'completion', [] as CompletionItem[] | CompletionList, (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      // Documents the index does not hold (an untitled editor) are completed from their editor text.
      const document = ctx.documents.get(params.textDocument.uri);
      const indexed = ctx.workspace().hasFile(uri);
      const offset = indexed || !document ? ctx.positionToOffset(uri, params.position) : document.offsetAt(params.position);
      // Items share their range (the word being typed): converted once, not once per item (thousands of label values).
      const ranges = new Map<OffsetRange, Range>();
      const rangeOf = (range: OffsetRange): Range => {
        let converted = ranges.get(range);
        if (!converted) ranges.set(range, (converted = ctx.rangeToLsp(uri, range)));
        return converted;
      };
      const items = completion(ctx.workspace(), uri, offset, document?.getText());
      const text = indexed || !document ? ctx.text(uri) : document.getText();
      const { shown, complete } = capCompletions(items, (item) => text?.slice(item.range[0], Math.max(item.range[0], offset)) ?? '');
      const converted = shown.map(
        (item): CompletionItem => ({
          label: item.label,
          kind: COMPLETION_KINDS[item.kind],
          detail: item.detail,
          documentation: item.documentation,
          sortText: item.sortText,
          // The typed prefix is part of the range, so clients filter on the label.
          filterText: item.label,
          textEdit: { range: rangeOf(item.range), newText: item.insertText },
          ...(item.kind === 'snippet' ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
        }),
      );
      return complete ? converted : { isIncomplete: true, items: converted };
    }),
  );
}

/** Most completion items sent at once: thousands of label values make answers of hundreds of kilobytes. */
export const MAX_COMPLETION_ITEMS = 200;

/**
 * The items to send: all of them when few, else those matching what is typed so far (its characters in order,
 * ignoring case, as editors filter), best sorted first, at most `MAX_COMPLETION_ITEMS`. `complete` is false when
 * items were left out: the editor then asks again as the user types instead of filtering this answer.
 */
export function capCompletions<T extends { label: string; sortText?: string }>(items: readonly T[], typed: (item: T) => string): { shown: T[]; complete: boolean } {
  if (items.length <= MAX_COMPLETION_ITEMS) return { shown: [...items], complete: true };
  const matching = items.filter((item) => {
    const needle = typed(item);
    return needle === '' || isSubsequence(needle.toLowerCase(), item.label.toLowerCase());
  });
  // By code units: the engine's sortTexts are zero-padded ranks, and localeCompare was most of the cost on thousands.
  matching.sort((a, b) => compareCodeUnits(a.sortText ?? a.label, b.sortText ?? b.label) || compareCodeUnits(a.label, b.label));
  return { shown: matching.slice(0, MAX_COMPLETION_ITEMS), complete: false };
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isSubsequence(needle: string, haystack: string): boolean {
  let at = 0;
  for (const ch of needle) {
    at = haystack.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}
