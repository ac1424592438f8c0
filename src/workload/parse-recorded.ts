/**
 * Reads the JSON lines the recorder writes. Every line is checked against the format
 * (schemas/query-shapes.schema.json) and equal shapes are merged, their counts added. Pure: the
 * caller reads the file.
 */
import type { Diagnostic } from '../errors';
import { jsonLines } from './json-lines';
import { FIELD_OPERATORS, RECORDED_SHAPE_VERSION, shapeKey, type RecordedShape } from './recorded-shape';

export interface ParsedRecording {
  shapes: RecordedShape[];
  problems: Diagnostic[];
}

const FIELD_OPS: ReadonlySet<string> = new Set<string>(FIELD_OPERATORS);
const QUANTIFIERS = new Set(['is', 'isNot', 'some', 'every', 'none']);
const MAX_DEPTH = 64;

export function parseRecordedShapes(text: string, file: string): ParsedRecording {
  const merged = new Map<string, RecordedShape>();
  const problems: Diagnostic[] = [];
  for (const { value, line } of jsonLines(text, file, 'a query-shape line from recordQueryShapes', problems)) {
    const problem = recordProblem(value);
    if (problem) {
      problems.push({ file, line, column: 1, message: `not a recorded query shape: ${problem}` });
      continue;
    }
    const shape = value as RecordedShape;
    const key = shapeKey(shape);
    const held = merged.get(key);
    if (!held) merged.set(key, { ...shape, ...(shape.callSites ? { callSites: [...shape.callSites] } : {}) });
    else {
      held.count += shape.count;
      for (const site of shape.callSites ?? []) if (!(held.callSites ??= []).includes(site)) held.callSites.push(site);
    }
  }
  return { shapes: [...merged.values()], problems };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');

function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected an object';
  if (value['v'] !== RECORDED_SHAPE_VERSION)
    return `"v" must be ${RECORDED_SHAPE_VERSION} (written by another idxgen version?)`;
  if (typeof value['model'] !== 'string' || typeof value['operation'] !== 'string')
    return '"model" and "operation" must be strings';
  if (!Number.isSafeInteger(value['count']) || (value['count'] as number) < 1)
    return '"count" must be a positive integer';
  if (value['by'] !== undefined && !isStrings(value['by'])) return '"by" must be a list of field names';
  if (value['callSites'] !== undefined && !isStrings(value['callSites']))
    return '"callSites" must be a list of strings';
  return readProblem(value, 0);
}

function readProblem(read: Json, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return 'nested too deep';
  if (read['where'] !== undefined) {
    const p = whereProblem(read['where'], depth + 1);
    if (p) return p;
  }
  if (read['orderBy'] !== undefined) {
    if (!Array.isArray(read['orderBy'])) return '"orderBy" must be a list';
    for (const o of read['orderBy']) {
      if (!isObject(o) || !isStrings(o['path']) || (o['direction'] !== 'asc' && o['direction'] !== 'desc'))
        return '"orderBy" entries need a path and a direction';
    }
  }
  for (const key of ['cursor', 'distinct', 'select'])
    if (read[key] !== undefined && !isStrings(read[key])) return `"${key}" must be a list of field names`;
  if (read['reads'] !== undefined) {
    if (!Array.isArray(read['reads'])) return '"reads" must be a list';
    for (const nested of read['reads']) {
      if (!isObject(nested) || typeof nested['relation'] !== 'string') return '"reads" entries need a relation';
      const p = readProblem(nested, depth + 1);
      if (p) return p;
    }
  }
  return undefined;
}

function whereProblem(where: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return 'nested too deep';
  if (!isObject(where)) return '"where" must be an object';
  for (const key of ['and', 'or', 'not']) {
    if (where[key] === undefined) continue;
    const list = where[key];
    if (!Array.isArray(list)) return `"${key}" must be a list`;
    for (const child of list) {
      const p = whereProblem(child, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof where['field'] === 'string') {
    if (typeof where['op'] !== 'string' || !FIELD_OPS.has(where['op']))
      return `unknown operator ${JSON.stringify(where['op'])}`;
    const values = where['values'];
    if (
      values !== undefined &&
      !(Array.isArray(values) && values.every((v) => typeof v === 'string' || typeof v === 'boolean'))
    )
      return '"values" holds only enum values and booleans';
    if (where['not'] !== undefined) {
      if (!Array.isArray(where['not'])) return '"not" must be a list';
      for (const child of where['not']) {
        const p = whereProblem(child, depth + 1);
        if (p) return p;
      }
    }
    return undefined;
  }
  if (typeof where['relation'] === 'string') {
    if (typeof where['quantifier'] !== 'string' || !QUANTIFIERS.has(where['quantifier']))
      return `unknown relation quantifier ${JSON.stringify(where['quantifier'])}`;
    return where['where'] === undefined ? undefined : whereProblem(where['where'], depth + 1);
  }
  return 'a condition needs "field", "relation", "and", "or" or "not"';
}
