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
 * The worker loads the WASM when told to: its WebAssembly flags must hold when V8 compiles the
 * module, and bin/idxgen.js sets the run's V8 flags late (src/cli/v8-flags.ts). Late for the worker's
 * sake too: once any flag is set, V8 refuses the code cache Node ships for its own modules, and the
 * worker's bootstrap (~55 ms of Node's JavaScript) compiles them from source instead. So the bin
 * hands its flags over (`beforeValidatorLoads`), and they are set when the worker is first needed,
 * after its bootstrap (this thread waits for it, at most BOOT_WAIT_MS) and before it loads the
 * WASM; meanwhile this thread reads the schema. A worker started without that (in process) is told
 * to load at once.
 */
import type { Worker } from 'node:worker_threads';
import { isCrash, PRISMA_SCHEMA_WASM, reserveWasmMemory, validatorMemoryFor } from './prisma-wasm';

/** What the worker answers: Prisma's verdict on `validate`, and on failure `lint`'s report for the columns. */
export type WorkerAnswer =
  | { valid: true }
  /** `crash`: the WASM trapped or overflowed its stack (an error named RuntimeError or RangeError) instead of answering. */
  | { valid: false; crash: boolean; message: string; lint?: string };

/** The second message: the input of `validate`, and the memory to reserve before it. */
export interface Validation {
  params: string;
  memory: number;
}

/**
 * Worker source text shared by the validator threads (this one and validator-thread.ts): the
 * answer to one `Validation` on the thread's instance of `workerData.module`, as `WorkerAnswer` (or
 * `{ failed }` when the module did not load). A trap while reserving the memory broke the instance
 * (prisma-wasm.ts): it validates on a fresh one.
 */
export const ANSWER_SOURCE = `
const reserveWasmMemory = ${reserveWasmMemory.toString()};
const isCrash = ${isCrash.toString()};
let wasm;
let failed;
function loadModule() {
  try {
    wasm = require(workerData.module);
  } catch (error) {
    failed = String(error && error.stack ? error.stack : error);
  }
}
function answerValidation({ params, memory }) {
  if (failed !== undefined) return { failed };
  try {
    reserveWasmMemory(wasm.__wasm, memory);
  } catch (error) {
    if (!isCrash(error)) throw error;
    delete require.cache[workerData.module];
    wasm = require(workerData.module);
  }
  try {
    wasm.validate(params);
    return { valid: true };
  } catch (error) {
    const crash = isCrash(error);
    const answer = { valid: false, crash, message: error instanceof Error ? error.message : String(error) };
    if (!crash) {
      try {
        answer.lint = wasm.lint(JSON.stringify(JSON.parse(params).prismaSchema));
      } catch {
        // no columns then, as in process
      }
    }
    return answer;
  }
}
`;

/**
 * The worker's code, run with `eval` so it needs no file of its own (the CLI may be bundled). Its
 * first message says it may load the module (by the absolute path the main thread resolved); the
 * second is the one `Validation` it answers before it ends.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
${ANSWER_SOURCE}
Atomics.store(workerData.booted, 0, 1);
Atomics.notify(workerData.booted, 0);
parentPort.once('message', () => {
  loadModule();
  parentPort.once('message', (validation) => {
    parentPort.postMessage(answerValidation(validation));
    parentPort.close();
  });
});
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
  /** [0] becomes 1 once the worker's own JavaScript runs: Node's bootstrap of it is done. */
  booted: Int32Array;
}

let prestarted: Started | undefined;

/** What this thread does first when the prestarted worker is needed (the bin's V8 flags); run once. */
let beforeLoad: (() => void) | undefined;

/**
 * How long this thread waits at most for the worker's bootstrap before it sets the flags anyway.
 * The bootstrap takes ~55 ms from `new Worker` on an idle machine, of which this thread spends
 * ~50 loading its bundle and reading the schema; a busy machine stretches both.
 */
const BOOT_WAIT_MS = 40;

/** The first message: the process's V8 flags are set, load the WASM. */
const LOAD = 'load';

function start(): Started {
  // Loaded here, not at the top: main.ts imports this module for every command (~3 ms).
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  const booted = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { module: require.resolve(PRISMA_SCHEMA_WASM), booted },
  });
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
  return { worker, answer, loading: false, booted };
}

function tellToLoad(started: Started): void {
  if (started.loading) return;
  if (beforeLoad) {
    Atomics.wait(started.booted, 0, 0, BOOT_WAIT_MS);
    runBeforeLoad();
  }
  started.loading = true;
  started.worker.postMessage(LOAD);
}

function runBeforeLoad(): void {
  const run = beforeLoad;
  beforeLoad = undefined;
  run?.();
}

/**
 * Starts a worker now: it loads Prisma's validator while this thread goes on (with `waitToLoad`,
 * only once the first `validateOnWorker` needs it: see `beforeValidatorLoads`), and the next
 * `validateOnWorker` uses it. Best effort: if no worker can start, validation happens as usual.
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

/**
 * Runs `prepare` (the bin: set the run's V8 flags) just before the prestarted worker loads the WASM,
 * once its bootstrap is done (see above); or at once, when no worker waits. Without a worker
 * needed (a cached verdict, bad input), at the latest when it is discarded, without waiting.
 */
export function beforeValidatorLoads(prepare: () => void): void {
  if (prestarted === undefined || prestarted.loading) {
    prepare();
    return;
  }
  beforeLoad = prepare;
}

/** Whether a worker was prestarted and is waiting for a schema. */
export function validatorWorkerStarted(): boolean {
  return prestarted !== undefined;
}

/** Ends a prestarted worker no validation used (a cached verdict, bad input before validation). */
export function discardValidatorWorker(): void {
  const unused = prestarted;
  prestarted = undefined;
  runBeforeLoad();
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
  const validation: Validation = { params, memory: validatorMemoryFor(params.length) };
  started.worker.postMessage(validation);
  return started.answer;
}
