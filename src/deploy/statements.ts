/**
 * What each statement of a migration.sql does, as far as deploy needs to know: does it build an
 * index CONCURRENTLY (then deploy watches its progress and can recover it), does it take an
 * ACCESS EXCLUSIVE lock for an instant (then it runs under a lock_timeout and is retried), or is
 * it something else (run as Prisma runs it).
 *
 * Statements are what Prisma's engine really sends: deploy applies a folder with Prisma 7's
 * migration engine, whose pg adapter splits migration.sql at EVERY `;` (even in a comment, a string
 * or a `$$` body) and sends each piece on its own (`naiveSplit`, src/db/split.ts). Each piece is
 * read with PostgreSQL's own parser (libpg-query): its parse tree, never its words. A piece the
 * parser rejects is one PostgreSQL would reject when the engine sends it, after the pieces before
 * it ran: the folder would be left failed and half applied, so it is bad input, reported at
 * `file:line:col` before anything runs. A piece that parses although the whole file does not (a
 * `;` in a `--` comment followed by SQL on the same line) is run by Prisma, and read as it runs.
 *
 * Names come from the tree unquoted (schema and relation); they reach PostgreSQL only as bound
 * `to_regclass` parameters built by `regclassText` (src/sql/quote.ts), never spliced into SQL.
 */
import type { Node, RangeVar } from 'libpg-query';
import { naiveSplit, lineAt } from '../db/split';
import type { Diagnostic } from '../errors';
import { displayIdent, regclassText } from '../sql/quote';
import { parseScript } from '../workload/sql-parser';

/** A relation as the statement names it: the schema only when the statement gives one. */
export interface RelationName {
  schema: string | null;
  name: string;
}

export type StrongLockAction = 'add-constraint-not-valid' | 'attach-partition' | 'drop-constraint';

export type StatementKind =
  | {
      kind: 'build-index';
      concurrently: boolean;
      unique: boolean;
      index: string | null;
      table: RelationName;
      /** `ON ONLY`: the index of a partitioned table alone, INVALID until an index of every partition is attached. */
      only: boolean;
    }
  /** `ALTER INDEX index ATTACH PARTITION partition`: a partition's index joins a partitioned table's. */
  | { kind: 'attach-index'; index: RelationName; partition: RelationName }
  | { kind: 'strong-lock'; table: RelationName; actions: StrongLockAction[] }
  | { kind: 'session-setting' }
  | { kind: 'other' };

export interface FolderShape {
  /** The statements Prisma's engine sends, in order (pieces holding only comments are not statements). */
  statements: { sql: string; line: number; what: StatementKind }[];
  /** The CONCURRENTLY index builds, in order. */
  builds: Extract<StatementKind, { kind: 'build-index' }>[];
  /** ACCESS EXCLUSIVE locks taken for an instant, one per action. */
  strongLocks: { table: RelationName; action: StrongLockAction }[];
  /**
   * Exactly one statement besides SET/RESET: when it fails nothing of the folder was applied
   * (PostgreSQL statements are atomic; a failed CONCURRENTLY build leaves only its INVALID index,
   * which deploy drops), so the folder can be marked rolled back and run again.
   */
  atomic: boolean;
  /** One diagnostic at `file:line:col` per piece PostgreSQL would reject; deploy runs nothing while any is left. */
  problems: Diagnostic[];
}

/** The text `to_regclass($1)` resolves the relation from (as the statement does: through the search_path when unqualified). */
export function regclassOf(relation: RelationName): string {
  return regclassText(relation.name, relation.schema);
}

/** The relation as people read it (`s.t`, `"We""ird"`): for messages, never for SQL. */
export function displayRelation(relation: RelationName): string {
  return relation.schema === null
    ? displayIdent(relation.name)
    : `${displayIdent(relation.schema)}.${displayIdent(relation.name)}`;
}

function relationOf(range: RangeVar | undefined): RelationName | undefined {
  if (range?.relname === undefined) return undefined;
  return { schema: range.schemaname ?? null, name: range.relname };
}

/** What one parsed statement does (see the module comment). */
export function classifyNode(node: Node): StatementKind {
  if ('VariableSetStmt' in node) return { kind: 'session-setting' };
  if ('IndexStmt' in node) {
    const { concurrent, unique, idxname, relation } = node.IndexStmt;
    const table = relationOf(relation);
    if (table === undefined) return { kind: 'other' };
    return {
      kind: 'build-index',
      concurrently: concurrent === true,
      unique: unique === true,
      index: idxname ?? null,
      table,
      only: relation?.inh !== true,
    };
  }
  if ('AlterTableStmt' in node) {
    const { relation, cmds = [], objtype } = node.AlterTableStmt;
    const table = relationOf(relation);
    if (objtype === 'OBJECT_INDEX') return attachIndexOf(table, cmds);
    if (objtype !== 'OBJECT_TABLE' || table === undefined) return { kind: 'other' };
    const actions = cmds.flatMap((cmd): StrongLockAction[] => {
      if (!('AlterTableCmd' in cmd)) return [];
      const { subtype, def } = cmd.AlterTableCmd;
      if (subtype === 'AT_AddConstraint' && def !== undefined && 'Constraint' in def && def.Constraint.skip_validation)
        return ['add-constraint-not-valid'];
      if (subtype === 'AT_AttachPartition') return ['attach-partition'];
      if (subtype === 'AT_DropConstraint') return ['drop-constraint'];
      return [];
    });
    return actions.length > 0 ? { kind: 'strong-lock', table, actions } : { kind: 'other' };
  }
  return { kind: 'other' };
}

function attachIndexOf(index: RelationName | undefined, cmds: Node[]): StatementKind {
  const [only] = cmds;
  if (index === undefined || cmds.length !== 1 || only === undefined || !('AlterTableCmd' in only))
    return { kind: 'other' };
  const { subtype, def } = only.AlterTableCmd;
  const partition =
    subtype === 'AT_AttachPartition' && def && 'PartitionCmd' in def ? relationOf(def.PartitionCmd.name) : undefined;
  return partition ? { kind: 'attach-index', index, partition } : { kind: 'other' };
}

const BROKEN =
  'Prisma would run the statements before it, then leave the folder failed. Nothing was applied: fix the statement, then run idxgen deploy again.';
const CUT_AT_SEMICOLON =
  'The file parses as a whole, but the migration engine idxgen deploy runs (Prisma 7\'s, with its pg adapter) cuts it at every ";", ' +
  'even inside a comment, a string or a $$ body, and sends each piece on its own: this piece would fail after the ones before it ran, ' +
  'leaving the folder failed and half applied. Nothing was applied. Instead, keep ";" out of comments and strings in this file; ' +
  'a function or DO body that needs ";" cannot go through the engine (apply it with prisma db execute, then prisma migrate resolve --applied).';

/** Reads one folder's migration.sql (`file` names it in diagnostics) as Prisma's engine sends it. */
export function folderShape(sql: string, file: string): FolderShape {
  const statements: FolderShape['statements'] = [];
  const problems: Diagnostic[] = [];
  const pieces = naiveSplit(sql);
  let wholeParses: boolean | undefined;
  for (const piece of pieces) {
    const parsed = parseScript(piece.sql);
    if (parsed.ok) {
      for (const s of parsed.statements)
        statements.push({ sql: s.sql, line: piece.line + s.line - 1, what: classifyNode(s.node) });
      continue;
    }
    const at = piece.offset + (parsed.offset ?? 0);
    // The whole file parses: only the cut at every `;` breaks it.
    wholeParses ??= parseScript(sql).ok;
    problems.push({
      file,
      line: lineAt(sql, at),
      column: at - sql.lastIndexOf('\n', at - 1),
      message: `PostgreSQL cannot parse this statement as Prisma sends it: ${parsed.message}. ${wholeParses ? CUT_AT_SEMICOLON : BROKEN}`,
    });
  }
  const builds = statements.flatMap((s) => (s.what.kind === 'build-index' && s.what.concurrently ? [s.what] : []));
  const strongLocks = statements.flatMap(({ what }) =>
    what.kind === 'strong-lock' ? what.actions.map((action) => ({ table: what.table, action })) : [],
  );
  const effective = statements.filter((s) => s.what.kind !== 'session-setting');
  return { statements, builds, strongLocks, atomic: effective.length === 1, problems };
}
