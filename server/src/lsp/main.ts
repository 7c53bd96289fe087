// Language server entry point (bundled as dist/server.js). The transport comes from the command line:
// --node-ipc (the VS Code client), --stdio, --socket=PORT or --pipe=NAME.
import { startServer } from './server';
import { serverConnection } from './stdio';

void startServer(serverConnection(process.argv));
