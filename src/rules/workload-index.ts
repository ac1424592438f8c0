/**
 * workload-index: the reads the application really makes (a workload given with `--queries`)
 * that no index serves get the fewest indexes that serve them, chosen over the table's whole
 * workload rather than one index per read.
 */
import { conjuncts, isIndexableExpression, type Predicate, type QueryShape } from '../model/query-shape';
import { describeExpression, keyOf } from '../model/expression';
import { comparedColumns, indexServes, servingDeclared, type ServingIndex } from '../model/serves';
import type { IndexDef, Table } from '../model/types';
import { defaultConstraintName } from '../schema/names';
import { renderPredicateSql } from '../render/predicate';
import { quoteIdent } from '../sql/quote';
import { readsOf, statsOf, type WorkloadRead } from '../workload/workload';
import {
  allIndexes,
  btreeSpec,
  columnByName,
  describeIndex,
  indexDefToSpec,
  modelTables,
  proposedColumn,
  servingProposed,
  tableRef,
} from './coverage';
import { defineRule } from './define-rule';
import { includeFor } from './include-columns';
import { option, type OptionsOf } from './rule-options';
import type { DropIndexSpec, IndexSpec, Proposal, ProposedColumn } from './types';

const OPTIONS = {
  /** Reads made fewer times than this in the whole workload are not indexed for. */
  minCalls: option.integer(1, { min: 1 }),
  /** At most this many new indexes per table: each one costs every write of the table. */
  maxPerTable: option.integer(3, { min: 1, max: 32 }),
  /** An index must serve at least this share (percent) of the table's recorded read calls. */
  minSharePercent: option.integer(5, { min: 0, max: 100 }),
  /**
   * With a live database: an index whose estimated saving is under this share (percent) of the
   * workload's measured time is left out of the plan (0 keeps every one). Applied by the planner's
   * judgement (src/plan/judge.ts), where the saving is known.
   */
  minSavedPercent: option.integer(1, { min: 0, max: 100 }),
};

export type WorkloadIndexOptions = OptionsOf<typeof OPTIONS>;

const MAX_CITED_READS = 5;
/** Candidate indexes are made from this many of a table's busiest unserved reads. */
const MAX_CANDIDATE_READS = 64;
/** Prisma's names for the operator classes this rule uses (gin_trgm_ops has none: `ops: raw(...)`). */
const PRISMA_OPS: Record<string, string> = {
  jsonb_path_ops: 'JsonbPathOps',
  jsonb_ops: 'JsonbOps',
  array_ops: 'ArrayOps',
};

export const rule = defineRule({
  options: OPTIONS,
  meta: {
    id: 'workload-index',
    summary:
      'Index the reads the application really makes that no index serves (needs a workload: --queries or --database-url).',
    defaultSeverity: 'warn',
    basis: 'workload',
    docs: {
      problem:
        'A read that filters or sorts by columns no index leads with reads the whole table (or sorts it) on every call. ' +
        "idxgen sees such reads only in a workload: the shapes the application records with `idxgen/prisma`'s `recordQueryShapes` extension, given with `--queries FILE`. " +
        'Without a workload this rule proposes nothing.',
      proposal:
        'Per table, the fewest indexes that serve its unserved reads, chosen greedily by the calls each serves: equality columns first (the most used first), ' +
        'then IN columns, then the ORDER BY columns with their directions (or the first range column). A constant predicate the read carries ' +
        '(`deletedAt: null`, `published: true`) makes it a partial index; an enum constant (`status: { in: [...] }`) makes the enum column a key column instead, ' +
        'because an enum value in an index predicate breaks the migration Prisma writes to remove a value of that enum. `contains`/`startsWith`/`endsWith` searches get a trigram GIN index (pg_trgm); ' +
        'Json `@>` and scalar-list `has`/`hasSome` get a GIN index. ' +
        "A read through an expression (SQL statements only: `lower(email) = $1`, `to_tsvector('english', title) @@ to_tsquery($1)`) is served only by an index on exactly that expression, because the planner matches an expression index to the same function, column and constants and never to the plain column: " +
        'it gets a btree on `lower("email")` (or `upper`), or a GIN index on `to_tsvector(\'english\'::regconfig, "title")`, and an index the database already has on the same expression counts as serving it. ' +
        'Prisma cannot declare an expression index: like INCLUDE, it is drift, generated only with `--allow-drift`. ' +
        "`to_tsvector(col)` without a configuration (what Prisma's fullTextSearchPostgres writes) is not IMMUTABLE and cannot be indexed, and pg_stat_statements replaces a constant configuration by `$n`: " +
        'for those idxgen proposes no index and says why, with the query to write instead. A read an existing index, unique constraint or primary key serves is left alone, ' +
        'and so is one the plain index of a foreign key serves (fk-index proposes it for every FK). ' +
        "Over-indexing is the failure of per-query advisors: at most `maxPerTable` (3) new indexes a table, each serving at least `minSharePercent` (5 %) of the table's recorded read calls. " +
        'Row counts are unknown to a recording, so proposals are ranked by calls; each cites the reads it serves, their calls and call sites. ' +
        "SQL statements (a `.sql` file, Prisma Client's query log, or pg_stat_statements with `--database-url`) are read with the real PostgreSQL parser and weigh by their measured time; " +
        "with a database, each proposal cites its statements (fingerprint, shortened text, calls, mean time, plan cost before → after with hypopg), the estimated time saved, its rank and the table's write cost. " +
        'A declared plain index the new one makes redundant is proposed for dropping with it (create first, then drop), never alone. ' +
        "INCLUDE only where it pays, with `--database-url`: when the read an index is chosen for is a lookup that returns at most 3 columns beyond the key (its SELECT list; a recorded Prisma read without `select` returns every column, so never), the key index gets those columns as INCLUDE, for an index-only scan, only if the reads it then answers alone make at least half of its calls, every added column is narrow (never Json, Bytes or a list; a String or Decimal only when pg_stats measures it at most 32 bytes on average), a heap row (relpages × block size / reltuples) is at least twice the index entry, and the table is not write-hot (n_tup_upd + n_tup_del since the statistics were reset at most 20 % of its rows: every update, HOT or not, and every delete clears its page's all-visible bit, and autovacuum's default scale factor lets 20 % of the rows change between two vacuums). " +
        "Then the planner decides (hypopg, or the scratch copy with the live share of all-visible pages restored): the call-weighted plan cost with INCLUDE must be at least `minSavedPercent` lower than with the key index alone, else the plain key index is proposed. When INCLUDE was considered and not added, the proposal says why. Prisma cannot declare INCLUDE: such an index is generated only with `--allow-drift`, like covering-index's. " +
        'With a database, a proposal whose estimated saving is under `minSavedPercent` (1 %) of the measured time of the whole workload is left out (listed as skipped, with its saving): ' +
        'measured (BENCHMARKS.md) on 100 tables with 497 statements that together took 4 ms it leaves 10 to 15 proposals of about 300, while on the bundled example with 1M rows the three indexes that carry the workload stay.',
      bad: [
        '// recorded: prisma.post.findMany({ where: { teamId, deletedAt: null }, orderBy: { createdAt: "desc" }, take: 20 })',
        'model Post {',
        '  id        Int       @id',
        '  teamId    Int',
        '  createdAt DateTime',
        '  deletedAt DateTime?',
        '}',
      ].join('\n'),
      good: [
        'model Post {',
        '  id        Int       @id',
        '  teamId    Int',
        '  createdAt DateTime',
        '  deletedAt DateTime?',
        '',
        '  @@index([teamId, createdAt(sort: Desc)], where: raw("\\"deletedAt\\" IS NULL"))',
        '}',
      ].join('\n'),
    },
  },

  check(ctx) {
    if (!ctx.workload) return [];
    const proposals: Omit<Proposal, 'severity'>[] = [];
    for (const table of modelTables(ctx.tables)) {
      // fk-index makes every FK's plain index (certain, error level): reads it serves need nothing more.
      const fkIndexes = table.foreignKeys
        .filter((fk) => !fk.implicitManyToMany && fk.columns.length > 0)
        .map((fk) =>
          servingProposed(
            btreeSpec(
              table,
              fk.columns.map((c) => proposedColumn(table, c)),
            ),
          ),
        );
      // With a database: the indexes it has count too (a hand-made `lower(email)` one is never declared).
      const live = statsOf(ctx.workload, table.name, table.schema)?.indexes ?? [];
      const declared = [...allIndexes(table).map((index) => servingDeclared(table, index)), ...fkIndexes, ...live];
      const reads = readsOf(ctx.workload, table.name, table.schema);
      const unserved = reads.filter(
        (read) =>
          read.calls >= ctx.options.minCalls &&
          needsAnIndex(read.shape) &&
          !declared.some((index) => servesWell(index, read.shape)),
      );
      // Over-indexing is the failure of per-query advisors: an index must earn its writes.
      const tableCalls = reads.reduce((sum, r) => sum + r.calls, 0);
      const minCalls = Math.max(1, Math.ceil((tableCalls * ctx.options.minSharePercent) / 100));
      for (const choice of chooseIndexes(table, unserved, ctx.options.maxPerTable, minCalls)) {
        const redundant = madeRedundant(table, choice.spec);
        // INCLUDE only where it pays (src/rules/include-columns.ts); not beside a drop pair.
        const include =
          redundant.length === 0
            ? includeFor(table, choice.spec, byWeight(choice.reads), statsOf(ctx.workload, table.name, table.schema))
            : undefined;
        if (include?.kind === 'include') choice.spec = { ...choice.spec, include: include.columns };
        const create = toProposal(table, choice, tableCalls);
        if (include) create.evidence.push(include.kind === 'include' ? include.evidence : include.reason);
        proposals.push(create);
        // An existing plain index the new one makes redundant: the pair, create then drop (never the drop alone).
        for (const old of redundant) proposals.push(dropProposal(table, old, choice.spec, create));
      }
    }
    return proposals;
  },
});

/**
 * Declared plain btree indexes (not unique, not a primary key, no predicate) whose columns lead
 * the new index in the same order with compatible directions: the new index serves every read
 * they serve.
 */
function madeRedundant(table: Table, spec: IndexSpec): IndexDef[] {
  if (spec.method !== 'btree' || spec.unique || spec.where !== undefined || spec.include.length > 0) return [];
  if (spec.columns.some((c) => c.expression !== undefined)) return [];
  return table.indexes.filter((index) => {
    if (index.kind !== 'index' || index.method !== 'btree' || index.where !== undefined) return false;
    if (index.columns.length >= spec.columns.length) return false;
    if (
      !index.columns.every(
        (c, i) => c.column === spec.columns[i]!.column && (c.opclass ?? '') === (spec.columns[i]!.opclass ?? ''),
      )
    )
      return false;
    if (index.columns.length === 1) return true;
    const flips = index.columns.map((c, i) => (c.sort ?? 'asc') !== (spec.columns[i]!.sort ?? 'asc'));
    return flips.every((f) => f) || flips.every((f) => !f);
  });
}

function dropProposal(
  table: Table,
  old: IndexDef,
  spec: IndexSpec,
  create: Omit<Proposal, 'severity'>,
): Omit<Proposal, 'severity'> {
  const newName = defaultConstraintName(
    table.name,
    spec.columns.map((c) => c.column),
    '_idx',
  );
  const drop: DropIndexSpec = {
    kind: 'drop-index',
    table: table.name,
    name: old.name,
    recreate: indexDefToSpec(table, old),
    coveredBy: newName,
  };
  if (table.schema !== undefined) drop.schema = table.schema;
  return {
    ruleId: 'workload-index',
    spec: drop,
    message: {
      title: `Index ${quoteIdent(old.name)} on ${tableRef(table)} becomes redundant with the workload's new index ${quoteIdent(newName)}`,
      cost: `Once ${quoteIdent(newName)} exists, ${describeIndex(old)} serves nothing it does not, yet it is still written on every insert.`,
      instead: `Drop ${quoteIdent(old.name)} after ${quoteIdent(newName)} is built (this pair comes together: the create first, then the drop).`,
    },
    serves: [],
    evidence: [
      `the new index ${quoteIdent(newName)} starts with ${describeIndex(old)}`,
      ...create.evidence.slice(0, 1),
    ],
    span: old.span,
    model: table.model,
  };
}

/** A read with nothing to look up or sort by (a full listing) gains nothing from an index. */
function needsAnIndex(shape: QueryShape): boolean {
  return (
    shape.equal.length +
      shape.in.length +
      shape.ranges.length +
      shape.orderBy.length +
      shape.operators.length +
      shape.text.length +
      indexableExpressions(shape).length >
    0
  );
}

/** The read's expressions an index can hold (`to_tsvector(col)` with no configuration cannot be). */
function indexableExpressions(shape: QueryShape): NonNullable<QueryShape['expressions']> {
  return (shape.expressions ?? []).filter((e) => isIndexableExpression(e.expression));
}

/**
 * Served well: the whole read, or its leading equality part with only further equalities, IN
 * lists or ranges filtered after (the narrowed rows are few). A read whose sort is left to do
 * after the index (a feed by `createdAt` behind an FK index) is not: the index that also sorts
 * turns it into a read of the first rows only.
 */
function servesWell(index: ServingIndex, shape: QueryShape): boolean {
  const verdict = indexServes(index, shape);
  if (verdict.verdict === 'serves') return true;
  if (verdict.verdict === 'none') return false;
  // After an IN list no btree gives the order: the sort left to do is no reason for another index.
  const orderUnservable = verdict.served.some((p) => p.part === 'in');
  return (
    verdict.served.some((p) => p.part === 'equal' || p.part === 'in') &&
    verdict.unserved.every(
      (p) =>
        p.part !== 'text' &&
        p.part !== 'operator' &&
        !(p.part === 'expression' && p.op === '@@') &&
        (p.part !== 'order' || orderUnservable),
    )
  );
}

interface Choice {
  spec: IndexSpec;
  reads: WorkloadRead[];
}

/**
 * Greedy cover: the candidate serving the most calls first, until no candidate serves a read left.
 * Which reads each candidate serves is decided once (candidates × reads calls of indexServes).
 */
function chooseIndexes(table: Table, unserved: WorkloadRead[], maxPerTable: number, minCalls: number): Choice[] {
  if (unserved.length === 0) return [];
  const usage = columnUsage(unserved);
  // An index serves a read only if the read names its first key column: test just those reads.
  const byColumn = new Map<string, WorkloadRead[]>();
  for (const read of unserved) {
    for (const column of columnsOf(read.shape)) {
      let list = byColumn.get(column);
      if (!list) byColumn.set(column, (list = []));
      if (list[list.length - 1] !== read) list.push(read);
    }
  }
  // Candidates come from the busiest reads: an index that earns its writes serves one of them.
  const busiest = [...unserved].sort((a, b) => b.calls - a.calls).slice(0, MAX_CANDIDATE_READS);
  const candidates = dedupe(
    busiest.map((read) => candidateFor(table, read.shape, usage)).filter((c): c is IndexSpec => c !== undefined),
  ).map((spec) => {
    const serving = servingProposed(spec);
    const maybe = byColumn.get(spec.columns[0]!.column) ?? [];
    return { spec, serves: maybe.filter((read) => servesWell(serving, read.shape)) };
  });
  const left = new Set(unserved);
  const choices: Choice[] = [];
  while (left.size > 0 && candidates.length > 0 && choices.length < maxPerTable) {
    let best = -1;
    let bestWeight = 0;
    for (let i = 0; i < candidates.length; i++) {
      const w = candidates[i]!.serves.reduce((sum, r) => sum + (left.has(r) ? weight(r) : 0), 0);
      if (
        w > bestWeight ||
        (w === bestWeight &&
          best >= 0 &&
          w > 0 &&
          candidates[i]!.spec.columns.length < candidates[best]!.spec.columns.length)
      ) {
        best = i;
        bestWeight = w;
      }
    }
    // The share is of calls (minCalls counts calls), whatever the weight that chose the candidate.
    const bestCalls = best < 0 ? 0 : candidates[best]!.serves.reduce((sum, r) => sum + (left.has(r) ? r.calls : 0), 0);
    if (best < 0 || bestCalls < minCalls) break;
    const [chosen] = candidates.splice(best, 1);
    const reads = chosen!.serves.filter((r) => left.has(r));
    for (const r of reads) left.delete(r);
    choices.push({ spec: chosen!.spec, reads });
  }
  return choices;
}

/** Every column a read filters or sorts on. */
function columnsOf(shape: QueryShape): Set<string> {
  const columns = comparedColumns(shape);
  for (const order of shape.orderBy) columns.add(order.column);
  return columns;
}

/** How many calls compare each column by equality: the most used equality column leads. */
function columnUsage(reads: readonly WorkloadRead[]): Map<string, number> {
  const usage = new Map<string, number>();
  for (const read of reads)
    for (const column of read.shape.equal) usage.set(column, (usage.get(column) ?? 0) + read.calls);
  return usage;
}

function candidateFor(table: Table, shape: QueryShape, usage: Map<string, number>): IndexSpec | undefined {
  const expressions = indexableExpressions(shape);
  // `to_tsvector('english', title) @@ ...`: a GIN index on exactly that expression.
  const search = expressions.find((e) => e.op === '@@');
  if (search && shape.equal.length === 0) {
    const key = proposedColumn(table, search.expression.column);
    key.expression = search.expression;
    return ginSpec(table, key, undefined);
  }
  const text = shape.text[0];
  if (text && shape.equal.length === 0)
    return ginSpec(table, proposedColumn(table, text.column), 'gin_trgm_ops', 'pg_trgm');
  const operator = shape.operators[0];
  if (operator && shape.equal.length === 0) {
    const column = columnByName(table, operator.column);
    if (column?.type === 'Json')
      return ginSpec(
        table,
        proposedColumn(table, operator.column),
        operator.op === '@>' ? 'jsonb_path_ops' : 'jsonb_ops',
      );
    return ginSpec(table, proposedColumn(table, operator.column), 'array_ops');
  }
  const equal = [...new Set(shape.equal)].sort(
    (a, b) => (usage.get(b) ?? 0) - (usage.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const columns: ProposedColumn[] = equal.map((c) => proposedColumn(table, c));
  // `lower(email) = $1`: the expression is an equality key like a column.
  for (const read of expressions.filter((e) => e.op === '=')) {
    const key = proposedColumn(table, read.expression.column);
    key.expression = read.expression;
    if (!columns.some((c) => keyOf(c) === keyOf(key))) columns.push(key);
  }
  // An enum constant in an index predicate breaks the migration Prisma writes to remove an enum
  // value (measured: `operator does not exist: "X_new" = "X"`): such a column is a key instead.
  const { partial, enumColumns } = splitEnumTerms(shape.where);
  for (const c of [...enumColumns, ...shape.in])
    if (!columns.some((k) => k.column === c)) columns.push(proposedColumn(table, c));
  if (shape.orderBy.length > 0) {
    for (const term of shape.orderBy) {
      if (columns.some((c) => c.column === term.column)) continue;
      columns.push(proposedColumn(table, term.column, term.direction === 'desc' ? 'desc' : undefined));
    }
  } else if (shape.ranges[0] && !columns.some((c) => c.column === shape.ranges[0]!.column)) {
    columns.push(proposedColumn(table, shape.ranges[0].column));
  }
  if (columns.length === 0) return undefined;
  return btreeSpec(table, columns, partial !== undefined && isIndexablePredicate(partial) ? { where: partial } : {});
}

/** The read's constant predicate without its enum comparisons, and the enum columns they compared. */
function splitEnumTerms(where: Predicate | undefined): { partial?: Predicate; enumColumns: string[] } {
  const keep: Predicate[] = [];
  const enumColumns: string[] = [];
  for (const term of conjuncts(where)) {
    const literals = term.kind === 'compare' ? [term.value] : term.kind === 'in-list' ? term.values : [];
    if (
      (term.kind === 'compare' || term.kind === 'in-list') &&
      literals.some((l) => l.kind === 'string' && l.cast !== undefined)
    )
      enumColumns.push(term.column);
    else keep.push(term);
  }
  if (keep.length === 0) return { enumColumns };
  return { partial: keep.length === 1 ? keep[0]! : { kind: 'and', terms: keep }, enumColumns };
}

/** Constant predicates a partial index can carry: null tests, comparisons and IN lists, AND-ed. */
function isIndexablePredicate(predicate: Predicate): boolean {
  switch (predicate.kind) {
    case 'and':
      return predicate.terms.every(isIndexablePredicate);
    case 'null-test':
    case 'compare':
    case 'in-list':
      return true;
    default:
      return false;
  }
}

function ginSpec(table: Table, proposed: ProposedColumn, opclass: string | undefined, extension?: string): IndexSpec {
  if (opclass) proposed.opclass = opclass;
  const prismaOps = PRISMA_OPS[opclass ?? ''];
  if (prismaOps) proposed.prismaOps = prismaOps;
  const spec: IndexSpec = {
    kind: 'index',
    table: table.name,
    columns: [proposed],
    method: 'gin',
    unique: false,
    include: [],
    extensions: extension ? [extension] : [],
  };
  if (table.schema !== undefined) spec.schema = table.schema;
  return spec;
}

/** Equal candidates (same columns, method, predicate) once; a partial one kept beside the plain one. */
function dedupe(specs: IndexSpec[]): IndexSpec[] {
  const seen = new Map<string, IndexSpec>();
  for (const spec of specs) {
    const key = JSON.stringify([
      spec.method,
      spec.columns.map((c) => [keyOf(c), c.sort ?? 'asc', c.opclass ?? '']),
      spec.where ?? null,
    ]);
    if (!seen.has(key)) seen.set(key, spec);
  }
  return [...seen.values()];
}

function toProposal(table: Table, choice: Choice, tableCalls: number): Omit<Proposal, 'severity'> {
  const calls = choice.reads.reduce((sum, r) => sum + r.calls, 0);
  const reads = byWeight(choice.reads);
  const measured = reads.some((r) => r.source.kind === 'statement' && r.source.totalMs !== undefined);
  // `check` prints one line a finding: the busiest read's call site is where to look first.
  const site = reads
    .map((r) => (r.source.kind === 'recorded' ? r.source.callSites?.[0] : undefined))
    .find((c) => c !== undefined);
  const columns = choice.spec.columns
    .map(
      (c) =>
        `${c.expression ? describeExpression(c.expression) : quoteIdent(c.column)}${c.sort === 'desc' ? ' DESC' : ''}`,
    )
    .join(', ');
  const where = choice.spec.where ? ` WHERE ${renderPredicateSql(choice.spec.where)}` : '';
  const method =
    choice.spec.method === 'btree'
      ? 'btree'
      : `${choice.spec.method}${choice.spec.columns[0]?.opclass ? ` (${choice.spec.columns[0].opclass})` : ''}`;
  return {
    ruleId: 'workload-index',
    spec: choice.spec,
    message: {
      title: `${plural(reads.length, measured ? 'measured read' : 'recorded read')} of ${tableRef(table)} (${plural(calls, 'call')}${site ? `, at ${site}` : ''}) ${reads.length === 1 ? 'has no index that serves it' : 'have no index that serves them'}`,
      cost: `No index, unique constraint or primary key serves ${reads.length === 1 ? 'this read' : 'these reads'}: each call reads ${tableRef(table)} in full or sorts what it read, and the cost grows with the table.`,
      instead: `Create a ${method} index on ${tableRef(table)} (${columns})${where}, which serves ${reads.length === 1 ? 'it' : 'all of them'}.`,
      serves: describeRead(reads[0]!.shape),
    },
    serves: reads.map((r) => r.shape),
    evidence: [
      ...reads.slice(0, MAX_CITED_READS).map(citeRead),
      ...(reads.length > MAX_CITED_READS ? [`and ${reads.length - MAX_CITED_READS} more recorded read(s)`] : []),
      `${Math.round((calls * 100) / Math.max(1, tableCalls))} % of the ${plural(tableCalls, 'recorded read call')} of ${tableRef(table)}`,
      measured
        ? 'chosen by the measured time of the statements it serves'
        : 'row counts are unknown to a recording: ranked by calls, not by the time each read takes',
    ],
    span: table.span,
    model: table.model,
  };
}

function citeRead(read: WorkloadRead): string {
  const source = read.source;
  if (source.kind === 'statement') {
    const timing =
      source.meanMs !== undefined
        ? `, mean ${formatMs(source.meanMs)}${source.totalMs !== undefined ? `, total ${formatMs(source.totalMs)}` : ''}`
        : '';
    return `query ${source.fingerprint} (${source.origin}) "${source.text}": ${read.calls.toLocaleString('en-US')} call(s)${timing}, ${describeRead(read.shape)}`;
  }
  const where = source.callSites?.length ? ` at ${source.callSites.join(', ')}` : '';
  const via = read.shape.via ? ` (through ${source.model}.${read.shape.via.relation})` : '';
  return `${source.model}.${source.operation}${via}${where}: ${read.calls.toLocaleString('en-US')} call(s), ${describeRead(read.shape)}`;
}

/** A duration for evidence: `0.42 ms`, `12.3 ms`, `4.1 s`. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** The reads, heaviest first (the one an index is chosen for leads). */
function byWeight(reads: readonly WorkloadRead[]): WorkloadRead[] {
  return [...reads].sort((a, b) => weight(b) - weight(a) || b.calls - a.calls);
}

/**
 * What a read weighs in the greedy choice: its measured total time when a statement source
 * measured it, else its calls.
 */
function weight(read: WorkloadRead): number {
  return read.source.kind === 'statement' && read.source.totalMs !== undefined ? read.source.totalMs : read.calls;
}

/** A read in words a reviewer reads at a glance (not SQL: the values are unknown). */
export function describeRead(shape: QueryShape): string {
  const parts: string[] = [];
  const filters = [
    ...shape.equal.map((c) => `${quoteIdent(c)} = ?`),
    ...shape.in.map((c) => `${quoteIdent(c)} IN (?)`),
    ...shape.ranges.map((r) => `${quoteIdent(r.column)} ${r.op} ?`),
    ...shape.operators.map((o) => `${quoteIdent(o.column)} ${o.op} ?`),
    ...shape.text.map((t) => `${quoteIdent(t.column)} ${t.mode === 'insensitive' ? 'ILIKE' : 'LIKE'} ?`),
    ...(shape.expressions ?? []).map((e) => `${describeExpression(e.expression)} ${e.op} ?`),
  ];
  if (shape.where) filters.push(renderPredicateSql(shape.where));
  if (filters.length > 0) parts.push(`WHERE ${filters.join(' AND ')}`);
  if (shape.orderBy.length > 0)
    parts.push(
      `ORDER BY ${shape.orderBy.map((o) => `${quoteIdent(o.column)}${o.direction === 'desc' ? ' DESC' : ''}`).join(', ')}`,
    );
  if (shape.limit !== undefined) parts.push(`LIMIT ${shape.limit}`);
  return parts.join(' ') || 'every row';
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
