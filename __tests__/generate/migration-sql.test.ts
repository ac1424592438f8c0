import { alreadyDone, replayMigrations, scriptEffects } from '../../src/generate/migration-sql';
import { sqlParser } from '../../src/workload/sql-parser';
import { UserError } from '../../src/errors';

// Migration SQL is read and split by PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

describe('reading what a migration.sql does', () => {
  test('index creation in every spelling', () => {
    const sql = [
      'CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");',
      'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");',
      'create index concurrently if not exists "a""b" on public."T" using btree ("x");',
      'CREATE INDEX lower_case ON t (x);',
      'CREATE INDEX ON t (y);',
    ].join('\n');
    expect(scriptEffects(sql).map((e) => [e.kind, e.action, e.name, e.table])).toEqual([
      ['index', 'create', 'Post_authorId_idx', 'Post'],
      ['index', 'create', 'User_email_key', 'User'],
      ['index', 'create', 'a"b', 'T'],
      ['index', 'create', 'lower_case', 't'],
    ]);
  });

  test('drops, renames, constraints and extensions', () => {
    const sql = `
      DROP INDEX CONCURRENTLY IF EXISTS "public"."Old_idx";
      DROP INDEX "a", "b";
      ALTER INDEX "x_idx" RENAME TO "y_idx";
      ALTER TABLE "T" DROP CONSTRAINT IF EXISTS "T_c_check", ADD CONSTRAINT "T_c_check" CHECK ("c" > 0) NOT VALID;
      ALTER TABLE ONLY "T" VALIDATE CONSTRAINT "T_c_check";
      ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
      CREATE EXTENSION IF NOT EXISTS "pg_trgm";
    `;
    expect(scriptEffects(sql).map((e) => [e.kind, e.action, e.name, e.present, e.validated])).toEqual([
      ['index', 'drop', 'Old_idx', false, undefined],
      ['index', 'drop', 'a', false, undefined],
      ['index', 'drop', 'b', false, undefined],
      ['index', 'drop', 'x_idx', false, undefined],
      ['index', 'create', 'y_idx', true, undefined],
      ['constraint', 'drop', 'T_c_check', false, undefined],
      ['constraint', 'create', 'T_c_check', true, false],
      ['constraint', 'validate', 'T_c_check', true, true],
      ['constraint', 'create', 'Post_authorId_fkey', true, true],
      ['extension', 'create', 'pg_trgm', true, undefined],
    ]);
  });

  test('U&"..." identifiers (how idxgen writes names holding ";") are decoded', () => {
    const sql =
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS U&"we""ird\\003B DROP TABLE x\\003B --_idx" ON U&"we""ird\\003B t\\+01F600" USING btree ("a");';
    expect(scriptEffects(sql)).toEqual([
      {
        kind: 'index',
        action: 'create',
        name: 'we"ird; DROP TABLE x; --_idx',
        present: true,
        table: 'we"ird; t\u{1F600}',
      },
    ]);
  });

  test('SQL inside comments and strings does not count', () => {
    const sql = `
      -- CREATE INDEX "in_line_comment" ON t (x);
      /* CREATE INDEX "in_block_comment" ON t (x); /* nested */ still comment; */
      --   DROP INDEX CONCURRENTLY IF EXISTS "Real_idx";
      SELECT 'CREATE INDEX "in_string" ON t (x);';
      SELECT $body$ CREATE INDEX "in_dollar" ON t (x); $body$;
      CREATE INDEX "Real_idx" ON t (x);
    `;
    expect(scriptEffects(sql).map((e) => e.name)).toEqual(['Real_idx']);
  });

  // The next three the hand-written lexer that read migrations before the parser got wrong.
  test('a column named "valid" in a CHECK is no NOT VALID', () => {
    const sql = 'ALTER TABLE "T" ADD CONSTRAINT "T_valid_check" CHECK (NOT valid);';
    expect(scriptEffects(sql)).toEqual([
      { kind: 'constraint', action: 'create', name: 'T_valid_check', present: true, validated: true, table: 'T' },
    ]);
  });

  test('constraints written in CREATE TABLE and in ADD COLUMN count', () => {
    const sql = `
      CREATE TABLE "s"."Job" ("id" INTEGER NOT NULL, "retries" INTEGER CONSTRAINT "Job_retries_check" CHECK ("retries" >= 0), CONSTRAINT "Job_pkey" PRIMARY KEY ("id"));
      ALTER TABLE "Job" ADD COLUMN "n" INTEGER CONSTRAINT "Job_n_check" CHECK ("n" > 0);
    `;
    expect(scriptEffects(sql).map((e) => [e.kind, e.name, e.table, e.validated])).toEqual([
      ['constraint', 'Job_retries_check', 'Job', true],
      ['constraint', 'Job_pkey', 'Job', true],
      ['constraint', 'Job_n_check', 'Job', true],
    ]);
  });

  test('a table created PARTITION BY is remembered as partitioned until it is dropped; a partition or a plain table is not', () => {
    const state = replayMigrations([
      {
        name: '1',
        sql: `CREATE TABLE "s"."Ev" ("at" date NOT NULL) PARTITION BY RANGE ("at");
              CREATE TABLE "Ev_1" PARTITION OF "s"."Ev" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
              CREATE TABLE "Plain" ("id" int); CREATE TABLE "Gone" ("at" date) PARTITION BY LIST ("at");`,
      },
      { name: '2', sql: 'DROP TABLE "Gone";' },
    ]);
    expect(state.get('partitioned-table:Ev')).toMatchObject({ present: true, table: 'Ev', folder: '1' });
    expect(state.get('partitioned-table:Ev_1')).toBeUndefined();
    expect(state.get('partitioned-table:Plain')).toBeUndefined();
    expect(state.get('partitioned-table:Gone')).toMatchObject({ present: false, folder: '2' });
  });

  test('UNIQUE USING INDEX renames the index to the constraint', () => {
    const state = replayMigrations([
      { name: '1', sql: 'CREATE UNIQUE INDEX CONCURRENTLY "tmp_idx" ON "T" ("k");' },
      { name: '2', sql: 'ALTER TABLE "T" ADD CONSTRAINT "T_k_key" UNIQUE USING INDEX "tmp_idx";' },
    ]);
    expect([
      state.get('index:tmp_idx')?.present,
      state.get('index:T_k_key')?.present,
      state.get('constraint:T_k_key')?.present,
    ]).toEqual([false, true, true]);
  });

  // The lexer got these right; they stay right.
  test('quoted names with dots, schema-qualified names and lists are what PostgreSQL reads', () => {
    const sql = `
      CREATE INDEX "a.b_idx" ON "my.schema"."T.x" ("c");
      DROP INDEX CONCURRENTLY IF EXISTS "s"."x.y", z;
      ALTER INDEX IF EXISTS "s"."old.name" RENAME TO "new.name";
      ALTER TABLE ONLY "s"."T" RENAME CONSTRAINT "c.1" TO "c.2";
      DROP EXTENSION IF EXISTS "citext", pg_trgm CASCADE;
    `;
    expect(scriptEffects(sql).map((e) => [e.kind, e.action, e.name, e.table])).toEqual([
      ['index', 'create', 'a.b_idx', 'T.x'],
      ['index', 'drop', 'x.y', undefined],
      ['index', 'drop', 'z', undefined],
      ['index', 'drop', 'old.name', undefined],
      ['index', 'create', 'new.name', undefined],
      ['constraint', 'drop', 'c.1', 'T'],
      ['constraint', 'create', 'c.2', 'T'],
      ['extension', 'drop', 'citext', undefined],
      ['extension', 'drop', 'pg_trgm', undefined],
    ]);
  });

  test('a migration PostgreSQL cannot parse is bad input at file:line:col (Prisma could not apply it either)', () => {
    const folders = [
      {
        name: '20240101000000_bad',
        sql: '-- é\nCREATE INDEX "ok" ON t (a);\nCREATE INDEX "broken ON t (a);\n',
        file: 'prisma/migrations/20240101000000_bad/migration.sql',
      },
    ];
    let caught: unknown;
    try {
      replayMigrations(folders);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).diagnostics).toEqual([
      {
        file: 'prisma/migrations/20240101000000_bad/migration.sql',
        line: 3,
        column: 14,
        message: 'PostgreSQL cannot parse this migration: unterminated quoted identifier at or near ""broken ON t (a);',
      },
    ]);
  });

  test('replay follows folder order: created, dropped, re-created', () => {
    const state = replayMigrations([
      { name: '20240102000000_drop', sql: 'DROP INDEX "A_idx";' },
      { name: '20240101000000_init', sql: 'CREATE INDEX "A_idx" ON "A"("x"); CREATE INDEX "B_idx" ON "B"("y");' },
      { name: '20240103000000_table', sql: 'DROP TABLE "B";' },
    ]);
    expect(state.get('index:A_idx')).toMatchObject({ present: false, folder: '20240102000000_drop' });
    expect(state.get('index:B_idx')).toMatchObject({ present: false, folder: '20240103000000_table' });
  });

  test('a step is done when the migrations hold its effect', () => {
    const state = replayMigrations([
      { name: '1_init', sql: 'CREATE INDEX "A_idx" ON "A"("x");' },
      {
        name: '2_check',
        sql: 'ALTER TABLE "A" DROP CONSTRAINT IF EXISTS "A_x_check", ADD CONSTRAINT "A_x_check" CHECK (x > 0) NOT VALID;',
      },
      { name: '3_drop', sql: 'DROP INDEX CONCURRENTLY IF EXISTS "Gone_idx";' },
    ]);
    expect(
      alreadyDone(state, scriptEffects('CREATE INDEX CONCURRENTLY IF NOT EXISTS "A_idx" ON "A" USING btree ("x");')),
    ).toBe('1_init');
    expect(
      alreadyDone(state, scriptEffects('CREATE INDEX CONCURRENTLY IF NOT EXISTS "B_idx" ON "A" USING btree ("y");')),
    ).toBeUndefined();
    // Added NOT VALID: the add step is done, the validate step is not.
    expect(
      alreadyDone(
        state,
        scriptEffects(
          'ALTER TABLE "A" DROP CONSTRAINT IF EXISTS "A_x_check", ADD CONSTRAINT "A_x_check" CHECK (x > 0) NOT VALID;',
        ),
      ),
    ).toBe('2_check');
    expect(alreadyDone(state, scriptEffects('ALTER TABLE "A" VALIDATE CONSTRAINT "A_x_check";'))).toBeUndefined();
    // A drop is done only when a migration dropped it; an index no migration mentions may exist.
    expect(alreadyDone(state, scriptEffects('DROP INDEX CONCURRENTLY IF EXISTS "Gone_idx";'))).toBe('3_drop');
    expect(alreadyDone(state, scriptEffects('DROP INDEX CONCURRENTLY IF EXISTS "Unknown_idx";'))).toBeUndefined();
    // Nothing recognizable: never "done".
    expect(alreadyDone(state, scriptEffects('-- only a comment'))).toBeUndefined();
  });
});
