/** `plan --format text` and `--format markdown`: the plan view through its templates. */
import { planTextViews, planView, type PlanView } from './plan-view';
import { renderTemplate } from '../render/templates';
import { finish, finishChunks } from './text';
import type { PlanReportInput } from './types';

/**
 * The text report in pieces (header + summary, one per table, the end), finished as one text
 * would be. A CLI writes each piece as it comes: on thousands of models the whole report runs to
 * megabytes, and its views and text never need to be in memory at once.
 */
export function planTextChunks(input: PlanReportInput, color: boolean, verbose = false): Iterable<string> {
  const { head, tables, end } = planTextViews(input, color, verbose);
  function* full(): Generator<string> {
    yield renderTemplate('report/plan.text', head);
    for (const table of tables) yield renderTemplate('report/plan-table.text', table);
    yield renderTemplate('report/plan-end.text', end);
  }
  // Without --verbose: one line per proposal, grouped by table, and a closing summary line.
  function* brief(): Generator<string> {
    yield renderTemplate('report/plan-brief.text', { color, head });
    for (const table of tables) yield renderTemplate('report/plan-brief.text', { color, table });
    const { total, error, warn, info } = head.summary;
    yield renderTemplate('report/plan-brief.text', {
      color,
      end: {
        total,
        error,
        warn,
        info,
        generated: error + warn,
        skipped: end.skipped.length,
        unusedSuppressions: end.unusedSuppressions,
      },
    });
  }
  return finishChunks(verbose ? full() : brief());
}

export function renderPlanText(input: PlanReportInput, color: boolean, verbose = false): string {
  return [...planTextChunks(input, color, verbose)].join('');
}

/**
 * GitHub rejects comments longer than 65,536 characters. The Markdown report stays under this
 * many UTF-16 units (a margin for astral characters and for bots that wrap the comment).
 */
export const MARKDOWN_BUDGET = 60_000;

/** Largest n in [0, max] with fits(n), assuming fits is monotone (true up to some n). */
function largest(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The PR comment. When the whole plan does not fit, it degrades deterministically: the skipped
 * list becomes a count, then `<details>` blocks are left out from the lowest priority up (info
 * first, plan order within a severity), then summary table rows likewise; a note says how many
 * and points to the full report.
 */
export function renderPlanMarkdown(input: PlanReportInput, budget = MARKDOWN_BUDGET): string {
  const view = planView(input, false);
  const render = (): string => finish(renderTemplate('report/plan.markdown', view));
  let out = render();
  if (out.length <= budget) return out;

  const ranked = view.summary.items;
  const withDetails = (n: number): void => {
    ranked.forEach((entry, i) => (entry.details = i < n));
    view.omitted.details = ranked.length - n;
  };
  const withRows = (n: number): void => {
    view.summary.rows = ranked.slice(0, n);
    view.omitted.rows = ranked.length - n;
  };
  const fits = (): boolean => (out = render()).length <= budget;
  view.omitted = { details: 0, rows: 0, skipped: view.skipped.length > 0, any: true };

  const details = largest(ranked.length, (n) => (withDetails(n), fits()));
  withDetails(details);
  if (details === 0) withRows(largest(ranked.length, (n) => (withRows(n), fits())));
  out = render();
  return out;
}

export type { PlanView };
