/**
 * Whether to start Prisma's validator on a worker thread now (src/schema/prisma-wasm-worker.ts),
 * so it validates while this thread builds the model and runs the rules. bin/idxgen.js asks first,
 * before it loads the CLI bundle (the worker starts meanwhile, and loads the WASM once the bin has
 * set the run's V8 flags: src/cli/v8-flags.ts), and main() asks again for callers in process; a
 * started worker is not started twice. A guess: a wrong one only starts a worker nobody uses, or none.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SCHEMA_PATHS, PRISMA_CONFIG_FILES } from '../io/prisma-locations';
import { validatedBefore } from '../io/validation-cache';
import { prestartValidatorWorker, validatorWorkerStarted } from '../schema/prisma-wasm-worker';
import { FAST_SPECS, parseFast, type FastInvocation } from './fast-args';

export function prestartValidatorWorkerIfItPays(
  argv: readonly string[],
  io: { env: NodeJS.ProcessEnv; cwd: string },
  /** `fast`: argv as main() read it. `waitToLoad`: see `prestartValidatorWorker` (the bin's V8 flags come first). */
  options: { fast?: FastInvocation; waitToLoad?: boolean } = {},
): void {
  if (validatorWorkerStarted() || !validatesFirst(argv)) return;
  if (workerPays(options.fast ?? parseFast(argv, FAST_SPECS), io))
    prestartValidatorWorker({ waitToLoad: options.waitToLoad === true });
}

/**
 * plan, check and generate validate the schema first (with a workload, while it is read), from the
 * words of argv.
 */
function validatesFirst(argv: readonly string[]): boolean {
  return ['plan', 'check', 'generate'].includes(argv[0] ?? '') && !argv.some((a) => /^--(help|version)(=|$)/.test(a));
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
  if (likelyCachedValid(fast, io)) return false;
  const bytes = schemaBytes(fast, io.cwd);
  return (bytes === undefined || bytes >= WORKER_MIN_SCHEMA_BYTES) && secondCoreLikelyFree();
}

/**
 * Below this much schema text, Prisma validates in this thread sooner than a worker can: the
 * worker's own bootstrap and WASM load outlast the validation it takes over. Cold `check`, worker
 * off / on, 11–15 interleaved rounds, since the worker boots before the V8 flags are set
 * (BENCHMARKS.md, "sixth session"): boxyhq (6 kB) 253 / 260 ms, umami (15 kB) 274 / 278, teable
 * (16 kB) 268 / 275, the example (23 kB) 302 / 286, amplication (31 kB) 300 / 282, langfuse
 * (77 kB) 380 / 327, trigger.dev (104 kB) 430 / 329. The worker costs ~50–60 ms of CPU and ~11 MB.
 */
export const WORKER_MIN_SCHEMA_BYTES = 20 * 1024;

/**
 * The size of the schema a `check` or `plan` will read, when it is cheap to tell: its `--schema`
 * (a file, or the `.prisma` files below a folder), else Prisma's default locations. Else
 * undefined (a prisma.config.ts or package.json names it: not read here).
 */
export function schemaBytes(fast: FastInvocation | undefined, cwd: string): number | undefined {
  if (fast === undefined) return undefined;
  const given = fast.values.schema;
  try {
    if (typeof given === 'string') return bytesAt(path.resolve(cwd, given));
    if (PRISMA_CONFIG_FILES.some((name) => fs.existsSync(path.join(cwd, name)))) return undefined;
    for (const candidate of DEFAULT_SCHEMA_PATHS) {
      const location = path.join(cwd, candidate);
      if (fs.existsSync(location)) return bytesAt(location);
    }
  } catch {
    // unreadable: whatever the run then reports
  }
  return undefined;
}

function bytesAt(file: string): number {
  const st = fs.statSync(file);
  if (!st.isDirectory()) return st.size;
  // A folder is a multi-file schema: every .prisma file below it.
  let total = 0;
  for (const name of fs.readdirSync(file, { recursive: true, encoding: 'utf8' }))
    if (name.endsWith('.prisma')) total += fs.statSync(path.join(file, name)).size;
  return total;
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
export function secondCoreLikelyFree(): boolean {
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
