import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rule, type JsonGinIndexOptions } from '../../src/rules/json-gin-index';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import {
  CORPUS,
  at,
  diagnose,
  fixture,
  fixtureText,
  load,
  probeCreateIndex,
  run,
  schema,
  type Finding,
} from '../support/rules2';
import { testDatabase } from '../support/pg';

const F = 'json-gin.prisma';
const model = fixture(F);

function gin(table: string, column: string, field: string) {
  return {
    kind: 'index',
    table,
    columns: [{ column, field, opclass: 'jsonb_path_ops', prismaOps: 'JsonbPathOps' }],
    method: 'gin',
    unique: false,
    include: [],
    extensions: [],
  };
}

const summarize = (found: Finding[]) => found.map((p) => [at(p.span), p.model, p.spec]);

/** The opt-in mode: every qualifying field, not only /// @idxgen.gin ones (a guess from the type). */
const EVERY = { onlyAnnotated: false } as const;

describe('json-gin-index', () => {
  it('proposes GIN jsonb_path_ops for every jsonb field without a GIN index (onlyAnnotated: false)', () => {
    // Not: legacy (@db.Json is json: GIN needs jsonb), indexed / pathOps (a GIN index exists,
    // jsonb_ops or jsonb_path_ops), list (Json[]), Hidden (@@ignore).
    expect(summarize(run(rule, model, EVERY))).toEqual([
      [`${F}:8:3`, 'Event', gin('Event', 'payload', 'payload')],
      [`${F}:9:3`, 'Event', gin('Event', 'meta', 'meta')],
      [`${F}:23:3`, 'Audit', gin('audit_log', 'the"diff', 'diff')],
      [`${F}:24:3`, 'Audit', gin('audit_log', 'data', 'data')],
    ]);
  });

  it('by default proposes only for /// @idxgen.gin fields, as asked for (request), and type-only picks are guesses', () => {
    const found = run(rule, model);
    expect(found.map((p) => `${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}`)).toEqual([
      'Audit.diff',
    ]);
    expect(found.map((p) => p.basis)).toEqual(['request']);
    expect(
      new Set(
        run(rule, model, EVERY)
          .filter((p) => `${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}` !== 'Audit.diff')
          .map((p) => p.basis),
      ),
    ).toEqual(new Set(['guess']));
  });

  it('a field named in `fields` is asked for even with the default onlyAnnotated: true', () => {
    const found = run(rule, model, { fields: ['Event.payload'] });
    expect(
      found.map((p) => [`${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}`, p.basis]),
    ).toEqual([
      ['Event.payload', 'request'],
      ['Audit.diff', 'request'],
    ]);
  });

  it.each([
    ['onlyAnnotated', { onlyAnnotated: true }, ['Audit.diff']],
    [
      'exclude a model (the annotation still wins)',
      { ...EVERY, exclude: ['Audit'] },
      ['Event.payload', 'Event.meta', 'Audit.diff'],
    ],
    ['exclude a field', { ...EVERY, exclude: ['Event.meta'] }, ['Event.payload', 'Audit.diff', 'Audit.data']],
    ['fields allow-list (plus annotated fields)', { fields: ['Event.meta'] }, ['Event.meta', 'Audit.diff']],
  ] as [string, Partial<JsonGinIndexOptions>, string[]][])('option %s', (_name, options, expected) => {
    expect(
      run(rule, model, options).map((p) => `${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}`),
    ).toEqual(expected);
  });

  it('says what the read costs, what the index costs writes, and the declaration, with real quoted names', () => {
    const diff = run(rule, model, EVERY).find((p) => p.model === 'Audit')!;
    expect(diff.message).toEqual({
      title: 'Json field Audit.diff has no GIN index for @> containment',
      cost: 'A containment filter on "the""diff" reads all of "audit_log" today (a sequential scan: 180.7 ms on 1M rows in our measurement, 2.66 ms with the index). The index costs writes: GIN is updated on every INSERT and on every UPDATE of "the""diff" (with fastupdate, entries wait in a pending list, up to gin_pending_list_limit = 4 MB by default, that VACUUM or an unlucky write flushes), and it takes disk in proportion to the keys and values stored.',
      instead:
        'Declare @@index([diff(ops: JsonbPathOps)], type: Gin) (with the ops argument, or Prisma sees drift) and build it CONCURRENTLY, if something filters "the""diff" by containment: jsonb_path_ops serves @>, @? and @@ only (key existence ?, ?|, ?& needs the default jsonb_ops, and Prisma\'s path + equals filters extract a value and use neither).',
      serves:
        'SELECT … FROM "audit_log" WHERE "the""diff" @> \'{"key": "value"}\' (Prisma: array_contains, or raw SQL)',
    });
    expect(diff.evidence.slice(0, 3)).toEqual([
      'Audit.diff is Json (jsonb by default)',
      'no GIN index on "the""diff" (indexes: "audit_log_pkey")',
      'requested by /// @idxgen.gin on Audit.diff',
    ]);
    const meta = run(rule, model, EVERY)[1]!;
    expect(meta.evidence.slice(0, 3)).toEqual([
      'Event.meta is Json (@db.JsonB)',
      'no GIN index on "meta" (indexes: "Event_pkey", "Event_indexed_idx", "Event_path_ops_idx")',
      'every jsonb field is considered because onlyAnnotated is false (a guess from the type: info at most)',
    ]);
  });

  it('no proposal for a table without Json fields', () => {
    expect(run(rule, load(schema('model T {\n  id Int @id\n  name String\n}')))).toEqual([]);
  });

  it('diagnoses fields entries that name nothing or a field it cannot index', () => {
    const problems = diagnose(rule, model, {
      fields: ['Event.nope', 'Event.legacy', 'Event.name', 'Nope.data', 'Hidden.data', 'Event.payload'],
    });
    expect(problems.map((d) => [d.message, d.span ? at(d.span) : undefined])).toEqual([
      ['json-gin-index: fields names "Event.nope", which is not a field of a table in this schema', undefined],
      ['json-gin-index: fields names "Nope.data", which is not a field of a table in this schema', undefined],
      ['json-gin-index: fields names "Hidden.data", which is not a field of a table in this schema', undefined],
      ['json-gin-index: fields names "Event.legacy", which is @db.Json (json): GIN needs jsonb', `${F}:10:3`],
      ['json-gin-index: fields names "Event.name", which is String, not Json', `${F}:14:3`],
    ]);
  });

  it.each([
    [{ onlyAnnotated: 'yes' }, ['onlyAnnotated: expected true or false, got "yes"']],
    [{ fields: 'Event.payload' }, ['fields: expected a list of "Model.field" strings']],
    [{ fields: ['Event'] }, ['fields[0]: expected "Model.field", got "Event"']],
    [
      { ...EVERY, exclude: ['Event', 'Event.payload', 'a.b.c'] },
      ['exclude[2]: expected "Model or Model.field", got "a.b.c"'],
    ],
    [{ field: [] }, ['field: unknown option (did you mean "fields"?) (known: fields, exclude, onlyAnnotated)']],
  ] as [unknown, string[]][])('validateOptions(%j)', (options, problems) => {
    expect(rule.meta.validateOptions(options)).toEqual(problems);
  });

  it('on the corpus: one proposal per jsonb field of a table that has no GIN index on it', () => {
    const counts: Record<string, number> = {};
    for (const file of readdirSync(CORPUS)
      .filter((f) => f.endsWith('.prisma'))
      .sort()) {
      const m = load(readFileSync(join(CORPUS, file), 'utf8'), file);
      const found = run(rule, m, EVERY);
      counts[file] = found.length;
      for (const p of found) {
        const spec = p.spec;
        if (spec.kind !== 'index') throw new Error('not an index');
        const column = m.tables
          .find((t) => t.name === spec.table)!
          .columns.find((c) => c.name === spec.columns[0]!.column)!;
        expect(column.type).toBe('Json');
        expect(column.list).toBe(false);
        expect(column.nativeType?.name).not.toBe('Json');
      }
    }
    // amplication: 12 Json fields, Resource.properties already has a GIN index. langfuse: 59, five
    // are @db.Json. The rest: every Json field (their SOURCES.tsv json_field_count).
    expect(counts).toEqual({
      'amplication__amplication.prisma': 11,
      'boxyhq__saas-starter-kit.prisma': 1,
      'civitai__civitai.prisma': 107,
      'hoppscotch__hoppscotch.prisma': 23,
      'jitsucom__jitsu.prisma': 14,
      'langfuse__langfuse.prisma': 54,
      'teableio__teable.prisma': 0,
      'triggerdotdev__trigger.dev.prisma': 84,
      'umami-software__umami.prisma': 5,
    });
  });

  it('on the corpus, sanity: langfuse skips its @db.Json columns and proposes for a jsonb one', () => {
    const m = load(readFileSync(join(CORPUS, 'langfuse__langfuse.prisma'), 'utf8'));
    const fields = run(rule, m, EVERY).map(
      (p) => `${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}`,
    );
    expect(fields).not.toContain('Dataset.inputSchema'); // @db.Json
    expect(fields).not.toContain('Prompt.config'); // @db.Json
    expect(fields).toContain('PricingTier.conditions'); // @db.JsonB
  });
});

describe('json-gin-index on real PostgreSQL', () => {
  const db = testDatabase('json_gin');

  it('every proposed index builds with its operator class on the table Prisma creates', async () => {
    const ddl = await schemaFromEmptySql([{ path: F, content: fixtureText(F) }]);
    if (!ddl.ok) throw new Error(ddl.reason);
    await db.client.query(ddl.value.replaceAll('"the"diff"', '"the""diff"'));
    const found = run(rule, model, EVERY);
    for (const [i, p] of found.entries()) {
      if (p.spec.kind !== 'index') throw new Error('not an index');
      await db.client.query(probeCreateIndex(p.spec, `probe_${i}`));
    }
    const { rows } = await db.client.query(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE indexname LIKE 'probe\\_%'`,
    );
    expect(rows[0].n).toBe(found.length);
  });
});
