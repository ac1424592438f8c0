/**
 * The V8 flags of a CLI run (bin/idxgen.js), and when they are set.
 *
 * - `--no-wasm-tier-up --no-wasm-dynamic-tiering`: WebAssembly on Liftoff, V8's baseline compiler,
 *   only. By default V8 also optimizes the hot parts of Prisma's 3 MB validator with TurboFan in the
 *   background, and the process waits for that before exiting (~200 ms of a cold run). V8 reads them
 *   when it compiles the module, so they must hold before Prisma's WASM is loaded. (The same effect
 *   as `--liftoff-only`, which also implies them, but that one cannot be undone by negating it,
 *   which `withDefaultV8Flags` needs; and a function Liftoff cannot compile still gets TurboFan.)
 * - `--no-opt`: no optimizing JIT (TurboFan) for idxgen's own JavaScript either: a run is a few
 *   hundred ms, too short for optimized code to repay compiling it (and its deoptimizations).
 *   Measured on civitai, cold, cache off, 7 interleaved runs (BENCHMARKS.md, "Speed attempts"):
 *   CPU 920 -> 710 ms, peak RSS 103 -> 94 MB; on 2,000 generated models CPU 2.86 -> 2.11 s.
 * - `--no-maglev`: nor V8's mid-tier JIT, which Node 24 turns on (Node 20 and 22 leave it off):
 *   civitai `check` on Node 24.22.3, 11 interleaved runs, 410 -> 371 ms wall, CPU 490 -> 400 ms.
 * - `--no-incremental-marking`: its one full collection near the end of a run (~20 ms on civitai)
 *   frees nothing a run that is about to exit needs (BENCHMARKS.md, "code cache and GC").
 * - `--semi-space-growth-factor=1`: the young generation stays at its first size (1 MB) instead of
 *   doubling to 16 MB. Most of what a run allocates lives to its end (the AST, the model, the plan),
 *   so V8 grows the young generation after each scavenge, and each new page costs a page fault
 *   when first written: ~11 µs per 4 kB page on the machines the benchmarks run on (a 16 MB
 *   Buffer's first fill takes 47 ms there). More scavenges of a smaller space cost less than the
 *   fresh pages (civitai `check`: 3,100 fewer page faults; BENCHMARKS.md, "fourth session"). V8
 *   reads it each time it would grow the space, so setting it after start-up takes effect.
 * These four not for the long-running commands (verify generates rows, deploy and progress poll
 * for minutes): a word of argv naming one keeps them (a file named so only costs speed).
 *
 * They are set only once the CLI bundle is compiled. V8 refuses code cached under other flags, and
 * Node's own cache of its built-in modules was made under the defaults: with any flag set, every
 * built-in module loaded afterwards, and a worker thread's whole bootstrap, compile from source
 * (measured: `require('node:crypto')` 4.6 -> 9 ms, a worker's start 54 -> 77 ms). So the validator
 * worker starts and the bundle compiles from its cache under the defaults; with a worker, the flags
 * wait until its bootstrap is done (at most 40 ms more, while this thread reads the schema), and
 * the worker loads Prisma's WASM only once they are set (prisma-wasm-worker.ts); the bundle's cache
 * is made under the defaults again (`withDefaultV8Flags`), to match the next run's load.
 */
import type * as v8Types from 'node:v8';

const LONG_RUNNING = new Set(['verify', 'deploy', 'progress']);

/** The flags for a run with these words of argv (see above). */
export function runFlags(argv: readonly string[]): string[] {
  const wasm = ['--no-wasm-tier-up', '--no-wasm-dynamic-tiering'];
  if (argv.some((word) => LONG_RUNNING.has(word))) return wasm;
  return [...wasm, '--no-opt', '--no-maglev', '--no-incremental-marking', '--semi-space-growth-factor=1'];
}

export function setV8Flags(flags: readonly string[]): void {
  // Loaded here, not at the top: node:v8 takes ~3 ms, which the bin spends after it starts the worker.
  const v8 = require('node:v8') as typeof v8Types;
  for (const flag of flags) v8.setFlagsFromString(flag);
}

/**
 * `make()` with V8's defaults in place of `flags`, then `flags` again. Only the code cache of Node
 * < 22.1 needs it (code-cache.ts; later Nodes cache on their own). A flag is undone by the flag
 * `DEFAULTS` gives for its name, else by its negation (`--x` / `--no-x`), which holds only for
 * boolean flags that imply no others and whose default is the other way. Tested: the code cache made
 * so is accepted by the next run (__tests__/cli/code-cache.test.ts), and each entry of `DEFAULTS` is
 * V8's default where this runs (__tests__/cli/v8-flags.test.ts).
 */
export function withDefaultV8Flags<T>(flags: readonly string[], make: () => T): T {
  setV8Flags(flags.map(undone));
  try {
    return make();
  } finally {
    setV8Flags(flags);
  }
}

/**
 * V8's default, in the Nodes that take `withDefaultV8Flags` (20.19 to 22.0), of each flag `runFlags`
 * sets that negating does not undo: a flag with a value, and `--no-maglev`, which is the default there
 * already (negating it would turn Maglev on).
 */
export const DEFAULTS: Readonly<Record<string, string>> = {
  '--semi-space-growth-factor': '--semi-space-growth-factor=2',
  '--maglev': '--no-maglev',
};

/** `--no-x`, `--x` and `--x=value` are all named `--x`. */
export function flagName(flag: string): string {
  const name = flag.split('=')[0]!;
  return name.startsWith('--no-') ? `--${name.slice('--no-'.length)}` : name;
}

/** The flag that restores V8's default of `flag`'s setting. */
function undone(flag: string): string {
  const fixed = DEFAULTS[flagName(flag)];
  if (fixed !== undefined) return fixed;
  if (flag.includes('=')) throw new Error(`no default recorded for the V8 flag ${flag}`);
  return flag.startsWith('--no-') ? `--${flag.slice('--no-'.length)}` : `--no-${flag.slice('--'.length)}`;
}
