/**
 * A small plan built by hand (no parser, no rules): two tables in two schema files, and one of
 * each kind of thing a report must show —
 * - an fk-index error entry that also satisfies another rule's finding,
 * - a CHECK entry with two SQL steps on a hostile column name (`"`, `;`, `|`, backtick),
 * - a drop-index entry (drop-attribute declaration),
 * - a GIN info entry with `ops:`,
 * - an INCLUDE index Prisma cannot declare (drift),
 * - a skipped proposal, an unused suppression, load warnings with and without a span.
 */
import type { Column, ForeignKey, IndexDef, SchemaModel, Span, Table } from '../../src/model/types';
import type { Plan, PlanEntry } from '../../src/plan/types';
import { entrySteps } from '../../src/plan/steps';
import type { CheckSpec, DropIndexSpec, IndexSpec, Proposal, RuleMeta } from '../../src/rules/types';
import type { CheckReportInput, PlanReportInput } from '../../src/report/index';

export const SCHEMA = 'prisma/schema.prisma';
export const USER_SCHEMA = 'prisma/user.prisma';

export function span(file: string, line: number, column: number, endColumn: number, endLine = line): Span {
  // Offsets are not printed by reporters; keep them plausible and deterministic.
  return {
    file,
    line,
    column,
    endLine,
    endColumn,
    offset: line * 100 + column - 1,
    endOffset: endLine * 100 + endColumn - 1,
  };
}

/** A hostile database column name: quote, semicolon, comment start, table pipe, backtick. */
export const HOSTILE_COLUMN = 'sta"tus;--|`x`';
const HOSTILE_SQL = `"${HOSTILE_COLUMN.replace(/"/g, '""')}"`;
const CHECK_NAME = 'Post_sta"tus;--|`x`_check';

function column(name: string, type: string, line: number, extra: Partial<Column> = {}): Column {
  return {
    name,
    field: extra.field ?? name,
    type,
    kind: 'scalar',
    nullable: false,
    list: false,
    updatedAt: false,
    docs: [],
    span: span(SCHEMA, line, 3, 30),
    ...extra,
  };
}

function index(kind: IndexDef['kind'], name: string, columns: string[], line: number, file = SCHEMA): IndexDef {
  return {
    kind,
    name,
    explicitName: false,
    columns: columns.map((c) => ({ column: c, field: c })),
    method: 'btree',
    fieldLevel: kind === 'primary',
    span: span(file, line, 3, 40),
  };
}

const authorFk: ForeignKey = {
  table: 'Post',
  columns: ['authorId'],
  fields: ['authorId'],
  referencedTable: 'User',
  referencedColumns: ['id'],
  relationField: 'author',
  relationName: 'PostAuthor',
  constraintName: 'Post_authorId_fkey',
  implicitManyToMany: false,
  span: span(SCHEMA, 14, 3, 72),
};

const editorFk: ForeignKey = {
  ...authorFk,
  columns: ['editorId'],
  fields: ['editorId'],
  relationField: 'editor',
  relationName: 'PostEditor',
  constraintName: 'Post_editorId_fkey',
  onDelete: 'SetNull',
  span: span(SCHEMA, 16, 3, 74),
};

const post: Table = {
  name: 'Post',
  model: 'Post',
  kind: 'model',
  ignored: false,
  columns: [
    column('id', 'Int', 11),
    column('title', 'String', 12),
    column('authorId', 'Int', 13),
    column('editorId', 'Int', 15, { nullable: true }),
    column(HOSTILE_COLUMN, 'String', 17, { field: 'status' }),
    column('createdAt', 'DateTime', 18),
  ],
  primaryKey: index('primary', 'Post_pkey', ['id'], 11),
  uniques: [index('unique', 'Post_title_key', ['title'], 21)],
  indexes: [index('index', 'Post_editorId_idx', ['editorId'], 22), index('index', 'Post_title_idx', ['title'], 23)],
  foreignKeys: [authorFk, editorFk],
  docs: [],
  span: span(SCHEMA, 10, 1, 2, 24),
  closeSpan: span(SCHEMA, 24, 1, 2),
};

const user: Table = {
  name: 'User',
  model: 'User',
  kind: 'model',
  ignored: false,
  columns: [
    { ...column('id', 'Int', 2), span: span(USER_SCHEMA, 2, 3, 40) },
    { ...column('email', 'String', 3), span: span(USER_SCHEMA, 3, 3, 30) },
    { ...column('settings', 'Json', 4), span: span(USER_SCHEMA, 4, 3, 30), nativeType: { name: 'JsonB', args: [] } },
    { ...column('name', 'String', 5), span: span(USER_SCHEMA, 5, 3, 30) },
  ],
  primaryKey: index('primary', 'User_pkey', ['id'], 2, USER_SCHEMA),
  uniques: [index('unique', 'User_email_key', ['email'], 3, USER_SCHEMA)],
  indexes: [],
  foreignKeys: [],
  docs: [],
  span: span(USER_SCHEMA, 1, 1, 2, 7),
  closeSpan: span(USER_SCHEMA, 7, 1, 2),
};

export const model: SchemaModel = {
  files: [SCHEMA, USER_SCHEMA],
  provider: 'postgresql',
  relationMode: 'foreignKeys',
  previewFeatures: [],
  extensions: [],
  tables: [post, user],
  enums: [],
  warnings: [
    {
      code: 'legacy-datasource-url',
      message: 'datasource `url` is ignored by Prisma 7; idxgen read the schema without it',
      span: span(SCHEMA, 3, 3, 33),
    },
    { code: 'no-migrations', message: 'no migrations folder found; declared indexes are taken as applied' },
  ],
};

// --- specs -------------------------------------------------------------------------------------

const authorIndex: IndexSpec = {
  kind: 'index',
  table: 'Post',
  columns: [{ column: 'authorId', field: 'authorId' }],
  method: 'btree',
  unique: false,
  include: [],
  extensions: [],
};

const statusCheck: CheckSpec = {
  kind: 'check',
  table: 'Post',
  name: CHECK_NAME,
  expression: `${HOSTILE_SQL} IN ('draft', 'published')`,
  columns: [HOSTILE_COLUMN],
};

const titleRecreate: IndexSpec = {
  kind: 'index',
  table: 'Post',
  columns: [{ column: 'title', field: 'title' }],
  method: 'btree',
  unique: false,
  include: [],
  extensions: [],
};

const dropTitle: DropIndexSpec = {
  kind: 'drop-index',
  table: 'Post',
  name: 'Post_title_idx',
  recreate: titleRecreate,
  coveredBy: 'Post_title_key',
};

const settingsGin: IndexSpec = {
  kind: 'index',
  table: 'User',
  columns: [{ column: 'settings', field: 'settings', opclass: 'jsonb_path_ops', prismaOps: 'JsonbPathOps' }],
  method: 'gin',
  unique: false,
  include: [],
  extensions: [],
};

const emailCovering: IndexSpec = {
  kind: 'index',
  table: 'User',
  columns: [{ column: 'email', field: 'email' }],
  method: 'btree',
  unique: false,
  include: ['name'],
  extensions: [],
};

const nameIndex: IndexSpec = { ...authorIndex, table: 'User', columns: [{ column: 'name', field: 'name' }] };

// --- findings ----------------------------------------------------------------------------------

export const fkFinding: Proposal = {
  ruleId: 'fk-index',
  severity: 'error',
  spec: authorIndex,
  message: {
    title: 'Foreign key "Post" ("authorId") → "User" has no index',
    cost: 'Every DELETE on "User" (and every update of its key) scans "Post" to check that no row still references it, holding its locks for the whole scan. Joins and lookups from "User" to "Post" read the whole table.',
    instead: 'Create a btree index on "Post" ("authorId") so the FK checks and the joins use an index scan.',
    serves: 'SELECT … FROM "Post" WHERE "authorId" = $1',
  },
  serves: [],
  evidence: [
    'foreign key "Post_authorId_fkey": "Post" ("authorId") → "User" ("id")',
    'considered primary key "Post_pkey" ("id"): does not start with ("authorId")',
  ],
  span: authorFk.span,
  model: 'Post',
};

export const lookupFinding: Proposal = {
  ruleId: 'lookup-index',
  severity: 'warn',
  spec: authorIndex,
  message: {
    title: 'Reads of "Post" by ("authorId") have no index',
    cost: 'Each read by author scans "Post".',
    instead: 'Index ("authorId").',
  },
  serves: [],
  evidence: ['relation field author is read by id'],
  span: span(SCHEMA, 14, 3, 10),
  model: 'Post',
};

export const checkFinding: Proposal = {
  ruleId: 'enum-check',
  severity: 'warn',
  spec: statusCheck,
  message: {
    title: `Column "Post".${HOSTILE_SQL} accepts any text; only 'draft' | 'published' are used`,
    cost: 'A typo written by raw SQL or another service is stored and breaks readers later; 100% of rows are unchecked.',
    instead: 'Add a CHECK constraint, NOT VALID first and validated in a second statement so writes are never blocked.',
  },
  serves: [],
  evidence: ['/// @allowed draft, published on field status'],
  span: span(SCHEMA, 17, 3, 40),
  model: 'Post',
};

export const dropFinding: Proposal = {
  ruleId: 'redundant-index',
  severity: 'warn',
  spec: dropTitle,
  message: {
    title: 'Index "Post_title_idx" duplicates unique constraint "Post_title_key"',
    cost: 'Every write to "Post" maintains both; the plain index is never chosen.',
    instead: 'Drop "Post_title_idx"; the unique constraint serves the same reads.',
  },
  serves: [],
  evidence: ['unique "Post_title_key" ("title") leads with the same column'],
  span: span(SCHEMA, 23, 3, 22),
  model: 'Post',
};

export const ginFinding: Proposal = {
  ruleId: 'json-gin-index',
  severity: 'info',
  spec: settingsGin,
  message: {
    title: 'Json column "User"."settings" is filtered with @> and has no GIN index',
    cost: 'Containment filters (Prisma `path`/`equals` on Json) read every row of "User".',
    instead: 'Create a GIN index with jsonb_path_ops on "User"."settings".',
    serves: `SELECT … FROM "User" WHERE "settings" @> '{"theme":"dark"}'`,
  },
  serves: [],
  evidence: ['field settings is Json @db.JsonB'],
  span: span(USER_SCHEMA, 4, 3, 30),
  model: 'User',
};

export const coveringFinding: Proposal = {
  ruleId: 'covering-index',
  severity: 'info',
  spec: emailCovering,
  message: {
    title: 'Lookups of "User".name by email could be index-only',
    cost: 'Each lookup visits the heap for one column.',
    instead: 'Create an index on ("email") INCLUDE ("name").',
  },
  serves: [],
  evidence: [],
  span: span(USER_SCHEMA, 3, 3, 30),
  model: 'User',
};

export const skippedFinding: Proposal = {
  ruleId: 'soft-delete-partial-index',
  severity: 'info',
  spec: { ...nameIndex, where: { kind: 'null-test', column: 'deletedAt', isNull: true } },
  message: {
    title: 'Soft-deleted rows of "User" are read by name',
    cost: 'Reads skip deleted rows one by one.',
    instead: 'Create a partial index WHERE "deletedAt" IS NULL.',
  },
  serves: [],
  evidence: [],
  span: span(USER_SCHEMA, 5, 3, 30),
  model: 'User',
};

// --- plan --------------------------------------------------------------------------------------

/** An entry with the typed steps the planner gives the finding's spec (the SQL reports show is rendered from them). */
function entry(
  finding: Proposal,
  rest: Pick<PlanEntry, 'id' | 'name' | 'declaration'> & Partial<PlanEntry>,
): PlanEntry {
  return {
    steps: entrySteps(finding.spec, rest.name),
    ruleId: finding.ruleId,
    severity: finding.severity,
    spec: finding.spec,
    model: finding.model,
    message: finding.message,
    evidence: finding.evidence,
    span: finding.span,
    satisfies: [],
    alternatives: [],
    proposal: finding,
    ...rest,
  };
}

export function buildFixturePlan(): Plan {
  const entries: PlanEntry[] = [
    entry(fkFinding, {
      id: 'Post:Post_authorId_idx',
      name: 'Post_authorId_idx',
      declaration: {
        kind: 'attribute',
        attribute: '@@index([authorId], map: "Post_authorId_idx")',
        previewFeatures: [],
      },
      satisfies: [lookupFinding],
    }),
    entry(checkFinding, {
      id: `Post:${CHECK_NAME}`,
      name: CHECK_NAME,
      declaration: {
        kind: 'none',
        reason: 'Prisma cannot declare CHECK constraints and does not treat them as drift',
        drift: false,
      },
    }),
    entry(dropFinding, {
      id: 'Post:Post_title_idx',
      name: 'Post_title_idx',
      declaration: {
        kind: 'drop-attribute',
        attribute: '@@index([title], map: "Post_title_idx")',
        span: span(SCHEMA, 23, 3, 22),
      },
    }),
    entry(coveringFinding, {
      id: 'User:User_email_idx',
      name: 'User_email_idx',
      declaration: {
        kind: 'none',
        drift: true,
        reason:
          'Prisma cannot declare an index with INCLUDE columns (name): it sees "User_email_idx" as drift, and the next prisma migrate dev generates a DROP INDEX for it.',
      },
    }),
    entry(ginFinding, {
      id: 'User:User_settings_idx',
      name: 'User_settings_idx',
      declaration: {
        kind: 'attribute',
        attribute: '@@index([settings(ops: JsonbPathOps)], map: "User_settings_idx", type: Gin)',
        previewFeatures: [],
      },
    }),
  ];
  return {
    entries,
    findings: [fkFinding, lookupFinding, checkFinding, dropFinding, coveringFinding, ginFinding, skippedFinding],
    skipped: [
      {
        proposal: skippedFinding,
        reason: `suppressed by /// idxgen-ignore at ${USER_SCHEMA}:6:3 (names are unique per tenant)`,
      },
    ],
    unusedSuppressions: [
      {
        ruleIds: ['fk-index', 'lookup-index'],
        reason: 'legacy table, dropped next quarter',
        span: span(SCHEMA, 19, 3, 52),
      },
    ],
  };
}

// --- rules -------------------------------------------------------------------------------------

function meta(id: string, defaultSeverity: RuleMeta<unknown>['defaultSeverity'], summary: string): RuleMeta<unknown> {
  return {
    id,
    summary,
    defaultSeverity,
    basis: defaultSeverity === 'error' ? 'structure' : 'request',
    defaultOptions: {},
    validateOptions: () => [],
    docs: {
      problem: `${summary} Without it PostgreSQL reads the whole table.`,
      proposal: `idxgen proposes the index or constraint \`${id}\` describes.`,
      bad: 'model Post {\n  id       Int @id\n  authorId Int\n}',
      good: 'model Post {\n  id       Int @id\n  authorId Int\n\n  @@index([authorId])\n}',
    },
  };
}

export const rules: RuleMeta<unknown>[] = [
  meta('fk-index', 'error', 'Every foreign key needs an index that starts with its columns.'),
  meta('lookup-index', 'warn', 'Relation reads need an index.'),
  meta('enum-check', 'warn', 'Columns with a closed set of values get a CHECK constraint.'),
  meta('redundant-index', 'warn', 'An index that duplicates another is dropped.'),
  meta('covering-index', 'info', 'Hot lookups can be index-only with INCLUDE.'),
  meta('json-gin-index', 'info', 'Json columns filtered by containment get a GIN index.'),
  meta('soft-delete-partial-index', 'off', 'Soft-delete reads get a partial index.'),
];

export const TOOL_VERSION = '0.0.0-test';

export function planInput(): PlanReportInput {
  return { schemaFiles: [SCHEMA, USER_SCHEMA], model, plan: buildFixturePlan(), rules, toolVersion: TOOL_VERSION };
}

export function checkInput(): CheckReportInput {
  const plan = buildFixturePlan();
  return {
    // What `check --level info` passes: every finding that was not suppressed.
    findings: plan.findings.filter((f) => f !== skippedFinding),
    model,
    rules,
    toolVersion: TOOL_VERSION,
    unusedSuppressions: plan.unusedSuppressions,
  };
}

export function emptyPlanInput(): PlanReportInput {
  return {
    schemaFiles: [SCHEMA],
    model: { ...model, files: [SCHEMA], tables: [user], warnings: [] },
    plan: { entries: [], findings: [], skipped: [], unusedSuppressions: [] },
    rules,
    toolVersion: TOOL_VERSION,
  };
}
