// shutdown: stops rendering, indexing and every scheduled job; writes the caches that wait to be written.
import type { ServerParts } from '../parts';

export function registerShutdown({ connection, state, renderer, indexer, diagnostics, scheduler }: ServerParts): void {
  connection.onShutdown(() => {
    state.shuttingDown = true;
    renderer.dispose();
    indexer.shutdown();
    diagnostics.shutdown();
    scheduler.stop();
  });
}
