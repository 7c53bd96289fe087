// What the editor feature handlers share: failures answer "nothing" and are logged, cancelled requests are not
// computed, and engine locations become LSP locations.
import { LSPErrorCodes, ResponseError, SymbolKind, type CancellationToken, type Location } from 'vscode-languageserver';
import type { SymbolCategory } from '../../engine/features/symbols';
import type { SourceLocation } from '../../engine/types';
import type { FeatureContext } from '../context';

export const SYMBOL_KINDS: Record<SymbolCategory, SymbolKind> = {
  policy: SymbolKind.Interface,
  workload: SymbolKind.Class,
  namespace: SymbolKind.Namespace,
  service: SymbolKind.Module,
  object: SymbolKind.Object,
  rule: SymbolKind.Property,
  selector: SymbolKind.Field,
  container: SymbolKind.Struct,
};

export function lspLocation(ctx: FeatureContext, l: SourceLocation): Location {
  return { uri: l.uri, range: ctx.rangeToLsp(l.uri, l.range) };
}

/** A feature handler that answers `fallback` and logs when it fails, and is not computed when cancelled. */
export function guarded<P, R>(ctx: FeatureContext, name: string, fallback: R, fn: (params: P) => R) {
  return (params: P, token?: CancellationToken): R => {
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
}
