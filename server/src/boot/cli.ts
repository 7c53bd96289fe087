// The CLI's entry (dist/cli-boot.js, required by bin/netpol.js): runs dist/cli.js with the V8 code cache, then its
// main. The entry runs whatever name it was started by (an npm bin link, `npx netpol`, a symlink of any name).
import * as path from 'node:path';
import { runWithCodeCache } from './code-cache';

const cli = runWithCodeCache(path.join(__dirname, 'cli.js')) as { main(): void };
cli.main();
