/**
 * Specs and plan entries for the render tests: one per statement shape, plus hostile names.
 */
import type { Span } from '../../src/model/types';
import type { PlanEntry } from '../../src/plan/types';
import { renderDeclaration } from '../../src/render/declaration';
import { entrySteps } from '../../src/plan/steps';
import { renderStepsSql, type RenderedSql } from '../../src/render/sql';
import type { CheckSpec, DropIndexSpec, IndexSpec, ProposalSpec } from '../../src/rules/types';
import { quoteIdent } from '../../src/sql/quote';

/** A column name that tries everything: quote, `;`, a comment opener, a statement. */
export const HOSTILE = 'we"ird; DROP TABLE x; --';
/** An index name with a line break, a `;` and a comment closer. */
export const HOSTILE_INDEX = 'x\ny; */ DROP TABLE x_idx';

export const SPAN: Span = {
  file: 'schema.prisma',
  line: 12,
  column: 3,
  endLine: 12,
  endColumn: 40,
  offset: 200,
  endOffset: 237,
};

export const btree: IndexSpec = {
  kind: 'index',
  table: 'Post',
  columns: [
    { column: 'authorId', field: 'authorId' },
    { column: 'createdAt', field: 'createdAt', sort: 'desc' },
  ],
  method: 'btree',
  unique: false,
  include: [],
  extensions: [],
};

export const ginJsonb: IndexSpec = {
  kind: 'index',
  table: 'Event',
  schema: 'app',
  columns: [{ column: 'payload', field: 'payload', opclass: 'jsonb_path_ops', prismaOps: 'JsonbPathOps' }],
  method: 'gin',
  unique: false,
  include: [],
  extensions: [],
};

export const trigram: IndexSpec = {
  kind: 'index',
  table: 'Post',
  columns: [{ column: 'title', field: 'title', opclass: 'gin_trgm_ops' }],
  method: 'gin',
  unique: false,
  include: [],
  extensions: ['pg_trgm'],
};

export const partialUnique: IndexSpec = {
  kind: 'index',
  table: 'User',
  columns: [{ column: 'email', field: 'email' }],
  method: 'btree',
  unique: true,
  where: { kind: 'null-test', column: 'deletedAt', isNull: true },
  include: [],
  extensions: [],
};

export const partialInclude: IndexSpec = {
  kind: 'index',
  table: 'Job',
  columns: [
    { column: 'status', field: 'status' },
    { column: 'runAt', field: 'runAt' },
  ],
  method: 'btree',
  unique: false,
  where: { kind: 'sql', text: `"status" IN ('PENDING', 'RETRY')` },
  include: ['id'],
  extensions: [],
};

export const check: CheckSpec = {
  kind: 'check',
  table: 'Job',
  name: 'Job_attempts_check',
  expression: '"attempts" >= 0',
  columns: ['attempts'],
};

export const dropIndex: DropIndexSpec = {
  kind: 'drop-index',
  table: 'Post',
  name: 'Post_authorId_idx',
  recreate: {
    kind: 'index',
    table: 'Post',
    columns: [{ column: 'authorId', field: 'authorId' }],
    method: 'btree',
    unique: false,
    include: [],
    extensions: [],
  },
  coveredBy: 'Post_authorId_createdAt_idx',
};

export const hostileIndex: IndexSpec = {
  kind: 'index',
  table: HOSTILE,
  schema: 'we"ird',
  columns: [
    { column: HOSTILE, field: 'weird' },
    { column: 'createdAt', field: 'createdAt', sort: 'desc' },
  ],
  method: 'btree',
  unique: false,
  // Built the way rules build predicates: a tree; the renderer quotes (U&"..." for a name with ";").
  where: { kind: 'null-test', column: HOSTILE, isNull: false },
  include: [],
  extensions: [],
};

export const hostileCheck: CheckSpec = {
  kind: 'check',
  table: HOSTILE,
  name: 'c; DROP TABLE x; --_check',
  expression: `${quoteIdent(HOSTILE)} >= 0`,
  columns: [HOSTILE],
};

/** The statements of a spec's steps (what the planner's entry for it renders to). */
export function specSql(spec: ProposalSpec, name: string): RenderedSql[] {
  return renderStepsSql(entrySteps(spec, name));
}

/** A plan entry the way the planner builds one. */
export function entryFor(spec: ProposalSpec, name: string, overrides: Partial<PlanEntry> = {}): PlanEntry {
  const base: Omit<PlanEntry, 'proposal'> = {
    id: `${spec.schema ? `${spec.schema}.` : ''}${spec.table}:${name}`,
    ruleId: 'fk-index',
    severity: 'warn',
    spec,
    name,
    model: 'Post',
    message: {
      title: `Foreign key "${spec.table}"."authorId" has no index`,
      cost: 'Deleting a User scans every Post row to find the ones that reference it, and each join on authorId reads the whole table.',
      instead: 'Add an index that starts with authorId.',
      serves: 'WHERE "authorId" = $1 ORDER BY "createdAt" DESC LIMIT 20',
    },
    evidence: ['no index starts with (authorId)'],
    span: SPAN,
    declaration: renderDeclaration(spec, name, SPAN),
    steps: entrySteps(spec, name),
    satisfies: [],
    alternatives: [],
    ...overrides,
  };
  return {
    ...base,
    proposal: overrides.proposal ?? {
      ruleId: base.ruleId,
      severity: base.severity,
      spec: base.spec,
      serves: [],
      message: base.message,
      evidence: base.evidence,
      span: base.span,
      model: base.model,
    },
  };
}

/** Every golden case: one entry per statement shape, and hostile names. */
export const GOLDEN_CASES: { id: string; entry: PlanEntry }[] = [
  { id: 'btree', entry: entryFor(btree, 'Post_authorId_createdAt_idx') },
  { id: 'gin-jsonb', entry: entryFor(ginJsonb, 'Event_payload_idx') },
  { id: 'trigram', entry: entryFor(trigram, 'Post_title_idx') },
  { id: 'partial-unique', entry: entryFor(partialUnique, 'User_email_key') },
  { id: 'partial-include', entry: entryFor(partialInclude, 'Job_status_runAt_idx') },
  { id: 'check', entry: entryFor(check, 'Job_attempts_check', { ruleId: 'queue-check' }) },
  { id: 'drop-index', entry: entryFor(dropIndex, 'Post_authorId_idx', { ruleId: 'redundant-index' }) },
  {
    id: 'hostile-index',
    entry: entryFor(hostileIndex, HOSTILE_INDEX, {
      model: 'Weird; DROP',
      message: { title: `Column "${HOSTILE}"\nhas no index`, cost: 'c; d', instead: 'i */ j' },
    }),
  },
  { id: 'hostile-check', entry: entryFor(hostileCheck, hostileCheck.name) },
];
