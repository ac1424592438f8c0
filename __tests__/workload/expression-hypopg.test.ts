/**
 * Expression indexes judged with hypothetical indexes: Debian's PostgreSQL 15 + hypopg (see
 * __tests__/workload/hypopg.test.ts for how it starts; runs only when IDXGEN_HYPOPG_URL is set).
 * hypopg_create_index takes idxgen's rendered CREATE INDEX on lower("email"): the .sql file's
 * lookup (with its value: PostgreSQL 15 has no generic plan) is planned before → after with it,
 * and nothing is written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { query, type ScratchDatabase } from '../../src/db/client';
import { hypopgScratch, hypopgSuite } from '../support/hypopg';
import { FIXTURE, bin, loadExpressionWorkload } from '../support/expression-workload';

const suite = hypopgSuite('__tests__/workload/expression-hypopg.test.ts');

suite('expression indexes with hypopg (PostgreSQL 15)', () => {
  let scratch: ScratchDatabase | undefined;
  let dir = '';
  beforeAll(async () => {
    scratch = await hypopgScratch('t_expr_hypopg', loadExpressionWorkload);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-expr-hypopg-'));
    fs.writeFileSync(
      path.join(dir, 'lookup.sql'),
      `SELECT "id" FROM "Account" WHERE lower("email") = 'user7@example.com';\n`.repeat(50),
    );
  }, 300_000);
  afterAll(async () => {
    await scratch?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the lower("email") index is planned hypothetically: cost before → after, nothing created', async () => {
    const indexes = async () =>
      (
        await query<{ n: string }>(
          scratch!.target,
          `SELECT count(*)::text AS n FROM pg_indexes WHERE schemaname = 'public'`,
        )
      )[0]!.n;
    const before = await indexes();
    const r = bin([
      'plan',
      '--schema',
      FIXTURE,
      '--format',
      'json',
      '--database-url',
      scratch!.url,
      '--queries',
      path.join(dir, 'lookup.sql'),
    ]);
    expect(r.stderr).not.toContain('hypopg is not installed');
    expect(r.code).toBe(0);
    const entries = (
      JSON.parse(r.stdout) as {
        entries: {
          name: string;
          workload?: {
            method: string;
            statements: { text: string; costBefore: number | null; costAfter: number | null }[];
          };
        }[];
      }
    ).entries;
    const lower = entries.find((e) => e.name === 'Account_lower_email_idx');
    const planned = lower!.workload!.statements.find((s) => s.text.includes(`'user7@example.com'`))!;
    expect(planned.costBefore).toBeGreaterThan(0);
    // A hypothetical index has no statistics on its expression: the planner assumes 0.5 % of the
    // rows match (a bitmap scan of 500 rows), so the gain is smaller than the real index's.
    expect(planned.costAfter!).toBeLessThan(planned.costBefore! / 2);
    // (pg_stat_statements' `$n` lookups of the same index cannot be planned on 15: the proposal as a
    // whole is ranked by measured time, hypopg.test.ts covers that.)
    expect(await indexes()).toBe(before);
  }, 120_000);
});
