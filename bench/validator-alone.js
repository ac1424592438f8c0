'use strict';
/**
 * Prisma's validator alone on one schema file, in a fresh process: the floor under a cold
 * `idxgen check` that validates (tool-speed.js, tool 'validator-alone'). Exits 0 when the schema is
 * valid; an invalid one throws (exit 1).
 *   node --no-wasm-tier-up --no-wasm-dynamic-tiering bench/validator-alone.js <schema.prisma>
 */
const fs = require('node:fs');
const { validate } = require('@prisma/prisma-schema-wasm');

const file = process.argv[2];
validate(JSON.stringify({ prismaSchema: [[file, fs.readFileSync(file, 'utf8')]], noColor: true }));
