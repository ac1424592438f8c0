import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rule, type ArrayGinIndexOptions } from '../../src/rules/array-gin-index';
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

const F = 'array-gin.prisma';
const model = fixture(F);

function gin(table: string, column: string, field: string) {
  return {
    kind: 'index',
    table,
    columns: [{ column, field, opclass: 'array_ops', prismaOps: 'ArrayOps' }],
    method: 'gin',
    unique: false,
    include: [],
    extensions: [],
  };
}

const summarize = (found: Finding[]) => found.map((p) => [at(p.span), p.model, p.spec]);
const fields = (found: Finding[]) =>
  found.map((p) => `${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}`);

/** The opt-in mode: every qualifying field, not only /// @idxgen.gin ones (a guess from the type). */
const EVERY = { onlyAnnotated: false } as const;

describe('array-gin-index', () => {
  it('proposes GIN array_ops for scalar and enum lists without a GIN index (onlyAnnotated: false)', () => {
    // Not: blobs (Json[]), indexed (GIN exists), title / createdAt (not lists).
    expect(summarize(run(rule, model, EVERY))).toEqual([
      [`${F}:13:3`, 'Post', gin('Post', 'tags', 'tags')],
      [`${F}:14:3`, 'Post', gin('Post', 'score_list', 'scores')],
      [`${F}:15:3`, 'Post', gin('Post', 'roles', 'roles')],
      [`${F}:27:3`, 'Team', gin('Team', 'members', 'members')],
      [`${F}:28:3`, 'Team', gin('Team', 'labels', 'labels')],
    ]);
  });

  it('by default proposes only for /// @idxgen.gin fields, as asked for (request), and type-only picks are guesses', () => {
    const found = run(rule, model);
    expect(found.map((p) => `${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}`)).toEqual([
      'Team.members',
    ]);
    expect(found.map((p) => p.basis)).toEqual(['request']);
    expect(
      new Set(
        run(rule, model, EVERY)
          .filter((p) => `${p.model}.${p.spec.kind === 'index' ? p.spec.columns[0]!.field : ''}` !== 'Team.members')
          .map((p) => p.basis),
      ),
    ).toEqual(new Set(['guess']));
  });

  it.each([
    ['onlyAnnotated', { onlyAnnotated: true }, ['Team.members']],
    [
      'exclude a model (the annotation still wins)',
      { ...EVERY, exclude: ['Team'] },
      ['Post.tags', 'Post.scores', 'Post.roles', 'Team.members'],
    ],
    ['fields allow-list (plus annotated fields)', { fields: ['Post.roles'] }, ['Post.roles', 'Team.members']],
  ] as [string, Partial<ArrayGinIndexOptions>, string[]][])('option %s', (_name, options, expected) => {
    expect(fields(run(rule, model, options))).toEqual(expected);
  });

  it('says what it serves in Prisma terms and what it costs writes', () => {
    const scores = run(rule, model, EVERY)[1]!;
    expect(scores.message).toEqual({
      title: 'List field Post.scores has no GIN index for has / hasEvery / hasSome',
      cost: 'A filter on the elements of "score_list" reads all of "Post" today (a sequential scan: 197.6 ms on 1M rows in our measurement, 3.35 ms with the index). The index costs writes: GIN is updated on every INSERT and on every UPDATE of "score_list" (with fastupdate, entries wait in a pending list that VACUUM or an unlucky write flushes), and it stores one entry per distinct element per row.',
      instead:
        'Declare @@index([scores(ops: ArrayOps)], type: Gin) and build it CONCURRENTLY, if something filters "score_list" by its elements: it serves @>, <@, && and = (not isEmpty, and not has with a field reference, which compiles to = ANY).',
      serves:
        'SELECT … FROM "Post" WHERE "score_list" @> ARRAY[$1] (Prisma: has, hasEvery) or "score_list" && ARRAY[$1, $2] (hasSome)',
    });
    expect(scores.evidence.slice(0, 3)).toEqual([
      'Post.scores is Int[] (a scalar list)',
      'no GIN index on "score_list" (indexes: "Post_pkey", "Post_indexed_idx")',
      'every scalar list is considered because onlyAnnotated is false (a guess from the type: info at most)',
    ]);
    expect(run(rule, model, EVERY)[2]!.evidence[0]).toBe('Post.roles is Role[] (an enum list)');
  });

  it('no proposal without lists', () => {
    expect(run(rule, load(schema('model T {\n  id Int @id\n  tag String\n}')))).toEqual([]);
  });

  it('diagnoses fields entries that name nothing or a field that is not a scalar list', () => {
    expect(
      diagnose(rule, model, { fields: ['Post.nope', 'Post.blobs', 'Post.title', 'Post.tags'] }).map((d) => [
        d.message,
        d.span ? at(d.span) : undefined,
      ]),
    ).toEqual([
      ['array-gin-index: fields names "Post.nope", which is not a field of a table in this schema', undefined],
      ['array-gin-index: fields names "Post.blobs", which is Json[], not a scalar list', `${F}:16:3`],
      ['array-gin-index: fields names "Post.title", which is String, not a scalar list', `${F}:18:3`],
    ]);
  });

  it.each([
    [{ onlyAnnotated: 1 }, ['onlyAnnotated: expected true or false, got 1']],
    [{ exclude: [3] }, ['exclude[0]: expected "Model or Model.field", got 3']],
    [null, ['options: expected an object']],
  ] as [unknown, string[]][])('validateOptions(%j)', (options, problems) => {
    expect(rule.meta.validateOptions(options)).toEqual(problems);
  });

  it('on the corpus: lists of tables only, skipping those that have a GIN index (trigger.dev TaskRun.runTags)', () => {
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
        expect(column.list).toBe(true);
        expect(column.type).not.toBe('Json');
      }
      if (file.startsWith('triggerdotdev')) {
        expect(fields(found)).toContain('TaskRun.realtimeStreams');
        expect(fields(found)).not.toContain('TaskRun.runTags'); // @@index([runTags(ops: ArrayOps)], type: Gin)
      }
    }
    expect(counts).toEqual({
      'amplication__amplication.prisma': 2,
      'boxyhq__saas-starter-kit.prisma': 2,
      'civitai__civitai.prisma': 38,
      'hoppscotch__hoppscotch.prisma': 0,
      'jitsucom__jitsu.prisma': 1,
      'langfuse__langfuse.prisma': 18,
      'teableio__teable.prisma': 0,
      'triggerdotdev__trigger.dev.prisma': 15,
      'umami-software__umami.prisma': 0,
    });
  });
});

describe('array-gin-index on real PostgreSQL', () => {
  const db = testDatabase('array_gin');

  it('every proposed index builds with its operator class on the table Prisma creates', async () => {
    const ddl = await schemaFromEmptySql([{ path: F, content: fixtureText(F) }]);
    if (!ddl.ok) throw new Error(ddl.reason);
    await db.client.query(ddl.value);
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
