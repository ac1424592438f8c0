/**
 * The real PostgreSQL parser (libpg-query, WASM): the one loader. Loaded only where SQL from
 * outside is read: a workload (`--queries`, `--database-url`) and migration files (generate,
 * verify, deploy, and plan / check when a migration folder names a CHECK constraint the plan would
 * report). Loading costs ~70 ms CPU and the first parse ~55 ms more (measured 2026-12-06), so a
 * plain `check` never loads it (tests prove it).
 */
import type { Node, ParseResult, ScanResult } from 'libpg-query';

export interface SqlParser {
  parse(sql: string): ParseResult;
  fingerprint(sql: string): string;
  /** PostgreSQL's lexer alone: tokens with UTF-8 byte offsets (comments included). */
  scan(sql: string): ScanResult;
}

let loaded: Promise<SqlParser> | undefined;
let ready: SqlParser | undefined;

export function sqlParser(): Promise<SqlParser> {
  loaded ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require('libpg-query') as typeof import('libpg-query');
    await pg.loadModule();
    ready = {
      parse: (sql) => pg.parseSync(sql),
      fingerprint: (sql) => pg.fingerprintSync(sql),
      scan: (sql) => pg.scanSync(sql),
    };
    return ready;
  })();
  return loaded;
}

/**
 * The parser, once `sqlParser()` has loaded it, for synchronous readers (migration effects). Not
 * loaded yet is a bug of the caller (an internal error), never the user's.
 */
export function loadedSqlParser(): SqlParser {
  if (!ready) throw new Error('the SQL parser is not loaded: await sqlParser() before reading SQL');
  return ready;
}

/** One statement of a script, as PostgreSQL's parser delimits it (a syntax error's position is in characters). */
export interface ParsedScriptStatement {
  node: Node;
  /** The statement's text from its first token, without its terminating `;`, trimmed at the end. */
  sql: string;
  /** 0-based UTF-16 offset of `sql` in the script. */
  offset: number;
  /** 1-based line of the statement's first token. */
  line: number;
}

export type ParsedScript =
  | { ok: true; statements: ParsedScriptStatement[] }
  /**
   * Where the parser complains, when it says: `line` / `column` (1-based) and `offset` (0-based
   * UTF-16 offset in the script).
   */
  | { ok: false; message: string; line?: number; column?: number; offset?: number };

/**
 * A whole script (a migration.sql) split into statements by the parser itself (its
 * stmt_location / stmt_len, UTF-8 byte offsets, turned into UTF-16 offsets here). Needs the parser
 * loaded (`await sqlParser()`).
 */
export function parseScript(script: string): ParsedScript {
  const parser = loadedSqlParser();
  const bytes = Buffer.from(script, 'utf8');
  const text = (from: number, to?: number) => bytes.subarray(from, to).toString('utf8');
  let result: ParseResult;
  try {
    result = parser.parse(script);
  } catch (error) {
    const at = errorOffset(error);
    if (at === undefined) return { ok: false, message: parseErrorMessage(error) };
    // The error position counts characters (code points), unlike stmt_location's bytes.
    const before = Array.from(script).slice(0, at).join('');
    const lines = before.split('\n');
    return {
      ok: false,
      message: parseErrorMessage(error),
      line: lines.length,
      column: lines[lines.length - 1]!.length + 1,
      offset: before.length,
    };
  }
  return {
    ok: true,
    statements: (result.stmts ?? []).flatMap((raw) => {
      if (!raw.stmt) return [];
      const start = raw.stmt_location ?? 0;
      const before = text(0, start);
      const sql = text(
        start,
        raw.stmt_len === undefined || raw.stmt_len === 0 ? undefined : start + raw.stmt_len,
      ).trimEnd();
      return [{ node: raw.stmt, sql, offset: before.length, line: before.split('\n').length }];
    }),
  };
}

/** The parser's 0-based character (code point) offset of a syntax error, when it gives one. */
function errorOffset(error: unknown): number | undefined {
  const details = typeof error === 'object' && error !== null && 'sqlDetails' in error ? error.sqlDetails : undefined;
  const position =
    typeof details === 'object' && details !== null && 'cursorPosition' in details ? details.cursorPosition : undefined;
  return typeof position === 'number' ? position : undefined;
}

/** The parser's message for a statement it rejects (no stack, no input echoed beyond its own). */
export function parseErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/**
 * A script the parser rejects, split at the `;` tokens of PostgreSQL's lexer (strings, comments and
 * `$$` bodies are what PostgreSQL says they are; a `BEGIN ATOMIC` body is not known without the
 * grammar). Each statement starts at its first token that is not a comment. Undefined when even
 * the lexer rejects the script (an unterminated string or comment).
 */
export function scanStatements(script: string): Omit<ParsedScriptStatement, 'node'>[] | undefined {
  let tokens: ScanResult['tokens'];
  try {
    tokens = loadedSqlParser().scan(script).tokens ?? [];
  } catch {
    return undefined;
  }
  const bytes = Buffer.from(script, 'utf8');
  const text = (from: number, to?: number) => bytes.subarray(from, to).toString('utf8');
  const out: Omit<ParsedScriptStatement, 'node'>[] = [];
  let start: number | undefined;
  const finish = (end: number | undefined) => {
    if (start === undefined) return;
    const before = text(0, start);
    out.push({ sql: text(start, end).trimEnd(), offset: before.length, line: before.split('\n').length });
    start = undefined;
  };
  for (const token of tokens) {
    if (token.text === ';') finish(token.start);
    else if (start === undefined && !/COMMENT$/.test(token.tokenName)) start = token.start;
  }
  finish(undefined);
  return out;
}
