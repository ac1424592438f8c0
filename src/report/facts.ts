/** What was loaded, counted once for every format's header/summary. */
import type { LoadWarning, SchemaModel, Span } from '../model/types';
import { isFkCovered } from '../rules/coverage';

export interface ModelFacts {
  /** Tables idxgen plans for: models and implicit m:n join tables, not views, not `@@ignore`d. */
  tables: number;
  views: number;
  ignored: number;
  foreignKeys: number;
  /** Foreign keys no btree index, unique constraint or primary key leads with (fk-index's rule). */
  foreignKeysWithoutIndex: number;
  /** `@@index`/`@@fulltext` plus `@unique`/`@@unique`; primary keys not counted. */
  declaredIndexes: number;
  declaredUniques: number;
  warnings: { code: string; message: string; span: Span | null }[];
}

export function modelFacts(model: SchemaModel): ModelFacts {
  const live = model.tables.filter((t) => t.kind !== 'view' && !t.ignored);
  let foreignKeys = 0;
  let uncovered = 0;
  let indexes = 0;
  let uniques = 0;
  for (const table of live) {
    for (const fk of table.foreignKeys) {
      foreignKeys++;
      if (!isFkCovered(table, fk)) uncovered++;
    }
    indexes += table.indexes.length;
    uniques += table.uniques.length;
  }
  return {
    tables: live.length,
    views: model.tables.filter((t) => t.kind === 'view').length,
    ignored: model.tables.filter((t) => t.kind !== 'view' && t.ignored).length,
    foreignKeys,
    foreignKeysWithoutIndex: uncovered,
    declaredIndexes: indexes,
    declaredUniques: uniques,
    warnings: model.warnings.map((w: LoadWarning) => ({ code: w.code, message: w.message, span: w.span ?? null })),
  };
}
