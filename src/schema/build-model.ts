/**
 * AST → `SchemaModel`: the normalized model every later stage reads, in database names.
 *
 * The schema has already been validated by Prisma (validate.ts); this module reproduces what
 * Prisma derives from it for PostgreSQL — table and column names after `@map`/`@@map`, default
 * constraint names, foreign keys, and the join tables of implicit m:n relations — following
 * prisma-engines (see names.ts for the sources). Anything it cannot make sense of is reported as a
 * `SchemaModelError` with file:line:column rather than guessed at.
 *
 * Order: tables in schema order (files in the order given, blocks in file order), then the implicit
 * m:n join tables in the order their relations were found. Later stages sort for output.
 */
import type {
  Column,
  EnumDef,
  ForeignKey,
  IndexColumn,
  IndexDef,
  IndexKind,
  IndexMethod,
  LoadWarning,
  ReferentialAction,
  SchemaModel,
  ScalarKind,
  SortOrder,
  Span,
  Table,
} from '../model/types';
import { quoteIdent, quoteLiteral } from '../sql/quote';
import type {
  Argument,
  Attribute,
  ConfigBlock,
  EnumBlock,
  Expression,
  FieldDeclaration,
  ModelBlock,
  Range,
  SchemaFile,
} from './ast';
import {
  POSTGRES_MAX_IDENTIFIER_BYTES,
  compareCodePoints,
  defaultRelationName,
  foreignKeyName,
  implicitJoinTableNames,
  indexName,
  primaryKeyName,
  truncateUtf8,
  uniqueConstraintName,
  utf8ByteLength,
} from './names';
import { parseSchema, SchemaError, SchemaLimitError, spanAt } from './parse';

/** The schema parses but does not make sense as a model (unknown type, missing field, ...). */
export class SchemaModelError extends SchemaError {
  constructor(span: Span, reason: string) {
    super(span.file, span.line, span.column, reason);
    this.name = 'SchemaModelError';
  }
}

export interface SchemaFileInput {
  path: string;
  content: string;
}

/** Parses the schema's files (in load order) and builds the normalized model. */
export function buildModel(files: SchemaFileInput[]): SchemaModel {
  return buildModelFromAst(files.map((f) => parseSchema(f.path, f.content)));
}

/** Builds the normalized model from already parsed files. */
export function buildModelFromAst(files: SchemaFile[]): SchemaModel {
  return new ModelBuilder(files).build();
}

// ---------------------------------------------------------------------------------------------
// Prisma vocabulary

const BUILTIN_SCALARS = new Set([
  'String',
  'Boolean',
  'Int',
  'BigInt',
  'Float',
  'Decimal',
  'DateTime',
  'Json',
  'Bytes',
]);

const INDEX_METHODS: Record<string, IndexMethod> = {
  BTree: 'btree',
  Hash: 'hash',
  Gin: 'gin',
  Gist: 'gist',
  SpGist: 'spgist',
  Brin: 'brin',
};

const REFERENTIAL_ACTIONS = new Set<ReferentialAction>(['Cascade', 'Restrict', 'NoAction', 'SetNull', 'SetDefault']);

/**
 * Prisma's operator classes (`ops:`) and the PostgreSQL operator classes they stand for, as in
 * prisma-engines' sql-schema-describer (`SQLOperatorClassKind`).
 */
const OPERATOR_CLASSES: Record<string, string> = {
  InetOps: 'inet_ops',
  JsonbOps: 'jsonb_ops',
  JsonbPathOps: 'jsonb_path_ops',
  ArrayOps: 'array_ops',
  TextOps: 'text_ops',
  BitMinMaxOps: 'bit_minmax_ops',
  VarBitMinMaxOps: 'varbit_minmax_ops',
  BpcharBloomOps: 'bpchar_bloom_ops',
  BpcharMinMaxOps: 'bpchar_minmax_ops',
  ByteaBloomOps: 'bytea_bloom_ops',
  ByteaMinMaxOps: 'bytea_minmax_ops',
  DateBloomOps: 'date_bloom_ops',
  DateMinMaxOps: 'date_minmax_ops',
  DateMinMaxMultiOps: 'date_minmax_multi_ops',
  Float4BloomOps: 'float4_bloom_ops',
  Float4MinMaxOps: 'float4_minmax_ops',
  Float4MinMaxMultiOps: 'float4_minmax_multi_ops',
  Float8BloomOps: 'float8_bloom_ops',
  Float8MinMaxOps: 'float8_minmax_ops',
  Float8MinMaxMultiOps: 'float8_minmax_multi_ops',
  InetInclusionOps: 'inet_inclusion_ops',
  InetBloomOps: 'inet_bloom_ops',
  InetMinMaxOps: 'inet_minmax_ops',
  InetMinMaxMultiOps: 'inet_minmax_multi_ops',
  Int2BloomOps: 'int2_bloom_ops',
  Int2MinMaxOps: 'int2_minmax_ops',
  Int2MinMaxMultiOps: 'int2_minmax_multi_ops',
  Int4BloomOps: 'int4_bloom_ops',
  Int4MinMaxOps: 'int4_minmax_ops',
  Int4MinMaxMultiOps: 'int4_minmax_multi_ops',
  Int8BloomOps: 'int8_bloom_ops',
  Int8MinMaxOps: 'int8_minmax_ops',
  Int8MinMaxMultiOps: 'int8_minmax_multi_ops',
  NumericBloomOps: 'numeric_bloom_ops',
  NumericMinMaxOps: 'numeric_minmax_ops',
  NumericMinMaxMultiOps: 'numeric_minmax_multi_ops',
  OidBloomOps: 'oid_bloom_ops',
  OidMinMaxOps: 'oid_minmax_ops',
  OidMinMaxMultiOps: 'oid_minmax_multi_ops',
  TextBloomOps: 'text_bloom_ops',
  TextMinMaxOps: 'text_minmax_ops',
  TimestampBloomOps: 'timestamp_bloom_ops',
  TimestampMinMaxOps: 'timestamp_minmax_ops',
  TimestampMinMaxMultiOps: 'timestamp_minmax_multi_ops',
  TimestampTzBloomOps: 'timestamptz_bloom_ops',
  TimestampTzMinMaxOps: 'timestamptz_minmax_ops',
  TimestampTzMinMaxMultiOps: 'timestamptz_minmax_multi_ops',
  TimeBloomOps: 'time_bloom_ops',
  TimeMinMaxOps: 'time_minmax_ops',
  TimeMinMaxMultiOps: 'time_minmax_multi_ops',
  TimeTzBloomOps: 'timetz_bloom_ops',
  TimeTzMinMaxOps: 'timetz_minmax_ops',
  TimeTzMinMaxMultiOps: 'timetz_minmax_multi_ops',
  UuidBloomOps: 'uuid_bloom_ops',
  UuidMinMaxOps: 'uuid_minmax_ops',
  UuidMinMaxMultiOps: 'uuid_minmax_multi_ops',
};

/** PostgreSQL operator class for a Prisma `ops:` name; undefined when Prisma has no such name. */
export function operatorClassFor(prismaOps: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(OPERATOR_CLASSES, prismaOps) ? OPERATOR_CLASSES[prismaOps] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Builder

interface ModelInfo {
  block: ModelBlock;
  file: SchemaFile;
  table: Table;
  /**
   * The table name as mapped, before PostgreSQL's 63-byte truncation: Prisma derives default
   * constraint names from it (and then fits them to 63 bytes itself).
   */
  fullName: string;
  isView: boolean;
  /** Scalar columns by Prisma field name. */
  columns: Map<string, Column>;
  /** Column names as mapped, before truncation, by Prisma field name. */
  fullColumnNames: Map<string, string>;
  relationFields: RelationFieldInfo[];
}

interface RelationFieldInfo {
  model: ModelInfo;
  field: FieldDeclaration;
  target: string;
  list: boolean;
  /** `@relation("name")` / `@relation(name: "name")`. */
  explicitName?: string;
  fields?: string[];
  references?: string[];
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
  map?: string;
  /** The `@relation` attribute (for error locations), if written. */
  attribute?: Attribute;
}

class ModelBuilder {
  private readonly warnings: LoadWarning[] = [];
  private readonly models = new Map<string, ModelInfo>();
  private readonly enums = new Map<string, { block: EnumBlock; file: SchemaFile; def: EnumDef }>();
  private readonly compositeTypes = new Set<string>();
  /** `@db.VarChar` is `@<datasource name>.VarChar`. */
  private nativePrefix = 'db.';
  /** The file of the block being read: expressions carry offsets only, errors need the file. */
  private file: SchemaFile | undefined;

  constructor(private readonly files: SchemaFile[]) {}

  build(): SchemaModel {
    const datasources: { block: ConfigBlock; file: SchemaFile }[] = [];
    const generators: { block: ConfigBlock; file: SchemaFile }[] = [];
    const modelBlocks: { block: ModelBlock; file: SchemaFile }[] = [];

    // Indexed loops throughout: before the JIT warms up, `for...of` allocates an iterator result per
    // step, and this code mostly runs cold (one schema per process).
    for (let f = 0; f < this.files.length; f++) {
      const file = this.files[f]!;
      for (let b = 0; b < file.blocks.length; b++) {
        const block = file.blocks[b]!;
        if ('properties' in block) (block.kind === 'datasource' ? datasources : generators).push({ block, file });
        else if (block.kind === 'enum') this.addEnum(block, file);
        else if (block.kind === 'type') this.compositeTypes.add(block.name);
        else modelBlocks.push({ block, file });
      }
    }

    const datasource = datasources[0];
    if (datasource) this.nativePrefix = `${datasource.block.name}.`;

    const models: ModelInfo[] = [];
    for (let i = 0; i < modelBlocks.length; i++) {
      const { block, file } = modelBlocks[i]!;
      if (this.models.has(block.name) || this.enums.has(block.name))
        this.fail(block.nameSpan, `\`${block.name}\` is defined twice`);
      const model = this.startTable(block, file);
      this.models.set(block.name, model);
      models.push(model);
    }
    for (let i = 0; i < models.length; i++) this.addColumnsAndIndexes(models[i]!);
    for (let i = 0; i < models.length; i++) this.addForeignKeys(models[i]!);
    const joinTables = this.implicitManyToManyTables(models);

    const config = this.readDatasource(datasource);
    const generatorInfo = this.readGenerators(generators);

    const model: SchemaModel = {
      files: this.files.map((f) => f.path),
      provider: config.provider,
      relationMode: config.relationMode,
      previewFeatures: generatorInfo.previewFeatures,
      extensions: config.extensions,
      tables: [...models.map((m) => m.table), ...joinTables],
      enums: [...this.enums.values()].map((e) => e.def),
      warnings: this.warnings,
    };
    if (config.schemas) model.schemas = config.schemas;
    if (generatorInfo.span) model.generatorSpan = generatorInfo.span;
    return model;
  }

  private fail(span: Span, message: string): never {
    throw new SchemaModelError(span, message);
  }

  /** Fails at an expression (or other offsets-only node) of the current file. */
  private failAt(node: Range, message: string): never {
    return this.fail(this.spanOf(node), message);
  }

  private spanOf(node: Range): Span {
    if (!this.file) throw new Error('internal: no current schema file');
    return spanAt(this.file, node.start, node.end);
  }

  // -- configuration ---------------------------------------------------------------------------

  private readDatasource(datasource: { block: ConfigBlock; file: SchemaFile } | undefined): {
    provider: string;
    relationMode: SchemaModel['relationMode'];
    extensions: string[];
    schemas?: string[];
  } {
    const result: ReturnType<ModelBuilder['readDatasource']> = {
      provider: '',
      relationMode: 'foreignKeys',
      extensions: [],
    };
    if (!datasource) return result;
    this.file = datasource.file;
    for (const property of datasource.block.properties) {
      const value = property.value;
      switch (property.key) {
        case 'provider':
          result.provider = this.stringValue(value, 'provider');
          break;
        case 'relationMode':
        case 'referentialIntegrity':
          result.relationMode = this.stringValue(value, property.key) === 'prisma' ? 'prisma' : 'foreignKeys';
          break;
        case 'extensions':
          result.extensions = this.arrayItems(value, 'extensions').map((item) => {
            if (item.kind === 'path') return item.name;
            if (item.kind === 'call') {
              const map = namedArg(item.args, 'map');
              if (!map) return item.name;
              const name = this.stringValue(map, 'map');
              this.checkDatabaseName(name, 'extension', this.spanOf(map));
              return name;
            }
            return this.failAt(item, 'expected an extension name');
          });
          break;
        case 'schemas':
          result.schemas = this.arrayItems(value, 'schemas').map((item) => {
            const schema = this.stringValue(item, 'schemas');
            this.checkDatabaseName(schema, 'schema', this.spanOf(item));
            return schema;
          });
          break;
      }
    }
    return result;
  }

  private readGenerators(generators: { block: ConfigBlock; file: SchemaFile }[]): {
    previewFeatures: string[];
    span?: Span;
  } {
    const features: string[] = [];
    for (const { block, file } of generators) {
      this.file = file;
      const property = block.properties.find((p) => p.key === 'previewFeatures');
      if (!property) continue;
      for (const item of this.arrayItems(property.value, 'previewFeatures')) {
        const feature = this.stringValue(item, 'previewFeatures');
        if (!features.includes(feature)) features.push(feature);
      }
    }
    // Where a preview feature would be added: the Prisma Client generator, else the first one.
    const isClient = (b: ConfigBlock): boolean => {
      const provider = b.properties.find((p) => p.key === 'provider')?.value;
      return (
        provider?.kind === 'string' && (provider.value === 'prisma-client-js' || provider.value === 'prisma-client')
      );
    };
    const target = generators.find((g) => isClient(g.block)) ?? generators[0];
    if (!target) return { previewFeatures: features };
    const property = target.block.properties.find((p) => p.key === 'previewFeatures');
    return {
      previewFeatures: features,
      span: property ? spanAt(target.file, property.value.start, property.value.end) : target.block.span,
    };
  }

  // -- enums -----------------------------------------------------------------------------------

  private addEnum(block: EnumBlock, file: SchemaFile): void {
    this.file = file;
    if (this.enums.has(block.name)) this.fail(block.nameSpan, `enum \`${block.name}\` is defined twice`);
    const mapped = this.mappedName(block.attributes, 'map', true, 'enum type');
    const def: EnumDef = {
      name: block.name,
      dbName: mapped ?? block.name,
      values: block.values.map((v) => ({
        name: v.name,
        dbName: this.mappedName(v.attributes, 'map', false, 'enum value') ?? v.name,
      })),
      span: block.span,
    };
    const schema = this.blockSchema(block.attributes);
    if (schema !== undefined) def.schema = schema;
    this.enums.set(block.name, { block, file, def });
  }

  // -- tables ----------------------------------------------------------------------------------

  private startTable(block: ModelBlock, file: SchemaFile): ModelInfo {
    this.file = file;
    const fullName =
      this.mappedName(block.attributes, 'map', true, block.kind === 'view' ? 'view' : 'table') ?? block.name;
    const table: Table = {
      name: this.databaseIdentifier(fullName, 'table', block.nameSpan),
      model: block.name,
      kind: block.kind === 'view' ? 'view' : 'model',
      ignored: findAttribute(block.attributes, 'ignore', true) !== undefined,
      columns: [],
      uniques: [],
      indexes: [],
      foreignKeys: [],
      docs: block.docs,
      span: block.span,
      closeSpan: block.closeSpan,
    };
    const schema = this.blockSchema(block.attributes);
    if (schema !== undefined) table.schema = schema;
    return {
      block,
      file,
      table,
      fullName,
      isView: block.kind === 'view',
      columns: new Map(),
      fullColumnNames: new Map(),
      relationFields: [],
    };
  }

  private addColumnsAndIndexes(model: ModelInfo): void {
    const { block, table } = model;
    this.file = model.file;
    const fieldLevel: { field: FieldDeclaration; attribute: Attribute }[] = [];

    for (let f = 0; f < block.fields.length; f++) {
      const field = block.fields[f]!;
      const type = field.type;
      if (!type) this.fail(field.span, `field \`${field.name}\` has no type`);
      let kind: ScalarKind;
      if (type.unsupported) kind = 'unsupported';
      else if (BUILTIN_SCALARS.has(type.name)) kind = 'scalar';
      else if (this.enums.has(type.name)) kind = 'enum';
      else if (this.compositeTypes.has(type.name)) kind = 'composite';
      else if (this.models.has(type.name)) {
        model.relationFields.push(this.relationField(model, field, type.name, type.list));
        continue;
      } else {
        this.failAt(type, `unknown type \`${type.name}\``);
      }

      const fullName = this.mappedName(field.attributes, 'map', false, 'column') ?? field.name;
      const column: Column = {
        name: this.databaseIdentifier(fullName, 'column', field.span),
        field: field.name,
        type: type.name,
        kind,
        nullable: type.optional,
        list: type.list,
        updatedAt: false,
        docs: field.docs,
        span: field.span,
      };
      for (let a = 0; a < field.attributes.length; a++) {
        const attribute = field.attributes[a]!;
        if (attribute.name === 'default') {
          const value = positionalArg(attribute.args, 0);
          if (value) column.default = this.text(value);
        } else if (attribute.name === 'updatedAt') {
          column.updatedAt = true;
        } else if (attribute.name.startsWith(this.nativePrefix)) {
          column.nativeType = {
            name: attribute.name.slice(this.nativePrefix.length),
            args: attribute.args.map((a) => (a.value ? this.text(a.value) : '')),
          };
        } else if (attribute.name === 'id' || attribute.name === 'unique') {
          fieldLevel.push({ field, attribute });
        }
      }
      table.columns.push(column);
      model.columns.set(field.name, column);
      model.fullColumnNames.set(field.name, fullName);
    }

    for (let i = 0; i < fieldLevel.length; i++) {
      const { field, attribute } = fieldLevel[i]!;
      const column = model.columns.get(field.name)!;
      const indexColumn: IndexColumn = { column: column.name, field: field.name };
      const sort = namedArg(attribute.args, 'sort');
      if (sort) indexColumn.sort = this.sortOrder(sort);
      if (attribute.name === 'id') {
        this.setPrimaryKey(model, this.indexDef(model, 'primary', attribute, [indexColumn], true));
      } else {
        table.uniques.push(this.indexDef(model, 'unique', attribute, [indexColumn], true));
      }
    }

    for (let a = 0; a < block.attributes.length; a++) {
      const attribute = block.attributes[a]!;
      switch (attribute.name) {
        case 'id':
          this.setPrimaryKey(
            model,
            this.indexDef(model, 'primary', attribute, this.indexColumns(model, attribute), false),
          );
          break;
        case 'unique':
          table.uniques.push(this.indexDef(model, 'unique', attribute, this.indexColumns(model, attribute), false));
          break;
        case 'index':
          table.indexes.push(this.indexDef(model, 'index', attribute, this.indexColumns(model, attribute), false));
          break;
        case 'fulltext':
          table.indexes.push(this.indexDef(model, 'fulltext', attribute, this.indexColumns(model, attribute), false));
          break;
      }
    }
  }

  private setPrimaryKey(model: ModelInfo, pk: IndexDef): void {
    if (model.table.primaryKey) this.fail(pk.span, `model \`${model.block.name}\` has more than one primary key`);
    model.table.primaryKey = pk;
  }

  /** The `fields` list of `@@id`, `@@unique`, `@@index`, `@@fulltext` (first positional or `fields:`). */
  private indexColumns(model: ModelInfo, attribute: Attribute): IndexColumn[] {
    const list = namedArg(attribute.args, 'fields') ?? positionalArg(attribute.args, 0);
    if (!list) return this.fail(attribute.span, `@@${attribute.name} needs a list of fields`);
    return listItems(list).map((item) => {
      let fieldName: string;
      let args: readonly Argument[] = [];
      if (item.kind === 'path') fieldName = item.name;
      else if (item.kind === 'call') {
        fieldName = item.name;
        args = item.args;
      } else return this.failAt(item, 'expected a field name');
      const column = model.columns.get(fieldName);
      if (!column) return this.failAt(item, `\`${fieldName}\` is not a scalar field of \`${model.block.name}\``);
      const result: IndexColumn = { column: column.name, field: fieldName };
      const sort = namedArg(args, 'sort');
      if (sort) result.sort = this.sortOrder(sort);
      const ops = namedArg(args, 'ops');
      if (ops) {
        if (ops.kind === 'path') {
          result.prismaOps = ops.name;
          result.opclass = operatorClassFor(ops.name) ?? snakeCaseOpclass(ops.name);
        } else if (ops.kind === 'call' && ops.name === 'raw') {
          const raw = positionalArg(ops.args, 0);
          if (!raw || raw.kind !== 'string') return this.failAt(ops, 'raw(...) needs a string');
          this.checkSqlText(raw.value, 'operator class', this.spanOf(raw));
          result.opclass = raw.value;
        } else {
          return this.failAt(ops, 'expected an operator class');
        }
      }
      return result;
    });
  }

  private indexDef(
    model: ModelInfo,
    kind: IndexKind,
    attribute: Attribute,
    columns: IndexColumn[],
    fieldLevel: boolean,
  ): IndexDef {
    const table = model.fullName;
    const map = namedArg(attribute.args, 'map');
    // `name:` is the database name only on @@index (a legacy alias of `map:`); on @@id and @@unique
    // it names the compound key in Prisma Client.
    const legacyName = kind === 'index' ? namedArg(attribute.args, 'name') : undefined;
    const explicit = map ?? legacyName;
    let name: string;
    if (explicit) {
      name = this.stringValue(explicit, 'map');
      this.checkDatabaseName(
        name,
        kind === 'primary' ? 'primary key' : kind === 'unique' ? 'unique constraint' : 'index',
        this.spanOf(explicit),
      );
      this.checkQuote(name, this.spanOf(explicit));
    } else {
      const cols = columns.map((c) => model.fullColumnNames.get(c.field)!);
      name =
        kind === 'primary'
          ? primaryKeyName(table)
          : kind === 'unique'
            ? uniqueConstraintName(table, cols)
            : indexName(table, cols);
    }
    const def: IndexDef = {
      kind,
      name,
      explicitName: explicit !== undefined,
      columns,
      method: 'btree',
      fieldLevel,
      span: attribute.span,
    };
    const type = namedArg(attribute.args, 'type');
    if (type) {
      const method = type.kind === 'path' ? INDEX_METHODS[type.name] : undefined;
      if (!method) return this.failAt(type, 'expected an index type (BTree, Hash, Gin, Gist, SpGist, Brin)');
      def.method = method;
    }
    const where = namedArg(attribute.args, 'where');
    if (where) def.where = this.wherePredicate(model, where);
    return def;
  }

  /**
   * `where: raw("...")` → the SQL as written. `where: { field: value, ... }` → the predicate
   * Prisma's schema engine renders for it (verified against its from-empty SQL): entries joined
   * by ` AND `, `"col" = 'text'` / `= 5` / `= true`, `IS NULL`, `{ not: null }` → `IS NOT NULL`,
   * `{ not: v }` → `"col" != v`.
   */
  private wherePredicate(model: ModelInfo, where: Expression): string {
    if (where.kind === 'call' && where.name === 'raw') {
      const raw = positionalArg(where.args, 0);
      if (!raw || raw.kind !== 'string') return this.failAt(where, 'raw(...) needs a string');
      this.checkSqlText(raw.value, 'predicate', this.spanOf(raw));
      return raw.value;
    }
    if (where.kind !== 'object') return this.failAt(where, 'expected raw("...") or { field: value } after `where:`');
    return where.entries
      .map((entry) => {
        const column = model.columns.get(entry.key);
        if (!column) return this.failAt(entry, `\`${entry.key}\` is not a scalar field of \`${model.block.name}\``);
        const col = quoteIdent(column.name);
        const value = entry.value;
        if (value.kind === 'object') {
          const not = value.entries.find((e) => e.key === 'not');
          if (!not || value.entries.length !== 1) return this.failAt(value, 'only { not: value } is supported here');
          return isNull(not.value) ? `${col} IS NOT NULL` : `${col} != ${this.sqlValue(model, not.value)}`;
        }
        return isNull(value) ? `${col} IS NULL` : `${col} = ${this.sqlValue(model, value)}`;
      })
      .join(' AND ');
  }

  private sqlValue(model: ModelInfo, value: Expression): string {
    if (value.kind === 'string') {
      this.checkSqlText(value.value, 'value', this.spanOf(value));
      return quoteLiteral(value.value);
    }
    if (value.kind === 'number') return value.text;
    if (value.kind === 'path' && (value.name === 'true' || value.name === 'false')) return value.name;
    return this.failAt(value, `unexpected value in a where clause of \`${model.block.name}\``);
  }

  private sortOrder(value: Expression): SortOrder {
    if (value.kind === 'path' && (value.name === 'Asc' || value.name === 'Desc'))
      return value.name === 'Asc' ? 'asc' : 'desc';
    return this.failAt(value, 'expected Asc or Desc');
  }

  // -- relations -------------------------------------------------------------------------------

  private relationField(model: ModelInfo, field: FieldDeclaration, target: string, list: boolean): RelationFieldInfo {
    const info: RelationFieldInfo = { model, field, target, list };
    const attribute = findAttribute(field.attributes, 'relation', false);
    if (!attribute) return info;
    info.attribute = attribute;
    const name = namedArg(attribute.args, 'name') ?? positionalArg(attribute.args, 0);
    if (name) info.explicitName = this.stringValue(name, 'name');
    const fields = namedArg(attribute.args, 'fields');
    if (fields) info.fields = this.fieldNames(fields);
    const references = namedArg(attribute.args, 'references');
    if (references) info.references = this.fieldNames(references);
    const onDelete = namedArg(attribute.args, 'onDelete');
    if (onDelete) info.onDelete = this.referentialAction(onDelete);
    const onUpdate = namedArg(attribute.args, 'onUpdate');
    if (onUpdate) info.onUpdate = this.referentialAction(onUpdate);
    const map = namedArg(attribute.args, 'map');
    if (map) {
      info.map = this.stringValue(map, 'map');
      this.checkDatabaseName(info.map, 'foreign key', this.spanOf(map));
      this.checkQuote(info.map, this.spanOf(map));
    }
    return info;
  }

  private fieldNames(value: Expression): string[] {
    return listItems(value).map((item) => {
      if (item.kind !== 'path') return this.failAt(item, 'expected a field name');
      return item.name;
    });
  }

  private referentialAction(value: Expression): ReferentialAction {
    if (value.kind === 'path' && REFERENTIAL_ACTIONS.has(value.name as ReferentialAction))
      return value.name as ReferentialAction;
    return this.failAt(value, 'expected a referential action (Cascade, Restrict, NoAction, SetNull, SetDefault)');
  }

  /** One FK per relation field with `fields: [...]` (Prisma creates none when a view is involved). */
  private addForeignKeys(model: ModelInfo): void {
    this.file = model.file;
    for (let i = 0; i < model.relationFields.length; i++) {
      const rf = model.relationFields[i]!;
      (model.table.relations ??= []).push({
        field: rf.field.name,
        model: rf.target,
        list: rf.list,
        relationName: rf.explicitName ?? defaultRelationName(model.block.name, rf.target),
      });
      if (!rf.fields || rf.fields.length === 0) continue;
      const target = this.models.get(rf.target)!;
      if (model.isView || target.isView) continue;
      const where = rf.attribute?.span ?? rf.field.span;
      const columns = rf.fields.map((f) => {
        const column = model.columns.get(f);
        if (!column)
          return this.fail(where, `\`${f}\` in fields: [...] is not a scalar field of \`${model.block.name}\``);
        return column.name;
      });
      const references = rf.references ?? [];
      if (references.length !== columns.length)
        this.fail(where, 'fields: [...] and references: [...] must have the same length');
      const referencedColumns = references.map((f) => {
        const column = target.columns.get(f);
        if (!column)
          return this.fail(where, `\`${f}\` in references: [...] is not a scalar field of \`${target.block.name}\``);
        return column.name;
      });
      const fk: ForeignKey = {
        table: model.table.name,
        columns,
        fields: rf.fields,
        referencedTable: target.table.name,
        referencedColumns,
        relationField: rf.field.name,
        relationName: rf.explicitName ?? defaultRelationName(model.block.name, target.block.name),
        constraintName:
          rf.map ??
          foreignKeyName(
            model.fullName,
            rf.fields.map((f) => model.fullColumnNames.get(f)!),
          ),
        implicitManyToMany: false,
        span: rf.field.span,
      };
      if (rf.onDelete) fk.onDelete = rf.onDelete;
      if (rf.onUpdate) fk.onUpdate = rf.onUpdate;
      model.table.foreignKeys.push(fk);
    }
  }

  /**
   * Implicit m:n relations: two list relation fields pointing at each other (paired by relation
   * name), neither with `fields:`. As in prisma-engines (parser-database relations.rs), model A is
   * the one whose name sorts first; for a self-relation, field A is the one whose name sorts first.
   */
  private implicitManyToManyTables(models: ModelInfo[]): Table[] {
    const tables: Table[] = [];
    for (let m = 0; m < models.length; m++) {
      const model = models[m]!;
      for (let r = 0; r < model.relationFields.length; r++) {
        const rf = model.relationFields[r]!;
        if (!rf.list || rf.fields) continue;
        const target = this.models.get(rf.target)!;
        const selfRelation = target === model;
        const opposite = target.relationFields.find(
          (o) => o.target === model.block.name && o.explicitName === rf.explicitName && o !== rf,
        );
        if (!opposite || !opposite.list || opposite.fields) continue;
        if (compareCodePoints(model.block.name, target.block.name) > 0) continue;
        if (selfRelation && compareCodePoints(rf.field.name, opposite.field.name) > 0) continue;
        if (model.isView || target.isView) continue;
        tables.push(this.joinTable(rf, opposite));
      }
    }
    return tables;
  }

  private joinTable(fieldA: RelationFieldInfo, fieldB: RelationFieldInfo): Table {
    const modelA = fieldA.model;
    const modelB = fieldB.model;
    const relationName = fieldA.explicitName ?? defaultRelationName(modelA.block.name, modelB.block.name);
    const names = implicitJoinTableNames(relationName);
    this.checkDatabaseName(names.table, 'join table', fieldA.attribute?.span ?? fieldA.field.span);
    this.checkQuote(names.table, fieldA.attribute?.span ?? fieldA.field.span);
    const idOf = (m: ModelInfo, rf: RelationFieldInfo): Column => {
      const pk = m.table.primaryKey;
      if (!pk)
        return this.fail(
          rf.field.span,
          `model \`${m.block.name}\` needs an @id for the implicit many-to-many relation \`${relationName}\``,
        );
      return m.columns.get(pk.columns[0]!.field)!;
    };
    const idA = idOf(modelA, fieldA);
    const idB = idOf(modelB, fieldB);
    const column = (name: 'A' | 'B', id: Column, span: Span): Column => {
      const c: Column = {
        name,
        field: name,
        type: id.type,
        kind: id.kind,
        nullable: false,
        list: false,
        updatedAt: false,
        docs: [],
        span,
      };
      if (id.nativeType) c.nativeType = id.nativeType;
      return c;
    };
    const spanA = fieldA.field.span;
    const spanB = fieldB.field.span;
    const fk = (name: 'A' | 'B', target: ModelInfo, id: Column, constraintName: string, span: Span): ForeignKey => ({
      table: names.table,
      columns: [name],
      fields: [name],
      referencedTable: target.table.name,
      referencedColumns: [id.name],
      relationName,
      onDelete: 'Cascade',
      onUpdate: 'Cascade',
      constraintName,
      implicitManyToMany: true,
      span,
    });
    const table: Table = {
      name: names.table,
      model: names.table,
      kind: 'implicitJoin',
      ignored: false,
      columns: [column('A', idA, spanA), column('B', idB, spanB)],
      primaryKey: {
        kind: 'primary',
        name: names.primaryKey,
        explicitName: false,
        columns: [
          { column: 'A', field: 'A' },
          { column: 'B', field: 'B' },
        ],
        method: 'btree',
        fieldLevel: false,
        span: spanA,
      },
      uniques: [],
      indexes: [
        {
          kind: 'index',
          name: names.bIndex,
          explicitName: false,
          columns: [{ column: 'B', field: 'B' }],
          method: 'btree',
          fieldLevel: false,
          span: spanB,
        },
      ],
      foreignKeys: [fk('A', modelA, idA, names.aForeignKey, spanA), fk('B', modelB, idB, names.bForeignKey, spanB)],
      docs: [],
      span: spanA,
      closeSpan: spanA,
    };
    // Prisma puts the join table in model A's schema.
    if (modelA.table.schema !== undefined) table.schema = modelA.table.schema;
    return table;
  }

  // -- small helpers ---------------------------------------------------------------------------

  /**
   * `@map("x")` / `@@map("x")` (first positional or `name:`), checked as a database name (an enum
   * value is a label, a string: only NUL is refused) and for unescaped quotes.
   */
  private mappedName(attributes: readonly Attribute[], name: string, block: boolean, what: string): string | undefined {
    const attribute = findAttribute(attributes, name, block);
    if (!attribute) return undefined;
    const value = positionalArg(attribute.args, 0) ?? namedArg(attribute.args, 'name');
    if (!value) return this.fail(attribute.span, `${block ? '@@' : '@'}${name} needs a name`);
    const mapped = this.stringValue(value, name);
    if (what === 'enum value') this.checkSqlText(mapped, 'enum value', attribute.span);
    else this.checkDatabaseName(mapped, what, attribute.span);
    this.checkQuote(mapped, attribute.span);
    return mapped;
  }

  private blockSchema(attributes: readonly Attribute[]): string | undefined {
    const attribute = findAttribute(attributes, 'schema', true);
    if (!attribute) return undefined;
    const value = positionalArg(attribute.args, 0);
    if (!value) return this.fail(attribute.span, '@@schema needs a name');
    const schema = this.stringValue(value, 'schema');
    this.checkDatabaseName(schema, 'schema', attribute.span);
    return schema;
  }

  /**
   * A name idxgen writes into SQL as an identifier: PostgreSQL has no empty identifier (`""` is a
   * syntax error) and no NUL byte in any text, so Prisma's engine cannot create the object either.
   * Bad input at the attribute that gives the name.
   */
  private checkDatabaseName(name: string, what: string, span: Span): void {
    if (name.length === 0) {
      throw new SchemaLimitError(
        span.file,
        span.line,
        span.column,
        `the ${what} name is empty: PostgreSQL has no empty identifier, so neither Prisma nor idxgen can create it. Instead, give it a non-empty name`,
      );
    }
    this.checkSqlText(name, `${what} name`, span);
  }

  /** Text idxgen writes into SQL (a name, a label, a raw predicate): PostgreSQL refuses a NUL byte in any of it. */
  private checkSqlText(text: string, what: string, span: Span): void {
    if (text.includes('\u0000')) {
      throw new SchemaLimitError(
        span.file,
        span.line,
        span.column,
        `the ${what} ${JSON.stringify(text)} holds a NUL character (\\u0000): PostgreSQL cannot store it in any text or name. Instead, remove it`,
      );
    }
  }

  private checkQuote(name: string, span: Span): void {
    if (!name.includes('"')) return;
    this.warnings.push({
      code: 'unescaped-quote',
      message: `the database name ${JSON.stringify(name)} contains a double quote; Prisma's schema engine does not escape it, so the SQL it generates for this object fails (idxgen quotes it correctly)`,
      span,
    });
  }

  /** The name PostgreSQL stores for `name`: identifiers over 63 bytes are truncated (with a warning). */
  private databaseIdentifier(name: string, what: string, span: Span): string {
    const bytes = utf8ByteLength(name);
    if (bytes <= POSTGRES_MAX_IDENTIFIER_BYTES) return name;
    const stored = truncateUtf8(name, POSTGRES_MAX_IDENTIFIER_BYTES);
    this.warnings.push({
      code: 'identifier-too-long',
      message: `the ${what} name ${JSON.stringify(name)} is ${bytes} bytes; PostgreSQL truncates it to ${JSON.stringify(stored)} (${POSTGRES_MAX_IDENTIFIER_BYTES}-byte limit)`,
      span,
    });
    return stored;
  }

  private stringValue(value: Expression, what: string): string {
    if (value.kind !== 'string') return this.failAt(value, `expected a string for \`${what}\``);
    return value.value;
  }

  private arrayItems(value: Expression, what: string): Expression[] {
    if (value.kind !== 'array') return this.failAt(value, `expected a list for \`${what}\``);
    return value.items;
  }

  /** The source text of an expression, as written. */
  private text(node: Range): string {
    return this.file!.content.slice(node.start, node.end);
  }
}

function namedArg(args: readonly Argument[], name: string): Expression | undefined {
  for (let i = 0; i < args.length; i++) if (args[i]!.name === name) return args[i]!.value;
  return undefined;
}

function positionalArg(args: readonly Argument[], index: number): Expression | undefined {
  let position = 0;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.name !== undefined) continue;
    if (position === index) return arg.value;
    position++;
  }
  return undefined;
}

/** The first attribute called `name` (`@name` or, with `block`, `@@name`). */
function findAttribute(attributes: readonly Attribute[], name: string, block: boolean): Attribute | undefined {
  for (let i = 0; i < attributes.length; i++) {
    const a = attributes[i]!;
    if (a.name === name && a.block === block) return a;
  }
  return undefined;
}

/** A list argument; Prisma also accepts a single value where a list is expected (`@@id(a)`). */
function listItems(value: Expression): Expression[] {
  return value.kind === 'array' ? value.items : [value];
}

function isNull(value: Expression): boolean {
  return value.kind === 'path' && value.name === 'null';
}

/** Fallback for an operator class newer than our table: `FooBarMinMaxOps` → `foo_bar_minmax_ops`. */
function snakeCaseOpclass(name: string): string {
  return name
    .replace(/MinMax/g, 'Minmax')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
