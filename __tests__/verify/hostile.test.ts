/**
 * verify on examples/hostile-names (a `"`, a `;` and `--` in table and column names), against the
 * jest cluster. Prisma 7.10 cannot migrate such names itself: its from-empty SQL does not double
 * the `"`, and Prisma ≥ 7.4 cuts migration.sql at every `;`. verify must say so instead of
 * reporting a bare syntax error, and must pass once the base migration spells the names the way
 * PostgreSQL and Prisma's splitter both accept (`""`, and `U&"…\003B…"` for `;`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCommand } from '../../src/cli/commands/generate';
import { schemaFromEmptySql } from '../../src/db/schema-engine';
import { expectEveryStepPassed, REPO, statuses, stepOf, testIO, verifyJson } from '../support/verify';

const SCHEMA = path.join(REPO, 'examples', 'hostile-names', 'schema.prisma');
const GENERATE = {
  dryRun: false,
  includeInfo: false,
  allowDrift: false,
  previewFeatures: false,
  group: 'statement' as const,
  format: 'text' as const,
  timestamp: '20250101000000',
};
const BASE = '20240101000000_init';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** A temp project with the hostile schema, an optional base migration, and idxgen's folders. */
async function project(baseSql?: string): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-verify-hostile-'));
  roots.push(root);
  fs.mkdirSync(path.join(root, 'prisma'));
  fs.copyFileSync(SCHEMA, path.join(root, 'prisma', 'schema.prisma'));
  if (baseSql !== undefined) {
    fs.mkdirSync(path.join(root, 'prisma', 'migrations', BASE), { recursive: true });
    fs.writeFileSync(path.join(root, 'prisma', 'migrations', BASE, 'migration.sql'), baseSql);
  }
  expect(await generateCommand(GENERATE, testIO(root))).toBe(0);
  return root;
}

/** Prisma's from-empty SQL for the hostile schema, exactly as its engine writes it. */
async function prismaFromEmpty(): Promise<string> {
  const result = await schemaFromEmptySql([{ path: 'schema.prisma', content: fs.readFileSync(SCHEMA, 'utf8') }]);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

const HOSTILE = ['entries"; DROP TABLE x; --', 'we"ird; DROP TABLE x; --', 'created"at', 'amount; --'];

/** Rewrites each hostile name in Prisma's SQL: `"` doubled, and, with `unicode`, `;` as `\003B` in a U& name. */
function spell(sql: string, unicode: boolean): string {
  let out = sql;
  for (const name of HOSTILE) {
    const doubled = name.replace(/"/g, '""');
    const quoted = unicode && name.includes(';') ? `U&"${doubled.replace(/;/g, '\\003B')}` : `"${doubled}`;
    // Prisma writes `"name"` and, in derived constraint names, `"name_pkey"` / `"…_name_fkey"`.
    out = out
      .split(`"${name}`)
      .join(quoted)
      .split(`_${name}`)
      .join(`_${unicode && name.includes(';') ? doubled.replace(/;/g, '\\003B') : doubled}`);
  }
  return out;
}

test("no base migration: step a fails on Prisma's own broken from-empty SQL, and says that is Prisma's", async () => {
  // The engine really writes the `"` undoubled: if a later Prisma fixes it, this test says so.
  expect(await prismaFromEmpty()).toContain('CREATE TABLE "entries"; DROP TABLE x; --" (');
  const { code, report } = await verifyJson(await project());
  expect(code).toBe(1);
  const base = stepOf(report, 'base');
  expect(base).toMatchObject({ status: 'fail', summary: 'the base failed in 0_base' });
  expect(base.problems[0]).toMatch(/^0_base\/migration\.sql:\d+:\d+: 42601 /);
  expect(base.problems[1]).toBe(
    'Prisma\'s from-empty SQL quotes `created"at`, `entries"; DROP TABLE x; --`, `we"ird; DROP TABLE x; --` without doubling the " inside, ' +
      'so PostgreSQL cannot parse it (`prisma migrate dev` writes the same broken statement). Instead, commit the migration that created ' +
      'these tables, with each " written as "", before idxgen\'s folders: verify builds the base from it.',
  );
});

test('a base with "" but a plain ";" in names: PostgreSQL accepts it, Prisma\'s replay does not, and verify says why', async () => {
  const { code, report } = await verifyJson(await project(spell(await prismaFromEmpty(), false)));
  expect(code).toBe(1);
  expect(statuses(report)).toEqual({
    base: 'pass',
    apply: 'pass',
    coverage: 'pass',
    evidence: 'pass',
    rollback: 'pass',
    drift: 'fail',
  });
  const drift = stepOf(report, 'drift');
  expect(drift.details.replayFailed).toBe(true);
  expect(drift.problems[0]).toMatch(
    new RegExp(`^Migration \`${BASE}\` failed to apply cleanly to the shadow database`),
  );
  expect(drift.problems[1]).toMatch(
    /^Prisma ≥ 7\.4 cuts migration\.sql at every ";", even inside the quoted names `amount; --`, `entries"; DROP TABLE x; --`, `we"ird; DROP TABLE x; --`/,
  );
});

test('a base spelling the names as U&"…\\003B…": every step passes, hostile names included', async () => {
  const root = await project(spell(await prismaFromEmpty(), true));
  const { code, report } = await verifyJson(root);
  expectEveryStepPassed(report, code);
  expect(report.folders.base).toEqual([BASE]);
  const evidence = stepOf(report, 'evidence');
  // Rows were loaded into that table (2,000, the first size): its name reaches `::regclass` as plain `"…"` text, a form regclass input reads (U&"…" it does not).
  expect(evidence.details.tables.find((t) => t.table === 'entries"; DROP TABLE x; --')).toMatchObject({ rows: 2000 });
  expect(evidence.details.indexes.filter((i) => !i.ok)).toEqual([]);
  expect(evidence.details.indexes.length).toBe(3);
});
