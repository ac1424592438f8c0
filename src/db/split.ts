/**
 * Splitting a migration.sql into statements.
 *
 * `splitStatements` asks PostgreSQL's own parser (libpg-query, src/workload/sql-parser.ts) where
 * each statement starts and ends: `;` inside strings, comments, quoted names, `$$` bodies and
 * `BEGIN ATOMIC ... END` routine bodies are what PostgreSQL says they are. Leading whitespace and
 * comments are not part of a statement; comments inside one are kept. A script the parser rejects
 * is split at the `;` tokens of PostgreSQL's lexer (so the statements before a broken one still
 * run, as Prisma runs them, and PostgreSQL reports the broken one); one the lexer rejects too
 * (an unterminated string or comment) is returned whole, as one statement. Needs
 * the parser loaded (`await sqlParser()`); `check` never splits SQL.
 *
 * `naiveSplit` reproduces what Prisma's pg driver adapter does today (adapter-pg 7.10
 * `executeScript`, which the schema engine uses to apply a migration): split on EVERY `;`, trim,
 * drop empty pieces. A `;` in a string, comment or `$$` body breaks the statement in two.
 */
import { parseScript, scanStatements } from '../workload/sql-parser';

export interface SqlStatement {
  /** Statement text without its terminating `;`, trimmed. */
  sql: string;
  /** 0-based UTF-16 offset of `sql` in the script. */
  offset: number;
  /** 1-based line of the statement's first character. */
  line: number;
}

/** 1-based line number of a UTF-16 offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function splitStatements(script: string): SqlStatement[] {
  const parsed = parseScript(script);
  if (parsed.ok) return parsed.statements.map(({ sql, offset, line }) => ({ sql, offset, line }));
  const scanned = scanStatements(script);
  if (scanned) return scanned;
  const sql = script.trim();
  const offset = script.length - script.trimStart().length;
  return sql.length > 0 ? [{ sql, offset, line: lineAt(script, offset) }] : [];
}

/** What adapter-pg 7.10 `executeScript` does: split on every `;`, trim, drop empty pieces. */
export function naiveSplit(script: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let from = 0;
  for (const piece of script.split(';')) {
    const lead = piece.length - piece.trimStart().length;
    const sql = piece.trim();
    if (sql.length > 0) out.push({ sql, offset: from + lead, line: lineAt(script, from + lead) });
    from += piece.length + 1;
  }
  return out;
}
