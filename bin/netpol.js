#!/usr/bin/env node
'use strict';
// The CLI is bundled into dist/ by `npm run build` (also run by `npm ci` and `npm install` through `prepublish`); dist/cli-boot.js runs
// it with a V8 code cache (server/src/boot/code-cache.ts).
require('../dist/cli-boot.js');
