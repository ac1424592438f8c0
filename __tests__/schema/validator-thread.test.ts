import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXAMPLE_SCHEMA, runCli, tempProject } from '../support/cli';
import { UserError } from '../../src/errors';
import { loadSchema } from '../../src/schema/load';
import {
  startValidationWithPrismaMajor,
  validateWithPrisma,
  validateWithPrismaMajor,
  validatorModule,
  type ValidationCache,
} from '../../src/schema/validate';
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

describe("loadSchema with Prisma 7's validation begun elsewhere", () => {
  const thread = () => startValidatorThread(validatorModule(7))!;
  const SCHEMA_7 = fs.readFileSync(EXAMPLE_SCHEMA, 'utf8');

  test('builds the same model, and Prisma sees the sanitized files', () => {
    const t = thread();
    try {
      const seen: string[] = [];
      const begun = loadSchema(files(SCHEMA_6), undefined, (validated) => {
        seen.push(...validated.map((s) => s.content));
        return startValidationWithPrismaMajor(validated, 7, t);
      });
      const plain = loadSchema(files(SCHEMA_6));
      expect(begun.model).toEqual(plain.model);
      expect(begun.validated).toEqual(plain.validated);
      // Prisma 7 rejects the datasource url: it gets the text loadSchema blanked.
      expect(seen).toEqual(plain.validated.map((s) => s.content));
      expect(seen[0]).not.toContain('url      = env');
    } finally {
      t.end();
    }
  });

  test("an invalid schema is Prisma's error, as when it validates first", () => {
    const t = thread();
    try {
      const broken = SCHEMA_7.replace(/^(model Comment \{\n)/m, '$1  mood Mood\n');
      const inThisThread = () => loadSchema(files(broken));
      const begun = () => loadSchema(files(broken), undefined, (v) => startValidationWithPrismaMajor(v, 7, t));
      expect(inThisThread).toThrow(UserError);
      expect(begun).toThrow(UserError);
      const message = (f: () => unknown) => {
        try {
          f();
        } catch (error) {
          return (error as Error).message;
        }
        return '';
      };
      expect(message(begun)).toEqual(message(inThisThread));
    } finally {
      t.end();
    }
  });

  test('the cache answers before it is begun, and learns a clean verdict', () => {
    const entries = new Map<string, string>();
    const cache: ValidationCache = {
      validator: 'test',
      get: (k) => entries.get(k),
      set: (k, v) => void entries.set(k, v),
    };
    let begun = 0;
    const start = (v: { path: string; content: string }[]) => {
      begun++;
      return () => validateWithPrisma(v);
    };
    loadSchema(files(SCHEMA_7), cache, start);
    expect(begun).toBe(1);
    expect([...entries.values()]).toContain('valid');
    loadSchema(files(SCHEMA_7), cache, start);
    expect(begun).toBe(1);
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

  test("writes the same with Prisma 7's check on a thread (a Prisma 7 project)", async () => {
    const outcomes = [];
    for (const worker of ['0', '1']) {
      const p = tempProject({ 'prisma/schema.prisma': fs.readFileSync(EXAMPLE_SCHEMA, 'utf8') });
      try {
        const run = await runCli(['generate', '--no-cache', '--include-info'], p.dir, {
          IDXGEN_VALIDATOR_WORKER: worker,
        });
        outcomes.push({ run, files: tree(path.join(p.dir, 'prisma')) });
      } finally {
        p.cleanup();
      }
    }
    expect(outcomes[0]!.run.code).toBe(0);
    expect(outcomes[0]!.files['schema.prisma']).not.toEqual(fs.readFileSync(EXAMPLE_SCHEMA, 'utf8'));
    expect(outcomes[1]).toEqual(outcomes[0]);
  });
});
