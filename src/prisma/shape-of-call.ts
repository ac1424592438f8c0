/**
 * What a Prisma Client call asks for, without its values (src/workload/recorded-shape.ts says what
 * is kept). Pure and allocation-light: it runs inside the application on every query.
 *
 * Prisma's runtime data model (the client's `_runtimeDataModel`: Prisma 5, 6 and 7) tells
 * scalar fields from relations and enum fields from strings. Without it the shape is still
 * recorded, with what the argument's structure alone tells.
 */
import type {
  FieldCondition,
  FieldOperator,
  NestedRead,
  OrderShape,
  ReadShape,
  RecordedShape,
  RelationCondition,
  ShapeValue,
  WhereShape,
} from '../workload/recorded-shape';
import { PRISMA_FIELD_OPERATORS, RECORDED_SHAPE_VERSION } from '../workload/recorded-shape';

export interface RuntimeField {
  name: string;
  kind: string;
  type: string;
  isList?: boolean;
}

export interface RuntimeDataModel {
  models: Record<string, { fields: readonly RuntimeField[] } | undefined>;
}

type Args = Record<string, unknown>;

const FIELD_OPERATORS: ReadonlySet<string> = new Set<string>(PRISMA_FIELD_OPERATORS);
const QUANTIFIERS = ['is', 'isNot', 'some', 'every', 'none'] as const;
const AGGREGATES = new Set(['_count', '_avg', '_sum', '_min', '_max']);

/** The shape of one call, with `count: 1`. */
export function shapeOfCall(
  model: string,
  operation: string,
  args: unknown,
  dataModel?: RuntimeDataModel,
): RecordedShape {
  const reader = new ShapeReader(dataModel);
  const shape: RecordedShape = { v: RECORDED_SHAPE_VERSION, model, operation, count: 1 };
  if (isPlainObject(args)) {
    Object.assign(shape, reader.read(args, model));
    if (Array.isArray(args['by'])) shape.by = stringsSorted(args['by']);
    else if (typeof args['by'] === 'string') shape.by = [args['by']];
  }
  return shape;
}

class ShapeReader {
  constructor(private readonly dataModel: RuntimeDataModel | undefined) {}

  read(args: Args, model: string | undefined): ReadShape {
    const shape: ReadShape = {};
    const where = this.where(args['where'], model);
    if (where) shape.where = where;
    const orderBy = this.orderBy(args['orderBy'], model);
    if (orderBy.length > 0) shape.orderBy = orderBy;
    if (args['take'] !== undefined) shape.take = true;
    if (args['skip'] !== undefined) shape.skip = true;
    if (isPlainObject(args['cursor'])) shape.cursor = this.cursorFields(args['cursor'], model);
    if (Array.isArray(args['distinct'])) shape.distinct = stringsSorted(args['distinct']);
    else if (typeof args['distinct'] === 'string') shape.distinct = [args['distinct']];
    const reads = [...this.reads(args['include'], model), ...this.reads(args['select'], model)];
    if (reads.length > 0) shape.reads = sortedByJson(reads);
    const select = this.scalarSelect(args['select'], model);
    if (select) shape.select = select;
    return shape;
  }

  private field(model: string | undefined, name: string): RuntimeField | undefined {
    if (model === undefined || !this.dataModel) return undefined;
    return this.dataModel.models[model]?.fields.find((f) => f.name === name);
  }

  where(where: unknown, model: string | undefined): WhereShape | undefined {
    if (!isPlainObject(where)) return undefined;
    const parts: WhereShape[] = [];
    for (const key of Object.keys(where)) {
      const value = where[key];
      if (value === undefined) continue;
      if (key === 'AND' || key === 'OR' || key === 'NOT') {
        const children = (Array.isArray(value) ? value : [value])
          .map((w) => this.where(w, model))
          .filter((w): w is WhereShape => w !== undefined);
        if (children.length === 0) continue;
        const sorted = sortedByJson(children);
        parts.push(key === 'AND' ? { and: sorted } : key === 'OR' ? { or: sorted } : { not: sorted });
        continue;
      }
      const field = this.field(model, key);
      if (field?.kind === 'object' || (!field && looksLikeRelationFilter(value))) {
        parts.push(...this.relationConditions(key, value, field?.type));
      } else if (!field && this.dataModel && isPlainObject(value) && this.allScalarFields(model, value)) {
        // A compound unique key: `teamId_slug: { teamId, slug }` is an equality on each field.
        for (const name of Object.keys(value))
          parts.push(...this.fieldConditions(name, value[name], this.field(model, name)));
      } else {
        parts.push(...this.fieldConditions(key, value, field));
      }
    }
    if (parts.length === 0) return undefined;
    if (parts.length === 1) return parts[0];
    return { and: sortedByJson(parts) };
  }

  private allScalarFields(model: string | undefined, value: Args): boolean {
    const keys = Object.keys(value);
    return (
      keys.length > 0 &&
      keys.every((k) => {
        const kind = this.field(model, k)?.kind;
        return kind === 'scalar' || kind === 'enum';
      })
    );
  }

  private relationConditions(relation: string, value: unknown, model: string | undefined): RelationCondition[] {
    if (value === null) return [{ relation, quantifier: 'is' }];
    if (!isPlainObject(value)) return [];
    const quantified = QUANTIFIERS.filter((q) => value[q] !== undefined);
    if (quantified.length === 0) {
      const where = this.where(value, model);
      return [where ? { relation, quantifier: 'is', where } : { relation, quantifier: 'is' }];
    }
    return quantified.map((quantifier) => {
      const where = this.where(value[quantifier], model);
      return where ? { relation, quantifier, where } : { relation, quantifier };
    });
  }

  private fieldConditions(name: string, value: unknown, field: RuntimeField | undefined): FieldCondition[] {
    if (value === undefined) return [];
    if (value === null) return [{ field: name, op: 'isNull' }];
    if (!isPlainObject(value) || !hasOperator(value)) return [withValues({ field: name, op: 'equals' }, field, value)];
    const insensitive = value['mode'] === 'insensitive';
    const path = value['path'] !== undefined;
    const conditions: FieldCondition[] = [];
    for (const key of Object.keys(value)) {
      const operand = value[key];
      if (operand === undefined || !FIELD_OPERATORS.has(key)) continue;
      let condition: FieldCondition;
      if (key === 'equals' && operand === null) condition = { field: name, op: 'isNull' };
      else if (key === 'not' && operand === null) condition = { field: name, op: 'isNotNull' };
      else if (key === 'not' && isPlainObject(operand) && hasOperator(operand)) {
        condition = { field: name, op: 'not', not: this.fieldConditions(name, operand, field) };
      } else condition = withValues({ field: name, op: key as FieldOperator }, field, operand);
      if (insensitive) condition.insensitive = true;
      if (path) condition.path = true;
      conditions.push(condition);
    }
    return conditions;
  }

  orderBy(orderBy: unknown, model: string | undefined, prefix: string[] = []): OrderShape[] {
    const out: OrderShape[] = [];
    for (const entry of Array.isArray(orderBy) ? orderBy : [orderBy]) {
      if (!isPlainObject(entry)) continue;
      for (const key of Object.keys(entry)) {
        const value = entry[key];
        if (value === 'asc' || value === 'desc') {
          out.push({ path: [...prefix, key], direction: value });
        } else if (isPlainObject(value) && (value['sort'] === 'asc' || value['sort'] === 'desc')) {
          const order: OrderShape = {
            path:
              key === '_relevance' && Array.isArray(value['fields'])
                ? [...prefix, ...stringsSorted(value['fields'])]
                : [...prefix, key],
            direction: value['sort'],
          };
          if (value['nulls'] === 'first' || value['nulls'] === 'last') order.nulls = value['nulls'];
          if (key === '_relevance') order.aggregate = '_relevance';
          out.push(order);
        } else if (isPlainObject(value) && AGGREGATES.has(key)) {
          // groupBy/aggregate: `_count: { id: 'asc' }`.
          for (const inner of this.orderBy(value, model, prefix))
            out.push({ ...inner, aggregate: key as OrderShape['aggregate'] });
        } else if (isPlainObject(value)) {
          // Through a relation: `author: { name: 'asc' }` or `posts: { _count: 'desc' }`.
          const related = this.field(model, key)?.type;
          for (const inner of this.orderBy(value, related, [...prefix, key])) {
            const last = inner.path[inner.path.length - 1];
            out.push(
              last === '_count'
                ? { path: inner.path.slice(0, -1), direction: inner.direction, aggregate: '_count' }
                : inner,
            );
          }
        }
      }
    }
    return out;
  }

  private cursorFields(cursor: Args, model: string | undefined): string[] {
    const fields: string[] = [];
    for (const key of Object.keys(cursor)) {
      const value = cursor[key];
      if (!this.field(model, key) && isPlainObject(value)) fields.push(...Object.keys(value));
      else fields.push(key);
    }
    return fields.sort();
  }

  /** The scalar fields a `select` names: what the read returns (relations are reads of their own). */
  private scalarSelect(selection: unknown, model: string | undefined): string[] | undefined {
    if (!isPlainObject(selection)) return undefined;
    const fields = Object.keys(selection).filter((key) => {
      const value = selection[key];
      if (value === undefined || value === false || key === '_count') return false;
      const field = this.field(model, key);
      return field ? field.kind !== 'object' : !isPlainObject(value);
    });
    return fields.sort();
  }

  private reads(selection: unknown, model: string | undefined): NestedRead[] {
    if (!isPlainObject(selection)) return [];
    const reads: NestedRead[] = [];
    for (const key of Object.keys(selection)) {
      const value = selection[key];
      if (value === undefined || value === false) continue;
      if (key === '_count') {
        reads.push(...this.counts(value, model));
        continue;
      }
      const field = this.field(model, key);
      if (field ? field.kind !== 'object' : !isPlainObject(value)) continue;
      reads.push({ relation: key, ...(isPlainObject(value) ? this.read(value, field?.type) : {}) });
    }
    return reads;
  }

  private counts(value: unknown, model: string | undefined): NestedRead[] {
    if (value === true) {
      const fields = model !== undefined ? (this.dataModel?.models[model]?.fields ?? []) : [];
      return fields.filter((f) => f.kind === 'object' && f.isList).map((f) => ({ relation: f.name, countOnly: true }));
    }
    const select = isPlainObject(value) ? value['select'] : undefined;
    if (!isPlainObject(select)) return [];
    const reads: NestedRead[] = [];
    for (const relation of Object.keys(select)) {
      const inner = select[relation];
      if (inner === undefined || inner === false) continue;
      const related = this.field(model, relation)?.type;
      const where = isPlainObject(inner) ? this.where(inner['where'], related) : undefined;
      reads.push(where ? { relation, countOnly: true, where } : { relation, countOnly: true });
    }
    return reads;
  }
}

function withValues(condition: FieldCondition, field: RuntimeField | undefined, operand: unknown): FieldCondition {
  const values = schemaValues(field, operand);
  if (values) condition.values = values;
  return condition;
}

/** Enum values and booleans are part of the schema, not of the data: they are kept. */
function schemaValues(field: RuntimeField | undefined, operand: unknown): ShapeValue[] | undefined {
  if (!field) return undefined;
  const keep = (v: unknown): v is ShapeValue =>
    (field.kind === 'enum' && typeof v === 'string') || (field.type === 'Boolean' && typeof v === 'boolean');
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0 || !list.every(keep)) return undefined;
  return [...new Set(list)].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

function hasOperator(value: Args): boolean {
  for (const key of Object.keys(value)) if (FIELD_OPERATORS.has(key) || key === 'mode' || key === 'path') return true;
  return false;
}

function looksLikeRelationFilter(value: unknown): boolean {
  return isPlainObject(value) && QUANTIFIERS.some((q) => value[q] !== undefined) && !hasOperator(value);
}

function isPlainObject(value: unknown): value is Args {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function stringsSorted(values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string').sort();
}

function sortedByJson<T>(items: T[]): T[] {
  if (items.length < 2) return items;
  return items
    .map((item) => [JSON.stringify(item), item] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, item]) => item);
}
