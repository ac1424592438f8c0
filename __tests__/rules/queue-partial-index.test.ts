import { readPredicate } from '../../src/sql/predicate';
import { rule } from '../../src/rules/queue-partial-index';
import { corpusSchema, fixture, ruleTester, runRule, schema } from './helpers';

ruleTester(rule, {
  valid: [
    {
      name: 'a pending enum value containing ";" is refused (the statement splitter is naive)',
      schema: schema(`
enum JobStatus {
  PENDING @map("pending;drop")
  DONE
}
model Job {
  id    Int       @id
  status JobStatus
  runAt DateTime
}`),
    },
    {
      name: 'pendingValues that match nothing',
      options: { pendingValues: ['WAITING_FOR_GODOT'] },
      schema: schema(`
enum JobStatus {
  PENDING
  DONE
}
model Job {
  id     Int       @id
  status JobStatus
  runAt  DateTime
}`),
    },
    {
      name: 'a partial index led by the due time already serves the poll (its predicate is the user\'s)',
      schema: schema(
        `
enum JobStatus {
  PENDING
  DONE
}
model Job {
  id     Int       @id
  status JobStatus
  runAt  DateTime

  @@index([runAt], where: raw("status = 'PENDING'::\\"JobStatus\\""))
}`,
        { previewFeatures: ['partialIndexes'] },
      ),
    },
    {
      name: 'a status that is a String, not an enum',
      schema: schema(`
model Job {
  id     Int      @id
  status String
  runAt  DateTime
}`),
    },
  ],
  invalid: [
    {
      name: 'fixture: mapped enum values, one pending value, no pending value, already indexed',
      schema: fixture('queue-partial-index.prisma'),
      expected: [
        { table: 'jobs', columns: ['next_attempt_at'], where: `status = ANY (ARRAY['pending'::job_status, 'retry'::job_status])`, line: 33, column: 1 },
        { table: 'Post', columns: ['scheduledPublishAt'], where: `state = 'SCHEDULED'::"PostState"`, line: 44, column: 1 },
      ],
    },
    {
      name: 'options: statusFields, timestampFields, pendingValues; a quote in a value is doubled',
      options: { statusFields: ['phase'], timestampFields: ['wakeAt'], pendingValues: ['sleeping', "it's"] },
      schema: schema(`
enum Phase {
  SLEEPING
  ITS @map("it's")
  AWAKE
}
model Cat {
  id     Int      @id
  phase  Phase
  wakeAt DateTime
}`),
      expected: [{ table: 'Cat', columns: ['wakeAt'], where: `phase = ANY (ARRAY['SLEEPING'::"Phase", 'it''s'::"Phase"])`, line: 14, column: 1 }],
    },
    {
      // Written the way PostgreSQL prints the predicate back (Prisma's diff compares the two): identifiers
      // quoted only where PostgreSQL quotes them (mixed case, reserved words), the type bare when lower case.
      name: 'quoting as PostgreSQL prints it: mixed-case column and enum, reserved-word column, lower-case mapped enum',
      options: { statusFields: ['jobState', 'user'], timestampFields: ['runAt', 'when'] },
      schema: schema(`
enum JobState {
  PENDING
  DONE
}
enum lower_state {
  PENDING
  RETRY
  DONE
}
model Job {
  id       Int      @id
  jobState JobState
  runAt    DateTime
}
model Task {
  id   Int         @id
  user lower_state
  when DateTime    @map("when")
}`),
      expected: [
        { table: 'Job', columns: ['runAt'], where: `"jobState" = 'PENDING'::"JobState"`, line: 18, column: 1 },
        { table: 'Task', columns: ['when'], where: `"user" = ANY (ARRAY['PENDING'::lower_state, 'RETRY'::lower_state])`, line: 23, column: 1 },
      ],
    },
    {
      name: 'multiSchema: the enum type is schema-qualified unless it is in public',
      schema: schema(
        `
enum Status {
  PENDING
  DONE

  @@schema("app")
}
enum PublicStatus {
  QUEUED
  DONE

  @@schema("public")
}
model Job {
  id     Int      @id
  status Status
  runAt  DateTime

  @@schema("app")
}
model Mail {
  id     Int          @id
  status PublicStatus
  runAt  DateTime

  @@schema("app")
}`,
        { previewFeatures: ['multiSchema'] },
      ).replace('  provider = "postgresql"\n', '  provider = "postgresql"\n  schemas  = ["public", "app"]\n'),
      expected: [
        { table: 'Job', columns: ['runAt'], where: `status = 'PENDING'::app."Status"`, line: 22, column: 1 },
        { table: 'Mail', columns: ['runAt'], where: `status = 'QUEUED'::"PublicStatus"`, line: 29, column: 1 },
      ],
    },
  ],
});

describe('queue-partial-index details', () => {
  it('gives the exact spec, message and evidence', () => {
    const [job] = runRule(rule, fixture('queue-partial-index.prisma'));
    expect(job!.spec).toEqual({
      kind: 'index',
      table: 'jobs',
      columns: [{ column: 'next_attempt_at', field: 'nextAttemptAt' }],
      method: 'btree',
      unique: false,
      where: readPredicate(`status = ANY (ARRAY['pending'::job_status, 'retry'::job_status])`),
      include: [],
      extensions: [],
    });
    expect(job!.message).toEqual({
      title: `Partial index "jobs" ("next_attempt_at") WHERE status = ANY (ARRAY['pending'::job_status, 'retry'::job_status]) for the queue poll`,
      cost: `Each poll for due rows of "jobs" scans the table (or a full index that also holds every 'running'/'succeeded'/'failed' row), and the work grows with the finished rows, not with the backlog.`,
      instead:
        `Index "jobs" ("next_attempt_at") WHERE status = ANY (ARRAY['pending'::job_status, 'retry'::job_status]): it holds only the waiting rows in "next_attempt_at" order, so the poll reads the first due ones and stops. ` +
        'Prisma declares partial indexes only with the partialIndexes preview feature: add `previewFeatures = ["partialIndexes"]` to the generator and declare it with `@@index([...], where: raw("..."))`.',
      serves: `SELECT … FROM "jobs" WHERE status = ANY (ARRAY['pending'::job_status, 'retry'::job_status]) AND "next_attempt_at" <= now() ORDER BY "next_attempt_at" LIMIT 100 FOR UPDATE SKIP LOCKED`,
    });
    expect(job!.evidence).toEqual([
      '"jobs"."status" is enum JobStatus: PENDING (pending), RUNNING (running), RETRY (retry), SUCCEEDED (succeeded), FAILED (failed)',
      'pending values: pending, retry',
      '"jobs"."next_attempt_at" (DateTime) is the due time',
      'considered index "jobs_next_attempt_at_idx" ("next_attempt_at"): neither starts with ("status", "next_attempt_at") nor is partial on ("next_attempt_at")',
    ]);
  });

  it('validates options', () => {
    expect(rule.meta.validateOptions({ pendingValues: 'PENDING' })).toEqual(['pendingValues: expected a list of strings, got string "PENDING"']);
    expect(rule.meta.validateOptions(null)).toEqual(['options: expected an object, got null']);
  });

  it('corpus: the rule is quiet where no enum value looks pending (langfuse monitors)', () => {
    expect(runRule(rule, corpusSchema('langfuse__langfuse.prisma')).filter((p) => p.model === 'Monitor')).toEqual([]);
  });
});
