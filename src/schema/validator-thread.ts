/**
 * A Prisma validator on a worker thread whose answers are read synchronously: the caller hands it a
 * schema, works on, and then blocks (`Atomics.wait`) until the answer is there, which it reads with
 * `receiveMessageOnPort`. For generate, whose planning is synchronous: the project's own Prisma 5/6
 * validator checks the edited schema there while this thread checks it with Prisma 7 and builds
 * it again, or (any other project) Prisma 7's checks it there while this thread builds it again
 * (generate.ts, load.ts). Measured (BENCHMARKS.md, "eighth session"): `generate` on civitai 1,733 ->
 * 1,567 ms; on 2,000 generated models written for Prisma 6, 9.4 -> 6.5 s.
 *
 * Started early (the CLI: once it knows the project's Prisma), the thread has booted and loaded its
 * module by the time a schema comes. It never keeps the process alive, and any way it fails to
 * answer (no thread, a module that does not load, a crash, no answer in time) reads as "no answer":
 * the caller then validates in this thread, as it would have without it.
 */
import type { Worker } from 'node:worker_threads';
import { validatorMemoryFor } from './prisma-wasm';
import { ANSWER_SOURCE, type Validation, type WorkerAnswer } from './prisma-wasm-worker';

export interface ValidatorThread {
  /** Starts `validate(params)` there; the function returned waits for the answer (undefined: none came). */
  validate(params: string): () => WorkerAnswer | undefined;
  /** Ends the thread (answers not yet read are dropped). */
  end(): void;
}

/** [0]: answers posted so far; [1]: 1 once the thread's own JavaScript runs. */
const ANSWERS = 0;
const BOOTED = 1;

/** How long a caller waits at most for the thread to boot, then for an answer, before it validates itself. */
const BOOT_WAIT_MS = 10_000;
const ANSWER_WAIT_MS = 60_000;

const THREAD_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
${ANSWER_SOURCE}
const { port, signal } = workerData;
Atomics.store(signal, ${BOOTED}, 1);
Atomics.notify(signal, ${BOOTED});
loadModule();
port.on('message', (validation) => {
  let answer;
  try {
    answer = answerValidation(validation);
  } catch (error) {
    answer = { failed: String(error && error.stack ? error.stack : error) };
  }
  port.postMessage(answer);
  Atomics.add(signal, ${ANSWERS}, 1);
  Atomics.notify(signal, ${ANSWERS});
});
`;

/** A thread with `module` (a prisma-schema-wasm build) loaded; undefined when none can start. */
export function startValidatorThread(module: string): ValidatorThread | undefined {
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new threads.MessageChannel();
  let worker: Worker;
  try {
    worker = new threads.Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { module: require.resolve(module), port: port2, signal },
      transferList: [port2],
    });
  } catch {
    port1.close();
    return undefined;
  }
  worker.unref();
  port1.unref();
  // A thread that fails is only a missing answer (see waitFor), never an unhandled error.
  worker.on('error', () => undefined);
  let posted = 0;
  const received: unknown[] = [];
  let ended = false;
  return {
    validate(params) {
      if (ended) return () => undefined;
      const validation: Validation = { params, memory: validatorMemoryFor(params.length) };
      port1.postMessage(validation);
      const mine = ++posted;
      return () => (ended ? undefined : waitFor(mine));
    },
    end() {
      ended = true;
      port1.close();
      void worker.terminate();
    },
  };

  function waitFor(answer: number): WorkerAnswer | undefined {
    if (Atomics.load(signal, BOOTED) === 0 && Atomics.wait(signal, BOOTED, 0, BOOT_WAIT_MS) === 'timed-out')
      return undefined;
    const deadline = Date.now() + ANSWER_WAIT_MS;
    for (;;) {
      const count = Atomics.load(signal, ANSWERS);
      if (count >= answer) break;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(signal, ANSWERS, count, left) === 'timed-out') return undefined;
    }
    // Answers come in the order they were asked; one read here for a later ask is kept for it.
    while (received.length < answer) {
      const message = threads.receiveMessageOnPort(port1);
      if (message === undefined) return undefined;
      received.push(message.message);
    }
    const reply = received[answer - 1];
    return isAnswer(reply) ? reply : undefined;
  }
}

function isAnswer(reply: unknown): reply is WorkerAnswer {
  return typeof reply === 'object' && reply !== null && 'valid' in reply;
}
