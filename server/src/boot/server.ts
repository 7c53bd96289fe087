// The language server's entry for VS Code (dist/server-boot.js, the module the client forks): runs dist/server.js
// with the V8 code cache.
import * as path from 'node:path';
import { runWithCodeCache } from './code-cache';

runWithCodeCache(path.join(__dirname, 'server.js'));
