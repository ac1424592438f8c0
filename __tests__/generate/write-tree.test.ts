import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeTree, type WriteStep } from '../../src/io/write-tree';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-write-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** Every file below `dir` with its content, paths relative and sorted. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out[`${path.relative(dir, p)}/`] = '';
        walk(p);
      } else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function setup() {
  const schema = path.join(root, 'prisma', 'schema.prisma');
  fs.mkdirSync(path.dirname(schema), { recursive: true });
  fs.writeFileSync(schema, 'model A {\n  id Int @id\n}\n');
  const migrations = path.join(root, 'prisma', 'migrations');
  const input = {
    migrationsDir: migrations,
    files: [
      { path: '20250101000000_idx_a/migration.sql', content: 'CREATE INDEX 1;\n' },
      { path: '20250101000000_idx_a/down.sql', content: 'DROP INDEX 1;\n' },
      { path: '20250101000001_idx_b/migration.sql', content: 'CREATE INDEX 2;\n' },
      { path: '20250101000001_idx_b/down.sql', content: 'DROP INDEX 2;\n' },
      { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' },
    ],
    schemaWrites: [
      {
        file: schema,
        before: 'model A {\n  id Int @id\n}\n',
        after: 'model A {\n  id Int @id\n\n  @@index([id])\n}\n',
      },
    ],
  };
  return { schema, migrations, input };
}

test('writes every folder, the lock file and the schema, and leaves no temporary file', async () => {
  const { input } = setup();
  const result = await writeTree(input);
  expect(result.created.map((p) => path.basename(p))).toEqual([
    '20250101000000_idx_a',
    '20250101000001_idx_b',
    'migration_lock.toml',
  ]);
  expect(tree(root)).toEqual({
    'prisma/': '',
    'prisma/migrations/': '',
    'prisma/migrations/20250101000000_idx_a/': '',
    'prisma/migrations/20250101000000_idx_a/down.sql': 'DROP INDEX 1;\n',
    'prisma/migrations/20250101000000_idx_a/migration.sql': 'CREATE INDEX 1;\n',
    'prisma/migrations/20250101000001_idx_b/': '',
    'prisma/migrations/20250101000001_idx_b/down.sql': 'DROP INDEX 2;\n',
    'prisma/migrations/20250101000001_idx_b/migration.sql': 'CREATE INDEX 2;\n',
    'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    'prisma/schema.prisma': 'model A {\n  id Int @id\n\n  @@index([id])\n}\n',
  });
});

describe('a failure at any step leaves the tree exactly as it was', () => {
  // Record the steps of a successful run, then fail at each one in turn.
  const steps: WriteStep[] = [];
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-write-steps-'));
    const saved = root;
    root = dir;
    const { input } = setup();
    await writeTree(input, { beforeStep: (s) => steps.push(s) });
    root = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the run has mkdir, write and commit steps', async () => {
    expect(new Set(steps.map((s) => s.kind))).toEqual(
      new Set(['mkdir', 'write', 'journal', 'commit-folder', 'commit-file', 'commit-schema', 'cleanup']),
    );
  });

  test('fail at every step', async () => {
    for (let failAt = 0; failAt < steps.length; failAt++) {
      fs.rmSync(root, { recursive: true, force: true });
      fs.mkdirSync(root);
      const { input } = setup();
      const before = tree(root);
      let seen = 0;
      await expect(
        writeTree(input, {
          beforeStep: () => {
            if (seen++ === failAt) throw new Error(`injected fault at step ${failAt}`);
          },
        }),
      ).rejects.toThrow(`injected fault at step ${failAt}`);
      expect(tree(root)).toEqual(before);
    }
  });

  test('with an existing migrations folder and history, only the new things are undone', async () => {
    const { input, migrations } = setup();
    fs.mkdirSync(path.join(migrations, '20240101000000_init'), { recursive: true });
    fs.writeFileSync(path.join(migrations, '20240101000000_init', 'migration.sql'), 'CREATE TABLE a();\n');
    const before = tree(root);
    let commits = 0;
    await expect(
      writeTree(input, {
        beforeStep: (s) => {
          // Fail after two folders are renamed into place.
          if (s.kind === 'commit-file' && ++commits === 1) throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(tree(root)).toEqual(before);
  });
});

test('a real file-system error (unwritable migrations folder) also leaves nothing behind', async () => {
  if (process.getuid?.() === 0) {
    // root ignores permission bits: use a migrations path below a regular file (ENOTDIR) instead.
    const { input, schema } = setup();
    const before = tree(root);
    await expect(writeTree({ ...input, migrationsDir: path.join(schema, 'migrations') })).rejects.toThrow(
      /ENOTDIR|not a directory/,
    );
    expect(tree(root)).toEqual(before);
    return;
  }
  const { input, migrations } = setup();
  fs.mkdirSync(migrations);
  fs.chmodSync(migrations, 0o555);
  const before = tree(root);
  try {
    await expect(writeTree(input)).rejects.toThrow();
    expect(tree(root)).toEqual(before);
  } finally {
    fs.chmodSync(migrations, 0o755);
  }
});

test('never touches an existing folder: a name clash aborts before anything is written', async () => {
  const { input, migrations } = setup();
  fs.mkdirSync(path.join(migrations, '20250101000001_idx_b'), { recursive: true });
  fs.writeFileSync(path.join(migrations, '20250101000001_idx_b', 'migration.sql'), 'ORIGINAL\n');
  const before = tree(root);
  await expect(writeTree(input)).rejects.toThrow(/already exists/);
  expect(tree(root)).toEqual(before);
});

test('an existing migration_lock.toml is never rewritten', async () => {
  const { input, migrations } = setup();
  fs.mkdirSync(migrations);
  fs.writeFileSync(path.join(migrations, 'migration_lock.toml'), 'provider = "postgresql"\n# mine\n');
  await expect(writeTree(input)).rejects.toThrow(/already exists/);
  expect(fs.readFileSync(path.join(migrations, 'migration_lock.toml'), 'utf8')).toBe(
    'provider = "postgresql"\n# mine\n',
  );
});

test('a schema file changed since it was read is not overwritten', async () => {
  const { input, schema } = setup();
  fs.writeFileSync(schema, 'model A {\n  id Int @id\n  name String\n}\n');
  const before = tree(root);
  await expect(writeTree(input)).rejects.toThrow(/changed since it was read/);
  expect(tree(root)).toEqual(before);
});

test('refuses paths that would escape the migrations folder', async () => {
  const { input } = setup();
  for (const bad of ['../evil.sql', '/abs.sql', 'a/../../b', 'a//b', '']) {
    await expect(writeTree({ ...input, files: [{ path: bad, content: 'x' }] })).rejects.toThrow(/unsafe relative path/);
  }
});
