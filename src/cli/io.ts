/** What the CLI layer is handed: the only door to the console, clock and environment. */
export interface CliIO {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  now: () => Date;
  /**
   * Resolves once stdout has taken what was written (a pipe whose reader is slower than us
   * otherwise queues the whole report in memory). Absent: nothing to wait for.
   */
  stdoutDrained?: () => Promise<void>;
  /**
   * Subscribes to SIGINT/SIGTERM for a critical section (generate's commit); while subscribed the
   * process does not die on them. Returns the unsubscribe. Absent: no signals (tests in-process).
   */
  onInterrupt?: (handler: (signal: InterruptSignal) => void) => () => void;
}

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** Exit codes of a run stopped by a signal (128 + the signal number, as a shell reports them). */
export const INTERRUPT_EXIT: Record<InterruptSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export function processIO(): CliIO {
  // `idxgen plan | head`: once the reader is gone, stop writing and finish with the command's own
  // exit code, instead of dying on an unhandled EPIPE with a stack trace.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
    process.stdout.emit('drain');
  });
  return {
    cwd: process.cwd(),
    stdout: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    now: () => new Date(),
    onInterrupt: (handler) => {
      const signals: InterruptSignal[] = ['SIGINT', 'SIGTERM'];
      for (const s of signals) process.on(s, handler);
      return () => {
        for (const s of signals) process.off(s, handler);
      };
    },
    stdoutDrained: () =>
      stdoutClosed || !process.stdout.writableNeedDrain
        ? Promise.resolve()
        : new Promise((resolve) => process.stdout.once('drain', () => resolve())),
  };
}

/** Colour only on a terminal and never when NO_COLOR is set (https://no-color.org). */
export function useColor(io: CliIO): boolean {
  return io.isTTY && !('NO_COLOR' in io.env) && io.env.TERM !== 'dumb';
}
