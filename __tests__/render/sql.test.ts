import type { IndexSpec } from '../../src/rules/types';
import {
  btree,
  check,
  dropIndex,
  ginJsonb,
  HOSTILE,
  HOSTILE_INDEX,
  hostileCheck,
  hostileIndex,
  partialInclude,
  partialUnique,
  specSql,
  trigram,
} from '../support/render-fixtures';

describe('specSql: index', () => {
  test('btree: CONCURRENTLY, IF NOT EXISTS, explicit USING btree, DESC; down drops concurrently', () => {
    expect(specSql(btree, 'Post_authorId_createdAt_idx')).toEqual([
      {
        up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Post_authorId_createdAt_idx" ON "Post" USING btree ("authorId", "createdAt" DESC);',
        down: 'DROP INDEX CONCURRENTLY IF EXISTS "Post_authorId_createdAt_idx";',
      },
    ]);
  });

  test('GIN with an operator class in a named schema: table and down are schema-qualified, the new index name is not', () => {
    expect(specSql(ginJsonb, 'Event_payload_idx')).toEqual([
      {
        up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_payload_idx" ON "app"."Event" USING gin ("payload" jsonb_path_ops);',
        down: 'DROP INDEX CONCURRENTLY IF EXISTS "app"."Event_payload_idx";',
      },
    ]);
  });

  test('trigram: the extension comes first, as its own statement with a comment-only down', () => {
    const sql = specSql(trigram, 'Post_title_idx');
    expect(sql).toHaveLength(2);
    expect(sql[0].up).toBe('CREATE EXTENSION IF NOT EXISTS "pg_trgm";');
    expect(sql[0].down).toBe(
      [
        '-- Nothing to undo: the extension "pg_trgm" is not dropped.',
        '-- Other indexes, columns or functions in this database may use it (DROP EXTENSION would fail,',
        '-- or with CASCADE would drop them too), and it may have existed before this migration.',
        '-- Drop it yourself only when nothing uses it: DROP EXTENSION "pg_trgm"',
      ].join('\n'),
    );
    expect(sql[1]).toEqual({
      up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Post_title_idx" ON "Post" USING gin ("title" gin_trgm_ops);',
      down: 'DROP INDEX CONCURRENTLY IF EXISTS "Post_title_idx";',
    });
  });

  test('an extension listed twice is created once', () => {
    const sql = specSql({ ...trigram, extensions: ['pg_trgm', 'pg_trgm'] }, 'Post_title_idx');
    expect(sql.map((s) => s.up)).toEqual(specSql(trigram, 'Post_title_idx').map((s) => s.up));
  });

  test('partial unique', () => {
    expect(specSql(partialUnique, 'User_email_key')[0].up).toBe(
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "User_email_key" ON "User" USING btree ("email") WHERE "deletedAt" IS NULL;',
    );
  });

  test('partial with INCLUDE', () => {
    expect(specSql(partialInclude, 'Job_status_runAt_idx')[0].up).toBe(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "Job_status_runAt_idx" ON "Job" USING btree ("status", "runAt") INCLUDE ("id") WHERE "status" IN ('PENDING', 'RETRY');`,
    );
  });

  test('hostile names are quoted (quotes doubled); a name with ";" is a U& identifier (\\003B), so the only ";" ends the statement', () => {
    expect(specSql(hostileIndex, HOSTILE_INDEX)).toEqual([
      {
        up:
          'CREATE INDEX CONCURRENTLY IF NOT EXISTS U&"x\ny\\003B */ DROP TABLE x_idx" ON "we""ird".U&"we""ird\\003B DROP TABLE x\\003B --" ' +
          'USING btree (U&"we""ird\\003B DROP TABLE x\\003B --", "createdAt" DESC) WHERE U&"we""ird\\003B DROP TABLE x\\003B --" IS NOT NULL;',
        down: 'DROP INDEX CONCURRENTLY IF EXISTS "we""ird".U&"x\ny\\003B */ DROP TABLE x_idx";',
      },
    ]);
  });

  test('refuses what it cannot render safely', () => {
    expect(() => specSql({ ...btree, columns: [] }, 'x')).toThrow(/no columns/);
    expect(() => specSql({ ...btree, method: 'rtree' as IndexSpec['method'] }, 'x')).toThrow(
      /unsupported index method/,
    );
    expect(() =>
      specSql({ ...ginJsonb, columns: [{ column: 'p', field: 'p', opclass: 'x); DROP TABLE t; --' }] }, 'x'),
    ).toThrow(/unsupported operator class/);
    expect(() => specSql({ ...btree, where: { kind: 'sql', text: '  ' } }, 'x')).toThrow(/empty SQL predicate/);
    expect(() => specSql(btree, '')).toThrow(/empty SQL identifier/);
    expect(() => specSql({ ...btree, table: 'a\u0000b' }, 'x')).toThrow(/NUL/);
  });
});

describe('specSql: check', () => {
  test('two statements: re-run-safe ADD ... NOT VALID (one ALTER TABLE), then VALIDATE with a comment-only down', () => {
    const sql = specSql(check, 'Job_attempts_check');
    expect(sql).toHaveLength(2);
    expect(sql[0]).toEqual({
      up:
        "SET lock_timeout = '5000ms';\n" +
        'ALTER TABLE "Job" DROP CONSTRAINT IF EXISTS "Job_attempts_check", ADD CONSTRAINT "Job_attempts_check" CHECK ("attempts" >= 0) NOT VALID;\n' +
        'RESET lock_timeout;',
      down: 'ALTER TABLE "Job" DROP CONSTRAINT IF EXISTS "Job_attempts_check";',
    });
    expect(sql[1].up).toBe('ALTER TABLE "Job" VALIDATE CONSTRAINT "Job_attempts_check";');
    expect(sql[1].down.split('\n').every((line) => line.startsWith('-- '))).toBe(true);
    expect(sql[1].down).toContain('a validated constraint cannot be made NOT VALID again');
  });

  test('the lock wait of the NOT VALID step is bounded by the configured timeout', () => {
    expect(specSql({ ...check, lockTimeoutMs: 1500 }, check.name)[0].up.split('\n')[0]).toBe(
      "SET lock_timeout = '1500ms';",
    );
    expect(() => specSql({ ...check, lockTimeoutMs: 0 }, check.name)).toThrow(/lock timeout/);
    expect(() => specSql({ ...check, lockTimeoutMs: 1.5 }, check.name)).toThrow(/lock timeout/);
  });

  test('the entry name wins over spec.name (the plan renames on a clash)', () => {
    expect(specSql(check, 'Job_attempts_check1')[1].up).toBe(
      'ALTER TABLE "Job" VALIDATE CONSTRAINT "Job_attempts_check1";',
    );
  });

  test('hostile table and constraint names: U& identifiers, no ";" but the terminator', () => {
    const [add, validate] = specSql(hostileCheck, hostileCheck.name);
    expect(add!.up.split('\n')[1]).toBe(
      'ALTER TABLE U&"we""ird\\003B DROP TABLE x\\003B --" DROP CONSTRAINT IF EXISTS U&"c\\003B DROP TABLE x\\003B --_check", ' +
        'ADD CONSTRAINT U&"c\\003B DROP TABLE x\\003B --_check" CHECK (U&"we""ird\\003B DROP TABLE x\\003B --" >= 0) NOT VALID;',
    );
    expect(add!.down).toBe(
      'ALTER TABLE U&"we""ird\\003B DROP TABLE x\\003B --" DROP CONSTRAINT IF EXISTS U&"c\\003B DROP TABLE x\\003B --_check";',
    );
    expect(validate!.up).toBe(
      'ALTER TABLE U&"we""ird\\003B DROP TABLE x\\003B --" VALIDATE CONSTRAINT U&"c\\003B DROP TABLE x\\003B --_check";',
    );
  });

  test('an empty expression is refused', () => {
    expect(() => specSql({ ...check, expression: ' ' }, check.name)).toThrow(/empty expression/);
  });
});

describe('specSql: drop-index', () => {
  test('drops concurrently; down re-creates it concurrently from recreate', () => {
    expect(specSql(dropIndex, 'Post_authorId_idx')).toEqual([
      {
        up: 'DROP INDEX CONCURRENTLY IF EXISTS "Post_authorId_idx";',
        down: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Post_authorId_idx" ON "Post" USING btree ("authorId");',
      },
    ]);
  });

  test('schema-qualified drop', () => {
    const spec = { ...dropIndex, schema: 'app', recreate: { ...dropIndex.recreate, schema: 'app' } };
    expect(specSql(spec, 'Post_authorId_idx')[0].up).toBe(
      'DROP INDEX CONCURRENTLY IF EXISTS "app"."Post_authorId_idx";',
    );
  });

  test('the name must be the existing index, and recreate must be on the same table', () => {
    expect(() => specSql(dropIndex, 'other')).toThrow(/name mismatch/);
    expect(() =>
      specSql({ ...dropIndex, recreate: { ...dropIndex.recreate, table: 'Other' } }, 'Post_authorId_idx'),
    ).toThrow(/another table/);
  });
});

test('hostile names too: the terminator is the only ";" in a statement (adapter-pg splits on every ";")', () => {
  for (const [spec, name] of [
    [hostileIndex, HOSTILE_INDEX],
    [hostileCheck, hostileCheck.name],
  ] as const) {
    for (const { up, down } of specSql(spec, name)) {
      // The NOT VALID step is SET lock_timeout, the ALTER, RESET: one statement per line.
      for (const sql of [...(spec.kind === 'check' ? up.split('\n') : [up]), down]) {
        if (sql.startsWith('--')) {
          expect(sql).not.toContain(';');
          continue;
        }
        expect(sql.indexOf(';')).toBe(sql.length - 1);
      }
    }
  }
});

test('every statement is one line ending in ";" (names with line breaks aside), and nothing else holds a ";" outside quotes', () => {
  for (const [spec, name] of [
    [btree, 'a'],
    [trigram, 'b'],
    [partialInclude, 'c'],
    [check, check.name],
    [dropIndex, dropIndex.name],
  ] as const) {
    for (const { up, down } of specSql(spec, name)) {
      const lines = spec.kind === 'check' && !up.startsWith('ALTER TABLE') ? up.split('\n') : [up];
      if (lines.length > 1)
        expect([lines[0], lines[2]]).toEqual(["SET lock_timeout = '5000ms';", 'RESET lock_timeout;']);
      for (const sql of [...lines, down]) {
        if (sql.startsWith('--')) {
          expect(sql).not.toContain(';');
          continue;
        }
        expect(sql).not.toContain('\n');
        expect(sql.endsWith(';')).toBe(true);
        // Semicolons only as the terminator or inside '...' literals.
        expect(sql.replace(/'[^']*'/g, "''").slice(0, -1)).not.toContain(';');
      }
    }
  }
  expect(HOSTILE).toContain(';');
});
