import {
  diffSnapshots,
  listCheckConstraints,
  listForeignKeyCoverage,
  listIndexes,
  listUnindexedForeignKeys,
  snapshot,
} from '../../src/db/catalog';
import { applyMigrationSql } from '../../src/db/apply';
import { testDatabase } from '../support/pg';

const db = testDatabase('catalog');

// One table per case; the FK under test is always named "<table>_fk".
const FIXTURE = `
CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE parent2 (a int, b int, PRIMARY KEY (a, b));

CREATE TABLE single_cov (id int PRIMARY KEY, pid int CONSTRAINT single_cov_fk REFERENCES parent);
CREATE INDEX single_cov_pid_idx ON single_cov (pid);

CREATE TABLE single_unc (id int PRIMARY KEY, pid int CONSTRAINT single_unc_fk REFERENCES parent);

CREATE TABLE single_second (id int PRIMARY KEY, x int, pid int CONSTRAINT single_second_fk REFERENCES parent);
CREATE INDEX single_second_x_pid_idx ON single_second (x, pid);

CREATE TABLE comp_sep (id int PRIMARY KEY, a int, b int, CONSTRAINT comp_sep_fk FOREIGN KEY (a, b) REFERENCES parent2);
CREATE INDEX comp_sep_a_idx ON comp_sep (a);
CREATE INDEX comp_sep_b_idx ON comp_sep (b);

CREATE TABLE comp_bac (id int PRIMARY KEY, a int, b int, c int, CONSTRAINT comp_bac_fk FOREIGN KEY (a, b) REFERENCES parent2);
CREATE INDEX comp_bac_b_a_c_idx ON comp_bac (b, a, c);

CREATE TABLE comp_acb (id int PRIMARY KEY, a int, b int, c int, CONSTRAINT comp_acb_fk FOREIGN KEY (a, b) REFERENCES parent2);
CREATE INDEX comp_acb_a_c_b_idx ON comp_acb (a, c, b);

CREATE TABLE pk_lead (pid int CONSTRAINT pk_lead_fk REFERENCES parent, n int, PRIMARY KEY (pid, n));

CREATE TABLE pk_second (n int, pid int CONSTRAINT pk_second_fk REFERENCES parent, PRIMARY KEY (n, pid));

CREATE TABLE incl_only (id int PRIMARY KEY, x int, pid int CONSTRAINT incl_only_fk REFERENCES parent);
CREATE INDEX incl_only_x_idx ON incl_only (x) INCLUDE (pid);

CREATE TABLE comp_incl (id int PRIMARY KEY, a int, b int, CONSTRAINT comp_incl_fk FOREIGN KEY (a, b) REFERENCES parent2);
CREATE INDEX comp_incl_a_idx ON comp_incl (a) INCLUDE (b);

CREATE TABLE partial_nn (id int PRIMARY KEY, "author Id" int CONSTRAINT partial_nn_fk REFERENCES parent);
CREATE INDEX partial_nn_idx ON partial_nn ("author Id") WHERE "author Id" IS NOT NULL;

CREATE TABLE comp_partial_nn (id int PRIMARY KEY, a int, b int, CONSTRAINT comp_partial_nn_fk FOREIGN KEY (a, b) REFERENCES parent2);
CREATE INDEX comp_partial_nn_idx ON comp_partial_nn (a, b) WHERE a IS NOT NULL AND b IS NOT NULL;

CREATE TABLE partial_other (id int PRIMARY KEY, pid int CONSTRAINT partial_other_fk REFERENCES parent, deleted boolean);
CREATE INDEX partial_other_idx ON partial_other (pid) WHERE NOT deleted;

CREATE TABLE partial_mixed (id int PRIMARY KEY, pid int CONSTRAINT partial_mixed_fk REFERENCES parent, x int);
CREATE INDEX partial_mixed_idx ON partial_mixed (pid) WHERE pid IS NOT NULL AND x > 0;

CREATE TABLE brin_only (id int PRIMARY KEY, pid int CONSTRAINT brin_only_fk REFERENCES parent);
CREATE INDEX brin_only_idx ON brin_only USING brin (pid);

-- Hash serves the FK check and the join (both equality lookups), but only on one column: PostgreSQL
-- has no multicolumn hash index, and one hash index per column of a composite FK does not cover it.
CREATE TABLE hash_only (id int PRIMARY KEY, pid int CONSTRAINT hash_only_fk REFERENCES parent);
CREATE INDEX hash_only_pid_idx ON hash_only USING hash (pid);

CREATE TABLE hash_partial_nn (id int PRIMARY KEY, pid int CONSTRAINT hash_partial_nn_fk REFERENCES parent);
CREATE INDEX hash_partial_nn_idx ON hash_partial_nn USING hash (pid) WHERE pid IS NOT NULL;

CREATE TABLE hash_partial_other (id int PRIMARY KEY, pid int CONSTRAINT hash_partial_other_fk REFERENCES parent, deleted boolean);
CREATE INDEX hash_partial_other_idx ON hash_partial_other USING hash (pid) WHERE NOT deleted;

CREATE TABLE hash_other_col (id int PRIMARY KEY, x int, pid int CONSTRAINT hash_other_col_fk REFERENCES parent);
CREATE INDEX hash_other_col_x_idx ON hash_other_col USING hash (x);

CREATE TABLE comp_hash (id int PRIMARY KEY, a int, b int, CONSTRAINT comp_hash_fk FOREIGN KEY (a, b) REFERENCES parent2);
CREATE INDEX comp_hash_a_idx ON comp_hash USING hash (a);
CREATE INDEX comp_hash_b_idx ON comp_hash USING hash (b);

-- GIN on a plain int column needs btree_gin; it is not counted (neither are GiST, SP-GiST, BRIN).
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE TABLE gin_only (id int PRIMARY KEY, pid int CONSTRAINT gin_only_fk REFERENCES parent);
CREATE INDEX gin_only_pid_idx ON gin_only USING gin (pid);

CREATE TABLE invalid_idx (id int PRIMARY KEY, pid int CONSTRAINT invalid_idx_fk REFERENCES parent);
INSERT INTO parent VALUES (1);
INSERT INTO invalid_idx VALUES (1, 1), (2, 1);
`;

beforeAll(async () => {
  const res = await applyMigrationSql(db.client, FIXTURE, 'per-statement');
  expect(res).toMatchObject({ ok: true });
  // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind.
  await expect(
    db.client.query('CREATE UNIQUE INDEX CONCURRENTLY invalid_idx_pid_idx ON invalid_idx (pid)'),
  ).rejects.toMatchObject({ code: '23505' });
});

describe('listForeignKeyCoverage', () => {
  const expected: Record<string, string | null> = {
    single_cov_fk: 'single_cov_pid_idx',
    single_unc_fk: null,
    single_second_fk: null,
    comp_sep_fk: null, // two single-column indexes do not cover (a, b)
    comp_bac_fk: 'comp_bac_b_a_c_idx', // FK columns lead in another order: covered
    comp_acb_fk: null, // c sits between a and b
    pk_lead_fk: 'pk_lead_pkey', // composite primary key led by the FK
    pk_second_fk: null,
    incl_only_fk: null, // INCLUDE columns are not searchable
    comp_incl_fk: null,
    partial_nn_fk: 'partial_nn_idx', // WHERE fk IS NOT NULL is implied by fk = $1
    comp_partial_nn_fk: 'comp_partial_nn_idx',
    partial_other_fk: null,
    partial_mixed_fk: null,
    brin_only_fk: null,
    hash_only_fk: 'hash_only_pid_idx', // single-column FK: hash serves the equality lookup
    hash_partial_nn_fk: 'hash_partial_nn_idx',
    hash_partial_other_fk: null,
    hash_other_col_fk: null,
    comp_hash_fk: null, // composite FK: never covered by hash
    gin_only_fk: null,
    invalid_idx_fk: null, // the only candidate is INVALID
  };

  test.each(Object.entries(expected))('%s → %s', async (name, coveredBy) => {
    const fk = (await listForeignKeyCoverage(db.client)).find((f) => f.name === name);
    expect(fk).toBeDefined();
    expect(fk!.coveredBy).toBe(coveredBy);
  });

  test('unindexed list = the uncovered ones, with columns and referenced table', async () => {
    const unindexed = await listUnindexedForeignKeys(db.target);
    expect(unindexed.map((f) => f.name).sort()).toEqual(
      Object.entries(expected)
        .filter(([, c]) => c === null)
        .map(([n]) => n)
        .sort(),
    );
    expect(unindexed.find((f) => f.name === 'comp_sep_fk')).toMatchObject({
      schema: 'public',
      table: 'comp_sep',
      columns: ['a', 'b'],
      referencedSchema: 'public',
      referencedTable: 'parent2',
      referencedColumns: ['a', 'b'],
    });
  });

  test('schema filter', async () => {
    expect(await listForeignKeyCoverage(db.client, { schemas: ['nope'] })).toEqual([]);
    expect((await listForeignKeyCoverage(db.client, { schemas: ['public'] })).length).toBe(
      Object.keys(expected).length,
    );
  });
});

describe('hash indexes and foreign keys on PostgreSQL', () => {
  test('PostgreSQL has no multicolumn hash index: a composite FK can only be covered by btree', async () => {
    await expect(db.client.query('CREATE INDEX comp_hash_ab_idx ON comp_hash USING hash (a, b)')).rejects.toMatchObject(
      {
        code: '0A000',
        message: 'access method "hash" does not support multicolumn indexes',
      },
    );
  });

  test('the FK check of a parent DELETE scans the covering hash index, not the table', async () => {
    await db.client.query('CREATE TABLE hash_parent (id int PRIMARY KEY)');
    await db.client.query(
      'CREATE TABLE hash_child (id int PRIMARY KEY, pid bigint CONSTRAINT hash_child_fk REFERENCES hash_parent ON DELETE CASCADE)',
    );
    await db.client.query('INSERT INTO hash_parent SELECT g FROM generate_series(1, 2000) g');
    await db.client.query('INSERT INTO hash_child SELECT g, 1 + g % 2000 FROM generate_series(1, 20000) g');
    await db.client.query('CREATE INDEX hash_child_pid_idx ON hash_child USING hash (pid)');
    await db.client.query('ANALYZE hash_child');
    expect((await listForeignKeyCoverage(db.client)).find((f) => f.name === 'hash_child_fk')!.coveredBy).toBe(
      'hash_child_pid_idx',
    );
    const stats = async () => {
      await db.client.query('SELECT pg_stat_force_next_flush()');
      const { rows } = await db.client.query<{ seq_scan: string; idx_scan: string }>(
        `SELECT t.seq_scan, i.idx_scan FROM pg_stat_user_tables t JOIN pg_stat_user_indexes i ON i.relid = t.relid
         WHERE t.relname = 'hash_child' AND i.indexrelname = 'hash_child_pid_idx'`,
      );
      return { seq: Number(rows[0]!.seq_scan), idx: Number(rows[0]!.idx_scan) };
    };
    const before = await stats();
    // ON DELETE CASCADE: PostgreSQL runs DELETE FROM ONLY hash_child WHERE pid = $1 (int4 parent key, int8 FK column).
    await db.client.query('DELETE FROM hash_parent WHERE id = 7');
    const after = await stats();
    expect(after.idx - before.idx).toBe(1);
    expect(after.seq - before.seq).toBe(0);
    expect((await db.client.query('SELECT count(*)::int AS n FROM hash_child WHERE pid = 7')).rows).toEqual([{ n: 0 }]);
    await db.client.query('DROP TABLE hash_child, hash_parent');
  });
});

describe('listIndexes', () => {
  beforeAll(async () => {
    await db.client.query(
      `CREATE TABLE docs (id int PRIMARY KEY, data jsonb, title text, created timestamptz, owner int)`,
    );
    await db.client.query(`CREATE INDEX docs_data_idx ON docs USING gin (data jsonb_path_ops)`);
    await db.client.query(
      `CREATE INDEX docs_owner_created_idx ON docs (owner, created DESC) INCLUDE (title) WHERE owner IS NOT NULL`,
    );
    await db.client.query(`CREATE UNIQUE INDEX docs_lower_title_key ON docs (lower(title))`);
  });

  test('method, opclasses, INCLUDE, DESC, predicate, expressions, flags, definition', async () => {
    const all = await listIndexes(db.client);
    const byName = new Map(all.map((i) => [i.name, i]));
    expect(byName.get('docs_data_idx')).toMatchObject({
      table: 'docs',
      method: 'gin',
      columns: ['data'],
      opclasses: ['jsonb_path_ops'],
      defaultOpclass: [false],
      include: [],
      predicate: null,
      unique: false,
      primary: false,
      valid: true,
    });
    expect(byName.get('docs_owner_created_idx')).toMatchObject({
      method: 'btree',
      columns: ['owner', 'created'],
      include: ['title'],
      descending: [false, true],
      opclasses: ['int4_ops', 'timestamptz_ops'],
      defaultOpclass: [true, true],
      predicate: '(owner IS NOT NULL)',
    });
    expect(byName.get('docs_lower_title_key')).toMatchObject({
      unique: true,
      columns: ['lower(title)'],
      expressions: [true],
    });
    expect(byName.get('docs_pkey')).toMatchObject({ primary: true, unique: true, columns: ['id'] });
    expect(byName.get('invalid_idx_pid_idx')).toMatchObject({ valid: false });
    expect(byName.get('docs_data_idx')!.definition).toBe(
      'CREATE INDEX docs_data_idx ON public.docs USING gin (data jsonb_path_ops)',
    );
  });
});

describe('CHECK constraints and snapshots', () => {
  test('NOT VALID then VALIDATE shows in convalidated', async () => {
    await db.client.query('CREATE TABLE prices (id int PRIMARY KEY, amount int)');
    await db.client.query('ALTER TABLE prices ADD CONSTRAINT prices_amount_check CHECK (amount >= 0) NOT VALID');
    let check = (await listCheckConstraints(db.client)).find((c) => c.name === 'prices_amount_check');
    expect(check).toMatchObject({
      table: 'prices',
      type: 'check',
      validated: false,
      definition: 'CHECK (amount >= 0) NOT VALID',
    });
    await db.client.query('ALTER TABLE prices VALIDATE CONSTRAINT prices_amount_check');
    check = (await listCheckConstraints(db.client)).find((c) => c.name === 'prices_amount_check');
    expect(check).toMatchObject({ validated: true, definition: 'CHECK (amount >= 0)' });
  });

  test('up/down round trip: diff lists what up added, and nothing after down', async () => {
    const before = await snapshot(db.client);
    const up = `CREATE INDEX CONCURRENTLY "single_unc_pid_idx" ON "single_unc" ("pid");\nALTER TABLE prices ADD CONSTRAINT prices_id_check CHECK (id > 0) NOT VALID;\nALTER TABLE prices VALIDATE CONSTRAINT prices_id_check;`;
    const down = `DROP INDEX CONCURRENTLY "single_unc_pid_idx";\nALTER TABLE prices DROP CONSTRAINT prices_id_check;`;
    expect((await applyMigrationSql(db.client, up, 'per-statement')).ok).toBe(true);
    const middle = diffSnapshots(before, await snapshot(db.client));
    expect(middle.same).toBe(false);
    expect(middle.addedIndexes.map((i) => i.name)).toEqual(['single_unc_pid_idx']);
    expect(middle.addedConstraints.map((c) => c.name)).toEqual(['prices_id_check']);
    expect(middle.removedIndexes).toEqual([]);
    expect((await applyMigrationSql(db.client, down, 'per-statement')).ok).toBe(true);
    expect(diffSnapshots(before, await snapshot(db.client)).same).toBe(true);
  });

  test('a changed definition with the same name is reported as changed', async () => {
    const before = await snapshot(db.client);
    await db.client.query('DROP INDEX single_cov_pid_idx');
    await db.client.query('CREATE INDEX single_cov_pid_idx ON single_cov (pid, id)');
    const diff = diffSnapshots(before, await snapshot(db.client));
    expect(diff.changedIndexes.map((c) => c.key)).toEqual(['public.single_cov.single_cov_pid_idx']);
    expect(diff.addedIndexes).toEqual([]);
  });
});
