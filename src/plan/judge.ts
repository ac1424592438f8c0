/**
 * The planner judges the workload's proposals. For each plan entry the workload backs, each
 * statement it serves is planned before and after the index: with hypopg the index is
 * hypothetical (session-local, nothing written) and `EXPLAIN (GENERIC_PLAN)` (PostgreSQL 16+)
 * plans `$n` statements without values. The saving per call is the statement's measured mean
 * scaled by the planner's cost ratio; over its calls that is the time saved, by which the
 * workload's proposals are ranked. Without hypopg the "after" comes from a scratch copy of the
 * tables (sampled rows, the live statistics restored; src/verify/scratch-planner.ts), or there is
 * none: then the saving is bounded by the time the statements took. Either way the evidence says
 * it is the weaker kind.
 *
 * The planner is a port: the live session with hypopg (src/cli/workload-input.ts), the scratch
 * copy, or the live session alone (no "after"). It ranks plan entries, so it is part of plan/
 * (it reads rules/ and model/ below it), not of workload/.
 */
import { indexServes } from '../model/serves';
import type { Plan, PlanEntry } from './types';
import { servingProposed } from '../rules/coverage';
import type { IndexSpec } from '../rules/types';
import { formatMs } from '../rules/workload-index';
import { quoteIdent } from '../sql/quote';
import { readsOf, type Workload, type WorkloadRead } from '../workload/workload';

/** An index the planner is asked to plan with. */
export interface CandidateIndex {
  spec: IndexSpec;
  name: string;
}

/**
 * Who plans "after": `hypopg` (hypothetical indexes on the live server; btree, hash and BRIN),
 * `scratch-copy` (real indexes on a copy of the tables: any method), `none` (no "after").
 */
export type PlannerKind = 'hypopg' | 'scratch-copy' | 'none';

export interface PlannerPort {
  kind: PlannerKind;
  /** `$n` statements can be planned without values (PostgreSQL 16+). */
  genericPlan: boolean;
  planCost(query: string, generic: boolean): Promise<number>;
  planCostWith(indexes: readonly CandidateIndex[], query: string, generic: boolean): Promise<number>;
}

export interface WriteActivity {
  /** Indexes on the table now. */
  indexes: number;
  /** Rows inserted + updated + deleted per second over the statistics' age. */
  writesPerSecond: number;
}

export interface StatementEvidence {
  fingerprint: string;
  text: string;
  calls: number;
  meanMs?: number;
  costBefore?: number;
  costAfter?: number;
  /** Estimated time saved over all calls (ms). */
  savedMs?: number;
  /** The saving is the statement's measured time (it was not planned with the index): an upper bound. */
  upperBound?: boolean;
  /** Why the planner could not judge it, when it could not. */
  note?: string;
}

export interface WorkloadEvidence {
  statements: StatementEvidence[];
  /** Estimated total time saved (ms); an upper bound when `method` is `measured-time`. */
  savedMs: number;
  /**
   * `hypopg`: planned before → after on the live server; `scratch-copy`: planned on a copy of the
   * tables (weaker); `measured-time`: not planned with the index, bounded by the time the statements took.
   */
  method: 'hypopg' | 'scratch-copy' | 'measured-time';
  write?: WriteActivity;
  /** 1 for the workload proposal that saves the most time, and so on. */
  rank?: number;
}

export interface JudgeOptions {
  /**
   * A workload proposal whose estimated saving is under this share (percent) of the workload's
   * measured time is left out of the plan (workload-index option `minSavedPercent`; 0 keeps all).
   */
  minSavedPercent: number;
}

/** Judges and ranks every entry the workload backs; adds typed evidence and evidence lines. */
export async function judgeByPlanner(
  plan: Plan,
  workload: Workload,
  planner: PlannerPort,
  activity: (table: string, schema: string | undefined) => WriteActivity | undefined,
  options: JudgeOptions = { minSavedPercent: 0 },
): Promise<string[]> {
  const notes = new Set<string>();
  const floor = savingFloor(workload, options.minSavedPercent);
  if (planner.kind === 'none')
    notes.add(
      'hypopg is not installed on the server: proposals are ranked by the measured time of the statements they serve (an upper bound, weaker evidence than a plan). CREATE EXTENSION hypopg lets idxgen plan each index hypothetically.',
    );
  for (const entry of plan.entries) {
    if (entry.spec.kind !== 'index' || !isWorkloadBacked(entry)) continue;
    const evidence = await judgeEntry(
      entry,
      entry.spec,
      workload,
      planner,
      notes,
      floor !== undefined && workloadOnly(entry) ? floor : 0,
    );
    if (!evidence) continue;
    const write = activity(entry.spec.table, entry.spec.schema);
    if (write) evidence.write = write;
    entry.workload = evidence;
    entry.evidence.push(...evidenceLines(evidence));
  }
  const left = leaveOutSmallSavings(plan, workload, options.minSavedPercent);
  if (left) notes.add(left);
  rankWorkloadEntries(plan);
  return [...notes];
}

/** Ids of the rules whose proposals rest on the workload alone (what the saving threshold may leave out). */
const WORKLOAD_RULES: ReadonlySet<string> = new Set(['workload-index', 'brin-index']);

function workloadOnly(entry: PlanEntry): boolean {
  return [entry.proposal, ...entry.satisfies].every((p) => WORKLOAD_RULES.has(p.ruleId));
}

/** The least saving (ms) a workload proposal must bring: `minPercent` of the workload's measured time; undefined when off or unmeasured. */
function savingFloor(workload: Workload, minPercent: number): number | undefined {
  if (minPercent <= 0) return undefined;
  const totals = new Map<string, number>();
  for (const read of workload.reads)
    if (read.source.kind === 'statement' && read.source.totalMs !== undefined)
      totals.set(read.source.fingerprint, read.source.totalMs);
  const totalMs = [...totals.values()].reduce((sum, ms) => sum + ms, 0);
  return totalMs > 0 ? (totalMs * minPercent) / 100 : undefined;
}

/**
 * Over-indexing is the failure of per-query advisors: an index that saves a sliver of the
 * workload's time still costs every write of its table. Entries that rest on the workload alone
 * (no other rule asked for them) and save less than `minPercent` of the workload's measured time
 * go to `plan.skipped` with the reason, and the drop each one paired with goes with it.
 */
function leaveOutSmallSavings(plan: Plan, workload: Workload, minPercent: number): string | undefined {
  const threshold = savingFloor(workload, minPercent);
  if (threshold === undefined) return undefined;
  const totalMs = (threshold * 100) / minPercent;
  const small = plan.entries.filter(
    (entry) => entry.workload !== undefined && entry.workload.savedMs < threshold && workloadOnly(entry),
  );
  if (small.length === 0) return undefined;
  const names = new Set(small.map((e) => e.name));
  const paired = plan.entries.filter(
    (e) => e.spec.kind === 'drop-index' && names.has(e.spec.coveredBy) && e.proposal.ruleId === 'workload-index',
  );
  const out = new Set([...small, ...paired]);
  for (const entry of out) {
    const saved = entry.workload
      ? `saves an estimated ${entry.workload.method === 'measured-time' ? 'at most ' : ''}${formatMs(entry.workload.savedMs)}`
      : `pairs with ${quoteIdent(entry.spec.kind === 'drop-index' ? entry.spec.coveredBy : entry.name)}, which was left out`;
    const reason = `${saved}, under ${minPercent} % of the workload's measured ${formatMs(totalMs)} (workload-index option minSavedPercent): not worth another index's write cost`;
    for (const proposal of [entry.proposal, ...entry.satisfies]) plan.skipped.push({ proposal, reason });
  }
  plan.entries = plan.entries.filter((e) => !out.has(e));
  return `${small.length} workload proposal(s) left out: each saves less than ${minPercent} % of the workload's measured time (${formatMs(totalMs)}); set workload-index's minSavedPercent to 0 to see them`;
}

/**
 * @param floor an entry whose statements took less than this in all (the most it can save) is
 * not planned: the saving threshold leaves it out whatever the planner says, and planning every
 * statement of hundreds of such entries is most of `plan --database-url`'s time.
 */
async function judgeEntry(
  entry: PlanEntry,
  spec: IndexSpec,
  workload: Workload,
  planner: PlannerPort,
  notes: Set<string>,
  floor: number,
): Promise<WorkloadEvidence | undefined> {
  const index = servingProposed(spec);
  // The reads the rule chose the index for (the same shapes, by identity), and any other it serves.
  const cited = new Set([entry.proposal, ...entry.satisfies].flatMap((p) => p.serves));
  const served = readsOf(workload, spec.table, spec.schema).filter(
    (read) =>
      read.source.kind === 'statement' && (cited.has(read.shape) || indexServes(index, read.shape).verdict !== 'none'),
  );
  const byStatement = new Map<string, WorkloadRead>();
  for (const read of served)
    if (read.source.kind === 'statement' && !byStatement.has(read.source.fingerprint))
      byStatement.set(read.source.fingerprint, read);
  if (byStatement.size === 0) return undefined;
  const reads = [...byStatement.values()];
  if (floor > 0 && reads.every((r) => r.source.kind === 'statement' && r.source.meanMs !== undefined)) {
    const most = reads.reduce((sum, r) => sum + (r.source.kind === 'statement' ? r.calls * r.source.meanMs! : 0), 0);
    if (most < floor) {
      const statements = reads.map((r) => {
        const source = r.source as Extract<WorkloadRead['source'], { kind: 'statement' }>;
        return {
          fingerprint: source.fingerprint,
          text: source.text,
          calls: r.calls,
          meanMs: source.meanMs!,
          savedMs: r.calls * source.meanMs!,
          upperBound: true,
          note: 'not planned: it took less than the saving threshold in all',
        };
      });
      return { statements, savedMs: most, method: 'measured-time' };
    }
  }
  // hypopg makes btree, hash and BRIN indexes only; the scratch copy builds any.
  const plannable =
    planner.kind === 'scratch-copy' ||
    (planner.kind === 'hypopg' && spec.method !== 'gin' && spec.method !== 'gist' && spec.method !== 'spgist');
  const statements: StatementEvidence[] = [];
  for (const read of byStatement.values()) {
    if (read.source.kind !== 'statement') continue;
    const source = read.source;
    const item: StatementEvidence = {
      fingerprint: source.fingerprint,
      text: source.text,
      calls: read.calls,
      ...(source.meanMs !== undefined ? { meanMs: source.meanMs } : {}),
    };
    statements.push(item);
    const generic = source.parameters;
    if (!source.explainable) item.note = 'not a single SELECT: not planned';
    else if (generic && !planner.genericPlan) {
      item.note = 'has $n parameters: planning it needs EXPLAIN (GENERIC_PLAN) (PostgreSQL 16+) or sample parameters';
      notes.add(
        'the server is older than PostgreSQL 16: statements with $n parameters need sample parameters to be planned, so only their measured time ranks the proposals',
      );
    } else {
      try {
        item.costBefore = await planner.planCost(source.query, generic);
        if (plannable) item.costAfter = await planner.planCostWith([{ spec, name: entry.name }], source.query, generic);
      } catch (error) {
        item.note = `the planner refused it (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
      }
    }
    if (
      item.costBefore !== undefined &&
      item.costAfter !== undefined &&
      source.meanMs !== undefined &&
      item.costBefore > 0
    ) {
      const ratio = Math.max(0, 1 - item.costAfter / item.costBefore);
      item.savedMs = read.calls * source.meanMs * ratio;
    } else if (item.costAfter === undefined && source.meanMs !== undefined) {
      // Not planned with the index (no hypopg, or no way to plan it): bounded by the time it took.
      item.savedMs = read.calls * source.meanMs;
      item.upperBound = true;
    }
  }
  statements.sort((a, b) => (b.savedMs ?? 0) - (a.savedMs ?? 0) || b.calls - a.calls);
  // Planned evidence only when every statement that counts was planned with the index.
  const method =
    plannable && planner.kind !== 'none' && !statements.some((s) => s.upperBound) ? planner.kind : 'measured-time';
  return { statements, savedMs: statements.reduce((sum, s) => sum + (s.savedMs ?? 0), 0), method };
}

const SAVED_LINE: Record<WorkloadEvidence['method'], (saved: string) => string> = {
  hypopg: (saved) =>
    `estimated time saved: ${saved} (calls × mean × planner cost reduction, hypothetical index via hypopg)`,
  'scratch-copy': (saved) =>
    `estimated time saved: ${saved} (calls × mean × planner cost reduction, planned on a scratch copy of the table: sampled rows, the live statistics restored; weaker evidence than hypopg on the live server)`,
  'measured-time': (saved) =>
    `estimated time saved: up to ${saved} (the measured time of the statements it serves, where the index could not be planned: weaker evidence)`,
};

/** The tables whose entries the planner will judge (for a scratch copy of just those). */
export function tablesToJudge(plan: Plan): { schema: string | undefined; table: string }[] {
  const seen = new Map<string, { schema: string | undefined; table: string }>();
  for (const entry of plan.entries) {
    if (entry.spec.kind !== 'index' || !isWorkloadBacked(entry)) continue;
    seen.set(`${entry.spec.schema ?? ''}\u0000${entry.spec.table}`, {
      schema: entry.spec.schema,
      table: entry.spec.table,
    });
  }
  return [...seen.values()];
}

/** The workload backs the entry when workload-index (or brin-index, from the same reads) proposed it, alone or with another rule. */
function isWorkloadBacked(entry: PlanEntry): boolean {
  return [entry.proposal, ...entry.satisfies].some(
    (p) => p.ruleId === 'workload-index' || (p.ruleId === 'brin-index' && p.basis === 'workload'),
  );
}

function evidenceLines(evidence: WorkloadEvidence): string[] {
  const lines = evidence.statements.map((s) => {
    const cost =
      s.costBefore !== undefined
        ? `, plan cost ${s.costBefore.toFixed(1)} → ${s.costAfter !== undefined ? s.costAfter.toFixed(1) : '? (not planned with the index)'}`
        : '';
    const saved = s.savedMs !== undefined ? `, saves ${s.upperBound ? 'up to ' : ''}${formatMs(s.savedMs)}` : '';
    const note = s.note ? ` (${s.note})` : '';
    return `query ${s.fingerprint} "${s.text}": ${s.calls.toLocaleString('en-US')} call(s)${s.meanMs !== undefined ? `, mean ${formatMs(s.meanMs)}` : ''}${cost}${saved}${note}`;
  });
  lines.push(SAVED_LINE[evidence.method](formatMs(evidence.savedMs)));
  if (evidence.write) {
    lines.push(
      `write cost: the table has ${evidence.write.indexes} index(es) now, ${evidence.write.writesPerSecond.toFixed(2)} row writes/s (n_tup_ins + n_tup_upd + n_tup_del): one more index is written on every insert`,
    );
  }
  return lines;
}

/**
 * Ranks the workload's entries by estimated time saved. The plan's order is left as it is (per
 * table, creates before drops, so a pair stays create-then-drop): the rank is in the evidence.
 */
function rankWorkloadEntries(plan: Plan): void {
  const judged = plan.entries.filter((entry) => entry.workload);
  judged.sort((a, b) => b.workload!.savedMs - a.workload!.savedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  judged.forEach((entry, i) => {
    entry.workload!.rank = i + 1;
    entry.evidence.push(`rank ${i + 1} of ${judged.length} workload proposal(s) by estimated time saved`);
  });
}
