#!/usr/bin/env node
'use strict';
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
