// Editor features over the workspace index: hover, code lens, definition, references, completion, symbols.
// The language server calls registerFeatureHandlers once, before initialize completes. The answers come from the
// pure functions of engine/features; this file converts offsets to positions and engine data to protocol types.
import {
  CodeLensRefreshRequest,
  CompletionItemKind,
  LSPErrorCodes,
  MarkupKind,
  ResponseError,
  SymbolKind,
  type CancellationToken,
  type CodeLens,
  type CompletionItem,
  type CompletionList,
  type Connection,
  type DocumentSymbol,
  type Location,
  type Range,
  type SymbolInformation,
} from 'vscode-languageserver';
import { completion, type CompletionKind } from '../engine/features/completion';
import { hover } from '../engine/features/hover';
import { codeLenses } from '../engine/features/lenses';
import { definition, references } from '../engine/features/navigation';
import { featureIndex } from '../engine/features/index';
import { documentSymbols, workspaceSymbols, type DocumentSymbol as EngineSymbol, type SymbolCategory } from '../engine/features/symbols';
import type { OffsetRange, SourceLocation } from '../engine/types';
import type { FeatureContext } from './context';
import { canonicalUri } from './files';
import { Commands } from './protocol';

const SYMBOL_KINDS: Record<SymbolCategory, SymbolKind> = {
  policy: SymbolKind.Interface,
  workload: SymbolKind.Class,
  namespace: SymbolKind.Namespace,
  service: SymbolKind.Module,
  object: SymbolKind.Object,
  rule: SymbolKind.Property,
  selector: SymbolKind.Field,
  container: SymbolKind.Struct,
};

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  field: CompletionItemKind.Field,
  enum: CompletionItemKind.EnumMember,
  'label-key': CompletionItemKind.Property,
  'label-value': CompletionItemKind.Value,
  namespace: CompletionItemKind.Module,
  'port-name': CompletionItemKind.Constant,
  value: CompletionItemKind.Value,
};

export function registerFeatureHandlers(connection: Connection, ctx: FeatureContext): void {
  const location = (l: SourceLocation): Location => ({ uri: l.uri, range: ctx.rangeToLsp(l.uri, l.range) });
  // A failing feature answers "nothing" and logs, instead of failing the request.
  const guarded =
    <P, R>(name: string, fallback: R, fn: (params: P) => R) =>
    (params: P, token?: CancellationToken): R => {
      // A request cancelled while it waited behind an analysis is not computed (the LSP answer is RequestCancelled).
      if (token?.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      ctx.requestStarted();
      try {
        return fn(params);
      } catch (error) {
        ctx.log(`netpol: ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return fallback;
      }
    };

  connection.onHover(
    guarded('hover', null, (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      const offset = ctx.positionToOffset(uri, params.position);
      // A template or a base: the hover of the object as rendered (its range is in the rendered text: left out).
      const rendered = workspace.toRendered(uri, offset);
      const result = rendered ? hover(workspace, rendered.uri, rendered.offset) : hover(workspace, uri, offset);
      if (!result) return null;
      if (rendered) return { contents: { kind: MarkupKind.Markdown, value: result.markdown } };
      return { contents: { kind: MarkupKind.Markdown, value: result.markdown }, range: ctx.rangeToLsp(uri, result.range) };
    }),
  );

  // Hover, definition and references walk the YAML syntax tree of the document under the cursor, which the engine
  // builds lazily (a parse with the yaml package on first use: a few milliseconds per file, several times that on a
  // busy machine). Editors ask about open documents: their trees are built while the server is idle (after an
  // analysis, after an open), a few at a time, so that the first hover on a document does not wait for the parse;
  // so is the rule index the workload hover reads (5-15 ms per version on the large benchmark workspace).
  let warmTimer: NodeJS.Timeout | undefined;
  const warmed = new WeakSet<object>();
  // Not while the first indexing runs: the models of a half-read workspace are not built for anyone.
  let indexed = false;
  let lastTouched: string | undefined;
  const warmReach = (workspace: ReturnType<typeof ctx.workspace>, uri: string, started: number) => {
    const file = workspace.getFile(uri);
    const index = file && featureIndex(workspace).scopeFor(uri);
    if (!file || !index) return;
    for (const parsed of file.documents) {
      for (const object of parsed.objects) {
        const workload = index.workloadFor(object);
        if (workload) index.reachOf(workload);
        // A List of many workloads: the rest are computed by their hovers.
        if (Date.now() - started > 8) return;
      }
    }
  };
  const warmOpenDocuments = () => {
    warmTimer = undefined;
    const started = Date.now();
    const workspace = ctx.workspace();
    // The index of the scopes' isolating rules, which the first workload hover of a version would build; the
    // label counts completion offers (counted once, then kept up to date by each version's index: 20 ms on large).
    for (const scope of featureIndex(workspace).scopes()) {
      scope.ruleIndex();
      scope.podLabelStats();
    }
    // Who may reach the workloads of the document last opened or changed, which its workload hovers show (and so
    // the code behind them is compiled before the first hover waits for it).
    if (lastTouched) warmReach(workspace, lastTouched, started);
    for (const document of ctx.documents.all()) {
      const file = workspace.getFile(canonicalUri(document.uri));
      // Large files are left to the request that needs them: parsing one here would hold up the next edit.
      if (!file || warmed.has(file) || file.text.length > 256 * 1024) continue;
      warmed.add(file);
      for (const parsed of file.documents) {
        void parsed.yaml;
        for (const object of parsed.objects) void object.node;
      }
      // A slice at a time; the rest after whatever is waiting.
      if (Date.now() - started > 8) {
        scheduleWarming();
        return;
      }
    }
  };
  const scheduleWarming = () => {
    if (!indexed) return;
    warmTimer ??= setTimeout(() => {
      try {
        warmOpenDocuments();
      } catch (error) {
        ctx.log(`netpol: preparing open documents failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, 20);
    // Never what keeps the process alive.
    warmTimer.unref?.();
  };
  ctx.documents.onDidOpen((event) => {
    lastTouched = canonicalUri(event.document.uri);
    scheduleWarming();
  });
  ctx.documents.onDidChangeContent((event) => {
    lastTouched = canonicalUri(event.document.uri);
  });
  void ctx.whenIndexed().then(() => {
    indexed = true;
    scheduleWarming();
  });

  // Lenses count pods in other files: after any change, visible lenses are stale. The workspace version of the last
  // lens answer tells whether a refresh is due; a client that rejects the refresh request is not asked again.
  let lensesServedAt: number | undefined;
  let refreshUnsupported = false;
  ctx.onDidChangeWorkspace((workspace) => {
    // The analysis has just built the models of this version: index them now (cheap: what the changes left valid is
    // taken over from the last version's index).
    featureIndex(workspace).scopes();
    scheduleWarming();
    if (refreshUnsupported || lensesServedAt === undefined || lensesServedAt === workspace.version) return;
    lensesServedAt = undefined;
    connection.sendRequest(CodeLensRefreshRequest.type).catch(() => {
      refreshUnsupported = true;
    });
  });

  /** A file's lenses; a template's or base's are those of its objects as rendered, placed on its lines. */
  const lensesOf = (workspace: ReturnType<typeof ctx.workspace>, uri: string): ReturnType<typeof codeLenses> => {
    if (!workspace.isCovered(uri)) return codeLenses(workspace, uri);
    const out: ReturnType<typeof codeLenses> = [];
    const seen = new Set<string>();
    for (const rendered of workspace.renderedUris()) {
      const segments = workspace.renderingOf(rendered)!.segments.filter((s) => s.uri === uri);
      if (segments.length === 0) continue;
      for (const lens of codeLenses(workspace, rendered)) {
        if (!segments.some((s) => s.start <= lens.range[0] && lens.range[0] <= s.end)) continue;
        const placed = workspace.toSource({ uri: rendered, range: lens.range });
        const key = `${placed.range[0]}\u0000${lens.title}`;
        if (placed.uri !== uri || seen.has(key)) continue;
        seen.add(key);
        out.push({ ...lens, range: placed.range, locations: lens.locations.map((l) => workspace.toSource(l)) });
      }
    }
    return out;
  };

  connection.onCodeLens(
    guarded('code lens', [] as CodeLens[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      lensesServedAt = workspace.version;
      return lensesOf(workspace, uri).map((lens): CodeLens => {
        const range = ctx.rangeToLsp(uri, lens.range);
        const command = lens.kind === 'policy' ? Commands.showPolicyPods : Commands.showLocations;
        return { range, command: { title: lens.title, command, arguments: [params.textDocument.uri, range.start, lens.locations.map(location)] } };
      });
    }),
  );

  connection.onDefinition(
    guarded('definition', [] as Location[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      const offset = ctx.positionToOffset(uri, params.position);
      const at = workspace.toRendered(uri, offset) ?? { uri, offset };
      return definition(workspace, at.uri, at.offset).map((l) => location(workspace.toSource(l)));
    }),
  );

  connection.onReferences(
    guarded('references', [] as Location[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const workspace = ctx.workspace();
      const offset = ctx.positionToOffset(uri, params.position);
      const at = workspace.toRendered(uri, offset) ?? { uri, offset };
      return references(workspace, at.uri, at.offset, params.context?.includeDeclaration ?? true).map((l) => location(workspace.toSource(l)));
    }),
  );

  connection.onCompletion(
    guarded('completion', [] as CompletionItem[] | CompletionList, (params) => {
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
        }),
      );
      return complete ? converted : { isIncomplete: true, items: converted };
    }),
  );

  connection.onDocumentSymbol(
    guarded('document symbols', [] as DocumentSymbol[], (params) => {
      const uri = canonicalUri(params.textDocument.uri);
      const convert = (s: EngineSymbol): DocumentSymbol => ({
        name: s.name,
        detail: s.detail,
        kind: SYMBOL_KINDS[s.category],
        range: ctx.rangeToLsp(uri, s.range),
        selectionRange: ctx.rangeToLsp(uri, s.selectionRange),
        children: s.children.map(convert),
      });
      return documentSymbols(ctx.workspace(), uri).map(convert);
    }),
  );

  connection.onWorkspaceSymbol(
    guarded('workspace symbols', [] as SymbolInformation[], (params) =>
      workspaceSymbols(ctx.workspace(), params.query).map(
        (s): SymbolInformation => ({ name: s.name, containerName: s.containerName, kind: SYMBOL_KINDS[s.category], location: location(s.location) }),
      ),
    ),
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
