import { rule } from '../../src/rules/queue-partial-index';
import { corpusSchema, fixture, ruleTester, runRule, schema } from '../support/rules';

ruleTester(rule, {
  valid: [
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
      name: "a partial index led by the due time already serves the poll (its predicate is the user's)",
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
      name: 'a pending enum value containing ";" is fine: no enum value is written into the SQL',
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
      expected: [{ table: 'Job', columns: ['status', 'runAt'], line: 13, column: 1 }],
    },
    {
      name: 'fixture: mapped enum values, one pending value, no pending value, already indexed',
      schema: fixture('queue-partial-index.prisma'),
      expected: [
        { table: 'jobs', columns: ['status', 'next_attempt_at'], line: 33, column: 1 },
        { table: 'Post', columns: ['state', 'scheduledPublishAt'], line: 44, column: 1 },
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
      expected: [{ table: 'Cat', columns: ['phase', 'wakeAt'], line: 14, column: 1 }],
    },
    {
      name: 'mixed-case column and enum, reserved-word column, lower-case mapped enum',
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
        { table: 'Job', columns: ['jobState', 'runAt'], line: 18, column: 1 },
        { table: 'Task', columns: ['user', 'when'], line: 23, column: 1 },
      ],
    },
    {
      name: 'multiSchema: enums in another schema and in public',
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
        { table: 'Job', columns: ['status', 'runAt'], line: 22, column: 1 },
        { table: 'Mail', columns: ['status', 'runAt'], line: 29, column: 1 },
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
      columns: [
        { column: 'status', field: 'status' },
        { column: 'next_attempt_at', field: 'nextAttemptAt' },
      ],
      method: 'btree',
      unique: false,
      include: [],
      extensions: [],
    });
    expect(job!.spec).not.toHaveProperty('where');
    expect(job!.message).toEqual({
      title: 'Index "jobs" ("status", "next_attempt_at") for the queue poll',
      cost: `Each poll for due rows of "jobs" scans the table, and the work grows with the 'running'/'succeeded'/'failed' rows, not with the backlog.`,
      instead:
        'Index "jobs" ("status", "next_attempt_at"): the poll reads only the waiting rows of each pending status and sorts the due ones. ' +
        'Not a partial index on "status": an enum constant in an index predicate breaks the migration Prisma writes to remove an enum value.',
      serves: `SELECT … FROM "jobs" WHERE "status" IN ('pending', 'retry') AND "next_attempt_at" <= now() ORDER BY "next_attempt_at" LIMIT 100 FOR UPDATE SKIP LOCKED`,
    });
    expect(job!.evidence).toEqual([
      '"jobs"."status" is enum JobStatus: PENDING (pending), RUNNING (running), RETRY (retry), SUCCEEDED (succeeded), FAILED (failed)',
      'pending values: pending, retry',
      '"jobs"."next_attempt_at" (DateTime) is the due time',
      'considered index "jobs_next_attempt_at_idx" ("next_attempt_at"): neither starts with ("status", "next_attempt_at") nor is partial on ("next_attempt_at")',
    ]);
  });

  it('validates options', () => {
    expect(rule.meta.validateOptions({ pendingValues: 'PENDING' })).toEqual([
      'pendingValues: expected a list of strings, got string "PENDING"',
    ]);
    expect(rule.meta.validateOptions(null)).toEqual(['options: expected an object, got null']);
  });

  it('corpus: the rule is quiet where no enum value looks pending (langfuse monitors)', () => {
    expect(runRule(rule, corpusSchema('langfuse__langfuse.prisma')).filter((p) => p.model === 'Monitor')).toEqual([]);
  });
});
