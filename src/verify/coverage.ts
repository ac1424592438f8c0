/**
 * Step c, coverage: after idxgen's migrations, every foreign key has an index (the sound rule in
 * shared/FACTS.md, as `listUnindexedForeignKeys` applies it), or each one left is explained by
 * the plan: a proposal the plan skipped (`/// idxgen-ignore`), a rule switched off in the config,
 * an info-level entry `generate` leaves out without --include-info. An FK nothing explains fails
 * the step.
 *
 * With `relationMode = "prisma"` the database has no FK constraints: the model's relations are
 * checked against the catalog's indexes by the same rule.
 */
import type { Client } from 'pg';
import { coveringCatalogIndex, listForeignKeyCoverage, listIndexes, type IndexInfo } from '../db/catalog';
import { coversFk } from '../model/serves';
import { servingProposed } from '../rules/coverage';
import type { Config } from '../config/config';
import type { SchemaModel } from '../model/types';
import type { Plan } from '../plan/types';
import { SEVERITY_RANK, type IndexSpec } from '../rules/types';
import { runOne } from './pg';
import { verifySql } from './sql';
import type { CoverageDetails, UncoveredForeignKey } from './types';

interface FkRef {
  schema: string;
  table: string;
  columns: readonly string[];
  /** Its table is partitioned (generate writes an index there only with --database-url). */
  partitioned?: boolean;
}

/**
 * Whether a proposed index would cover the FK once built, by the same rule as the catalog check
 * (`coversFk`). A soft-delete partial index on the FK (`WHERE "deletedAt" IS NULL`) does not, so it
 * explains nothing about an unindexed FK.
 */
function wouldCover(spec: IndexSpec, fk: FkRef): boolean {
  return coversFk({ ...servingProposed(spec), schema: spec.schema ?? 'public' }, fk).covers;
}

/** Why an FK was left without an index, from the plan and the config; null when nothing says. */
export function explainUncovered(
  fk: FkRef,
  plan: Plan | undefined,
  config: Config | undefined,
): { reason: string | null; hint?: string } {
  const fkIndex = config?.rules['fk-index'];
  if (fkIndex?.severity === 'off')
    return { reason: `rule fk-index is off${config?.source ? ` in ${config.source}` : ' in the config'}` };
  if (!plan) return { reason: null, hint: 'no plan was given to explain it' };
  // A guess skipped as the alternative of an entry the plan keeps explains nothing: the kept entry
  // should have been built (it is found below).
  const alternatives = new Set(plan.entries.flatMap((e) => e.alternatives));
  const skips = plan.skipped.filter(
    (s) => s.proposal.spec.kind === 'index' && !alternatives.has(s.proposal) && wouldCover(s.proposal.spec, fk),
  );
  // "already covered by index X" means the schema declares X: if the database still has no index,
  // the migrations lack what the schema declares (step f shows it), which explains nothing here.
  const suppressed = skips.find((s) => !s.reason.startsWith('already covered'));
  if (suppressed) return { reason: `${suppressed.proposal.ruleId}: ${suppressed.reason}` };
  if (skips.length > 0)
    return { reason: null, hint: `the plan says ${skips[0]!.reason}, but the database has no such index` };
  // The most severe proposal that would cover it: an error-level one left unbuilt is a problem even
  // when an info-level one also covers the FK.
  const entry = plan.entries
    .filter((e) => e.spec.kind === 'index' && wouldCover(e.spec, fk))
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])[0];
  if (entry) {
    if (entry.severity === 'info')
      return {
        reason: `${entry.ruleId} proposes "${entry.name}" at info level, which generate leaves out without --include-info`,
      };
    return {
      reason: null,
      hint: `${entry.ruleId} proposes "${entry.name}" (${entry.severity}), but no migration creates it: ${fk.partitioned ? `"${fk.table}" is partitioned, and generate writes the index of a partitioned table only when it can read the partitions: run idxgen generate --database-url` : 'run idxgen generate'}`,
    };
  }
  return { reason: null, hint: 'no rule proposed an index for it (rule options may exclude it)' };
}

/** The sound rule over catalog indexes, for a relation without an FK constraint (relationMode = "prisma"). */
export function coveredByIndexes(fk: FkRef, indexes: readonly IndexInfo[]): string | null {
  return coveringCatalogIndex(fk, indexes);
}

export interface CoverageOutcome {
  details: CoverageDetails;
  problems: string[];
}

export async function checkCoverage(
  client: Client,
  model: SchemaModel,
  plan: Plan | undefined,
  config: Config | undefined,
): Promise<CoverageOutcome> {
  let refs: (FkRef & { name: string })[];
  let total: number;
  let source: CoverageDetails['source'];
  if (model.relationMode === 'prisma') {
    source = 'model';
    const indexes = await listIndexes(client);
    const all = model.tables.flatMap((t) =>
      t.foreignKeys.map((fk) => ({
        name: fk.constraintName,
        schema: t.schema ?? 'public',
        table: fk.table,
        columns: fk.columns,
      })),
    );
    total = all.length;
    refs = all.filter((fk) => coveredByIndexes(fk, indexes) === null);
  } else {
    source = 'catalog';
    const all = await listForeignKeyCoverage(client);
    total = all.length;
    refs = all
      .filter((fk) => fk.coveredBy === null)
      .map((fk) => ({ name: fk.name, schema: fk.schema, table: fk.table, columns: fk.columns }));
  }
  const partitioned = new Set(
    (await runOne<{ schema: string; table: string }>(client, verifySql('partitioned-tables'))).map(
      (r) => `${r.schema}.${r.table}`,
    ),
  );
  const problems: string[] = [];
  const uncovered: UncoveredForeignKey[] = refs.map((fk) => {
    const why = explainUncovered({ ...fk, partitioned: partitioned.has(`${fk.schema}.${fk.table}`) }, plan, config);
    if (why.reason === null)
      problems.push(
        `foreign key ${fk.name} on ${fk.table} (${fk.columns.join(', ')}) has no index${why.hint ? `: ${why.hint}` : ''}`,
      );
    return { table: fk.table, schema: fk.schema, name: fk.name, columns: [...fk.columns], reason: why.reason };
  });
  return { details: { foreignKeys: total, source, uncovered }, problems };
}
