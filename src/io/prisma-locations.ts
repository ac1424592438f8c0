/** Prisma's config files, in the order Prisma looks for them (read for `schema` in discover.ts, `migrations.path` in read-migrations.ts). */
export const PRISMA_CONFIG_FILES = [
  'prisma.config.ts',
  'prisma.config.mts',
  'prisma.config.cts',
  'prisma.config.js',
  'prisma.config.mjs',
  'prisma.config.cjs',
  '.config/prisma.ts',
];

/** Where Prisma looks for the schema when nothing names it, in its order (a folder: a multi-file schema). */
export const DEFAULT_SCHEMA_PATHS = ['prisma/schema.prisma', 'schema.prisma', 'prisma/schema'];
