/**
 * Every piece of SQL verify sends that it writes itself: statements come from
 * `templates/verify/<name>.sql.hbs`; the small fragments they are filled with (value expressions
 * for generated rows, lookups, literals) are built here, and only here. Identifiers go through
 * `quoteIdent`/`qualifiedName`, literals through `quoteLiteral` (src/sql/quote.ts).
 *
 * The one exception, by necessity: index predicates and CHECK expressions are SQL expressions,
 * not names. They are taken as PostgreSQL prints them (`pg_get_expr`) or as the schema declares
 * them, and they only ever run in verify's scratch database.
 */
import * as path from 'node:path';
import type Handlebars from 'handlebars';
import { template, templatesRoot } from '../templates';
import { qualifiedName, quoteIdent, quoteLiteral } from '../sql/quote';

// ---------------------------------------------------------------------------------------------
// Templates

export const VERIFY_SQL_TEMPLATES = [
  'server-info',
  'table-columns',
  'check-expressions',
  'extensions',
  'create-extension',
  'declared-index',
  'replication-role',
  'insert-rows',
  'analyze',
  'count-rows',
  'sample-key',
  'sample-element',
  'sample-range',
  'evidence-query',
  'explain',
  'index-partitions',
  'empty-partitioned',
  'partitioned-without-default',
  'partitioned-tables',
  'create-default-partition',
  'drop-default-partition',
] as const;

export type VerifySqlTemplate = (typeof VERIFY_SQL_TEMPLATES)[number];

/** `templates/verify/` of this package (next to `src/` in the checkout, next to `dist/` when published). */
export function verifyTemplatesDir(): string {
  return path.join(templatesRoot(), 'verify');
}

/** `templates/verify/<file>` through the one loader (src/templates.ts); a missing file is an error. */
export function verifyTemplate(file: string): Handlebars.TemplateDelegate {
  return template(`verify/${file}`);
}

/** One statement from `templates/verify/<name>.sql.hbs`; every value must already be safe SQL. */
export function verifySql(name: VerifySqlTemplate, view: object = {}): string {
  return verifyTemplate(`${name}.sql.hbs`)(view).trim();
}

// ---------------------------------------------------------------------------------------------
// Names

/** `"schema"."table"`, or `"table"` in the default schema (`public`). */
export function tableSql(table: string, schema?: string): string {
  return qualifiedName(table, schema && schema !== 'public' ? schema : undefined);
}

/** The qualified name as text for `$1::text::regclass` (one builder, src/sql/quote.ts). */
export { regclassText } from '../sql/quote';

/** Transaction control for building declarations that are rolled back (apply.ts). */
export const tx = {
  begin: 'BEGIN',
  rollback: 'ROLLBACK',
  savepoint: (name: string) => `SAVEPOINT ${quoteIdent(name)}`,
  release: (name: string) => `RELEASE SAVEPOINT ${quoteIdent(name)}`,
  rollbackTo: (name: string) => `ROLLBACK TO SAVEPOINT ${quoteIdent(name)}`,
};

// ---------------------------------------------------------------------------------------------
// Generated values

/** What the generator knows about one column (from templates/verify/table-columns.sql.hbs). */
export interface ColumnInfo {
  name: string;
  typname: string;
  /** pg_type.typtype: b base, e enum, d domain, c composite, r range. */
  typtype: string;
  /** pg_type.typcategory: N numeric, S string, D date/time, B boolean, U user (uuid, jsonb, bytea), E enum, A array. */
  category: string;
  typeSchema: string;
  typmod: number;
  notNull: boolean;
  hasDefault: boolean;
  generated: boolean;
  identityAlways: boolean;
  elemTypname: string | null;
  elemTyptype: string | null;
  elemCategory: string | null;
  elemTypeSchema: string | null;
  /** Enum labels (of the column's type, or of its element type for an enum array). */
  labels: string[];
}

/** How a column's values must be spread. */
export interface ValueRole {
  /** In a unique index or the primary key: every row gets its own value. */
  distinct: boolean;
  /** In an index key or a foreign key: ~1,000 distinct values (about 20 rows each at 20,000 rows). */
  key: boolean;
  /** Enum columns: 1-based position of the label most rows get (a value no partial index selects). */
  dominantLabel: number;
}

const G = 'g';
/**
 * Distinct values of a key column: at 20,000 rows, about 20 rows share each. Moduli are primes,
 * so that they do not line up with the `g % 10` that makes nullable columns NULL (with 1,000, the
 * rows left non-NULL would only ever hold multiples of 10).
 */
export const KEY_VALUES = 997;
/** Distinct values of the `k` key in generated JSON, and of array elements. */
export const SMALL_VALUES = 97;

function mod(n: number): string {
  return `(${G} % ${n})`;
}

/** `varchar(n)` / `char(n)` length from atttypmod, or undefined. */
export function maxLength(col: Pick<ColumnInfo, 'typname' | 'typmod'>): number | undefined {
  return (col.typname === 'varchar' || col.typname === 'bpchar') && col.typmod > 4 ? col.typmod - 4 : undefined;
}

/** Integer digits allowed by `numeric(p, s)`, or undefined when unconstrained. */
function numericIntegerDigits(typmod: number): number | undefined {
  if (typmod < 4) return undefined;
  const precision = ((typmod - 4) >> 16) & 0xffff;
  const scale = (typmod - 4) & 0xffff;
  return precision - scale;
}

function textValue(col: ColumnInfo, role: ValueRole): string {
  const limit = maxLength(col);
  const emailLike = /e-?mail/i.test(col.name);
  let base: string;
  if (role.distinct && limit !== undefined && limit < 16) base = `${G}::text`;
  else base = role.distinct ? `md5(${G}::text)` : `md5(${mod(KEY_VALUES)}::text)`;
  if (emailLike) base = `${base} || ${quoteLiteral('@example.com')}`;
  return limit !== undefined ? `left(${base}, ${limit})` : base;
}

function numberValue(typname: string, typmod: number, role: ValueRole): string | undefined {
  switch (typname) {
    case 'int2':
      return role.distinct ? `(${G} % 32000)::int2` : role.key ? `${mod(KEY_VALUES)}::int2` : `(1 + ${mod(10)})::int2`;
    case 'int4':
    case 'int8':
    case 'oid':
      return role.distinct ? G : role.key ? mod(KEY_VALUES) : `(1 + ${mod(10)})`;
    case 'float4':
    case 'float8':
      return role.distinct ? `${G}::float8` : `${role.key ? mod(KEY_VALUES) : `(1 + ${mod(10)})`}::float8`;
    case 'numeric': {
      const digits = numericIntegerDigits(typmod);
      if (digits !== undefined && digits <= 0) return '0::numeric';
      const cap = digits === undefined ? undefined : 10 ** Math.min(digits, 9);
      if (role.distinct) return cap === undefined || cap > 1_000_000 ? `${G}::numeric` : `(${G} % ${cap})::numeric`;
      const n = role.key ? KEY_VALUES : 10;
      return `(1 + ${G} % ${cap === undefined ? n : Math.min(n, cap - 1)})::numeric`;
    }
    default:
      return undefined;
  }
}

function dateTimeValue(typname: string, role: ValueRole): string | undefined {
  const step = role.distinct || role.key ? G : mod(KEY_VALUES);
  switch (typname) {
    case 'timestamp':
    case 'timestamptz':
      return `(timestamp '2024-01-01 00:00:00' + make_interval(mins => ${step}))`;
    case 'date':
      return `(date '2000-01-01' + ${step})`;
    case 'time':
    case 'timetz':
      return `(time '00:00:00' + make_interval(secs => ${step}))`;
    case 'interval':
      return `make_interval(secs => ${step})`;
    default:
      return undefined;
  }
}

function enumType(col: ColumnInfo, element: boolean): string {
  return element ? qualifiedName(col.elemTypname!, col.elemTypeSchema!) : qualifiedName(col.typname, col.typeSchema);
}

function enumValue(col: ColumnInfo, role: ValueRole, element = false): string | undefined {
  const n = col.labels.length;
  if (n === 0) return undefined;
  const range = `(enum_range(NULL::${enumType(col, element)}))`;
  if (role.distinct || element) return `${range}[1 + ${mod(n)}]`;
  // Skewed: one row in 50 cycles through every label, the others get the dominant one, so a
  // partial index on the waiting states of a queue holds a small part of the table.
  return `${range}[CASE WHEN ${mod(50)} = 0 THEN 1 + (${G} / 50) % ${n} ELSE ${role.dominantLabel} END]`;
}

function arrayValue(col: ColumnInfo): string | undefined {
  const category = col.elemCategory;
  const name = col.elemTypname ?? '';
  if (category === 'S')
    return `ARRAY[${quoteLiteral('t')} || ${mod(SMALL_VALUES)}, ${quoteLiteral('u')} || ${mod(37)}]`;
  if (category === 'N' && ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'].includes(name))
    return `ARRAY[${mod(SMALL_VALUES)}, 1000 + ${mod(37)}]`;
  if (category === 'B') return `ARRAY[${mod(2)} = 0]`;
  if (category === 'E' || col.elemTyptype === 'e')
    return `ARRAY[${enumValue(col, { distinct: false, key: false, dominantLabel: 1 }, true)}]`;
  if (name === 'uuid') return `ARRAY[md5(${mod(SMALL_VALUES)}::text)::uuid]`;
  if (name === 'timestamp' || name === 'timestamptz')
    return `ARRAY[timestamp '2024-01-01 00:00:00' + make_interval(days => ${mod(SMALL_VALUES)})]`;
  if (name === 'date') return `ARRAY[date '2000-01-01' + ${mod(SMALL_VALUES)}]`;
  return undefined;
}

/**
 * The SQL expression (over `g`, the row number) that fills a column, or undefined when verify
 * cannot generate its type. Nullable columns are NULL in 9 rows of 10 (soft-delete markers,
 * optional references and retry times are mostly NULL in real tables), except in unique columns.
 */
export function valueExpression(col: ColumnInfo, role: ValueRole): string | undefined {
  const value = baseValue(col, role);
  if (value === undefined) return undefined;
  if (col.notNull || role.distinct) return value;
  return `CASE WHEN ${mod(10)} = 0 THEN ${value} END`;
}

function baseValue(col: ColumnInfo, role: ValueRole): string | undefined {
  if (col.typtype === 'e') return enumValue(col, role);
  if (col.category === 'A') return arrayValue(col);
  switch (col.typname) {
    case 'uuid':
      return role.distinct ? `md5(${G}::text)::uuid` : `md5(${mod(KEY_VALUES)}::text)::uuid`;
    case 'bool':
      return `(${mod(2)} = 0)`;
    case 'jsonb':
      return `jsonb_build_object(${quoteLiteral('k')}, ${mod(SMALL_VALUES)})`;
    case 'json':
      return `json_build_object(${quoteLiteral('k')}, ${mod(SMALL_VALUES)})`;
    case 'bytea':
      return `decode(md5(${role.distinct ? G : mod(KEY_VALUES)}::text), ${quoteLiteral('hex')})`;
    default:
      break;
  }
  if (col.category === 'S') return textValue(col, role);
  if (col.category === 'N') return numberValue(col.typname, col.typmod, role);
  if (col.category === 'D' || col.category === 'T') return dateTimeValue(col.typname, role);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Query fragments

/** `"col" = 'value'`: an untyped literal, so PostgreSQL reads it as the column's type. */
export function equals(column: string, value: string): string {
  return `${quoteIdent(column)} = ${quoteLiteral(value)}`;
}

/** The array literal `{"elem"}` holding one element (quotes and backslashes escaped). */
export function arrayLiteral(element: string): string {
  return `{"${element.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"}`;
}

/** The LIKE pattern for a substring, prefix or suffix match on `part`, its wildcards escaped. */
export function likePattern(part: string, match: 'contains' | 'startsWith' | 'endsWith'): string {
  const escaped = part.replace(/\\/g, '\\\\').replace(/%/g, '\\%').replace(/_/g, '\\_');
  return `${match === 'startsWith' ? '' : '%'}${escaped}${match === 'endsWith' ? '' : '%'}`;
}

/** One key column of a declared index: `"col" "opclass" DESC`. */
export function indexColumnSql(column: string, opclass: string | undefined, descending: boolean): string {
  return `${quoteIdent(column)}${opclass ? ` ${quoteIdent(opclass)}` : ''}${descending ? ' DESC' : ''}`;
}

/** An expression in parentheses, unless one pair already wraps all of it (as `pg_get_expr` prints predicates). */
export function parenthesized(expression: string): string {
  const e = expression.trim();
  if (e.startsWith('(') && closingParen(e) === e.length - 1) return e;
  return `(${e})`;
}

/** Index of the `)` closing the `(` at 0, skipping quoted identifiers and strings; -1 if none. */
function closingParen(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i++;
      while (i < text.length && !(text[i] === ch && text[i + 1] !== ch)) i += text[i] === ch ? 2 : 1;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}
