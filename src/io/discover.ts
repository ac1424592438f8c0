import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';

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

const CONFIG_FILES = ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.cts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs', '.config/prisma.ts'];

export function discoverSchema(cwd: string, explicit?: string): SchemaLocation {
  if (explicit !== undefined) return locate(cwd, explicit, '--schema');
  for (const name of CONFIG_FILES) {
    const configPath = path.join(cwd, name);
    if (!fs.existsSync(configPath)) continue;
    const schema = schemaFromPrismaConfig(fs.readFileSync(configPath, 'utf8'));
    if (schema) return locate(path.dirname(configPath), schema, name, cwd);
  }
  const fromPackage = schemaFromPackageJson(cwd);
  if (fromPackage) return locate(cwd, fromPackage, 'package.json "prisma.schema"');
  for (const candidate of ['prisma/schema.prisma', 'schema.prisma', 'prisma/schema']) {
    if (fs.existsSync(path.join(cwd, candidate))) return locate(cwd, candidate, 'default location');
  }
  throw new UserError(
    'Could not find a Prisma schema: looked for --schema, prisma.config.ts, package.json "prisma.schema", prisma/schema.prisma, schema.prisma and prisma/schema/. Pass --schema <file|folder>.',
  );
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
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { prisma?: { schema?: unknown } };
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
  const files = listPrismaFiles(absolute).map((f) => display(cwd, f));
  if (files.length === 0) throw new UserError([{ file: display(cwd, absolute), message: `folder holds no .prisma files (from ${origin})` }]);
  return { target: display(cwd, absolute), origin, files };
}

function listPrismaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'migrations' && entry.name !== 'node_modules') out.push(...listPrismaFiles(full));
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
