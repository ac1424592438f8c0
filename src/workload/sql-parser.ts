/**
 * The real PostgreSQL parser (libpg-query, WASM), loaded only when a workload needs it:
 * `check` without `--database-url` or SQL `--queries` never loads it (a test proves it).
 */
import type { ParseResult } from 'libpg-query';

export interface SqlParser {
  parse(sql: string): ParseResult;
  fingerprint(sql: string): string;
}

let loaded: Promise<SqlParser> | undefined;

export function sqlParser(): Promise<SqlParser> {
  loaded ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require('libpg-query') as typeof import('libpg-query');
    await pg.loadModule();
    return { parse: (sql) => pg.parseSync(sql), fingerprint: (sql) => pg.fingerprintSync(sql) };
  })();
  return loaded;
}

/** The parser's message for a statement it rejects (no stack, no input echoed beyond its own). */
export function parseErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
