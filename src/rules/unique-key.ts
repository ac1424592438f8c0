/**
 * unique-key: idempotency / dedupe keys need a unique index, or retries insert duplicates.
 */
import type { Column, IndexDef, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import {
  readOf,
  btreeSpec,
  columnList,
  columnsNamed,
  describeIndex,
  lowerCased,
  proposedColumn,
  tableRef,
} from './coverage';
import { defineRule, eachModelTable } from './define-rule';
import { option, type OptionsOf } from './rule-options';
import type { Proposal } from './types';

const OPTIONS = {
  /** Key fields on any table (Prisma field or database name, case-insensitive). */
  fields: option.strings([
    'idempotencyKey',
    'idempotency_key',
    'dedupeKey',
    'dedupe_key',
    'dedupKey',
    'dedup_key',
    'deduplicationKey',
    'deduplication_key',
    'requestId',
    'request_id',
  ]),
  /** Key fields that count only on ingest-like tables (see `ingestTables`). */
  ingestFields: option.strings([
    'eventId',
    'event_id',
    'messageId',
    'message_id',
    'deliveryId',
    'delivery_id',
    'externalEventId',
    'external_event_id',
  ]),
  /** Words (case-insensitive, plural too) of a model or table name that mark an ingest / inbox / event table. */
  ingestTables: option.strings(['event', 'inbox', 'ingest', 'webhook', 'delivery', 'deliveries']),
  /** Words of a model or table name where such fields are correlation ids, not keys (logs, audit trails). */
  excludeTables: option.strings(['log', 'audit', 'trace', 'span', 'history', 'metric']),
};

export type UniqueKeyOptions = OptionsOf<typeof OPTIONS>;

const KEY_TYPES = new Set(['String', 'Int', 'BigInt', 'Bytes']);

export const rule = defineRule({
  options: OPTIONS,
  meta: {
    id: 'unique-key',
    summary: "Idempotency / dedupe keys (idempotencyKey, requestId, an inbox's eventId) need a unique index.",
    defaultSeverity: 'info',
    basis: 'guess',
    docs: {
      problem:
        'An idempotency key exists so that a retried request or a redelivered event is processed once. ' +
        'Without a unique constraint the application\'s "look it up, insert if missing" races with the retry: both see no row, both insert, and the work is done twice. ' +
        'A plain index makes the lookup fast but does not stop the duplicate.',
      proposal:
        'A UNIQUE btree index on the key column, for fields named in `fields` on any model and fields named in `ingestFields` on models whose model or table name ' +
        'has a word in `ingestTables` (words split on case and underscores, plurals too) (an `eventId` is a dedupe key on a webhook inbox, not on an analytics table). ' +
        'Models whose name has a word in `excludeTables` (logs, audit trails, traces) are skipped: there a `requestId` is a correlation id shared by many rows. ' +
        'Only String, Int, BigInt and Bytes columns that are not lists count, and a column that is part of a foreign key is skipped (`requestId` there points at a request row; it is not a key). ' +
        'A unique constraint or primary key on exactly the column satisfies the rule, and so does a composite unique constraint that includes the column: ' +
        'it says the key is scoped (per tenant, per environment), and a global unique index would reject rows the schema allows. ' +
        'Tables whose primary key combines columns with a DateTime column (`@@id([id, createdAt])`) are skipped: that is the shape of a partitioned table, ' +
        'where PostgreSQL requires the partition key in every unique index, so a unique index on the key alone cannot be created. ' +
        'When a plain index already ends with the key after other columns (`@@index([environmentId, type, dedupeKey])`), the schema scopes the key: ' +
        "the proposal is a unique index on that index's columns rather than on the key alone. " +
        'Creating the index fails if duplicates already exist: the message gives the query that finds them. In Prisma, declare it with `@unique`, which also enables `upsert` and `findUnique` by the key.',
      bad: [
        'model Payment {',
        '  id             Int    @id @default(autoincrement())',
        '  idempotencyKey String',
        '}',
      ].join('\n'),
      good: [
        'model Payment {',
        '  id             Int    @id @default(autoincrement())',
        '  idempotencyKey String @unique',
        '}',
      ].join('\n'),
    },
  },

  check: eachModelTable((table, { options }) => {
    if (looksPartitioned(table) || nameContains(table, options.excludeTables)) return [];
    const ingest = nameContains(table, options.ingestTables);
    const keys = [...(table.primaryKey ? [table.primaryKey] : []), ...table.uniques];
    const named = columnsNamed(table, options.fields);
    const ingestNamed = ingest ? columnsNamed(table, options.ingestFields) : new Set<Column>();
    if (named.size === 0 && ingestNamed.size === 0) return [];
    return table.columns.flatMap((column) => {
      if (column.list || column.kind !== 'scalar' || !KEY_TYPES.has(column.type)) return [];
      const generic = named.has(column);
      const ingestKey = ingestNamed.has(column);
      if (!generic && !ingestKey) return [];
      if (table.foreignKeys.some((fk) => fk.columns.includes(column.name))) return [];
      if (keys.some((k) => k.columns.some((c) => c.column === column.name))) return [];
      return [proposal(table, column, generic ? 'idempotency/dedupe key name' : 'event/message id on an ingest table')];
    });
  }),
});

/** Words of a model or table name (camelCase, PascalCase, snake_case, kebab-case), lower-cased. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** A word of the model or table name equals one of `words` (or its plural with -s / -es). */
function nameContains(table: Table, words: readonly string[]): boolean {
  const wanted = lowerCased(words);
  // A word of the name (or its singular) contains the wanted word: no name containing none is split into words.
  const names = `${table.model}\u0000${table.name}`.toLowerCase();
  if (![...wanted].some((w) => names.includes(w))) return false;
  for (const word of wordsOfTable(table)) {
    if (wanted.has(word)) return true;
    if (word.endsWith('s') && wanted.has(word.slice(0, -1))) return true;
    if (word.endsWith('es') && wanted.has(word.slice(0, -2))) return true;
  }
  return false;
}

const tableWords = new WeakMap<Table, ReadonlySet<string>>();

function wordsOfTable(table: Table): ReadonlySet<string> {
  let words = tableWords.get(table);
  if (words === undefined) {
    words = new Set([...nameWords(table.model), ...nameWords(table.name)]);
    tableWords.set(table, words);
  }
  return words;
}

function looksPartitioned(table: Table): boolean {
  const pk = table.primaryKey;
  if (!pk || pk.columns.length < 2) return false;
  return pk.columns.some((c) => table.columns.find((col) => col.name === c.column)?.type === 'DateTime');
}

/** A plain, non-partial btree index that ends with the key column after scope columns: `(environmentId, type, dedupeKey)`. */
function scopingIndex(table: Table, column: Column): IndexDef | undefined {
  return table.indexes.find(
    (i) =>
      i.kind === 'index' &&
      i.method === 'btree' &&
      i.where === undefined &&
      i.columns.length >= 2 &&
      i.columns[i.columns.length - 1]!.column === column.name,
  );
}

function proposal(table: Table, column: Column, why: string): Omit<Proposal, 'severity'> {
  const t = tableRef(table);
  const c = quoteIdent(column.name);
  const scope = scopingIndex(table, column);
  const keyColumns = scope ? scope.columns.map((x) => x.column) : [column.name];
  const key = keyColumns.map(quoteIdent).join(', ');
  const nonUnique = table.indexes.filter((i) => i.columns.some((x) => x.column === column.name));
  const prisma = scope ? `\`@@unique([${scope.columns.map((x) => x.field).join(', ')}])\`` : '`@unique`';
  const notNull = keyColumns.map((k) => `${quoteIdent(k)} IS NOT NULL`).join(' AND ');
  return {
    ruleId: 'unique-key',
    spec: btreeSpec(
      table,
      keyColumns.map((k) => proposedColumn(table, k)),
      { unique: true },
    ),
    // The conflict check of INSERT ... ON CONFLICT is a lookup of the key.
    serves: [readOf(table, { equal: keyColumns })],
    message: {
      title: scope
        ? `${t}.${c} looks like an idempotency key scoped by ${columnList(keyColumns.slice(0, -1))} but is not unique`
        : `${t}.${c} looks like an idempotency key but is not unique`,
      cost: `A retried request or redelivered message inserts a second row with the same ${c} and is processed twice: a check-then-insert in application code races with the retry.`,
      instead: `Create a UNIQUE index on ${t} (${key}) (${prisma} in Prisma), which fails while duplicates exist, so find them first with SELECT ${key}, count(*) FROM ${t} WHERE ${notNull} GROUP BY ${key} HAVING count(*) > 1`,
      serves: `INSERT INTO ${t} (${key}, …) VALUES (${keyColumns.map((_, i) => `$${i + 1}`).join(', ')}, …) ON CONFLICT (${key}) DO NOTHING`,
    },
    evidence: [
      `${t}.${c} (${column.type}${column.nullable ? '?' : ''}): ${why}`,
      'no unique constraint or primary key includes it',
      ...nonUnique.map(
        (i) =>
          `considered ${describeIndex(i)}: not unique${i === scope ? ', and it scopes the key: proposed unique on its columns' : ''}`,
      ),
    ],
    span: column.span,
    model: table.model,
  };
}
