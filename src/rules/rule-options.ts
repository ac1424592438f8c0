/**
 * Rule options, declared once per rule: a shape whose entries carry the option's kind, its default
 * and its one-line doc. From the shape come the options TYPE (`OptionsOf<typeof SHAPE>`), the
 * defaults, RULES.md's option lines, and the checker that turns the config file's value into typed
 * options or `path: problem` strings (unknown keys with a "did you mean", wrong values).
 *
 * In-house rather than zod: `check` is the pre-commit hook and loading zod costs it 25–55 ms cold
 * (zod 3.25; zod/v4 90–160 ms), measured 2026-12-06; this file costs nothing to load.
 * Dependency-free apart from the name suggester.
 */
import { didYouMean } from '../sql/expr-suggest';

export type NameKind = 'Model.field' | 'Model or Model.field';

interface Declared<T> {
  readonly default: T;
  /** One line for RULES.md. */
  readonly doc?: string;
}

export interface StringsOption extends Declared<string[]> {
  readonly kind: 'strings';
  readonly nonEmpty?: boolean;
}
export interface BooleanOption extends Declared<boolean> {
  readonly kind: 'boolean';
}
export interface IntegerOption extends Declared<number> {
  readonly kind: 'integer';
  readonly min?: number;
  readonly max?: number;
}
/** One of a few strings. */
export interface ChoiceOption<V extends string> extends Declared<V> {
  readonly kind: 'choice';
  readonly values: readonly V[];
}
/** A list of some of a few strings. */
export interface ChoicesOption<V extends string> extends Declared<V[]> {
  readonly kind: 'choices';
  readonly values: readonly V[];
}
/** A list of `Model.field` (or `Model` / `Model.field`) names. */
export interface NamesOption extends Declared<string[]> {
  readonly kind: 'names';
  readonly names: NameKind;
}
/** A nested options object; problems inside it are reported as `key.inner: problem`; its defaults are its entries'. */
export interface ObjectOption<S extends OptionShape> {
  readonly kind: 'object';
  readonly shape: S;
  readonly doc?: string;
}
/** Anything else: the rule checks the value itself (`check` returns `path: problem` strings). */
export interface CustomOption<T> extends Declared<T> {
  readonly kind: 'custom';
  check(value: unknown, path: string): string[];
}

export type OptionType =
  | StringsOption
  | BooleanOption
  | IntegerOption
  | ChoiceOption<string>
  | ChoicesOption<string>
  | NamesOption
  | ObjectOption<OptionShape>
  | CustomOption<unknown>;

export interface OptionShape {
  readonly [name: string]: OptionType;
}

/** The value an option entry stands for. */
export type OptionValue<T> = T extends ObjectOption<infer S> ? OptionsOf<S> : T extends Declared<infer V> ? V : never;

/** The options a shape describes, after defaults: every key present. */
export type OptionsOf<S extends OptionShape> = { -readonly [K in keyof S]: OptionValue<S[K]> };

/** Builders: `option.strings(['createdAt'])`, `option.choice(['btree', 'hash'], 'btree')`, ... */
export const option = {
  strings: (fallback: string[], extra: { nonEmpty?: boolean; doc?: string } = {}): StringsOption => ({
    kind: 'strings',
    default: fallback,
    ...extra,
  }),
  boolean: (fallback: boolean, doc?: string): BooleanOption => ({
    kind: 'boolean',
    default: fallback,
    ...(doc ? { doc } : {}),
  }),
  integer: (fallback: number, range: { min?: number; max?: number; doc?: string } = {}): IntegerOption => ({
    kind: 'integer',
    default: fallback,
    ...range,
  }),
  choice: <V extends string>(values: readonly V[], fallback: V, doc?: string): ChoiceOption<V> => ({
    kind: 'choice',
    values,
    default: fallback,
    ...(doc ? { doc } : {}),
  }),
  choices: <V extends string>(values: readonly V[], fallback: V[], doc?: string): ChoicesOption<V> => ({
    kind: 'choices',
    values,
    default: fallback,
    ...(doc ? { doc } : {}),
  }),
  names: (names: NameKind, fallback: string[] = [], doc?: string): NamesOption => ({
    kind: 'names',
    names,
    default: fallback,
    ...(doc ? { doc } : {}),
  }),
  object: <S extends OptionShape>(shape: S, doc?: string): ObjectOption<S> => ({
    kind: 'object',
    shape,
    ...(doc ? { doc } : {}),
  }),
  custom: <T>(fallback: T, check: (value: unknown, path: string) => string[], doc?: string): CustomOption<T> => ({
    kind: 'custom',
    default: fallback,
    check,
    ...(doc ? { doc } : {}),
  }),
};

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Validates `raw` against `shape`. `undefined` (no options given) is valid; keys may be omitted,
 * and a key whose value is `undefined` counts as omitted.
 */
export function validateShape(raw: unknown, shape: OptionShape, style: ValueStyle = 'typed'): string[] {
  return raw === undefined ? [] : checkObject(undefined, raw, shape, style);
}

/**
 * The options a rule runs with: `raw` (the config file's value, possibly partial, possibly
 * undefined) checked against `shape`, every omitted key filled in with its default (nested objects
 * key by key). Problems instead when `raw` does not fit.
 */
export function parseOptions<S extends OptionShape>(
  shape: S,
  raw: unknown,
  style: ValueStyle = 'typed',
): { options: OptionsOf<S> } | { problems: string[] } {
  const problems = validateShape(raw, shape, style);
  return problems.length > 0 ? { problems } : { options: fill(shape, isRecord(raw) ? raw : {}) };
}

/** The defaults of a shape. */
export function defaultsOf<S extends OptionShape>(shape: S): OptionsOf<S> {
  return fill(shape, {});
}

/** One-line docs of a shape's top-level options that have one (RULES.md). */
export function docsOf(shape: OptionShape): Record<string, string> | undefined {
  const docs = Object.entries(shape).flatMap(([name, type]) => (type.doc ? [[name, type.doc] as const] : []));
  return docs.length > 0 ? Object.fromEntries(docs) : undefined;
}

/** `given` has been validated against `shape`. */
function fill<S extends OptionShape>(shape: S, given: Record<string, unknown>): OptionsOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(shape)) {
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (type.kind === 'object') out[name] = fill(type.shape, isRecord(value) ? value : {});
    else if (value !== undefined) out[name] = value;
    else out[name] = Array.isArray(type.default) ? [...type.default] : type.default;
  }
  // The one place an unknown value becomes typed: every key of `shape` was filled above with a
  // value that `validateShape` accepted for its entry, or with the entry's default.
  return out as OptionsOf<S>;
}

/** `path` is undefined for the options object itself (named `options` in messages). */
function checkObject(path: string | undefined, raw: unknown, shape: OptionShape, style: ValueStyle): string[] {
  if (!isRecord(raw)) {
    return [`${path ?? 'options'}: expected an object${style === 'typed' ? `, got ${describe(raw)}` : ''}`];
  }
  const problems: string[] = [];
  const known = Object.keys(shape);
  for (const [key, value] of Object.entries(raw)) {
    const at = path === undefined ? key : `${path}.${key}`;
    // Own keys only: a key named `constructor` or `toString` must not find Object.prototype's.
    const type = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (!type) {
      problems.push(
        known.length > 0
          ? `${at}: unknown option${didYouMean(key, known)} (known: ${known.join(', ')})`
          : `${at}: unknown option (this rule takes no options)`,
      );
      continue;
    }
    if (value !== undefined) problems.push(...checkValue(at, value, type, style));
  }
  return problems;
}

function quoted(values: readonly string[], last: string): string {
  const q = values.map((v) => JSON.stringify(v));
  return q.length === 2 ? `${q[0]} ${last} ${q[1]}` : q.join(', ');
}

function checkValue(path: string, value: unknown, type: OptionType, style: ValueStyle): string[] {
  switch (type.kind) {
    case 'boolean':
      return typeof value === 'boolean'
        ? []
        : [`${path}: expected true or false, got ${style === 'typed' ? describe(value) : JSON.stringify(value)}`];
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return [`${path}: expected an integer, got ${describe(value)}`];
      if (type.min !== undefined && value < type.min) return [`${path}: must be at least ${type.min}, got ${value}`];
      if (type.max !== undefined && value > type.max) return [`${path}: must be at most ${type.max}, got ${value}`];
      return [];
    }
    case 'strings': {
      if (!Array.isArray(value)) return [`${path}: expected a list of strings, got ${describe(value)}`];
      const problems = value.flatMap((v, i) =>
        typeof v === 'string' && v.length > 0 ? [] : [`${path}[${i}]: expected a non-empty string, got ${describe(v)}`],
      );
      if (type.nonEmpty && value.length === 0) problems.push(`${path}: must not be empty`);
      return problems;
    }
    case 'choice':
      return typeof value === 'string' && type.values.includes(value)
        ? []
        : [
            `${path}: expected ${type.values.length === 2 ? quoted(type.values, 'or') : `one of ${quoted(type.values, ',')}`}, got ${JSON.stringify(value)}`,
          ];
    case 'choices': {
      if (!Array.isArray(value))
        return [
          `${path}: expected a list of ${type.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${describe(value)}`,
        ];
      return value.flatMap((v, i) =>
        typeof v === 'string' && type.values.includes(v)
          ? []
          : [
              `${path}[${i}]: expected one of ${type.values.map((x) => JSON.stringify(x)).join(', ')}, got ${describe(v)}`,
            ],
      );
    }
    case 'names': {
      if (!Array.isArray(value)) return [`${path}: expected a list of "${type.names}" strings`];
      const pattern = type.names === 'Model.field' ? MODEL_FIELD : MODEL_OR_FIELD;
      return value.flatMap((item, i) =>
        typeof item === 'string' && pattern.test(item)
          ? []
          : [`${path}[${i}]: expected "${type.names}", got ${JSON.stringify(item)}`],
      );
    }
    case 'object':
      return checkObject(path, value, type.shape, style);
    case 'custom':
      return type.check(value, path);
  }
}
