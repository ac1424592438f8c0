/**
 * Step d, evidence: for each index idxgen's migrations leave, load generated rows into its table,
 * ANALYZE, and show with `EXPLAIN (FORMAT JSON)` that PostgreSQL's planner uses the index for the
 * query it serves. No planner setting is changed: the plan is the one a production server with
 * the same statistics would choose.
 *
 * Query shapes (`queryShape`):
 *   btree (a)               lookup          WHERE a = v
 *   btree (a, b [DESC])     order           WHERE a = v ORDER BY b [DESC] LIMIT 20
 *   queue rule's (a) WHERE p order          WHERE p ORDER BY a LIMIT 20   (the queue poll)
 *   unique (a, b)           unique          WHERE a = v AND b = w
 *   hash (a)                lookup          WHERE a = v
 *   GIN jsonb(_path)_ops    jsonb-contains  WHERE col @> '{"k": n}'
 *   GIN array_ops           array-contains  WHERE col @> '{elem}'
 *   GIN/GiST *_trgm_ops     trigram         WHERE col ILIKE '%part%'
 *   an fk rule's index whose key does not start with the FK's columns:
 *                           fk-lookup       WHERE fk = v   (the lookup the FK needs)
 *   partial: its predicate is added to the WHERE clause, and v is taken from rows it holds.
 *
 * v is the value of the key the fewest generated rows share (a selective lookup, the kind an index
 * exists for): the proof is that the index is chosen for such a lookup, not for every value
 * (PostgreSQL rightly scans the table for a value most rows have).
 */
import type { Client } from 'pg';
import { listForeignKeyCoverage, listIndexes, type IndexInfo } from '../db/catalog';
import type { MigrationState } from '../generate/migration-sql';
import type { SchemaModel } from '../model/types';
import { quoteIdent } from '../sql/quote';
import { messageOf, runOne } from './pg';
import {
  arrayLiteral,
  contains,
  equals,
  ilikeContains,
  orderTerm,
  parenthesized,
  regclassText,
  tableSql,
  valueExpression,
  verifySql,
  type ColumnInfo,
  type ValueRole,
} from './sql';
import type { EvidenceDetails, IndexEvidence, TableLoad } from './types';

export const DEFAULT_ROWS_PER_TABLE = 20_000;
export const ORDER_LIMIT = 20;

const INDEX_NODES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);
const FK_RULES = new Set(['fk-index', 'fk-composite-index', 'soft-delete-partial-index']);
const JSONB_OPCLASSES = new Set(['jsonb_path_ops', 'jsonb_ops']);
const TRGM_OPCLASSES = new Set(['gin_trgm_ops', 'gist_trgm_ops']);

// ---------------------------------------------------------------------------------------------
// Query shapes

export type QueryShape =
  | { kind: 'lookup' | 'unique' | 'fk-lookup'; equal: string[] }
  | { kind: 'order'; equal: string[]; order: { column: string; descending: boolean } }
  | { kind: 'jsonb-contains' | 'array-contains' | 'trigram'; column: string }
  | { kind: 'unsupported'; reason: string };

/** The query shape an index serves (see the table at the top of this file). */
export function queryShape(index: IndexInfo, fkColumns?: readonly string[], queuePoll = false): QueryShape {
  const cols = index.columns;
  if (index.expressions.some(Boolean)) return { kind: 'unsupported', reason: 'expression keys: verify does not generate queries for them' };
  if (cols.length === 0) return { kind: 'unsupported', reason: 'no key columns' };
  if (fkColumns && fkColumns.length > 0) {
    const leading = cols.slice(0, fkColumns.length);
    const leads = leading.length === fkColumns.length && leading.every((c) => fkColumns.includes(c));
    if (!leads && index.method === 'btree') return { kind: 'fk-lookup', equal: [...fkColumns] };
  }
  const opclass = index.opclasses[0] ?? '';
  switch (index.method) {
    case 'gin':
      if (cols.length !== 1) return { kind: 'unsupported', reason: 'multi-column GIN index' };
      if (JSONB_OPCLASSES.has(opclass)) return { kind: 'jsonb-contains', column: cols[0]! };
      if (TRGM_OPCLASSES.has(opclass)) return { kind: 'trigram', column: cols[0]! };
      if (opclass === 'array_ops') return { kind: 'array-contains', column: cols[0]! };
      return { kind: 'unsupported', reason: `GIN operator class ${opclass}` };
    case 'gist':
      if (cols.length === 1 && TRGM_OPCLASSES.has(opclass)) return { kind: 'trigram', column: cols[0]! };
      return { kind: 'unsupported', reason: `GiST operator class ${opclass}` };
    case 'hash':
      return { kind: 'lookup', equal: [cols[0]!] };
    case 'btree':
      if (index.unique) return { kind: 'unique', equal: [...cols] };
      if (queuePoll && cols.length === 1 && index.predicate) return { kind: 'order', equal: [], order: { column: cols[0]!, descending: index.descending[0] ?? false } };
      if (cols.length === 1) return { kind: 'lookup', equal: [cols[0]!] };
      return { kind: 'order', equal: cols.slice(0, -1), order: { column: cols[cols.length - 1]!, descending: index.descending[cols.length - 1] ?? false } };
    default:
      return { kind: 'unsupported', reason: `access method ${index.method}` };
  }
}

/** Walks an EXPLAIN (FORMAT JSON) plan: every node that reads an index, and the top node. */
export function planIndexNodes(plan: unknown): { nodes: { type: string; index: string }[]; top: string | null; cost: number | null } {
  const root = Array.isArray(plan) ? (plan[0] as { Plan?: unknown } | undefined)?.Plan : undefined;
  const nodes: { type: string; index: string }[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (typeof n['Node Type'] === 'string' && typeof n['Index Name'] === 'string') nodes.push({ type: n['Node Type'], index: n['Index Name'] });
    if (Array.isArray(n.Plans)) n.Plans.forEach(walk);
  };
  walk(root);
  const top = root && typeof (root as Record<string, unknown>)['Node Type'] === 'string' ? ((root as Record<string, unknown>)['Node Type'] as string) : null;
  const cost = root && typeof (root as Record<string, unknown>)['Total Cost'] === 'number' ? ((root as Record<string, unknown>)['Total Cost'] as number) : null;
  return { nodes, top, cost };
}

// ---------------------------------------------------------------------------------------------
// Rows

interface ColumnRow {
  name: string;
  typname: string;
  typtype: string;
  category: string;
  type_schema: string;
  typmod: number;
  not_null: boolean;
  has_default: boolean;
  generated: boolean;
  identity_always: boolean;
  elem_typname: string | null;
  elem_typtype: string | null;
  elem_category: string | null;
  elem_type_schema: string | null;
  labels: string[];
}

async function tableColumns(client: Client, schema: string, table: string): Promise<ColumnInfo[]> {
  const rows = await runOne<ColumnRow>(client, verifySql('table-columns'), [regclassText(table, schema)]);
  return rows.map((r) => ({
    name: r.name,
    typname: r.typname,
    typtype: r.typtype,
    category: r.category,
    typeSchema: r.type_schema,
    typmod: r.typmod,
    notNull: r.not_null,
    hasDefault: r.has_default,
    generated: r.generated,
    identityAlways: r.identity_always,
    elemTypname: r.elem_typname,
    elemTyptype: r.elem_typtype,
    elemCategory: r.elem_category,
    elemTypeSchema: r.elem_type_schema,
    labels: r.labels,
  }));
}

/** 1-based position of the first label no partial-index predicate of the table names (`'LABEL'::`). */
export function dominantLabel(labels: readonly string[], predicates: readonly string[]): number {
  const named = (label: string) => predicates.some((p) => p.includes(`'${label.replace(/'/g, "''")}'::`));
  const k = labels.findIndex((l) => !named(l));
  return k < 0 ? labels.length || 1 : k + 1;
}

interface TableRef {
  schema: string;
  table: string;
}

/** A table ready to take generated rows: its INSERT for any range of g. */
interface PreparedTable {
  ref: TableRef;
  sql: (from: number, to: number) => string;
}

/** Reads a table's columns, keys and CHECK expressions and builds its INSERT. Throws when a NOT NULL column has a type verify cannot fill. */
async function prepareTable(client: Client, ref: TableRef, indexes: readonly IndexInfo[], fkColumns: ReadonlySet<string>): Promise<PreparedTable> {
  const table = tableSql(ref.table, ref.schema);
  const columns = await tableColumns(client, ref.schema, ref.table);
  const own = indexes.filter((i) => i.schema === ref.schema && i.table === ref.table);
  const distinct = new Set(own.filter((i) => i.unique || i.primary).flatMap((i) => i.columns.filter((_, k) => !i.expressions[k])));
  const keys = new Set([...own.flatMap((i) => i.columns), ...fkColumns]);
  const predicates = own.map((i) => i.predicate).filter((p): p is string => p !== null);
  const values: { expression: string; alias: string }[] = [];
  const unsupported: string[] = [];
  for (const col of columns) {
    if (col.generated) continue;
    const role: ValueRole = { distinct: distinct.has(col.name), key: keys.has(col.name), dominantLabel: dominantLabel(col.labels, predicates) };
    const expression = valueExpression(col, role);
    if (expression !== undefined) values.push({ expression, alias: quoteIdent(col.name) });
    else if (col.notNull && !col.hasDefault) unsupported.push(`${col.name} (${col.typname})`);
  }
  if (unsupported.length > 0) throw new Error(`cannot generate values for NOT NULL column(s) ${unsupported.join(', ')}`);
  const checks = (await runOne<{ expression: string }>(client, verifySql('check-expressions'), [regclassText(ref.table, ref.schema)])).map((r) => r.expression);
  const view = { table, columns: values.map((v) => v.alias).join(', '), overriding: columns.some((c) => c.identityAlways), values, checks };
  return { ref, sql: (from, to) => verifySql('insert-rows', { ...view, from: String(from), to: String(to) }) };
}

/** Inserts rows g = from..to, ANALYZEs, and records the table's row count. */
async function fillTable(client: Client, prepared: PreparedTable, from: number, to: number, load: TableLoad, clock: () => number): Promise<void> {
  const started = clock();
  const table = tableSql(prepared.ref.table, prepared.ref.schema);
  try {
    await runOne(client, prepared.sql(from, to));
    await runOne(client, verifySql('analyze', { table }));
    load.rows = (await runOne<{ n: number }>(client, verifySql('count-rows', { table, where: '' })))[0]?.n ?? 0;
    load.requested = to;
  } catch (error) {
    load.error = messageOf(error);
  }
  load.ms += Math.round(clock() - started);
}

/** Runs `work` over `items` on the given clients, one item per client at a time. */
async function onClients<T>(clients: readonly Client[], items: readonly T[], work: (client: Client, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < items.length) await work(client, items[next++]!);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Evidence per index

async function sampleKey(client: Client, table: string, columns: readonly string[], where: string): Promise<{ values: string[]; n: number } | null> {
  const keys = columns.map((c, k) => ({ expression: quoteIdent(c), alias: quoteIdent(`k${k}`) }));
  const rows = await runOne<Record<string, string | number>>(client, verifySql('sample-key', { table, keys, where }));
  const row = rows[0];
  if (!row) return null;
  return { values: columns.map((_, k) => String(row[`k${k}`])), n: Number(row.n) };
}

/** A middle slice of a value for `ILIKE '%part%'` (at least 3 characters: trigrams need them). */
export function trigramPart(value: string): string | null {
  const chars = Array.from(value);
  if (chars.length < 3) return null;
  if (chars.length <= 8) return chars.join('');
  const from = Math.floor((chars.length - 6) / 2);
  return chars.slice(from, from + 6).join('');
}

async function indexEvidence(client: Client, index: IndexInfo, shape: QueryShape): Promise<IndexEvidence> {
  const table = tableSql(index.table, index.schema);
  const result: IndexEvidence = { index: index.name, table: index.table, shape: shape.kind, query: '', matching: null, rows: null, ok: false, indexNodes: [], topNode: null, cost: null };
  if (shape.kind === 'unsupported') {
    result.note = `no evidence query for this index: ${shape.reason}`;
    return result;
  }
  const predicate = index.predicate ?? '';
  const conditions: string[] = [];
  let orderBy = '';
  let limit = 0;
  let sampled: number | null = null;
  if (shape.kind === 'lookup' || shape.kind === 'unique' || shape.kind === 'fk-lookup' || shape.kind === 'order') {
    const sample = shape.equal.length > 0 ? await sampleKey(client, table, shape.equal, predicate) : { values: [], n: null };
    if (!sample) {
      result.note = `no generated row has a value for (${shape.equal.join(', ')})${predicate ? ` and satisfies ${predicate}` : ''}`;
      return result;
    }
    shape.equal.forEach((c, k) => conditions.push(equals(c, sample.values[k]!)));
    sampled = sample.n;
    if (shape.kind === 'order') {
      orderBy = orderTerm(shape.order.column, shape.order.descending);
      limit = ORDER_LIMIT;
    }
  } else if (shape.kind === 'jsonb-contains') {
    const sample = await sampleKey(client, table, [shape.column], predicate);
    if (!sample) {
      result.note = `no generated row has a value in ${shape.column}`;
      return result;
    }
    conditions.push(contains(shape.column, sample.values[0]!));
    sampled = sample.n;
  } else if (shape.kind === 'array-contains') {
    const rows = await runOne<{ value: string; n: number }>(client, verifySql('sample-element', { table, column: quoteIdent(shape.column), where: predicate }));
    if (!rows[0]) {
      result.note = `no generated row has an element in ${shape.column}`;
      return result;
    }
    conditions.push(contains(shape.column, arrayLiteral(rows[0].value)));
  } else if (shape.kind === 'trigram') {
    const sample = await sampleKey(client, table, [shape.column], predicate);
    const part = sample ? trigramPart(sample.values[0]!) : null;
    if (!sample || part === null) {
      result.note = `no generated value of ${shape.column} has 3 characters or more`;
      return result;
    }
    conditions.push(ilikeContains(shape.column, part));
  }
  if (predicate) conditions.push(parenthesized(predicate));
  const where = conditions.join(' AND ');
  result.query = verifySql('evidence-query', { table, where, orderBy, limit: limit > 0 ? String(limit) : '' });
  try {
    result.matching = (await runOne<{ n: number }>(client, verifySql('count-rows', { table, where })))[0]?.n ?? null;
    const rows = await runOne<{ 'QUERY PLAN': unknown }>(client, verifySql('explain', { query: result.query }));
    const plan = planIndexNodes(rows[0]?.['QUERY PLAN']);
    result.indexNodes = plan.nodes.map((n) => `${n.type} using ${quoteIdent(n.index)}`);
    result.topNode = plan.top;
    result.cost = plan.cost;
    result.ok = plan.nodes.some((n) => n.index === index.name && INDEX_NODES.has(n.type));
    if (!result.ok) {
      const other = plan.nodes.filter((n) => n.index !== index.name).map((n) => quoteIdent(n.index));
      result.note = other.length > 0 ? `the planner prefers ${[...new Set(other)].join(', ')}` : `the planner prefers a ${plan.top ?? 'different plan'} without any index`;
    } else if (sampled !== null) {
      result.note = `value shared by ${sampled} row(s)`;
    }
  } catch (error) {
    result.note = `the query failed: ${messageOf(error)}`;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// The step

export interface EvidenceInput {
  endState: MigrationState;
  /** Index name → the rule its migration header names. */
  ruleOf: ReadonlyMap<string, string | undefined>;
  model: SchemaModel;
  rowsPerTable: number;
  clock: () => number;
  /** Opens another session on the same database, to load tables in parallel. */
  connectMore?: () => Promise<Client>;
  /** Sessions loading rows at once (default 2). */
  concurrency?: number;
}

export interface EvidenceOutcome {
  details: EvidenceDetails;
  problems: string[];
}

/**
 * A table whose index the planner passes over at `rowsPerTable` rows is grown once to this many
 * times as many rows and asked again; the evidence then says at which size the index was chosen.
 * Measured on PostgreSQL 18 (bundled example): btree and GIN jsonb/array lookups are chosen from
 * a few hundred rows on; a GIN trigram index for `ILIKE '%six chars%'` (20 of 20,000 rows match)
 * is passed over for a Seq Scan on a narrow 20,000-row table (Item) up to 40,000 rows, and chosen
 * at 80,000.
 */
export const SCALE_UP = 4;

export async function collectEvidence(client: Client, input: EvidenceInput): Promise<EvidenceOutcome> {
  const details: EvidenceDetails = { rowsPerTable: input.rowsPerTable, tables: [], indexes: [] };
  const problems: string[] = [];
  const all = await listIndexes(client);
  const fks = await listForeignKeyCoverage(client);
  const created = [...input.endState]
    .filter(([key, s]) => key.startsWith('index:') && s.present)
    .map(([key, s]) => all.find((i) => i.name === key.slice('index:'.length) && (s.table === undefined || i.table === s.table)))
    .filter((i): i is IndexInfo => i !== undefined)
    .sort((a, b) => (a.table === b.table ? (a.name < b.name ? -1 : 1) : a.table < b.table ? -1 : 1));
  if (created.length === 0) return { details, problems };

  const tables = new Map<string, TableRef>();
  for (const i of created) tables.set(`${i.schema}.${i.table}`, { schema: i.schema, table: i.table });
  const fkOf = (ref: TableRef): string[][] => {
    if (input.model.relationMode === 'prisma') {
      return input.model.tables.filter((t) => t.name === ref.table && (t.schema ?? 'public') === ref.schema).flatMap((t) => t.foreignKeys.map((f) => f.columns));
    }
    return fks.filter((f) => f.schema === ref.schema && f.table === ref.table).map((f) => f.columns);
  };

  const clients: Client[] = [client];
  try {
    for (let k = 1; k < Math.max(1, input.concurrency ?? 2) && input.connectMore && tables.size > 1; k++) clients.push(await input.connectMore());
    try {
      for (const c of clients) await runOne(c, verifySql('replication-role', { role: 'replica' }));
    } catch (error) {
      problems.push(`cannot turn foreign-key triggers off to load rows (SET session_replication_role = replica needs a superuser): ${messageOf(error)}`);
      return { details, problems };
    }
    const prepared = new Map<string, PreparedTable>();
    const loads = new Map<string, TableLoad>();
    for (const [key, ref] of tables) {
      const load: TableLoad = { table: ref.table, schema: ref.schema, requested: 0, rows: 0, ms: 0 };
      loads.set(key, load);
      details.tables.push(load);
      try {
        prepared.set(key, await prepareTable(client, ref, all, new Set(fkOf(ref).flat())));
      } catch (error) {
        load.error = messageOf(error);
      }
    }
    await onClients(clients, [...prepared.keys()], (c, key) => fillTable(c, prepared.get(key)!, 1, input.rowsPerTable, loads.get(key)!, input.clock));

    const shapeOf = (index: IndexInfo): QueryShape => {
      const rule = input.ruleOf.get(index.name);
      let fkColumns: string[] | undefined;
      if (rule && FK_RULES.has(rule)) {
        fkColumns = fkOf({ schema: index.schema, table: index.table })
          .filter((cols) => cols.every((c) => index.columns.includes(c)))
          .sort((a, b) => b.length - a.length)[0];
      }
      return queryShape(index, fkColumns, rule === 'queue-partial-index');
    };
    const explainAll = async (list: readonly IndexInfo[]) => {
      const out = new Map<string, IndexEvidence>();
      for (const index of list) {
        const load = loads.get(`${index.schema}.${index.table}`);
        if (load?.error) {
          out.set(index.name, { index: index.name, table: index.table, shape: 'none', query: '', matching: null, rows: load.rows, ok: false, indexNodes: [], topNode: null, cost: null, note: 'the table could not be loaded' });
        } else out.set(index.name, { ...(await indexEvidence(client, index, shapeOf(index))), rows: load?.rows ?? null });
      }
      return out;
    };
    const results = await explainAll(created);

    // Scale up the tables whose index was passed over for a query it could serve.
    const retry = [...tables.entries()].filter(([key, ref]) => {
      if (!prepared.has(key) || loads.get(key)?.error) return false;
      return created.some((i) => i.schema === ref.schema && i.table === ref.table && results.get(i.name)?.ok === false && results.get(i.name)?.query !== '');
    });
    if (retry.length > 0 && SCALE_UP > 1) {
      await onClients(clients, retry.map(([key]) => key), (c, key) => fillTable(c, prepared.get(key)!, input.rowsPerTable + 1, input.rowsPerTable * SCALE_UP, loads.get(key)!, input.clock));
      const again = await explainAll(created.filter((i) => retry.some(([, ref]) => ref.schema === i.schema && ref.table === i.table)));
      for (const [name, evidence] of again) {
        const first = results.get(name)!;
        if (first.ok && !evidence.ok) evidence.note = `used at ${first.rows} rows, not at ${evidence.rows}${evidence.note ? `: ${evidence.note}` : ''}`;
        else if (!first.ok && evidence.ok) evidence.note = `not chosen at ${first.rows} rows (${first.topNode ?? 'another plan'}), chosen at ${evidence.rows}`;
        else if (!first.ok) evidence.note = `not chosen at ${first.rows} nor at ${evidence.rows} rows${evidence.note ? `: ${evidence.note}` : ''}`;
        results.set(name, evidence);
      }
    }
    for (const index of created) {
      const evidence = results.get(index.name)!;
      details.indexes.push(evidence);
      if (!evidence.ok) problems.push(`${index.name}: not used by ${evidence.query || `its ${evidence.shape} query`}${evidence.note ? ` (${evidence.note})` : ''}`);
    }
    for (const load of details.tables) if (load.error) problems.push(`rows for ${load.table}: ${load.error}`);
    return { details, problems };
  } finally {
    await runOne(client, verifySql('replication-role', { role: 'origin' })).catch(() => undefined);
    for (const extra of clients.slice(1)) await extra.end().catch(() => undefined);
  }
}
