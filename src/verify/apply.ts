/**
 * Step b, apply: every folder from the first idxgen one on, as Prisma >= 7.4 applies it (split on
 * every `;`, each piece its own autocommitted query, no transaction: `naive-split` in
 * src/db/apply.ts, which is what adapter-pg's executeScript does), then pg_catalog checks:
 *
 *   - each index idxgen's folders leave exists, is VALID, and matches the schema's declaration
 *     of that name (method, key columns, sort order, operator classes, predicate, uniqueness, no
 *     INCLUDE) — the declaration is built by PostgreSQL itself inside a rolled-back transaction,
 *     so both sides are compared in PostgreSQL's own normal form;
 *   - each index they drop is gone; each CHECK constraint exists and is validated; each
 *     extension exists.
 *
 * The old-Prisma shape (each migration.sql sent as ONE query, which PostgreSQL runs as one
 * implicit transaction) is checked in a second scratch database built from the same base: on
 * empty tables that costs one more base (a few hundred ms), and it runs the real files the real
 * way instead of guessing from their statement count. The catalogs of both must then be equal.
 */
import type { Client } from 'pg';
import { applyMigrationSql, type ApplyMode } from '../db/apply';
import {
  diffSnapshots,
  listConstraints,
  listIndexes,
  snapshot,
  type CatalogSnapshot,
  type IndexInfo,
} from '../db/catalog';
import { connect, type ScratchDatabase } from '../db/client';
import type { MigrationState } from '../generate/migration-sql';
import type { IndexDef, SchemaModel, Table } from '../model/types';
import { quoteIdent } from '../sql/quote';
import { applyBase, type BaseScript } from './base';
import type { VerifyFolder } from './migrations';
import { applyErrorOf, describePgError, messageOf, pgErrorOf, runOne } from './pg';
import { indexColumnSql, tableSql, tx, verifySql } from './sql';
import type { FolderApply, ObjectCheck, OldPrismaResult } from './types';

/** How Prisma >= 7.4 sends a migration.sql (adapter-pg 7.10 executeScript). */
export const PRISMA_SPLIT_MODE: ApplyMode = 'naive-split';

/** Applies folders in order (idxgen's as Prisma would, the project's statement by statement); stops at the first failure. */
export async function applyFolders(
  client: Client,
  folders: readonly VerifyFolder[],
  idxgenMode: ApplyMode = PRISMA_SPLIT_MODE,
): Promise<{ results: FolderApply[]; problems: string[] }> {
  const results: FolderApply[] = [];
  for (const folder of folders) {
    const mode: ApplyMode = folder.idxgen ? idxgenMode : 'per-statement';
    const result = await applyMigrationSql(client, folder.sql, mode);
    const entry: FolderApply = {
      folder: folder.name,
      origin: folder.idxgen ? 'idxgen' : 'project',
      ok: result.ok,
      queries: result.queries,
      ms: Math.round(result.ms),
    };
    if (!result.ok) {
      entry.error = applyErrorOf(result);
      results.push(entry);
      return { results, problems: [`${describePgError(`${folder.name}/migration.sql`, entry.error)}`] };
    }
    results.push(entry);
  }
  return { results, problems: [] };
}

// ---------------------------------------------------------------------------------------------
// Declarations

export interface DeclaredIndex {
  table: Table;
  index: IndexDef;
}

/** The schema's declaration named `name` (on `table` when known). */
export function findDeclaration(model: SchemaModel, name: string, table?: string): DeclaredIndex | undefined {
  for (const t of model.tables) {
    if (table !== undefined && t.name !== table) continue;
    for (const index of [...t.uniques, ...t.indexes]) if (index.name === name) return { table: t, index };
  }
  return undefined;
}

/** The fields compared between the declared and the built index, in PostgreSQL's normal form. */
export function indexShape(i: IndexInfo): Record<string, string> {
  return {
    method: i.method,
    columns: i.columns.map((c, k) => (i.expressions[k] ? `(${c})` : c)).join(', '),
    order: i.descending.map((d) => (d ? 'DESC' : 'ASC')).join(', '),
    opclasses: i.opclasses.slice(0, i.columns.length).join(', '),
    predicate: i.predicate ?? '(none)',
    unique: String(i.unique),
    include: i.include.join(', ') || '(none)',
  };
}

/** Builds each declaration in a transaction that is rolled back, and reads it back from pg_catalog. */
async function buildDeclared(
  client: Client,
  declared: readonly { name: string; decl: DeclaredIndex }[],
): Promise<Map<string, IndexInfo | { error: string }>> {
  const out = new Map<string, IndexInfo | { error: string }>();
  if (declared.length === 0) return out;
  const tempName = (k: number) => `idxgen_verify_declared_${k}`;
  await client.query(tx.begin);
  try {
    for (let k = 0; k < declared.length; k++) {
      const { name, decl } = declared[k]!;
      const sql = verifySql('declared-index', {
        unique: decl.index.kind === 'unique' || decl.index.kind === 'primary',
        name: quoteIdent(tempName(k)),
        table: tableSql(decl.table.name, decl.table.schema),
        method: decl.index.method,
        columns: decl.index.columns.map((c) => indexColumnSql(c.column, c.opclass, c.sort === 'desc')).join(', '),
        where: decl.index.where ?? '',
      });
      const savepoint = `idxgen_verify_${k}`;
      await client.query(tx.savepoint(savepoint));
      try {
        await runOne(client, sql);
        await client.query(tx.release(savepoint));
      } catch (error) {
        await client.query(tx.rollbackTo(savepoint));
        out.set(name, { error: `${pgErrorOf(error).code} ${messageOf(error)}` });
      }
    }
    const built = new Map((await listIndexes(client)).map((i) => [i.name, i]));
    declared.forEach(({ name }, k) => {
      const info = built.get(tempName(k));
      if (info) out.set(name, info);
    });
  } finally {
    await client.query(tx.rollback);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Catalog checks

/** Checks what idxgen's folders leave behind against pg_catalog and the schema's declarations. */
export async function checkObjects(
  client: Client,
  endState: MigrationState,
  model: SchemaModel,
): Promise<ObjectCheck[]> {
  const indexes = await listIndexes(client);
  const constraints = await listConstraints(client);
  const extensions = new Set((await runOne<{ name: string }>(client, verifySql('extensions'))).map((r) => r.name));
  const partitionOf = new Map(
    (await runOne<{ name: string; parent: string }>(client, verifySql('index-partitions'))).map((r) => [
      r.name,
      r.parent,
    ]),
  );
  const checks: ObjectCheck[] = [];
  const toDeclare: { name: string; decl: DeclaredIndex }[] = [];
  const pending: { check: ObjectCheck; actual: IndexInfo; name: string }[] = [];

  for (const [key, state] of [...endState].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [kind, ...rest] = key.split(':');
    const name = rest.join(':');
    if (kind === 'index' && state.present) {
      const check: ObjectCheck = { kind: 'index', name, table: state.table, folder: state.folder, ok: true, notes: [] };
      checks.push(check);
      const actual = indexes.find((i) => i.name === name && (state.table === undefined || i.table === state.table));
      if (!actual) {
        check.ok = false;
        check.notes.push('missing from pg_catalog after its migration ran');
        continue;
      }
      check.table = actual.table;
      if (!actual.valid) {
        check.ok = false;
        check.notes.push(
          'INVALID (pg_index.indisvalid = false): the build failed; drop it and run the migration again',
        );
      }
      const decl = findDeclaration(model, name, actual.table);
      const parent = partitionOf.get(name);
      if (!decl && parent !== undefined) {
        // A partition's index: Prisma models the partitioned table's index only, and this one comes and goes with it.
        check.notes.push(
          `attached to "${parent}" (the index of a partition: Prisma declares the partitioned table's index only)`,
        );
        continue;
      }
      if (!decl) {
        check.ok = false;
        check.notes.push(`no declaration named "${name}" in schema.prisma: the next prisma migrate dev would drop it`);
        continue;
      }
      toDeclare.push({ name, decl });
      pending.push({ check, actual, name });
    } else if (kind === 'index') {
      const check: ObjectCheck = {
        kind: 'dropped-index',
        name,
        table: state.table,
        folder: state.folder,
        ok: true,
        notes: [],
      };
      checks.push(check);
      const still = indexes.find((i) => i.name === name);
      if (still) {
        check.ok = false;
        check.notes.push(`still in pg_catalog on ${still.table} after the migration that drops it`);
      }
    } else if (kind === 'constraint') {
      const check: ObjectCheck = { kind: 'check', name, table: state.table, folder: state.folder, ok: true, notes: [] };
      checks.push(check);
      const actual = constraints.find((c) => c.name === name && (state.table === undefined || c.table === state.table));
      if (state.present && !actual) {
        check.ok = false;
        check.notes.push('missing from pg_catalog after its migration ran');
      } else if (state.present && actual) {
        check.table = actual.table;
        check.notes.push(actual.definition);
        if (!actual.validated) {
          check.ok = false;
          check.notes.push(
            state.validated
              ? 'NOT VALID after the folder that validates it'
              : 'NOT VALID: no idxgen folder validates it',
          );
        }
      } else if (!state.present && actual) {
        check.ok = false;
        check.notes.push('still in pg_catalog after the migration that drops it');
      }
    } else if (kind === 'extension' && state.present) {
      const check: ObjectCheck = { kind: 'extension', name, folder: state.folder, ok: extensions.has(name), notes: [] };
      if (!check.ok) check.notes.push('not installed after its migration ran');
      checks.push(check);
    }
  }

  const declared = await buildDeclared(client, toDeclare);
  for (const { check, actual, name } of pending) {
    const built = declared.get(name);
    if (!built || 'error' in built) {
      check.ok = false;
      check.notes.push(
        `the schema's declaration cannot be built by PostgreSQL: ${built && 'error' in built ? built.error : 'unknown error'}`,
      );
      continue;
    }
    const want = indexShape(built);
    const have = indexShape(actual);
    const differences = Object.keys(want).filter((k) => want[k] !== have[k]);
    for (const k of differences) {
      check.ok = false;
      check.notes.push(`${k}: schema.prisma declares ${want[k]}, the database has ${have[k]}`);
    }
    if (differences.length === 0) check.notes.push(`VALID, matches its declaration: ${actual.definition}`);
  }
  return checks;
}

// ---------------------------------------------------------------------------------------------
// Old Prisma

/** 25001 active_sql_transaction: CREATE INDEX CONCURRENTLY inside the implicit transaction of a multi-statement query. */
const IN_TRANSACTION = '25001';

/**
 * Applies base + folders again in a second scratch database, idxgen's folders each as ONE query
 * (Prisma < 7.4), and compares the resulting catalog with `expected` (the catalog after the
 * Prisma >= 7.4 shape).
 */
export async function checkOldPrisma(
  scratch: () => Promise<ScratchDatabase>,
  baseScripts: readonly BaseScript[],
  after: readonly VerifyFolder[],
  expected: CatalogSnapshot,
  clock: () => number,
): Promise<OldPrismaResult> {
  const started = clock();
  const result: OldPrismaResult = { status: 'pass', ms: 0, folders: [], sameCatalog: null, note: '' };
  let db: ScratchDatabase | undefined;
  let client: Client | undefined;
  try {
    db = await scratch();
    client = await connect(db.target);
    const base = await applyBase(client, baseScripts);
    if (!base.ok) {
      result.status = 'fail';
      result.note = `the base did not apply again: ${base.problem}`;
      return result;
    }
    for (const folder of after) {
      if (!folder.idxgen) {
        const r = await applyMigrationSql(client, folder.sql, 'per-statement');
        if (!r.ok) {
          result.status = 'fail';
          result.note = `the project's folder ${folder.name} failed: ${describePgError(`${folder.name}/migration.sql`, applyErrorOf(r))}`;
          return result;
        }
        continue;
      }
      const r = await applyMigrationSql(client, folder.sql, 'single-query');
      if (r.ok) {
        result.folders.push({ folder: folder.name, result: 'ok' });
        continue;
      }
      const error = applyErrorOf(r);
      // The whole file was one implicit transaction: nothing of it stayed. Apply it the new way to go on.
      if (folder.grouped && error.code === IN_TRANSACTION)
        result.folders.push({ folder: folder.name, result: 'needs-7.4', error });
      else {
        result.folders.push({ folder: folder.name, result: 'fails', error });
        result.status = 'fail';
      }
      const again = await applyMigrationSql(client, folder.sql, PRISMA_SPLIT_MODE);
      if (!again.ok) {
        result.status = 'fail';
        result.note = `${folder.name} also failed when applied statement by statement in the second database`;
        return result;
      }
    }
    const diff = diffSnapshots(expected, await snapshot(client));
    result.sameCatalog = diff.same;
    if (!diff.same) result.status = 'fail';
    const needs = result.folders.filter((f) => f.result === 'needs-7.4').length;
    const fails = result.folders.filter((f) => f.result === 'fails').length;
    result.note =
      fails > 0
        ? `${fails} folder(s) fail when Prisma < 7.4 sends the file as one query`
        : `each idxgen migration.sql also applies as one query (Prisma < 7.4)${needs > 0 ? `, except ${needs} --group table folder(s) that say they need Prisma >= 7.4` : ''}${diff.same ? ', with the same catalog' : ', but the catalog differs'}`;
    return result;
  } catch (error) {
    result.status = 'fail';
    result.note = `could not run the old-Prisma check: ${messageOf(error)}`;
    return result;
  } finally {
    result.ms = Math.round(clock() - started);
    await client?.end().catch(() => undefined);
    await db?.drop().catch(() => undefined);
  }
}
