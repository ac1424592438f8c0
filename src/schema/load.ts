import { UserError, type Diagnostic } from '../errors';
import type { SchemaModel } from '../model/types';
import { buildModel } from './build-model';
import { validatorWorkerStarted } from './prisma-wasm-worker';
import { sanitizeLegacySyntax } from './legacy';
import { findNesting, MAX_NESTING, nestingLimitMessage, SchemaLimitError } from './parse';
import { PRISMA_IDENTIFIER_SOURCE } from './identifier';
import { execAt, keywordLineStarts, lineColumnAt, type SchemaSource } from './source';
import {
  knownPreviewFeatures,
  validateWithPrisma,
  validateWithPrismaBegun,
  validateWithPrismaOnWorker,
  type ValidationCache,
} from './validate';

export interface LoadedSchema {
  /** The files exactly as the user wrote them (edits are applied to these). */
  sources: SchemaSource[];
  /** The files as Prisma 7 validated them (legacy lines blanked, same lines and columns). */
  validated: SchemaSource[];
  model: SchemaModel;
}

/**
 * schema text → validated (by Prisma's own rules) → normalized model. Pure: no file system (a cache
 * is passed in). With `startValidation` (Prisma 7's validator begun elsewhere, on a thread: see
 * validateWithPrismaBegun), the model is built while it validates; Prisma's errors still win.
 */
export function loadSchema(
  sources: SchemaSource[],
  cache?: ValidationCache,
  startValidation?: (validated: SchemaSource[]) => () => Diagnostic[],
): LoadedSchema {
  const { sources: validated, warnings } = sanitizeLegacySyntax(sources, knownPreviewFeatures(cache));
  requirePostgres(validated);
  requireNestingWithinLimit(validated);
  let model: SchemaModel;
  if (startValidation) {
    const verdict = validateWithPrismaBegun(validated, cache, startValidation);
    try {
      model = buildModelOrReport(validated);
    } catch (error) {
      const errors = verdict();
      throw errors.length > 0 ? new UserError(errors) : error;
    }
    const errors = verdict();
    if (errors.length > 0) throw new UserError(errors);
  } else {
    const errors = validateWithPrisma(validated, cache);
    if (errors.length > 0) throw new UserError(errors);
    model = buildModelOrReport(validated);
  }
  model.warnings.unshift(...warnings);
  return { sources, validated, model };
}

/**
 * `then(loadSchema(sources, cache))` for the CLI. When the CLI started a validator worker
 * (prisma-wasm-worker.ts), Prisma's validator runs on it while this thread builds the model and
 * runs `then` (the rules, the plan, and the report rendered for printing). Same outcome as the
 * sequence: Prisma's errors win over anything the model build or `then` threw on the invalid
 * schema, and the result (or their error) is given only once Prisma has answered, so a caller that
 * prints after awaiting prints nothing for an invalid schema. `then` must therefore only read:
 * anything it writes would be written for a schema Prisma then rejects.
 */
export async function loadSchemaThen<T>(
  sources: SchemaSource[],
  cache: ValidationCache | undefined,
  then: (schema: LoadedSchema) => T | Promise<T>,
): Promise<T> {
  // Without a worker waiting (one core, a loaded machine), in order on this thread.
  if (!validatorWorkerStarted()) return then(loadSchema(sources, cache));
  const { sources: validated, warnings } = sanitizeLegacySyntax(sources, knownPreviewFeatures(cache));
  requirePostgres(validated);
  requireNestingWithinLimit(validated);
  const verdict = validateWithPrismaOnWorker(validated, cache);
  // Awaited below, after `then`; a rejection that comes while `then` awaits is not unhandled.
  verdict.catch(() => undefined);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    const model = buildModelOrReport(validated);
    model.warnings.unshift(...warnings);
    outcome = { ok: true, value: await then({ sources, validated, model }) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const errors = await verdict;
  if (errors.length > 0) throw new UserError(errors);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Nesting past MAX_NESTING is refused before Prisma's validator, which crashes on it. */
function requireNestingWithinLimit(sources: SchemaSource[]): void {
  for (const source of sources) {
    const point = findNesting(source.content);
    if (point.depth > MAX_NESTING)
      throw new UserError([
        { file: source.path, line: point.line, column: point.column, message: nestingLimitMessage() },
      ]);
  }
}

/** Builds the model; valid Prisma that PostgreSQL or idxgen cannot take is bad input (exit 2). */
function buildModelOrReport(sources: SchemaSource[]): SchemaModel {
  try {
    return buildModel(sources);
  } catch (error) {
    if (error instanceof SchemaLimitError)
      throw new UserError([{ file: error.file, line: error.line, column: error.column, message: error.reason }]);
    throw error;
  }
}

/**
 * A datasource block from the start of its line, up to its first `provider` key that no identifier
 * character precedes: group 1 is the text between `{` and that key, group 2 the provider. With an
 * ASCII name and ASCII letters, and with Prisma's identifiers and letters (`\p{L}`: built only when
 * the ASCII one does not answer there; identifier.ts).
 */
const ASCII_DATASOURCE_AT =
  /[ \t]*datasource[ \t]+[A-Za-z0-9][A-Za-z0-9_-]*[ \t]*\{([^}]*?)(?<![A-Za-z0-9_-])provider[ \t]*=[ \t]*"([^"]*)"/y;
let datasourceAt: RegExp | undefined;

/** The first datasource block's provider (see above): `/^…/mu.exec(text)`, found sooner. */
export function datasourceProvider(text: string): RegExpExecArray | null {
  for (const start of keywordLineStarts(text, ['datasource'])) {
    const ascii = execAt(ASCII_DATASOURCE_AT, text, start);
    // Only a non-ASCII character before the key can be a letter the ASCII expression let pass.
    if (ascii !== null && !/[^\x00-\x7f]$/.test(ascii[1]!)) return ascii;
    const full = execAt(unicodeDatasourceAt(), text, start);
    if (full !== null) return full;
  }
  return null;
}

function unicodeDatasourceAt(): RegExp {
  return (datasourceAt ??= new RegExp(
    `[ \\t]*datasource[ \\t]+${PRISMA_IDENTIFIER_SOURCE}[ \\t]*\\{([^}]*?)(?<![\\p{L}0-9_-])provider[ \\t]*=[ \\t]*"([^"]*)"`,
    'uy',
  ));
}

function requirePostgres(sources: SchemaSource[]): void {
  for (const source of sources) {
    const m = datasourceProvider(source.content);
    if (!m) continue;
    const provider = m[2]!;
    if (provider === 'postgresql' || provider === 'postgres') return;
    const at = lineColumnAt(source.content, m.index + m[0].lastIndexOf(provider) - 1);
    const diagnostic: Diagnostic = {
      file: source.path,
      line: at.line,
      column: at.column,
      message: `provider "${provider}": idxgen only supports PostgreSQL (provider = "postgresql") for now`,
    };
    throw new UserError([diagnostic]);
  }
  throw new UserError([
    {
      file: sources[0]?.path,
      message: 'no datasource block found: idxgen needs `datasource db { provider = "postgresql" }`',
    },
  ]);
}
