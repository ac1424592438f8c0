/**
 * planPartitions on plans made from real schemas, with partition layouts as the database would
 * report them: what gets the ON ONLY / CONCURRENTLY / ATTACH sequence, what is refused and why,
 * and how the partitions' index names are made. Applying the sequence on PostgreSQL is
 * __tests__/db/partitions.test.ts.
 */
import { planModel, rules } from '../../src/cli/context';
import { parseConfig } from '../../src/config/config';
import type { PartitionLayout, PartitionNode } from '../../src/model/partition-layout';
import { partitionIndexName, planPartitions } from '../../src/plan/partitions';
import type { Plan } from '../../src/plan/types';
import { loadSchema } from '../../src/schema/load';
import { renderEntrySql } from '../../src/render/sql';
import { inverseStep, stepSql } from '../../src/render/steps';
import { stepEffects } from '../../src/plan/steps';
import { scriptEffects } from '../../src/generate/migration-sql';
import { sqlParser } from '../../src/workload/sql-parser';

beforeAll(() => sqlParser());

const sqlOf = (entry: { steps: Plan['entries'][number]['steps'] }) => renderEntrySql(entry);

const parsed = parseConfig(undefined, rules);
if (!('config' in parsed)) throw new Error('default config');
const config = parsed.config;

const HEAD = `datasource db {
  provider = "postgresql"
}

generator client {
  provider = "prisma-client-js"
}
`;

function planOf(body: string): Plan {
  return planModel(loadSchema([{ path: 'schema.prisma', content: HEAD + body }]).model, config);
}

function leaf(table: string, schema = 'public', kind: PartitionNode['kind'] = 'table'): PartitionNode {
  return { schema, table, kind, keyColumns: null, partitions: [] };
}

function parent(
  table: string,
  keyColumns: string[] | null,
  partitions: PartitionNode[],
  schema = 'public',
): PartitionNode {
  return { schema, table, kind: 'partitioned', keyColumns, partitions };
}

function layout(nodes: PartitionNode[], taken: string[] = []): PartitionLayout {
  const all = (n: PartitionNode): PartitionNode[] => [n, ...n.partitions.flatMap(all)];
  return {
    partitioned: nodes.flatMap(all).filter((n) => n.kind === 'partitioned'),
    takenNames: new Set(taken.map((t) => `public\u0000${t}`)),
  };
}

const FK_SCHEMA = `
model User {
  id     Int     @id
  events Event[]
  notes  Note[]
}

model Event {
  id        Int
  userId    Int
  createdAt DateTime
  user      User     @relation(fields: [userId], references: [id])

  @@id([id, createdAt])
}

model Note {
  id     Int  @id
  userId Int
  user   User @relation(fields: [userId], references: [id])
}
`;

test('an index on a partitioned table gets the sequence; the plain table keeps its one CONCURRENTLY build; the note says why', () => {
  const plan = planOf(FK_SCHEMA);
  const notes = planPartitions(plan, layout([parent('Event', ['createdAt'], [leaf('Event_a'), leaf('Event_b')])]));
  expect(notes).toEqual([
    '"public"."Event" is partitioned (2 partitions, read from the database): CREATE INDEX CONCURRENTLY fails on a partitioned table, so the index is built ON ONLY the parent, CONCURRENTLY on each partition, then attached',
  ]);
  const event = plan.entries.find((e) => e.spec.table === 'Event')!;
  expect(event.partitioned!.indexes.map((i) => [i.table, i.name, i.attachTo.name])).toEqual([
    ['Event_a', 'Event_a_userId_idx', 'Event_userId_idx'],
    ['Event_b', 'Event_b_userId_idx', 'Event_userId_idx'],
  ]);
  expect(sqlOf(event).map((s) => s.up.split('\n').find((l) => /^(CREATE|ALTER)/.test(l)))).toEqual([
    'CREATE INDEX IF NOT EXISTS "Event_userId_idx" ON ONLY "Event" USING btree ("userId");',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_a_userId_idx" ON "public"."Event_a" USING btree ("userId");',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_b_userId_idx" ON "public"."Event_b" USING btree ("userId");',
    'ALTER INDEX "public"."Event_userId_idx" ATTACH PARTITION "public"."Event_a_userId_idx";',
    'ALTER INDEX "public"."Event_userId_idx" ATTACH PARTITION "public"."Event_b_userId_idx";',
  ]);
  expect(event.evidence[event.evidence.length - 1]).toBe(notes[0]);
  const note = plan.entries.find((e) => e.spec.table === 'Note')!;
  expect(note.partitioned).toBeUndefined();
  expect(sqlOf(note).map((s) => s.up)).toEqual([
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Note_userId_idx" ON "Note" USING btree ("userId");',
  ]);
});

test('a foreign-table partition is refused: the parent index could never become valid', () => {
  const plan = planOf(FK_SCHEMA);
  planPartitions(
    plan,
    layout([parent('Event', ['createdAt'], [leaf('Event_a'), leaf('Event_remote', 'public', 'foreign')])]),
  );
  expect(plan.entries.map((e) => e.spec.table)).toEqual(['Note']);
  expect(plan.skipped.map((s) => s.reason)).toContain(
    '"public"."Event" is partitioned and its partition "public"."Event_remote" is a foreign table: no index can be built there, so the parent\'s index would never become valid',
  );
});

test('a UNIQUE index without the partition key of every level is refused; with it, it takes the sequence', () => {
  const body = `
model Payment {
  id             Int      @id
  idempotencyKey String
  createdAt      DateTime
}
`;
  const refused = planOf(body);
  expect(refused.entries.map((e) => e.spec.kind === 'index' && e.spec.unique)).toEqual([true]);
  planPartitions(refused, layout([parent('Payment', ['createdAt'], [leaf('Payment_a')])]));
  expect(refused.entries).toEqual([]);
  expect(refused.skipped.map((s) => s.reason)).toContain(
    '"public"."Payment" is partitioned: a UNIQUE index on it must hold the partition key of "public"."Payment" ("createdAt") among its plain columns, or PostgreSQL refuses it (0A000)',
  );
  const expression = planOf(body);
  planPartitions(expression, layout([parent('Payment', null, [leaf('Payment_a')])]));
  expect(expression.skipped.map((s) => s.reason)).toContain(
    '"public"."Payment" is partitioned: a UNIQUE index on it must hold the partition key of "public"."Payment" (an expression) among its plain columns, or PostgreSQL refuses it (0A000)',
  );
  const kept = planOf(body);
  planPartitions(kept, layout([parent('Payment', ['idempotencyKey'], [leaf('Payment_a')])]));
  expect(sqlOf(kept.entries[0]!)[0]!.up).toContain(
    'CREATE UNIQUE INDEX IF NOT EXISTS "Payment_idempotencyKey_key" ON ONLY "Payment"',
  );
  expect(sqlOf(kept.entries[0]!)[1]!.up).toContain(
    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "Payment_a_idempotencyKey_key" ON "public"."Payment_a"',
  );
});

test('dropping a redundant index of a partitioned table is refused: no CONCURRENTLY there', () => {
  const plan = planOf(`
model Post {
  id       Int @id
  authorId Int

  @@index([authorId])
  @@index([authorId, id])
}
`);
  expect(plan.entries.map((e) => e.spec.kind)).toEqual(['drop-index']);
  planPartitions(plan, layout([parent('Post', ['id'], [leaf('Post_a')])]));
  expect(plan.entries).toEqual([]);
  expect(plan.skipped.map((s) => s.reason).pop()).toMatch(
    /^"public"."Post" is partitioned: DROP INDEX CONCURRENTLY does not work on a partitioned index \(0A000\)/,
  );
});

test('partition index names: the partition in place of the table, cut with a hash at 63 bytes, numbered when taken', () => {
  const taken = new Set<string>();
  expect(
    partitionIndexName('Event_userId_createdAt_partial_idx', 'Event', { schema: 'public', table: 'Event_2024' }, taken),
  ).toBe('Event_2024_userId_createdAt_partial_idx');
  // Taken (by a table, an index, anything in that schema): numbered, as PostgreSQL does.
  expect(
    partitionIndexName('Event_userId_createdAt_partial_idx', 'Event', { schema: 'public', table: 'Event_2024' }, taken),
  ).toBe('Event_2024_userId_createdAt_partial1_idx');
  // The same name in another schema is free.
  expect(
    partitionIndexName(
      'Event_userId_createdAt_partial_idx',
      'Event',
      { schema: 'archive', table: 'Event_2024' },
      taken,
    ),
  ).toBe('Event_2024_userId_createdAt_partial_idx');
  // Two long partitions that share their first 50 bytes keep different names.
  const a = partitionIndexName(
    'Event_userId_idx',
    'Event',
    { schema: 'public', table: 'Event_partition_for_the_year_2021_with_a_long_name_of_its_own_a' },
    taken,
  );
  const b = partitionIndexName(
    'Event_userId_idx',
    'Event',
    { schema: 'public', table: 'Event_partition_for_the_year_2021_with_a_long_name_of_its_own_b' },
    taken,
  );
  expect(a).not.toBe(b);
  for (const name of [a, b]) {
    expect(Buffer.byteLength(name)).toBe(63);
    expect(name).toMatch(/^Event_partition_for_the_year_2021_with_a_long_n.*_[0-9a-f]{8}_idx$/);
  }
  // Multi-byte names are cut on a character boundary.
  const greek = partitionIndexName(
    'Συμβάν_χρήστης_idx',
    'Συμβάν',
    { schema: 'public', table: 'Συμβάν_διαμέρισμα_2024_πολύ_μεγάλο' },
    taken,
  );
  expect(Buffer.byteLength(greek)).toBeLessThanOrEqual(63);
  expect(greek).toMatch(/_[0-9a-f]{8}_idx$/);
  // A name the plan or the database already uses in the schema is avoided.
  const plan = planOf(FK_SCHEMA);
  planPartitions(plan, layout([parent('Event', ['createdAt'], [leaf('Event_a')])], ['Event_a_userId_idx']));
  expect(plan.entries.find((e) => e.spec.table === 'Event')!.partitioned!.indexes.map((i) => i.name)).toEqual([
    'Event_a_userId1_idx',
  ]);
});

test('sub-partitions are followed down: ON ONLY on each partitioned level, attached deepest first; zero partitions: ON ONLY alone', () => {
  const plan = planOf(FK_SCHEMA);
  planPartitions(
    plan,
    layout([
      parent(
        'Event',
        ['createdAt'],
        [parent('Event_2024', ['id'], [leaf('Event_2024_h0'), leaf('Event_2024_h1')]), leaf('Event_2023')],
      ),
    ]),
  );
  const event = plan.entries.find((e) => e.spec.table === 'Event')!;
  const statements = sqlOf(event).map((s) => s.up.split('\n').find((l) => /^(CREATE|ALTER)/.test(l))!);
  expect(statements).toEqual([
    'CREATE INDEX IF NOT EXISTS "Event_userId_idx" ON ONLY "Event" USING btree ("userId");',
    'CREATE INDEX IF NOT EXISTS "Event_2024_userId_idx" ON ONLY "public"."Event_2024" USING btree ("userId");',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_2024_h0_userId_idx" ON "public"."Event_2024_h0" USING btree ("userId");',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_2024_h1_userId_idx" ON "public"."Event_2024_h1" USING btree ("userId");',
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_2023_userId_idx" ON "public"."Event_2023" USING btree ("userId");',
    'ALTER INDEX "public"."Event_2024_userId_idx" ATTACH PARTITION "public"."Event_2024_h0_userId_idx";',
    'ALTER INDEX "public"."Event_2024_userId_idx" ATTACH PARTITION "public"."Event_2024_h1_userId_idx";',
    'ALTER INDEX "public"."Event_userId_idx" ATTACH PARTITION "public"."Event_2024_userId_idx";',
    'ALTER INDEX "public"."Event_userId_idx" ATTACH PARTITION "public"."Event_2023_userId_idx";',
  ]);
  // Every down that meets an attached index drops the parent's (which takes the attached ones along).
  const downs = sqlOf(event).map((s) => s.down.split('\n').find((l) => /^DROP/.test(l)));
  expect(downs).toEqual([
    'DROP INDEX IF EXISTS "public"."Event_userId_idx";',
    'DROP INDEX IF EXISTS "public"."Event_userId_idx";',
    'DROP INDEX CONCURRENTLY IF EXISTS "public"."Event_2024_h0_userId_idx";',
    'DROP INDEX CONCURRENTLY IF EXISTS "public"."Event_2024_h1_userId_idx";',
    'DROP INDEX CONCURRENTLY IF EXISTS "public"."Event_2023_userId_idx";',
    ...Array(4).fill('DROP INDEX IF EXISTS "public"."Event_userId_idx";'),
  ]);
  const empty = planOf(FK_SCHEMA);
  planPartitions(empty, layout([parent('Event', ['createdAt'], [])]));
  expect(sqlOf(empty.entries.find((e) => e.spec.table === 'Event')!).map((s) => s.up.split('\n')[1])).toEqual([
    'CREATE INDEX IF NOT EXISTS "Event_userId_idx" ON ONLY "Event" USING btree ("userId");',
  ]);
});

test('each step of the sequence, and its down, has the typed effect the migration reader sees in its SQL', () => {
  const plan = planOf(FK_SCHEMA);
  planPartitions(
    plan,
    layout([
      parent('Event', ['createdAt'], [parent('Event_2024', ['id'], [leaf('Event_2024_h0')]), leaf('Event_2023')]),
    ]),
  );
  const steps = plan.entries.find((e) => e.spec.table === 'Event')!.steps;
  expect([...new Set(steps.flatMap((s) => [s.kind, inverseStep(s).kind]))].sort()).toEqual([
    'attach-index',
    'create-index',
    'create-index-only',
    'drop-index',
    'drop-partitioned-index',
  ]);
  for (const step of steps.flatMap((s) => [s, inverseStep(s)]))
    expect([step.kind, stepEffects(step)]).toEqual([step.kind, scriptEffects(stepSql(step))]);
});
