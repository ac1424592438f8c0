import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { rule } from '../../src/rules/trigram-index';
import {
  CORPUS,
  at,
  diagnose,
  fixture,
  fixtureText,
  load,
  probeCreateIndex,
  run,
  type Finding,
} from '../support/rules2';
import { testDatabase } from '../support/pg';

const F = 'trigram.prisma';
const model = fixture(F);

function trgm(table: string, column: string, field: string) {
  return {
    kind: 'index',
    table,
    columns: [{ column, field, opclass: 'gin_trgm_ops' }],
    method: 'gin',
    unique: false,
    include: [],
    extensions: ['pg_trgm'],
  };
}

const summarize = (found: Finding[]) => found.map((p) => [at(p.span), p.model, p.spec]);

describe('trigram-index', () => {
  it('proposes only for /// @idxgen.trigram fields without a trigram index', () => {
    // Not: email (not asked for), nickname (gin_trgm_ops index exists), Product (not asked for).
    expect(summarize(run(rule, model))).toEqual([
      [`${F}:9:3`, 'User', trgm('User', 'name', 'name')],
      [`${F}:11:3`, 'User', trgm('User', 'user"handle', 'handle')],
      [`${F}:14:3`, 'User', trgm('User', 'bio', 'bio')],
    ]);
  });

  it('also for fields listed in the fields option', () => {
    expect(run(rule, model, { fields: ['Product.title', 'User.name'] }).map((p) => [at(p.span), p.model])).toEqual([
      [`${F}:9:3`, 'User'],
      [`${F}:11:3`, 'User'],
      [`${F}:14:3`, 'User'],
      [`${F}:23:3`, 'Product'],
    ]);
  });

  it('says the extension is needed and how Prisma can manage it', () => {
    const [name] = run(rule, model);
    expect(name!.message).toEqual({
      title: "String field User.name has no trigram index for ILIKE '%term%'",
      cost: 'A search with a leading wildcard on "name" cannot use a btree index, so each one reads all of "User" today. The trigram index is not small (each value adds an entry per three-character window) and is updated on every INSERT and on every UPDATE of "name". Search terms shorter than three characters gain little from it.',
      instead:
        'Declare @@index([name(ops: raw("gin_trgm_ops"))], type: Gin) and build it CONCURRENTLY. The migration needs CREATE EXTENSION IF NOT EXISTS pg_trgm first. To let Prisma manage it, enable the postgresqlExtensions preview feature and add extensions = [pg_trgm] to the datasource.',
      serves: `SELECT … FROM "User" WHERE "name" ILIKE '%term%' (Prisma: contains / startsWith / endsWith, with or without mode: 'insensitive')`,
    });
    expect(name!.evidence).toEqual([
      'requested by /// @idxgen.trigram on User.name',
      'User.name is String',
      'no trigram index on "name"',
      'datasource extensions do not include pg_trgm',
    ]);
  });

  it('notes when the datasource already declares pg_trgm', () => {
    const m = load(
      [
        'generator client {',
        '  provider        = "prisma-client-js"',
        '  previewFeatures = ["postgresqlExtensions"]',
        '}',
        'datasource db {',
        '  provider   = "postgresql"',
        '  extensions = [pg_trgm]',
        '}',
        'model User {',
        '  id   Int    @id',
        '  /// @idxgen.trigram',
        '  name String @db.Citext',
        '}',
      ].join('\n'),
    );
    const [p] = run(rule, m);
    expect(p!.message.instead).toBe(
      'Declare @@index([name(ops: raw("gin_trgm_ops"))], type: Gin) and build it CONCURRENTLY. Pg_trgm is already listed in the datasource extensions, so Prisma creates it.',
    );
    expect(p!.evidence[1]).toBe('User.name is String @db.Citext');
  });

  it('diagnoses fields entries that name nothing or a field gin_trgm_ops cannot index', () => {
    expect(
      diagnose(rule, model, { fields: ['Product.stock', 'Product.nope', 'User.email'] }).map((d) => [
        d.message,
        d.span ? at(d.span) : undefined,
      ]),
    ).toEqual([
      ['trigram-index: fields names "Product.nope", which is not a field of a table in this schema', undefined],
      [
        'trigram-index: fields names "Product.stock", which is Int; gin_trgm_ops indexes String fields (text, varchar, citext)',
        `${F}:25:3`,
      ],
    ]);
  });

  it.each([
    [{ fields: ['User.name'] }, []],
    [{ fields: 'User.name' }, ['fields: expected a list of "Model.field" strings']],
    [{ onlyAnnotated: true }, ['onlyAnnotated: unknown option (known: fields)']],
  ] as [unknown, string[]][])('validateOptions(%j)', (options, problems) => {
    expect(rule.meta.validateOptions(options)).toEqual(problems);
  });

  it('on the corpus: nothing unless asked', () => {
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.prisma'))) {
      expect(run(rule, load(readFileSync(join(CORPUS, file), 'utf8'), file))).toEqual([]);
    }
  });
});

describe('trigram-index on real PostgreSQL', () => {
  const db = testDatabase('trigram_index');

  it('the proposed operator class builds on text, varchar and a quoted column name, after CREATE EXTENSION', async () => {
    const ddl = await schemaFromEmptySql([{ path: F, content: fixtureText(F) }]);
    if (!ddl.ok) throw new Error(ddl.reason);
    // Prisma's engine does not double a `"` inside an @map name (FACTS.md), and it needs pg_trgm
    // for the declared nickname index.
    await db.client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await db.client.query(ddl.value.replaceAll('"user"handle"', '"user""handle"'));
    for (const [i, p] of run(rule, model).entries()) {
      if (p.spec.kind !== 'index') throw new Error('not an index');
      await db.client.query(probeCreateIndex(p.spec, `trgm_probe_${i}`));
    }
    const plan = await db.client.query<{ 'QUERY PLAN': string }>(
      `SET enable_seqscan = off; EXPLAIN SELECT * FROM "User" WHERE "name" ILIKE '%abc%'`,
    );
    const lines = (Array.isArray(plan) ? plan[1] : plan).rows
      .map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'])
      .join('\n');
    expect(lines).toContain('trgm_probe_0');
  });
});
