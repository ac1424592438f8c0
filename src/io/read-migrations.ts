/**
 * What the project's migration setup is, read from disk (read-only):
 *   - where the migrations folder is (Prisma's rule, see `resolveMigrationsDir`),
 *   - the existing migration folders and their migration.sql,
 *   - whether migration_lock.toml exists,
 *   (the project's Prisma version is read by src/compat/prisma-version.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PrismaVersion } from '../compat/prisma-version';
import { UserError } from '../errors';
import { INPUT_LIMITS, readInputText } from './read-input';
import type { ExistingMigrations } from '../generate/types';
import type { SchemaLocation } from './discover';
import { PRISMA_CONFIG_FILES } from './prisma-locations';

export interface MigrationsDir {
  /** Absolute path. */
  dir: string;
  /** Where the choice came from, for messages. */
  origin: string;
}

/**
 * Reads `migrations: { path: "..." }` from a prisma.config file without running it: only a literal
 * string counts (the same limits as reading its `schema`).
 */
export function migrationsPathFromPrismaConfig(text: string): string | undefined {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"'`])\/\/.*$/gm, '$1');
  const m = /\bmigrations\s*:\s*\{[^{}]*?\bpath\s*:\s*(["'`])([^"'`\n]+)\1/.exec(code);
  return m?.[2];
}

/**
 * The migrations folder, the way Prisma finds it:
 *   1. `--migrations DIR` (relative to cwd);
 *   2. `migrations.path` in prisma.config.* (Prisma >= 6.6; relative to the config file);
 *   3. a single-file schema: `migrations/` beside the file (every Prisma version);
 *   4. a folder schema (`prisma/schema/`): Prisma moved this default —
 *        5.15 to 6.5 (preview prismaSchemaFolder): beside the folder, `prisma/migrations`;
 *        6.6 and 6.x: beside the .prisma file that holds the datasource block;
 *        7.x: inside the schema folder (`schemaRootDir/migrations`).
 *      So an existing folder among those candidates wins (the project's history shows which rule
 *      its Prisma follows); with none, the rule of the project's Prisma version applies, and 7.x's
 *      when the version is unknown.
 */
export function resolveMigrationsDir(
  cwd: string,
  location: SchemaLocation,
  options: { explicit?: string; datasourceFile?: string; prismaVersion?: PrismaVersion },
): MigrationsDir {
  if (options.explicit !== undefined) return { dir: path.resolve(cwd, options.explicit), origin: '--migrations' };
  for (const name of PRISMA_CONFIG_FILES) {
    const file = path.join(cwd, name);
    let text: string;
    try {
      text = readInputText(file, INPUT_LIMITS.config);
    } catch {
      continue;
    }
    const configured = migrationsPathFromPrismaConfig(text);
    if (configured) return { dir: path.resolve(path.dirname(file), configured), origin: `${name} migrations.path` };
  }
  const target = path.resolve(cwd, location.target);
  const isFolder = isDirectory(target);
  if (!isFolder) return { dir: path.join(path.dirname(target), 'migrations'), origin: 'beside the schema file' };
  const inside = { dir: path.join(target, 'migrations'), origin: 'inside the schema folder (Prisma 7)' };
  const datasource = options.datasourceFile
    ? {
        dir: path.join(path.dirname(path.resolve(cwd, options.datasourceFile)), 'migrations'),
        origin: 'beside the file with the datasource block (Prisma 6.6+)',
      }
    : undefined;
  const beside = {
    dir: path.join(path.dirname(target), 'migrations'),
    origin: 'beside the schema folder (Prisma 5.15-6.5)',
  };
  const candidates = [inside, ...(datasource ? [datasource] : []), beside];
  const existing = candidates.find((c) => isDirectory(c.dir));
  if (existing) return { ...existing, origin: `${existing.origin}, existing` };
  const v = options.prismaVersion;
  if (v && (v.major < 6 || (v.major === 6 && v.minor < 6))) return beside;
  if (v && v.major === 6 && datasource) return datasource;
  return inside;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Existing migration folders (every sub-folder not starting with `.`, sorted by name as Prisma
 * applies them) and their migration.sql. A missing folder is an empty history; a path that is a
 * file is a user error.
 */
export function readMigrations(dir: string, shown: string = dir): ExistingMigrations {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { folders: [], hasLockFile: false };
    throw new UserError([
      {
        file: shown,
        message: `cannot read the migrations folder (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      },
    ]);
  }
  if (!stat.isDirectory())
    throw new UserError([{ file: shown, message: 'the migrations path is a file, not a folder' }]);
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const folders = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      let sql = '';
      try {
        sql = readInputText(path.join(dir, name, 'migration.sql'), INPUT_LIMITS.migration);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw new UserError([
            { file: path.join(shown, name, 'migration.sql'), message: `cannot read (${(error as Error).message})` },
          ]);
        }
      }
      return { name, sql, file: path.join(shown, name, 'migration.sql') };
    });
  const hasLockFile = entries.some((e) => e.name === 'migration_lock.toml');
  return { folders, hasLockFile };
}
