#!/usr/bin/env node
'use strict';
// The CLI is bundled into dist/ by `npm run build` (also run by `npm ci` through `prepare`).
require('../dist/cli.js');
