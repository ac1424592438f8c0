/**
 * Prisma's validator on a worker thread (src/schema/prisma-wasm-worker.ts): the same diagnostics as
 * in process, and through the real binary the same output and exit code with the worker forced on
 * (IDXGEN_VALIDATOR_WORKER=1) and off (=0); Prisma's errors still win over what the model build or
 * the rules find meanwhile, and nothing reaches stdout for an invalid schema.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_BASELINE_FILE } from '../../src/report/baseline';
import { PREVIEW_FEATURES } from '../../src/schema/preview-features';
import { callPrismaSchemaWasm, installedVersion, PRISMA_SCHEMA_WASM } from '../../src/schema/prisma-wasm';
import { validateOnWorker } from '../../src/schema/prisma-wasm-worker';
import {
  knownPreviewFeatures,
  validateWithPrisma,
  validateWithPrismaOnWorker,
  type ValidationCache,
} from '../../src/schema/validate';
import type { SchemaSource } from '../../src/schema/source';
import { DATASOURCE, EXAMPLE_SCHEMA, REPO, runCli, tempProject } from '../support/cli';

const VALID = `${DATASOURCE}\nmodel User {\n  id Int @id\n}\n`;
const UNKNOWN_TYPE = `${DATASOURCE}\nmodel User {\n  id Int @id\n  b Nope\n}\n`;
/** Two errors in two files: lint gives each its column. */
const TWO_FILES: SchemaSource[] = [
  { path: 'a.prisma', content: `${DATASOURCE}\nmodel User {\n  id Int @id\n  posts Post[]\n}\n` },
  { path: 'b.prisma', content: 'model Tag {\n  id Int @id\n  name String @unique @unique\n}\n' },
];
/** Prisma 6 syntax, sanitized before validation: its warnings come from the same model. */
const LEGACY = `datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\ngenerator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["metrics", "views"]\n}\nmodel User {\n  id    Int    @id\n  posts Post[]\n}\nmodel Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n`;
/** Invalid for Prisma (a relation field without its model) and for idxgen (an unknown annotation). */
const BOTH_INVALID = `${DATASOURCE}\n/// @idxgen.nope\nmodel Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}\n`;

function deep(depth: number): string {
  return `${DATASOURCE}\nmodel A {\n  id Int @id\n  x Int @default(${'['.repeat(depth)}${']'.repeat(depth)})\n}\n`;
}

describe('the preview features recorded for the pinned validator', () => {
  test('are the installed validator’s, at the version package.json pins', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(pkg.dependencies[PRISMA_SCHEMA_WASM]).toBe(PREVIEW_FEATURES.validator);
    expect(installedVersion(PRISMA_SCHEMA_WASM)).toBe(PREVIEW_FEATURES.validator);
    expect(JSON.parse(callPrismaSchemaWasm((wasm) => wasm.preview_features()))).toEqual([...PREVIEW_FEATURES.features]);
    expect(knownPreviewFeatures()).toEqual([...PREVIEW_FEATURES.features]);
  });
});

describe('validateWithPrismaOnWorker', () => {
  test('the worker answers itself, its memory reserved first (no fallback to this thread)', async () => {
    // validateOnWorker rejects when the worker fails (its code, such as the reservation it is
    // given as source text, throws); validateWithPrismaOnWorker would quietly validate here instead.
    const content = fs.readFileSync(EXAMPLE_SCHEMA, 'utf8');
    const params = JSON.stringify({ prismaSchema: [['schema.prisma', content]], noColor: true });
    await expect(validateOnWorker(params)).resolves.toEqual({ valid: true });
  });

  test.each([
    ['a valid schema', [{ path: 'schema.prisma', content: VALID }]],
    ['an unknown type', [{ path: 'schema.prisma', content: UNKNOWN_TYPE }]],
    ['errors in two files', TWO_FILES],
  ])('answers %s as the in-process validator does', async (_name, sources: SchemaSource[]) => {
    const inProcess = validateWithPrisma(sources);
    expect(await validateWithPrismaOnWorker(sources)).toEqual(inProcess);
    if (sources !== TWO_FILES) return;
    expect(inProcess.length).toBeGreaterThanOrEqual(2);
    expect(inProcess.every((d) => d.column !== undefined && d.line !== undefined)).toBe(true);
  });

  test('a crash of the WASM is reported at the deepest nesting, as in process', async () => {
    const [crash] = await validateWithPrismaOnWorker([{ path: 'deep.prisma', content: deep(20000) }]);
    expect(crash).toMatchObject({ file: 'deep.prisma', line: 7, column: 18 + 19999 });
    expect(crash!.message).toMatch(
      /^Prisma's schema validator crashed reading this schema \((memory access out of bounds|Maximum call stack size exceeded)\).*20002 levels/,
    );
  });

  test('stores a clean verdict and answers a repeat from the cache', async () => {
    const entries = new Map<string, string>();
    const cache: ValidationCache = {
      validator: 'test',
      get: (k) => entries.get(k),
      set: (k, v) => void entries.set(k, v),
    };
    expect(await validateWithPrismaOnWorker([{ path: 'schema.prisma', content: VALID }], cache)).toEqual([]);
    expect([...entries.values()]).toEqual(['valid']);
    const broken = { ...cache, get: (k: string) => (entries.has(k) ? 'valid' : undefined) };
    expect(await validateWithPrismaOnWorker([{ path: 'schema.prisma', content: VALID }], broken)).toEqual([]);
  });
});

describe('loadSchemaThen with the worker', () => {
  test('a verdict that fails while the continuation still awaits is its error, not an unhandled rejection', () => {
    // In a process of its own: Node 20 ends a process on an unhandled rejection (exit 1), which jest's
    // sandbox would not show. The clean verdict is stored in the cache; a cache that cannot store
    // makes the verdict reject, while the continuation waits for a timer.
    const script = `
      const { loadSchemaThen } = require(${JSON.stringify(path.join(REPO, 'dist', 'schema', 'load.js'))});
      const { prestartValidatorWorker } = require(${JSON.stringify(path.join(REPO, 'dist', 'schema', 'prisma-wasm-worker.js'))});
      const failing = { validator: 'test', get: () => undefined, set: () => { throw new Error('disk full'); } };
      prestartValidatorWorker();
      loadSchemaThen([{ path: 'schema.prisma', content: ${JSON.stringify(VALID)} }], failing, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return 'planned';
      }).then(
        (value) => console.log('resolved', value),
        (error) => console.log('rejected', error.message),
      );
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: 'rejected disk full' });
  });
});

describe('main() in process (a library user, the tests)', () => {
  test('with the worker forced on: the same result, and the worker ends with the run', async () => {
    const argv = ['check', '--level', 'info', '--schema', EXAMPLE_SCHEMA];
    const off = await runCli(argv, REPO, { IDXGEN_NO_CACHE: '1', IDXGEN_VALIDATOR_WORKER: '0' });
    expect(off.code).toBe(1);
    expect(await runCli(argv, REPO, { IDXGEN_NO_CACHE: '1', IDXGEN_VALIDATOR_WORKER: '1' })).toEqual(off);
    // A worker started for a run that fails before validating is ended too (jest would report it open).
    const project = tempProject({ 'prisma/schema.prisma': 'datasource db {\n  provider = "mysql"\n}\n' });
    try {
      expect((await runCli(['check'], project.dir, { IDXGEN_NO_CACHE: '1', IDXGEN_VALIDATOR_WORKER: '1' })).code).toBe(
        2,
      );
    } finally {
      project.cleanup();
    }
  });
});

/** The built binary in `cwd` with the worker forced on or off, cache off. */
function bin(argv: string[], cwd: string, worker: '0' | '1'): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'idxgen.js'), ...argv], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1', IDXGEN_VALIDATOR_WORKER: worker },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the binary with the validator on a worker thread', () => {
  test.each([
    ['check, the example schema', ['check', '--schema', EXAMPLE_SCHEMA], 1],
    ['plan, the example schema', ['plan', '--schema', EXAMPLE_SCHEMA], 0],
    [
      'check --format json --level info, the example schema',
      ['check', '--format', 'json', '--level', 'info', '--schema', EXAMPLE_SCHEMA],
      1,
    ],
    [
      'generate --dry-run, the example schema',
      ['generate', '--dry-run', '--timestamp', '20260101000000', '--schema', EXAMPLE_SCHEMA],
      0,
    ],
  ])('%s: same output and exit code as without', (_name, argv, code) => {
    const off = bin(argv, REPO, '0');
    expect(off.code).toBe(code);
    expect(bin(argv, REPO, '1')).toEqual(off);
  });

  test('the worker itself answers, for a valid and an invalid schema (not the in-process fallback)', () => {
    const recorder = path.join(REPO, '__tests__', 'fixtures', 'validator-worker', 'record-answers.js');
    const answers = (argv: string[], cwd: string) => {
      const r = spawnSync(process.execPath, ['-r', recorder, path.join(REPO, 'bin', 'idxgen.js'), ...argv], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', IDXGEN_NO_CACHE: '1', IDXGEN_VALIDATOR_WORKER: '1' },
      });
      return { code: r.status, answers: r.stderr.split('\n').filter((line) => line.startsWith('worker answered: ')) };
    };
    expect(answers(['check', '--schema', EXAMPLE_SCHEMA], REPO)).toEqual({
      code: 1,
      answers: ['worker answered: valid'],
    });
    const invalid = tempProject({ 'prisma/schema.prisma': UNKNOWN_TYPE });
    try {
      expect(answers(['plan'], invalid.dir)).toEqual({ code: 2, answers: ['worker answered: invalid'] });
    } finally {
      invalid.cleanup();
    }
  });

  test("the V8 flags wait for the worker's bootstrap, and are set before it loads the WASM", () => {
    // Node's own modules compile from source under any V8 flag, so the bin sets its flags only once
    // the worker has booted (or the wait timed out), and before the worker compiles Prisma's WASM,
    // which the WebAssembly flags must govern (src/schema/prisma-wasm-worker.ts).
    const recorder = path.join(REPO, '__tests__', 'fixtures', 'validator-worker', 'record-flag-timing.js');
    const events = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, ['-r', recorder, path.join(REPO, 'bin', 'idxgen.js'), 'check'], {
        cwd: REPO,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', IDXGEN_VALIDATOR_WORKER: '1', ...env },
      });
      expect(r.status).toBe(1);
      return r.stderr.split('\n').filter((line) => /^(wait|flags|load)\b/.test(line));
    };
    const validating = events({ IDXGEN_NO_CACHE: '1' });
    expect(validating).toHaveLength(3);
    const [wait, flags, load] = validating;
    expect(wait).toMatch(/^wait (ok|not-equal|timed-out)$/);
    expect(flags).toBe(wait === 'wait timed-out' ? 'flags booted=0' : 'flags booted=1');
    expect(load).toBe('load');
    // The cache answers (the run before stored the verdict): the worker is never used, and the flags
    // are set without waiting for it.
    events({});
    expect(events({})).toEqual([expect.stringMatching(/^flags booted=[01]$/)]);
  });

  test('check --baseline records the findings only once Prisma has accepted the schema', () => {
    // The report is made while Prisma validates (planThen); the baseline file is written after its verdict.
    const invalid = tempProject({ 'prisma/schema.prisma': UNKNOWN_TYPE });
    const valid = tempProject({ 'prisma/schema.prisma': fs.readFileSync(EXAMPLE_SCHEMA, 'utf8') });
    try {
      const rejected = bin(['check', '--baseline'], invalid.dir, '1');
      expect(rejected.code).toBe(2);
      expect(rejected.stderr).toMatch(/schema\.prisma:7:5: Type "Nope" is neither/);
      expect(fs.existsSync(path.join(invalid.dir, DEFAULT_BASELINE_FILE))).toBe(false);
      const recorded = bin(['check', '--baseline'], valid.dir, '1');
      expect(recorded.code).toBe(0);
      expect(recorded.stderr).toMatch(/^idxgen: recorded \d+ findings in /);
      expect(fs.existsSync(path.join(valid.dir, DEFAULT_BASELINE_FILE))).toBe(true);
      // Against the recorded baseline: nothing new, with the worker as without.
      const off = bin(['check', '--baseline'], valid.dir, '0');
      expect(off.code).toBe(0);
      expect(bin(['check', '--baseline'], valid.dir, '1')).toEqual(off);
    } finally {
      invalid.cleanup();
      valid.cleanup();
    }
  });

  test.each([
    ['an unknown type', UNKNOWN_TYPE, /schema\.prisma:7:5: Type "Nope" is neither/],
    ['Prisma 6 syntax (sanitized, with warnings)', LEGACY, /^$/],
    ['an error for Prisma and one for idxgen: Prisma’s is reported', BOTH_INVALID, /schema\.prisma:9:\d+: .*User/],
  ])('%s: same stderr and exit code, nothing on stdout when invalid', (_name, schema, stderr) => {
    const project = tempProject({ 'prisma/schema.prisma': schema });
    try {
      for (const argv of [['check', '--level', 'info'], ['plan']]) {
        const off = bin(argv, project.dir, '0');
        const on = bin(argv, project.dir, '1');
        expect(on).toEqual(off);
        if (off.code === 2) {
          expect(on.stdout).toBe('');
          expect(on.stderr).toMatch(stderr);
          expect(on.stderr).not.toMatch(/idxgen\.nope|internal error/);
        }
      }
    } finally {
      project.cleanup();
    }
  });
});
