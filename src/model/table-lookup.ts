import type { Table } from './types';

/** Each model's tables by schema, then database name; built on first use (a model is not changed once built). */
const byName = new WeakMap<readonly Table[], Map<string | undefined, Map<string, Table>>>();

/**
 * The first of `tables` with this database name in this schema (`undefined`: a table without one),
 * as `tables.find` would answer it, without a scan per call (generate looked up each of 4,000
 * entries among 5,000 tables: 0.9 s).
 */
export function tableNamed(tables: readonly Table[], name: string, schema: string | undefined): Table | undefined {
  let index = byName.get(tables);
  if (!index) {
    index = new Map();
    for (const table of tables) {
      let named = index.get(table.schema);
      if (!named) index.set(table.schema, (named = new Map()));
      if (!named.has(table.name)) named.set(table.name, table);
    }
    byName.set(tables, index);
  }
  return index.get(schema)?.get(name);
}
