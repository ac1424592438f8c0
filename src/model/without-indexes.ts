/**
 * The model as it was before some index declarations were added: verify plans it to learn which
 * reads the indexes idxgen created serve (once generate ran, the schema declares them, and the
 * rules no longer propose what is declared).
 */
import type { SchemaModel } from './types';

/** A copy of `model` without the declared indexes and unique constraints named in `names` (database names). */
export function withoutIndexes(model: SchemaModel, names: ReadonlySet<string>): SchemaModel {
  if (names.size === 0) return model;
  return {
    ...model,
    tables: model.tables.map((t) => ({
      ...t,
      indexes: t.indexes.filter((i) => !names.has(i.name)),
      uniques: t.uniques.filter((i) => !names.has(i.name)),
    })),
  };
}
