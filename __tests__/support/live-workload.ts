/**
 * A "production" database for the live-workload suites: the bundled example schema, realistic
 * volumes in a few hot tables, and a workload of Prisma-shaped parameterized queries run against
 * it so pg_stat_statements has something to say.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from 'pg';
import { schemaFromEmptySql } from '../../src/db/schema-engine';

export const REPO = path.resolve(__dirname, '..', '..');
export const BUNDLED_SCHEMA = path.join(REPO, 'prisma', 'schema.prisma');

export interface Volumes {
  users: number;
  posts: number;
  messages: number;
}

/** Creates the bundled schema's tables (Prisma's own from-empty SQL) and fills the hot tables. */
export async function loadProduction(client: Client, volumes: Volumes): Promise<void> {
  const sql = await schemaFromEmptySql([{ path: 'schema.prisma', content: fs.readFileSync(BUNDLED_SCHEMA, 'utf8') }]);
  if (!sql.ok) throw new Error(`schema engine: ${sql.reason}`);
  await client.query(sql.value);
  await client.query(
    `INSERT INTO "User" (id, email, username, "displayName", "updatedAt")
     SELECT 'u' || g, 'u' || g || '@example.com', 'user' || g, 'Name ' || (g % 997), now() FROM generate_series(1, $1::int) g`,
    [volumes.users],
  );
  await client.query(
    `INSERT INTO "Post" (id, "authorId", title, content, tags, published, "createdAt", "updatedAt", "deletedAt")
     SELECT 'p' || g, 'u' || (1 + g % $2::int), 'Post ' || g, '{"blocks": []}'::jsonb, ARRAY['t' || (g % 50)], g % 3 = 0,
            now() - (g || ' minutes')::interval, now(), CASE WHEN g % 10 = 0 THEN now() END
       FROM generate_series(1, $1::int) g`,
    [volumes.posts, volumes.users],
  );
  await client.query(
    `INSERT INTO "Conversation" (id, "updatedAt") SELECT 'c' || g, now() FROM generate_series(1, 500) g`,
  );
  await client.query(
    `INSERT INTO "Message" (id, "conversationId", "senderId", body, status, attachments, "createdAt")
     SELECT 'm' || g, 'c' || (1 + g % 500), 'u' || (1 + g % $2::int), 'hello', (ARRAY['SENT','DELIVERED','READ'])[1 + g % 3]::"MessageStatus",
            '[]'::jsonb, now() - (g || ' seconds')::interval
       FROM generate_series(1, $1::int) g`,
    [volumes.messages, volumes.users],
  );
  await client.query('ANALYZE');
}

/** The application's queries, as Prisma sends them (qualified names, `$n` parameters). */
export const WORKLOAD = {
  /** The slowest: a feed by author, newest first, soft-deleted rows left out. */
  postFeed: {
    sql: `SELECT "public"."Post"."id", "public"."Post"."title", "public"."Post"."createdAt" FROM "public"."Post" WHERE ("public"."Post"."authorId" = $1 AND "public"."Post"."deletedAt" IS NULL) ORDER BY "public"."Post"."createdAt" DESC LIMIT $2 OFFSET $3`,
    params: (i: number, volumes: Volumes) => [`u${1 + (i % volumes.users)}`, 20, 0],
    calls: 150,
  },
  /** Second: messages by status, oldest first (a work queue). */
  messageQueue: {
    sql: `SELECT "public"."Message"."id", "public"."Message"."body" FROM "public"."Message" WHERE "public"."Message"."status" = CAST($1::text AS "public"."MessageStatus") ORDER BY "public"."Message"."createdAt" ASC LIMIT $2 OFFSET $3`,
    params: () => ['SENT', 50, 0],
    calls: 20,
  },
  /** Cheap: a user's game profile by its unique key (served); its Json `preferences` has a GIN the schema asks for (`/// @idxgen.gin`). */
  gameProfile: {
    sql: `SELECT "public"."GameProfile"."id", "public"."GameProfile"."preferences" FROM "public"."GameProfile" WHERE "public"."GameProfile"."userId" = $1 LIMIT $2 OFFSET $3`,
    params: (i: number, volumes: Volumes) => [`u${1 + (i % volumes.users)}`, 1, 0],
    calls: 50,
  },
  /** Cheap: users by primary key (already served). */
  userById: {
    sql: `SELECT "public"."User"."id", "public"."User"."email" FROM "public"."User" WHERE "public"."User"."id" = $1 LIMIT $2 OFFSET $3`,
    params: (i: number, volumes: Volumes) => [`u${1 + (i % volumes.users)}`, 1, 0],
    calls: 200,
  },
};

/** Runs every query of the workload its number of calls (parameterized: pg_stat_statements normalizes them). */
export async function runWorkload(client: Client, volumes: Volumes): Promise<void> {
  for (const query of Object.values(WORKLOAD)) {
    for (let i = 0; i < query.calls; i++) await client.query(query.sql, query.params(i, volumes));
  }
}
