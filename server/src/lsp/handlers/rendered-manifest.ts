// netpol/renderedManifest: the rendered text of a chart's or kustomization's file, once the renderings settled.
import { canonicalUri } from '../files';
import type { ServerParts } from '../parts';
import { RenderedManifestRequest } from '../protocol';

export function registerRenderedManifest({ connection, state, logger, renderer }: ServerParts): void {
  connection.onRequest(RenderedManifestRequest, (params) =>
    logger.guardAsync('rendered manifest', null, async () => {
      await state.indexedPromise;
      await renderer.whenIdle();
      const found = renderer.renderingFor(canonicalUri(params.uri));
      return found ? { uri: found.uri, rootUri: found.rendering.rootUri, tool: found.rendering.tool, text: found.text } : null;
    }),
  );
}
