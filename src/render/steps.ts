/**
 * One converter per step kind (src/plan/steps.ts): the statement from
 * `templates/sql/<kind>.sql.hbs`, the step its down.sql runs, and what the migration header says
 * about it (one sentence on the lock, the recovery SQL, a summary). The only place a step
 * becomes SQL text. Values given to the templates are already SQL fragments, quoted here with
 * src/sql/quote.ts. A statement has no BEGIN/COMMIT, so every step also works with Prisma engines
 * that send a whole file as one query (an implicit transaction, where CONCURRENTLY fails).
 */
import type { NamedCheck, NamedIndex, Step, StepKind, Steps, TopIndex } from '../plan/steps';
import type { IndexSpec, ProposedColumn } from '../rules/types';
import { qualifiedName, quoteIdent } from '../sql/quote';
import { commentSqlIdent, commentSqlLiteral, commentSqlQualified, commentText } from './comment';
import { renderExpressionSql } from './expression';
import { renderPredicateSql } from './predicate';
import { renderTemplate, type TemplateName } from './templates';

/** One statement pair: what migration.sql runs and what down.sql runs to undo it. */
export interface RenderedSql {
  up: string;
  down: string;
}

/**
 * SQL that helps when a step fails, exact and on one line each (identifiers and literals with
 * unsafe characters in U& form). Rendered once here: the PR description (`generate --format
 * markdown`) prints it, README.md explains it, the tests run it on PostgreSQL.
 */
export interface RecoverySql {
  /** Lists the index when a failed CONCURRENTLY build left it INVALID. */
  findInvalid?: string;
  /** Drops that leftover (outside a transaction). */
  dropInvalid?: string;
  /** A UNIQUE build: the rows with duplicate keys. */
  duplicates?: string;
  /** VALIDATE failed with 23514: the rows that break the rule. */
  violations?: string;
  /** CREATE EXTENSION, for a database owner to run when the deploy role may not. */
  createExtension?: string;
}

/** What a step's statement does, for the migration header. */
export interface About {
  template: Extract<TemplateName, `steps/${string}`>;
  data: Record<string, unknown>;
  /** The lock the statement takes (one sentence, no `;`). */
  lock: string;
  /**
   * squawk rules this statement breaks on purpose, written as a `-- squawk-ignore-file` line right
   * before it (the header says why). Empty for comment-only files.
   */
  squawkIgnore: string[];
  /** The file sets its own lock_timeout (SET ... RESET around the statement): the header says so. */
  setsLockTimeout?: boolean;
}

interface Converter<K extends StepKind> {
  /** The statement (`templates/sql/<kind>.sql.hbs`), without its template comment. */
  sql(step: Steps[K]): string;
  /** The step down.sql runs to undo this one. */
  inverse(step: Steps[K]): Step;
  /** Comment-safe one-line summary: `create index "x" on "t"`. */
  summary(step: Steps[K]): string;
  about(step: Steps[K]): About;
  /** SQL that helps when this statement fails. */
  recovery(step: Steps[K]): RecoverySql;
}

const METHODS: ReadonlySet<string> = new Set(['btree', 'hash', 'gist', 'gin', 'spgist', 'brin']);
/** An operator class as rules produce it: a catalog name, optionally schema-qualified. */
const OPCLASS = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

/** Every statement idxgen writes runs without SET lock_timeout / statement_timeout (see the header). */
const NO_TIMEOUTS = ['require-lock-timeout', 'require-statement-timeout'];

/** The lock each statement takes: one sentence each, shared by the header and the PR description. */
const LOCK = {
  buildIndex:
    'SHARE UPDATE EXCLUSIVE (CONCURRENTLY), reads and writes go on. It first waits for the transactions open on the table.',
  buildIndexLocked: 'SHARE for the whole build, reads go on and writes wait.',
  dropIndex:
    'SHARE UPDATE EXCLUSIVE (CONCURRENTLY), reads and writes go on. It waits for the queries that use the index.',
  dropIndexLocked: 'ACCESS EXCLUSIVE until it ends, reads and writes wait.',
  addCheck: 'ACCESS EXCLUSIVE for an instant (NOT VALID, no scan). The lock_timeout set in the file bounds its wait.',
  dropCheck: 'ACCESS EXCLUSIVE for an instant (no scan).',
  validateCheck: 'SHARE UPDATE EXCLUSIVE while it scans the rows, reads and writes go on.',
  extension: 'none on your tables.',
  none: 'none.',
  indexOnly:
    'SHARE on the parent table only, for an instant (no rows are read). The lock_timeout set in the file bounds its wait.',
  attachIndex:
    "ACCESS EXCLUSIVE on the partition's index for an instant (no rows are read). The lock_timeout set in the file bounds its wait.",
  dropPartitioned:
    'ACCESS EXCLUSIVE on the table and every partition, for an instant. The lock_timeout set in the file bounds its wait.',
} as const;

const NO_OP: About = { template: 'steps/no-op', data: {}, lock: LOCK.none, squawkIgnore: [] };

function statement(name: TemplateName, data: Record<string, unknown>): string {
  // Templates end with a newline and may start with a Handlebars comment: the statement is the rest.
  return renderTemplate(name, data).replace(/^\n+/, '').replace(/\s+$/, '');
}

function opclassSql(opclass: string): string {
  if (!OPCLASS.test(opclass)) throw new Error(`unsupported operator class: ${JSON.stringify(opclass)}`);
  return opclass;
}

function columnSql(column: ProposedColumn): string {
  let sql = column.expression ? renderExpressionSql(column.expression) : quoteIdent(column.column);
  if (column.opclass) sql += ` ${opclassSql(column.opclass)}`;
  if (column.sort === 'desc') sql += ' DESC';
  return sql;
}

/** The values of the create-index template. */
function indexData(spec: IndexSpec, name: string, concurrently: boolean): Record<string, unknown> {
  if (spec.columns.length === 0) throw new Error(`index ${JSON.stringify(name)} has no columns`);
  if (!METHODS.has(spec.method)) throw new Error(`unsupported index method: ${JSON.stringify(spec.method)}`);
  const where = spec.where === undefined ? undefined : renderPredicateSql(spec.where);
  return {
    unique: spec.unique,
    concurrently,
    name: quoteIdent(name),
    table: qualifiedName(spec.table, spec.schema),
    method: spec.method,
    columns: spec.columns.map(columnSql).join(', '),
    include: spec.include.length > 0 ? spec.include.map(quoteIdent).join(', ') : null,
    where: where ?? null,
  };
}

function checkData(step: NamedCheck): Record<string, unknown> {
  const expression = step.expression.trim();
  if (!expression) throw new Error(`check constraint ${JSON.stringify(step.name)} has an empty expression`);
  if (!Number.isInteger(step.lockTimeoutMs) || step.lockTimeoutMs < 1)
    throw new Error(`check constraint ${JSON.stringify(step.name)}: lock timeout must be a positive integer of ms`);
  return {
    table: qualifiedName(step.table, step.schema),
    name: quoteIdent(step.name),
    expression,
    lockTimeout: `${step.lockTimeoutMs}ms`,
  };
}

function invalidIndexQuery(name: string, schema: string | undefined): string {
  const namespace = schema === undefined ? '' : ` AND n.nspname = ${commentSqlLiteral(schema)}`;
  return (
    'SELECT n.nspname, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid ' +
    'JOIN pg_namespace n ON n.oid = c.relnamespace ' +
    `WHERE NOT i.indisvalid AND c.relname = ${commentSqlLiteral(name)}${namespace}`
  );
}

function duplicatesQuery(spec: IndexSpec): string {
  const keys = spec.columns.map((c) => commentSqlIdent(c.column)).join(', ');
  const where = spec.where === undefined ? '' : ` WHERE ${commentText(renderPredicateSql(spec.where))}`;
  return `SELECT ${keys}, count(*) FROM ${commentSqlQualified(spec.table, spec.schema)}${where} GROUP BY ${keys} HAVING count(*) > 1 LIMIT 100`;
}

function indexRecovery(step: NamedIndex): RecoverySql {
  const { index, name } = step;
  return {
    // Only a CONCURRENTLY build or drop can leave an INVALID index behind.
    ...(step.concurrently
      ? {
          findInvalid: invalidIndexQuery(name, index.schema),
          dropInvalid: `DROP INDEX CONCURRENTLY IF EXISTS ${commentSqlQualified(name, index.schema)}`,
        }
      : {}),
    // A partial unique index only checks the rows its predicate selects. NULLs never clash.
    ...(index.unique ? { duplicates: duplicatesQuery(index) } : {}),
  };
}

function checkText(step: NamedCheck): { table: string; constraint: string } {
  return { table: commentSqlQualified(step.table, step.schema), constraint: commentSqlIdent(step.name) };
}

/** The down of every non-CONCURRENTLY step of a partitioned table's sequence: drop its top index. */
function dropTop(s: { top: TopIndex; lockTimeoutMs: number }): Step {
  return {
    kind: 'drop-partitioned-index',
    name: s.top.name,
    index: s.top.index,
    concurrently: false,
    lockTimeoutMs: s.lockTimeoutMs,
  };
}

const CONVERTERS: { [K in StepKind]: Converter<K> } = {
  'create-index-only': {
    sql: (s) =>
      statement('sql/create-index-only', { ...indexData(s.index, s.name, false), lockTimeout: `${s.lockTimeoutMs}ms` }),
    inverse: dropTop,
    summary: (s) =>
      `create ${s.index.unique ? 'unique ' : ''}index ${commentSqlIdent(s.name)} on only ${commentSqlQualified(s.index.table, s.index.schema)} (partitioned)`,
    about: (s) => ({
      template: 'steps/build-index-only',
      data: { pending: s.pending },
      lock: LOCK.indexOnly,
      squawkIgnore: ['require-concurrent-index-creation', 'require-statement-timeout'],
      setsLockTimeout: true,
    }),
    recovery: () => ({}),
  },
  'attach-index': {
    sql: (s) =>
      statement('sql/attach-index', {
        parent: qualifiedName(s.attachTo.name, s.attachTo.schema),
        child: qualifiedName(s.name, s.schema),
        lockTimeout: `${s.lockTimeoutMs}ms`,
      }),
    inverse: dropTop,
    summary: (s) =>
      `attach index ${commentSqlIdent(s.name)} of ${commentSqlQualified(s.table, s.schema)} to ${commentSqlIdent(s.attachTo.name)}`,
    about: (s) => ({
      template: 'steps/attach-index',
      data: { last: s.last },
      lock: LOCK.attachIndex,
      squawkIgnore: ['require-statement-timeout'],
      setsLockTimeout: true,
    }),
    recovery: () => ({}),
  },
  'drop-partitioned-index': {
    sql: (s) =>
      statement('sql/drop-partitioned-index', {
        qualifiedName: qualifiedName(s.name, s.index.schema),
        lockTimeout: `${s.lockTimeoutMs}ms`,
      }),
    inverse: (s) => ({
      kind: 'create-index-only',
      name: s.name,
      index: s.index,
      concurrently: false,
      lockTimeoutMs: s.lockTimeoutMs,
      pending: false,
      top: { name: s.name, index: s.index },
    }),
    summary: (s) =>
      `drop index ${commentSqlIdent(s.name)} of partitioned ${commentSqlQualified(s.index.table, s.index.schema)} and every index attached to it`,
    about: () => ({
      template: 'steps/drop-partitioned-index',
      data: {},
      lock: LOCK.dropPartitioned,
      squawkIgnore: ['require-concurrent-index-deletion', 'require-statement-timeout'],
      setsLockTimeout: true,
    }),
    recovery: () => ({}),
  },
  'create-extension': {
    sql: (s) => statement('sql/create-extension', { extension: quoteIdent(s.extension) }),
    inverse: (s) => ({ ...s, kind: 'keep-extension' }),
    summary: (s) => `create extension ${commentSqlIdent(s.extension)}`,
    about: (s) => ({
      template: 'steps/create-extension',
      data: {
        neededBy:
          s.opclasses.length > 0 ? s.opclasses.map(commentText).join(', ') : commentText(`an index on ${s.table}`),
      },
      lock: LOCK.extension,
      squawkIgnore: NO_TIMEOUTS,
    }),
    recovery: (s) => ({ createExtension: `CREATE EXTENSION IF NOT EXISTS ${commentSqlIdent(s.extension)}` }),
  },
  'keep-extension': {
    sql: (s) => statement('sql/keep-extension', { extension: commentSqlIdent(s.extension) }),
    inverse: (s) => ({ ...s, kind: 'create-extension' }),
    summary: (s) => `keep extension ${commentSqlIdent(s.extension)}`,
    about: () => NO_OP,
    recovery: () => ({}),
  },
  'create-index': {
    sql: (s) => statement('sql/create-index', indexData(s.index, s.name, s.concurrently)),
    inverse: (s) => ({ kind: 'drop-index', name: s.name, index: s.index, concurrently: s.concurrently }),
    summary: (s) =>
      `create ${s.index.unique ? 'unique ' : ''}index ${commentSqlIdent(s.name)} on ${s.partitionOf ? 'partition ' : ''}${commentSqlQualified(s.index.table, s.index.schema)}` +
      (s.partitionOf ? ` of ${commentSqlQualified(s.partitionOf.table, s.partitionOf.schema)}` : ''),
    about: (s) => ({
      template: 'steps/build-index',
      data: { unique: s.index.unique, concurrently: s.concurrently },
      lock: s.concurrently ? LOCK.buildIndex : LOCK.buildIndexLocked,
      squawkIgnore: s.concurrently ? NO_TIMEOUTS : ['require-concurrent-index-creation', ...NO_TIMEOUTS],
    }),
    recovery: indexRecovery,
  },
  'drop-index': {
    sql: (s) =>
      statement('sql/drop-index', {
        concurrently: s.concurrently,
        qualifiedName: qualifiedName(s.name, s.index.schema),
      }),
    inverse: (s) => ({ kind: 'create-index', name: s.name, index: s.index, concurrently: s.concurrently }),
    summary: (s) =>
      `drop index ${commentSqlIdent(s.name)} on ${commentSqlQualified(s.index.table, s.index.schema)}${s.coveredBy !== undefined ? `, covered by ${commentSqlIdent(s.coveredBy)}` : ''}`,
    about: (s) => ({
      template: 'steps/drop-index',
      data: { concurrently: s.concurrently },
      lock: s.concurrently ? LOCK.dropIndex : LOCK.dropIndexLocked,
      squawkIgnore: s.concurrently ? NO_TIMEOUTS : ['require-concurrent-index-deletion', ...NO_TIMEOUTS],
    }),
    recovery: indexRecovery,
  },
  'add-check': {
    sql: (s) => statement('sql/add-check', checkData(s)),
    inverse: (s) => ({ ...s, kind: 'drop-check' }),
    summary: (s) => `add CHECK constraint ${checkText(s).constraint} to ${checkText(s).table} as NOT VALID`,
    // The SET lock_timeout is in the file: only the statement timeout is left out on purpose.
    about: () => ({
      template: 'steps/add-check',
      data: {},
      lock: LOCK.addCheck,
      squawkIgnore: ['require-statement-timeout'],
    }),
    recovery: () => ({}),
  },
  'drop-check': {
    sql: (s) => statement('sql/drop-check', checkData(s)),
    inverse: (s) => ({ ...s, kind: 'add-check' }),
    summary: (s) => `drop CHECK constraint ${checkText(s).constraint} from ${checkText(s).table}`,
    about: () => ({ template: 'steps/drop-constraint', data: {}, lock: LOCK.dropCheck, squawkIgnore: NO_TIMEOUTS }),
    recovery: () => ({}),
  },
  'validate-check': {
    sql: (s) => statement('sql/validate-check', checkData(s)),
    inverse: (s) => ({ ...s, kind: 'keep-validated' }),
    summary: (s) => `validate CHECK constraint ${checkText(s).constraint} on ${checkText(s).table}`,
    about: () => ({
      template: 'steps/validate-check',
      data: {},
      lock: LOCK.validateCheck,
      // VALIDATE is atomic and idempotent: squawk's prefer-robust-stmts wants a transaction it does not need.
      squawkIgnore: [...NO_TIMEOUTS, 'prefer-robust-stmts'],
    }),
    // Rows where the expression is false. NULL passes a CHECK, and NOT (NULL) selects nothing.
    recovery: (s) => ({
      violations: `SELECT * FROM ${checkText(s).table} WHERE NOT (${commentText(s.expression.trim())}) LIMIT 100`,
    }),
  },
  'keep-validated': {
    sql: (s) => statement('sql/keep-validated', checkData(s)),
    inverse: (s) => ({ ...s, kind: 'validate-check' }),
    summary: (s) => `keep CHECK constraint ${checkText(s).constraint} on ${checkText(s).table} validated`,
    about: () => NO_OP,
    recovery: () => ({}),
  },
};

function converter<K extends StepKind>(kind: K): Converter<K> {
  return CONVERTERS[kind];
}

/** The statement of a step. */
export function stepSql(step: Step): string {
  return sqlOf(step.kind, step);
}

function sqlOf<K extends StepKind>(kind: K, step: Steps[K]): string {
  return converter(kind).sql(step);
}

/** The step that undoes `step` (what its down.sql runs). */
export function inverseStep(step: Step): Step {
  return inverseOf(step.kind, step);
}

function inverseOf<K extends StepKind>(kind: K, step: Steps[K]): Step {
  return converter(kind).inverse(step);
}

/** The step's statement and its inverse's: one migration.sql / down.sql pair. */
export function renderStepSql(step: Step): RenderedSql {
  return { up: stepSql(step), down: stepSql(inverseStep(step)) };
}

/** The statements of a list of steps (a plan entry's), in order. */
export function renderStepsSql(steps: readonly Step[]): RenderedSql[] {
  return steps.map(renderStepSql);
}

/** What the migration header says about a step's statement, and how to recover from its failure. */
export interface StepText {
  summary: string;
  about: About;
  recovery: RecoverySql;
}

export function describeStep(step: Step): StepText {
  return describeAs(step.kind, step);
}

function describeAs<K extends StepKind>(kind: K, step: Steps[K]): StepText {
  const c = converter(kind);
  return { summary: c.summary(step), about: c.about(step), recovery: c.recovery(step) };
}
