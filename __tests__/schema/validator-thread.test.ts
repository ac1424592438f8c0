import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXAMPLE_SCHEMA, runCli, tempProject } from '../support/cli';
import { startValidationWithPrismaMajor, validateWithPrismaMajor, validatorModule } from '../../src/schema/validate';
import { startValidatorThread, type ValidatorThread } from '../../src/schema/validator-thread';

/** The example as a Prisma 5/6 project writes it (a datasource url), and two ways to break it. */
const SCHEMA_6 = fs
  .readFileSync(EXAMPLE_SCHEMA, 'utf8')
  .replace(/^  provider = "postgresql"$/m, '  provider = "postgresql"\n  url      = env("DATABASE_URL")');
const UNKNOWN_TYPE = SCHEMA_6.replace(/^(model Comment \{\n)/m, '$1  mood Mood\n');
const BAD_ARGUMENT = SCHEMA_6.replace(
  /^(model Comment \{[^}]*?)\n\}/m,
  '$1\n  @@index([authorId], where: raw("1"))\n}',
);
const files = (content: string) => [{ path: 'prisma/schema.prisma', content }];

describe('a validator thread answers as validating in this thread does', () => {
  for (const major of [5, 6] as const) {
    test(`Prisma ${major}: valid, unknown type and bad argument, with the same lines and columns`, () => {
      const thread = startValidatorThread(validatorModule(major))!;
      expect(thread).toBeDefined();
      try {
        for (const content of [SCHEMA_6, UNKNOWN_TYPE, BAD_ARGUMENT]) {
          const inProcess = validateWithPrismaMajor(files(content), major);
          expect(startValidationWithPrismaMajor(files(content), major, thread)()).toEqual(inProcess);
          // ...from the thread's own answer, not from the fallback in this thread.
          const params = JSON.stringify({ prismaSchema: [['prisma/schema.prisma', content]], noColor: true });
          expect(thread.validate(params)()).toEqual(
            inProcess.length === 0 ? { valid: true } : expect.objectContaining({ valid: false, crash: false }),
          );
        }
        expect(validateWithPrismaMajor(files(UNKNOWN_TYPE), major)).toEqual([
          expect.objectContaining({ file: 'prisma/schema.prisma', line: expect.any(Number), column: 8 }),
        ]);
      } finally {
        thread.end();
      }
    });
  }

  test('several schemas in flight, their answers read in any order', () => {
    const thread = startValidatorThread(validatorModule(6))!;
    try {
      const valid = thread.validate(JSON.stringify({ prismaSchema: [['a.prisma', SCHEMA_6]], noColor: true }));
      const invalid = thread.validate(JSON.stringify({ prismaSchema: [['b.prisma', UNKNOWN_TYPE]], noColor: true }));
      const again = thread.validate(JSON.stringify({ prismaSchema: [['c.prisma', SCHEMA_6]], noColor: true }));
      expect(again()).toEqual({ valid: true });
      expect(invalid()).toEqual(expect.objectContaining({ valid: false, crash: false }));
      expect(valid()).toEqual({ valid: true });
      expect(invalid()).toEqual(expect.objectContaining({ valid: false }));
    } finally {
      thread.end();
    }
  });
});

describe('no answer from a thread is a validation in this thread', () => {
  const inProcess = () => validateWithPrismaMajor(files(UNKNOWN_TYPE), 6);

  test('a module that does not load', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-thread-'));
    const broken = path.join(dir, 'broken.js');
    fs.writeFileSync(broken, "throw new Error('not a validator');\n");
    const thread = startValidatorThread(broken)!;
    try {
      expect(thread).toBeDefined();
      expect(thread.validate('{}')()).toBeUndefined();
      expect(startValidationWithPrismaMajor(files(UNKNOWN_TYPE), 6, thread)()).toEqual(inProcess());
    } finally {
      thread.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a module that cannot be found starts no thread', () => {
    expect(startValidatorThread('idxgen-no-such-validator')).toBeUndefined();
  });

  test('a thread ended before its answer was read', () => {
    const thread: ValidatorThread = startValidatorThread(validatorModule(6))!;
    const answer = startValidationWithPrismaMajor(files(UNKNOWN_TYPE), 6, thread);
    thread.end();
    expect(answer()).toEqual(inProcess());
    expect(thread.validate('{}')()).toBeUndefined();
  });
});

describe('generate with the project validator on a thread', () => {
  /** Every file below `dir`, by relative path. */
  const tree = (dir: string): Record<string, string> =>
    Object.fromEntries(
      (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[])
        .filter((f) => fs.statSync(path.join(dir, f)).isFile())
        .sort()
        .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
    );

  test('writes and says what it does in this thread (a Prisma 6 project)', async () => {
    const outcomes = [];
    for (const worker of ['0', '1']) {
      const p = tempProject({ 'prisma/schema.prisma': SCHEMA_6 });
      try {
        const run = await runCli(['generate', '--no-cache'], p.dir, { IDXGEN_VALIDATOR_WORKER: worker });
        outcomes.push({ run, files: tree(path.join(p.dir, 'prisma')) });
      } finally {
        p.cleanup();
      }
    }
    const [inThisThread, onThread] = outcomes;
    expect(inThisThread!.run.code).toBe(0);
    expect(inThisThread!.run.stderr).toContain("the edited schema validates with Prisma 6's validator");
    expect(Object.keys(inThisThread!.files).length).toBeGreaterThan(2);
    expect(onThread).toEqual(inThisThread);
  });
});
