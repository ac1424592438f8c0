import { createHash } from 'node:crypto';
import type { Diagnostic } from '../errors';
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

function cacheKey(kind: string, cache: ValidationCache, input: string): string {
  return `${kind}-${createHash('sha256').update(`${cache.validator}\u0000${input}`, 'utf8').digest('hex')}`;
}

interface PrismaSchemaWasm {
  validate(params: string): void;
  lint(input: string): string;
  preview_features(): string;
}

interface LintDiagnostic {
  file_name: string;
  start: number;
  end: number;
  text: string;
  is_warning: boolean;
}

let wasm: PrismaSchemaWasm | undefined;
function prismaSchemaWasm(): PrismaSchemaWasm {
  // Loaded on first use: instantiating the module costs ~35 ms.
  wasm ??= require('@prisma/prisma-schema-wasm') as PrismaSchemaWasm;
  return wasm;
}

/**
 * The validator each Prisma major ships (package.json aliases; see src/compat/prisma-version.ts): Prisma
 * 6.19.3 ships prisma-schema-wasm 7.1.1-3.c2990dca, Prisma 5.22.0 ships 5.22.0-44.60519735. Each
 * is ~2.9 MB and is loaded only when a generate for a project of that major edits the schema.
 */
const OLDER_VALIDATORS = { 5: 'prisma-schema-wasm-5', 6: 'prisma-schema-wasm-6' } as const;
const older = new Map<5 | 6, PrismaSchemaWasm>();
function olderSchemaWasm(major: 5 | 6): PrismaSchemaWasm {
  let loaded = older.get(major);
  if (!loaded) {
    loaded = require(OLDER_VALIDATORS[major]) as PrismaSchemaWasm;
    older.set(major, loaded);
  }
  return loaded;
}

/** Whether the validator of that Prisma major was loaded in this process (tests: it must stay off the check path). */
export function olderValidatorLoaded(major: 5 | 6): boolean {
  return older.has(major);
}

/**
 * Every error the validator of Prisma `major` finds in the files exactly as given (a Prisma 5/6
 * schema keeps its datasource `url`: that validator wants it). Major 7 is the bundled validator.
 */
export function validateWithPrismaMajor(sources: SchemaSource[], major: 5 | 6 | 7): Diagnostic[] {
  const validator = major === 7 ? prismaSchemaWasm() : olderSchemaWasm(major);
  const files = sources.map((s) => [s.path, s.content]);
  try {
    validator.validate(JSON.stringify({ prismaSchema: files, noColor: true }));
  } catch (error) {
    return withColumns(parseValidationError(error), sources, files, validator);
  }
  return [];
}

export function knownPreviewFeatures(cache?: ValidationCache): string[] {
  const key = cache && cacheKey('preview-features', cache, '');
  const cached = key && cache.get(key);
  if (cached) {
    try {
      const list = JSON.parse(cached) as unknown;
      if (Array.isArray(list) && list.every((f) => typeof f === 'string')) return list as string[];
    } catch {
      // a damaged entry: ask the validator
    }
  }
  const json = prismaSchemaWasm().preview_features();
  if (key) cache.set(key, json);
  return JSON.parse(json) as string[];
}

/** Every error Prisma finds, as `file:line:col` diagnostics; empty when the schema is valid. */
export function validateWithPrisma(sources: SchemaSource[], cache?: ValidationCache): Diagnostic[] {
  const files = sources.map((s) => [s.path, s.content]);
  const params = JSON.stringify({ prismaSchema: files, noColor: true });
  const key = cache && cacheKey('valid', cache, params);
  if (key && cache.get(key) === 'valid') return [];
  try {
    prismaSchemaWasm().validate(params);
  } catch (error) {
    return withColumns(parseValidationError(error), sources, files);
  }
  if (key) cache.set(key, 'valid');
  return [];
}

function parseValidationError(error: unknown): Diagnostic[] {
  const raw = error instanceof Error ? error.message : String(error);
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

function withColumns(diagnostics: Diagnostic[], sources: SchemaSource[], files: string[][], validator: PrismaSchemaWasm = prismaSchemaWasm()): Diagnostic[] {
  let lint: LintDiagnostic[];
  try {
    lint = JSON.parse(validator.lint(JSON.stringify(files))) as LintDiagnostic[];
  } catch {
    return diagnostics;
  }
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
