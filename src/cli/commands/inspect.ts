/**
 * `idxgen inspect --database-url [URL]...`: reads the live database read-only and compares it with
 * the schema. Exit 0 clean, 1 when an error-level problem is found (an INVALID index, an unindexed
 * FK), 2 on bad input or when a server cannot be reached or read. The password never appears in
 * any output: every message goes through the scrubber of every URL given.
 */
import type { Client } from 'pg';
import { ExitCode, UserError } from '../../errors';
import {
  bloatFlagged,
  bloatOf,
  DEFAULT_INSPECT_OPTIONS,
  inspectDatabase,
  type InspectOptions,
} from '../../inspect/introspect-compare';
import {
  measureBloat,
  openReadOnly,
  readDatabaseFacts,
  ServerTooOld,
  type DatabaseFacts,
} from '../../inspect/introspect';
import { inspectJson, inspectText } from '../../inspect/report';
import type { ValidationCache } from '../../schema/validate';
import { discoverSchema } from '../../io/discover';
import { readSchemaFiles } from '../../io/read-schema';
import { loadSchema } from '../../schema/load';
import type { CliIO } from '../io';
import { databaseTarget, isConnectionError } from './deploy';
import { scrubber } from './deploy-view';

export interface InspectCommandOptions {
  schema?: string;
  cache?: ValidationCache;
  /** `--database-url` values; empty (flag without value) means DATABASE_URL. First is the primary. */
  databaseUrls: string[];
  format: 'text' | 'json';
  minStatsAgeDays: number;
  statementTimeoutMs: number;
}

export async function inspectCommand(options: InspectCommandOptions, io: CliIO): Promise<number> {
  const given = options.databaseUrls.filter((u) => u !== '');
  const targets = (given.length > 0 ? given : [undefined]).map((u) => databaseTarget(u, io.env));
  const scrubs = targets.map((t) => scrubber(t.password));
  const scrub = (text: string) => scrubs.reduce((t, s) => s(t), text);
  if (!Number.isFinite(options.minStatsAgeDays) || options.minStatsAgeDays < 0)
    throw new UserError('--min-stats-age: a number of days, 0 or more');
  if (!Number.isFinite(options.statementTimeoutMs) || options.statementTimeoutMs < 1)
    throw new UserError('--statement-timeout: milliseconds, 1 or more');
  const location = discoverSchema(io.cwd, options.schema);
  const schema = loadSchema(readSchemaFiles(location.files, io.cwd), options.cache);
  const inspectOptions: InspectOptions = { ...DEFAULT_INSPECT_OPTIONS, minStatsAgeDays: options.minStatsAgeDays };
  const facts: DatabaseFacts[] = [];
  for (const [i, target] of targets.entries()) {
    let client: Client | undefined;
    try {
      client = await openReadOnly(target, { statementTimeoutMs: options.statementTimeoutMs });
      const read = await readDatabaseFacts(client);
      if (i === 0) {
        await measureBloat(client, read, (b) => {
          const bloat = bloatOf(b);
          return bloat !== null && bloatFlagged(bloat, inspectOptions);
        });
      }
      facts.push(read);
    } catch (error) {
      const e = error as { code?: unknown; message?: unknown };
      const which =
        targets.length > 1
          ? ` (--database-url #${i + 1}, ${target.host}:${target.port}/${target.database})`
          : ` (${target.host}:${target.port}/${target.database})`;
      if (error instanceof ServerTooOld) throw new UserError(`inspect${which}: ${scrub(error.message)}`);
      if (isConnectionError(error)) throw new UserError(`inspect${which}: cannot connect: ${scrub(String(e.message))}`);
      if (e.code === '42501')
        throw new UserError(
          `inspect${which}: permission denied (${scrub(String(e.message))}); the role needs to read pg_catalog and the pg_stat_* views (pg_read_all_stats)`,
        );
      if (e.code === '57014')
        throw new UserError(
          `inspect${which}: a catalog query took longer than --statement-timeout ${options.statementTimeoutMs} ms`,
        );
      throw new Error(scrub(String(e.message)));
    } finally {
      await client?.end().catch(() => undefined);
    }
  }
  const report = inspectDatabase(schema.model, facts[0]!, facts.slice(1), inspectOptions);
  io.stdout(scrub(options.format === 'json' ? inspectJson(report) : inspectText(report)));
  await io.stdoutDrained?.();
  return report.findings.some((f) => f.severity === 'error') ? ExitCode.findings : ExitCode.clean;
}
