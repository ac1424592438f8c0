/**
 * Files that are not what they claim, through the real binary (a run that hangs or aborts must be
 * caught as such, not take the test worker down): devices, FIFOs, oversized files, a schema
 * folder idxgen may not list, and generate where the disk refuses the write. Each is exit 2 with
 * the path and the reason, no stack trace, nothing written.
 *
 * Permission cases need a user that permissions apply to: chmod does not stop root, so as root the
 * binary runs as `nobody` (uid/gid 65534) on a project that user owns.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { MiB } from '../../src/io/read-input';
import { REPO, snapshotTree, tempProject, type RunResult, UNINDEXED_FK_SCHEMA } from '../support/cli';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

const SCHEMA = UNINDEXED_FK_SCHEMA;

function bin(argv: string[], cwd: string, opts: { asNobody?: boolean } = {}): RunResult {
  const user = opts.asNobody && AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {};
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' },
    timeout: 30_000,
    ...user,
  });
  if (r.error) throw r.error;
  if (r.signal) throw new Error(`idxgen was killed by ${r.signal} (a hang or an abort)\n${r.stderr}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function expectBadInput(r: RunResult, stderr: string): void {
  expect(r.stderr).toBe(stderr);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
}

/** A temp project the test user can read and write (root's mkdtemp is 0700 and root's own). */
function project(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const p = tempProject(files);
  if (AS_ROOT) execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, p.dir]);
  return p;
}

let current: { dir: string; cleanup: () => void } | undefined;
afterEach(() => {
  if (current) {
    execFileSync('chmod', ['-R', 'u+rwX', current.dir]);
    current.cleanup();
  }
  current = undefined;
});

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js')))
    throw new Error('run `npm run build` first (npm ci does it through prepare)');
});

describe('inputs that are not regular files, or too large', () => {
  test('--schema /dev/zero: refused at once (it used to read forever)', () => {
    current = project({});
    expectBadInput(
      bin(['plan', '--schema', '/dev/zero'], current.dir),
      '/dev/zero: cannot read schema file: it is a character device, not a regular file\n',
    );
  });

  test('--config /dev/zero: refused (it used to abort the process, exit 134)', () => {
    current = project({ 'schema.prisma': SCHEMA });
    expectBadInput(
      bin(['check', '--config', '/dev/zero'], current.dir),
      '/dev/zero: cannot read config: it is a character device, not a regular file\n',
    );
  });

  test('a FIFO as the schema, as a file of a schema folder, and as .idxgenrc.json: refused without waiting for a writer', () => {
    current = project({ 'schema.prisma': SCHEMA, 'folder/schema.prisma': SCHEMA });
    execFileSync('mkfifo', [path.join(current.dir, 'pipe.prisma'), path.join(current.dir, 'folder', 'more.prisma')]);
    expectBadInput(
      bin(['plan', '--schema', 'pipe.prisma'], current.dir),
      'pipe.prisma: cannot read schema file: it is a named pipe (FIFO), not a regular file\n',
    );
    expectBadInput(
      bin(['plan', '--schema', 'folder'], current.dir),
      'folder/more.prisma: cannot read schema file: it is a named pipe (FIFO), not a regular file\n',
    );
    execFileSync('mkfifo', [path.join(current.dir, '.idxgenrc.json')]);
    expectBadInput(
      bin(['check'], current.dir),
      '.idxgenrc.json: cannot read config: it is a named pipe (FIFO), not a regular file\n',
    );
  });

  test('a schema over 16 MiB and a config over 1 MiB are refused; one byte less is read', () => {
    current = project({ 'schema.prisma': SCHEMA });
    const big = path.join(current.dir, 'big.prisma');
    fs.writeFileSync(big, SCHEMA);
    fs.truncateSync(big, 16 * MiB + 1); // sparse: NUL bytes after the schema
    expectBadInput(
      bin(['plan', '--schema', 'big.prisma'], current.dir),
      'big.prisma: cannot read schema file: it is 16777217 bytes; idxgen reads at most 16 MiB from such a file\n',
    );
    fs.truncateSync(big, 16 * MiB);
    // Read in full, then judged: NUL bytes are not text.
    expectBadInput(
      bin(['plan', '--schema', 'big.prisma'], current.dir),
      'big.prisma: is not a text file (binary content or invalid UTF-8); a Prisma schema is UTF-8 text\n',
    );

    const config = JSON.stringify({ rules: { 'fk-index': 'error' } });
    fs.writeFileSync(path.join(current.dir, 'idxgen.config.json'), config + ' '.repeat(MiB + 1 - config.length));
    expectBadInput(
      bin(['check'], current.dir),
      'idxgen.config.json: cannot read config: it is 1048577 bytes; idxgen reads at most 1 MiB from such a file\n',
    );
    fs.writeFileSync(path.join(current.dir, 'idxgen.config.json'), config + ' '.repeat(MiB - config.length));
    expect(bin(['check'], current.dir).code).toBe(1); // the config is read: fk-index finds the FK
  });
});

describe('a schema folder idxgen cannot list', () => {
  test('a subfolder without read permission: exit 2 naming it (it crashed with EACCES, exit 3)', () => {
    current = project({ 'prisma/schema/schema.prisma': SCHEMA, 'prisma/schema/locked/x.prisma': '' });
    fs.chmodSync(path.join(current.dir, 'prisma', 'schema', 'locked'), 0o000);
    expectBadInput(
      bin(['plan'], current.dir, { asNobody: true }),
      'prisma/schema/locked: cannot read this folder of the schema (EACCES: permission denied)\n',
    );
  });

  test('a dangling symlink and a symlink loop named *.prisma: exit 2 naming them', () => {
    current = project({ 'prisma/schema/schema.prisma': SCHEMA });
    const dir = path.join(current.dir, 'prisma', 'schema');
    fs.symlinkSync('gone.prisma', path.join(dir, 'dangling.prisma'));
    expectBadInput(bin(['plan'], current.dir), 'prisma/schema/dangling.prisma: schema file not found\n');
    fs.rmSync(path.join(dir, 'dangling.prisma'));
    fs.symlinkSync('loop.prisma', path.join(dir, 'loop.prisma'));
    expectBadInput(bin(['plan'], current.dir), 'prisma/schema/loop.prisma: cannot read schema file (ELOOP)\n');
  });
});

describe('generate where the disk refuses the write: exit 2, the path and the reason, nothing left behind', () => {
  test('a file stands where a new migration folder goes (it crashed, exit 3)', () => {
    current = project({
      'prisma/schema.prisma': SCHEMA,
      'prisma/migrations/20250101000000_idx_post_authorid': 'not a folder',
    });
    const before = snapshotTree(current.dir);
    expectBadInput(
      bin(['generate', '--timestamp', '20250101000000'], current.dir),
      'prisma/migrations/20250101000000_idx_post_authorid: already exists; existing migrations are never touched; nothing was written\n',
    );
    expect(snapshotTree(current.dir)).toEqual(before);
  });

  test('a file stands where the migrations folder goes', () => {
    current = project({ 'prisma/schema.prisma': SCHEMA, 'prisma/migrations': 'a file' });
    const before = snapshotTree(current.dir);
    expectBadInput(bin(['generate'], current.dir), 'prisma/migrations: the migrations path is a file, not a folder\n');
    expect(snapshotTree(current.dir)).toEqual(before);
  });

  test('the migrations folder cannot be written (it crashed with EACCES, exit 3)', () => {
    current = project({ 'prisma/schema.prisma': SCHEMA, 'prisma/migrations/.keep': '' });
    const migrations = path.join(current.dir, 'prisma', 'migrations');
    fs.chmodSync(migrations, 0o555);
    const before = snapshotTree(current.dir);
    const r = bin(['generate', '--timestamp', '20250101000000'], current.dir, { asNobody: true });
    expectBadInput(
      r,
      'prisma/migrations/20250101000000_idx_post_authorid: cannot write here (rename: EACCES, permission denied); nothing was written\n',
    );
    expect(snapshotTree(current.dir)).toEqual(before);
    expect(fs.readdirSync(path.join(current.dir, 'prisma')).sort()).toEqual(['migrations', 'schema.prisma']); // no staging folder, no temp file
  });

  test('a missing migrations folder whose parent cannot be written', () => {
    current = project({ 'prisma/schema.prisma': SCHEMA, 'out/.keep': '' });
    fs.chmodSync(path.join(current.dir, 'out'), 0o555);
    const before = snapshotTree(current.dir);
    const r = bin(['generate', '--timestamp', '20250101000000', '--migrations', 'out/migrations'], current.dir, {
      asNobody: true,
    });
    expectBadInput(r, 'out/migrations: cannot write here (mkdir: EACCES, permission denied); nothing was written\n');
    expect(snapshotTree(current.dir)).toEqual(before);
  });
});
