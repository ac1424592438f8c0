/**
 * `idxgen progress`: the live view of every index build running in the database (started by
 * anyone, e.g. `prisma migrate deploy` in another terminal); exits 0 when none is left, 130 on
 * Ctrl-C, 2 on bad input.
 */
import { UserError } from '../../errors';
import { watchBuilds } from '../../deploy/deploy';
import type { CliIO } from '../io';
import { INTERRUPT_EXIT } from '../io';
import { databaseTarget, isConnectionError, withSignals } from './deploy';
import { eventView, scrubber } from './deploy-view';

export interface ProgressCommandOptions {
  databaseUrl?: string;
  format: 'text' | 'json';
  interval?: number;
}

export async function progressCommand(options: ProgressCommandOptions, io: CliIO): Promise<number> {
  const target = databaseTarget(options.databaseUrl, io.env);
  const scrub = scrubber(target.password);
  const view = eventView(io, options.format, scrub, io.isTTY ? process.stdout : undefined);
  try {
    const { value: seen, interrupted } = await withSignals((signal) =>
      watchBuilds(target, options.interval ?? (io.isTTY && options.format === 'text' ? 500 : 5000), signal, (e) =>
        view.emit(e),
      ),
    );
    view.close();
    if (options.format === 'text' && seen === 0) io.stdout('No index build in progress.\n');
    return interrupted ? INTERRUPT_EXIT[interrupted] : 0;
  } catch (error) {
    view.close();
    if (isConnectionError(error))
      throw new UserError(`progress: ${scrub(error instanceof Error ? error.message : String(error))}`);
    throw error;
  } finally {
    await io.stdoutDrained?.();
  }
}
