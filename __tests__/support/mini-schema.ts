/**
 * A tiny JSON Schema (2020-12) validator for the subset schemas/plan.schema.json uses: local
 * `$ref`, `type` (one or a list), `const`, `enum`, `properties`, `required`,
 * `additionalProperties: false`, `items`, `oneOf`, `anyOf`, `minimum`, `pattern`. Any other
 * keyword is an error, so the schema cannot drift into keywords this test does not check.
 */

export type Schema = { [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', '$defs', 'title', 'description', '$comment']);
const KEYWORDS = new Set([
  '$ref',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'oneOf',
  'anyOf',
  'minimum',
  'pattern',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(actual: string, wanted: string): boolean {
  return actual === wanted || (wanted === 'number' && actual === 'integer');
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown>)[part];
    if (node === undefined) throw new Error(`dangling $ref ${ref}`);
  }
  return node as Schema;
}

/** Returns `path: problem` strings; empty when `value` is valid. */
export function validate(root: Schema, value: unknown, schema: Schema = root, path = '$'): string[] {
  const errors: string[] = [];
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword))
      throw new Error(`schema keyword ${keyword} at ${path} is not supported by the test validator`);
  }
  if (typeof schema['$ref'] === 'string') errors.push(...validate(root, value, resolve(root, schema['$ref']), path));
  const actual = typeOf(value);
  if (schema['type'] !== undefined) {
    const wanted = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
    if (!wanted.some((w) => typeMatches(actual, w)))
      errors.push(`${path}: expected ${wanted.join(' | ')}, got ${actual}`);
  }
  if ('const' in schema && value !== schema['const'])
    errors.push(`${path}: expected ${JSON.stringify(schema['const'])}, got ${JSON.stringify(value)}`);
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema['enum'])}`);
  if (typeof schema['minimum'] === 'number' && typeof value === 'number' && value < schema['minimum'])
    errors.push(`${path}: ${value} < ${schema['minimum']}`);
  if (
    typeof schema['pattern'] === 'string' &&
    typeof value === 'string' &&
    !new RegExp(schema['pattern'], 'u').test(value)
  )
    errors.push(`${path}: does not match ${schema['pattern']}`);
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const key of (schema['required'] ?? []) as string[])
      if (!(key in object)) errors.push(`${path}: missing ${key}`);
    for (const [key, child] of Object.entries(object)) {
      if (properties[key]) errors.push(...validate(root, child, properties[key], `${path}.${key}`));
      else if (schema['additionalProperties'] === false) errors.push(`${path}: unexpected key ${key}`);
    }
  }
  if (actual === 'array' && schema['items']) {
    (value as unknown[]).forEach((item, i) =>
      errors.push(...validate(root, item, schema['items'] as Schema, `${path}[${i}]`)),
    );
  }
  if (Array.isArray(schema['oneOf'])) {
    const passing = (schema['oneOf'] as Schema[]).map((s) => validate(root, value, s, path));
    const ok = passing.filter((e) => e.length === 0).length;
    if (ok !== 1)
      errors.push(
        `${path}: matches ${ok} of oneOf (want 1)${ok === 0 ? `: ${passing.map((e) => e[0]).join(' / ')}` : ''}`,
      );
  }
  if (Array.isArray(schema['anyOf'])) {
    const passing = (schema['anyOf'] as Schema[]).map((s) => validate(root, value, s, path));
    if (!passing.some((e) => e.length === 0))
      errors.push(`${path}: matches none of anyOf: ${passing.map((e) => e[0]).join(' / ')}`);
  }
  return errors;
}

/** Every key of `properties` in the schema node, in schema order (to compare with output key order). */
export function propertyOrder(root: Schema, name: string): string[] {
  return Object.keys((resolve(root, `#/$defs/${name}`)['properties'] ?? {}) as object);
}
