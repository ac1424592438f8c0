import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { parseAnnotations } from '../../src/rules/annotations';
import { rule, violatingExample, type CheckConstraintOptions } from '../../src/rules/check-constraint';
import { parseCheckExpression } from '../../src/sql/check-expression';
import { quoteIdent } from '../../src/sql/quote';
import { CORPUS, at, fixture, fixtureText, load, run, schema, writable, type Finding } from '../support/rules2';
import { testDatabase } from '../support/pg';
import type { CheckSpec } from '../../src/rules/types';

const F = 'check-constraint.prisma';

/** [where, constraint name, expression, columns] */
function summarize(found: Finding[]): [string, string, string, string[]][] {
  return found.map((p) => {
    if (p.spec.kind !== 'check') throw new Error(`unexpected ${p.spec.kind}`);
    return [at(p.span), p.spec.name, p.spec.expression, p.spec.columns];
  });
}

describe('check-constraint on the fixture', () => {
  const model = fixture(F);

  it('proposes annotated checks (field level, then model level), then heuristic ones, per table', () => {
    expect(summarize(run(rule, model))).toEqual([
      [`${F}:22:3`, 'Job_progress_check', '"progress" BETWEEN 0 AND 100', ['progress']],
      [`${F}:34:3`, 'Job_likeCount_check', '("likeCount" >= 0) AND ("likeCount" <= 1000000)', ['likeCount']],
      [`${F}:38:3`, 'Job_name_check', 'char_length(btrim("name")) > 0', ['name']],
      [
        `${F}:19:1`,
        'Job_startedAt_finishedAt_check',
        '("startedAt" IS NULL) OR ("finishedAt" IS NULL) OR ("finishedAt" >= "startedAt")',
        ['startedAt', 'finishedAt'],
      ],
      // heuristics: retryCount, attempts, viewCount (mapped). Not: maxAttempts, maxRetryCount (limits),
      // balance / balanceCount (signed), discount (not a count), quantity (off by default),
      // unlimitedCount (default -1), likeCount (already annotated), ratioCount (Float), the view.
      [`${F}:23:3`, 'Job_retryCount_check', '"retryCount" >= 0', ['retryCount']],
      [`${F}:24:3`, 'Job_attempts_check', '"attempts" >= 0', ['attempts']],
      [`${F}:32:3`, 'Job_view_count_check', '"view_count" >= 0', ['view_count']],
      // @@map'd table; two checks on one column get _check, _check1 (as PostgreSQL names them);
      // stepCount is a counter but already constrained by its annotations.
      [`${F}:49:3`, 'job_steps_step_count_check', '"step_count" < 1000', ['step_count']],
      [`${F}:49:3`, 'job_steps_step_count_check1', '("step_count" % 2) = 0', ['step_count']],
      [
        `${F}:45:1`,
        'job_steps_status_step_count_check',
        `("status" IN ('PENDING', 'done')) OR ("step_count" > 0)`,
        ['status', 'step_count'],
      ],
    ]);
  });

  it('writes cost, instead and serves with real quoted names and a concrete bad write', () => {
    const found = run(rule, model);
    const progress = found[0]!;
    expect(progress.ruleId).toBe('check-constraint');
    expect(progress.model).toBe('Job');
    expect(progress.message).toEqual({
      title: 'Job.progress asks for CHECK ("progress" BETWEEN 0 AND 100), which Prisma cannot declare',
      cost: 'Nothing stops a write of "progress" = 101 today: the application is the only guard, and one racing update, backfill or manual fix stores it silently for every reader to trip over.',
      instead:
        'Add "Job_progress_check" NOT VALID (a brief lock, no scan), then VALIDATE CONSTRAINT in a separate statement (it scans while writes continue, whereas in one statement the scan blocks writes). Prisma cannot declare CHECK constraints and ignores them when it checks for drift, so the constraint lives only in migration.sql.',
      serves:
        'every INSERT or UPDATE of "Job" that writes "progress": a violating row fails with SQLSTATE 23514 (check_violation) instead of being stored',
    });
    expect(progress.evidence[0]).toBe('/// @idxgen.check(progress BETWEEN 0 AND 100) on Job.progress');
    const retry = found.find((p) => p.spec.kind === 'check' && p.spec.name === 'Job_retryCount_check')!;
    expect(retry.message.title).toBe('Counter Job.retryCount can be stored negative');
    expect(retry.message.cost).toContain('a write of "retryCount" = -1 today');
    expect(retry.evidence.slice(0, 2)).toEqual([
      'Job.retryCount is Int @default(0) and its name "retryCount" says it counts something, and a count cannot be negative',
      'heuristic nonNegativeCounters (on by default; switch with heuristics.nonNegativeCounters)',
    ]);
    const window = found.find((p) => p.spec.kind === 'check' && p.spec.name === 'Job_startedAt_finishedAt_check')!;
    expect(window.message.cost).toContain('Nothing stops a row that breaks (("startedAt" IS NULL) OR');
    expect(window.message.serves).toContain('writes "startedAt", "finishedAt"');
  });

  it('switches heuristics by option, and keeps the other heuristic at its default when given one', () => {
    const off = run(rule, model, { heuristics: { nonNegativeCounters: false, nonNegativeQuantities: false } });
    expect(off.map((p) => (p.spec.kind === 'check' ? p.spec.name : ''))).not.toContain('Job_retryCount_check');
    expect(off).toHaveLength(7);
    // A partial `heuristics` object (as the config file gives it) keeps nonNegativeCounters on.
    const partial = rule.run({ model, tables: writable(model) }, { heuristics: { nonNegativeQuantities: true } });
    const names = partial.map((p) => (p.spec.kind === 'check' ? p.spec.name : ''));
    expect(names).toContain('Job_retryCount_check');
    expect(names).toContain('Job_quantity_check');
    const quantity = partial.find((p) => p.spec.kind === 'check' && p.spec.name === 'Job_quantity_check')!;
    expect(at(quantity.span)).toBe(`${F}:30:3`);
    expect(quantity.evidence[1]).toBe(
      'heuristic nonNegativeQuantities (off by default; switch with heuristics.nonNegativeQuantities)',
    );
  });
});

describe('check-constraint: table tests', () => {
  const valid: [string, string][] = [
    ['names that are not counts', 'discount Int\n  account Int\n  countdown Int\n  amount Int\n  total Int'],
    [
      'limits and signed amounts',
      'maxCount Int\n  minCount Int\n  limitCount Int\n  netCount Int\n  deltaCount Int\n  countDiff Int\n  balanceCount Int\n  offsetCount Int',
    ],
    ['a negative default is a sentinel', 'seatCount Int @default(-1)'],
    ['not an integer', 'viewCount Float\n  likeCount Decimal\n  count String'],
    ['lists', 'counts Int[]\n  viewCount Int[]'],
    ['quantity is off by default', 'quantity Int\n  qty Int'],
  ];
  it.each(valid)('no proposal: %s', (_name, fields) => {
    expect(run(rule, load(schema(`model T {\n  id Int @id\n  ${fields}\n}`)))).toEqual([]);
  });

  it('no proposal on views and @@ignore models', () => {
    const text = schema(
      `model T {\n  id Int @id\n  likeCount Int\n  @@ignore\n}\nview V {\n  id Int @unique\n  likeCount Int\n}`,
    ).replace(
      'datasource db {',
      'generator client {\n  provider = "prisma-client-js"\n  previewFeatures = ["views"]\n}\ndatasource db {',
    );
    expect(run(rule, load(text))).toEqual([]);
  });

  const invalid: [string, string, [string, string, string, string[]][]][] = [
    ['count', 'count Int', [['schema.prisma:7:3', 'T_count_check', '"count" >= 0', ['count']]]],
    [
      'snake_case counts and tries',
      'view_count Int\n  login_attempts BigInt\n  job_retries Int',
      [
        ['schema.prisma:7:3', 'T_view_count_check', '"view_count" >= 0', ['view_count']],
        ['schema.prisma:8:3', 'T_login_attempts_check', '"login_attempts" >= 0', ['login_attempts']],
        ['schema.prisma:9:3', 'T_job_retries_check', '"job_retries" >= 0', ['job_retries']],
      ],
    ],
    [
      'camelCase tries',
      'failedAttempts Int?\n  numRetries Int',
      [
        ['schema.prisma:7:3', 'T_failedAttempts_check', '"failedAttempts" >= 0', ['failedAttempts']],
        ['schema.prisma:8:3', 'T_numRetries_check', '"numRetries" >= 0', ['numRetries']],
      ],
    ],
    [
      'a field mapped to a counter-like column name',
      'views Int @map("view_count")',
      [['schema.prisma:7:3', 'T_view_count_check', '"view_count" >= 0', ['view_count']]],
    ],
    [
      'a column name with a double quote',
      'hits Int @map("hit\\"count")',
      [['schema.prisma:7:3', 'T_hit"count_check', '"hit""count" >= 0', ['hit"count']]],
    ],
    [
      'a field-level check on a quoted column',
      '/// @idxgen.check(hits <= 10)\n  hits Int @map("hit\\"s")',
      [['schema.prisma:8:3', 'T_hit"s_check', '"hit""s" <= 10', ['hit"s']]],
    ],
  ];
  it.each(invalid)('%s', (_name, fields, expected) => {
    expect(summarize(run(rule, load(schema(`model T {\n  id Int @id\n  ${fields}\n}`))))).toEqual(expected);
  });

  it('a multi-column check does not replace the sign heuristic on its columns; a one-column check does', () => {
    const model = load(
      schema(
        `/// @idxgen.check(retryCount <= maxRetries)\nmodel T {\n  id Int @id\n  retryCount Int\n  maxRetries Int\n  /// @idxgen.check(attempts < 10)\n  attempts Int\n}`,
      ),
    );
    expect(summarize(run(rule, model))).toEqual([
      ['schema.prisma:11:3', 'T_attempts_check', '"attempts" < 10', ['attempts']],
      [
        'schema.prisma:6:1',
        'T_retryCount_maxRetries_check',
        '"retryCount" <= "maxRetries"',
        ['retryCount', 'maxRetries'],
      ],
      ['schema.prisma:8:3', 'T_retryCount_check', '"retryCount" >= 0', ['retryCount']],
    ]);
  });

  it('an invalid annotation proposes nothing and is reported by parseAnnotations', () => {
    const model = load(schema(`model T {\n  id Int @id\n  /// @idxgen.check(progress > 'x')\n  progress Int\n}`));
    expect(run(rule, model)).toEqual([]);
    expect(parseAnnotations(model).errors.map((e) => [at(e.span), e.message])).toEqual([
      [
        'schema.prisma:8:3',
        "T.progress: @idxgen.check(progress > 'x'): cannot compare number with a string literal (>) (at \"'x'\")",
      ],
    ]);
  });

  it('fits names to 63 bytes without cutting a UTF-8 character, keeping the suffix', () => {
    const long = 'a'.repeat(40);
    const model = load(
      schema(
        `model T {\n  id Int @id\n  /// @idxgen.check(${'b'.repeat(30)} >= 0)\n  ${'b'.repeat(30)} Int\n  @@map("${long}")\n}\nmodel U {\n  id Int @id\n  /// @idxgen.check(x >= 0)\n  x Int\n  @@map("${'ü'.repeat(40)}")\n}`,
      ),
    );
    const names = run(rule, model).map((p) => (p.spec.kind === 'check' ? p.spec.name : ''));
    expect(names[0]).toBe(`${long}_${'b'.repeat(16)}_check`);
    expect(Buffer.byteLength(names[0]!)).toBe(63);
    expect(names[1]).toBe(`${'ü'.repeat(28)}_check`);
    expect(Buffer.byteLength(names[1]!)).toBe(62);
  });
});

describe('check-constraint: options', () => {
  it.each([
    [{}, []],
    [{ heuristics: { nonNegativeCounters: false } }, []],
    [
      { heuristics: { nonNegativeCounters: 'yes' } },
      ['heuristics.nonNegativeCounters: expected true or false, got "yes"'],
    ],
    [
      { heuristics: { nonNegativeCouters: true } },
      [
        'heuristics.nonNegativeCouters: unknown option (did you mean "nonNegativeCounters"?) (known: nonNegativeCounters, nonNegativeQuantities)',
      ],
    ],
    [{ heuristics: 5 }, ['heuristics: expected an object']],
    [{ heuristic: {} }, ['heuristic: unknown option (did you mean "heuristics"?) (known: heuristics, lockTimeoutMs)']],
    [{ lockTimeoutMs: 3000 }, []],
    [{ lockTimeoutMs: 0 }, ['lockTimeoutMs: must be at least 1, got 0']],
    [{ lockTimeoutMs: '5s' }, ['lockTimeoutMs: expected an integer, got string "5s"']],
    ['on', ['options: expected an object']],
  ] as [unknown, string[]][])('%j', (options, problems) => {
    expect(rule.meta.validateOptions(options)).toEqual(problems);
  });
});

test('the configured lock timeout reaches every CHECK it proposes (default 5000 ms)', () => {
  const model = fixture('check-constraint.prisma');
  const specs = (options?: Partial<CheckConstraintOptions>) =>
    rule.run({ model, tables: writable(model) }, options).map((p) => p.spec as CheckSpec);
  expect(specs().length).toBeGreaterThan(0);
  expect(new Set(specs().map((s) => s.lockTimeoutMs))).toEqual(new Set([5000]));
  expect(
    new Set(
      specs({ heuristics: { nonNegativeCounters: true, nonNegativeQuantities: false }, lockTimeoutMs: 1234 }).map(
        (s) => s.lockTimeoutMs,
      ),
    ),
  ).toEqual(new Set([1234]));
});

describe('violatingExample', () => {
  const model = fixture('expressions.prisma');
  const table = model.tables.find((t) => t.model === 'Item')!;
  it.each([
    ['price >= 0', '"price" = -1'],
    ['price > 0', '"price" = 0'],
    ['0 < price', '"price" = 0'],
    ['price <= 2.5', '"price" = 3'],
    ['price < -3', '"price" = -3'],
    ['price BETWEEN 1 AND 10', '"price" = 11'],
    ['qty >= 0 AND qty <= 9', '"quantity" = -1'],
    ["role IN ('ADMIN')", `"role" = 'member'`],
    ["role NOT IN ('MEMBER')", `"role" = 'member'`],
    ["slug IN ('a', 'b')", `"slug" = ''`],
    ["name <> ''", `"name" = ''`],
    ['weight IS NOT NULL', '"weight" = NULL'],
    ['price > 0 OR qty > 0', undefined],
    ['char_length(name) > 0', undefined],
  ] as [string, string | undefined][])('%s → %s', (source, example) => {
    const parsed = parseCheckExpression(source, { table, enums: model.enums });
    if (!parsed.ok) throw new Error(parsed.error);
    expect(violatingExample(parsed.expr)).toBe(example);
  });
});

describe('check-constraint on real PostgreSQL', () => {
  const db = testDatabase('check_constraint');

  it('each proposal applies as NOT VALID + VALIDATE, accepts a normal row and rejects its example bad write', async () => {
    const ddl = await schemaFromEmptySql([{ path: F, content: fixtureText(F) }]);
    if (!ddl.ok) throw new Error(ddl.reason);
    await db.client.query(ddl.value);
    await db.client.query(
      `INSERT INTO "Job" ("name", "startedAt", "finishedAt") VALUES ('first', now() - interval '1 hour', now())`,
    );
    await db.client.query(`INSERT INTO "job_steps" ("id", "step_count", "status") VALUES (1, 2, 'PENDING')`);
    const found = run(rule, fixture(F));
    for (const p of found) {
      if (p.spec.kind !== 'check') throw new Error('not a check');
      const target = quoteIdent(p.spec.table);
      await db.client.query(
        `ALTER TABLE ${target} ADD CONSTRAINT ${quoteIdent(p.spec.name)} CHECK (${p.spec.expression}) NOT VALID`,
      );
      await db.client.query(`ALTER TABLE ${target} VALIDATE CONSTRAINT ${quoteIdent(p.spec.name)}`);
    }
    let rejected = 0;
    for (const p of found) {
      if (p.spec.kind !== 'check') continue;
      const match = /a write of (.*) today/.exec(p.message.cost);
      if (!match) continue;
      const error = await db.client.query(`UPDATE ${quoteIdent(p.spec.table)} SET ${match[1]}`).then(
        () => undefined,
        (e: { code?: string; constraint?: string }) => e,
      );
      expect(error).toMatchObject({ code: '23514', constraint: p.spec.name });
      rejected++;
    }
    expect(rejected).toBe(6);
  });
});

describe('check-constraint on the corpus', () => {
  const files = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.prisma'))
    .sort();

  it('fires only on counter-like Int columns of tables, with names that fit', () => {
    const perFile: Record<string, number> = {};
    for (const file of files) {
      const model = load(readFileSync(join(CORPUS, file), 'utf8'), file);
      const found = run(rule, model);
      perFile[file] = found.length;
      for (const p of found) {
        const spec = p.spec;
        if (spec.kind !== 'check') throw new Error('not a check');
        expect(spec.expression).toMatch(/^"[^"]+" >= 0$/);
        expect(Buffer.byteLength(spec.name)).toBeLessThanOrEqual(63);
        expect(spec.name.endsWith('_check') || /_check\d+$/.test(spec.name)).toBe(true);
        const column = model.tables
          .find((t) => t.name === spec.table)!
          .columns.find((c) => c.name === spec.columns[0])!;
        expect(['Int', 'BigInt']).toContain(column.type);
        expect(column.field).not.toMatch(/max|min|limit|balance|delta|diff|offset|change|adjust|amount/i);
      }
    }
    // civitai: counters of its *Metric tables (and of four `/// @view` helper models that civitai's own
    // tooling treats as views; see the report); trigger.dev: batch and bulk-action counters.
    expect(perFile).toEqual({
      'amplication__amplication.prisma': 0,
      'boxyhq__saas-starter-kit.prisma': 1,
      'civitai__civitai.prisma': 123,
      'hoppscotch__hoppscotch.prisma': 1,
      'jitsucom__jitsu.prisma': 0,
      'langfuse__langfuse.prisma': 3,
      'teableio__teable.prisma': 0,
      'triggerdotdev__trigger.dev.prisma': 12,
      'umami-software__umami.prisma': 1,
    });
  });

  it('sanity: trigger.dev batch counters are found, its notification display limit is not', () => {
    const model = load(readFileSync(join(CORPUS, 'triggerdotdev__trigger.dev.prisma'), 'utf8'));
    const names = run(rule, model).map((p) => (p.spec.kind === 'check' ? p.spec.name : ''));
    expect(names).toContain('BatchTaskRun_successfulRunCount_check');
    expect(names).toContain('BulkActionGroup_failureCount_check');
    expect(names.filter((n) => n.startsWith('PlatformNotification_'))).toEqual([]); // cliMaxShowCount is a limit
  });
});
