/**
 * The recorder inside a real Prisma Client (generated from the bundled example) running the
 * example's typical reads and writes against PostgreSQL: what lands in the file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connectionUrl } from '../../src/db/client';
import { flushQueryShapes, recordQueryShapes } from '../../src/prisma';
import type { RecordedShape } from '../../src/workload/recorded-shape';
import { validate, type Schema } from '../support/mini-schema';
import { testDatabase } from '../support/pg';
import { createTables, generatePrismaClient, type GeneratedClient } from '../support/prisma-client';

const REPO = path.join(__dirname, '..', '..');
const SCHEMA = fs.readFileSync(path.join(REPO, 'prisma', 'schema.prisma'), 'utf8');
const db = testDatabase('record_shapes');

// The generated client's API, as far as this test uses it.
type Delegate = Record<string, (args?: unknown) => Promise<unknown>>;
type Client = Record<string, Delegate> & { $disconnect(): Promise<void>; $extends(e: unknown): Client };

let generated: GeneratedClient;
let base: Client;
let outDir: string;

beforeAll(async () => {
  generated = await generatePrismaClient(SCHEMA, 'record');
  await createTables(db.client, SCHEMA);
  const { PrismaClient } = require(generated.dir) as { PrismaClient: new (opts: unknown) => Client };
  const { PrismaPg } = require('@prisma/adapter-pg') as { PrismaPg: new (opts: unknown) => unknown };
  base = new PrismaClient({ adapter: new PrismaPg({ connectionString: connectionUrl(db.target) }) });
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-shapes-'));
}, 180_000);

afterAll(async () => {
  await base?.$disconnect();
  generated?.remove();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

function readShapes(file: string): RecordedShape[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as RecordedShape);
}

test('the example app run through the extension records each shape once, with its count, and no value', async () => {
  const file = path.join(outDir, 'app.jsonl');
  const prisma = base.$extends(recordQueryShapes({ file }));

  const user = (await prisma['user']!['create']!({
    data: { email: 'ada-secret@example.com', username: 'ada-secret-name', displayName: 'Ada' },
  })) as { id: string };
  for (let i = 0; i < 3; i++) {
    await prisma['post']!['create']!({
      data: { authorId: user.id, title: `title-secret-${i}`, content: { kind: 'secret-json' }, tags: ['secret-tag'] },
    });
  }
  // The feed, three times with different values: one shape, count 3.
  for (let i = 0; i < 3; i++) {
    await prisma['post']!['findMany']!({
      where: { authorId: user.id, deletedAt: null },
      orderBy: { createdAt: 'desc' },
      take: 20 + i,
    });
  }
  await prisma['post']!['findMany']!({ where: { title: { contains: 'secret', mode: 'insensitive' } } });
  await prisma['post']!['findMany']!({
    where: { tags: { has: 'secret-tag' }, content: { path: ['kind'], equals: 'secret-json' } },
  });
  await prisma['user']!['findUnique']!({
    where: { email: 'ada-secret@example.com' },
    include: { posts: { where: { published: true } }, _count: { select: { comments: true } } },
  });
  await prisma['user']!['findMany']!({ where: { posts: { some: { published: false } } } });
  await prisma['ingestEvent']!['findMany']!({
    where: { status: { in: ['PENDING', 'FAILED'] } },
    orderBy: [{ nextAttemptAt: 'asc' }],
    take: 10,
  });
  await prisma['post']!['count']!({ where: { authorId: user.id } });
  await prisma['post']!['groupBy']!({ by: ['authorId'], _count: true });
  await prisma['post']!['updateMany']!({ where: { authorId: user.id, published: false }, data: { published: true } });
  await prisma['post']!['deleteMany']!({ where: { authorId: user.id } });
  flushQueryShapes();

  const text = fs.readFileSync(file, 'utf8');
  for (const secret of ['secret', user.id, 'ada-']) expect(text).not.toContain(secret);

  const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', 'query-shapes.schema.json'), 'utf8')) as Schema;
  const shapes = readShapes(file);
  for (const shape of shapes) expect(validate(schema, shape)).toEqual([]);

  const find = (model: string, operation: string) =>
    shapes.filter((s) => s.model === model && s.operation === operation);
  expect(find('Post', 'create')).toEqual([{ v: 1, model: 'Post', operation: 'create', count: 3 }]);
  expect(find('Post', 'findMany')).toEqual(
    expect.arrayContaining([
      {
        v: 1,
        model: 'Post',
        operation: 'findMany',
        where: {
          and: [
            { field: 'authorId', op: 'equals' },
            { field: 'deletedAt', op: 'isNull' },
          ],
        },
        orderBy: [{ path: ['createdAt'], direction: 'desc' }],
        take: true,
        count: 3,
      },
      {
        v: 1,
        model: 'Post',
        operation: 'findMany',
        where: { field: 'title', op: 'contains', insensitive: true },
        count: 1,
      },
      {
        v: 1,
        model: 'Post',
        operation: 'findMany',
        where: {
          and: [
            { field: 'content', op: 'equals', path: true },
            { field: 'tags', op: 'has' },
          ],
        },
        count: 1,
      },
    ]),
  );
  expect(find('User', 'findUnique')[0]).toMatchObject({
    where: { field: 'email', op: 'equals' },
    reads: [
      { relation: 'comments', countOnly: true },
      { relation: 'posts', where: { field: 'published', op: 'equals', values: [true] } },
    ],
  });
  expect(find('User', 'findMany')[0]?.where).toEqual({
    relation: 'posts',
    quantifier: 'some',
    where: { field: 'published', op: 'equals', values: [false] },
  });
  // Enum values are schema constants: the queue poll keeps them, as a partial index needs them.
  expect(find('IngestEvent', 'findMany')[0]).toMatchObject({
    where: { field: 'status', op: 'in', values: ['FAILED', 'PENDING'] },
    take: true,
  });
  expect(find('Post', 'groupBy')[0]).toMatchObject({ by: ['authorId'] });
  expect(find('Post', 'updateMany')[0]?.where).toEqual({
    and: [
      { field: 'authorId', op: 'equals' },
      { field: 'published', op: 'equals', values: [false] },
    ],
  });
});

test('with callSites the application line of each shape is kept', async () => {
  const file = path.join(outDir, 'sites.jsonl');
  const prisma = base.$extends(recordQueryShapes({ file, callSites: true }));
  await prisma['tag']!['findMany']!({ where: { name: { startsWith: 'a' } } });
  flushQueryShapes();
  const [shape] = readShapes(file);
  expect(shape?.callSites).toEqual([expect.stringMatching(/__tests__\/prisma\/record-shapes\.test\.ts:\d+$/)]);
});

test('memory stays bounded: past maxShapes distinct shapes the buffer is appended and emptied', async () => {
  const file = path.join(outDir, 'bounded.jsonl');
  const prisma = base.$extends(recordQueryShapes({ file, maxShapes: 2 }));
  await prisma['tag']!['findMany']!({ where: { name: 'x' } });
  expect(fs.existsSync(file)).toBe(false);
  await prisma['tag']!['findMany']!({ where: { id: 'x' } });
  expect(readShapes(file)).toHaveLength(2);
  await prisma['tag']!['findMany']!({ where: { name: 'y' } });
  flushQueryShapes();
  const shapes = readShapes(file);
  expect(shapes).toHaveLength(3);
  expect(shapes.map((s) => s.count)).toEqual([1, 1, 1]);
});

// Runs the compiled package (`npm test` builds first), as an application would load it.
test('the shapes are appended when the process exits, without a flush call', async () => {
  const file = path.join(outDir, 'exit.jsonl');
  const script = `
    const { recordQueryShapes } = require(${JSON.stringify(path.join(REPO, 'dist', 'prisma'))});
    const { PrismaClient } = require(${JSON.stringify(generated.dir)});
    const { PrismaPg } = require('@prisma/adapter-pg');
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.URL }) }).$extends(recordQueryShapes({ file: process.env.FILE }));
    prisma.tag.count({ where: { name: 'x' } }).then(() => prisma.$disconnect());
  `;
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['-e', script], {
    cwd: REPO,
    env: { ...process.env, URL: connectionUrl(db.target), FILE: file },
  });
  expect(readShapes(file)).toEqual([
    { v: 1, model: 'Tag', operation: 'count', where: { field: 'name', op: 'equals' }, count: 1 },
  ]);
});

// The whole loop: what the real client recorded is what the real binary plans from.
test('idxgen plan --queries on the recording proposes the indexes its reads need and withdraws unneeded guesses', async () => {
  const file = path.join(outDir, 'loop.jsonl');
  const prisma = base.$extends(recordQueryShapes({ file, callSites: true }));
  for (let i = 0; i < 5; i++) {
    await prisma['comment']!['findMany']!({
      where: { authorId: `u${i}`, deletedAt: null },
      orderBy: { createdAt: 'desc' },
      take: 20,
    });
  }
  await prisma['message']!['findMany']!({ where: { conversationId: 'c1' }, orderBy: { createdAt: 'asc' }, take: 50 });
  flushQueryShapes();
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(
    process.execPath,
    [path.join(REPO, 'bin', 'idxgen.js'), 'plan', '--format', 'json', '--queries', file],
    { cwd: REPO, encoding: 'utf8' },
  );
  const plan = JSON.parse(out) as {
    entries: {
      ruleId: string;
      spec: { table: string; columns: { column: string; sort?: string }[]; where?: unknown };
      evidence: string[];
    }[];
    skipped: { reason: string; finding: { ruleId: string; model: string; severity: string } }[];
  };
  const feed = plan.entries.find((e) => e.ruleId === 'workload-index' && e.spec.table === 'Comment');
  expect(feed?.spec.columns).toEqual([
    expect.objectContaining({ column: 'authorId' }),
    expect.objectContaining({ column: 'createdAt', sort: 'desc' }),
  ]);
  expect(feed?.spec.where).toBeDefined();
  expect(feed?.evidence[0]).toMatch(
    /^Comment\.findMany at __tests__\/prisma\/record-shapes\.test\.ts:\d+: 5 call\(s\)/,
  );
  // Messages are read by conversation, never by sender among the live rows: the guessed live-rows
  // partial index on the sender is withdrawn. Only guesses are: what the schema proves or the user
  // asked for stays whatever the recording says.
  const withdrawn = plan.skipped.filter((s) => s.reason.startsWith('withdrawn:'));
  expect(withdrawn.filter((s) => s.finding.model === 'Message').map((s) => s.finding.ruleId)).toContain(
    'soft-delete-partial-index',
  );
  for (const w of withdrawn) expect(w.finding.severity).toBe('info'); // a guess is never above info
  for (const w of withdrawn.filter((s) => s.finding.model === 'Message')) {
    expect(w.reason).toMatch(/^withdrawn: none of the 1 recorded read\(s\) of this table \(1 call\) needs it/);
  }
  expect(plan.entries.some((e) => e.ruleId === 'soft-delete-partial-index' && e.spec.table === 'Message')).toBe(false);
});
