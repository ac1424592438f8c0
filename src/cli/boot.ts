/**
 * What bin/idxgen.js runs before the CLI bundle, built as one file of its own (dist/cli/boot.js,
 * scripts/bundle-cli.js): the validator worker's prestart, the V8 flags and the code-cache loader.
 * As tsc's eight separate files they took ~2.3 ms more to resolve, read and compile, on a path
 * that runs before the worker can start (BENCHMARKS.md, "fifth session").
 *
 * The validator worker's module is in here, and the CLI bundle imports it from this file too
 * (scripts/bundle-cli.js): one instance, holding the worker the bin started.
 */
export { prestartValidatorWorkerIfItPays } from './prestart';
export { FAST_SPECS, parseFast } from './fast-args';
export { runFlags, setV8Flags } from './v8-flags';
export { requireWithCodeCache } from './code-cache';
export * from '../schema/prisma-wasm-worker';
