/**
 * `idxgen deploy`: exit 0 when every pending folder is applied (or none is pending), 1 when a
 * folder failed (the summary says the exact state and the next command), 130 after Ctrl-C and 143
 * after SIGTERM (the running build cancelled and cleaned up), 2 on bad input (URL, migrations
 * folder, unreachable database).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, UserError } from '../../errors';
import { readMigrationsDirectory } from '../../db/schema-engine';
import { deploy, DeployError } from '../../deploy/deploy';
import { parseDatabaseUrl } from '../../db/url';
import { INTERRUPT_EXIT, type CliIO, type InterruptSignal } from '../io';
import { eventView, scrubber } from './deploy-view';

export interface DeployCommandOptions {
  databaseUrl?: string;
  migrations?: string;
  format: 'text' | 'json';
  /** ms between progress readings; default 500 on a terminal, 5000 otherwise. */
  interval?: number;
  retries: number;
  lockTimeout: number;
  lockRetries: number;
  backoff: number;
  oldTransaction: number;
  buildRate: number;
}

/** The database URL (flag, else DATABASE_URL) parsed; a missing or bad one is bad input. */
export function databaseTarget(url: string | undefined, env: NodeJS.ProcessEnv) {
  const raw = url ?? env.DATABASE_URL;
  if (!raw)
    throw new UserError(
      'no database: pass --database-url postgresql://user:password@host:port/database or set DATABASE_URL',
    );
  return parseDatabaseUrl(raw, env);
}

/**
 * SIGINT/SIGTERM abort the controller for as long as `run` runs (then the default handling
 * returns); `interrupted` is the first signal that came.
 */
export async function withSignals<T>(
  run: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; interrupted: InterruptSignal | undefined }> {
  const controller = new AbortController();
  let first: InterruptSignal | undefined;
  const onSignal = (signal: InterruptSignal) => {
    first ??= signal;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const value = await run(controller.signal);
    return { value, interrupted: controller.signal.aborted ? first : undefined };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export async function deployCommand(options: DeployCommandOptions, io: CliIO): Promise<number> {
  const target = databaseTarget(options.databaseUrl, io.env);
  const scrub = scrubber(target.password);
  const dir = path.resolve(io.cwd, options.migrations ?? path.join('prisma', 'migrations'));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UserError(`--migrations: no folder ${dir} (pass --migrations DIR)`);
  const migrations = await readMigrationsDirectory(dir);
  const view = eventView(io, options.format, scrub, io.isTTY ? process.stdout : undefined);
  try {
    const { value: outcome, interrupted } = await withSignals((signal) =>
      deploy({
        target,
        migrations,
        pollMs: options.interval ?? (io.isTTY && options.format === 'text' ? 500 : 5000),
        buildRetries: options.retries,
        lockTimeoutMs: options.lockTimeout,
        lockRetries: options.lockRetries,
        backoffMs: options.backoff,
        oldTransactionSeconds: options.oldTransaction,
        buildRateMBps: options.buildRate,
        signal,
        emit: (e) => view.emit(e),
      }),
    );
    view.close();
    if (outcome === 'interrupted') return INTERRUPT_EXIT[interrupted ?? 'SIGINT'];
    return outcome === 'failed' ? ExitCode.findings : ExitCode.clean;
  } catch (error) {
    view.close();
    if (error instanceof DeployError || isConnectionError(error)) {
      throw new UserError(`deploy: ${scrub(error instanceof Error ? error.message : String(error))}`);
    }
    throw error;
  } finally {
    await io.stdoutDrained?.();
  }
}

/** pg's errors for a server it cannot reach or that refuses the login: bad input, not a bug. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown } | null;
  return (
    typeof e?.code === 'string' &&
    (/^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|EAI_AGAIN)$/.test(e.code) || /^(28|3D|08)/.test(e.code))
  );
}
