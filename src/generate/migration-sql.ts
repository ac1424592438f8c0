/**
 * What a migration.sql does to the objects idxgen cares about: indexes, constraints and
 * extensions created, dropped, renamed or validated: every existing migration folder is replayed
 * into a state (what the migrations already hold). A step idxgen is about to write is compared
 * with that state by its typed effect (src/plan/steps.ts `stepEffects`), never by reading its SQL.
 * It reads the SQL with PostgreSQL's own parser (libpg-query), never with regular expressions or
 * a lexer of ours: comments, quoted names with dots, U&"..." escapes, schema-qualified names and
 * lists (`DROP INDEX a, b`) are what PostgreSQL says they are. The parser is WASM and loads
 * asynchronously: callers `await sqlParser()` first (src/workload/sql-parser.ts, the one loader);
 * everything here is then synchronous and pure.
 */
import type { Constraint, Node, RangeVar } from 'libpg-query';
import { UserError } from '../errors';
import { parseScript, type ParsedScriptStatement } from '../workload/sql-parser';

/** `partitioned-table`: a table created with PARTITION BY (CREATE INDEX CONCURRENTLY fails on it). */
export type ObjectKind = 'index' | 'constraint' | 'extension' | 'partitioned-table';

/** One statement's effect on one object. */
export interface Effect {
  kind: ObjectKind;
  /** What the statement does to it. */
  action: 'create' | 'drop' | 'validate';
  name: string;
  /** After the statement: does the object exist? */
  present: boolean;
  /** Constraints: validated (ADD without NOT VALID, or VALIDATE CONSTRAINT). */
  validated?: boolean;
  /** The table an index or constraint belongs to (last part of the name), when the statement says. */
  table?: string;
}

export interface ObjectState {
  present: boolean;
  validated: boolean;
  table?: string;
  /** The migration folder whose statement last changed it. */
  folder: string;
}

/** Replayed state: `kind:name` → state. */
export type MigrationState = Map<string, ObjectState>;

export function objectKey(kind: ObjectKind, name: string): string {
  return `${kind}:${name}`;
}

/** The last part of a possibly qualified name given as a list of String nodes (`s.i` → `i`). */
function lastName(node: Node | undefined): string | undefined {
  if (node === undefined) return undefined;
  if ('String' in node) return node.String.sval;
  if ('List' in node) return lastName(node.List.items?.[node.List.items.length - 1]);
  return undefined;
}

function tableOf(relation: RangeVar | undefined): string | undefined {
  return relation?.relname;
}

/** Constraint kinds that have a name of their own in pg_constraint (NOT NULL and DEFAULT are column properties here). */
const NAMED_KINDS: readonly string[] = [
  'CONSTR_CHECK',
  'CONSTR_PRIMARY',
  'CONSTR_UNIQUE',
  'CONSTR_FOREIGN',
  'CONSTR_EXCLUSION',
];

/**
 * A named constraint added to `table` (CREATE TABLE, ALTER TABLE ADD CONSTRAINT or ADD COLUMN).
 * `UNIQUE / PRIMARY KEY USING INDEX i` also renames the index i to the constraint's name.
 */
function constraintEffects(constraint: Constraint, table: string): Effect[] {
  const { conname, contype, skip_validation, indexname } = constraint;
  if (!conname || contype === undefined || !NAMED_KINDS.includes(contype)) return [];
  const renamed: Effect[] = indexname
    ? [
        { kind: 'index', action: 'drop', name: indexname, present: false, table },
        { kind: 'index', action: 'create', name: conname, present: true, table },
      ]
    : [];
  return [
    ...renamed,
    { kind: 'constraint', action: 'create', name: conname, present: true, validated: !skip_validation, table },
  ];
}

/** The named constraints of a column definition (`"x" int CONSTRAINT "c" CHECK (...)`). */
function columnConstraints(node: Node | undefined, table: string): Effect[] {
  if (node === undefined || !('ColumnDef' in node)) return [];
  return (node.ColumnDef.constraints ?? []).flatMap((c) =>
    'Constraint' in c ? constraintEffects(c.Constraint, table) : [],
  );
}

/** The effects of one parsed statement, in order. Statements idxgen does not track give none. */
function statementEffects(node: Node): Effect[] {
  if ('CreateStmt' in node) {
    const table = tableOf(node.CreateStmt.relation);
    if (table === undefined) return [];
    const partitioned: Effect[] = node.CreateStmt.partspec
      ? [{ kind: 'partitioned-table', action: 'create', name: table, present: true, table }]
      : [];
    return [
      ...partitioned,
      ...(node.CreateStmt.tableElts ?? []).flatMap((element) =>
        'Constraint' in element ? constraintEffects(element.Constraint, table) : columnConstraints(element, table),
      ),
    ];
  }
  if ('IndexStmt' in node) {
    const { idxname, relation } = node.IndexStmt;
    // Unnamed index: PostgreSQL picks the name.
    return idxname ? [{ kind: 'index', action: 'create', name: idxname, present: true, table: tableOf(relation) }] : [];
  }
  if ('CreateExtensionStmt' in node) {
    const name = node.CreateExtensionStmt.extname;
    return name ? [{ kind: 'extension', action: 'create', name, present: true }] : [];
  }
  if ('DropStmt' in node) {
    const { removeType, objects = [] } = node.DropStmt;
    const names = objects.map(lastName).filter((n): n is string => n !== undefined);
    if (removeType === 'OBJECT_INDEX')
      return names.map((name) => ({ kind: 'index', action: 'drop', name, present: false }));
    if (removeType === 'OBJECT_EXTENSION')
      return names.map((name) => ({ kind: 'extension', action: 'drop', name, present: false }));
    // `name: ''` + table: everything on that table is gone (see applyEffects).
    if (removeType === 'OBJECT_TABLE')
      return names.map((table) => ({ kind: 'index', action: 'drop', name: '', present: false, table }));
    return [];
  }
  if ('RenameStmt' in node) {
    const { renameType, relation, subname, newname } = node.RenameStmt;
    // ALTER INDEX names the index as the relation; ALTER TABLE ... RENAME CONSTRAINT names the table.
    const relname = tableOf(relation);
    if (newname === undefined) return [];
    if (renameType === 'OBJECT_INDEX' && relname !== undefined) {
      return [
        { kind: 'index', action: 'drop', name: relname, present: false },
        { kind: 'index', action: 'create', name: newname, present: true },
      ];
    }
    if (renameType === 'OBJECT_TABCONSTRAINT' && subname !== undefined) {
      return [
        { kind: 'constraint', action: 'drop', name: subname, present: false, table: relname },
        { kind: 'constraint', action: 'create', name: newname, present: true, validated: true, table: relname },
      ];
    }
    return [];
  }
  if ('AlterTableStmt' in node) {
    const { relation, cmds = [], objtype } = node.AlterTableStmt;
    const table = tableOf(relation);
    if (objtype !== 'OBJECT_TABLE' || table === undefined) return [];
    return cmds.flatMap((cmd): Effect[] => {
      if (!('AlterTableCmd' in cmd)) return [];
      const { subtype, name, def } = cmd.AlterTableCmd;
      if (subtype === 'AT_AddConstraint' && def !== undefined && 'Constraint' in def)
        return constraintEffects(def.Constraint, table);
      if (subtype === 'AT_AddColumn') return columnConstraints(def, table);
      if (subtype === 'AT_DropConstraint' && name)
        return [{ kind: 'constraint', action: 'drop', name, present: false, table }];
      if (subtype === 'AT_ValidateConstraint' && name)
        return [{ kind: 'constraint', action: 'validate', name, present: true, validated: true, table }];
      return [];
    });
  }
  return [];
}

/** One statement of a script and its effects (none for a statement idxgen does not track). */
export interface StatementEffects extends Omit<ParsedScriptStatement, 'node'> {
  effects: Effect[];
}

/**
 * The statements of a script with their effects, in order. A script PostgreSQL cannot parse is
 * bad input: a UserError at `file:line:col` of the parser's complaint (`file` names the script in
 * messages; Prisma would fail to apply it too).
 */
export function scriptStatements(script: string, file = 'migration.sql'): StatementEffects[] {
  const parsed = parseScript(script);
  if (!parsed.ok) {
    const { line, column } = parsed;
    throw new UserError([
      {
        file,
        ...(line !== undefined ? { line } : {}),
        ...(column !== undefined ? { column } : {}),
        message: `PostgreSQL cannot parse this migration: ${parsed.message}`,
      },
    ]);
  }
  return parsed.statements.map(({ node, ...statement }) => ({ ...statement, effects: statementEffects(node) }));
}

/** All effects of a script, in order (see `scriptStatements`). */
export function scriptEffects(script: string, file?: string): Effect[] {
  return scriptStatements(script, file).flatMap((s) => s.effects);
}

/** Applies effects to a state (in place), recording the folder they came from. */
export function applyEffects(state: MigrationState, effects: readonly Effect[], folder: string): void {
  for (const effect of effects) {
    if (effect.name === '' && effect.table !== undefined) {
      // DROP TABLE: its indexes and constraints go with it.
      for (const [key, value] of state) {
        if (value.table === effect.table && value.present && !key.startsWith('extension:'))
          state.set(key, { ...value, present: false, folder });
      }
      continue;
    }
    const key = objectKey(effect.kind, effect.name);
    const before = state.get(key);
    if (!effect.present) {
      state.set(key, { present: false, validated: false, table: effect.table ?? before?.table, folder });
    } else if (effect.kind === 'constraint') {
      // VALIDATE keeps the constraint; ADD ... NOT VALID makes a new, unvalidated one.
      const validated = effect.validated ?? true;
      state.set(key, { present: true, validated, table: effect.table ?? before?.table, folder });
    } else {
      state.set(key, { present: true, validated: true, table: effect.table ?? before?.table, folder });
    }
  }
}

/**
 * Replays migration folders (sorted by name, as Prisma applies them) into one state. `file` names a
 * folder's migration.sql in a parse error (default `<folder>/migration.sql`).
 */
export function replayMigrations(folders: readonly { name: string; sql: string; file?: string }[]): MigrationState {
  const state: MigrationState = new Map();
  for (const folder of [...folders].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    applyEffects(state, scriptEffects(folder.sql, folder.file ?? `${folder.name}/migration.sql`), folder.name);
  }
  return state;
}

/**
 * Where a step's effects already hold in `state`, the folder that made them; undefined when the
 * step still has something to do (or does nothing idxgen can recognize: then it is written).
 * A drop counts as done only when a migration dropped the object (an object no migration
 * mentions may still exist, created by `db push` or by hand).
 */
export function alreadyDone(state: MigrationState, effects: readonly Effect[]): string | undefined {
  const net: MigrationState = new Map();
  applyEffects(net, effects, '');
  if (net.size === 0) return undefined;
  let folder: string | undefined;
  for (const [key, wanted] of net) {
    const have = state.get(key);
    if (!have || have.present !== wanted.present) return undefined;
    if (wanted.present && wanted.validated && !have.validated && key.startsWith('constraint:')) return undefined;
    folder = have.folder;
  }
  return folder;
}
