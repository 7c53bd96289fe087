// netpol/status: the index's counts, whether the first index finished, the scopes and how often the rules ran.
import type { ServerParts } from '../parts';
import { StatusRequest } from '../protocol';

export function registerStatus({ connection, state, logger, diagnostics, indexer }: ServerParts): void {
  connection.onRequest(StatusRequest, () =>
    logger.guard('status', { files: 0, policies: 0, workloads: 0, findings: 0, indexed: false, scopes: [], analyses: diagnostics.ruleRuns }, () => {
      diagnostics.analyseIfNeeded();
      return { ...indexer.counts(), indexed: state.indexed, scopes: state.ws.scopes().map((s) => s.name), analyses: diagnostics.ruleRuns };
    }),
  );
}
