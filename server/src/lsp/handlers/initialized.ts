// initialized: registers for folder, file and configuration changes, loads the settings and starts the index.
import { DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, WatchKind } from 'vscode-languageserver';
import { CONFIG_FILE_NAME } from '../../engine/config';
import { canonicalUri, type Folder } from '../files';
import type { ServerParts } from '../parts';

export function registerInitialized({ connection, state, logger, indexer }: ServerParts): void {
  connection.onInitialized(() => {
    void logger.guardAsync('initialized', undefined, async () => {
      if (state.clientSupports.workspaceFolders) {
        // Available only after initialize, and only when the client announced workspace folder support.
        connection.workspace.onDidChangeWorkspaceFolders((event) => {
          void logger.guardAsync('workspace folders', undefined, async () => {
            const removed = new Set(event.removed.map((f) => canonicalUri(f.uri)));
            const kept = state.folders.filter((f) => !removed.has(f.uri));
            state.setFolders([...kept, ...event.added.map((f) => state.folderOf(f.uri)).filter((f): f is Folder => !!f)]);
            await indexer.index();
          });
        });
      }
      if (state.clientSupports.watchedFilesDynamic) {
        await connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [
            { globPattern: '**/*.{yaml,yml,json}' },
            { globPattern: `**/${CONFIG_FILE_NAME}` },
            // kustomize's file names without an extension.
            { globPattern: '**/Kustomization' },
            // A created folder is walked for its manifests (editors report the folder alone, or miss the files
            // written into it before they watched it); a deleted one takes its manifests along. Not changes: the
            // globs above report those of manifests, and any other file's would flood the server for nothing.
            { globPattern: '**/*', kind: WatchKind.Create | WatchKind.Delete },
          ],
        });
      }
      if (state.clientSupports.configurationDynamic) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: ['netpol', 'files'] });
      }
      await state.loadSettings();
      state.rebuildFilter();
      // Keeps documents opened (and flushed by an early request) while the settings loaded.
      state.rebuildWorkspace();
      await indexer.index();
    });
  });
}
