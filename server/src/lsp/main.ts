// Language server entry point (bundled as dist/server.js). The transport comes from the command line:
// --node-ipc (the VS Code client), --stdio, --socket=PORT or --pipe=NAME.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

void startServer(createConnection(ProposedFeatures.all));
