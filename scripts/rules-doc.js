#!/usr/bin/env node
'use strict';
/**
 * `npm run docs`: writes RULES.md from the rule metadata (src/docs/rules-md.ts, run from dist/, so
 * `npm run docs` builds first). `--check` writes nothing and exits 1 when RULES.md is stale.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { renderRulesMd } = require(path.join(root, 'dist', 'docs', 'rules-md.js'));
const { allRules } = require(path.join(root, 'dist', 'rules', 'registry.js'));

const file = path.join(root, 'RULES.md');
const text = renderRulesMd(allRules);
const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;

if (process.argv.includes('--check')) {
  if (current !== text) {
    process.stderr.write('RULES.md is out of date: run `npm run docs`\n');
    process.exit(1);
  }
  process.stdout.write('RULES.md is up to date\n');
} else if (current === text) {
  process.stdout.write(`RULES.md is up to date (${allRules.length} rules)\n`);
} else {
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote RULES.md (${allRules.length} rules)\n`);
}
