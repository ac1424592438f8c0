import { DATASOURCE, runCli, snapshotTree, tempProject, UNINDEXED_FK_SCHEMA } from '../support/cli';

const VALID = UNINDEXED_FK_SCHEMA;

describe('bad input: one clear message, exit 2, nothing written', () => {
  const cases: { name: string; files: Record<string, string | Buffer>; argv: string[]; stderr: RegExp }[] = [
    {
      name: 'missing --schema file',
      files: {},
      argv: ['plan', '--schema', 'nope.prisma'],
      stderr: /^nope\.prisma: schema not found \(from --schema\)\n$/,
    },
    {
      name: 'no schema anywhere',
      files: {},
      argv: ['check'],
      stderr: /^Could not find a Prisma schema: looked for --schema, prisma\.config\.ts/,
    },
    {
      name: 'empty file',
      files: { 'prisma/schema.prisma': '  \n\n' },
      argv: ['plan'],
      stderr: /^prisma\/schema\.prisma: schema file is empty\n$/,
    },
    {
      name: 'binary file',
      files: { 'prisma/schema.prisma': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]) },
      argv: ['check'],
      stderr: /^prisma\/schema\.prisma: is not a text file \(binary content or invalid UTF-8\)/,
    },
    {
      name: 'MySQL provider',
      files: { 'schema.prisma': 'datasource db {\n  provider = "mysql"\n}\nmodel A {\n  id Int @id\n}\n' },
      argv: ['plan'],
      stderr:
        /^schema\.prisma:2:14: provider "mysql": idxgen only supports PostgreSQL \(provider = "postgresql"\) for now\n$/,
    },
    {
      name: 'no datasource',
      files: { 'schema.prisma': 'model A {\n  id Int @id\n}\n' },
      argv: ['plan'],
      stderr: /^schema\.prisma: no datasource block found/,
    },
    {
      name: 'unknown flag',
      files: { 'schema.prisma': VALID },
      argv: ['plan', '--nope'],
      stderr: /^idxgen: Unknown argument: nope\n/,
    },
    {
      name: 'unknown command',
      files: { 'schema.prisma': VALID },
      argv: ['plam'],
      stderr: /^idxgen: Unknown argument: plam\n/,
    },
    // A single-valued option given twice is refused (yargs would pass an array on); --only is a list.
    ...(
      [
        ['plan', '--schema', 'a.prisma', '--schema', 'schema.prisma'],
        ['plan', '--format', 'json', '--format', 'text'],
        ['check', '--level', 'error', '--level', 'warn'],
        ['check', '--config', 'a.json', '--config', 'b.json'],
        ['generate', '--group', 'statement', '--group', 'table'],
        ['generate', '--group', 'x', '--group', 'y'],
        ['generate', '--timestamp', '20250101000000', '--timestamp', '20250101000001'],
        ['verify', '--database-url', 'postgresql://a/b', '--database-url', 'postgresql://c/d'],
      ] as const
    ).map((argv) => ({
      name: `repeated ${argv[1]} (${argv[0]})`,
      files: { 'schema.prisma': VALID },
      argv: [...argv],
      stderr: new RegExp(
        `^idxgen: ${argv[1]} was given 2 times \\("${argv[2]}", "${argv[4]}"\\); it takes one value\n`,
      ),
    })),
    {
      name: 'config with an unknown rule and a bad severity',
      files: {
        'schema.prisma': VALID,
        'idxgen.config.json': JSON.stringify({ rules: { 'fk-idx': 'off', 'fk-index': 'loud' }, extra: 1 }),
      },
      argv: ['check'],
      stderr:
        /^idxgen\.config\.json: config extra: unknown key \(allowed: \$schema, rules\)\nidxgen\.config\.json: config rules\.fk-idx: unknown rule \(known: .*\)\nidxgen\.config\.json: config rules\.fk-index: "loud" is not a severity \(error, warn, info, off\)\n$/,
    },
    {
      name: 'config that is not JSON',
      files: { 'schema.prisma': VALID, '.idxgenrc.json': '{ rules: ' },
      argv: ['plan'],
      stderr: /^\.idxgenrc\.json: config is not valid JSON: /,
    },
  ];

  test.each(cases)('$name', async ({ files, argv, stderr }) => {
    const project = tempProject(files);
    try {
      const before = snapshotTree(project.dir);
      const result = await runCli(argv, project.dir);
      expect(result.stderr).toMatch(stderr);
      expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(snapshotTree(project.dir)).toEqual(before);
    } finally {
      project.cleanup();
    }
  });

  test('an invalid schema prints every Prisma error as path:line:col', async () => {
    const schema = `${DATASOURCE}
model User {
  id    Int    @id
  name  Strin
  posts Post[]
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
  score    Int  @unknown
}
`;
    const project = tempProject({ 'prisma/schema.prisma': schema });
    try {
      const result = await runCli(['check'], project.dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'prisma/schema.prisma:7:9: Type "Strin" is neither a built-in type, nor refers to another model, composite type, or enum.\n' +
          'prisma/schema.prisma:15:17: Attribute not known: "@unknown".\n',
      );
    } finally {
      project.cleanup();
    }
  });

  test('errors in a multi-file schema name the file that holds them', async () => {
    const project = tempProject({
      'prisma/schema/base.prisma': DATASOURCE,
      'prisma/schema/user.prisma': 'model User {\n  id Int @id\n  posts Post[]\n}\n',
      'prisma/schema/post.prisma':
        'model Post {\n  id Int @id\n  authorId Int\n  author User @relation(fields: [authorId], references: [idd])\n}\n',
    });
    try {
      const result = await runCli(['plan'], project.dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^prisma\/schema\/post\.prisma:4:\d+: .*idd/);
    } finally {
      project.cleanup();
    }
  });

  test('a Prisma 6 schema (url in the datasource, removed preview features) loads, with warnings that keep line numbers', async () => {
    const schema = `generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["metrics", "views"]
}

datasource db {
  provider  = "postgresql"
  url       = env("DATABASE_URL")
  directUrl = env("DIRECT_URL")
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
`;
    const project = tempProject({ 'prisma/schema.prisma': schema });
    try {
      const result = await runCli(['check'], project.dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('prisma/schema.prisma:20:3: error fk-index:');
    } finally {
      project.cleanup();
    }
  });
});

test('a list option may repeat: --only fk-index --only Post', async () => {
  const project = tempProject({ 'schema.prisma': VALID });
  try {
    const result = await runCli(
      ['generate', '--dry-run', '--timestamp', '20250101000000', '--only', 'fk-index', '--only', 'Post'],
      project.dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('20250101000000_idx_post_authorid');
  } finally {
    project.cleanup();
  }
});
