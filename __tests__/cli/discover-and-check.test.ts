import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { schemaFromPrismaConfig } from '../../src/io/discover';
import { DATASOURCE, EXAMPLE_SCHEMA, REPO, runBin, runCli, tempProject, UNINDEXED_FK_SCHEMA } from '../support/cli';

const UNINDEXED = UNINDEXED_FK_SCHEMA;
const INDEXED = UNINDEXED.replace(
  '  author   User @relation(fields: [authorId], references: [id])\n',
  '  author   User @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n',
);

describe('schema discovery, the way Prisma finds it', () => {
  const finds = async (files: Record<string, string>, argv: string[] = []) => {
    const project = tempProject(files);
    try {
      const result = await runCli(['check', ...argv], project.dir);
      return {
        code: result.code,
        file: /^(\S+):\d+:\d+: error fk-index/m.exec(result.stdout)?.[1],
        stderr: result.stderr,
      };
    } finally {
      project.cleanup();
    }
  };

  test('--schema <file> wins over everything', async () => {
    expect(
      await finds({ 'other.prisma': UNINDEXED, 'prisma/schema.prisma': INDEXED }, ['--schema', 'other.prisma']),
    ).toMatchObject({ code: 1, file: 'other.prisma' });
  });

  test('prisma.config.ts with a literal schema path', async () => {
    const config = `import { defineConfig } from 'prisma/config';\n// schema: "wrong.prisma"\nexport default defineConfig({\n  schema: 'db/main.prisma',\n});\n`;
    expect(
      await finds({ 'prisma.config.ts': config, 'db/main.prisma': UNINDEXED, 'prisma/schema.prisma': INDEXED }),
    ).toMatchObject({ code: 1, file: 'db/main.prisma' });
  });

  test('package.json "prisma.schema"', async () => {
    expect(
      await finds({
        'package.json': JSON.stringify({ prisma: { schema: 'db/schema.prisma' } }),
        'db/schema.prisma': UNINDEXED,
      }),
    ).toMatchObject({ code: 1, file: 'db/schema.prisma' });
  });

  test('prisma/schema.prisma, then schema.prisma', async () => {
    expect(await finds({ 'prisma/schema.prisma': UNINDEXED, 'schema.prisma': INDEXED })).toMatchObject({
      code: 1,
      file: 'prisma/schema.prisma',
    });
    expect(await finds({ 'schema.prisma': UNINDEXED })).toMatchObject({ code: 1, file: 'schema.prisma' });
  });

  test('a multi-file folder: spans point at the file holding the model', async () => {
    const files = {
      'prisma/schema/base.prisma': DATASOURCE,
      'prisma/schema/user.prisma': 'model User {\n  id    Int    @id\n  posts Post[]\n}\n',
      'prisma/schema/blog/post.prisma':
        'model Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n',
    };
    const project = tempProject(files);
    try {
      const result = await runCli(['check'], project.dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^prisma\/schema\/blog\/post\.prisma:4:3: error fk-index: /m);
      const viaFlag = await runCli(['check', '--schema', 'prisma/schema'], project.dir);
      expect(viaFlag.stdout).toBe(result.stdout);
    } finally {
      project.cleanup();
    }
  });

  test('reads only a literal from prisma.config.ts (it never runs the file)', () => {
    expect(schemaFromPrismaConfig('export default { schema: "a/b.prisma" }')).toBe('a/b.prisma');
    expect(schemaFromPrismaConfig('export default { schema: path.join(__dirname, "x") }')).toBeUndefined();
    expect(schemaFromPrismaConfig('/* schema: "no.prisma" */ export default {}')).toBeUndefined();
  });
});

describe('check: the pre-commit contract', () => {
  test('exit 1 with file:line:col when an FK has no index, 0 once it has', async () => {
    const bad = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const good = tempProject({ 'prisma/schema.prisma': INDEXED });
    try {
      const failing = await runCli(['check'], bad.dir);
      expect(failing.code).toBe(1);
      expect(failing.stdout.split('\n')[0]).toBe(
        'prisma/schema.prisma:13:3: error fk-index: Foreign key "Post" ("authorId") → "User" has no index',
      );
      const passing = await runCli(['check'], good.dir);
      expect(passing).toEqual({ code: 0, stdout: '', stderr: '' });
    } finally {
      bad.cleanup();
      good.cleanup();
    }
  });

  test('a rule switched off in the config does not fail the hook; an idxgen-ignore with a reason does not either', async () => {
    const off = tempProject({
      'prisma/schema.prisma': UNINDEXED,
      'idxgen.config.json': JSON.stringify({ rules: { 'fk-index': 'off' } }),
    });
    const ignored = tempProject({
      'prisma/schema.prisma': UNINDEXED.replace(
        'model Post {',
        '/// idxgen-ignore fk-index -- posts are never deleted through User\nmodel Post {',
      ),
    });
    try {
      expect((await runCli(['check'], off.dir)).code).toBe(0);
      expect((await runCli(['check'], ignored.dir)).code).toBe(0);
    } finally {
      off.cleanup();
      ignored.cleanup();
    }
  });

  test('an idxgen-ignore that matches nothing is reported', async () => {
    const project = tempProject({
      'prisma/schema.prisma': INDEXED.replace('model Post {', '/// idxgen-ignore fk-index -- stale\nmodel Post {'),
    });
    try {
      const result = await runCli(['check', '--level', 'info'], project.dir);
      expect(result.stdout).toMatch(/unused/i);
    } finally {
      project.cleanup();
    }
  });

  test('the bundled example fails the hook on its unindexed foreign keys', async () => {
    const result = await runCli(['check', '--schema', EXAMPLE_SCHEMA], REPO);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n').filter((l) => / error fk-index: /.test(l));
    expect(lines.length).toBe(28);
  });

  test('the built binary: real exit codes, no stack trace on bad input', () => {
    if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js')))
      throw new Error('run `npm run build` first (npm ci does it through prepare)');
    const project = tempProject({ 'prisma/schema.prisma': UNINDEXED, 'empty.prisma': '' });
    try {
      expect(runBin(['check'], project.dir).code).toBe(1);
      const bad = runBin(['check', '--schema', 'empty.prisma'], project.dir);
      expect(bad).toEqual({ code: 2, stdout: '', stderr: 'empty.prisma: schema file is empty\n' });
    } finally {
      project.cleanup();
    }
  });

  test('the built binary piped into a reader that stops early (`| head`): no EPIPE crash, its own exit code', () => {
    const bin = path.join(REPO, 'bin', 'idxgen.js');
    // The plan report (~95 KB) is larger than a pipe buffer (64 KiB): idxgen is still writing when head exits.
    for (const [args, code] of [
      ['plan', 0],
      ['check', 1],
    ] as const) {
      const script = `"${process.execPath}" "${bin}" ${args} --schema "${EXAMPLE_SCHEMA}" | head -c 100 > /dev/null; echo "exit \${PIPESTATUS[0]}" >&2`;
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.stderr).toBe(`exit ${code}\n`);
    }
  });
});
