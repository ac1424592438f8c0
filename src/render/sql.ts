/**
 * spec → SQL statements (RenderedSql up/down pairs), and a plan entry's step → the full text of
 * its migration.sql and down.sql.
 *
 * Every statement is rendered from `templates/sql/<kind>.{up,down}.sql.hbs` with values that are
 * already SQL fragments (quoted with src/sql/quote.ts here). One RenderedSql is one migration
 * folder: one statement, no BEGIN/COMMIT, so every step also works with Prisma engines that send
 * the whole file as one query (an implicit transaction, where CONCURRENTLY fails).
 */
import type { PlanEntry, PrismaDeclaration, RenderedSql } from '../plan/types';
import { DEFAULT_CHECK_LOCK_TIMEOUT_MS, type CheckSpec, type DropIndexSpec, type IndexSpec, type ProposalSpec, type ProposedColumn } from '../rules/types';
import { qualifiedName, quoteIdent } from '../sql/quote';
import { commentSqlIdent, commentSqlLiteral, commentSqlQualified, commentText } from './comment';
import { renderPredicateSql } from './predicate';
import { renderTemplate, type TemplateName } from './templates';

const METHODS: ReadonlySet<string> = new Set(['btree', 'hash', 'gist', 'gin', 'spgist', 'brin']);
/** An operator class as rules produce it: a catalog name, optionally schema-qualified. */
const OPCLASS = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

type StepKind = 'create-extension' | 'create-index' | 'drop-index' | 'add-check' | 'validate-check';

/** Per statement shape, the template that explains it (and how to recover) in the header. */
type AboutTemplate = Extract<TemplateName, `steps/${string}`>;

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

/** What one step does to locks and how to recover from its failure. */
export interface StepFacts {
  /** The lock the up statement takes and what it blocks, one sentence, no `;`. */
  lock: string;
  recovery: RecoverySql;
}

interface About {
  template: AboutTemplate;
  data: Record<string, unknown>;
  /** The lock this file's statement takes (one sentence, no `;`). */
  lock: string;
  /**
   * squawk rules this statement breaks on purpose, written as a `-- squawk-ignore-file` line right
   * before it (the header says why). Empty for comment-only files.
   */
  squawkIgnore: string[];
}

/** Every statement idxgen writes runs without SET lock_timeout / statement_timeout (see the header). */
const NO_TIMEOUTS = ['require-lock-timeout', 'require-statement-timeout'];

interface Step {
  kind: StepKind;
  sql: RenderedSql;
  /** Recovery SQL for a failure of the up statement (the down's is the same objects'). */
  recovery: RecoverySql;
  /** Comment-safe one-line summary: `create index "x" on "t"`. */
  summary: string;
  aboutUp: About;
  aboutDown: About;
}

function statement(name: TemplateName, data: Record<string, unknown>): string {
  // Templates end with a newline and may start with a Handlebars comment: the statement is the rest.
  return renderTemplate(name, data).replace(/^\n+/, '').replace(/\s+$/, '');
}

function opclassSql(opclass: string): string {
  if (!OPCLASS.test(opclass)) throw new Error(`unsupported operator class: ${JSON.stringify(opclass)}`);
  return opclass;
}

function columnSql(column: ProposedColumn): string {
  let sql = quoteIdent(column.column);
  if (column.opclass) sql += ` ${opclassSql(column.opclass)}`;
  if (column.sort === 'desc') sql += ' DESC';
  return sql;
}

/** The values of the create-index partial. */
function indexData(spec: IndexSpec, name: string): Record<string, unknown> {
  if (spec.columns.length === 0) throw new Error(`index ${JSON.stringify(name)} has no columns`);
  if (!METHODS.has(spec.method)) throw new Error(`unsupported index method: ${JSON.stringify(spec.method)}`);
  const where = spec.where === undefined ? undefined : renderPredicateSql(spec.where);
  return {
    unique: spec.unique,
    name: quoteIdent(name),
    table: qualifiedName(spec.table, spec.schema),
    method: spec.method,
    columns: spec.columns.map(columnSql).join(', '),
    include: spec.include.length > 0 ? spec.include.map(quoteIdent).join(', ') : null,
    where: where ?? null,
  };
}

// ---- what the header says about each statement shape -------------------------------------------

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
  return (
    `SELECT ${keys}, count(*) FROM ${commentSqlQualified(spec.table, spec.schema)}${where} ` +
    `GROUP BY ${keys} HAVING count(*) > 1 LIMIT 100`
  );
}

/** The lock each statement shape takes: one sentence each, shared by the header and the PR description. */
const LOCK = {
  buildIndex: 'SHARE UPDATE EXCLUSIVE (CONCURRENTLY), reads and writes go on. It first waits for the transactions open on the table.',
  dropIndex: 'SHARE UPDATE EXCLUSIVE (CONCURRENTLY), reads and writes go on. It waits for the queries that use the index.',
  addCheck: 'ACCESS EXCLUSIVE for an instant (NOT VALID, no scan). The lock_timeout set in the file bounds its wait.',
  dropCheck: 'ACCESS EXCLUSIVE for an instant (no scan).',
  validateCheck: 'SHARE UPDATE EXCLUSIVE while it scans the rows, reads and writes go on.',
  extension: 'none on your tables.',
  none: 'none.',
} as const;

function indexRecovery(spec: IndexSpec, name: string): RecoverySql {
  return {
    findInvalid: invalidIndexQuery(name, spec.schema),
    dropInvalid: `DROP INDEX CONCURRENTLY IF EXISTS ${commentSqlQualified(name, spec.schema)}`,
    // A partial unique index only checks the rows its predicate selects. NULLs never clash.
    ...(spec.unique ? { duplicates: duplicatesQuery(spec) } : {}),
  };
}

function buildIndexAbout(spec: IndexSpec, up: boolean): About {
  return { template: 'steps/build-index', data: { up, unique: spec.unique }, lock: LOCK.buildIndex, squawkIgnore: NO_TIMEOUTS };
}

function dropIndexAbout(up: boolean): About {
  return { template: 'steps/drop-index', data: { up }, lock: LOCK.dropIndex, squawkIgnore: NO_TIMEOUTS };
}

const NO_OP: About = { template: 'steps/no-op', data: {}, lock: LOCK.none, squawkIgnore: [] };

// ---- steps per spec kind ------------------------------------------------------------------------

function extensionStep(extension: string, spec: IndexSpec): Step {
  const opclasses = [...new Set(spec.columns.map((c) => c.opclass).filter((o): o is string => o !== undefined))];
  const createSql = `CREATE EXTENSION IF NOT EXISTS ${commentSqlIdent(extension)}`;
  return {
    kind: 'create-extension',
    sql: {
      up: statement('sql/create-extension.up', { extension: quoteIdent(extension) }),
      down: statement('sql/create-extension.down', { extension: commentSqlIdent(extension) }),
    },
    summary: `create extension ${commentSqlIdent(extension)}`,
    recovery: { createExtension: createSql },
    aboutUp: {
      template: 'steps/create-extension',
      data: { neededBy: opclasses.length > 0 ? opclasses.map(commentText).join(', ') : commentText(`an index on ${spec.table}`) },
      lock: LOCK.extension,
      squawkIgnore: NO_TIMEOUTS,
    },
    aboutDown: NO_OP,
  };
}

function indexSteps(spec: IndexSpec, name: string): Step[] {
  const extensions = [...new Set(spec.extensions)];
  const data = indexData(spec, name);
  const index: Step = {
    kind: 'create-index',
    sql: {
      up: statement('sql/create-index.up', data),
      down: statement('sql/create-index.down', { qualifiedName: qualifiedName(name, spec.schema) }),
    },
    summary: `create ${spec.unique ? 'unique ' : ''}index ${commentSqlIdent(name)} on ${commentSqlQualified(spec.table, spec.schema)}`,
    recovery: indexRecovery(spec, name),
    aboutUp: buildIndexAbout(spec, true),
    aboutDown: dropIndexAbout(false),
  };
  return [...extensions.map((extension) => extensionStep(extension, spec)), index];
}

function checkSteps(spec: CheckSpec, name: string): Step[] {
  // `name` wins over spec.name: the plan renames a constraint whose name is already taken.
  const expression = spec.expression.trim();
  if (!expression) throw new Error(`check constraint ${JSON.stringify(name)} has an empty expression`);
  const table = qualifiedName(spec.table, spec.schema);
  const lockTimeoutMs = spec.lockTimeoutMs ?? DEFAULT_CHECK_LOCK_TIMEOUT_MS;
  if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs < 1) throw new Error(`check constraint ${JSON.stringify(name)}: lock timeout must be a positive integer of ms`);
  const data = { table, name: quoteIdent(name), expression, lockTimeout: `${lockTimeoutMs}ms` };
  const tableText = commentSqlQualified(spec.table, spec.schema);
  const constraintText = commentSqlIdent(name);
  return [
    {
      kind: 'add-check',
      sql: { up: statement('sql/add-check.up', data), down: statement('sql/add-check.down', data) },
      summary: `add CHECK constraint ${constraintText} to ${tableText} as NOT VALID`,
      recovery: {},
      // The SET lock_timeout is in the file: only the statement timeout is left out on purpose.
      aboutUp: { template: 'steps/add-check', data: {}, lock: LOCK.addCheck, squawkIgnore: ['require-statement-timeout'] },
      aboutDown: { template: 'steps/drop-constraint', data: {}, lock: LOCK.dropCheck, squawkIgnore: NO_TIMEOUTS },
    },
    {
      kind: 'validate-check',
      sql: { up: statement('sql/validate-check.up', data), down: statement('sql/validate-check.down', data) },
      summary: `validate CHECK constraint ${constraintText} on ${tableText}`,
      // Rows where the expression is false. NULL passes a CHECK, and NOT (NULL) selects nothing.
      recovery: { violations: `SELECT * FROM ${tableText} WHERE NOT (${commentText(expression)}) LIMIT 100` },
      aboutUp: {
        template: 'steps/validate-check',
        data: {},
        lock: LOCK.validateCheck,
        // VALIDATE is atomic and idempotent: squawk's prefer-robust-stmts wants a transaction it does not need.
        squawkIgnore: [...NO_TIMEOUTS, 'prefer-robust-stmts'],
      },
      aboutDown: NO_OP,
    },
  ];
}

function dropIndexSteps(spec: DropIndexSpec, name: string): Step[] {
  if (name !== spec.name) throw new Error(`drop-index name mismatch: entry ${JSON.stringify(name)}, spec ${JSON.stringify(spec.name)}`);
  const recreate = spec.recreate;
  if (recreate.table !== spec.table || recreate.schema !== spec.schema) {
    throw new Error(`drop-index ${JSON.stringify(name)}: recreate is on another table`);
  }
  return [
    {
      kind: 'drop-index',
      sql: {
        up: statement('sql/drop-index.up', { qualifiedName: qualifiedName(name, spec.schema) }),
        down: statement('sql/drop-index.down', indexData(recreate, name)),
      },
      summary: `drop index ${commentSqlIdent(name)} on ${commentSqlQualified(spec.table, spec.schema)}, covered by ${commentSqlIdent(spec.coveredBy)}`,
      recovery: indexRecovery(recreate, name),
      aboutUp: dropIndexAbout(true),
      aboutDown: buildIndexAbout(recreate, false),
    },
  ];
}

function steps(spec: ProposalSpec, name: string): Step[] {
  switch (spec.kind) {
    case 'index':
      return indexSteps(spec, name);
    case 'check':
      return checkSteps(spec, name);
    case 'drop-index':
      return dropIndexSteps(spec, name);
  }
}

/**
 * The statements an entry runs, in order, one migration folder each:
 * - index: `CREATE EXTENSION IF NOT EXISTS` per needed extension (its down is a comment-only
 *   no-op), then `CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS` (down: `DROP INDEX CONCURRENTLY IF EXISTS`);
 * - check: `ADD CONSTRAINT ... NOT VALID` (re-run safe), then `VALIDATE CONSTRAINT` (down: no-op);
 *   the constraint is called `name` (the plan may have renamed spec.name on a clash);
 * - drop-index: `DROP INDEX CONCURRENTLY IF EXISTS` (down: re-create it concurrently); `name` must
 *   be spec.name, the existing index.
 */
export function renderEntrySql(spec: ProposalSpec, name: string): RenderedSql[] {
  return steps(spec, name).map((step) => step.sql);
}

// ---- migration files ----------------------------------------------------------------------------

/** The most comment lines a migration.sql or down.sql header may have (issue 11: concise files). */
export const MAX_HEADER_LINES = 12;

function declarationData(declaration: PrismaDeclaration): Record<string, unknown> {
  return {
    declAttribute: declaration.kind === 'attribute' ? commentText(declaration.attribute) : null,
    previewFeatures:
      declaration.kind === 'attribute' && declaration.previewFeatures.length > 0
        ? commentText(declaration.previewFeatures.map((f) => `"${f}"`).join(', '))
        : null,
    declDrop: declaration.kind === 'drop-attribute' ? commentText(declaration.attribute) : null,
    declNone: declaration.kind === 'none' ? commentText(declaration.reason) : null,
    drift: declaration.kind === 'none' && declaration.drift,
  };
}

function header(entry: PlanEntry, step: Step, stepIndex: number, up: boolean): string {
  const about = up ? step.aboutUp : step.aboutDown;
  const text = renderTemplate('migration-header', {
    up,
    ruleId: commentText(entry.ruleId),
    severity: commentText(entry.severity),
    stepNumber: stepIndex + 1,
    stepCount: entry.sql.length,
    stepSummary: step.summary,
    model: commentText(entry.model),
    // Why, in one line: the title states the defect (the cost, evidence and measurements are in plan --verbose and the PR description).
    why: commentText(entry.message.title),
    // The extension step creates nothing Prisma could declare: the entry's declaration belongs to the index.
    showDeclaration: step.kind !== 'create-extension',
    ...declarationData(entry.declaration),
    step: renderTemplate(about.template, { ...about.data, lock: commentText(about.lock) }).replace(/\s+$/, ''),
    squawkIgnore: about.squawkIgnore.length > 0 ? about.squawkIgnore.join(', ') : null,
  });
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\s+$/, '')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''));
  // Invariants that keep the header inert whatever the schema's names are.
  for (const line of lines) {
    if (!line.startsWith('--')) throw new Error(`migration header line is not a comment: ${JSON.stringify(line)}`);
    if (line.includes(';')) throw new Error(`migration header line contains ";": ${JSON.stringify(line)}`);
  }
  if (lines.length > MAX_HEADER_LINES) throw new Error(`migration header of ${entry.id} has ${lines.length} lines (at most ${MAX_HEADER_LINES})`);
  return lines.join('\n') + '\n';
}

/**
 * The full migration.sql (up) and down.sql (down) text of one step of an entry: the header
 * comment, then the statement from `entry.sql[stepIndex]`. LF line endings, final newline, and
 * nothing that changes from run to run.
 */
export function renderMigrationFile(entry: PlanEntry, stepIndex: number): { up: string; down: string } {
  const { step, rendered } = stepOf(entry, stepIndex);
  const finish = (text: string) => text.replace(/\r\n?/g, '\n').replace(/\n*$/, '\n');
  return {
    up: finish(header(entry, step, stepIndex, true) + rendered.up),
    down: finish(header(entry, step, stepIndex, false) + rendered.down),
  };
}

/**
 * The lock step `stepIndex` of an entry takes and the SQL that helps when it fails: what the
 * header points to, printed in full by `generate --format markdown`.
 */
export function stepFacts(entry: PlanEntry, stepIndex: number): StepFacts {
  const { step } = stepOf(entry, stepIndex);
  return { lock: step.aboutUp.lock, recovery: step.recovery };
}

function stepOf(entry: PlanEntry, stepIndex: number): { step: Step; rendered: RenderedSql } {
  const rendered = entry.sql[stepIndex];
  if (!Number.isInteger(stepIndex) || !rendered) {
    throw new Error(`entry ${entry.id} has no step ${stepIndex} (it has ${entry.sql.length})`);
  }
  // Which statement shape is this? The planner may have dropped steps (an extension another entry
  // already creates), so match the text rather than the position.
  const step = steps(entry.spec, entry.name).find((s) => s.sql.up === rendered.up && s.sql.down === rendered.down);
  if (!step) throw new Error(`entry ${entry.id}: step ${stepIndex} was not rendered from the entry's spec`);
  return { step, rendered };
}

/** The CREATE INDEX statement of an index spec alone (what hypopg's hypothetical index is given). */
export function renderCreateIndexSql(spec: IndexSpec, name: string): string {
  return statement('sql/create-index.up', indexData(spec, name));
}
