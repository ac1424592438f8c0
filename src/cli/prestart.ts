/**
 * Whether to start Prisma's validator on a worker thread now (src/schema/prisma-wasm-worker.ts),
 * so it validates while this thread builds the model and runs the rules. bin/idxgen.js asks first,
 * before it loads the CLI bundle (the worker then loads the WASM meanwhile), and main() asks again
 * for callers in process; a started worker is not started twice. A guess: a wrong one only starts
 * a worker nobody uses, or none.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { validatedBefore } from '../io/validation-cache';
import { prestartValidatorWorker, validatorWorkerStarted } from '../schema/prisma-wasm-worker';
import { FAST_SPECS, parseFast, type FastInvocation } from './fast-args';

export function prestartValidatorWorkerIfItPays(
  argv: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string },
  fast: FastInvocation | undefined = parseFast(argv, FAST_SPECS),
): void {
  if (!validatorWorkerStarted() && validatesFirst(argv) && workerPays(fast, io)) prestartValidatorWorker();
}

/** plan, check and generate without a workload validate the schema first, from the words of argv. */
function validatesFirst(argv: readonly string[]): boolean {
  return (
    ['plan', 'check', 'generate'].includes(argv[0] ?? '') &&
    !argv.some((a) => /^--(queries|database-url|help|version)(=|$)/.test(a))
  );
}

/**
 * A worker costs ~60 ms of CPU more than validating in process and saves wall time only on a core
 * that would otherwise idle, and only when Prisma's validator runs at all: not when the validation
 * cache is about to answer (`likelyCachedValid`). IDXGEN_VALIDATOR_WORKER=1 or 0 decides instead
 * (tests, benchmarks).
 */
function workerPays(fast: FastInvocation | undefined, io: { env: NodeJS.ProcessEnv; cwd: string }): boolean {
  if (io.env.IDXGEN_VALIDATOR_WORKER === '1') return true;
  if (io.env.IDXGEN_VALIDATOR_WORKER === '0') return false;
  return !likelyCachedValid(fast, io) && secondCoreLikelyFree();
}

/** The schema of a `check` or `plan` was valid last time and has not changed since (see `validatedBefore`). */
function likelyCachedValid(fast: FastInvocation | undefined, io: { env: NodeJS.ProcessEnv; cwd: string }): boolean {
  if (fast === undefined || fast.values.cache === false) return false;
  const { schema, config } = fast.values as { schema?: string; config?: string };
  return validatedBefore({ cwd: io.cwd, schema, config }, io.env);
}

/**
 * Whether the machine has a core to spare. On Linux that is read now, from the number of runnable
 * threads in /proc/loadavg (this one included: at most cores - 1), as long as the last minute's
 * load average is below the core count; elsewhere (or if that file cannot be read) from the load
 * average alone (at most cores - 1). The average alone lags: back-to-back runs (a hook over several
 * commits, a benchmark) raise it with their own finished processes and turned the worker off on an
 * idle machine.
 */
function secondCoreLikelyFree(): boolean {
  const cores = os.availableParallelism();
  if (cores < 2) return false;
  const average = os.loadavg()[0]!;
  const runnable = runnableNow();
  return runnable === undefined ? average <= cores - 1 : average < cores && runnable <= cores - 1;
}

/** Threads runnable right now, machine-wide (Linux: the 4th field of /proc/loadavg, `runnable/total`). */
function runnableNow(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const m = /^\S+ \S+ \S+ (\d+)\//.exec(fs.readFileSync('/proc/loadavg', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
