/**
 * Recorded Prisma Client shapes (src/workload/recorded-shape.ts) → the pipeline's typed reads
 * (`QueryShape`), with the schema: Prisma field names become database columns, relation filters
 * and nested reads become reads of the other table through its FK columns.
 *
 * What a shape cannot say is left out rather than guessed: `OR`/`NOT` branches, `notIn`, Json path
 * comparisons and sorts through relations serve no index decision here.
 */
import { conjuncts, queryShape, type Literal, type Predicate, type QueryShape } from '../model/query-shape';
import type { Column, ForeignKey, SchemaModel, Table } from '../model/types';
import type {
  FieldCondition,
  NestedRead,
  ReadShape,
  RecordedShape,
  RelationCondition,
  WhereShape,
} from './recorded-shape';
import type { WorkloadRead } from './workload';

const READ_OPERATIONS = new Set([
  'findMany',
  'findFirst',
  'findFirstOrThrow',
  'findUnique',
  'findUniqueOrThrow',
  'count',
  'aggregate',
  'groupBy',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'delete',
  'deleteMany',
  'upsert',
]);

export interface RecordedReads {
  reads: WorkloadRead[];
  /** Models the recording names that the schema does not have (a stale recording): one line each. */
  unknownModels: string[];
}

/** The reads of every recorded shape, each with the shape's call count and call sites. */
export function readsFromRecorded(records: readonly RecordedShape[], model: SchemaModel): RecordedReads {
  const tables = new Map<string, Table>();
  for (const table of model.tables) if (table.kind !== 'implicitJoin') tables.set(table.model, table);
  const reader = new RecordedReader(model, tables);
  const reads: WorkloadRead[] = [];
  const unknown = new Set<string>();
  for (const record of records) {
    const table = tables.get(record.model);
    if (!table) {
      unknown.add(record.model);
      continue;
    }
    if (!READ_OPERATIONS.has(record.operation)) continue;
    const source = {
      kind: 'recorded' as const,
      model: record.model,
      operation: record.operation,
      ...(record.callSites ? { callSites: record.callSites } : {}),
    };
    const shapes = reader.read(table, record);
    if (RETURNING_OPERATIONS.has(record.operation)) shapes[0]!.returns = returnedColumns(table, record.select);
    for (const shape of shapes) reads.push({ shape, calls: record.count, source });
  }
  return { reads, unknownModels: [...unknown].sort() };
}

class RecordedReader {
  constructor(
    private readonly model: SchemaModel,
    private readonly tables: Map<string, Table>,
  ) {}

  /** The read of `table` itself first, then the reads it makes of other tables. */
  read(table: Table, read: ReadShape, join?: { columns: string[]; via: QueryShape['via'] }): QueryShape[] {
    const own = queryShape({ table: table.name, ...(table.schema !== undefined ? { schema: table.schema } : {}) });
    if (join) {
      own.equal.push(...join.columns);
      if (join.via) own.via = join.via;
    }
    const others: QueryShape[] = [];
    const constants: Predicate[] = [];
    for (const term of topLevelTerms(read.where)) {
      if ('relation' in term) others.push(...this.throughRelation(table, term));
      else if ('field' in term) this.addCondition(table, own, constants, term);
    }
    if (constants.length === 1) own.where = constants[0]!;
    else if (constants.length > 1) own.where = { kind: 'and', terms: constants };
    for (const order of read.orderBy ?? []) {
      if (order.aggregate !== undefined || order.path.length !== 1) break; // a sort the index cannot give ends the usable prefix
      const column = columnOf(table, order.path[0]!);
      if (!column) break;
      own.orderBy.push({
        column: column.name,
        direction: order.direction,
        ...(order.nulls ? { nulls: order.nulls } : {}),
      });
    }
    for (const nested of read.reads ?? []) others.push(...this.nestedRead(table, nested));
    return [own, ...others];
  }

  private addCondition(table: Table, shape: QueryShape, constants: Predicate[], condition: FieldCondition): void {
    const column = columnOf(table, condition.field);
    if (!column) return;
    const name = column.name;
    const literals = condition.values?.map((value) => this.literal(column, value));
    switch (condition.op) {
      case 'equals':
        if (condition.path) return;
        if (literals?.length === 1) {
          constants.push({ kind: 'compare', column: name, op: '=', value: literals[0]! });
          // An enum value is a lookup too: an index keyed on the column serves it (booleans stay predicates).
          if (column.kind === 'enum') shape.equal.push(name);
        } else if (!column.list) shape.equal.push(name);
        else shape.operators.push({ column: name, op: '@>' }); // list equality: served like containment
        return;
      case 'in':
        if (literals && literals.length > 0) {
          constants.push({ kind: 'in-list', column: name, values: literals });
          if (column.kind === 'enum') shape.in.push(name);
        } else shape.in.push(name);
        return;
      case 'isNull':
      case 'isNotNull':
        constants.push({ kind: 'null-test', column: name, isNull: condition.op === 'isNull' });
        return;
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        shape.ranges.push({ column: name, op: RANGE_OPS[condition.op] });
        return;
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (column.type === 'Json') return;
        shape.text.push({ column: name, match: condition.op, mode: condition.insensitive ? 'insensitive' : 'default' });
        return;
      case 'has':
      case 'hasEvery':
      case 'array_contains':
        if (condition.path) return;
        shape.operators.push({ column: name, op: '@>' });
        return;
      case 'hasSome':
        shape.operators.push({ column: name, op: '&&' });
        return;
      default:
        return; // notIn, not, search, isEmpty, Json string/array operators on a path: no index decision
    }
  }

  private literal(column: Column, value: string | boolean): Literal {
    if (typeof value === 'boolean') return { kind: 'boolean', value };
    const enumDef = this.model.enums.find((e) => e.name === column.type);
    const dbValue = enumDef?.values.find((v) => v.name === value)?.dbName ?? value;
    return enumDef
      ? {
          kind: 'string',
          value: dbValue,
          cast: { name: enumDef.dbName, ...(enumDef.schema !== undefined ? { schema: enumDef.schema } : {}) },
        }
      : { kind: 'string', value: dbValue };
  }

  /** `posts: { some: {...} }` from User reads Post by its FK; `author: { is: {...} }` reads User by its key. */
  private throughRelation(table: Table, condition: RelationCondition): QueryShape[] {
    const link = this.link(table, condition.relation);
    if (!link) return [];
    return this.read(
      link.other,
      { ...(condition.where ? { where: condition.where } : {}) },
      { columns: link.otherColumns, via: link.via },
    );
  }

  private nestedRead(table: Table, nested: NestedRead): QueryShape[] {
    const link = this.link(table, nested.relation);
    if (!link) return [];
    const { relation: _relation, countOnly: _countOnly, ...read } = nested;
    return this.read(link.other, read, { columns: link.otherColumns, via: link.via });
  }

  /**
   * The table on the other side of a relation field and the columns it is read by: the FK columns
   * when the FK is on the other table (a list or back relation), the referenced key otherwise.
   */
  private link(
    table: Table,
    field: string,
  ): { other: Table; otherColumns: string[]; via: QueryShape['via'] } | undefined {
    const relation = table.relations?.find((r) => r.field === field);
    if (!relation) return undefined;
    const other = this.tables.get(relation.model);
    if (!other) return undefined;
    const via = { table: table.name, relation: field, ...(table.schema !== undefined ? { schema: table.schema } : {}) };
    const own = table.foreignKeys.find((fk) => fk.relationField === field && fk.relationName === relation.relationName);
    if (own) return { other, otherColumns: own.referencedColumns, via };
    const back = other.foreignKeys.find(
      (fk: ForeignKey) =>
        fk.relationName === relation.relationName &&
        fk.referencedTable === table.name &&
        !(other === table && fk.relationField === field),
    );
    if (back) return { other, otherColumns: back.columns, via };
    return undefined; // an implicit m:n relation: Prisma indexes its join table itself
  }
}

const RANGE_OPS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** The operations that return rows of the model (not counts or aggregates). */
const RETURNING_OPERATIONS: ReadonlySet<string> = new Set([
  'findMany',
  'findFirst',
  'findFirstOrThrow',
  'findUnique',
  'findUniqueOrThrow',
]);

/** Prisma returns every scalar column unless `select` narrows it; a selected relation is a read of its own. */
function returnedColumns(table: Table, select: string[] | undefined): QueryShape['returns'] {
  if (select === undefined) return { kind: 'all' };
  const columns = select.map((field) => columnOf(table, field)?.name).filter((c): c is string => c !== undefined);
  return { kind: 'columns', columns: [...new Set(columns)] };
}

function columnOf(table: Table, field: string): Column | undefined {
  return table.columns.find((c) => c.field === field);
}

/** The AND-ed terms at the top of a where tree; OR and NOT branches are not read. */
function topLevelTerms(where: WhereShape | undefined): (FieldCondition | RelationCondition)[] {
  if (where === undefined) return [];
  if ('and' in where) return where.and.flatMap(topLevelTerms);
  if ('or' in where || 'not' in where) return [];
  return [where];
}

/** For tests and messages: the constant predicates of a read, flattened. */
export function constantTerms(shape: QueryShape): Predicate[] {
  return conjuncts(shape.where);
}
