/**
 * Every exit code of every command, proven on the real binary (`node bin/idxgen.js`, built dist/):
 * the code a CI step or a git hook sees is the process's, not main()'s return value. verify runs on
 * the embedded server here, whose package registers an exit hook that calls process.exit(0) (it
 * once turned verify's exit 1 and 3 into 0).
 *
 * Exit 3 (an internal error, always a bug) comes from a deliberate fault that exists only for these
 * tests (src/cli/test-fault.ts): it fires only when NODE_ENV is exactly "test" (jest sets it, and
 * the child process inherits it) AND IDXGEN_TEST_FAULT names the point (`plan`, `check`,
 * `generate`, `verify`, or `verify:step` = once verify's database server is running). One variable
 * alone does nothing, so a production run cannot trip it by accident; the last test checks that.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  EXAMPLE_SCHEMA,
  REPO,
  runCli,
  snapshotTree,
  tempProject,
  type RunResult,
  UNINDEXED_FK_SCHEMA,
} from '../support/cli';

const BIN = path.join(REPO, 'bin', 'idxgen.js');
const VERIFY_FIXTURES = path.join(REPO, '__tests__', 'fixtures', 'verify');

const UNINDEXED = UNINDEXED_FK_SCHEMA;
const INDEXED = UNINDEXED.replace(
  '  author   User @relation(fields: [authorId], references: [id])\n',
  '  author   User @relation(fields: [authorId], references: [id])\n\n  @@index([authorId])\n',
);

/** The real binary, in `cwd`, with only the environment a test names on top of this process's. */
function bin(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): RunResult {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' };
  delete base.IDXGEN_TEST_FAULT;
  const r = spawnSync(process.execPath, [BIN, ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...base, ...env },
    timeout: 180_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const NO_STACK = /\n\s+at .*\.(ts|js):\d+/;

beforeAll(() => {
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js')))
    throw new Error('run `npm run build` first (npm ci does it through prepare)');
  expect(process.env.NODE_ENV).toBe('test');
});

let project: { dir: string; cleanup: () => void };
afterEach(() => project?.cleanup());

describe('plan', () => {
  test('0: a valid schema', () => {
    project = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const r = bin(['plan'], project.dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('fk-index');
    expect(r.code).toBe(0);
  });
  test('2: a schema that does not exist', () => {
    project = tempProject({});
    expect(bin(['plan', '--schema', 'nope.prisma'], project.dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'nope.prisma: schema not found (from --schema)\n',
    });
  });
  test('3: an internal error', () => {
    project = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const r = bin(['plan'], project.dir, { IDXGEN_TEST_FAULT: 'plan' });
    expect(r.stderr).toMatch(
      /^idxgen: internal error \(please report it\): Error: IDXGEN_TEST_FAULT=plan: a deliberate internal error/,
    );
    expect(r.code).toBe(3);
  });
  test('the whole report reaches a reader that starts late, before the process exits', async () => {
    // One 190 KB write of JSON: exiting as soon as main() returns loses what the pipe has not taken.
    const expected = (await runCli(['plan', '--format', 'json', '--schema', EXAMPLE_SCHEMA], REPO)).stdout;
    const script = `"${process.execPath}" "${BIN}" plan --format json --schema "${EXAMPLE_SCHEMA}" | (sleep 0.5; cat); echo "exit \${PIPESTATUS[0]}" >&2`;
    const r = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stderr).toBe('exit 0\n');
    expect(expected.length).toBeGreaterThan(128 * 1024);
    expect(r.stdout.length).toBe(expected.length);
    expect(r.stdout === expected).toBe(true);
  });
});

describe('check', () => {
  test('0: no finding at the level', () => {
    project = tempProject({ 'prisma/schema.prisma': INDEXED });
    expect(bin(['check'], project.dir)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
  test('1: an error-level finding', () => {
    project = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const r = bin(['check'], project.dir);
    expect(r.stdout).toMatch(/^prisma\/schema\.prisma:\d+:\d+: error fk-index: /);
    expect(r.code).toBe(1);
  });
  test('2: a bad config', () => {
    project = tempProject({
      'prisma/schema.prisma': UNINDEXED,
      'idxgen.config.json': '{"rules": {"fk-index": "loud"}}',
    });
    const r = bin(['check'], project.dir);
    expect(r.stderr).toBe(
      'idxgen.config.json: config rules.fk-index: "loud" is not a severity (error, warn, info, off)\n',
    );
    expect(r.code).toBe(2);
  });
  test('3: an internal error', () => {
    project = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const r = bin(['check'], project.dir, { IDXGEN_TEST_FAULT: 'check' });
    expect(r.stderr).toMatch(/^idxgen: internal error \(please report it\): Error: IDXGEN_TEST_FAULT=check: /);
    expect(r.code).toBe(3);
  });
});

describe('generate', () => {
  test('0: writes the folders', () => {
    project = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const r = bin(['generate', '--timestamp', '20250101000000'], project.dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(project.dir, 'prisma', 'migrations'))).toContain(
      '20250101000000_idx_post_authorid',
    );
  });
  test('2: a bad --timestamp, nothing written', () => {
    project = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const before = snapshotTree(project.dir);
    const r = bin(['generate', '--timestamp', 'soon'], project.dir);
    expect(r.stderr).toMatch(/^--timestamp "soon": expected YYYYMMDDHHMMSS/);
    expect(r.code).toBe(2);
    expect(snapshotTree(project.dir)).toEqual(before);
  });
  test('3: an internal error, nothing written', () => {
    project = tempProject({ 'prisma/schema.prisma': UNINDEXED });
    const before = snapshotTree(project.dir);
    const r = bin(['generate'], project.dir, { IDXGEN_TEST_FAULT: 'generate' });
    expect(r.stderr).toMatch(/^idxgen: internal error \(please report it\): Error: IDXGEN_TEST_FAULT=generate: /);
    expect(r.code).toBe(3);
    expect(snapshotTree(project.dir)).toEqual(before);
  });
});

describe('verify on the embedded server', () => {
  test('0: every step passed', () => {
    const r = bin(['verify'], path.join(VERIFY_FIXTURES, 'pass'));
    expect(r.stdout).toMatch(/\nPASS: every step passed .*\n$/);
    expect(r.stdout).toContain('embedded');
    expect(r.code).toBe(0);
  });
  test('1: a step failed (the embedded server ran and was stopped)', () => {
    const r = bin(['verify'], path.join(VERIFY_FIXTURES, 'broken'));
    expect(r.stdout).toMatch(/\nFAIL: \d+ steps did not pass: .*exit code 1/);
    expect(r.stdout).toContain('embedded');
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.code).toBe(1);
  });
  test('2: a bad --database-url, before anything starts', () => {
    const r = bin(['verify', '--database-url', 'mysql://localhost/x'], path.join(VERIFY_FIXTURES, 'pass'));
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stderr).toMatch(/database-url/);
    expect(r.code).toBe(2);
  });
  test('3: an internal error while the embedded server runs', () => {
    const r = bin(['verify'], path.join(VERIFY_FIXTURES, 'pass'), { IDXGEN_TEST_FAULT: 'verify:step' });
    expect(r.stderr).toMatch(/^idxgen: internal error \(please report it\): Error: IDXGEN_TEST_FAULT=verify:step: /);
    expect(r.code).toBe(3);
  });
});

test('the fault needs both NODE_ENV=test and a known point: neither alone changes a run', () => {
  project = tempProject({ 'prisma/schema.prisma': INDEXED });
  expect(bin(['check'], project.dir, { NODE_ENV: 'production', IDXGEN_TEST_FAULT: 'check' })).toEqual({
    code: 0,
    stdout: '',
    stderr: '',
  });
  expect(bin(['check'], project.dir, { IDXGEN_TEST_FAULT: 'somewhere-else' })).toEqual({
    code: 0,
    stdout: '',
    stderr: '',
  });
  expect(bin(['check'], project.dir, { IDXGEN_TEST_FAULT: 'plan' })).toEqual({ code: 0, stdout: '', stderr: '' });
});
