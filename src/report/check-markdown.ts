/**
 * `check --format markdown`: the findings as one GFM table (a PR comment or a CI job summary),
 * errors first, then warnings, then info (file order within a severity), with the Prisma fix in
 * each row. Over GitHub's comment size the table keeps the first rows (the worst) and says how
 * many it left out.
 */
import { checkSummary } from './check-text';
import { sortFindings } from './check-order';
import { findingDeclaration } from './finding';
import { MARKDOWN_BUDGET } from './plan-text';
import { declarationView, findingView, type DeclarationView, type FindingView } from './plan-view';
import { renderTemplate } from '../render/templates';
import { SEVERITY_RANK } from '../rules/types';
import { finish, formatLocation, printable } from './text';
import type { CheckReportInput } from './types';

interface CheckMarkdownView {
  summary: string;
  rows: (FindingView & { model: string; prisma: DeclarationView; answeredBy?: string })[];
  omitted: number;
  unusedSuppressions: { rules: string; location: string }[];
}

export function renderCheckMarkdown(input: CheckReportInput, budget = MARKDOWN_BUDGET): string {
  const findings = sortFindings(input.findings)
    .map((f, index) => ({ f, index }))
    .sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.index - b.index)
    .map(({ f }) => f);
  const rows = findings.map((f) => ({
    ...findingView(f),
    model: printable(f.model),
    prisma: declarationView(findingDeclaration(f, input.fixes)),
    answeredBy: input.answeredBy?.get(f),
  }));
  const view: CheckMarkdownView = {
    summary:
      findings.length > 0 || input.unusedSuppressions.length > 0
        ? checkSummary(
            findings.map((f) => f.severity),
            input.unusedSuppressions.length,
          )
        : 'No problems.',
    rows,
    omitted: 0,
    unusedSuppressions: input.unusedSuppressions.map((u) => ({
      rules: printable(u.ruleIds.join(', ')),
      location: printable(formatLocation(u.span)),
    })),
  };
  const render = (n: number): string => {
    view.rows = rows.slice(0, n);
    view.omitted = rows.length - n;
    return finish(renderTemplate('report/check.markdown', view));
  };
  // Largest n whose table fits (fits is monotone in n).
  let lo = 0;
  let hi = rows.length;
  if (render(hi).length <= budget) return render(hi);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (render(mid).length <= budget) lo = mid;
    else hi = mid - 1;
  }
  return render(lo);
}
