/** `check` prints findings in file order, like a compiler: file, line, column, then rule. */
import type { Proposal } from '../rules/types';

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortFindings(findings: readonly Proposal[]): Proposal[] {
  return findings
    .map((finding, index) => ({ finding, index }))
    .sort(
      (a, b) =>
        compare(a.finding.span.file, b.finding.span.file) ||
        a.finding.span.line - b.finding.span.line ||
        a.finding.span.column - b.finding.span.column ||
        compare(a.finding.ruleId, b.finding.ruleId) ||
        a.index - b.index,
    )
    .map((x) => x.finding);
}
