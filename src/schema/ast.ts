/**
 * The syntax tree of one schema file, as `parse.ts` produces it. It says what was written, not
 * what it means (no name mapping, no defaults): `build-model.ts` turns it into the `SchemaModel`.
 *
 * Blocks, fields, attributes, `key = value` lines and closing braces carry a full `Span`. The many
 * small nodes (expressions, arguments, field types) carry only `start`/`end` offsets — a 7,600-line
 * schema has ~20,000 of them — and `spanAt(file, start, end)` in parse.ts turns those into a Span
 * when one is needed (an error, an edit).
 */
import type { Span } from '../model/types';

/** Offsets into `SchemaFile.content`: 0-based UTF-16 indexes, `end` exclusive. */
export interface Range {
  start: number;
  end: number;
}

export type Expression =
  StringLiteral | NumberLiteral | PathExpression | ArrayExpression | FunctionCall | ObjectExpression;

export interface StringLiteral extends Range {
  kind: 'string';
  /** The value with escapes resolved (`"a\"b"` → `a"b`). */
  value: string;
}

export interface NumberLiteral extends Range {
  kind: 'number';
  /** The literal as written (`-1`, `10.5`). */
  text: string;
}

/** A bare identifier or dotted path: `Cascade`, `true`, `null`, `JsonbPathOps`, `db.VarChar`. */
export interface PathExpression extends Range {
  kind: 'path';
  name: string;
}

export interface ArrayExpression extends Range {
  kind: 'array';
  items: Expression[];
}

/** `now()`, `raw("...")`, `createdAt(sort: Desc)`, `citext(schema: "x")`. */
export interface FunctionCall extends Range {
  kind: 'call';
  name: string;
  args: readonly Argument[];
}

/** `{ status: "active", deletedAt: null, a: { not: null } }` (Prisma 7's `where:` objects). */
export interface ObjectExpression extends Range {
  kind: 'object';
  entries: ObjectEntry[];
}

export interface ObjectEntry extends Range {
  key: string;
  value: Expression;
}

export interface Argument extends Range {
  /** `fields` in `fields: [a]`; undefined for a positional argument. */
  name?: string;
  /** Undefined only for an empty named argument (`map:`), which Prisma's grammar allows. */
  value?: Expression;
}

export interface Attribute {
  /** Without the `@`/`@@`: `id`, `relation`, `db.VarChar`, `index`. */
  name: string;
  /** `@@x` (block attribute) rather than `@x` (field attribute). */
  block: boolean;
  args: readonly Argument[];
  /** True when an argument list `( ... )` was written, even an empty one. */
  hasArgs: boolean;
  span: Span;
}

export interface FieldType extends Range {
  /** The type name, or for `Unsupported("tsvector")` the text inside the quotes. */
  name: string;
  unsupported: boolean;
  optional: boolean;
  list: boolean;
}

export interface FieldDeclaration {
  name: string;
  /** Undefined when no type was written (Prisma rejects that; the builder reports it). */
  type?: FieldType;
  attributes: readonly Attribute[];
  /** `///` lines and block comments before the field, and a trailing `///` on its line. */
  docs: string[];
  /** From the field name to the end of its last attribute (trailing comment excluded). */
  span: Span;
}

export interface ModelBlock {
  kind: 'model' | 'view' | 'type';
  name: string;
  nameSpan: Span;
  fields: FieldDeclaration[];
  /** Block attributes (`@@id`, `@@index`, `@@map`, ...). */
  attributes: Attribute[];
  docs: string[];
  /** From the keyword to the closing brace. */
  span: Span;
  closeSpan: Span;
}

export interface EnumValue {
  name: string;
  attributes: readonly Attribute[];
  docs: string[];
  span: Span;
}

export interface EnumBlock {
  kind: 'enum';
  name: string;
  nameSpan: Span;
  values: EnumValue[];
  attributes: Attribute[];
  docs: string[];
  span: Span;
  closeSpan: Span;
}

export interface ConfigProperty {
  key: string;
  value: Expression;
  /** The whole `key = value` line (without a trailing comment). */
  span: Span;
}

export interface ConfigBlock {
  kind: 'datasource' | 'generator';
  name: string;
  nameSpan: Span;
  properties: ConfigProperty[];
  docs: string[];
  span: Span;
  closeSpan: Span;
}

export type Block = ModelBlock | EnumBlock | ConfigBlock;

export interface SchemaFile {
  path: string;
  /** The text that was parsed; spans and ranges index into it. */
  content: string;
  /** Offset at which each line starts (line 1 at index 0), for `spanAt`. */
  lineStarts: Int32Array;
  blocks: Block[];
}
