/**
 * Running `idxgen verify` in tests: against the jest cluster (`__tests__/support/pg.ts`) through
 * `--database-url`, so every run works in scratch databases it creates and drops; or with the
 * embedded server, as a user without a URL would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectionUrl } from '../../src/db/client';
import type { CliIO } from '../../src/cli/io';
import { verifyCommand } from '../../src/cli/commands/verify';
import type { StepName, VerifyReport, VerifyStep } from '../../src/verify/index';
import { testConnection } from './pg';

export const REPO = path.join(__dirname, '..', '..');
export const FIXTURES = path.join(REPO, '__tests__', 'fixtures', 'verify');

/** The jest cluster as a URL (its `postgres` database is only used to CREATE/DROP scratch databases). */
export function clusterUrl(database = 'postgres'): string {
  return connectionUrl({ ...testConnection(), database });
}

export interface TestIO extends CliIO {
  out: string[];
  err: string[];
}

export function testIO(cwd: string): TestIO {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: { NO_COLOR: '1' },
    isTTY: false,
    now: () => new Date(Date.UTC(2025, 0, 1)),
    out,
    err,
  };
}

export interface VerifyRun {
  code: number;
  report: VerifyReport;
  ms: number;
}

/** `idxgen verify --format json [--database-url <jest cluster>]` in `cwd`; the parsed report. */
export async function verifyJson(
  cwd: string,
  options: { embedded?: boolean; rowsPerTable?: number; queries?: string[] } = {},
): Promise<VerifyRun> {
  const io = testIO(cwd);
  const started = performance.now();
  const code = await verifyCommand(
    {
      format: 'json',
      databaseUrl: options.embedded ? undefined : clusterUrl(),
      rowsPerTable: options.rowsPerTable,
      ...(options.queries ? { queries: options.queries } : {}),
    },
    io,
  );
  return { code, report: JSON.parse(io.out.join('')) as VerifyReport, ms: performance.now() - started };
}

export function stepOf<N extends StepName>(report: VerifyReport, name: N): Extract<VerifyStep, { name: N }> {
  return report.steps.find((s) => s.name === name) as Extract<VerifyStep, { name: N }>;
}

/** `{base: 'pass', apply: 'fail', ...}` for readable assertions. */
export function statuses(report: VerifyReport): Record<StepName, string> {
  return Object.fromEntries(report.steps.map((s) => [s.name, s.status])) as Record<StepName, string>;
}

/** What `statuses` gives when every step passed. */
export const EVERY_STEP_PASSED: Record<StepName, string> = {
  base: 'pass',
  apply: 'pass',
  coverage: 'pass',
  evidence: 'pass',
  rollback: 'pass',
  drift: 'pass',
};

/** Every step passed and the process exit code is 0 (a failed step must never exit 0). */
export function expectEveryStepPassed(report: VerifyReport, code: number): void {
  expect(statuses(report)).toEqual(EVERY_STEP_PASSED);
  expect(code).toBe(0);
}

/** A temp copy of a folder (removed by the caller). */
export function copyToTemp(from: string, prefix = 'idxgen-verify-'): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.cpSync(from, root, { recursive: true });
  return root;
}
