/**
 * `check` is the pre-commit hook: PostgreSQL's parser (libpg-query, ~125 ms CPU to load and warm)
 * stays out of it. Migration folders are read with the parser, so `check` reads them only when
 * the plan holds an entry only a migration can settle (a CHECK constraint) at the level it reports,
 * and parses only the folders that name one. Through the real binary (needs `npm run build`), with
 * a require hook that records whether libpg-query was loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATASOURCE, tempProject } from '../support/cli';

const REPO = path.join(__dirname, '..', '..');

const SCHEMA = `${DATASOURCE}
model Job {
  id         Int @id
  /// @idxgen.check(retryCount >= 0)
  retryCount Int @default(0)
}
`;

const INIT = `-- CreateTable
CREATE TABLE "Job" ("id" INTEGER NOT NULL, "retryCount" INTEGER NOT NULL DEFAULT 0, CONSTRAINT "Job_pkey" PRIMARY KEY ("id"));
`;
const CHECK_ADDED = `ALTER TABLE "Job" ADD CONSTRAINT "Job_retryCount_check" CHECK ("retryCount" >= 0) NOT VALID;\n`;
const BROKEN = CHECK_ADDED.replace('CHECK (', 'CHECK ((');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  parser: boolean;
}

function check(dir: string, args: string[]): Run {
  const hook = path.join(dir, '.probe.js');
  const out = path.join(dir, '.probe.out');
  fs.writeFileSync(
    hook,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, String(Object.keys(require.cache).some((f) => f.includes('libpg-query')))));\n`,
  );
  const r = spawnSync(
    process.execPath,
    ['--require', hook, path.join(REPO, 'bin', 'idxgen.js'), 'check', '--no-cache', ...args],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, parser: fs.readFileSync(out, 'utf8') === 'true' };
}

let project: { dir: string; cleanup: () => void } | undefined;
afterEach(() => project?.cleanup());

test('default check, and check --level warn where no folder names the CHECK (the init folder names its table), never load the parser', () => {
  project = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'prisma/migrations/20240101000000_init/migration.sql': INIT,
  });
  const errorLevel = check(project.dir, []);
  expect([errorLevel.code, errorLevel.parser]).toEqual([0, false]);
  const warn = check(project.dir, ['--level', 'warn']);
  expect(warn.stdout).toContain('"Job_retryCount_check" NOT VALID');
  expect([warn.code, warn.parser]).toEqual([1, false]);
});

test('check --level warn parses the folder that created the CHECK, and no longer reports it', () => {
  project = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'prisma/migrations/20240101000000_init/migration.sql': INIT,
    'prisma/migrations/20240102000000_check/migration.sql': CHECK_ADDED,
    'prisma/migrations/20240103000000_validate/migration.sql':
      'ALTER TABLE "Job" VALIDATE CONSTRAINT "Job_retryCount_check";\n',
  });
  const r = check(project.dir, ['--level', 'warn']);
  expect(r.stdout).not.toContain('Job_retryCount_check');
  expect([r.code, r.parser]).toEqual([0, true]);
});

test('a folder PostgreSQL cannot parse that check must read is exit 2 at file:line:col, nothing on stdout', () => {
  project = tempProject({
    'prisma/schema.prisma': SCHEMA,
    'prisma/migrations/20240101000000_init/migration.sql': INIT,
    'prisma/migrations/20240102000000_check/migration.sql': `-- hand-edited\n${BROKEN}`,
  });
  const r = check(project.dir, ['--level', 'warn']);
  const column = BROKEN.indexOf('NOT VALID') + 1;
  expect(r.stderr.trimEnd()).toBe(
    `prisma/migrations/20240102000000_check/migration.sql:2:${column}: PostgreSQL cannot parse this migration: syntax error at or near "NOT"`,
  );
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
});
