/**
 * The planner's word on INCLUDE: workload-index proposes INCLUDE columns only where the statistics
 * say an index-only scan may pay (src/rules/include-columns.ts); here each such entry's statements
 * are planned with the key index alone and with the INCLUDE index (hypopg or the scratch copy).
 * The INCLUDE stays only when it lowers the call-weighted plan cost by at least the rule's
 * `minSavedPercent` (and by something when that is 0); otherwise the entry becomes the plain key
 * index, which Prisma can declare, and its evidence says why INCLUDE was not added. Runs before
 * the entries are judged and ranked, so the saving they show is the index that will be written.
 */
import type { IndexSpec } from '../rules/types';
import { quoteIdent } from '../sql/quote';
import { readsOf, type Workload, type WorkloadRead } from '../workload/workload';
import type { PlannerPort } from './judge';
import type { PlanEntry, Plan } from './types';

export interface IncludeVerdicts {
  /** Entries whose INCLUDE was taken away: their name, declaration and steps must be made again. */
  stripped: PlanEntry[];
}

/** What the verdict on every entry plans with: the workload's reads, a planner, and the rule's threshold. */
export interface IncludeJudge {
  workload: Workload;
  planner: PlannerPort;
  minSavedPercent: number;
}

export async function confirmIncludes(plan: Plan, judge: IncludeJudge): Promise<IncludeVerdicts> {
  const stripped: PlanEntry[] = [];
  for (const entry of plan.entries) {
    const spec = entry.spec;
    if (spec.kind !== 'index' || spec.include.length === 0 || entry.proposal.ruleId !== 'workload-index') continue;
    const list = spec.include.map(quoteIdent).join(', ');
    const reason = await verdict(entry, spec, judge);
    if (reason.pays) {
      entry.evidence.push(`INCLUDE (${list}) pays: ${reason.text}`);
      continue;
    }
    entry.spec = { ...spec, include: [] };
    entry.proposal.spec = entry.spec;
    entry.evidence.push(`INCLUDE (${list}) was considered for an index-only scan and not added: ${reason.text}`);
    stripped.push(entry);
  }
  return { stripped };
}

async function verdict(
  entry: PlanEntry,
  spec: IndexSpec,
  { workload, planner, minSavedPercent }: IncludeJudge,
): Promise<{ pays: boolean; text: string }> {
  if (entry.partitioned)
    return { pays: false, text: 'the table is partitioned (one plain index per partition is written)' };
  if (planner.kind === 'none')
    return {
      pays: false,
      text: 'no planner could confirm it (hypopg is not installed and there is no scratch copy): the plain key index is proposed',
    };
  const cited = new Set(entry.proposal.serves);
  const reads = readsOf(workload, spec.table, spec.schema).filter(
    (read): read is WorkloadRead & { source: { kind: 'statement' } } =>
      read.source.kind === 'statement' &&
      cited.has(read.shape) &&
      read.source.explainable &&
      (!read.source.parameters || planner.genericPlan),
  );
  const key: IndexSpec = { ...spec, include: [] };
  const statements = [...new Map(reads.map((r) => [r.source.fingerprint, r])).values()];
  // All statements with one index, then with the other: the scratch copy builds each index once.
  const planAll = async (candidate: IndexSpec) => {
    const out = new Map<string, number>();
    for (const read of statements) {
      try {
        out.set(
          read.source.fingerprint,
          await planner.planCostWith(
            [{ spec: candidate, name: entry.name }],
            read.source.query,
            read.source.parameters,
          ),
        );
      } catch {
        // A statement the planner refuses says nothing either way (judge reports the refusal).
      }
    }
    return out;
  };
  const keyCosts = await planAll(key);
  const includeCosts = await planAll(spec);
  let withKey = 0;
  let withInclude = 0;
  for (const read of statements) {
    const k = keyCosts.get(read.source.fingerprint);
    const i = includeCosts.get(read.source.fingerprint);
    if (k === undefined || i === undefined) continue;
    withKey += read.calls * k;
    withInclude += read.calls * i;
  }
  if (withKey <= 0)
    return {
      pays: false,
      text: 'none of the statements it serves could be planned, so the planner could not confirm it',
    };
  const lower = (1 - withInclude / withKey) * 100;
  const costs = `call-weighted plan cost ${withKey.toFixed(1)} with the key index alone → ${withInclude.toFixed(1)} with INCLUDE (${lower.toFixed(1)} % lower, ${planner.kind})`;
  if (lower > 0 && lower >= minSavedPercent)
    return { pays: true, text: `${costs}, at least workload-index's minSavedPercent (${minSavedPercent} %)` };
  return {
    pays: false,
    text: `${costs}, under workload-index's minSavedPercent (${minSavedPercent} %): the plain key index is proposed`,
  };
}
