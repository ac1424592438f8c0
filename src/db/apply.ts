/**
 * Applying a migration.sql to a real database the way a given Prisma version would.
 *
 * Prisma Migrate never opens a transaction around a migration itself. What differs is how the file
 * reaches the server:
 *   - 'per-statement': Prisma >= 7.4 behaviour: the file is split into statements and each one is
 *     sent as its own query, autocommitted. Uses our splitter (see split.ts), which respects
 *     comments, strings, quoted identifiers and dollar quotes.
 *   - 'naive-split': the same, but split exactly as adapter-pg 7.10 does (on every `;`). Use it to
 *     reproduce what the engine really sends: a `;` inside a string breaks the statement.
 *   - 'single-query': older Prisma: the whole file is one simple-protocol query, which PostgreSQL
 *     runs as ONE implicit transaction: as soon as the file has two statements,
 *     CREATE INDEX CONCURRENTLY fails with 25001.
 */
import type { Client } from 'pg';
import { withClient, type DbTarget } from './client';
import { sqlParser } from '../workload/sql-parser';
import { naiveSplit, splitStatements, lineAt, type SqlStatement } from './split';

export { splitStatements, naiveSplit, type SqlStatement } from './split';

export type ApplyMode = 'per-statement' | 'naive-split' | 'single-query';

export interface PgErrorInfo {
  /** SQLSTATE (`25001`), or a Node error code (`ECONNRESET`) when the server did not answer. */
  code: string;
  message: string;
  severity?: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the query as sent, as PostgreSQL reports it. */
  position?: number;
  /** The same place in the whole script: 0-based UTF-16 offset, 1-based line and column. */
  fileOffset?: number;
  line?: number;
  column?: number;
}

interface ApplyBase {
  mode: ApplyMode;
  /** Queries this mode sends for the whole script. */
  queries: number;
  ms: number;
}

export interface ApplyOk extends ApplyBase {
  ok: true;
}

export interface ApplyFailure extends ApplyBase {
  ok: false;
  /** Queries that completed (and, no transaction being open, stay committed) before the failure. */
  succeeded: number;
  failedStatement: SqlStatement;
  error: PgErrorInfo;
}

export type ApplyResult = ApplyOk | ApplyFailure;

/** The queries a mode sends for a script. */
export function queriesFor(script: string, mode: ApplyMode): SqlStatement[] {
  if (mode === 'per-statement') return splitStatements(script);
  if (mode === 'naive-split') return naiveSplit(script);
  return script.trim().length > 0 ? [{ sql: script, offset: 0, line: 1 }] : [];
}

/** Applies `script` on an open client (no transaction is opened) or on a fresh connection. */
export async function applyMigrationSql(on: Client | DbTarget, script: string, mode: ApplyMode): Promise<ApplyResult> {
  if (!('query' in on)) return withClient(on, (client) => applyMigrationSql(client, script, mode));
  if (mode === 'per-statement') await sqlParser(); // PostgreSQL's parser splits the script
  const started = performance.now();
  const queries = queriesFor(script, mode);
  for (let i = 0; i < queries.length; i++) {
    try {
      await on.query(queries[i].sql);
    } catch (error) {
      return {
        ok: false,
        mode,
        queries: queries.length,
        ms: performance.now() - started,
        succeeded: i,
        failedStatement: queries[i],
        error: toPgErrorInfo(error, script, queries[i]),
      };
    }
  }
  return { ok: true, mode, queries: queries.length, ms: performance.now() - started };
}

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  severity?: unknown;
  detail?: unknown;
  hint?: unknown;
  position?: unknown;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Normalizes a `pg` DatabaseError (or any thrown value) and maps its position into the script. */
export function toPgErrorInfo(error: unknown, script: string, statement: SqlStatement): PgErrorInfo {
  const e: PgLikeError = typeof error === 'object' && error !== null ? (error as PgLikeError) : {};
  const info: PgErrorInfo = {
    code: optionalString(e.code) ?? 'UNKNOWN',
    message: optionalString(e.message) ?? String(error),
    severity: optionalString(e.severity),
    detail: optionalString(e.detail),
    hint: optionalString(e.hint),
  };
  const position = Number(e.position);
  if (Number.isInteger(position) && position > 0) {
    info.position = position;
    info.fileOffset = statement.offset + codePointsToUtf16(statement.sql, position - 1);
    info.line = lineAt(script, info.fileOffset);
    info.column = info.fileOffset - script.lastIndexOf('\n', info.fileOffset - 1);
  }
  return dropUndefined(info);
}

// PostgreSQL counts characters (code points); JS offsets count UTF-16 units.
function codePointsToUtf16(text: string, codePoints: number): number {
  let units = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen === codePoints) break;
    units += ch.length;
    seen++;
  }
  return units;
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
