/**
 * Step d, evidence: for each index idxgen's migrations leave, load generated rows into its table,
 * ANALYZE, and show with `EXPLAIN (FORMAT JSON)` that PostgreSQL's planner uses the index for the
 * query it serves. No planner setting is changed: the plan is the one a production server with
 * the same statistics would choose.
 *
 * The reads: for an index a plan entry names (by name and table), the `serves` of the entry's
 * proposal and of every proposal it satisfies (`plannedReads`): what the rules, or the recorded
 * workload of `--queries`, say the index is for. The plan is the schema's before idxgen's
 * declarations (`VerifyInput.planWithout`). Migration comments are never read. An index no entry
 * names (a hand-written migration) is asked for the read of its own keys (`ownRead`):
 *   btree (a)               lookup          WHERE a = v
 *   btree (a, b [DESC])     order           WHERE a = v ORDER BY b [DESC] LIMIT 20
 *   unique (a, b)           unique          WHERE a = v AND b = w
 *   hash (a)                lookup          WHERE a = v
 *   GIN jsonb(_path)_ops    jsonb-contains  WHERE col @> '{"k": n}'
 *   GIN array_ops           array-contains  WHERE col @> '{elem}'
 *   GIN/GiST *_trgm_ops     trigram         WHERE col ILIKE '%part%'
 *   partial: its predicate is part of the read.
 * A read becomes SQL in src/render/query.ts; its values are sampled from the rows it selects.
 *
 * v is the value of the key the fewest generated rows share (a selective lookup, the kind an index
 * exists for): the proof is that the index is chosen for such a lookup, not for every value
 * (PostgreSQL rightly scans the table for a value most rows have).
 */
import type { Client } from 'pg';
import { listForeignKeyCoverage, listIndexes, type IndexInfo } from '../db/catalog';
import type { MigrationState } from '../generate/migration-sql';
import { queryShape, type QueryShape, type RangeOp } from '../model/query-shape';
import type { SchemaModel } from '../model/types';
import type { Plan } from '../plan/types';
import { renderPredicateSql } from '../render/predicate';
import { renderQuerySql, type ShapeValues } from '../render/query';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import { addDefaultPartitions, dropDefaultPartitions, type AddedPartition } from './default-partitions';
import { messageOf, runOne } from './pg';
import {
  arrayLiteral,
  equals,
  likePattern,
  parenthesized,
  regclassText,
  tableSql,
  valueExpression,
  verifySql,
  type ColumnInfo,
  type ValueRole,
} from './sql';
import type { EvidenceDetails, IndexEvidence, PhaseTimer, TableLoad } from './types';

export const DEFAULT_ROWS_PER_TABLE = 20_000;
export const ORDER_LIMIT = 20;

const INDEX_NODES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);
const JSONB_OPCLASSES = new Set(['jsonb_path_ops', 'jsonb_ops']);
const TRGM_OPCLASSES = new Set(['gin_trgm_ops', 'gist_trgm_ops']);

// ---------------------------------------------------------------------------------------------
// Reads

/**
 * The reads the plan says an index serves: the `serves` of its entry's proposal and of every
 * proposal the entry satisfies (a workload proposal's are the recorded reads), without repeats.
 */
export function plannedReads(plan: Plan | undefined, index: IndexInfo): QueryShape[] {
  const out = new Map<string, QueryShape>();
  for (const entry of plan?.entries ?? []) {
    if (
      entry.spec.kind !== 'index' ||
      entry.name !== index.name ||
      entry.spec.table !== index.table ||
      (entry.spec.schema ?? 'public') !== index.schema
    )
      continue;
    for (const proposal of [entry.proposal, ...entry.satisfies])
      for (const shape of proposal.serves) out.set(JSON.stringify(shape), shape);
  }
  return [...out.values()];
}

/**
 * The read an index's own keys serve, for an index no plan entry names (a migration written by
 * hand, or by an older plan): equality on the keys (the last one ordered, for a multi-column
 * btree that is not unique), containment or a substring match for GIN/GiST; its predicate, as
 * PostgreSQL prints it, is part of the read.
 */
export function ownRead(index: IndexInfo): QueryShape | { unsupported: string } {
  const cols = index.columns;
  if (index.expressions.some(Boolean))
    return { unsupported: 'expression keys: verify does not generate queries for them' };
  if (cols.length === 0) return { unsupported: 'no key columns' };
  const base = {
    table: index.table,
    ...(index.schema !== 'public' ? { schema: index.schema } : {}),
    ...(index.predicate !== null ? { where: { kind: 'sql' as const, text: index.predicate } } : {}),
  };
  const first = cols[0]!;
  const opclass = index.opclasses[0] ?? '';
  const substring = queryShape({ ...base, text: [{ column: first, match: 'contains', mode: 'insensitive' }] });
  switch (index.method) {
    case 'gin':
      if (cols.length !== 1) return { unsupported: 'multi-column GIN index' };
      if (JSONB_OPCLASSES.has(opclass) || opclass === 'array_ops')
        return queryShape({ ...base, operators: [{ column: first, op: '@>' }] });
      if (TRGM_OPCLASSES.has(opclass)) return substring;
      return { unsupported: `GIN operator class ${opclass}` };
    case 'gist':
      if (cols.length === 1 && TRGM_OPCLASSES.has(opclass)) return substring;
      return { unsupported: `GiST operator class ${opclass}` };
    case 'hash':
      return queryShape({ ...base, equal: [first] });
    case 'btree':
      if (index.unique || cols.length === 1) return queryShape({ ...base, equal: [...cols] });
      return queryShape({
        ...base,
        equal: cols.slice(0, -1),
        orderBy: [{ column: cols[cols.length - 1]!, direction: index.descending[cols.length - 1] ? 'desc' : 'asc' }],
        limit: ORDER_LIMIT,
      });
    default:
      return { unsupported: `access method ${index.method}` };
  }
}

/** A short name for the kind of read, for the report: lookup, unique, order, range, in, jsonb-contains, array-contains, trigram. */
export function readKind(shape: QueryShape, index: IndexInfo): string {
  if (shape.text.length > 0) return 'trigram';
  if (shape.operators.length > 0) return index.opclasses[0] === 'array_ops' ? 'array-contains' : 'jsonb-contains';
  if (shape.orderBy.length > 0) return 'order';
  if (shape.ranges.length > 0) return 'range';
  if (shape.in.length > 0) return 'in';
  if (index.unique && shape.equal.length === index.columns.length) return 'unique';
  return 'lookup';
}

/** Walks an EXPLAIN (FORMAT JSON) plan: every node that reads an index, and the top node. */
export function planIndexNodes(plan: unknown): {
  nodes: { type: string; index: string }[];
  top: string | null;
  cost: number | null;
} {
  const root = Array.isArray(plan) ? (plan[0] as { Plan?: unknown } | undefined)?.Plan : undefined;
  const nodes: { type: string; index: string }[] = [];
  const walk = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    if (typeof n['Node Type'] === 'string' && typeof n['Index Name'] === 'string')
      nodes.push({ type: n['Node Type'], index: n['Index Name'] });
    if (Array.isArray(n.Plans)) n.Plans.forEach(walk);
  };
  walk(root);
  const top =
    root && typeof (root as Record<string, unknown>)['Node Type'] === 'string'
      ? ((root as Record<string, unknown>)['Node Type'] as string)
      : null;
  const cost =
    root && typeof (root as Record<string, unknown>)['Total Cost'] === 'number'
      ? ((root as Record<string, unknown>)['Total Cost'] as number)
      : null;
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
async function prepareTable(
  client: Client,
  ref: TableRef,
  indexes: readonly IndexInfo[],
  fkColumns: ReadonlySet<string>,
): Promise<PreparedTable> {
  const table = tableSql(ref.table, ref.schema);
  const columns = await tableColumns(client, ref.schema, ref.table);
  const own = indexes.filter((i) => i.schema === ref.schema && i.table === ref.table);
  const distinct = new Set(
    own.filter((i) => i.unique || i.primary).flatMap((i) => i.columns.filter((_, k) => !i.expressions[k])),
  );
  const keys = new Set([...own.flatMap((i) => i.columns), ...fkColumns]);
  const predicates = own.map((i) => i.predicate).filter((p): p is string => p !== null);
  const values: { expression: string; alias: string }[] = [];
  const unsupported: string[] = [];
  for (const col of columns) {
    if (col.generated) continue;
    const role: ValueRole = {
      distinct: distinct.has(col.name),
      key: keys.has(col.name),
      dominantLabel: dominantLabel(col.labels, predicates),
    };
    const expression = valueExpression(col, role);
    if (expression !== undefined) values.push({ expression, alias: quoteIdent(col.name) });
    else if (col.notNull && !col.hasDefault) unsupported.push(`${col.name} (${col.typname})`);
  }
  if (unsupported.length > 0)
    throw new Error(`cannot generate values for NOT NULL column(s) ${unsupported.join(', ')}`);
  const checks = (
    await runOne<{ expression: string }>(client, verifySql('check-expressions'), [regclassText(ref.table, ref.schema)])
  ).map((r) => r.expression);
  const view = {
    table,
    columns: values.map((v) => v.alias).join(', '),
    overriding: columns.some((c) => c.identityAlways),
    values,
    checks,
  };
  return { ref, sql: (from, to) => verifySql('insert-rows', { ...view, from: String(from), to: String(to) }) };
}

/** Inserts rows g = from..to, ANALYZEs, and records the table's row count. */
async function fillTable(
  client: Client,
  prepared: PreparedTable,
  from: number,
  to: number,
  load: TableLoad,
  clock: () => number,
): Promise<void> {
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
async function onClients<T>(
  clients: readonly Client[],
  items: readonly T[],
  work: (client: Client, item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < items.length) await work(client, items[next++]!);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Evidence per index

async function sampleKey(
  client: Client,
  table: string,
  columns: readonly string[],
  where: string,
): Promise<{ values: string[]; n: number } | null> {
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

/** Where a range bound is taken in the column's sorted values: few rows pass it. */
const RANGE_FRACTION: Record<RangeOp, [number] | [number, number]> = {
  '<': [0.01],
  '<=': [0.01],
  '>': [0.99],
  '>=': [0.99],
  between: [0.01, 0.02],
};

/** Values for a read's parameters, sampled from the generated rows it selects; a note when there are none. */
async function sampleValues(
  client: Client,
  table: string,
  shape: QueryShape,
  columns: readonly ColumnInfo[],
): Promise<{ values: ShapeValues; sampled: number | null } | { note: string }> {
  const filter = shape.where ? renderPredicateSql(shape.where) : '';
  const values: ShapeValues = { equal: [], in: [], ranges: [], operators: [], text: [] };
  const keys = [...shape.equal, ...shape.in];
  let sampled: number | null = null;
  let where = filter;
  if (keys.length > 0) {
    const sample = await sampleKey(client, table, keys, filter);
    if (!sample)
      return {
        note: `no generated row has a value for (${keys.join(', ')})${filter ? ` and satisfies ${filter}` : ''}`,
      };
    const literals = sample.values.map(quoteLiteral);
    values.equal = literals.slice(0, shape.equal.length);
    values.in = literals.slice(shape.equal.length);
    sampled = sample.n;
    where = [...keys.map((c, k) => equals(c, sample.values[k]!)), ...(filter ? [parenthesized(filter)] : [])].join(
      ' AND ',
    );
  }
  for (const range of shape.ranges) {
    const bounds: string[] = [];
    for (const fraction of RANGE_FRACTION[range.op]) {
      const rows = await runOne<{ value: string | null }>(
        client,
        verifySql('sample-range', { table, column: quoteIdent(range.column), fraction: String(fraction), where }),
      );
      const value = rows[0]?.value;
      if (value === null || value === undefined) return { note: `no generated row has a value in ${range.column}` };
      bounds.push(quoteLiteral(value));
    }
    values.ranges.push(bounds);
  }
  for (const operator of shape.operators) {
    const array = columns.find((c) => c.name === operator.column)?.category === 'A';
    if (array && (operator.op === '@>' || operator.op === '&&' || operator.op === '<@')) {
      const rows = await runOne<{ value: string; n: number }>(
        client,
        verifySql('sample-element', { table, column: quoteIdent(operator.column), where: filter }),
      );
      if (!rows[0]) return { note: `no generated row has an element in ${operator.column}` };
      values.operators.push(quoteLiteral(arrayLiteral(rows[0].value)));
    } else if (!array && operator.op === '@>') {
      const sample = await sampleKey(client, table, [operator.column], filter);
      if (!sample) return { note: `no generated row has a value in ${operator.column}` };
      values.operators.push(quoteLiteral(sample.values[0]!));
    } else return { note: `verify does not generate a value for ${operator.column} ${operator.op}` };
  }
  for (const match of shape.text) {
    const sample = await sampleKey(client, table, [match.column], filter);
    const part = sample ? trigramPart(sample.values[0]!) : null;
    if (!sample || part === null) return { note: `no generated value of ${match.column} has 3 characters or more` };
    values.text.push(quoteLiteral(likePattern(part, match.match)));
  }
  return { values, sampled };
}

/**
 * Index name → the indexes attached to it, transitively (a partitioned table's index and its
 * partitions' indexes): the planner scans a partition's index when it uses the parent's.
 */
export async function attachedIndexes(client: Client): Promise<Map<string, Set<string>>> {
  const rows = await runOne<{ name: string; parent: string }>(client, verifySql('index-partitions'));
  const children = new Map<string, string[]>();
  for (const r of rows) children.set(r.parent, [...(children.get(r.parent) ?? []), r.name]);
  const below = (name: string, seen: Set<string>): Set<string> => {
    for (const child of children.get(name) ?? []) if (!seen.has(child)) below(child, seen.add(child));
    return seen;
  };
  return new Map([...children.keys()].map((name) => [name, below(name, new Set())]));
}

/** The evidence for `index` before a query ran (or when none can run): not ok, with `note` saying why. */
function noEvidence(index: IndexInfo, rows: number | null, note?: string): IndexEvidence {
  return {
    index: index.name,
    table: index.table,
    shape: 'none',
    query: '',
    matching: null,
    rows,
    ok: false,
    indexNodes: [],
    topNode: null,
    cost: null,
    ...(note === undefined ? {} : { note }),
  };
}

async function readEvidence(
  client: Client,
  index: IndexInfo,
  read: QueryShape | { unsupported: string },
  columns: readonly ColumnInfo[],
  attached: ReadonlySet<string> = new Set(),
): Promise<IndexEvidence> {
  const table = tableSql(index.table, index.schema);
  const result = noEvidence(index, null);
  if ('unsupported' in read) {
    result.note = `no evidence query for this index: ${read.unsupported}`;
    return result;
  }
  if ((read.expressions?.length ?? 0) > 0) {
    result.note =
      'no evidence query for this index: it serves a read through an expression (lower(col), to_tsvector(...)), which verify does not generate';
    return result;
  }
  result.shape = readKind(read, index);
  const sampled = await sampleValues(client, table, read, columns);
  if ('note' in sampled) {
    result.note = sampled.note;
    return result;
  }
  const sql = renderQuerySql(read, sampled.values);
  result.query = verifySql('evidence-query', { table, ...sql });
  try {
    result.matching =
      (await runOne<{ n: number }>(client, verifySql('count-rows', { table, where: sql.where })))[0]?.n ?? null;
    const rows = await runOne<{ 'QUERY PLAN': unknown }>(client, verifySql('explain', { query: result.query }));
    const plan = planIndexNodes(rows[0]?.['QUERY PLAN']);
    result.indexNodes = plan.nodes.map((n) => `${n.type} using ${quoteIdent(n.index)}`);
    result.topNode = plan.top;
    result.cost = plan.cost;
    const mine = (name: string) => name === index.name || attached.has(name);
    result.ok = plan.nodes.some((n) => mine(n.index) && INDEX_NODES.has(n.type));
    if (!result.ok) {
      const other = plan.nodes.filter((n) => !mine(n.index)).map((n) => quoteIdent(n.index));
      result.note =
        other.length > 0
          ? `the planner prefers ${[...new Set(other)].join(', ')}`
          : `the planner prefers a ${plan.top ?? 'different plan'} without any index`;
    } else if (sampled.sampled !== null) {
      result.note = `value shared by ${sampled.sampled} row(s)`;
    }
  } catch (error) {
    result.note = `the query failed: ${messageOf(error)}`;
  }
  return result;
}

/** The evidence for every read an index serves: the plan's, or else its own keys'. */
async function indexEvidence(
  client: Client,
  index: IndexInfo,
  plan: Plan | undefined,
  attached?: ReadonlySet<string>,
): Promise<IndexEvidence[]> {
  const planned = plannedReads(plan, index);
  const reads = planned.length > 0 ? planned : [ownRead(index)];
  const columns = await tableColumns(client, index.schema, index.table);
  const out: IndexEvidence[] = [];
  for (const read of reads) out.push(await readEvidence(client, index, read, columns, attached));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The step

export interface EvidenceInput {
  endState: MigrationState;
  /**
   * The plan of the schema before idxgen's declarations: its entries say which reads each index
   * idxgen created serves. An index no entry names is asked for the read of its own keys.
   */
  plan?: Plan;
  model: SchemaModel;
  rowsPerTable: number;
  clock: () => number;
  /** Opens another session on the same database, to load tables in parallel. */
  connectMore?: () => Promise<Client>;
  /** Sessions loading rows at once (default 2). */
  concurrency?: number;
  /** Records the time of the step's phases (prepare, load, explain, scale-up). */
  phase?: PhaseTimer;
}

export interface EvidenceOutcome {
  details: EvidenceDetails;
  problems: string[];
}

/**
 * Rows a table gets first. Most indexes are chosen at this size already (btree lookups from a few
 * hundred rows on); a table with an index the planner passes over is grown to `rowsPerTable`, and
 * then to `rowsPerTable * SCALE_UP`, and asked again at each size (`evidenceSizes`). A table's rows
 * are a function of the row number, so a table grown to 20,000 holds the same rows as one loaded
 * with 20,000 at once.
 */
export const FIRST_ROWS = 2_000;

/** The sizes tables are loaded to, smallest first: FIRST_ROWS (when smaller), rowsPerTable, rowsPerTable * SCALE_UP. */
export function evidenceSizes(rowsPerTable: number): number[] {
  return [
    ...(FIRST_ROWS < rowsPerTable ? [FIRST_ROWS] : []),
    rowsPerTable,
    ...(SCALE_UP > 1 ? [rowsPerTable * SCALE_UP] : []),
  ];
}

/** The evidence at a table's last size, its note saying at which earlier sizes the verdict differed. */
function withHistory(last: IndexEvidence, earlier: readonly IndexEvidence[]): IndexEvidence {
  if (earlier.length === 0) return last;
  const sizes = (list: readonly IndexEvidence[]) => list.map((e) => e.rows).join(', ');
  const failed = earlier.filter((e) => !e.ok);
  const used = earlier.filter((e) => e.ok);
  let note = last.note;
  if (last.ok && failed.length > 0)
    note = `not chosen at ${sizes(failed)} rows (${failed[failed.length - 1]!.topNode ?? 'another plan'}), chosen at ${last.rows}`;
  else if (!last.ok && used.length > 0)
    note = `used at ${sizes(used)} rows, not at ${last.rows}${last.note ? `: ${last.note}` : ''}`;
  else if (!last.ok)
    note = `not chosen at ${sizes(earlier)} nor at ${last.rows} rows${last.note ? `: ${last.note}` : ''}`;
  return note === undefined ? last : { ...last, note };
}

/**
 * The last size: a table whose index the planner passes over at `rowsPerTable` rows is grown to
 * this many times as many rows and asked again; the evidence then says at which size the index was chosen.
 * Measured on PostgreSQL 18 (bundled example): btree and GIN jsonb/array lookups are chosen from
 * a few hundred rows on; a GIN trigram index for `ILIKE '%six chars%'` (20 of 20,000 rows match)
 * is passed over for a Seq Scan on a narrow 20,000-row table (Item) up to 40,000 rows, and chosen
 * at 80,000.
 */
export const SCALE_UP = 4;

export async function collectEvidence(client: Client, input: EvidenceInput): Promise<EvidenceOutcome> {
  const homes = await addDefaultPartitions(client);
  let outcome: EvidenceOutcome | undefined;
  try {
    outcome = await judgeIndexes(client, input, homes.added);
  } finally {
    const left = await dropDefaultPartitions(client, homes.added);
    outcome?.problems.push(...homes.problems, ...left);
  }
  return outcome;
}

async function judgeIndexes(
  client: Client,
  input: EvidenceInput,
  defaults: readonly AddedPartition[],
): Promise<EvidenceOutcome> {
  const sizes = evidenceSizes(input.rowsPerTable);
  const details: EvidenceDetails = { rowsPerTable: sizes[0]!, sizes, tables: [], indexes: [] };
  const problems: string[] = [];
  const phase: PhaseTimer = input.phase ?? ((_, work) => work());
  const all = await listIndexes(client);
  const fks = await listForeignKeyCoverage(client);
  // A partition's index is judged with its parent's (rows go in through the parent table).
  const attached = await attachedIndexes(client);
  const partOfAnother = new Set([...attached.values()].flatMap((set) => [...set]));
  const created = [...input.endState]
    .filter(([key, s]) => key.startsWith('index:') && s.present && !partOfAnother.has(key.slice('index:'.length)))
    .map(([key, s]) =>
      all.find((i) => i.name === key.slice('index:'.length) && (s.table === undefined || i.table === s.table)),
    )
    .filter((i): i is IndexInfo => i !== undefined)
    .sort((a, b) => (a.table === b.table ? (a.name < b.name ? -1 : 1) : a.table < b.table ? -1 : 1));
  if (created.length === 0) return { details, problems };

  // A partitioned table without partitions holds no row: its index can be valid, never used. Said, not failed.
  const empty = new Set(
    (await runOne<{ schema: string; table: string }>(client, verifySql('empty-partitioned'))).map(
      (r) => `${r.schema}.${r.table}`,
    ),
  );
  const tables = new Map<string, TableRef>();
  for (const i of created)
    if (!empty.has(`${i.schema}.${i.table}`))
      tables.set(`${i.schema}.${i.table}`, { schema: i.schema, table: i.table });
  const fkOf = (ref: TableRef): string[][] => {
    if (input.model.relationMode === 'prisma') {
      return input.model.tables
        .filter((t) => t.name === ref.table && (t.schema ?? 'public') === ref.schema)
        .flatMap((t) => t.foreignKeys.map((f) => f.columns));
    }
    return fks.filter((f) => f.schema === ref.schema && f.table === ref.table).map((f) => f.columns);
  };

  const clients: Client[] = [client];
  try {
    for (let k = 1; k < Math.max(1, input.concurrency ?? 2) && input.connectMore && tables.size > 1; k++)
      clients.push(await input.connectMore());
    try {
      for (const c of clients) await runOne(c, verifySql('replication-role', { role: 'replica' }));
    } catch (error) {
      problems.push(
        `cannot turn foreign-key triggers off to load rows (SET session_replication_role = replica needs a superuser): ${messageOf(error)}`,
      );
      return { details, problems };
    }
    const prepared = new Map<string, PreparedTable>();
    const loads = new Map<string, TableLoad>();
    for (const [key, ref] of tables) {
      const load: TableLoad = { table: ref.table, schema: ref.schema, requested: 0, rows: 0, ms: 0 };
      const home = defaults.find((d) => d.schema === ref.schema && d.table === ref.table);
      if (home) load.defaultPartition = home.name;
      loads.set(key, load);
      details.tables.push(load);
    }
    await phase('evidence-prepare', () =>
      onClients(clients, [...tables.keys()], async (c, key) => {
        try {
          prepared.set(key, await prepareTable(c, tables.get(key)!, all, new Set(fkOf(tables.get(key)!).flat())));
        } catch (error) {
          loads.get(key)!.error = messageOf(error);
        }
      }),
    );
    await phase('evidence-load', () =>
      onClients(clients, [...prepared.keys()], (c, key) =>
        fillTable(c, prepared.get(key)!, 1, sizes[0]!, loads.get(key)!, input.clock),
      ),
    );

    // One table's indexes on one session; the tables spread over the sessions.
    const explainAll = async (list: readonly IndexInfo[]) => {
      const out = new Map<string, IndexEvidence[]>();
      const byTable = new Map<string, IndexInfo[]>();
      for (const index of list)
        byTable.set(`${index.schema}.${index.table}`, [
          ...(byTable.get(`${index.schema}.${index.table}`) ?? []),
          index,
        ]);
      await onClients(clients, [...byTable.keys()], async (c, key) => {
        const load = loads.get(key);
        for (const index of byTable.get(key)!) {
          if (empty.has(key)) {
            const note =
              'not judged: a partitioned table without partitions holds no rows (its index is checked in step b)';
            out.set(index.name, [noEvidence(index, 0, note)]);
          } else if (load?.error) {
            out.set(index.name, [noEvidence(index, load.rows, 'the table could not be loaded')]);
          } else
            out.set(
              index.name,
              (await indexEvidence(c, index, input.plan, attached.get(index.name))).map((e) => ({
                ...e,
                rows: load?.rows ?? null,
              })),
            );
        }
      });
      return out;
    };
    let results = await phase('evidence-explain', () => explainAll(created));
    const history = new Map([...results].map(([name, list]) => [name, [list]]));

    // Grow the tables whose index was passed over for a query it could serve, one size at a time.
    for (const size of sizes.slice(1)) {
      const retry = [...tables.entries()].filter(([key, ref]) => {
        if (!prepared.has(key) || loads.get(key)?.error) return false;
        return created.some(
          (i) =>
            i.schema === ref.schema &&
            i.table === ref.table &&
            (results.get(i.name) ?? []).some((e) => !e.ok && e.query !== ''),
        );
      });
      if (retry.length === 0) break;
      await phase(`evidence-load-${size}`, () =>
        onClients(
          clients,
          retry.map(([key]) => key),
          (c, key) =>
            fillTable(c, prepared.get(key)!, loads.get(key)!.requested + 1, size, loads.get(key)!, input.clock),
        ),
      );
      const again = await phase(`evidence-explain-${size}`, () =>
        explainAll(created.filter((i) => retry.some(([, ref]) => ref.schema === i.schema && ref.table === i.table))),
      );
      results = new Map([...results, ...again]);
      for (const [name, list] of again) history.get(name)!.push(list);
    }
    for (const [name, stages] of history)
      results.set(
        name,
        stages[stages.length - 1]!.map((last, k) =>
          withHistory(
            last,
            stages
              .slice(0, -1)
              .map((s) => s[k])
              .filter((e): e is IndexEvidence => e !== undefined),
          ),
        ),
      );
    for (const index of created) {
      for (const evidence of results.get(index.name)!) {
        details.indexes.push(evidence);
        if (!evidence.ok && !empty.has(`${index.schema}.${index.table}`))
          problems.push(
            `${index.name}: not used by ${evidence.query || `its ${evidence.shape} query`}${evidence.note ? ` (${evidence.note})` : ''}`,
          );
      }
    }
    for (const load of details.tables) if (load.error) problems.push(`rows for ${load.table}: ${load.error}`);
    return { details, problems };
  } finally {
    await runOne(client, verifySql('replication-role', { role: 'origin' })).catch(() => undefined);
    for (const extra of clients.slice(1)) await extra.end().catch(() => undefined);
  }
}
