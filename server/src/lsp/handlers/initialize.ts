// initialize: what the client supports, the workspace folders, the initialization options; answers the capabilities.
import type { InitializeResult } from 'vscode-languageserver';
import type { Folder } from '../files';
import { uriFromPath } from '../files';
import type { ServerParts } from '../parts';

declare const NETPOL_VERSION: string | undefined;

function serverVersion(): string {
  return typeof NETPOL_VERSION === 'string' ? NETPOL_VERSION : 'dev';
}

export function registerInitialize({ connection, state, logger, capabilities }: ServerParts): void {
  connection.onInitialize((params) =>
    logger.guard<InitializeResult>('initialize', { capabilities }, () => {
      const caps = params.capabilities;
      state.clientSupports = {
        configuration: caps.workspace?.configuration === true,
        watchedFilesDynamic: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
        configurationDynamic: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
        workspaceFolders: caps.workspace?.workspaceFolders === true,
      };
      const folderUris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : params.rootPath ? [uriFromPath(params.rootPath)] : []);
      state.setFolders(folderUris.map((u) => state.folderOf(u)).filter((f): f is Folder => !!f));
      state.pushedSettings = params.initializationOptions?.settings;
      const cacheDirectory: unknown = params.initializationOptions?.cacheDirectory;
      if (cacheDirectory === null || typeof cacheDirectory === 'string') state.cacheDirectory = cacheDirectory;
      state.workspaceTrusted = params.initializationOptions?.workspaceTrusted === true;
      return { capabilities, serverInfo: { name: 'netpol', version: serverVersion() } };
    }),
  );
}
