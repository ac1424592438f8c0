/**
 * Splitting a migration.sql into statements.
 *
 * `splitStatements` is a small lexer that knows just enough PostgreSQL to find the `;` that end
 * statements. A `;` does NOT end a statement when it is inside:
 *   - a line comment `-- ...` (to end of line)
 *   - a block comment `/* ... *\/` (PostgreSQL block comments nest, and so do ours)
 *   - a string `'...'` (`''` is an escaped quote) or an escape string `E'...'` (also `\'`)
 *   - a quoted identifier `"..."` (`""` is an escaped quote)
 *   - a dollar-quoted string `$$...$$` / `$tag$...$tag$` (`$1` parameters and `a$b` identifiers are
 *     not dollar quotes)
 *   - a SQL-standard routine body `CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END`
 *     (BEGIN/CASE open a level, END closes one, as psql counts them)
 * Leading whitespace and comments are not part of a statement; comments inside one are kept.
 * Fragments holding only whitespace/comments are dropped. Assumes standard_conforming_strings=on
 * (the default since 9.1): in a plain '...' string a backslash is an ordinary character.
 *
 * `naiveSplit` reproduces what Prisma's pg driver adapter does today (adapter-pg 7.10
 * `executeScript`, which the schema engine uses to apply a migration): split on EVERY `;`, trim,
 * drop empty pieces. A `;` in a string, comment or `$$` body breaks the statement in two.
 */

export interface SqlStatement {
  /** Statement text without its terminating `;`, trimmed. */
  sql: string;
  /** 0-based UTF-16 offset of `sql` in the script. */
  offset: number;
  /** 1-based line of the statement's first character. */
  line: number;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const ROUTINE_HEAD = /^create (or replace )?(function|procedure)\b/;

/** 1-based line number of a UTF-16 offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** End (exclusive) of the quoted run opened at `start` by `quote`; a doubled quote is an escape. */
function skipQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (backslashEscapes && ch === '\\') i += 2;
    else if (ch === quote && text[i + 1] === quote) i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  return text.length;
}

/** End (exclusive) of a block comment opened at `start`, honouring nesting. */
function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return text.length;
}

function skipLineComment(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  return nl < 0 ? text.length : nl + 1;
}

/** End (exclusive) of a dollar-quoted string starting at `start`, or -1 if no tag starts there. */
function skipDollarQuoted(text: string, start: number): number {
  DOLLAR_TAG.lastIndex = start;
  const m = DOLLAR_TAG.exec(text);
  if (!m) return -1;
  const close = text.indexOf(m[0], start + m[0].length);
  return close < 0 ? text.length : close + m[0].length;
}

function isEscapeStringPrefix(text: string, quoteAt: number): boolean {
  const prev = text[quoteAt - 1];
  return (prev === 'E' || prev === 'e') && !IDENT_PART.test(text[quoteAt - 2] ?? ' ');
}

/** Tracks BEGIN ATOMIC ... END nesting inside CREATE FUNCTION/PROCEDURE statements. */
class RoutineDepth {
  private head: string[] = [];
  depth = 0;

  word(w: string): void {
    const lower = w.toLowerCase();
    if (this.head.length < 4) this.head.push(lower);
    if (!ROUTINE_HEAD.test(this.head.join(' '))) return;
    if (lower === 'begin' || lower === 'case') this.depth++;
    else if (lower === 'end' && this.depth > 0) this.depth--;
  }

  reset(): void {
    this.head = [];
    this.depth = 0;
  }
}

export function splitStatements(script: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  const routine = new RoutineDepth();
  let start = -1;
  const finish = (end: number) => {
    if (start >= 0) {
      const sql = script.slice(start, end).trimEnd();
      out.push({ sql, offset: start, line: lineAt(script, start) });
    }
    start = -1;
    routine.reset();
  };
  let i = 0;
  while (i < script.length) {
    const ch = script[i];
    if (ch === '-' && script[i + 1] === '-') {
      i = skipLineComment(script, i);
      continue;
    }
    if (ch === '/' && script[i + 1] === '*') {
      i = skipBlockComment(script, i);
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === ';' && routine.depth === 0) {
      finish(i);
      i++;
      continue;
    }
    if (start < 0) start = i;
    i = skipToken(script, i, routine);
  }
  finish(script.length);
  return out;
}

/** Consumes one significant token at `i` (string, identifier, word, dollar quote, or one char). */
function skipToken(script: string, i: number, routine: RoutineDepth): number {
  const ch = script[i];
  if (ch === "'") return skipQuoted(script, i, "'", isEscapeStringPrefix(script, i));
  if (ch === '"') return skipQuoted(script, i, '"', false);
  if (ch === '$') {
    const end = skipDollarQuoted(script, i);
    return end >= 0 ? end : i + 1;
  }
  if (IDENT_START.test(ch)) {
    let j = i + 1;
    while (j < script.length && IDENT_PART.test(script[j])) j++;
    // `E'...'`: let the next call see the quote with the prefix just before it.
    routine.word(script.slice(i, j));
    return j;
  }
  return i + 1;
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
