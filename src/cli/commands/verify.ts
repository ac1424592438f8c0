import * as path from 'node:path';
import { ExitCode } from '../../errors';
import { resolveMigrationsDir } from '../../io/read-migrations';
import { projectPrisma, readPrismaVersion } from '../../compat/prisma-version';
import { parseDatabaseUrl } from '../../db/url';
import { renderVerifyJson, renderVerifyText, runVerify, type VerifyHooks, type VerifyTarget } from '../../verify';
import { formatMs } from '../../verify/render';
import type { ValidationCache } from '../../schema/validate';
import { withoutIndexes } from '../../model/without-indexes';
import { loadAndPlan, planModel } from '../context';
import type { CliIO } from '../io';
import { testFault } from '../test-fault';

export interface VerifyCommandOptions {
  schema?: string;
  config?: string;
  /** Remembers schemas Prisma validated clean (see src/io/validation-cache.ts). */
  cache?: ValidationCache;
  /** Query-shape recordings (`--queries`): the workload the rules propose from. */
  queries?: string[];
  migrations?: string;
  databaseUrl?: string;
  format: 'text' | 'json';
  /** Rows per table for the evidence step (tests, benchmarks). Default 20,000. */
  rowsPerTable?: number;
}

function display(cwd: string, absolute: string): string {
  const rel = path.relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : absolute;
}

/** A URL without a password takes PGPASSWORD (as libpq does). */
function urlTarget(url: string, env: NodeJS.ProcessEnv): VerifyTarget {
  parseDatabaseUrl(url, env); // a bad URL is a usage error (exit 2) before anything starts
  const password = env.PGPASSWORD;
  if (!password) return { kind: 'url', url };
  const u = new URL(url);
  if (!u.password) u.password = encodeURIComponent(password);
  return { kind: 'url', url: u.toString() };
}

/**
 * `idxgen verify`: exit 0 when every step passed, 1 when one failed or was skipped (a skipped
 * proof is not a proof), 2 on bad input or when no scratch database can be created.
 */
export async function verifyCommand(options: VerifyCommandOptions, io: CliIO): Promise<number> {
  const target: VerifyTarget =
    options.databaseUrl !== undefined ? urlTarget(options.databaseUrl, io.env) : { kind: 'embedded' };
  const { location, schema, config, plan, workload } = loadAndPlan(io.cwd, {
    schema: options.schema,
    config: options.config,
    cache: options.cache,
    queries: options.queries,
  });
  const datasourceFile = schema.sources.find((s) => /^[ \t]*datasource[ \t]+\w+[ \t]*\{/m.test(s.content))?.path;
  const read = readPrismaVersion(io.cwd);
  const migrations = resolveMigrationsDir(io.cwd, location, {
    explicit: options.migrations,
    datasourceFile,
    prismaVersion: options.migrations === undefined ? read : undefined,
  });
  const hooks: VerifyHooks = {};
  if (io.isTTY && options.format === 'text') {
    hooks.onStepStart = (name) => io.stderr(`verify: ${name}...\n`);
    hooks.onStepEnd = (step) => io.stderr(`verify: ${step.name} ${step.status} (${formatMs(step.ms)})\n`);
  }
  const announce = hooks.onStepStart;
  hooks.onStepStart = (name) => {
    testFault(io.env, 'verify:step'); // tests only: a bug while the database server runs
    announce?.(name);
  };
  const report = await runVerify(
    {
      sources: schema.validated,
      model: schema.model,
      migrationsDir: migrations.dir,
      target,
      plan,
      planWithout: (names) => planModel(withoutIndexes(schema.model, names), config, workload),
      config,
      rowsPerTable: options.rowsPerTable,
      prisma: projectPrisma(read, schema.model),
    },
    hooks,
  );
  io.stdout(
    options.format === 'json' ? renderVerifyJson(report) : renderVerifyText(report, display(io.cwd, migrations.dir)),
  );
  return report.exitCode === 0 ? ExitCode.clean : ExitCode.findings;
}
