/**
 * The proposals a default `idxgen generate` (no --include-info, no --only) writes, one line each,
 * for the corpus review (scripts/review.js, BENCHMARKS.md).
 */
import { selectEntries } from './select';
import type { Plan } from '../plan/types';
import { fingerprint, specKey } from '../report/fingerprint';

export interface ReviewLine {
  fingerprint: string;
  ruleId: string;
  table: string;
  proposal: string;
}

export function defaultProposals(plan: Plan): ReviewLine[] {
  const { selected } = selectEntries(plan.entries, { includeInfo: false });
  return selected.map((entry) => ({
    fingerprint: fingerprint(entry.proposal),
    ruleId: entry.ruleId,
    table: entry.spec.schema ? `${entry.spec.schema}.${entry.spec.table}` : entry.spec.table,
    proposal: `${entry.ruleId}: ${specKey(entry.spec)}${entry.satisfies.length > 0 ? ` (also answers ${[...new Set(entry.satisfies.map((p) => p.ruleId))].join(', ')})` : ''}`,
  }));
}
