#!/usr/bin/env node
'use strict';
// Baseline-compile WebAssembly only. By default V8 also optimizes all of Prisma's 3 MB validator
// in the background, and the process waits for that before exiting (~200 ms of a cold run).
require('node:v8').setFlagsFromString('--liftoff-only');
const { main } = require('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // Only bugs reach here: user errors are reported by main() with exit code 2.
    process.stderr.write(`idxgen: internal error (please report it): ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 3;
  },
);
