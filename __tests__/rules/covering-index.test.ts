import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { rule, type CoveringIndexOptions } from '../../src/rules/covering-index';
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

const F = 'covering.prisma';
const model = fixture(F);
const LINE: CoveringIndexOptions = {
  indexes: [{ model: 'Line', columns: ['orderId', 'sku desc'], include: ['price'] }],
};

const summarize = (found: Finding[]) => found.map((p) => [at(p.span), p.model, p.spec]);

describe('covering-index', () => {
  it('proposes the requested btree ... INCLUDE, with database names and sort orders', () => {
    expect(summarize(run(rule, model))).toEqual([
      [
        `${F}:8:1`,
        'Order',
        {
          kind: 'index',
          table: 'orders',
          columns: [
            { column: 'customer_id', field: 'customerId' },
            { column: 'created_at', field: 'createdAt', sort: 'desc' },
          ],
          method: 'btree',
          unique: false,
          include: ['total', 'status'],
          extensions: [],
        },
      ],
    ]);
  });

  it('warns loudly that Prisma treats it as drift, and names the declarable alternative', () => {
    const [p] = run(rule, model);
    expect(p!.message).toEqual({
      title:
        'Covering index requested on Order ("customer_id", "created_at" DESC) INCLUDE ("total", "status"), which Prisma will treat as drift',
      cost: 'Without it, a read that finds rows of "orders" by ("customer_id", "created_at" DESC) and returns "total", "status" visits the table heap for every row found. With INCLUDE it can be an index-only scan (once VACUUM has marked the pages all-visible).',
      instead:
        'WARNING: Prisma cannot declare INCLUDE columns: the index exists only in migration.sql and Prisma treats it as drift (the next prisma migrate dev writes a migration that drops it). Keep it only if you apply migrations with migrate deploy and re-create it whenever migrate dev drops it — otherwise declare @@index([customerId, createdAt(sort: Desc), total, status]) instead, which Prisma manages and which serves the same index-only scans with a wider key.',
      serves:
        'SELECT "customer_id", "created_at", "total", "status" FROM "orders" WHERE "customer_id" = $1 ORDER BY "created_at" DESC LIMIT 20',
    });
    expect(p!.evidence.slice(0, 3)).toEqual([
      'requested by /// @idxgen.covering(customerId, createdAt desc include total, status) on model Order',
      'key ("customer_id", "created_at" DESC) INCLUDE ("total", "status") on "orders"',
      'existing "orders_customer_id_created_at_idx" has the same key columns: the covering index serves every read it serves, so it could then be dropped (Prisma would see that as drift too)',
    ]);
  });

  it('takes requests from the indexes option too, and proposes a request made twice once', () => {
    const options: CoveringIndexOptions = {
      indexes: [
        ...LINE.indexes,
        { model: 'Order', columns: ['customerId', 'createdAt desc'], include: ['total', 'status'] },
      ],
    };
    const found = run(rule, model, options);
    expect(found.map((p) => [at(p.span), p.model, p.spec.kind === 'index' ? p.spec.include : []])).toEqual([
      [`${F}:8:1`, 'Order', ['total', 'status']],
      [`${F}:19:1`, 'Line', ['price']],
    ]);
    expect(found[1]!.evidence[0]).toBe('requested by option indexes[0]');
    expect(found[1]!.evidence[2]).toBe('no existing btree index has these key columns');
    expect(found[1]!.message.serves).toBe(
      'SELECT "orderId", "sku", "price" FROM "Line" WHERE "orderId" = $1 ORDER BY "sku" DESC LIMIT 20',
    );
  });

  it('proposes nothing without a request', () => {
    expect(
      run(
        rule,
        load(
          'datasource db {\n  provider = "postgresql"\n}\nmodel T {\n  id Int @id\n  a Int\n  b Int\n  @@index([a])\n}',
        ),
      ),
    ).toEqual([]);
  });

  it('diagnoses option requests it cannot resolve, and leaves them out', () => {
    const options: CoveringIndexOptions = {
      indexes: [
        { model: 'Orders', columns: ['customerId'], include: ['total'] },
        { model: 'Line', columns: ['orderID', 'sku'], include: ['sku', 'prise'] },
      ],
    };
    expect(diagnose(rule, model, options).map((d) => d.message)).toEqual([
      'covering-index: indexes[0]: unknown model "Orders" (did you mean "Order"?)',
      'covering-index: indexes[1] (model Line): unknown field "orderID" (did you mean "orderId"?); sku is listed twice; unknown field "prise" (did you mean "price"?)',
    ]);
    expect(run(rule, model, options)).toHaveLength(1);
  });

  it.each([
    [LINE, []],
    [{ indexes: {} }, ['indexes: expected a list of { model, columns, include }']],
    [
      { indexes: [{ model: 'Line', columns: [] }] },
      [
        'indexes[0].columns: expected a non-empty list of field names (optionally "field desc")',
        'indexes[0].include: expected a non-empty list of field names',
      ],
    ],
    [
      { indexes: [{ model: 'Line', columns: ['a sideways'], include: ['b desc'], where: 'x' }] },
      [
        'indexes[0].where: unknown key (known: model, columns, include)',
        'indexes[0].columns[0]: expected field names (optionally "field desc"), got "a sideways"',
        'indexes[0].include[0]: expected field names, got "b desc"',
      ],
    ],
    [{ indexes: [7] }, ['indexes[0]: expected { model, columns, include }']],
  ] as [unknown, string[]][])('validateOptions(%j)', (options, problems) => {
    expect(rule.meta.validateOptions(options)).toEqual(problems);
  });

  it('on the corpus: nothing unless asked', () => {
    for (const file of readdirSync(CORPUS).filter((f) => f.endsWith('.prisma'))) {
      expect(run(rule, load(readFileSync(join(CORPUS, file), 'utf8'), file))).toEqual([]);
    }
  });
});

describe('covering-index on real PostgreSQL', () => {
  const db = testDatabase('covering_index');

  it('the proposed key and INCLUDE lists build, and the read it serves becomes an index-only scan', async () => {
    const ddl = await schemaFromEmptySql([{ path: F, content: fixtureText(F) }]);
    if (!ddl.ok) throw new Error(ddl.reason);
    await db.client.query(ddl.value);
    for (const [i, p] of run(rule, model, LINE).entries()) {
      if (p.spec.kind !== 'index') throw new Error('not an index');
      await db.client.query(probeCreateIndex(p.spec, `covering_probe_${i}`));
    }
    await db.client.query(
      `INSERT INTO "orders" SELECT g, g % 50, now() - g * interval '1 minute', g, 'paid' FROM generate_series(1, 5000) g`,
    );
    await db.client.query('VACUUM ANALYZE "orders"');
    const [p] = run(rule, model);
    const plan = await db.client.query(`EXPLAIN ${p!.message.serves!.replace('$1', '7')}`);
    expect(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')).toContain(
      'Index Only Scan using covering_probe_0',
    );
  });
});
