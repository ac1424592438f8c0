/**
 * Step a, base: the database as it was before idxgen's first migration.
 *
 *   - From the project's folders before the first idxgen folder, applied in order; or
 *   - when there are none, from a synthetic `0_base`: Prisma's from-empty SQL for the schema with
 *     idxgen's declarations taken out (the `@@index`/`@@unique` attributes whose name an idxgen
 *     migration creates, blanked through the model's spans; otherwise the base would already hold
 *     the indexes), plus the indexes idxgen's drop migrations remove (their down.sql re-creates
 *     them), after the extensions the remaining schema needs.
 */
import type { Client } from 'pg';
import { applyMigrationSql } from '../db/apply';
import { schemaFromEmptySql } from '../db/schema-engine';
import { scriptEffects, scriptStatements, type MigrationState } from '../generate/migration-sql';
import { requiredExtensions } from '../model/extensions';
import { withoutIndexes } from '../model/without-indexes';
import type { IndexDef, SchemaModel } from '../model/types';
import type { SchemaSource } from '../schema/source';
import { quoteIdent } from '../sql/quote';
import type { VerifyFolder } from './migrations';
import { applyErrorOf, describePgError } from './pg';
import { verifySql } from './sql';
import type { BaseDetails, VerifyPgError } from './types';

/** A script the base runs, as a migration folder (the project's, or the synthetic `0_base`). */
export interface BaseScript {
  name: string;
  sql: string;
}

export const SYNTHETIC_BASE = '0_base';

/** Every index declaration (`@@index`, `@@unique`, `@unique`) of the model whose name is in `names`. */
export function declarationsNamed(
  model: SchemaModel,
  names: ReadonlySet<string>,
): { table: string; index: IndexDef }[] {
  const out: { table: string; index: IndexDef }[] = [];
  for (const table of model.tables) {
    if (table.kind === 'implicitJoin') continue;
    for (const index of [...table.uniques, ...table.indexes])
      if (names.has(index.name)) out.push({ table: table.name, index });
  }
  return out;
}

/**
 * The schema files with the given declarations blanked out (replaced by spaces, so every other
 * line and column stays where it was). Throws when a span does not hold an attribute: the model
 * and the sources must be of the same text.
 */
export function stripDeclarations(sources: readonly SchemaSource[], declarations: readonly IndexDef[]): SchemaSource[] {
  const byFile = new Map<string, IndexDef[]>();
  for (const d of declarations) byFile.set(d.span.file, [...(byFile.get(d.span.file) ?? []), d]);
  return sources.map((source) => {
    const list = byFile.get(source.path);
    if (!list) return { path: source.path, content: source.content };
    let text = source.content;
    for (const d of [...list].sort((a, b) => b.span.offset - a.span.offset)) {
      const found = text.slice(d.span.offset, d.span.endOffset);
      if (!found.startsWith('@')) {
        throw new Error(
          `verify: expected the declaration of "${d.name}" at ${d.span.file}:${d.span.line}:${d.span.column}, found ${JSON.stringify(found.slice(0, 40))}`,
        );
      }
      text = text.slice(0, d.span.offset) + found.replace(/[^\n]/g, ' ') + text.slice(d.span.endOffset);
    }
    return { path: source.path, content: text };
  });
}

/** The indexes idxgen's folders leave behind (created, not dropped again): their declarations are idxgen's. */
export function createdIndexNames(endState: MigrationState): Set<string> {
  return new Set(
    [...endState]
      .filter(([key, s]) => key.startsWith('index:') && s.present)
      .map(([key]) => key.slice('index:'.length)),
  );
}

/**
 * The statements of idxgen's down.sql files that re-create the indexes its migrations drop and
 * no earlier idxgen statement created (redundant-index drops): the base must hold them.
 */
export function recreateStatements(
  idxgen: readonly VerifyFolder[],
  endState: MigrationState,
): { names: string[]; sql: string[] } {
  const created = new Set<string>();
  const dropped: string[] = [];
  for (const folder of idxgen) {
    for (const e of scriptEffects(folder.sql, `${folder.name}/migration.sql`)) {
      if (e.kind !== 'index' || e.name === '') continue;
      if (e.present) created.add(e.name);
      else if (!created.has(e.name) && !dropped.includes(e.name)) dropped.push(e.name);
    }
  }
  const names = dropped.filter((n) => endState.get(`index:${n}`)?.present === false);
  const sql: string[] = [];
  for (const folder of idxgen) {
    if (!folder.down) continue;
    for (const statement of scriptStatements(folder.down, `${folder.name}/down.sql`)) {
      if (statement.effects.some((e) => e.kind === 'index' && e.present && names.includes(e.name)))
        sql.push(`${statement.sql};`);
    }
  }
  return { names, sql };
}

export interface BaseInput {
  sources: readonly SchemaSource[];
  model: SchemaModel;
  /** The project's folders before the first idxgen folder. */
  baseFolders: readonly VerifyFolder[];
  idxgenFolders: readonly VerifyFolder[];
  /** What idxgen's folders leave behind (names of the indexes they create or drop). */
  endState: MigrationState;
}

export type BasePlan =
  | { ok: true; scripts: BaseScript[]; details: BaseDetails; engineMs: number }
  | { ok: false; reason: string; details: BaseDetails; engineMs: number };

/** Step a's details before it ran (or when it is skipped). */
export function emptyBaseDetails(): BaseDetails {
  return {
    source: 'none',
    folders: [],
    strippedDeclarations: [],
    recreatedForDrops: [],
    extensions: [],
    statements: 0,
  };
}

/** Decides the base scripts (asks Prisma's engine for the from-empty SQL when needed). No database. */
export async function planBase(input: BaseInput): Promise<BasePlan> {
  const details = emptyBaseDetails();
  if (input.baseFolders.length > 0) {
    details.source = 'migrations';
    details.folders = input.baseFolders.map((f) => f.name);
    return { ok: true, scripts: input.baseFolders.map((f) => ({ name: f.name, sql: f.sql })), details, engineMs: 0 };
  }
  details.source = 'schema';
  const createdNames = createdIndexNames(input.endState);
  const declarations = declarationsNamed(input.model, createdNames);
  details.strippedDeclarations = declarations.map((d) => d.index.name).sort();
  const stripped = stripDeclarations(
    input.sources,
    declarations.map((d) => d.index),
  );
  const recreate = recreateStatements(input.idxgenFolders, input.endState);
  details.recreatedForDrops = recreate.names;
  details.extensions = requiredExtensions(withoutIndexes(input.model, createdNames));
  const fromEmpty = await schemaFromEmptySql(stripped);
  if (!fromEmpty.ok) {
    return {
      ok: false,
      reason: `Prisma's schema engine could not give the from-empty SQL (${fromEmpty.kind}): ${fromEmpty.reason}`,
      details,
      engineMs: fromEmpty.ms,
    };
  }
  const extensionSql = details.extensions
    .map((name) => `${verifySql('create-extension', { name: quoteIdent(name) })};\n`)
    .join('');
  const header = `-- ${SYNTHETIC_BASE}: written by idxgen verify (not a file on disk): the schema without idxgen's declarations\n`;
  const sql = `${header}${extensionSql}${fromEmpty.value}${recreate.sql.length > 0 ? `\n${recreate.sql.join('\n')}\n` : ''}`;
  return { ok: true, scripts: [{ name: SYNTHETIC_BASE, sql }], details, engineMs: fromEmpty.ms };
}

export type BaseApply =
  | { ok: true; statements: number }
  | { ok: false; folder: string; error: VerifyPgError; problem: string; statements: number };

/** Applies the base scripts in order, statement by statement. */
export async function applyBase(client: Client, scripts: readonly BaseScript[]): Promise<BaseApply> {
  let statements = 0;
  for (const script of scripts) {
    const result = await applyMigrationSql(client, script.sql, 'per-statement');
    statements += result.ok ? result.queries : result.succeeded;
    if (!result.ok) {
      const error = applyErrorOf(result);
      return {
        ok: false,
        folder: script.name,
        error,
        problem: describePgError(`${script.name}/migration.sql`, error),
        statements,
      };
    }
  }
  return { ok: true, statements };
}
