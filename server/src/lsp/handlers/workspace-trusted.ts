// netpol/workspaceTrusted: the user trusted (or distrusted) the workspace; rendering charts needs trust.
import type { ServerParts } from '../parts';
import { WorkspaceTrustedNotification } from '../protocol';

export function registerWorkspaceTrusted({ connection, state, logger, renderer }: ServerParts): void {
  connection.onNotification(WorkspaceTrustedNotification, (params) =>
    logger.guard('workspace trust', undefined, () => {
      state.workspaceTrusted = params?.trusted === true;
      renderer.configure(state.workspaceTrusted, state.settings.helmPath, state.settings.kustomizePath);
    }),
  );
}
