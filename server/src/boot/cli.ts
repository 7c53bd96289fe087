// The CLI's entry (dist/cli-boot.js, required by bin/netpol.js): runs dist/cli.js with the V8 code cache.
import * as path from 'node:path';
import { runWithCodeCache } from './code-cache';

runWithCodeCache(path.join(__dirname, 'cli.js'));
