/**
 * verify on the bundled example (prisma/schema.prisma): copied to a temp dir, `idxgen generate`
 * run there, then `idxgen verify` through the CLI with its own embedded PostgreSQL, as a user
 * without --database-url runs it. The time is printed for the record.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCommand } from '../../src/cli/commands/generate';
import { main } from '../../src/cli/main';
import type { VerifyReport } from '../../src/verify';
import {
  EVERY_STEP_PASSED,
  expectEveryStepPassed,
  REPO,
  statuses,
  stepOf,
  testIO,
  verifyJson,
} from '../support/verify';

const GENERATE = {
  dryRun: false,
  includeInfo: false,
  allowDrift: false,
  previewFeatures: false,
  group: 'statement' as const,
  format: 'text' as const,
  timestamp: '20250101000000',
};

/** A temp project holding a copy of the bundled schema (no migrations yet). */
function exampleProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'idxgen-verify-example-'));
  fs.mkdirSync(path.join(root, 'prisma'));
  fs.copyFileSync(path.join(REPO, 'prisma', 'schema.prisma'), path.join(root, 'prisma', 'schema.prisma'));
  return root;
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

test('bundled example, default generate: every step passes with the embedded server (CLI, exit 0)', async () => {
  const root = exampleProject();
  roots.push(root);
  expect(await generateCommand(GENERATE, testIO(root))).toBe(0);
  const folders = fs.readdirSync(path.join(root, 'prisma', 'migrations')).filter((f) => /^\d{14}_/.test(f));
  expect(folders.length).toBeGreaterThan(10);

  const io = testIO(root);
  const started = performance.now();
  const code = await main(['verify', '--format', 'json'], io);
  const ms = performance.now() - started;
  const report = JSON.parse(io.out.join('')) as VerifyReport;
  console.log(
    `verify on the bundled example (embedded PostgreSQL, ${folders.length} idxgen folders): ${Math.round(ms)} ms; steps: ${report.steps.map((s) => `${s.name} ${s.ms} ms`).join(', ')}; server start ${report.target.startMs} ms`,
  );

  expectEveryStepPassed(report, code);
  expect(report.target).toMatchObject({
    kind: 'embedded',
    note: 'embedded PostgreSQL in a temp dir, removed afterwards',
  });
  expect(report.folders).toMatchObject({ base: [], project: [] });
  expect(report.folders.idxgen).toEqual(folders);

  // No folder before idxgen's: the base is Prisma's from-empty SQL without idxgen's declarations,
  // plus the indexes idxgen's redundant-index migrations drop.
  const base = stepOf(report, 'base');
  expect(base.details.source).toBe('schema');
  expect(base.details.strippedDeclarations).toContain('Comment_authorId_createdAt_idx');
  expect(base.details.recreatedForDrops.sort()).toEqual(['GameProfile_userId_idx', 'GamificationEvent_status_idx']);

  const apply = stepOf(report, 'apply');
  expect(apply.details.objects.filter((o) => !o.ok)).toEqual([]);
  expect(
    apply.details.objects
      .filter((o) => o.kind === 'dropped-index')
      .map((o) => o.name)
      .sort(),
  ).toEqual(['GameProfile_userId_idx', 'GamificationEvent_status_idx']);
  expect(apply.details.objects.filter((o) => o.kind === 'check').length).toBeGreaterThan(0);
  expect(apply.details.oldPrisma).toMatchObject({ status: 'pass', sameCatalog: true });

  expect(stepOf(report, 'coverage').details.uncovered).toEqual([]);
  const evidence = stepOf(report, 'evidence');
  // One row per read each index serves (its plan entry's `serves`): every index created has at least one.
  const created = apply.details.objects.filter((o) => o.kind === 'index').map((o) => o.name);
  expect([...new Set(evidence.details.indexes.map((i) => i.index))].sort()).toEqual([...created].sort());
  expect(evidence.details.indexes.length).toBeGreaterThan(created.length);
  expect(evidence.details.indexes.filter((i) => !i.ok)).toEqual([]);
  expect(stepOf(report, 'drift').details.migrations[0]).toBe('0_base');
});

test('bundled example with --include-info --preview-features: GIN, trigram and partial indexes are proven too', async () => {
  const root = exampleProject();
  roots.push(root);
  expect(await generateCommand({ ...GENERATE, includeInfo: true, previewFeatures: true }, testIO(root))).toBe(0);
  const { report, ms } = await verifyJson(root);
  console.log(
    `verify on the bundled example with info-level entries (jest cluster): ${Math.round(ms)} ms; steps: ${report.steps.map((s) => `${s.name} ${s.ms} ms`).join(', ')}`,
  );

  expect(statuses(report)).toEqual(EVERY_STEP_PASSED);
  const shapes = new Set(stepOf(report, 'evidence').details.indexes.map((i) => i.shape));
  expect([...shapes].sort()).toEqual(
    expect.arrayContaining(['array-contains', 'jsonb-contains', 'order', 'trigram', 'unique']),
  );
  // The queue index is (status, due time), not partial (an enum predicate breaks Prisma's enum migrations).
  const queue = stepOf(report, 'evidence').details.indexes.find(
    (i) => i.index === 'ingest_events_status_next_attempt_at_idx',
  );
  expect(queue).toMatchObject({ ok: true, shape: 'order' });
  // The rule's own read (its `serves`): the poll for due rows, not one derived from the index's keys.
  expect(queue!.query).toMatch(
    /WHERE "status" = '[A-Z]+' AND "next_attempt_at" <= '[^']+' ORDER BY "next_attempt_at" LIMIT 100$/,
  );
  const partial = stepOf(report, 'evidence').details.indexes.find((i) => i.index === 'Comment_authorId_partial_idx');
  expect(partial).toMatchObject({ ok: true });

  // The soft-delete partial indexes are declared with the predicate PostgreSQL prints back, so
  // Prisma's migrate diff has nothing to drop and re-create: any drift fails.
  const drift = stepOf(report, 'drift');
  expect(drift.problems).toEqual([]);
});
