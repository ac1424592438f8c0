/**
 * The default proposals on the nine corpus schemas, pinned: per schema, how many findings each rule
 * makes and how many entries a default `generate` (no --include-info) writes, by rule. A change in
 * a rule's precision changes these numbers, and the change shows up in review (update the numbers
 * and bench/review.json together; `npm run review` prints the table and the acceptance rate).
 *
 * Then idxgen must not churn its own output: after a generate (default, and with --include-info)
 * the edited schema plans no new default proposal, and redundant-index never flags an index idxgen
 * just declared.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planModel, rules } from '../../src/cli/context';
import { parseConfig } from '../../src/config/config';
import { planGeneration } from '../../src/generate';
import { migrationStateFor, settleByMigrations } from '../../src/plan/in-migrations';
import type { Plan } from '../../src/plan/types';
import { defaultProposals } from '../../src/generate/review';
import { allRules } from '../../src/rules/registry';
import { loadSchema } from '../../src/schema/load';
import { CORPUS } from '../support/rules';
import { sqlParser } from '../../src/workload/sql-parser';

// Migration SQL is read and split by PostgreSQL's parser, which loads asynchronously.
beforeAll(() => sqlParser());

const parsed = parseConfig(undefined, rules);
if (!('config' in parsed)) throw new Error('default config');
const config = parsed.config;

const PINNED: Record<string, { findings: Record<string, number>; generated: Record<string, number> }> = {
  amplication__amplication: {
    findings: { 'fk-index': 38, 'fk-composite-index': 32, 'soft-delete-partial-index': 10 },
    generated: { 'fk-index': 38 },
  },
  'boxyhq__saas-starter-kit': {
    findings: { 'fk-index': 3, 'fk-composite-index': 1, 'check-constraint': 1 },
    generated: { 'fk-index': 3 },
  },
  civitai__civitai: {
    findings: {
      'fk-index': 150,
      'fk-composite-index': 92,
      'soft-delete-partial-index': 4,
      'queue-partial-index': 1,
      'redundant-index': 8,
      'check-constraint': 123,
    },
    generated: { 'fk-index': 150, 'redundant-index': 8 },
  },
  hoppscotch__hoppscotch: {
    findings: { 'fk-index': 13, 'redundant-index': 3, 'check-constraint': 1 },
    generated: { 'fk-index': 13, 'redundant-index': 3 },
  },
  jitsucom__jitsu: {
    findings: { 'fk-index': 13, 'fk-composite-index': 11, 'redundant-index': 1 },
    generated: { 'fk-index': 13, 'redundant-index': 1 },
  },
  langfuse__langfuse: {
    findings: {
      'fk-index': 37,
      'fk-composite-index': 34,
      'soft-delete-partial-index': 1,
      'redundant-index': 11,
      'check-constraint': 3,
    },
    generated: { 'fk-index': 37, 'redundant-index': 11 },
  },
  teableio__teable: {
    findings: { 'fk-index': 7, 'redundant-index': 2 },
    generated: { 'fk-index': 7, 'redundant-index': 2 },
  },
  'triggerdotdev__trigger.dev': {
    findings: {
      'fk-index': 76,
      'fk-composite-index': 69,
      'soft-delete-partial-index': 6,
      'queue-partial-index': 1,
      'redundant-index': 12,
      'unique-key': 2,
      'check-constraint': 12,
    },
    generated: { 'fk-index': 76, 'redundant-index': 12 },
  },
  'umami-software__umami': {
    findings: { 'redundant-index': 15, 'check-constraint': 1 },
    generated: { 'redundant-index': 15 },
  },
};

const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.prisma'))
  .sort();

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function sorted(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function plan(
  path: string,
  content: string,
): { plan: Plan; model: ReturnType<typeof loadSchema>['model']; sources: { path: string; content: string }[] } {
  const sources = [{ path, content }];
  const { model } = loadSchema(sources);
  return { plan: planModel(model, config), model, sources };
}

describe('default proposals on the corpus', () => {
  it('covers the nine corpus schemas', () => {
    expect(files.map((f) => f.replace(/\.prisma$/, ''))).toEqual(Object.keys(PINNED).sort());
  });

  it.each(files)('%s: per-rule findings and default entries are pinned', (file) => {
    const { plan: p } = plan(file, readFileSync(join(CORPUS, file), 'utf8'));
    expect({
      findings: sorted(countBy(p.findings, (f) => f.ruleId)),
      generated: sorted(countBy(defaultProposals(p), (l) => l.ruleId)),
    }).toEqual({
      findings: sorted(PINNED[file.replace(/\.prisma$/, '')]!.findings),
      generated: sorted(PINNED[file.replace(/\.prisma$/, '')]!.generated),
    });
    // No guess is ever above info, and nothing a default generate writes rests on a guess.
    expect(p.findings.filter((f) => f.basis === 'guess' && f.severity !== 'info')).toEqual([]);
    for (const entry of p.entries.filter((e) => e.severity !== 'info')) expect(entry.proposal.basis).not.toBe('guess');
  });

  it("every default proposal has a reviewer's verdict in bench/review.json, and at least 90 % are accepted", () => {
    const judgments = JSON.parse(readFileSync(join(__dirname, '..', '..', 'bench', 'review.json'), 'utf8')) as Record<
      string,
      { verdict: 'accept' | 'reject'; reason: string }
    >;
    const keys = files.flatMap((file) => {
      const { plan: p } = plan(file, readFileSync(join(CORPUS, file), 'utf8'));
      return defaultProposals(p).map((l) => `${file.replace(/\.prisma$/, '')} ${l.fingerprint}`);
    });
    expect(keys.filter((k) => !judgments[k])).toEqual([]);
    // No stale verdicts either: the file is exactly today's proposals.
    expect(Object.keys(judgments).filter((k) => !keys.includes(k))).toEqual([]);
    const accepted = keys.filter((k) => judgments[k]!.verdict === 'accept').length;
    expect(accepted / keys.length).toBeGreaterThanOrEqual(0.9);
    for (const k of keys) expect(judgments[k]!.reason.length).toBeGreaterThan(20);
  });

  it.each(files.flatMap((f) => [[f, false] as const, [f, true] as const]))(
    '%s (include-info %s): generate, then plan again: nothing new, nothing of its own redundant',
    (file, includeInfo) => {
      const first = plan(file, readFileSync(join(CORPUS, file), 'utf8'));
      const result = planGeneration({
        plan: first.plan,
        model: first.model,
        sources: first.sources,
        ruleIds: allRules.map((r) => r.meta.id),
        existing: { folders: [], hasLockFile: true },
        timestamp: '20260101000000',
        options: { group: 'statement', includeInfo, allowDrift: false, previewFeatures: true },
      });
      const edited = result.schemaEdits.find((e) => e.path === file)?.after ?? first.sources[0]!.content;
      const again = plan(file, edited);
      // What the new folders create (the CHECK constraints, which have no declaration) is known from them.
      const folders = result.folders.map((f) => ({ name: f.name, sql: f.files[0].content }));
      settleByMigrations(again.plan, migrationStateFor(again.plan, folders));
      // One known exception, with --include-info only: unique-key's UNIQUE (environmentId, type, dedupeKey)
      // makes the user's own plain index on the same columns redundant, which the next run reports.
      const known =
        includeInfo && file === 'triggerdotdev__trigger.dev.prisma'
          ? [
              'redundant-index BulkActionGroup drop BulkActionGroup_environmentId_type_dedupeKey_idx (environmentId, type, dedupeKey) covered by BulkActionGroup_environmentId_type_dedupeKey_key',
            ]
          : [];
      expect(defaultProposals(again.plan).map((l) => l.fingerprint)).toEqual(known);
      const written = new Set(result.declarationsAdded.map((d) => d.entry.name));
      const churn = again.plan.findings.filter(
        (f) => f.ruleId === 'redundant-index' && f.spec.kind === 'drop-index' && written.has(f.spec.name),
      );
      expect(churn.map((f) => f.message.title)).toEqual([]);
      // Every entry written is declared now, so the same (or a wider) entry is never proposed again.
      const before = new Set(result.generated.map((e) => e.id));
      expect(again.plan.entries.filter((e) => before.has(e.id)).map((e) => e.id)).toEqual([]);
    },
  );
});
