/**
 * `--queries FILE...`: reads the query-shape recordings (JSON lines from `idxgen/prisma`) into the
 * workload, with the schema's model. A line that is not a recorded shape is bad input
 * (`file:line:col`, exit 2); a model the schema does not have is reported, not fatal (a recording
 * made before a model was renamed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, type Diagnostic } from '../errors';
import type { TableStats } from '../model/table-stats';
import type { SchemaModel } from '../model/types';
import { readsFromRecorded } from '../workload/from-recorded';
import { parseRecordedShapes } from '../workload/parse-recorded';
import type { RecordedShape } from '../workload/recorded-shape';
import type { Workload } from '../workload/workload';
import { parseStatements, readsFromStatements, type ParsedStatement } from '../workload/from-statements';
import { sqlParser } from '../workload/sql-parser';
import type { Statement } from '../workload/statement';
import { isPrismaQueryLog, statementsFromPrismaLog, statementsFromSqlFile } from '../workload/statement-files';

/** Recordings are merged by shape; a file this large is not one. */
const MAX_BYTES = 256 * 1024 * 1024;

export interface LoadedWorkload {
  workload: Workload;
  /** One line each: what the recording names that the schema does not have. */
  notes: string[];
}

/**
 * The `--queries` files that hold SQL (`.sql`, or Prisma Client's query log), read with the real
 * PostgreSQL parser (loaded only when such a file is given), and the other files (recorded shapes)
 * left for `readQueries`.
 */
export async function readStatementFiles(
  cwd: string,
  files: readonly string[],
  fromDatabase: readonly Statement[] = [],
): Promise<{ recorded: string[]; parsed: ParsedStatement[]; notes: string[] }> {
  const recorded: string[] = [];
  const sql: { shown: string; text: string; kind: 'sql' | 'prisma-log' }[] = [];
  for (const shown of files) {
    const text = readText(path.resolve(cwd, shown), shown);
    if (shown.toLowerCase().endsWith('.sql')) sql.push({ shown, text, kind: 'sql' });
    else if (isPrismaQueryLog(text)) sql.push({ shown, text, kind: 'prisma-log' });
    else recorded.push(shown);
  }
  if (sql.length === 0 && fromDatabase.length === 0) return { recorded, parsed: [], notes: [] };
  const parser = await sqlParser();
  const statements: Statement[] = [...fromDatabase];
  const problems: Diagnostic[] = [];
  for (const file of sql) {
    const read =
      file.kind === 'sql'
        ? statementsFromSqlFile(file.text, file.shown, parser)
        : statementsFromPrismaLog(file.text, file.shown, parser);
    statements.push(...read.statements);
    problems.push(...read.problems);
  }
  if (problems.length > 0) throw new UserError(problems);
  const { parsed, rejected } = parseStatements(statements, parser);
  return { recorded, parsed, notes: rejected.map((r) => `a statement was left out of the workload: ${r}`) };
}

export function readQueries(
  cwd: string,
  files: readonly string[],
  model: SchemaModel,
  statements: readonly ParsedStatement[] = [],
  tables?: readonly TableStats[],
): LoadedWorkload {
  const shapes: RecordedShape[] = [];
  const problems: Diagnostic[] = [];
  for (const shown of files) {
    const parsed = parseRecordedShapes(readText(path.resolve(cwd, shown), shown), shown);
    shapes.push(...parsed.shapes);
    problems.push(...parsed.problems);
  }
  if (problems.length > 0) throw new UserError(problems);
  const { reads, unknownModels } = readsFromRecorded(shapes, model);
  const origins = [
    ...files,
    ...new Set(statements.filter((s) => s.statement.origin === 'pg_stat_statements').map((s) => s.statement.where)),
  ];
  return {
    workload: {
      reads: [...reads, ...readsFromStatements(statements, model)],
      origins,
      ...(tables ? { tables: [...tables] } : {}),
    },
    notes: unknownModels.map(
      (m) =>
        `the query shapes name model ${m}, which the schema does not have (recorded before a rename?): its reads are left out`,
    ),
  };
}

function readText(file: string, shown: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new UserError([
      { file: shown, message: `cannot read the query shapes (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
    ]);
  }
  if (!stat.isFile())
    throw new UserError([
      {
        file: shown,
        message:
          'not a regular file (--queries takes a .sql file, Prisma Client query log, or the JSON-lines files recordQueryShapes writes)',
      },
    ]);
  if (stat.size > MAX_BYTES)
    throw new UserError([
      { file: shown, message: `larger than ${MAX_BYTES / 1024 / 1024} MiB: not a query-shape recording` },
    ]);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError([
      { file: shown, message: `cannot read the query shapes (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
    ]);
  }
}
