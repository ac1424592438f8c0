import { nameWords, rule } from '../../src/rules/unique-key';
import { corpusSchema, fixture, ruleTester, runRule, schema } from '../support/rules';

ruleTester(rule, {
  valid: [
    {
      name: 'key already @unique',
      schema: schema(`
model Payment {
  id             Int    @id
  idempotencyKey String @unique
}`),
    },
    {
      name: 'key is the primary key',
      schema: schema(`
model ProcessedEvent {
  eventId String @id
}`),
    },
    {
      name: 'a Json or list field with a key name is not a key',
      schema: schema(`
model Payment {
  id             Int      @id
  idempotencyKey Json
  requestId      String[]
}`),
    },
  ],
  invalid: [
    {
      name: 'fixture: plain index does not count, ingest tables, scoped keys, FKs, logs, partitioned shape',
      schema: fixture('unique-key.prisma'),
      expected: [
        { table: 'payments', columns: ['idempotency_key'], unique: true, line: 12, column: 3 },
        { table: 'payments', columns: ['requestId'], unique: true, line: 14, column: 3 },
        { table: 'WebhookInbox', columns: ['eventId'], unique: true, line: 23, column: 3 },
        { table: 'BlogPost', columns: ['dedupeKey'], unique: true, line: 72, column: 3 },
      ],
    },
    {
      name: 'options: fields, ingestFields, ingestTables, excludeTables',
      options: { fields: ['nonce'], ingestFields: ['externalId'], ingestTables: ['feed'], excludeTables: [] },
      schema: schema(`
model Charge {
  id        Int    @id
  nonce     String
  requestId String
}
model FeedItem {
  id         Int    @id
  externalId BigInt
}
model AuditLog {
  id    Int    @id
  nonce String
}`),
      expected: [
        { table: 'Charge', columns: ['nonce'], unique: true, line: 11, column: 3 },
        { table: 'FeedItem', columns: ['externalId'], unique: true, line: 16, column: 3 },
        { table: 'AuditLog', columns: ['nonce'], unique: true, line: 20, column: 3 },
      ],
    },
  ],
});

describe('unique-key details', () => {
  it('a plain index ending with the key scopes it: unique on the index columns', () => {
    const found = runRule(
      rule,
      schema(`
model BulkAction {
  id            Int     @id
  environmentId Int     @map("environment_id")
  kind          String
  dedupeKey     String?

  @@index([environmentId, kind, dedupeKey])
}`),
    );
    expect(found).toHaveLength(1);
    const p = found[0]!;
    expect(p.spec).toEqual({
      kind: 'index',
      table: 'BulkAction',
      columns: [
        { column: 'environment_id', field: 'environmentId' },
        { column: 'kind', field: 'kind' },
        { column: 'dedupeKey', field: 'dedupeKey' },
      ],
      method: 'btree',
      unique: true,
      include: [],
      extensions: [],
    });
    expect(p.span.line).toBe(13);
    expect(p.message.title).toBe(
      '"BulkAction"."dedupeKey" looks like an idempotency key scoped by ("environment_id", "kind") but is not unique',
    );
    expect(p.message.instead).toBe(
      'Create a UNIQUE index on "BulkAction" ("environment_id", "kind", "dedupeKey") (`@@unique([environmentId, kind, dedupeKey])` in Prisma), which fails while duplicates exist, ' +
        'so find them first with SELECT "environment_id", "kind", "dedupeKey", count(*) FROM "BulkAction" WHERE "environment_id" IS NOT NULL AND "kind" IS NOT NULL AND "dedupeKey" IS NOT NULL ' +
        'GROUP BY "environment_id", "kind", "dedupeKey" HAVING count(*) > 1',
    );
    expect(p.message.serves).toBe(
      'INSERT INTO "BulkAction" ("environment_id", "kind", "dedupeKey", …) VALUES ($1, $2, $3, …) ON CONFLICT ("environment_id", "kind", "dedupeKey") DO NOTHING',
    );
    expect(p.evidence[2]).toBe(
      'considered index "BulkAction_environment_id_kind_dedupeKey_idx" ("environment_id", "kind", "dedupeKey"): not unique, and it scopes the key: proposed unique on its columns',
    );
  });

  it('gives the exact spec and message, with the query that finds duplicates', () => {
    const [p] = runRule(rule, fixture('unique-key.prisma'));
    expect(p!.spec).toEqual({
      kind: 'index',
      table: 'payments',
      columns: [{ column: 'idempotency_key', field: 'idempotencyKey' }],
      method: 'btree',
      unique: true,
      include: [],
      extensions: [],
    });
    expect(p!.message).toEqual({
      title: '"payments"."idempotency_key" looks like an idempotency key but is not unique',
      cost: 'A retried request or redelivered message inserts a second row with the same "idempotency_key" and is processed twice: a check-then-insert in application code races with the retry.',
      instead:
        'Create a UNIQUE index on "payments" ("idempotency_key") (`@unique` in Prisma), which fails while duplicates exist, so find them first with ' +
        'SELECT "idempotency_key", count(*) FROM "payments" WHERE "idempotency_key" IS NOT NULL GROUP BY "idempotency_key" HAVING count(*) > 1',
      serves: 'INSERT INTO "payments" ("idempotency_key", …) VALUES ($1, …) ON CONFLICT ("idempotency_key") DO NOTHING',
    });
    expect(p!.evidence).toEqual([
      '"payments"."idempotency_key" (String): idempotency/dedupe key name',
      'no unique constraint or primary key includes it',
      'considered index "payments_idempotency_key_idx" ("idempotency_key"): not unique',
    ]);
    expect(p!.message.instead).not.toContain(';');
  });

  it('splits model names into words', () => {
    expect(nameWords('WebhookDelivery')).toEqual(['webhook', 'delivery']);
    expect(nameWords('audit_logs')).toEqual(['audit', 'logs']);
    expect(nameWords('HTTPRequestLog')).toEqual(['http', 'request', 'log']);
    expect(nameWords('BlogPost')).toEqual(['blog', 'post']);
  });

  it('trigger.dev: scoped idempotency keys (composite uniques) and the partitioned WebhookDelivery are left alone', () => {
    const found = runRule(rule, corpusSchema('triggerdotdev__trigger.dev.prisma'));
    expect(found.filter((p) => p.model === 'WebhookDelivery' || p.model === 'TaskRun')).toEqual([]);
  });

  it('validates options', () => {
    expect(rule.meta.validateOptions({ fields: [''] })).toEqual([
      'fields[0]: expected a non-empty string, got string ""',
    ]);
  });
});
