import type { Diagnostic } from '../errors';
import { findNesting } from './parse';
import {
  callPrismaSchemaWasm,
  installedVersion,
  PRISMA_SCHEMA_WASM,
  prismaSchemaWasmLoaded,
  PrismaWasmCrash,
  reserveWasmMemory,
  validatorMemoryFor,
} from './prisma-wasm';
import { discardValidatorWorker, validateOnWorker, WorkerUnavailable, type WorkerAnswer } from './prisma-wasm-worker';
import type { ValidatorThread } from './validator-thread';
import { PREVIEW_FEATURES } from './preview-features';
import { charOffsetOfByte, lineColumnAt, type SchemaSource } from './source';

/**
 * Prisma's own rules decide validity: `validate` from @prisma/prisma-schema-wasm (the validator
 * the Prisma CLI runs). It reports file and line; `lint` (slower, so only on failure) adds columns.
 */

/**
 * Remembers what the validator said about inputs it has seen, so a repeated run (a git hook on an
 * unchanged schema) skips loading the WASM (~150 ms cold). Holds only two kinds of entries, both
 * keyed by a hash that includes `validator`: the validator's preview-feature list, and "this exact
 * validate() input (every file's path and full text, as sanitized) had no errors". Failures are
 * never stored: they are always re-validated and reported by Prisma itself.
 */
export interface ValidationCache {
  /** Identifies the validator build (package name, version, .wasm size and mtime). */
  validator: string;
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/**
 * `kind` and a SHA-256 of the validator and `parts`, each prefixed by its length, so no two lists of
 * parts hash the same text. The parts go to the hash as they are: a cache hit does not pay for the
 * JSON the validator would be given (~1 % of a warm `check` on civitai).
 */
function cacheKey(kind: string, cache: ValidationCache, parts: readonly string[]): string {
  // node:crypto is loaded only when a cache is used (issue 14: ~6 ms of a cold run).
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256').update(cache.validator, 'utf8');
  for (const part of parts) hash.update(`\u0000${part.length}:`, 'utf8').update(part, 'utf8');
  return `${kind}-${hash.digest('hex')}`;
}

/** What the validator reads: every file's path and text, in order. */
function filesOf(sources: readonly SchemaSource[]): (readonly [string, string])[] {
  return sources.map((s) => [s.path, s.content] as const);
}

/** The input of `validate` for those files. */
function validateParams(files: readonly (readonly [string, string])[]): string {
  return JSON.stringify({ prismaSchema: files, noColor: true });
}

/** The key of "this validate() input had no errors": every file's path and text, in order. */
function validityKey(cache: ValidationCache, files: readonly (readonly [string, string])[]): string {
  return cacheKey('valid', cache, files.flat());
}

interface LintDiagnostic {
  file_name: string;
  start: number;
  end: number;
  text: string;
  is_warning: boolean;
}

/**
 * The validator each Prisma major ships (package.json aliases; see src/compat/prisma-version.ts): Prisma
 * 6.19.3 ships prisma-schema-wasm 7.1.1-3.c2990dca, Prisma 5.22.0 ships 5.22.0-44.60519735. Each
 * is ~2.9 MB and is loaded only when a generate for a project of that major edits the schema.
 */
const VALIDATORS = { 5: 'prisma-schema-wasm-5', 6: 'prisma-schema-wasm-6', 7: PRISMA_SCHEMA_WASM } as const;

/** Whether the validator of that Prisma major was loaded in this process (tests: it must stay off the check path). */
export function olderValidatorLoaded(major: 5 | 6): boolean {
  return prismaSchemaWasmLoaded(VALIDATORS[major]);
}

/**
 * Every error the validator of Prisma `major` finds in the files exactly as given (a Prisma 5/6
 * schema keeps its datasource `url`: that validator wants it). Major 7 is the bundled validator.
 */
export function validateWithPrismaMajor(sources: SchemaSource[], major: 5 | 6 | 7): Diagnostic[] {
  const module = VALIDATORS[major];
  const files = filesOf(sources);
  try {
    validateInProcess(validateParams(files), module);
  } catch (error) {
    if (error instanceof PrismaWasmCrash) return [crashDiagnostic(error.message, sources)];
    return withColumns(parseValidationError(errorText(error)), sources, files, module);
  }
  return [];
}

/**
 * The preview features Prisma 7's validator knows (what `sanitizeLegacySyntax` keeps). For the
 * validator idxgen pins, the list recorded in preview-features.ts, so a run need not load the WASM
 * to sanitize (and can validate on a worker meanwhile); for another installed build, its answer.
 */
export function knownPreviewFeatures(
  cache?: ValidationCache,
  recorded: { validator: string; features: readonly string[] } = PREVIEW_FEATURES,
): string[] {
  if (installedVersion(PRISMA_SCHEMA_WASM) === recorded.validator) return [...recorded.features];
  const key = cache && cacheKey('preview-features', cache, []);
  const cached = key && cache.get(key);
  if (cached) {
    try {
      const list = JSON.parse(cached) as unknown;
      if (Array.isArray(list) && list.every((f) => typeof f === 'string')) return list as string[];
    } catch {
      // a damaged entry: ask the validator
    }
  }
  const json = callPrismaSchemaWasm((wasm) => wasm.preview_features());
  if (key) cache.set(key, json);
  return JSON.parse(json) as string[];
}

/** Every error Prisma finds, as `file:line:col` diagnostics; empty when the schema is valid. */
export function validateWithPrisma(sources: SchemaSource[], cache?: ValidationCache): Diagnostic[] {
  const files = filesOf(sources);
  const key = cache && validityKey(cache, files);
  if (key && cache.get(key) === 'valid') return [];
  const params = validateParams(files);
  try {
    validateInProcess(params);
  } catch (error) {
    if (error instanceof PrismaWasmCrash) return [crashDiagnostic(error.message, sources)];
    return withColumns(parseValidationError(errorText(error)), sources, files);
  }
  if (key) cache.set(key, 'valid');
  return [];
}

/**
 * `validate(params)` on this thread's instance of `module`, its memory grown first to what the
 * validation will use (prisma-wasm.ts: `reserveWasmMemory`). Throws what `validate` throws.
 */
function validateInProcess(params: string, module: string = PRISMA_SCHEMA_WASM): void {
  try {
    callPrismaSchemaWasm((wasm) => reserveWasmMemory(wasm.__wasm, validatorMemoryFor(params.length)), module);
  } catch (error) {
    // The memory could not grow and the broken instance was discarded: validate on a fresh one.
    if (!(error instanceof PrismaWasmCrash)) throw error;
  }
  callPrismaSchemaWasm((wasm) => wasm.validate(params), module);
}

/**
 * `validateWithPrisma`, same answers, with the validator on a worker thread (see
 * prisma-wasm-worker.ts): the caller works on while it runs and awaits the promise before it uses
 * the verdict. If no worker can run, validates in this thread.
 */
export async function validateWithPrismaOnWorker(
  sources: SchemaSource[],
  cache?: ValidationCache,
): Promise<Diagnostic[]> {
  const files = filesOf(sources);
  const key = cache && validityKey(cache, files);
  if (key && cache.get(key) === 'valid') {
    discardValidatorWorker();
    return [];
  }
  const params = validateParams(files);
  let answer;
  try {
    answer = await validateOnWorker(params);
  } catch (error) {
    if (error instanceof WorkerUnavailable) return validateWithPrisma(sources, cache);
    throw error;
  }
  if (answer.valid && key) cache.set(key, 'valid');
  return diagnosticsOf(answer, sources);
}

/**
 * `validateWithPrisma` begun by `start` (Prisma 7's validator on a thread): the function returned
 * waits for its diagnostics. The cache answers first, and learns a clean verdict.
 */
export function validateWithPrismaBegun(
  sources: SchemaSource[],
  cache: ValidationCache | undefined,
  start: (sources: SchemaSource[]) => () => Diagnostic[],
): () => Diagnostic[] {
  const key = cache && validityKey(cache, filesOf(sources));
  if (key && cache.get(key) === 'valid') return () => [];
  const diagnostics = start(sources);
  return () => {
    const found = diagnostics();
    if (found.length === 0 && key) cache.set(key, 'valid');
    return found;
  };
}

/**
 * `validateWithPrismaMajor`, begun on `thread` (a validator-thread.ts thread holding that major's
 * validator): the function returned waits for its answer, and validates in this thread when none
 * comes. Without a thread, it validates in this thread when called.
 */
export function startValidationWithPrismaMajor(
  sources: SchemaSource[],
  major: 5 | 6 | 7,
  thread: ValidatorThread | undefined,
): () => Diagnostic[] {
  if (!thread) return () => validateWithPrismaMajor(sources, major);
  const files = filesOf(sources);
  const answer = thread.validate(validateParams(files));
  return () => {
    const reply = answer();
    return reply ? diagnosticsOf(reply, sources) : validateWithPrismaMajor(sources, major);
  };
}

/** The module of Prisma `major`'s validator (for a validator-thread.ts thread). */
export function validatorModule(major: 5 | 6 | 7): string {
  return VALIDATORS[major];
}

/** A worker's answer as diagnostics: what validating in this thread reports for the same input. */
function diagnosticsOf(answer: WorkerAnswer, sources: SchemaSource[]): Diagnostic[] {
  if (answer.valid) return [];
  if (answer.crash) return [crashDiagnostic(answer.message, sources)];
  const diagnostics = parseValidationError(answer.message);
  let lint: LintDiagnostic[];
  try {
    if (answer.lint === undefined) return diagnostics;
    lint = JSON.parse(answer.lint) as LintDiagnostic[];
  } catch {
    return diagnostics;
  }
  return locate(diagnostics, sources, lint);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Prisma's validator crashed (a WASM trap such as "memory access out of bounds", or a stack
 * overflow) instead of answering: the schema is beyond what it can read. Reported as bad input at
 * the deepest nesting, the usual cause, since the crash itself says nothing about where.
 */
function crashDiagnostic(crash: string, sources: SchemaSource[]): Diagnostic {
  let where: { file: string; line: number; column: number; depth: number } | undefined;
  for (const source of sources) {
    const point = findNesting(source.content, Infinity);
    if (!where || point.depth > where.depth) where = { file: source.path, ...point };
  }
  const message = `Prisma's schema validator crashed reading this schema (${crash}), so idxgen cannot check it; the deepest nesting (${where?.depth ?? 0} levels) is here. Instead, simplify the schema until \`prisma validate\` answers`;
  return where ? { file: where.file, line: where.line, column: where.column, message } : { message };
}

/** Prisma's error text (the message of what `validate` threw) as diagnostics. */
function parseValidationError(raw: string): Diagnostic[] {
  let message = raw;
  try {
    message = (JSON.parse(raw) as { message?: string }).message ?? raw;
  } catch {
    // not JSON: keep the text
  }
  const diagnostics: Diagnostic[] = [];
  const pattern = /^error: ([^\n]*)\n\s*-->\s+(.+?):(\d+)\s*$/gm;
  for (const m of message.matchAll(pattern)) {
    diagnostics.push({ message: stripPrefix(m[1]!), file: m[2]!, line: Number(m[3]) });
  }
  if (diagnostics.length === 0) diagnostics.push({ message: message.trim() });
  return diagnostics;
}

function stripPrefix(message: string): string {
  return message.replace(/^Error (validating|parsing)[^:]*: /, '');
}

function withColumns(
  diagnostics: Diagnostic[],
  sources: SchemaSource[],
  files: readonly (readonly [string, string])[],
  module: string = PRISMA_SCHEMA_WASM,
): Diagnostic[] {
  let lint: LintDiagnostic[];
  try {
    lint = JSON.parse(
      callPrismaSchemaWasm((validator) => validator.lint(JSON.stringify(files)), module),
    ) as LintDiagnostic[];
  } catch {
    return diagnostics;
  }
  return locate(diagnostics, sources, lint);
}

/** Adds each diagnostic's column from lint's byte offsets (column 1 when lint has no match). */
function locate(diagnostics: Diagnostic[], sources: SchemaSource[], lint: LintDiagnostic[]): Diagnostic[] {
  const byPath = new Map(sources.map((s) => [s.path, s.content]));
  const located = lint
    .filter((d) => !d.is_warning)
    .map((d) => {
      const text = byPath.get(d.file_name) ?? '';
      return { ...lineColumnAt(text, charOffsetOfByte(text, d.start)), file: d.file_name, text: stripPrefix(d.text) };
    });
  return diagnostics.map((d) => {
    const match = located.find((l) => l.file === d.file && l.line === d.line && l.text === d.message);
    return match ? { ...d, column: match.column } : { ...d, column: 1 };
  });
}
