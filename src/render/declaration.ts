/**
 * spec → how schema.prisma declares it (PrismaDeclaration): the `@@index(...)` / `@@unique(...)`
 * line as Prisma itself writes it, or why there is none.
 *
 * Written the way Prisma's introspection renders an index: fields (with `sort:` then `ops:`),
 * then `map:`, `type:`, `where:`. `type:` is left out for btree, Prisma's default.
 *
 * `map:` is always written. Leaving it out is only right when the name equals Prisma's default
 * for these exact columns after `@map`/`@@map` and the 63-byte trim, and the plan may have chosen
 * another name (a widened index, a clash). With `map:` the line binds to the index the migration
 * created, whatever the naming rules; Prisma accepts a `map:` equal to the default as it is.
 */
import { renderExpressionSql } from './expression';
import type { Span } from '../model/types';
import type { PrismaDeclaration } from '../plan/types';
import type { Predicate } from '../model/query-shape';
import type { IndexSpec, ProposalSpec, ProposedColumn } from '../rules/types';
import { isPrismaIdentifier } from '../schema/identifier';
import { renderPredicateSql } from './predicate';

/** Prisma's `type:` argument for each access method (btree is the default and is left out). */
const PRISMA_INDEX_TYPE: Record<IndexSpec['method'], string | undefined> = {
  btree: undefined,
  hash: 'Hash',
  gist: 'Gist',
  gin: 'Gin',
  spgist: 'SpGist',
  brin: 'Brin',
};

export const CHECK_DECLARATION_REASON = 'Prisma cannot declare CHECK constraints and does not treat them as drift';

/**
 * A Prisma string literal: `"` and `\` escaped with a backslash, line breaks and tabs as `\n`,
 * `\r`, `\t`, every other control character as `\uXXXX`.
 */
export function prismaString(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return `"${out}"`;
}

function prismaIdentifier(name: string, what: string): string {
  if (!isPrismaIdentifier(name)) throw new Error(`not a Prisma ${what} name: ${JSON.stringify(name)}`);
  return name;
}

function fieldArgument(column: ProposedColumn): string {
  const args: string[] = [];
  if (column.sort === 'desc') args.push('sort: Desc');
  if (column.prismaOps) args.push(`ops: ${prismaIdentifier(column.prismaOps, 'operator class')}`);
  else if (column.opclass) args.push(`ops: raw(${prismaString(column.opclass)})`);
  const field = prismaIdentifier(column.field, 'field');
  return args.length > 0 ? `${field}(${args.join(', ')})` : field;
}

/** `raw("...")`: a predicate as Prisma's `where:` argument of `@@index` (the one printer of it). */
export function prismaRawWhere(predicate: Predicate): string {
  return `raw(${prismaString(renderPredicateSql(predicate))})`;
}

/** The `@@index(...)` / `@@unique(...)` line for an index Prisma can declare. */
export function indexAttribute(spec: IndexSpec, name: string): string {
  if (spec.columns.length === 0) throw new Error(`index ${JSON.stringify(name)} has no columns`);
  const args = [`[${spec.columns.map(fieldArgument).join(', ')}]`, `map: ${prismaString(name)}`];
  const type = PRISMA_INDEX_TYPE[spec.method];
  if (type) args.push(`type: ${type}`);
  if (spec.where !== undefined) args.push(`where: ${prismaRawWhere(spec.where)}`);
  return `@@${spec.unique ? 'unique' : 'index'}(${args.join(', ')})`;
}

function includeReason(spec: IndexSpec, name: string): string {
  return (
    `Prisma cannot declare an index with INCLUDE columns (${spec.include.join(', ')}): it sees ` +
    `"${name}" as drift, and the next prisma migrate dev generates a DROP INDEX for it. Delete that ` +
    `statement from each generated migration, or drop the INCLUDE columns to make the index declarable.`
  );
}

function expressionReason(spec: IndexSpec, name: string): string {
  const keys = spec.columns.flatMap((c) => (c.expression ? [renderExpressionSql(c.expression)] : []));
  return (
    `Prisma cannot declare an index on an expression (${keys.join(', ')}): it sees "${name}" as drift, ` +
    `and the next prisma migrate dev generates a DROP INDEX for it. Delete that statement from each ` +
    `generated migration, or store the expression in a column of its own and index that.`
  );
}

function indexDeclaration(spec: IndexSpec, name: string): PrismaDeclaration {
  if (spec.columns.some((c) => c.expression !== undefined))
    return { kind: 'none', drift: true, reason: expressionReason(spec, name) };
  if (spec.include.length > 0) return { kind: 'none', drift: true, reason: includeReason(spec, name) };
  return {
    kind: 'attribute',
    attribute: indexAttribute(spec, name),
    previewFeatures: spec.where !== undefined ? ['partialIndexes'] : [],
  };
}

/**
 * How schema.prisma declares the entry. `span` is the place of the attribute to remove, needed
 * (only) for a drop-index entry.
 */
export function renderDeclaration(spec: ProposalSpec, name: string, span?: Span): PrismaDeclaration {
  switch (spec.kind) {
    case 'index':
      return indexDeclaration(spec, name);
    case 'check':
      return { kind: 'none', drift: false, reason: CHECK_DECLARATION_REASON };
    case 'drop-index': {
      const existing = indexDeclaration(spec.recreate, spec.name);
      if (existing.kind !== 'attribute') {
        return {
          kind: 'none',
          drift: false,
          reason: `"${spec.name}" cannot be declared in schema.prisma (INCLUDE columns), so there is no line to remove.`,
        };
      }
      if (!span)
        throw new Error(`drop-index ${JSON.stringify(spec.name)}: the span of the attribute to remove is required`);
      return { kind: 'drop-attribute', span, attribute: existing.attribute };
    }
  }
}
