/**
 * `--queries` files that hold SQL: a `.sql` file (statements separated the way PostgreSQL
 * separates them: the parser says where each one starts and ends), or the JSON lines Prisma
 * Client writes with `log: [{ emit: 'event', level: 'query' }]` (one `{query, params, duration,
 * ...}` event per line). Equal statements (same libpg-query fingerprint) are merged, their calls
 * added. Pure: the caller reads the files and loads the parser.
 */
import type { Diagnostic } from '../errors';
import { jsonLines } from './json-lines';
import { parseErrorMessage, type SqlParser } from './sql-parser';
import type { Statement } from './statement';

export interface StatementsRead {
  statements: Statement[];
  problems: Diagnostic[];
}

/** Is this text Prisma Client's query log (its first non-blank line an event with `query` and `duration`)? */
export function isPrismaQueryLog(text: string): boolean {
  const first = text.split('\n').find((line) => line.trim() !== '');
  if (first === undefined) return false;
  try {
    const value: unknown = JSON.parse(first);
    return isQueryEvent(value);
  } catch {
    return false;
  }
}

function isQueryEvent(value: unknown): value is { query: string; duration: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { query?: unknown }).query === 'string' &&
    typeof (value as { duration?: unknown }).duration === 'number'
  );
}

export function statementsFromSqlFile(text: string, file: string, parser: SqlParser): StatementsRead {
  let tree;
  try {
    tree = parser.parse(text);
  } catch (error) {
    return { statements: [], problems: [{ file, message: `not SQL PostgreSQL accepts: ${parseErrorMessage(error)}` }] };
  }
  const merged = new Merger();
  // stmt_location / stmt_len are byte offsets into the UTF-8 text.
  const bytes = Buffer.from(text, 'utf8');
  for (const raw of tree.stmts ?? []) {
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const query = bytes.subarray(start, end).toString('utf8').trim();
    if (query === '') continue;
    const line =
      bytes.subarray(0, start).toString('utf8').split('\n').length +
      (query.length > 0 ? leadingNewlines(bytes.subarray(start, end).toString('utf8')) : 0);
    merged.add({ query, durationMs: undefined, where: `${file}:${line}` }, parser);
  }
  return { statements: merged.statements('sql-file'), problems: [] };
}

function leadingNewlines(text: string): number {
  const match = /^\s*/.exec(text)![0];
  return match.split('\n').length - 1;
}

export function statementsFromPrismaLog(text: string, file: string, parser: SqlParser): StatementsRead {
  const merged = new Merger();
  const problems: Diagnostic[] = [];
  for (const { value, line } of jsonLines(
    text,
    file,
    'a Prisma Client query event: {"query": ..., "duration": ...}',
    problems,
  )) {
    if (!isQueryEvent(value)) {
      problems.push({
        file,
        line,
        column: 1,
        message: 'not a Prisma Client query event: needs a string "query" and a number "duration"',
      });
      continue;
    }
    const problem = merged.add({ query: value.query, durationMs: value.duration, where: `${file}:${line}` }, parser);
    if (problem) problems.push({ file, line, column: 1, message: problem });
  }
  return { statements: merged.statements('prisma-log'), problems };
}

class Merger {
  private readonly byFingerprint = new Map<
    string,
    { query: string; calls: number; totalMs: number; timed: boolean; where: string }
  >();

  /** Adds one call; a text the parser rejects is a problem (its message), never a crash. */
  add(call: { query: string; durationMs: number | undefined; where: string }, parser: SqlParser): string | undefined {
    let fingerprint: string;
    try {
      fingerprint = parser.fingerprint(call.query);
    } catch (error) {
      return `the query is not SQL PostgreSQL accepts: ${parseErrorMessage(error)}`;
    }
    const seen = this.byFingerprint.get(fingerprint);
    if (seen) {
      seen.calls++;
      if (call.durationMs !== undefined) seen.totalMs += call.durationMs;
    } else {
      this.byFingerprint.set(fingerprint, {
        query: call.query,
        calls: 1,
        totalMs: call.durationMs ?? 0,
        timed: call.durationMs !== undefined,
        where: call.where,
      });
    }
    return undefined;
  }

  statements(origin: 'sql-file' | 'prisma-log'): Statement[] {
    return [...this.byFingerprint.entries()].map(([fingerprint, s]) => ({
      fingerprint,
      query: s.query,
      calls: s.calls,
      ...(s.timed ? { meanMs: s.totalMs / s.calls, totalMs: s.totalMs } : {}),
      origin,
      where: s.where,
    }));
  }
}
