import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../src/errors';
import { migrationsPathFromPrismaConfig, readMigrations, resolveMigrationsDir } from '../../src/io/read-migrations';
import { readPrismaVersion } from '../../src/compat/prisma-version';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-readmig-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function write(rel: string, content = ''): void {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

describe('resolveMigrationsDir', () => {
  const single = { target: 'prisma/schema.prisma', origin: 'default location', files: ['prisma/schema.prisma'] };
  const folder = {
    target: 'prisma/schema',
    origin: 'default location',
    files: ['prisma/schema/schema.prisma', 'prisma/schema/models/a.prisma'],
  };

  test('--migrations wins, relative to cwd', () => {
    expect(resolveMigrationsDir(root, single, { explicit: 'db/migrations' }).dir).toBe(
      path.join(root, 'db/migrations'),
    );
  });

  test('single file: migrations/ beside it', () => {
    write('prisma/schema.prisma');
    expect(resolveMigrationsDir(root, single, {}).dir).toBe(path.join(root, 'prisma/migrations'));
  });

  test('prisma.config.ts migrations.path (a literal), relative to the config file', () => {
    write('prisma/schema.prisma');
    write(
      'prisma.config.ts',
      `import { defineConfig } from 'prisma/config'\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  // migrations: { path: 'wrong' },\n  migrations: { seed: 'tsx seed.ts', path: 'db/migrations' },\n})\n`,
    );
    expect(resolveMigrationsDir(root, single, {})).toEqual({
      dir: path.join(root, 'db/migrations'),
      origin: 'prisma.config.ts migrations.path',
    });
    expect(migrationsPathFromPrismaConfig("migrations: { path: path.join('a', 'b') }")).toBeUndefined();
  });

  test('folder schema, nothing yet: Prisma 7 puts migrations inside the schema folder', () => {
    write('prisma/schema/schema.prisma');
    expect(resolveMigrationsDir(root, folder, { datasourceFile: 'prisma/schema/schema.prisma' }).dir).toBe(
      path.join(root, 'prisma/schema/migrations'),
    );
  });

  test('folder schema on Prisma < 6.6: beside the schema folder', () => {
    write('prisma/schema/schema.prisma');
    const v = { major: 6, minor: 5, patch: 0, source: 'test' };
    expect(resolveMigrationsDir(root, folder, { prismaVersion: v }).dir).toBe(path.join(root, 'prisma/migrations'));
  });

  test('folder schema on Prisma 6.6+: beside the file with the datasource block', () => {
    write('prisma/schema/base/db.prisma');
    const v = { major: 6, minor: 19, patch: 0, source: 'test' };
    expect(
      resolveMigrationsDir(root, folder, { prismaVersion: v, datasourceFile: 'prisma/schema/base/db.prisma' }).dir,
    ).toBe(path.join(root, 'prisma/schema/base/migrations'));
  });

  test('folder schema: an existing migrations folder among the candidates wins', () => {
    write('prisma/schema/schema.prisma');
    write('prisma/migrations/20240101000000_init/migration.sql', 'CREATE TABLE a();');
    expect(resolveMigrationsDir(root, folder, { datasourceFile: 'prisma/schema/schema.prisma' }).dir).toBe(
      path.join(root, 'prisma/migrations'),
    );
  });
});

describe('readMigrations', () => {
  test('a missing folder is an empty history', () => {
    expect(readMigrations(path.join(root, 'nope'))).toEqual({ folders: [], hasLockFile: false });
  });

  test('a path that is a file is a user error', () => {
    write('migrations', 'not a folder');
    expect(() => readMigrations(path.join(root, 'migrations'), 'migrations')).toThrow(UserError);
    expect(() => readMigrations(path.join(root, 'migrations'), 'migrations')).toThrow(
      'migrations: the migrations path is a file, not a folder',
    );
  });

  test('folders sorted by name with their migration.sql; files and hidden folders ignored', () => {
    write('m/20240102000000_b/migration.sql', 'B');
    write('m/20240101000000_a/migration.sql', 'A');
    write('m/20240103000000_empty/README', 'no sql');
    write('m/.idxgen-staging-x/20990101000000_x/migration.sql', 'X');
    write('m/migration_lock.toml', 'provider = "postgresql"');
    expect(readMigrations(path.join(root, 'm'))).toEqual({
      folders: [
        { name: '20240101000000_a', sql: 'A', file: path.join(root, 'm', '20240101000000_a', 'migration.sql') },
        { name: '20240102000000_b', sql: 'B', file: path.join(root, 'm', '20240102000000_b', 'migration.sql') },
        { name: '20240103000000_empty', sql: '', file: path.join(root, 'm', '20240103000000_empty', 'migration.sql') },
      ],
      hasLockFile: true,
    });
  });
});

describe('readPrismaVersion', () => {
  test('installed prisma CLI first', () => {
    write('package.json', JSON.stringify({ devDependencies: { prisma: '^6.0.0' } }));
    write('node_modules/prisma/package.json', JSON.stringify({ name: 'prisma', version: '7.4.1' }));
    expect(readPrismaVersion(root)).toMatchObject({ major: 7, minor: 4, patch: 1 });
  });

  test('then @prisma/client', () => {
    write('node_modules/@prisma/client/package.json', JSON.stringify({ version: '6.19.0' }));
    expect(readPrismaVersion(root)).toMatchObject({ major: 6, minor: 19, patch: 0 });
  });

  test('then the lowest version package.json allows', () => {
    write('package.json', JSON.stringify({ dependencies: { '@prisma/client': '~7.5.2' } }));
    expect(readPrismaVersion(root)).toMatchObject({ major: 7, minor: 5, patch: 2 });
    write('package.json', JSON.stringify({ devDependencies: { prisma: '>=7.4' } }));
    expect(readPrismaVersion(root)).toMatchObject({ major: 7, minor: 4, patch: 0 });
  });

  test('unknown when nothing says', () => {
    write('package.json', JSON.stringify({ devDependencies: { prisma: 'latest' } }));
    expect(readPrismaVersion(root)).toBeUndefined();
  });
});
