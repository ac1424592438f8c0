/**
 * Prisma's validator (@prisma/prisma-schema-wasm) on a worker thread, so a CLI run builds the model
 * and runs the rules while Prisma validates (issue 14). The worker only makes the raw WASM calls;
 * validate.ts reads their answers exactly as it reads the in-process ones.
 *
 * A worker answers one schema and ends. Starting one costs ~60 ms of CPU (a second V8 isolate and
 * Node's bootstrap) besides loading the WASM, so it pays only when a second core is free; bin/idxgen.js
 * starts it before it loads the CLI bundle (src/cli/prestart.ts), so the worker has loaded the
 * validator by the time the schema is read. The bundle keeps this module external (one instance,
 * holding the started worker). Figures: BENCHMARKS.md, "worker validator and cold JS".
 *
 * The worker loads the WASM when told to (`loadValidatorOnWorker`): bin/idxgen.js sets the run's
 * V8 flags only after the bundle is compiled (src/cli/v8-flags.ts), and its WebAssembly flags must
 * hold when V8 compiles the module. A worker started without that wait (in process) is told at once.
 */
import type { Worker } from 'node:worker_threads';
import { PRISMA_SCHEMA_WASM } from './prisma-wasm';

/** What the worker answers: Prisma's verdict on `validate`, and on failure `lint`'s report for the columns. */
export type WorkerAnswer =
  | { valid: true }
  /** `crash`: the WASM trapped or overflowed its stack (an error named RuntimeError or RangeError) instead of answering. */
  | { valid: false; crash: boolean; message: string; lint?: string };

/**
 * The worker's code, run with `eval` so it needs no file of its own (the CLI may be bundled). Its
 * first message says it may load the module (by the absolute path the main thread resolved); the
 * second is the one schema it answers before it ends.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
let wasm;
let failed;
parentPort.once('message', () => {
  try {
    wasm = require(workerData.module);
  } catch (error) {
    failed = String(error && error.stack ? error.stack : error);
  }
  parentPort.once('message', answerSchema);
});
function answerSchema(params) {
  let answer;
  if (failed !== undefined) {
    answer = { failed };
  } else {
    try {
      wasm.validate(params);
      answer = { valid: true };
    } catch (error) {
      const crash = error instanceof Error && (error.name === 'RuntimeError' || error.name === 'RangeError');
      answer = { valid: false, crash, message: error instanceof Error ? error.message : String(error) };
      if (!crash) {
        try {
          answer.lint = wasm.lint(JSON.stringify(JSON.parse(params).prismaSchema));
        } catch {
          // no columns then, as in process
        }
      }
    }
  }
  parentPort.postMessage(answer);
  parentPort.close();
}
`;

/** Thrown when the worker could not answer (no thread, no module): the caller validates in process. */
export class WorkerUnavailable extends Error {
  constructor(reason: string) {
    super(`Prisma's validator did not run on a worker thread: ${reason}`);
    this.name = 'WorkerUnavailable';
  }
}

interface Started {
  worker: Worker;
  /** Settles with the worker's one answer, or rejects with WorkerUnavailable. */
  answer: Promise<WorkerAnswer>;
  /** Whether the worker was told to load the WASM. */
  loading: boolean;
}

let prestarted: Started | undefined;

/** The first message: the process's V8 flags are set, load the WASM. */
const LOAD = 'load';

function start(): Started {
  // Loaded here, not at the top: main.ts imports this module for every command (~3 ms).
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: require.resolve(PRISMA_SCHEMA_WASM) } });
  // Until it is sent a schema, the worker must not keep the process alive.
  worker.unref();
  const answer = new Promise<WorkerAnswer>((resolve, reject) => {
    const settle = (done: () => void) => {
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      worker.unref();
      done();
    };
    worker.once('message', (reply: WorkerAnswer | { failed: string }) =>
      settle(() => ('failed' in reply ? reject(new WorkerUnavailable(reply.failed)) : resolve(reply))),
    );
    worker.once('error', (error) => settle(() => reject(new WorkerUnavailable(String(error)))));
    worker.once('exit', (code) =>
      settle(() => reject(new WorkerUnavailable(`the worker exited with code ${code} before answering`))),
    );
  });
  // Rejections are read by validateOnWorker; a worker nobody asked must not raise an unhandled one.
  answer.catch(() => undefined);
  return { worker, answer, loading: false };
}

function tellToLoad(started: Started): void {
  if (started.loading) return;
  started.loading = true;
  started.worker.postMessage(LOAD);
}

/**
 * Starts a worker now: it loads Prisma's validator while this thread goes on (with `waitToLoad`,
 * once `loadValidatorOnWorker` says the V8 flags are set), and the next `validateOnWorker` uses it.
 * Best effort: if no worker can start, validation happens as usual.
 */
export function prestartValidatorWorker(options: { waitToLoad?: boolean } = {}): void {
  if (prestarted) return;
  try {
    prestarted = start();
  } catch {
    prestarted = undefined;
    return;
  }
  if (options.waitToLoad !== true) tellToLoad(prestarted);
}

/** The prestarted worker may load Prisma's WASM now: the run's V8 flags are set. */
export function loadValidatorOnWorker(): void {
  if (prestarted) tellToLoad(prestarted);
}

/** Whether a worker was prestarted and is waiting for a schema. */
export function validatorWorkerStarted(): boolean {
  return prestarted !== undefined;
}

/** Ends a prestarted worker no validation used (a cached verdict, bad input before validation). */
export function discardValidatorWorker(): void {
  const unused = prestarted;
  prestarted = undefined;
  if (unused) void unused.worker.terminate();
}

/**
 * Runs `validate(params)` (the JSON validate.ts passes in process) on the prestarted worker, or a
 * new one (tests), and resolves with its answer; rejects with `WorkerUnavailable` when the worker fails to
 * start or load the module. This thread keeps working meanwhile: await the promise only when the
 * verdict is needed.
 */
export function validateOnWorker(params: string): Promise<WorkerAnswer> {
  let started: Started;
  try {
    started = prestarted ?? start();
  } catch (error) {
    return Promise.reject(new WorkerUnavailable(String(error)));
  }
  prestarted = undefined;
  // Now the answer is awaited: keep the process alive until it comes.
  started.worker.ref();
  tellToLoad(started);
  started.worker.postMessage(params);
  return started.answer;
}
