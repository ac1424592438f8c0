/**
 * What each statement of a migration.sql does, as far as deploy needs to know: does it build an
 * index CONCURRENTLY (then deploy watches its progress and can recover it), does it take an
 * ACCESS EXCLUSIVE lock for an instant (then it runs under a lock_timeout and is retried), or is
 * it something else (run as Prisma runs it).
 *
 * Statements come from `splitStatements` (PostgreSQL's parser delimits them); only
 * the head of each statement is read here, word by word, never its expressions. Anything this
 * reader does not recognise is `other`, which deploy runs without extra care: an unusual spelling
 * costs the extra care, never correctness. The table name is kept as written (quoted identifiers
 * with their quotes) and only ever handed to PostgreSQL's `to_regclass`, never spliced into SQL.
 */
import { splitStatements } from '../db/split';

export type StatementKind =
  | { kind: 'build-index'; concurrently: boolean; unique: boolean; index: string | null; table: string }
  | { kind: 'strong-lock'; table: string; action: 'add-constraint-not-valid' | 'attach-partition' | 'drop-constraint' }
  | { kind: 'session-setting' }
  | { kind: 'other' };

export interface FolderShape {
  statements: { sql: string; line: number; what: StatementKind }[];
  /** The CONCURRENTLY index builds, in order. */
  builds: Extract<StatementKind, { kind: 'build-index' }>[];
  /** Statements that take an ACCESS EXCLUSIVE lock for an instant. */
  strongLocks: Extract<StatementKind, { kind: 'strong-lock' }>[];
  /**
   * Exactly one statement besides SET/RESET: when it fails nothing of the folder was applied
   * (PostgreSQL statements are atomic; a failed CONCURRENTLY build leaves only its INVALID index,
   * which deploy drops), so the folder can be marked rolled back and run again.
   */
  atomic: boolean;
}

/** Words and quoted identifiers of a statement's text, comments and strings skipped. */
function words(sql: string, limit: number): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < sql.length && out.length < limit) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (c === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '"' && sql[j + 1] === '"') j += 2;
        else if (sql[j] === '"') break;
        else j++;
      }
      const quoted = sql.slice(i, j + 1);
      out.push(quoted);
      i = j + 1;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j++;
      out.push(sql.slice(i, j));
      i = j;
    } else if (c === '.') {
      out.push('.');
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      out.push(c);
      i++;
    }
  }
  // Join `a . b` into one qualified name.
  const joined: string[] = [];
  for (let k = 0; k < out.length; k++) {
    if (out[k] === '.' && joined.length > 0 && k + 1 < out.length) joined[joined.length - 1] += `.${out[++k]}`;
    else joined.push(out[k]!);
  }
  return joined;
}

const upper = (w: string | undefined) => (w !== undefined && !w.startsWith('"') ? w.toUpperCase() : w);

/** Reads the head of one statement. */
export function classifyStatement(sql: string): StatementKind {
  const w = words(sql, 80);
  const W = w.map(upper);
  let k = 0;
  const take = (word: string) => (W[k] === word ? (k++, true) : false);
  if (W[0] === 'SET' || W[0] === 'RESET') return { kind: 'session-setting' };
  if (take('CREATE')) {
    const unique = take('UNIQUE');
    if (!take('INDEX')) return { kind: 'other' };
    const concurrently = take('CONCURRENTLY');
    if (take('IF')) {
      if (!take('NOT') || !take('EXISTS')) return { kind: 'other' };
    }
    const index = W[k] === 'ON' ? null : (w[k++] ?? null);
    if (!take('ON')) return { kind: 'other' };
    take('ONLY');
    const table = w[k];
    if (table === undefined) return { kind: 'other' };
    return { kind: 'build-index', concurrently, unique, index, table };
  }
  if (take('ALTER') && take('TABLE')) {
    if (take('IF')) {
      if (!take('EXISTS')) return { kind: 'other' };
    }
    take('ONLY');
    const table = w[k++];
    if (table === undefined) return { kind: 'other' };
    const rest = W.slice(k);
    if (rest[0] === 'ATTACH' && rest[1] === 'PARTITION')
      return { kind: 'strong-lock', table, action: 'attach-partition' };
    // The statement's last two words: `... NOT VALID` (one ALTER may hold several actions).
    const tail = words(sql, 100000).map(upper);
    const notValid = tail.length >= 2 && tail[tail.length - 2] === 'NOT' && tail[tail.length - 1] === 'VALID';
    if (rest.includes('ADD') && rest.includes('CONSTRAINT') && notValid)
      return { kind: 'strong-lock', table, action: 'add-constraint-not-valid' };
    if (rest[0] === 'DROP' && rest[1] === 'CONSTRAINT')
      return { kind: 'strong-lock', table, action: 'drop-constraint' };
  }
  return { kind: 'other' };
}

/** Reads one folder's migration.sql. */
export function folderShape(sql: string): FolderShape {
  const statements = splitStatements(sql).map((s) => ({ sql: s.sql, line: s.line, what: classifyStatement(s.sql) }));
  const builds = statements.flatMap((s) => (s.what.kind === 'build-index' && s.what.concurrently ? [s.what] : []));
  const strongLocks = statements.flatMap((s) => (s.what.kind === 'strong-lock' ? [s.what] : []));
  const effective = statements.filter((s) => s.what.kind !== 'session-setting');
  return { statements, builds, strongLocks, atomic: effective.length === 1 };
}
