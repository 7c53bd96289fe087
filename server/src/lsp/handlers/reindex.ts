// netpol/reindex: reads the workspace folders again, then answers the index's counts.
import type { ServerParts } from '../parts';
import { ReindexRequest } from '../protocol';

export function registerReindex({ connection, logger, indexer }: ServerParts): void {
  connection.onRequest(ReindexRequest, () =>
    logger.guardAsync('reindex', indexer.counts(), async () => {
      await indexer.index();
      return indexer.counts();
    }),
  );
}
