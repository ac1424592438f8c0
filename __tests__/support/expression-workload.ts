/**
 * The expression-index workload (__tests__/fixtures/workload/expressions): accounts looked up by
 * `lower(email)`, articles searched with to_tsvector in three forms, run so pg_stat_statements has
 * them; and the real binary, run on it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Client } from 'pg';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { REPO } from './live-workload';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
export const FIXTURE = path.join(REPO, '__tests__', 'fixtures', 'workload', 'expressions', 'schema.prisma');
const ACCOUNTS = 100_000;
/** Few articles: to_tsvector over every row is slow, and the hints are about its form, not its time. */
const ARTICLES = 2_000;

const BY_EMAIL = `SELECT "id", "name" FROM "public"."Account" WHERE lower("email") = $1 LIMIT $2`;
const PRISMA_SEARCH = `SELECT "public"."Article"."id" FROM "public"."Article" WHERE to_tsvector(concat_ws(' ', "public"."Article"."title")) @@ to_tsquery($1) OFFSET $2`;
export const SEARCH = `SELECT "id" FROM "Article" WHERE to_tsvector('english', "title") @@ to_tsquery('english', 'word17')`;

export function bin(argv: string[], cwd = REPO): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [BIN, ...argv], { cwd, encoding: 'utf8', env, timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The fixture's tables (Prisma's from-empty SQL), their rows, and the workload run on them. */
export async function loadExpressionWorkload(client: Client): Promise<void> {
  const sql = await schemaFromEmptySql([{ path: 'schema.prisma', content: fs.readFileSync(FIXTURE, 'utf8') }]);
  if (!sql.ok) throw new Error(sql.reason);
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await client.query(sql.value);
  await client.query(
    `INSERT INTO "Account" (id, email, name) SELECT g, 'User' || g || '@Example.com', 'n' || g FROM generate_series(1, $1::int) g`,
    [ACCOUNTS],
  );
  await client.query(
    `INSERT INTO "Article" (id, title, body) SELECT g, 'word' || g || ' about ' || (g % 13), 'b' FROM generate_series(1, $1::int) g`,
    [ARTICLES],
  );
  await client.query('ANALYZE');
  for (let i = 0; i < 200; i++) await client.query(BY_EMAIL, [`user${i}@example.com`, 1]);
  for (let i = 0; i < 10; i++) await client.query(PRISMA_SEARCH, [`word${i}`, 0]);
  for (let i = 0; i < 10; i++)
    await client.query(`SELECT "id" FROM "Article" WHERE to_tsvector('english', "title") @@ to_tsquery($1)`, [
      `word${i}`,
    ]);
}
