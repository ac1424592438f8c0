import {
  compareCodePoints,
  defaultConstraintName,
  defaultRelationName,
  foreignKeyName,
  implicitJoinTableNames,
  indexName,
  primaryKeyName,
  truncateUtf8,
  uniqueConstraintName,
  utf8ByteLength,
} from '../../src/schema/names';

// Every expected name below was produced by Prisma's own schema engine (7.10, `migrate diff
// --from-empty --to-schema`, run through @prisma/schema-engine-wasm) for a schema declaring the
// same tables and columns; they are not derived from our implementation.

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('short names', () => {
  it('follows {table}_{columns}_{suffix} on database names', () => {
    expect(primaryKeyName('users')).toBe('users_pkey');
    expect(uniqueConstraintName('orders', ['buyer_id', 'placedAt'])).toBe('orders_buyer_id_placedAt_key');
    expect(indexName('users', ['created_at', 'role'])).toBe('users_created_at_role_idx');
    expect(foreignKeyName('orders', ['buyer_id'])).toBe('orders_buyer_id_fkey');
  });

  it('keeps a name of exactly 63 bytes whole', () => {
    const table = 't'.repeat(58);
    expect(primaryKeyName(table)).toBe(`${table}_pkey`);
    expect(bytes(primaryKeyName(table))).toBe(63);
  });
});

describe('names over 63 bytes (ASCII)', () => {
  const table = 'VeryLongModelNameThatGoesOnAndOnForeverAndEverAndEverMoreAndMore';
  const columns = ['someRatherLongColumnName', 'anotherRatherLongColumnName'];

  it('cuts the prefix so the suffix survives, as Prisma does', () => {
    expect(primaryKeyName(table)).toBe('VeryLongModelNameThatGoesOnAndOnForeverAndEverAndEverMoreA_pkey');
    expect(indexName(table, columns)).toBe('VeryLongModelNameThatGoesOnAndOnForeverAndEverAndEverMoreAn_idx');
    expect(uniqueConstraintName(table, columns)).toBe(
      'VeryLongModelNameThatGoesOnAndOnForeverAndEverAndEverMoreAn_key',
    );
  });

  it('never exceeds 63 bytes', () => {
    for (const name of [
      primaryKeyName(table),
      indexName(table, columns),
      uniqueConstraintName(table, columns),
      foreignKeyName(table, columns),
    ]) {
      expect(bytes(name)).toBe(63);
    }
  });
});

describe('names with multi-byte characters', () => {
  const table = 'ñandú_tablé_ñandú';

  it('counts bytes, not characters, and cuts on a character boundary', () => {
    expect(indexName(table, ['ççççççççççççççççççççç', 'éééééééééééééééééééééé'])).toBe(
      'ñandú_tablé_ñandú_çççççççççççççççççç_idx',
    );
    expect(uniqueConstraintName(table, ['ïd', 'éééééééééééééééééééééé'])).toBe(
      'ñandú_tablé_ñandú_ïd_éééééééééééééééé_key',
    );
    expect(foreignKeyName(table, ['parentId', 'ççççççççççççççççççççç'])).toBe(
      'ñandú_tablé_ñandú_parentId_ççççççççççççç_fkey',
    );
    expect(indexName('tablé_ñandú_ñandú', ['ciudad_ñandú_ççççççççç', 'región_éééééééééééé'])).toBe(
      'tablé_ñandú_ñandú_ciudad_ñandú_ççççççççç_re_idx',
    );
  });

  it('drops a whole character that would straddle the limit', () => {
    // 57 ASCII bytes then a 2-byte é: the prefix may keep 58 bytes, so é (bytes 58-59) goes.
    const straddling = `${'p'.repeat(57)}é`;
    expect(primaryKeyName(straddling)).toBe(`${'p'.repeat(57)}_pkey`);
    expect(bytes(primaryKeyName(straddling))).toBe(62);
  });

  it('handles 4-byte characters (surrogate pairs in JavaScript)', () => {
    const name = defaultConstraintName('t', ['😀'.repeat(20)], '_idx');
    expect(bytes(name)).toBeLessThanOrEqual(63);
    expect(name).toBe(`t_${'😀'.repeat(14)}_idx`); // 2 + 14 * 4 = 58 bytes ≤ 59 < 2 + 15 * 4
    expect(name.includes('\uFFFD')).toBe(false);
  });
});

describe('truncateUtf8 / utf8ByteLength', () => {
  it('agree with Buffer.byteLength', () => {
    for (const s of ['', 'abc', 'ñandú', '😀x', 'a\u0301', '中文字符']) expect(utf8ByteLength(s)).toBe(bytes(s));
  });

  it('returns the longest whole-character prefix within the limit', () => {
    expect(truncateUtf8('abcdef', 3)).toBe('abc');
    expect(truncateUtf8('ñññ', 3)).toBe('ñ');
    expect(truncateUtf8('😀😀', 7)).toBe('😀');
    expect(truncateUtf8('short', 63)).toBe('short');
  });
});

describe('relation names', () => {
  it('puts the model that sorts first on the left', () => {
    expect(defaultRelationName('User', 'Post')).toBe('PostToUser');
    expect(defaultRelationName('Post', 'User')).toBe('PostToUser');
    expect(defaultRelationName('User', 'User')).toBe('UserToUser');
  });

  it('sorts like Rust strings (code points), upper case before lower case', () => {
    expect(defaultRelationName('apple', 'Zebra')).toBe('ZebraToapple');
    expect(compareCodePoints('\u{1F600}', '\uFFFF')).toBe(1); // JavaScript's < would say -1
    expect(compareCodePoints('ab', 'abc')).toBe(-1);
    expect(compareCodePoints('same', 'same')).toBe(0);
  });
});

describe('implicit m:n join tables', () => {
  it('names the table, its primary key, index and foreign keys', () => {
    expect(implicitJoinTableNames('GroupToUser')).toEqual({
      table: '_GroupToUser',
      primaryKey: '_GroupToUser_AB_pkey',
      bIndex: '_GroupToUser_B_index',
      aForeignKey: '_GroupToUser_A_fkey',
      bForeignKey: '_GroupToUser_B_fkey',
    });
  });

  it('cuts long relation names the way the schema engine does', () => {
    const r = 'r'.repeat(70);
    expect(implicitJoinTableNames(r)).toEqual({
      table: `_${'r'.repeat(62)}`,
      primaryKey: `_${'r'.repeat(54)}_AB_pkey`,
      bIndex: `_${'r'.repeat(54)}_B_index`,
      aForeignKey: `_${'r'.repeat(55)}_A_fkey`,
      bForeignKey: `_${'r'.repeat(55)}_B_fkey`,
    });
  });

  it('cuts multi-byte relation names by characters, then as PostgreSQL stores them', () => {
    const relation = `a${'ñ'.repeat(53)}`;
    const names = implicitJoinTableNames(relation);
    // The engine emits these (table and FKs) — all within 63 bytes...
    expect(names.table).toBe(`_${relation}`.slice(0, 1 + 1 + 30)); // PostgreSQL keeps 63 bytes: _ a + 30 ñ
    expect(names.aForeignKey).toBe(`_a${'ñ'.repeat(27)}_A_fkey`);
    expect(names.bForeignKey).toBe(`_a${'ñ'.repeat(27)}_B_fkey`);
    // ...but `_{55 chars}_AB_pkey` is 116 bytes; PostgreSQL truncates it to 63 at a boundary.
    for (const name of Object.values(names)) {
      expect(bytes(name)).toBeLessThanOrEqual(63);
      expect(name.includes('\uFFFD')).toBe(false);
    }
    expect(names.primaryKey).toBe(`_a${'ñ'.repeat(30)}`);
  });
});
