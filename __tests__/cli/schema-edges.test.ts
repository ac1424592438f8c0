import * as fs from 'node:fs';
import * as path from 'node:path';
import { DATASOURCE, runBin, runCli, snapshotTree, tempProject } from '../support/cli';

/** Schemas Prisma accepts, with names outside ASCII: idxgen must read them (issue 9, item 5). */
const UNICODE = `${DATASOURCE}
model état {
  id    Int    @id
  名前    String
  \u212A     Int
  posts Post[]
}

model Post {
  id     Int  @id
  étatId Int
  état   état @relation(fields: [étatId], references: [id])
}
`;

describe('names Prisma accepts are read', () => {
  test('check reports the unindexed FK of a model named `état` (exit 1, not a crash)', async () => {
    const { dir, cleanup } = tempProject({ 'schema.prisma': UNICODE });
    try {
      const r = await runCli(['check', '--schema', 'schema.prisma', '--no-cache'], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /^schema\.prisma:15:3: error fk-index: Foreign key "Post" \("étatId"\) → "état" has no index/m,
      );
    } finally {
      cleanup();
    }
  });

  test('plan proposes the declaration with the name as written', async () => {
    const { dir, cleanup } = tempProject({ 'schema.prisma': UNICODE });
    try {
      const r = await runCli(['plan', '--schema', 'schema.prisma', '--no-cache', '--format', 'json'], dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('@@index([étatId], map: \\"Post_étatId_idx\\")');
    } finally {
      cleanup();
    }
  });
});

test('generate writes the index into a model named with a non-ASCII letter (U+212A)', async () => {
  const schema = `${DATASOURCE}\nmodel User {\n  id Int @id\n  ks \u212A[]\n}\n\nmodel \u212A {\n  id     Int  @id\n  userId Int\n  user   User @relation(fields: [userId], references: [id])\n}\n`;
  const { dir, cleanup } = tempProject({ 'schema.prisma': schema });
  try {
    const r = await runCli(
      ['generate', '--schema', 'schema.prisma', '--no-cache', '--timestamp', '20260101000000'],
      dir,
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    const written = fs.readFileSync(path.join(dir, 'schema.prisma'), 'utf8');
    expect(written).toMatch(/model \u212A \{\n[^}]*\n  @@index\(\[userId\], map: "\u212A_userId_idx"\)\n\}/);
  } finally {
    cleanup();
  }
});

/** Each case: Prisma (or idxgen) refuses the schema: exit 2, `file:line:col`, nothing written. */
const BAD: { name: string; body: string; stderr: RegExp }[] = [
  // Names Prisma's grammar rejects (not letters: a non-ASCII digit, a letter number, an emoji, a leading `_`).
  {
    name: 'Arabic-Indic digit in a field name',
    body: 'model A {\n  id Int @id\n  a\u0661 Int\n}\n',
    stderr: /^schema\.prisma:6:\d+: This line is not a valid field or attribute definition\./,
  },
  { name: 'Roman numeral model name', body: 'model \u2167 {\n  id Int @id\n}\n', stderr: /^schema\.prisma:4:\d+: / },
  {
    name: 'emoji in a field name',
    body: 'model A {\n  id Int @id\n  a\u{1F600} Int\n}\n',
    stderr: /^schema\.prisma:6:\d+: This line is not a valid field or attribute definition\./,
  },
  {
    name: 'field name starting with _',
    body: 'model A {\n  id Int @id\n  _x Int\n}\n',
    stderr: /^schema\.prisma:6:\d+: This line is not a valid field or attribute definition\./,
  },
  {
    name: 'field name starting with a digit',
    body: 'model A {\n  id Int @id\n  1x Int\n}\n',
    stderr: /^schema\.prisma:6:\d+: .*must not start with a number/,
  },
  // Names PostgreSQL cannot take (Prisma accepts them): reported at the attribute.
  {
    name: '@map("") on an FK column',
    body: 'model A {\n  id  Int @id\n  bId Int @map("")\n  b   B   @relation(fields: [bId], references: [id])\n}\nmodel B {\n  id Int @id\n  as A[]\n}\n',
    stderr: /^schema\.prisma:6:11: the column name is empty: PostgreSQL has no empty identifier/,
  },
  {
    name: '@@map("") on a referenced table',
    body: 'model A {\n  id  Int @id\n  bId Int\n  b   B   @relation(fields: [bId], references: [id])\n}\nmodel B {\n  id Int @id\n  as A[]\n  @@map("")\n}\n',
    stderr: /^schema\.prisma:12:3: the table name is empty/,
  },
  {
    name: '@map("\\u0000")',
    body: 'model A {\n  id Int @id @map("\\u0000")\n}\n',
    stderr: /^schema\.prisma:5:14: the column name "\\u0000" holds a NUL character/,
  },
  {
    name: '@@map with a NUL',
    body: 'model A {\n  id Int @id\n  @@map("a\\u0000b")\n}\n',
    stderr: /^schema\.prisma:6:3: the table name "a\\u0000b" holds a NUL character/,
  },
  {
    name: 'enum @@map("")',
    body: 'enum E {\n  X\n  @@map("")\n}\nmodel A {\n  id Int @id\n  e E\n}\n',
    stderr: /^schema\.prisma:6:3: the enum type name is empty/,
  },
  {
    name: 'enum value with a NUL',
    body: 'enum E {\n  X @map("\\u0000")\n}\nmodel A {\n  id Int @id\n  e E\n}\n',
    stderr: /^schema\.prisma:5:5: the enum value "\\u0000" holds a NUL character/,
  },
  {
    name: 'FK constraint name with a NUL',
    body: 'model A {\n  id  Int @id\n  bId Int\n  b   B   @relation(fields: [bId], references: [id], map: "f\\u0000")\n}\nmodel B {\n  id Int @id\n  as A[]\n}\n',
    stderr: /^schema\.prisma:7:59: the foreign key name "f\\u0000" holds a NUL character/,
  },
  {
    name: 'unique constraint name with a NUL',
    body: 'model A {\n  id Int @id\n  x  Int @unique(map: "u\\u0000")\n}\n',
    stderr: /^schema\.prisma:6:23: the unique constraint name "u\\u0000" holds a NUL character/,
  },
  {
    name: 'implicit m:n relation named with a NUL',
    body: 'model A {\n  id Int @id\n  bs B[] @relation("\\u0000")\n}\nmodel B {\n  id Int @id\n  as A[] @relation("\\u0000")\n}\n',
    stderr: /^schema\.prisma:6:10: the join table name "_\\u0000" holds a NUL character/,
  },
  // Nesting past the parse limit: Prisma's validator would crash ("memory access out of bounds").
  {
    name: 'brackets nested 5,000 deep',
    body: `model A {\n  id Int @id\n  x Int @default(${'['.repeat(5000)}${']'.repeat(5000)})\n}\n`,
    stderr: /^schema\.prisma:6:272: brackets nested more than 256 levels deep: idxgen reads at most 256/,
  },
];

describe('schemas idxgen refuses: exit 2 with file:line:col, nothing written', () => {
  test.each(BAD)('$name', async ({ body, stderr }) => {
    const { dir, cleanup } = tempProject({ 'schema.prisma': `${DATASOURCE}${body}` });
    try {
      const before = snapshotTree(dir);
      for (const command of ['check', 'generate']) {
        const r = await runCli([command, '--schema', 'schema.prisma', '--no-cache'], dir);
        expect({ command, code: r.code }).toEqual({ command, code: 2 });
        expect(r.stderr).toMatch(stderr);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(snapshotTree(dir)).toEqual(before);
    } finally {
      cleanup();
    }
  });

  test('through the real binary: deep nesting, an empty @map and a Unicode schema', () => {
    const { dir, cleanup } = tempProject({
      'deep.prisma': `${DATASOURCE}${BAD.find((c) => c.name.startsWith('brackets'))!.body}`,
      'empty.prisma': `${DATASOURCE}${BAD.find((c) => c.name.startsWith('@map("")'))!.body}`,
      'unicode.prisma': UNICODE,
    });
    try {
      const deep = runBin(['plan', '--schema', 'deep.prisma', '--no-cache'], dir);
      expect([deep.code, deep.stderr]).toEqual([
        2,
        expect.stringMatching(/^deep\.prisma:6:272: brackets nested more than 256 levels deep/),
      ]);
      const empty = runBin(['check', '--schema', 'empty.prisma', '--no-cache'], dir);
      expect([empty.code, empty.stderr]).toEqual([
        2,
        expect.stringMatching(/^empty\.prisma:6:11: the column name is empty/),
      ]);
      const unicode = runBin(['check', '--schema', 'unicode.prisma', '--no-cache'], dir);
      expect([unicode.code, unicode.stderr]).toEqual([1, '']);
    } finally {
      cleanup();
    }
  });
});
