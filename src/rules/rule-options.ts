/**
 * The options checker behind every rule's `validateOptions`: a rule declares the shape of its
 * options and gets back `path: problem` strings for unknown keys (with a "did you mean") and wrong
 * values. Dependency-free apart from the name suggester.
 */
import { didYouMean } from '../sql/expr-suggest';

export type NameKind = 'Model.field' | 'Model or Model.field';

export type OptionType =
  | { type: 'string[]'; nonEmpty?: boolean }
  | { type: 'boolean' }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'enum[]'; values: readonly string[] }
  /** A list of `Model.field` (or `Model` / `Model.field`) names. */
  | { type: 'names'; kind: NameKind }
  /** A nested options object; problems inside it are reported as `key.inner: problem`. */
  | { type: 'object'; shape: OptionShape }
  /** Anything else: the rule checks the value itself. */
  | { type: 'custom'; check: (value: unknown, path: string) => string[] };

export type OptionShape = Record<string, OptionType>;

/**
 * How a wrong value is quoted after "got" (each rule's messages are part of its tested output):
 * 'typed' says `string "yes"`, `number 1.5`, `null`, `an array`, also for a value that should be an
 * object; 'json' says `"yes"`, `1`, and nothing for a value that should be an object.
 */
export type ValueStyle = 'typed' | 'json';

const MODEL_FIELD = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
const MODEL_OR_FIELD = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Validates `raw` against `shape`. `undefined` (no options given) is valid; keys may be omitted,
 * and a key whose value is `undefined` counts as omitted.
 */
export function validateShape(raw: unknown, shape: OptionShape, style: ValueStyle = 'typed'): string[] {
  return raw === undefined ? [] : checkObject(undefined, raw, shape, style);
}

/** `path` is undefined for the options object itself (named `options` in messages). */
function checkObject(path: string | undefined, raw: unknown, shape: OptionShape, style: ValueStyle): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return [`${path ?? 'options'}: expected an object${style === 'typed' ? `, got ${describe(raw)}` : ''}`];
  }
  const problems: string[] = [];
  const known = Object.keys(shape);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const at = path === undefined ? key : `${path}.${key}`;
    // Own keys only: a key named `constructor` or `toString` must not find Object.prototype's.
    const type = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!type) {
      problems.push(
        known.length > 0 ? `${at}: unknown option${didYouMean(key, known)} (known: ${known.join(', ')})` : `${at}: unknown option (this rule takes no options)`,
      );
      continue;
    }
    if (value !== undefined) problems.push(...checkValue(at, value, type, style));
  }
  return problems;
}

function checkValue(path: string, value: unknown, type: OptionType, style: ValueStyle): string[] {
  switch (type.type) {
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected true or false, got ${style === 'typed' ? describe(value) : JSON.stringify(value)}`];
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return [`${path}: expected an integer, got ${describe(value)}`];
      if (type.min !== undefined && value < type.min) return [`${path}: must be at least ${type.min}, got ${value}`];
      if (type.max !== undefined && value > type.max) return [`${path}: must be at most ${type.max}, got ${value}`];
      return [];
    }
    case 'string[]': {
      if (!Array.isArray(value)) return [`${path}: expected a list of strings, got ${describe(value)}`];
      const problems = value.flatMap((v, i) =>
        typeof v === 'string' && v.length > 0 ? [] : [`${path}[${i}]: expected a non-empty string, got ${describe(v)}`],
      );
      if (type.nonEmpty && value.length === 0) problems.push(`${path}: must not be empty`);
      return problems;
    }
    case 'enum[]': {
      if (!Array.isArray(value)) return [`${path}: expected a list of ${type.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${describe(value)}`];
      return value.flatMap((v, i) =>
        typeof v === 'string' && type.values.includes(v) ? [] : [`${path}[${i}]: expected one of ${type.values.map((x) => JSON.stringify(x)).join(', ')}, got ${describe(v)}`],
      );
    }
    case 'names': {
      if (!Array.isArray(value)) return [`${path}: expected a list of "${type.kind}" strings`];
      const pattern = type.kind === 'Model.field' ? MODEL_FIELD : MODEL_OR_FIELD;
      return value.flatMap((item, i) =>
        typeof item === 'string' && pattern.test(item) ? [] : [`${path}[${i}]: expected "${type.kind}", got ${JSON.stringify(item)}`],
      );
    }
    case 'object':
      return checkObject(path, value, type.shape, style);
    case 'custom':
      return type.check(value, path);
  }
}

/**
 * Defaults overlaid with whatever the caller gave, keys set to `undefined` left out as in
 * `validateShape` (the rule's own guard; callers normally pass merged options).
 */
export function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const defined = Object.entries(given ?? {}).filter(([, value]) => value !== undefined);
  return { ...defaults, ...(Object.fromEntries(defined) as Partial<T>) };
}
