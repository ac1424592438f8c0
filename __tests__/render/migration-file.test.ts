/**
 * Full migration.sql / down.sql texts, compared byte for byte with the checked-in goldens in
 * __tests__/render/golden/<case>/step-<n>/. After an intended change, rewrite them with
 *
 *   IDXGEN_UPDATE_GOLDEN=1 npx jest __tests__/render/migration-file
 *
 * and review the diff. The goldens are also what the squawk test lints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { naiveSplit, splitStatements } from '../../src/db/split';
import { MAX_HEADER_LINES, renderEntrySql, renderMigrationFile, stepFacts } from '../../src/render/sql';
import { btree, check, entryFor, GOLDEN_CASES, HOSTILE, trigram } from '../support/render-fixtures';
import { sqlParser } from '../../src/workload/sql-parser';

// Migration SQL is read and split by PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

const GOLDEN = join(__dirname, 'golden');
const UPDATE = process.env.IDXGEN_UPDATE_GOLDEN === '1';

const FILES = GOLDEN_CASES.flatMap(({ id, entry }) =>
  entry.steps.map((_, i) => {
    const { up, down } = renderMigrationFile(entry, i);
    return { id, step: i, dir: join(GOLDEN, id, `step-${i + 1}`), up, down, entry };
  }),
);

describe('golden files', () => {
  test.each(FILES.map((f) => [`${f.id} step ${f.step + 1}`, f] as const))('%s', (_label, file) => {
    for (const [name, text] of [
      ['migration.sql', file.up],
      ['down.sql', file.down],
    ] as const) {
      const path = join(file.dir, name);
      if (UPDATE) {
        mkdirSync(file.dir, { recursive: true });
        writeFileSync(path, text);
      }
      expect(existsSync(path)).toBe(true);
      expect(text).toBe(readFileSync(path, 'utf8'));
    }
  });
});

describe('every file', () => {
  test.each(FILES.map((f) => [`${f.id} step ${f.step + 1}`, f] as const))(
    '%s: LF, final newline, header is inert, one statement',
    (_label, file) => {
      for (const [text, statement] of [
        [file.up, renderEntrySql(file.entry)[file.step]!.up],
        [file.down, renderEntrySql(file.entry)[file.step]!.down],
      ] as const) {
        expect(text).not.toContain('\r');
        expect(text.endsWith('\n')).toBe(true);
        expect(text.endsWith('\n\n')).toBe(false);
        // The file is the header, then the statement exactly as the plan holds it.
        expect(text.endsWith(`${statement}\n`)).toBe(true);
        const header = text.slice(0, text.length - statement.length - 1);
        for (const line of header.split('\n').slice(0, -1)) {
          expect(line.startsWith('--')).toBe(true);
          expect(line).not.toContain(';');
          expect(line).not.toMatch(/\/\*|\*\/|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
        }
        // A real SQL lexer finds exactly the one statement (or none in a comment-only down). The
        // NOT VALID step of a CHECK is the exception: its ALTER between SET and RESET lock_timeout.
        const statements = splitStatements(text);
        if (statement.startsWith('--')) expect(statements).toEqual([]);
        else if (statement.startsWith('SET lock_timeout'))
          expect(statements.map((s) => s.sql)).toEqual(splitStatements(statement).map((s) => s.sql));
        else expect(statements.map((s) => s.sql)).toEqual([statement.slice(0, -1)]);
      }
    },
  );

  test('the header names the rule, step, why, declaration, lock and where to read how to recover', () => {
    const entry = entryFor(btree, 'Post_authorId_createdAt_idx');
    const { up, down } = renderMigrationFile(entry, 0);
    expect(up).toContain(
      '-- Rule: fk-index (warn). Step 1 of 1: create index "Post_authorId_createdAt_idx" on "Post"\n',
    );
    expect(up).toContain(`-- Why: ${entry.message.title}\n`);
    expect(up).not.toContain('Cost:');
    expect(up).toContain('--   @@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")\n');
    expect(up).toContain('-- Lock: SHARE UPDATE EXCLUSIVE (CONCURRENTLY)');
    expect(up).toContain('README.md#recovering-a-failed-concurrently-build\n');
    expect(up).toContain(
      '-- squawk-ignore-file require-lock-timeout, require-statement-timeout\nCREATE INDEX CONCURRENTLY',
    );
    expect(down).toContain('-- Run: npx prisma db execute --file <this folder>/down.sql');
    expect(down).toContain('--   @@index([authorId, createdAt(sort: Desc)], map: "Post_authorId_createdAt_idx")\n');
    // The recovery SQL is no longer in the comments: it is rendered once, by stepFacts.
    expect(up).not.toContain('indisvalid');
    expect(stepFacts(entry, 0).recovery.dropInvalid).toBe(
      'DROP INDEX CONCURRENTLY IF EXISTS "Post_authorId_createdAt_idx"',
    );
  });

  test('every header has at most MAX_HEADER_LINES comment lines', () => {
    for (const f of FILES) {
      for (const text of [f.up, f.down]) {
        const header = text.split('\n').filter((l) => l.startsWith('--'));
        expect(header.length).toBeLessThanOrEqual(MAX_HEADER_LINES);
      }
    }
  });

  test('no timestamp or version: two renders are byte-identical, and so are renders of equal entries', () => {
    for (const { entry } of GOLDEN_CASES) {
      const again = entryFor(entry.spec, entry.name, {
        ruleId: entry.ruleId,
        model: entry.model,
        message: entry.message,
      });
      entry.steps.forEach((_, i) => expect(renderMigrationFile(again, i)).toEqual(renderMigrationFile(entry, i)));
    }
    const text = FILES.map((f) => f.up + f.down).join('');
    expect(text).not.toMatch(/20\d\d-\d\d-\d\d|\d\d:\d\d:\d\d|idxgen@?\s*v?\d+\.\d+/);
  });

  test('hostile names: SQL quoted (U& identifiers for names with ";"), comments show them escaped on one line', () => {
    const file = FILES.find((f) => f.id === 'hostile-index');
    expect(file).toBeDefined();
    if (!file) return;
    expect(file.up).toContain('ON "we""ird".U&"we""ird\\003B DROP TABLE x\\003B --" USING btree');
    expect(file.up).toContain('-- Why: Column "we"ird<U+003B> DROP TABLE x<U+003B> --"<U+000A>has no index\n');
    expect(stepFacts(file.entry, 0).recovery.dropInvalid).toBe(
      'DROP INDEX CONCURRENTLY IF EXISTS "we""ird".U&"x\\000Ay\\003B \\002A/ DROP TABLE x_idx"',
    );
    expect(HOSTILE).toContain(';');
  });

  test('every file, hostile names included, survives the naive split (adapter-pg splits on every ";"): one piece', () => {
    for (const f of FILES) {
      for (const [text, statement] of [
        [f.up, renderEntrySql(f.entry)[f.step]!.up],
        [f.down, renderEntrySql(f.entry)[f.step]!.down],
      ] as const) {
        const pieces = naiveSplit(text);
        // A statement file: the first piece is the header comments and the first statement, and
        // every statement is one piece (only the CHECK's NOT VALID step has three: SET, ALTER, RESET).
        const statements = statement.startsWith('--') ? [statement] : splitStatements(statement).map((s) => s.sql);
        expect(pieces).toHaveLength(statements.length);
        if (!statement.startsWith('--'))
          pieces.forEach((piece, i) => expect(piece.sql.endsWith(statements[i]!)).toBe(true));
      }
    }
  });

  test('a file renders from its typed step, whatever the other steps of the entry are', () => {
    const entry = entryFor(trigram, 'Post_title_idx');
    const onlyIndex = { ...entry, steps: [entry.steps[1]!] };
    const { up } = renderMigrationFile(onlyIndex, 0);
    expect(up).toContain('Step 1 of 1: create index "Post_title_idx" on "Post"\n');
    expect(up.endsWith(`${renderEntrySql(entry)[1]!.up}\n`)).toBe(true);
  });

  test('refuses a step that does not exist', () => {
    const entry = entryFor(check, check.name);
    expect(renderEntrySql(entry)).toHaveLength(2);
    expect(() => renderMigrationFile(entry, 2)).toThrow(/has no step 2/);
    expect(() => renderMigrationFile(entry, -1)).toThrow(/has no step -1/);
  });
});

describe('squawk', () => {
  const squawkBin = join(__dirname, '..', '..', 'node_modules', '.bin', 'squawk');

  /** squawk's findings as `rule` strings; it exits 1 when it finds something, so read stdout either way. */
  function squawk(args: string[], input?: string): { file: string; rule_name: string }[] {
    const run = spawnSync(squawkBin, ['--pg-version', '15', '--reporter', 'json', ...args], {
      input,
      encoding: 'utf8',
    });
    if (run.error) throw run.error;
    if (run.status !== 0 && run.status !== 1) throw new Error(`squawk failed (${run.status}): ${run.stderr}`);
    return JSON.parse(run.stdout) as { file: string; rule_name: string }[];
  }

  test('the golden files lint clean: every finding left is ignored in the file itself, with the reason in its header', () => {
    const files = FILES.flatMap((f) => [join(f.dir, 'migration.sql'), join(f.dir, 'down.sql')]);
    expect(squawk(files)).toEqual([]);
  });

  test('without the squawk-ignore line, squawk reports exactly the deliberate findings', () => {
    const expected: Record<string, string[]> = {
      'btree step 1': ['require-lock-timeout', 'require-statement-timeout'],
      'trigram step 1': ['require-lock-timeout', 'require-statement-timeout'],
      'check step 1': ['require-statement-timeout'], // it sets its own lock_timeout
      'check step 2': ['prefer-robust-stmts', 'require-lock-timeout', 'require-statement-timeout'],
      'drop-index step 1': ['require-lock-timeout', 'require-statement-timeout'],
    };
    for (const [label, rules] of Object.entries(expected)) {
      const file = FILES.find((f) => `${f.id} step ${f.step + 1}` === label);
      expect(file).toBeDefined();
      if (!file) continue;
      const lint = (text: string) =>
        squawk(['--stdin-filepath', 'x.sql'], text.replace(/^-- squawk-ignore-file .*\n/m, ''))
          .map((f) => f.rule_name)
          .sort();
      expect(lint(file.up)).toEqual(rules);
      // A down is either a statement (only the timeout rules) or comment-only (nothing to find).
      expect(lint(file.down)).toEqual(
        renderEntrySql(file.entry)[file.step]!.down.startsWith('--')
          ? []
          : ['require-lock-timeout', 'require-statement-timeout'],
      );
    }
  });
});
