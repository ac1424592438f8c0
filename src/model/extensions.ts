import type { SchemaModel } from './types';

/**
 * PostgreSQL extensions the schema's tables need but that schemas often never declare
 * (FACTS.md: `@db.Citext` needs citext, `gin_trgm_ops` needs pg_trgm). Sorted, deduplicated.
 */
const NATIVE_TYPE_EXTENSIONS: Record<string, string> = { Citext: 'citext' };
const OPCLASS_EXTENSIONS: Record<string, string> = { gin_trgm_ops: 'pg_trgm', gist_trgm_ops: 'pg_trgm' };
const DEFAULT_FUNCTION_EXTENSIONS: [RegExp, string][] = [
  [/\buuid_generate_v\d/, 'uuid-ossp'],
  [/\b(gen_random_bytes|crypt|gen_salt|digest)\s*\(/, 'pgcrypto'],
];

export function requiredExtensions(model: SchemaModel): string[] {
  const needed = new Set(model.extensions);
  for (const table of model.tables) {
    for (const column of table.columns) {
      const fromType = column.nativeType ? NATIVE_TYPE_EXTENSIONS[column.nativeType.name] : undefined;
      if (fromType) needed.add(fromType);
      for (const [pattern, extension] of DEFAULT_FUNCTION_EXTENSIONS)
        if (column.default && pattern.test(column.default)) needed.add(extension);
    }
    for (const index of [...table.indexes, ...table.uniques]) {
      for (const c of index.columns) {
        const fromOps = c.opclass ? OPCLASS_EXTENSIONS[c.opclass] : undefined;
        if (fromOps) needed.add(fromOps);
      }
    }
  }
  return [...needed].sort();
}
