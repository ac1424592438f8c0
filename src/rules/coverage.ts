/**
 * Shared helpers for the index rules: which existing index / unique constraint / primary key serves
 * a column list, how to describe an index in evidence, how to compare partial-index predicates.
 * Pure functions over the normalized model; no SQL is built here except through `quoteIdent`.
 */
import type { Column, ForeignKey, IndexColumn, IndexDef, SchemaModel, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import type { IndexSpec, ProposedColumn } from './types';

/** Every index-like structure on a table: primary key first, then uniques, then plain indexes (declaration order within each). */
export function allIndexes(table: Table): IndexDef[] {
  return [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques, ...table.indexes];
}

/** Tables a rule looks at: real models, not views, not `@@ignore`d, not Prisma's implicit m:n join tables. */
export function modelTables(tables: readonly Table[]): Table[] {
  return tables.filter((t) => t.kind === 'model' && !t.ignored);
}

/**
 * Tables whose foreign keys exist in the database: `@@ignore`d models too, because Prisma Migrate
 * still creates their tables and constraints (the client merely hides them).
 */
export function tablesWithForeignKeys(tables: readonly Table[]): Table[] {
  return tables.filter((t) => t.kind === 'model');
}

export function columnByName(table: Table, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** Case-insensitive match of a column against a list of names (Prisma field names or database names). */
export function columnNamed(column: Column, names: readonly string[]): boolean {
  const field = column.field.toLowerCase();
  const db = column.name.toLowerCase();
  return names.some((n) => n.toLowerCase() === field || n.toLowerCase() === db);
}

/** The first column (in `names` order, then declaration order) that matches one of `names` and `accept`. */
export function findColumnByNames(table: Table, names: readonly string[], accept: (c: Column) => boolean): Column | undefined {
  for (const name of names) {
    const hit = table.columns.find((c) => accept(c) && columnNamed(c, [name]));
    if (hit) return hit;
  }
  return undefined;
}

/** A proposal column for a table column (database name + Prisma field name). */
export function proposedColumn(table: Table, column: string, sort?: 'asc' | 'desc'): ProposedColumn {
  const field = columnByName(table, column)?.field ?? column;
  return sort ? { column, field, sort } : { column, field };
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x)) && new Set(b).size === set.size;
}

/** The first `k` key columns of `index` are exactly `columns` (any order among them). */
export function leadsWith(index: IndexDef, columns: readonly string[]): boolean {
  if (columns.length === 0 || index.columns.length < columns.length) return false;
  return sameSet(
    index.columns.slice(0, columns.length).map((c) => c.column),
    columns,
  );
}

// ---------------------------------------------------------------------------
// Predicates
// ---------------------------------------------------------------------------

/**
 * A canonical form of a partial-index predicate for equality tests: whitespace collapsed (outside
 * literals and quoted identifiers), keywords and bare identifiers lower-cased, quotes dropped from
 * identifiers that would not need them, tokens joined by one space, redundant outer parentheses
 * removed. Two predicates with the same canonical form are the same predicate; the
 * converse is not promised (`a = 1 AND b = 2` vs `b = 2 AND a = 1` stay different).
 */
export function normalizePredicate(where: string | undefined): string | undefined {
  if (where === undefined) return undefined;
  const tokens: string[] = [];
  let i = 0;
  const text = where;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === "'" && text[j + 1] === "'") j += 2;
        else if (text[j] === "'") break;
        else j++;
      }
      tokens.push(text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === '"' && text[j + 1] === '"') j += 2;
        else if (text[j] === '"') break;
        else j++;
      }
      const inner = text.slice(i + 1, j).replace(/""/g, '"');
      tokens.push(/^[a-z_][a-z0-9_$]*$/.test(inner) ? inner : text.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j]!)) j++;
      tokens.push(text.slice(i, j).toLowerCase());
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[0-9.]/.test(text[j]!)) j++;
      tokens.push(text.slice(i, j));
      i = j;
      continue;
    }
    // operators: group runs of operator characters (<=, <>, !=, ::)
    if (/[<>=!~:|&+\-*/%^@#]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[<>=!~:|&+\-*/%^@#]/.test(text[j]!)) j++;
      tokens.push(text.slice(i, j));
      i = j;
      continue;
    }
    tokens.push(ch);
    i++;
  }
  let stripped = tokens;
  while (stripped.length >= 2 && stripped[0] === '(' && stripped[stripped.length - 1] === ')' && closesAtEnd(stripped)) {
    stripped = stripped.slice(1, -1);
  }
  return stripped.join(' ');
}

/** The `(` at index 0 is closed by the last token (so the outer pair can be dropped). */
function closesAtEnd(tokens: string[]): boolean {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === '(') depth++;
    else if (tokens[i] === ')') depth--;
    if (depth === 0 && i < tokens.length - 1) return false;
  }
  return depth === 0;
}

export function samePredicate(a: string | undefined, b: string | undefined): boolean {
  return normalizePredicate(a) === normalizePredicate(b);
}

/**
 * True when the predicate is only `col IS NOT NULL` (joined with AND) on columns in `columns`:
 * every row an FK lookup `WHERE col = $1` can match satisfies it, so the planner can use the index.
 * Accepts quoting, case and parentheses variants: `"authorId" IS NOT NULL`, `(authorid is not null)`
 * (when the column is lower-case), `("a" IS NOT NULL) AND ("b" IS NOT NULL)`.
 */
export function isOnlyNotNullOf(where: string, columns: readonly string[]): boolean {
  const conjuncts = splitTopLevelAnd(where);
  if (conjuncts.length === 0) return false;
  return conjuncts.every((c) => {
    const m = /^\s*(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))\s+is\s+not\s+null\s*$/i.exec(stripParens(c));
    if (!m) return false;
    // An unquoted identifier is folded to lower case by PostgreSQL.
    const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!.toLowerCase();
    return columns.includes(name);
  });
}

function stripParens(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && balancedInner(t)) t = t.slice(1, -1).trim();
  return t;
}

function balancedInner(t: string): boolean {
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')') depth--;
    if (depth === 0 && i < t.length - 1) return false;
  }
  return depth === 0;
}

/** Splits on top-level `AND` (outside parentheses and quotes). Returns [] when an `OR` is at top level. */
function splitTopLevelAnd(where: string): string[] {
  const text = stripParens(where);
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && /\s/.test(ch)) {
      const rest = text.slice(i + 1);
      const kw = /^(and|or)\s/i.exec(rest);
      if (kw) {
        if (kw[1]!.toLowerCase() === 'or') return [];
        parts.push(text.slice(start, i));
        start = i + 1 + kw[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map(stripParens).filter((p) => p.length > 0);
}

// ---------------------------------------------------------------------------
// Foreign-key coverage (FACTS.md "sound rule")
// ---------------------------------------------------------------------------

export interface CoverageVerdict {
  index: IndexDef;
  covers: boolean;
  /** Why it does or does not serve the lookup, for evidence. */
  reason: string;
}

/**
 * Does `index` serve an equality lookup on `columns` (the FK lookup `WHERE a = $1 AND b = $2`)?
 * Yes when it is a btree whose first k key columns are exactly `columns` (any order among them), or a
 * hash index on exactly the one FK column (the constraint check and the join are equality lookups,
 * which hash serves; real schemas such as civitai index FK columns this way on purpose), with no
 * predicate or only `col IS NOT NULL` on those columns. GIN, GiST, SP-GiST, BRIN do not count.
 */
export function judgeCoverage(index: IndexDef, columns: readonly string[]): CoverageVerdict {
  const desc = describeIndex(index);
  const k = columns.length;
  const lead = index.columns.slice(0, k).map((c) => c.column);
  if (!servesMethod(index, columns)) {
    const why = index.method === 'hash' ? 'hash, which serves only a single-column equality' : `${index.method}, not btree or hash`;
    return { index, covers: false, reason: `${desc}: ${why}` };
  }
  if (!sameSet(lead, columns)) {
    const present = columns.filter((c) => lead.includes(c));
    const reason =
      present.length > 0
        ? `${desc}: its first ${k} column${k > 1 ? 's are' : ' is'} ${columnList(lead)}, not ${columnList(columns)}`
        : `${desc}: does not start with ${columnList(columns)}`;
    return { index, covers: false, reason };
  }
  if (!servesPredicate(index, columns)) {
    return { index, covers: false, reason: `${desc}: partial (WHERE ${index.where}), does not hold every row` };
  }
  return { index, covers: true, reason: `${desc}: starts with ${columnList(columns)}` };
}

/** `judgeCoverage(index, columns).covers`, without building the evidence text (rules ask this for every FK). */
export function covers(index: IndexDef, columns: readonly string[]): boolean {
  const lead = index.columns.slice(0, columns.length).map((c) => c.column);
  return servesMethod(index, columns) && sameSet(lead, columns) && servesPredicate(index, columns);
}

function servesMethod(index: IndexDef, columns: readonly string[]): boolean {
  if (index.method === 'btree') return true;
  return index.method === 'hash' && columns.length === 1 && index.columns.length === 1 && index.columns[0]!.column === columns[0];
}

function servesPredicate(index: IndexDef, columns: readonly string[]): boolean {
  return index.where === undefined || isOnlyNotNullOf(index.where, columns);
}

/** Every index / unique / PK (in `allIndexes` order) that covers `columns`. */
export function coveringIndexes(table: Table, columns: readonly string[]): IndexDef[] {
  return allIndexes(table).filter((i) => covers(i, columns));
}

/** The first index / unique / PK (in `allIndexes` order) that covers `columns`, with the verdict for every index considered. */
export function findCovering(table: Table, columns: readonly string[]): { covering?: IndexDef; verdicts: CoverageVerdict[] } {
  const verdicts = allIndexes(table).map((i) => judgeCoverage(i, columns));
  return { covering: verdicts.find((v) => v.covers)?.index, verdicts };
}

export function isFkCovered(table: Table, fk: ForeignKey): boolean {
  return coveringIndexes(table, fk.columns).length > 0;
}

/** A unique constraint or primary key whose columns are exactly `columns` (any order), no predicate: at most one row per value. */
export function exactUnique(table: Table, columns: readonly string[]): IndexDef | undefined {
  const uniques = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques];
  return uniques.find((u) => u.where === undefined && sameSet(u.columns.map((c) => c.column), columns));
}

// ---------------------------------------------------------------------------
// Describing indexes (evidence) and turning them into specs
// ---------------------------------------------------------------------------

export function columnList(columns: readonly string[]): string {
  return `(${columns.map(quoteIdent).join(', ')})`;
}

function keyColumnText(c: IndexColumn): string {
  return [quoteIdent(c.column), c.opclass, c.sort === 'desc' ? 'DESC' : undefined].filter(Boolean).join(' ');
}

const KIND_LABEL: Record<IndexDef['kind'], string> = { primary: 'primary key', unique: 'unique', index: 'index', fulltext: 'fulltext index' };

/** `primary key "Post_pkey" ("id")`, `index "Post_a_b_idx" ("a", "b" DESC) gin WHERE ...`. */
export function describeIndex(index: IndexDef): string {
  const cols = `(${index.columns.map(keyColumnText).join(', ')})`;
  const method = index.method === 'btree' ? '' : ` using ${index.method}`;
  const where = index.where !== undefined ? ` WHERE ${index.where}` : '';
  return `${KIND_LABEL[index.kind]} ${quoteIdent(index.name)} ${cols}${method}${where}`;
}

const TRGM_OPCLASSES = new Set(['gin_trgm_ops', 'gist_trgm_ops']);

/** The existing index as an `IndexSpec` (what `CREATE INDEX` would re-create it). */
export function indexDefToSpec(table: Table, index: IndexDef): IndexSpec {
  const columns: ProposedColumn[] = index.columns.map((c) => {
    const col: ProposedColumn = { column: c.column, field: c.field };
    if (c.sort) col.sort = c.sort;
    if (c.opclass) col.opclass = c.opclass;
    if (c.prismaOps) col.prismaOps = c.prismaOps;
    return col;
  });
  const spec: IndexSpec = {
    kind: 'index',
    table: table.name,
    columns,
    method: index.method,
    unique: index.kind === 'unique' || index.kind === 'primary',
    include: [],
    extensions: index.columns.some((c) => c.opclass && TRGM_OPCLASSES.has(c.opclass.toLowerCase())) ? ['pg_trgm'] : [],
  };
  if (table.schema) spec.schema = table.schema;
  if (index.where !== undefined) spec.where = index.where;
  return spec;
}

/** A plain btree `IndexSpec` on `columns` of `table`. */
export function btreeSpec(table: Table, columns: ProposedColumn[], extra: { where?: string; unique?: boolean } = {}): IndexSpec {
  const spec: IndexSpec = {
    kind: 'index',
    table: table.name,
    columns,
    method: 'btree',
    unique: extra.unique ?? false,
    include: [],
    extensions: [],
  };
  if (table.schema) spec.schema = table.schema;
  if (extra.where !== undefined) spec.where = extra.where;
  return spec;
}

/** `"schema"."table"` or `"table"` for message text. */
export function tableRef(table: { name: string; schema?: string }): string {
  return table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
}

/** `"a" = $1 AND "b" = $2` */
export function equalityPredicate(columns: readonly string[], firstParam = 1): string {
  return columns.map((c, i) => `${quoteIdent(c)} = $${i + firstParam}`).join(' AND ');
}

/** The referenced (parent) table of an FK, by database name (and schema when known). */
export function referencedTable(model: SchemaModel, fk: ForeignKey): Table | undefined {
  return model.tables.find((t) => t.name === fk.referencedTable);
}
