/**
 * Loads the CLI bundle (dist/cli.bundle.js) with V8's code cache, so a run does not parse and
 * compile the same ~0.8 MB of JavaScript every time (issue 14; measured in BENCHMARKS.md, "Speed
 * attempts"). The first run compiles as usual and, once its command is done, stores V8's code for
 * every function it ran; the next run of that command starts from it.
 *
 * The cache lives beside the validation cache (`node_modules/.cache/idxgen`, or a private folder in
 * the temp directory: src/io/validation-cache.ts), only in a folder no other user can write. An entry
 * is keyed by a SHA-256 of the bundle's text, Node's version and architecture, its command-line
 * flags, the command and its report format, and holds its own SHA-256: a stale, foreign or damaged entry is never run.
 * V8 checks its version, flags and the source again and may still reject it; then the run compiles
 * as usual and stores a new one. Reading or writing the cache never fails a run: any error means "no cache".
 * `IDXGEN_CODE_CACHE=0` turns it off; with `--enable-source-maps` the bundle loads as a plain module
 * (stack traces map back to src/).
 *
 * Used only for `check` and `plan` (the pre-commit commands, whose cold start this is about): on
 * Node 20 a script compiled through `vm` cannot `import()` an ES module without an experimental
 * flag, and only the database commands do. Node >= 22.1 has a compile cache of its own
 * (`module.enableCompileCache`), used instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vmTypes from 'node:vm';
import { cacheDir, privateDir, writeCacheFile } from '../io/validation-cache';
import type { FastInvocation } from './fast-args';
import { withDefaultV8Flags } from './v8-flags';

/** Commands whose code never imports an ES module (see above). */
const CACHED_COMMANDS = new Set(['check', 'plan']);
/** Flags after which the run may take another path (a database, a workload, another parser): plain require. */
const UNCACHED_FLAGS = /^--(database-url|queries)(=|$)/;
const DIGEST_BYTES = 32;

export interface LoadOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /**
   * The V8 flags the bin sets once the bundle is loaded (v8-flags.ts): the bundle compiles under
   * V8's defaults, so its cached data is made under the defaults too (V8 refuses data made under other flags).
   */
  flags: readonly string[];
  /** argv as the fast path read it (fast-args.ts): its `--format` names the entry. */
  fast?: FastInvocation;
}

/** `require(file)`, from V8's code cache when one fits (see above). */
export function requireWithCodeCache(file: string, options: LoadOptions): unknown {
  const command = options.argv[0] ?? '';
  const off =
    options.env.IDXGEN_CODE_CACHE === '0' ||
    process.sourceMapsEnabled === true ||
    !CACHED_COMMANDS.has(command) ||
    options.argv.some((a) => UNCACHED_FLAGS.test(a));
  if (off) return require(file) as unknown;
  const builtIn = (require('node:module') as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache;
  if (builtIn) {
    const dir = privateDir(cacheDir(options.cwd));
    if (dir) builtIn(path.join(dir, 'node-compile-cache'));
    return require(file) as unknown;
  }
  let loaded: ReturnType<typeof compile>;
  try {
    loaded = compile(file, command, options);
  } catch {
    return require(file) as unknown;
  }
  const module = { exports: {} as unknown };
  const run = loaded.script.runInThisContext() as (...args: unknown[]) => void;
  // As Node runs a CommonJS module: the bundle requires its dependencies relative to its own file.
  const requireFromBundle = (require('node:module') as typeof import('node:module')).createRequire(file);
  run.call(module.exports, module.exports, requireFromBundle, module, file, path.dirname(file));
  if (loaded.store) {
    const store = loaded.store;
    // Once the command is done (exit 0 or 1: it ran its whole path), V8's code for every function it compiled.
    process.once('exit', (code) => {
      if (code === 0 || code === 1) store(withDefaultV8Flags(options.flags, () => loaded.script.createCachedData()));
    });
  }
  return module.exports;
}

function compile(
  file: string,
  command: string,
  options: LoadOptions,
): { script: vmTypes.Script; store?: (data: Buffer) => void } {
  const vm = require('node:vm') as typeof vmTypes;
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const bytes = fs.readFileSync(file);
  const key = createHash('sha256')
    .update([process.version, process.arch, process.execArgv.join(' '), command, ''].join('\u0000'))
    // The bytes, not the text: hashing a string first encodes it again (2-3 ms for this one).
    .update(bytes)
    .digest('hex')
    .slice(0, 40);
  // The bundle is ASCII (scripts/bundle-cli.js checks): latin1 decodes it as UTF-8 would, faster.
  const source = bytes.toString('latin1');
  const dir = privateDir(cacheDir(options.cwd));
  // Each report format keeps an entry of its own: an entry holds the code its run compiled, and a text
  // run reading one a JSON run made compiles the text report anew every time (civitai `check`: +4.4 %
  // instructions; BENCHMARKS.md, "sixth session"). Argv the fast path does not read: 'other'.
  const format = options.fast?.values.format;
  const prefix = `v8-code-${command}-${typeof format === 'string' ? format : 'other'}-`;
  const entry = dir && path.join(dir, `${prefix}${key}`);
  const cachedData = entry ? readEntry(entry, createHash) : undefined;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    // Should a path ever reach an `import()`, Node's own loader serves it (Node >= 20.12) instead of a failed run.
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
      ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }
      : {}),
  });
  if (!dir || !entry || (cachedData && !script.cachedDataRejected)) return { script };
  return {
    script,
    store: (data) => {
      const digest = createHash('sha256').update(data).digest();
      writeCacheFile(entry, Buffer.concat([digest, data]));
      removeOtherEntries(dir, command, prefix, path.basename(entry));
    },
  };
}

/** The entry's V8 data when its digest matches, else undefined. */
function readEntry(entry: string, createHash: typeof import('node:crypto').createHash): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(entry);
  } catch {
    return undefined;
  }
  if (bytes.length <= DIGEST_BYTES) return undefined;
  const data = bytes.subarray(DIGEST_BYTES);
  const digest = createHash('sha256').update(data).digest();
  return digest.equals(bytes.subarray(0, DIGEST_BYTES)) ? data : undefined;
}

/** Entries for an older bundle, Node or flags, of the same command and format: never read again. */
function removeOtherEntries(dir: string, command: string, prefix: string, keep: string): void {
  // Also the entries of versions that kept one per command, not per format (`v8-code-check-<key>`).
  const unformatted = new RegExp(`^v8-code-${command}-[0-9a-f]{40}$`);
  try {
    for (const name of fs.readdirSync(dir)) {
      if (name === keep || name.endsWith('.tmp')) continue;
      if (name.startsWith(prefix) || unformatted.test(name)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // best effort
  }
}
