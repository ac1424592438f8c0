/**
 * A real Prisma Client for tests: `prisma generate` (the 7.x CLI, offline: FACTS.md) writes the
 * `prisma-client-js` client for a schema into a folder under .tmp/, and the schema's from-empty
 * SQL (Prisma's schema engine) creates its tables in the suite's database.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { schemaFromEmptySql } from '../../src/db/schema-engine';

const REPO = path.join(__dirname, '..', '..');

export interface GeneratedClient {
  /** The folder holding the generated client (require() it). */
  dir: string;
  remove(): void;
}

/** Generates a client for `schema` (its generator block is replaced). Takes ~5–10 s. */
export async function generatePrismaClient(schema: string, name: string): Promise<GeneratedClient> {
  // The CLI resolves @prisma/client from the schema's folder: keep it inside the repo.
  const dir = path.join(REPO, '.tmp', `prisma-client-${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const withGenerator = schema.replace(
    /generator\s+client\s*\{[^}]*\}/,
    'generator client {\n  provider = "prisma-client-js"\n  output   = "./client"\n}',
  );
  fs.writeFileSync(path.join(dir, 'schema.prisma'), withGenerator);
  await promisify(execFile)(
    process.execPath,
    [
      path.join(REPO, 'node_modules', 'prisma', 'build', 'index.js'),
      'generate',
      '--schema',
      path.join(dir, 'schema.prisma'),
    ],
    {
      cwd: REPO,
      // The CLI checks that a schema engine exists at start-up; generation itself does not run it.
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true',
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
      timeout: 120_000,
    },
  );
  return { dir: path.join(dir, 'client'), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Creates the schema's tables, as `prisma migrate` would from an empty database. */
export async function createTables(client: Client, schema: string): Promise<void> {
  const sql = await schemaFromEmptySql([{ path: 'schema.prisma', content: schema }]);
  if (!sql.ok) throw new Error(`schema engine (${sql.kind}): ${sql.reason}`);
  await client.query(sql.value);
}
