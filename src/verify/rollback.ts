/**
 * Step e, rollback: every idxgen down.sql, last folder first, sent the way
 * `prisma db execute --file down.sql` sends it (split on every `;`), then the catalog must equal
 * the catalog taken before step b (`diffSnapshots`). Objects of the project's own folders that
 * came after the first idxgen folder (their names, and tables that did not exist before step b)
 * are left out of the comparison: their migrations have no down.sql here.
 */
import type { Client } from 'pg';
import { applyMigrationSql } from '../db/apply';
import { diffSnapshots, snapshot, type CatalogSnapshot, type SnapshotDiff } from '../db/catalog';
import { PRISMA_SPLIT_MODE } from './apply';
import { touchedNames, type VerifyFolder } from './migrations';
import { applyErrorOf, describePgError } from './pg';
import type { FolderApply, RollbackDetails } from './types';

export interface RollbackOutcome {
  details: RollbackDetails;
  problems: string[];
}

/** One line per difference, e.g. `index "Post_x_idx" on Post: left behind (CREATE INDEX ...)`. */
export function describeDiff(
  diff: SnapshotDiff,
  ignore: (table: string, name: string) => boolean,
): { lines: string[]; ignored: string[] } {
  const lines: string[] = [];
  const ignored: string[] = [];
  const describe = <T extends { table: string; name: string; definition: string }>(
    kind: 'index' | 'constraint',
    objects: { added: readonly T[]; removed: readonly T[]; changed: readonly { before: T; after: T }[] },
    /** What a changed object was and is now. */
    state: (o: T) => string,
  ) => {
    const add = (o: T, what: string) =>
      (ignore(o.table, o.name) ? ignored : lines).push(`${kind} "${o.name}" on ${o.table}: ${what}`);
    for (const o of objects.added) add(o, `left behind (${o.definition})`);
    for (const o of objects.removed) add(o, `gone after rollback (was ${o.definition})`);
    for (const { before, after } of objects.changed) add(after, `was ${state(before)}, now ${state(after)}`);
  };
  describe(
    'index',
    { added: diff.addedIndexes, removed: diff.removedIndexes, changed: diff.changedIndexes },
    (i) => `${i.definition}${i.valid ? '' : ' INVALID'}`,
  );
  describe(
    'constraint',
    { added: diff.addedConstraints, removed: diff.removedConstraints, changed: diff.changedConstraints },
    (c) => c.definition,
  );
  return { lines, ignored };
}

export async function rollBack(
  client: Client,
  before: CatalogSnapshot,
  idxgen: readonly VerifyFolder[],
  project: readonly VerifyFolder[],
): Promise<RollbackOutcome> {
  const folders: FolderApply[] = [];
  const problems: string[] = [];
  for (const folder of [...idxgen].reverse()) {
    if (folder.down === null) {
      folders.push({ folder: folder.name, origin: 'idxgen', ok: false, queries: 0, ms: 0 });
      problems.push(`${folder.name}: no down.sql`);
      return { details: { folders, differences: [], ignored: [] }, problems };
    }
    const result = await applyMigrationSql(client, folder.down, PRISMA_SPLIT_MODE);
    const entry: FolderApply = {
      folder: folder.name,
      origin: 'idxgen',
      ok: result.ok,
      queries: result.queries,
      ms: Math.round(result.ms),
    };
    folders.push(entry);
    if (!result.ok) {
      entry.error = applyErrorOf(result);
      problems.push(describePgError(`${folder.name}/down.sql`, entry.error));
      return { details: { folders, differences: [], ignored: [] }, problems };
    }
  }
  const names = touchedNames(project);
  const tablesBefore = new Set([...before.indexes, ...before.constraints].map((o) => `${o.schema}.${o.table}`));
  const after = await snapshot(client);
  const diff = diffSnapshots(before, after);
  const tableOf = new Map(
    [...after.indexes, ...after.constraints, ...before.indexes, ...before.constraints].map((o) => [
      `${o.table}\u0000${o.name}`,
      o.schema,
    ]),
  );
  const { lines, ignored } = describeDiff(
    diff,
    (table, name) =>
      names.has(name) || !tablesBefore.has(`${tableOf.get(`${table}\u0000${name}`) ?? 'public'}.${table}`),
  );
  problems.push(...lines);
  return { details: { folders, differences: lines, ignored }, problems };
}
