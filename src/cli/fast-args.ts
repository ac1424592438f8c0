/**
 * The fast path of argument parsing: the usual pre-commit invocations (`idxgen check --schema x
 * --format github`, `idxgen plan`) are read with Node's own `util.parseArgs`, so a run does not
 * load and set up yargs (~30-40 ms of CPU in a cold `check`; BENCHMARKS.md, "esbuild bundle").
 * It takes only a strict subset: the command word first, then long options of the command, each
 * once, string values not empty and not starting with `-`, a choice among its choices. Anything
 * else (help, version, short or unknown options, a repeated option, a value yargs would read
 * differently, a usage error) returns undefined and main() hands the same argv to yargs, which
 * prints every message and usage error exactly as before. For what it accepts the result is what
 * yargs hands the command (__tests__/cli/fast-args.test.ts compares both on many argv).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The options of one command the fast path reads, with their defaults as yargs declares them. */
export interface FastSpec {
  readonly strings: readonly string[];
  readonly booleans: Readonly<Record<string, boolean>>;
  readonly choices: Readonly<Record<string, { readonly values: readonly string[]; readonly default: string }>>;
}

export interface FastInvocation {
  command: string;
  /** Every option of the spec: a string (or undefined when not given) or a boolean. */
  values: Record<string, string | boolean | undefined>;
}

export const FORMATS = ['text', 'json', 'sarif', 'markdown', 'github'] as const;
export const LEVELS = ['error', 'warn', 'info'] as const;

/**
 * What the fast path reads of `check` and `plan`, without yargs: the same names, defaults and
 * choices as their yargs declarations in main.ts (the workload flags always go to yargs).
 */
export const FAST_SPECS: Record<'check' | 'plan', FastSpec> = {
  check: {
    strings: ['schema', 'config', 'baseline'],
    booleans: { cache: true, 'update-baseline': false },
    choices: { format: { values: FORMATS, default: 'text' }, level: { values: LEVELS, default: 'error' } },
  },
  plan: {
    strings: ['schema', 'config'],
    booleans: { cache: true, verbose: false },
    choices: { format: { values: FORMATS, default: 'text' } },
  },
};

type ParseArgsOptions = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` in strict mode, or undefined where it refuses (unknown option, positional, missing or ambiguous value). */
function tokensOf(args: string[], options: ParseArgsOptions) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false, allowNegative: true, tokens: true });
  } catch {
    return undefined;
  }
}

export function parseFast(
  argv: readonly string[],
  specs: Readonly<Record<string, FastSpec>>,
): FastInvocation | undefined {
  const command = argv[0];
  if (command === undefined || !Object.hasOwn(specs, command)) return undefined;
  const spec = specs[command]!;
  const options: ParseArgsOptions = {};
  for (const name of [...spec.strings, ...Object.keys(spec.choices)]) options[name] = { type: 'string' };
  for (const name of Object.keys(spec.booleans)) options[name] = { type: 'boolean' };
  // Refused: yargs says what is wrong.
  const parsed = tokensOf(argv.slice(1), options);
  if (!parsed) return undefined;
  const given = parsed.values as Record<string, string | boolean | undefined>;
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || !token.rawName.startsWith('--') || seen.has(token.name)) return undefined;
    seen.add(token.name);
    if (token.value !== undefined && (token.value === '' || token.value.startsWith('-'))) return undefined;
  }
  const values: FastInvocation['values'] = {};
  for (const name of spec.strings) {
    const value = given[name];
    values[name] = typeof value === 'string' ? value : undefined;
  }
  for (const [name, choice] of Object.entries(spec.choices)) {
    const value = given[name];
    if (value === undefined) values[name] = choice.default;
    else if (typeof value === 'string' && choice.values.includes(value)) values[name] = value;
    else return undefined; // not a choice: yargs prints its "Invalid values" message
  }
  for (const [name, fallback] of Object.entries(spec.booleans)) {
    const value = given[name];
    values[name] = typeof value === 'boolean' ? value : fallback;
  }
  return { command, values };
}
