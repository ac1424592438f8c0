/**
 * The normalized model: the one structure every later stage (rules, plan, render) reads.
 * Database names everywhere (after `@map`, `@@map`, `@@schema`); Prisma names kept beside them
 * for messages and for writing declarations back into schema.prisma.
 */

/**
 * A place in a schema file. Lines and columns are 1-based; offsets are 0-based UTF-16 indexes.
 * The end is exclusive: `endOffset` / `endLine:endColumn` point just past the last character.
 */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  offset: number;
  endOffset: number;
}

export type SortOrder = 'asc' | 'desc';

/** Index access method, as Prisma's `type:` argument names it, lower-cased to PostgreSQL's. */
export type IndexMethod = 'btree' | 'hash' | 'gin' | 'gist' | 'spgist' | 'brin';

export interface IndexColumn {
  /** Database column name. */
  column: string;
  /** Prisma field name (for declarations). */
  field: string;
  sort?: SortOrder;
  /** Prisma operator-class name as written (`JsonbPathOps`), if any. */
  prismaOps?: string;
  /** PostgreSQL operator class (`jsonb_path_ops`), if any. */
  opclass?: string;
}

export type IndexKind = 'primary' | 'unique' | 'index' | 'fulltext';

export interface IndexDef {
  kind: IndexKind;
  /** Database name: `map:` when given, otherwise Prisma's default (63-byte rule applied). */
  name: string;
  /** True when the name came from `map:` / `name:`. */
  explicitName: boolean;
  columns: IndexColumn[];
  method: IndexMethod;
  /**
   * Raw SQL predicate from `where: raw("...")`, exactly as written; for Prisma 7's object form
   * (`where: { deletedAt: null }`) the predicate Prisma's engine renders for it
   * (`"deletedAt" IS NULL`). Undefined if not partial.
   */
  where?: string;
  /** Declared on a field (`@id`, `@unique`) rather than the model (`@@id`, `@@unique`, `@@index`). */
  fieldLevel: boolean;
  span: Span;
}

export type ScalarKind = 'scalar' | 'enum' | 'unsupported' | 'composite';

export interface Column {
  /** Database column name. */
  name: string;
  /** Prisma field name. */
  field: string;
  /** Prisma type name: String, Int, BigInt, Float, Decimal, Boolean, DateTime, Json, Bytes, an enum name, or the text inside Unsupported("..."). */
  type: string;
  kind: ScalarKind;
  /** `@db.X(args)` as written: { name: 'VarChar', args: ['255'] }. */
  nativeType?: { name: string; args: string[] };
  nullable: boolean;
  list: boolean;
  /** `@default(...)` argument text as written (`now()`, `autoincrement()`, `"x"`, `0`). */
  default?: string;
  updatedAt: boolean;
  docs: string[];
  span: Span;
}

export type ReferentialAction = 'Cascade' | 'Restrict' | 'NoAction' | 'SetNull' | 'SetDefault';

/** A foreign key: the child side of a 1:1 / 1:n relation, or one side of an implicit m:n table. */
export interface ForeignKey {
  /** Database table holding the FK columns. */
  table: string;
  /** FK columns in the order of `fields: [...]` (database names). */
  columns: string[];
  /** Prisma field names of `fields: [...]`. */
  fields: string[];
  /** Referenced table (database name). */
  referencedTable: string;
  referencedColumns: string[];
  /** Prisma relation field on the child (absent for implicit m:n join tables). */
  relationField?: string;
  relationName: string;
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
  /** Prisma's default constraint name `{table}_{cols}_fkey` or `map:`. */
  constraintName: string;
  /** True for `_AToB` join tables that Prisma creates for implicit m:n relations. */
  implicitManyToMany: boolean;
  span: Span;
}

/** A relation field of a model: `author User @relation(...)` or `posts Post[]`. */
export interface RelationRef {
  /** Prisma field name. */
  field: string;
  /** The Prisma model on the other side. */
  model: string;
  list: boolean;
  /** Explicit or Prisma's default name: both sides of a relation share it. */
  relationName: string;
}

export interface Table {
  /** Database table name. */
  name: string;
  /** Prisma model name (or the join-table name for implicit m:n tables). */
  model: string;
  /** PostgreSQL schema from `@@schema`, or undefined for the default search path. */
  schema?: string;
  kind: 'model' | 'view' | 'implicitJoin';
  ignored: boolean;
  columns: Column[];
  primaryKey?: IndexDef;
  /** Unique constraints and indexes (`@unique`, `@@unique`). */
  uniques: IndexDef[];
  /** Plain indexes (`@@index`, `@@fulltext`). */
  indexes: IndexDef[];
  foreignKeys: ForeignKey[];
  /** Relation fields (both sides), for reading queries that filter or include through them. */
  relations?: RelationRef[];
  docs: string[];
  /** The file holding the model (for multi-file schemas) and the span of the `model X {` ... `}` block. */
  span: Span;
  /** Span of the closing brace, where new `@@index` lines are inserted. */
  closeSpan: Span;
}

export interface EnumDef {
  name: string;
  dbName: string;
  schema?: string;
  values: { name: string; dbName: string }[];
  span: Span;
}

export interface SchemaModel {
  /** Absolute or cwd-relative paths of the files that make up the schema, in load order. */
  files: string[];
  provider: string;
  relationMode: 'foreignKeys' | 'prisma';
  previewFeatures: string[];
  /** Extensions declared in `datasource { extensions = [...] }`. */
  extensions: string[];
  /** `datasource { schemas = [...] }` (multiSchema), when given. */
  schemas?: string[];
  /** Span of the generator's previewFeatures (or of the generator block) for edits. */
  generatorSpan?: Span;
  tables: Table[];
  enums: EnumDef[];
  /** Warnings produced while loading (legacy datasource fields, unescapable names, ...). */
  warnings: LoadWarning[];
}

export interface LoadWarning {
  code: string;
  message: string;
  span?: Span;
}
