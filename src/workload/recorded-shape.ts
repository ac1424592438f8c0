/**
 * The query shapes that `idxgen/prisma`'s `recordQueryShapes` extension writes, one JSON object a
 * line (schemas/query-shapes.schema.json). A shape is what a Prisma Client call asks for, without
 * the values it asks with: field names, filter operators, relation filters, sort directions and
 * whether a page size was given. The only values kept are the ones that are part of the schema
 * itself, not of the data: enum values and booleans (a `status: { in: [...] }` that most reads
 * carry is what a partial index needs).
 *
 * Field names are Prisma field names, not database names: the reader maps them with the schema.
 */

/** Version of the line format; a reader refuses a line with another one. */
export const RECORDED_SHAPE_VERSION = 1;

export type ShapeValue = string | boolean;

/** A condition on one scalar (or enum, or Json, or list) field. */
export interface FieldCondition {
  field: string;
  /** Prisma's filter operator, normalized: `equals: null` is `isNull`, `not: null` is `isNotNull`. */
  op: FieldOperator;
  /** `mode: 'insensitive'` on a string filter. */
  insensitive?: true;
  /** A Json filter with `path`. */
  path?: true;
  /** The operand, only when it is an enum value or a boolean (lists: sorted, deduplicated). */
  values?: ShapeValue[];
  /** `not: { ... }`: the negated conditions on the same field. */
  not?: FieldCondition[];
}

/** The filter operators of Prisma Client a recording keeps (the recorder reads them from `where`). */
export const PRISMA_FIELD_OPERATORS = [
  'equals',
  'in',
  'notIn',
  'lt',
  'lte',
  'gt',
  'gte',
  'not',
  'contains',
  'startsWith',
  'endsWith',
  'search',
  'has',
  'hasSome',
  'hasEvery',
  'isEmpty',
  'string_contains',
  'string_starts_with',
  'string_ends_with',
  'array_contains',
  'array_starts_with',
  'array_ends_with',
] as const;

/** A recorded field condition's operator: Prisma's, plus the NULL tests the recorder derives from `equals: null` / `not: null`. */
export const FIELD_OPERATORS = [...PRISMA_FIELD_OPERATORS, 'isNull', 'isNotNull'] as const;

export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** A filter through a relation: `author: { is: {...} }`, `posts: { some: {...} }`. */
export interface RelationCondition {
  relation: string;
  quantifier: 'is' | 'isNot' | 'some' | 'every' | 'none';
  /** Absent for `author: null` (`is` null) / `author: { isNot: null }`. */
  where?: WhereShape;
}

export type WhereShape =
  { and: WhereShape[] } | { or: WhereShape[] } | { not: WhereShape[] } | FieldCondition | RelationCondition;

export interface OrderShape {
  /** Relation names then the field: `['author', 'name']` for `orderBy: { author: { name: 'asc' } }`. */
  path: string[];
  direction: 'asc' | 'desc';
  nulls?: 'first' | 'last';
  /** `orderBy: { posts: { _count: 'desc' } }` and the like. */
  aggregate?: '_count' | '_avg' | '_sum' | '_min' | '_max' | '_relevance';
}

/** One read: the top-level operation or a nested `include`/`select` of a relation. */
export interface ReadShape {
  where?: WhereShape;
  orderBy?: OrderShape[];
  /** A page size was given (`take`); its value is not kept. */
  take?: true;
  skip?: true;
  /** Fields of the `cursor`. */
  cursor?: string[];
  distinct?: string[];
  /** Relations read along (`include`/`select`, `_count`): each is an FK lookup on the other side. */
  reads?: NestedRead[];
  /** The scalar fields a `select` names (sorted); absent: the read returns every scalar field. */
  select?: string[];
}

export interface NestedRead extends ReadShape {
  relation: string;
  /** Only counted (`_count: { select: { posts: true } }`). */
  countOnly?: true;
}

export interface RecordedShape extends ReadShape {
  v: typeof RECORDED_SHAPE_VERSION;
  model: string;
  operation: string;
  /** `groupBy`'s `by` fields. */
  by?: string[];
  /** How many calls had exactly this shape (lines with equal shapes add up). */
  count: number;
  /** Where the application made the call (`file:line`), when recorded with `callSites: true`. */
  callSites?: string[];
}

/** A stable text for a shape without its count and call sites: equal shapes, equal keys. */
export function shapeKey(shape: RecordedShape): string {
  const { count: _count, callSites: _callSites, ...rest } = shape;
  return JSON.stringify(rest);
}
