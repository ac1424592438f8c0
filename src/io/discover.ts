import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { DEFAULT_SCHEMA_PATHS, PRISMA_CONFIG_FILES } from './prisma-locations';
import { INPUT_LIMITS, InputFileError, readInputText } from './read-input';

/**
 * Finds the schema the way Prisma does: `--schema`, then `schema` in prisma.config.*, then
 * `prisma.schema` in package.json, then prisma/schema.prisma, schema.prisma, prisma/schema/.
 * A folder means a multi-file schema: every *.prisma file below it.
 */

export interface SchemaLocation {
  /** The file or folder the user (or a convention) named. */
  target: string;
  /** Where the choice came from, for messages. */
  origin: string;
  /** The schema files, sorted, paths relative to cwd when below it. */
  files: string[];
}

export function discoverSchema(cwd: string, explicit?: string): SchemaLocation {
  if (explicit !== undefined) return locate(cwd, explicit, '--schema');
  for (const name of PRISMA_CONFIG_FILES) {
    const configPath = path.join(cwd, name);
    if (!fs.existsSync(configPath)) continue;
    const schema = schemaFromPrismaConfig(readPrismaConfig(configPath, name));
    if (schema) return locate(path.dirname(configPath), schema, name, cwd);
  }
  const fromPackage = schemaFromPackageJson(cwd);
  if (fromPackage) return locate(cwd, fromPackage, 'package.json "prisma.schema"');
  for (const candidate of DEFAULT_SCHEMA_PATHS) {
    if (fs.existsSync(path.join(cwd, candidate))) return locate(cwd, candidate, 'default location');
  }
  throw new UserError(
    'Could not find a Prisma schema: looked for --schema, prisma.config.ts, package.json "prisma.schema", prisma/schema.prisma, schema.prisma and prisma/schema/. Pass --schema <file|folder>.',
  );
}

function readPrismaConfig(file: string, shown: string): string {
  try {
    return readInputText(file, INPUT_LIMITS.config);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    throw new UserError([
      {
        file: shown,
        message: `cannot read the Prisma config${error.code === 'ENOTREG' || error.code === 'EFBIG' ? `: ${error.message}` : ` (${error.code})`}`,
      },
    ]);
  }
}

/** Reads `schema: "..."` from a prisma.config file without running it: only a literal string counts. */
export function schemaFromPrismaConfig(text: string): string | undefined {
  const withoutComments = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:"'`])\/\/.*$/gm, '$1');
  const m = /\bschema\s*:\s*(["'`])([^"'`\n]+)\1/.exec(withoutComments);
  return m?.[2];
}

function schemaFromPackageJson(cwd: string): string | undefined {
  const file = path.join(cwd, 'package.json');
  if (!fs.existsSync(file)) return undefined;
  try {
    const pkg = JSON.parse(readInputText(file, INPUT_LIMITS.config)) as { prisma?: { schema?: unknown } };
    return typeof pkg.prisma?.schema === 'string' ? pkg.prisma.schema : undefined;
  } catch {
    return undefined;
  }
}

function locate(base: string, target: string, origin: string, cwd: string = base): SchemaLocation {
  const absolute = path.resolve(base, target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(absolute);
  } catch {
    throw new UserError([{ file: display(cwd, absolute), message: `schema not found (from ${origin})` }]);
  }
  if (!stat.isDirectory()) return { target: display(cwd, absolute), origin, files: [display(cwd, absolute)] };
  const files = listPrismaFiles(absolute, cwd).map((f) => display(cwd, f));
  if (files.length === 0)
    throw new UserError([{ file: display(cwd, absolute), message: `folder holds no .prisma files (from ${origin})` }]);
  return { target: display(cwd, absolute), origin, files };
}

function listPrismaFiles(dir: string, cwd: string): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENAMETOOLONG'
          ? 'the path is too long'
          : code;
    throw new UserError([
      {
        file: display(cwd, dir),
        message: `cannot read this folder of the schema (${code === why ? code : `${code}: ${why}`})`,
      },
    ]);
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'migrations' && entry.name !== 'node_modules') out.push(...listPrismaFiles(full, cwd));
    } else if (entry.name.endsWith('.prisma')) {
      out.push(full);
    }
  }
  return out.sort();
}

function display(cwd: string, absolute: string): string {
  const rel = path.relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : absolute;
}
