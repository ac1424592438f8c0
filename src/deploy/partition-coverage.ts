/**
 * An index created ON ONLY a partitioned table is INVALID until an index of every partition is
 * attached to it. generate writes one CONCURRENTLY build and one ATTACH per partition it read from
 * the database; a partition created between that read and deploy has neither, and the folders
 * would all succeed while the table's index stays INVALID. From the pending folders' statements:
 * each ON ONLY index, and the tables whose indexes the folders attach to it (deploy.ts asks the
 * database which partitions are left over, before anything runs).
 */
import type { FolderShape, RelationName, StatementKind } from './statements';

export interface OnlyIndex {
  folder: string;
  index: string;
  table: RelationName;
  /** The tables of the indexes the pending folders attach to it (a partition, or a partitioned partition's ON ONLY index). */
  covered: RelationName[];
}

type Build = Extract<StatementKind, { kind: 'build-index' }>;

export function onlyIndexes(folders: readonly { name: string; shape: FolderShape }[]): OnlyIndex[] {
  const whats = folders.flatMap((f) => f.shape.statements.map((s) => ({ folder: f.name, what: s.what })));
  const builds = whats.flatMap(({ folder, what }) =>
    what.kind === 'build-index' && what.index !== null ? [{ folder, build: what as Build & { index: string } }] : [],
  );
  const attaches = whats.flatMap(({ what }) => (what.kind === 'attach-index' ? [what] : []));
  // An index is created in its table's schema; an unqualified name matches whatever the search path gives.
  const same = (name: RelationName, index: string, table: RelationName) =>
    name.name === index && (name.schema === null || table.schema === null || name.schema === table.schema);
  return builds
    .filter(({ build }) => build.only)
    .map(({ folder, build }) => ({
      folder,
      index: build.index,
      table: build.table,
      covered: attaches
        .filter((a) => same(a.index, build.index, build.table))
        .flatMap((a) =>
          builds.filter((b) => same(a.partition, b.build.index, b.build.table)).map((b) => b.build.table),
        ),
    }));
}
