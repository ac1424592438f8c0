/**
 * Prisma's default database names for constraints, indexes, relations and implicit m:n tables,
 * reproduced from prisma-engines so that idxgen names what Prisma names and finds what Prisma
 * created:
 *
 * - psl/psl-core/src/datamodel_connector/constraint_names.rs (`ConstraintNames`): `{table}_pkey`,
 *   `{table}_{cols}_key`, `{table}_{cols}_idx`, `{table}_{cols}_fkey`, built from database names
 *   (after `@map` / `@@map`). When the name would not fit PostgreSQL's 63-byte identifier limit,
 *   the part before the suffix is cut to `63 - suffix` bytes, at a UTF-8 character boundary
 *   (`floor_char_boundary`), so the suffix always survives.
 * - psl/parser-database/src/walkers/relation.rs (`RelationName::generated`): `{A}To{B}` with the
 *   two model names in byte order.
 * - schema-engine/connectors/sql-schema-connector/src/sql_schema_calculator.rs
 *   (`push_relation_tables`): the implicit m:n table `_{relation}` (first 63 characters), its
 *   `_AB_pkey` primary key (PostgreSQL; other databases get an `_AB_unique` index) and `_B_index`
 *   (table name cut to 55 characters), and FKs `_A_fkey` / `_B_fkey` (table name cut to 56 bytes).
 */

/** PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes. */
export const POSTGRES_MAX_IDENTIFIER_BYTES = 63;

/** Length of `text` in UTF-8 bytes (what PostgreSQL's 63-byte limit counts). */
export function utf8ByteLength(text: string): number {
  if (isAscii(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/**
 * The longest prefix of `text` that is at most `maxBytes` bytes in UTF-8, never cutting a character
 * (Rust's `floor_char_boundary`; PostgreSQL's own identifier truncation cuts the same way).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || utf8ByteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const cp = text.codePointAt(end)!;
    // UTF-8 length of the code point (a lone surrogate is written as U+FFFD: 3 bytes).
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += cp > 0xffff ? 2 : 1;
  }
  return text.slice(0, end);
}

/** The first `count` characters (Unicode code points, like Rust's `chars().take(n)`). */
function takeChars(text: string, count: number): string {
  if (text.length <= count) return text;
  let taken = 0;
  let end = 0;
  for (const ch of text) {
    if (taken === count) break;
    taken++;
    end += ch.length;
  }
  return text.slice(0, end);
}

/** `prefix` cut to fit, then `suffix`: the shape of every default name in `ConstraintNames`. */
export function fitWithSuffix(prefix: string, suffix: string, maxBytes = POSTGRES_MAX_IDENTIFIER_BYTES): string {
  return truncateUtf8(prefix, maxBytes - utf8ByteLength(suffix)) + suffix;
}

/**
 * `{table}_{col1}_{col2}{suffix}`, fitted to 63 bytes. Exported for names idxgen invents in the
 * same style (e.g. `_check`); use the specific functions below for Prisma's own names.
 */
export function defaultConstraintName(table: string, columns: readonly string[], suffix: string): string {
  return fitWithSuffix(`${table}_${columns.join('_')}`, suffix);
}

/** `@id` / `@@id` without `map:`. */
export function primaryKeyName(table: string): string {
  return fitWithSuffix(table, '_pkey');
}

/** `@unique` / `@@unique` without `map:`. */
export function uniqueConstraintName(table: string, columns: readonly string[]): string {
  return defaultConstraintName(table, columns, '_key');
}

/** `@@index` / `@@fulltext` without `map:`. */
export function indexName(table: string, columns: readonly string[]): string {
  return defaultConstraintName(table, columns, '_idx');
}

/** `@relation(fields: [...])` without `map:`; `table` and `columns` are the referencing side's. */
export function foreignKeyName(table: string, columns: readonly string[]): string {
  return defaultConstraintName(table, columns, '_fkey');
}

/** Compares like Rust's `str` ordering (UTF-8 bytes = code points), not JavaScript's UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The relation name Prisma generates when `@relation("...")` gives none: `{A}To{B}`, A ≤ B. */
export function defaultRelationName(modelA: string, modelB: string): string {
  return compareCodePoints(modelA, modelB) < 0 ? `${modelA}To${modelB}` : `${modelB}To${modelA}`;
}

export interface ImplicitJoinTableNames {
  table: string;
  primaryKey: string;
  bIndex: string;
  aForeignKey: string;
  bForeignKey: string;
}

/**
 * Names of the table Prisma creates for an implicit m:n relation, as they end up in PostgreSQL.
 * Prisma cuts these by characters, not bytes; with multi-byte characters its result can exceed 63
 * bytes, and PostgreSQL then truncates the identifier itself (at a character boundary): the final
 * `truncateUtf8(…, 63)` reproduces that. (Prisma cuts the FK prefix at byte 56 without checking
 * for a character boundary — it would panic there; we cut at the boundary below.)
 */
export function implicitJoinTableNames(relationName: string): ImplicitJoinTableNames {
  const max = POSTGRES_MAX_IDENTIFIER_BYTES;
  const table = takeChars(`_${relationName}`, max);
  const short = takeChars(table, max - 8);
  const fkPrefix = truncateUtf8(table, max - '_fkey'.length - 2);
  return {
    table: truncateUtf8(table, max),
    primaryKey: truncateUtf8(`${short}_AB_pkey`, max),
    bIndex: truncateUtf8(`${short}_B_index`, max),
    aForeignKey: truncateUtf8(`${fkPrefix}_A_fkey`, max),
    bForeignKey: truncateUtf8(`${fkPrefix}_B_fkey`, max),
  };
}

/** FNV-1a 32-bit of the UTF-8 bytes, 8 hex digits: a stable tag for names that had to be cut. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
