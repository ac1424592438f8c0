/** Small database helpers for verify: one-statement queries and error shapes. */
import type { Client, QueryConfig, QueryResultRow } from 'pg';
import type { ApplyFailure } from '../db/apply';
import { lineAt, splitStatements } from '../db/split';
import type { VerifyPgError } from './types';

/**
 * Runs one statement with the extended protocol: PostgreSQL then refuses a second statement, so
 * an expression taken from the schema or the catalog can never smuggle one in.
 */
export async function runOne<R extends QueryResultRow = QueryResultRow>(
  client: Client,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const config = { text, values, queryMode: 'extended' } as QueryConfig;
  return (await client.query<R>(config)).rows;
}

/** The fields of a `pg` error worth showing. */
export function pgErrorOf(error: unknown): VerifyPgError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const out: VerifyPgError = { code: str(e.code) ?? 'UNKNOWN', message: str(e.message) ?? String(error) };
  const detail = str(e.detail);
  const hint = str(e.hint);
  if (detail) out.detail = detail;
  if (hint) out.hint = hint;
  return out;
}

/** The error of a failed `applyMigrationSql`, with its place in the file. */
export function applyErrorOf(failure: ApplyFailure): VerifyPgError {
  const e = failure.error;
  const out: VerifyPgError = { code: e.code, message: e.message };
  if (e.detail) out.detail = e.detail;
  if (e.hint) out.hint = e.hint;
  out.line = e.line ?? statementLine(failure.failedStatement.sql, failure.failedStatement.line);
  if (e.column !== undefined) out.column = e.column;
  return out;
}

/**
 * The line of a query's first SQL token: a piece split on `;` starts with the comments before the
 * statement (idxgen's header), and an error without a position belongs to the statement.
 */
function statementLine(sql: string, firstLine: number): number {
  const statement = splitStatements(sql)[0];
  return statement ? firstLine + lineAt(sql, statement.offset) - 1 : firstLine;
}

/** `folder/migration.sql:12:5: 42703 column "x" does not exist`. */
export function describePgError(file: string, error: VerifyPgError): string {
  const where =
    error.line !== undefined ? `${file}:${error.line}${error.column !== undefined ? `:${error.column}` : ''}` : file;
  const extra = [error.detail && `detail: ${error.detail}`, error.hint && `hint: ${error.hint}`]
    .filter(Boolean)
    .join('; ');
  return `${where}: ${error.code} ${error.message}${extra ? ` (${extra})` : ''}`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
