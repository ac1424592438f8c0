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
